using System.Globalization;
using Astro.Fits;
using Astro.Fits.Hdus;
using Astro.Imaging.Models;
using StbImageSharp;

namespace Astro.Imaging.IO;

/// <summary>
/// Reads a cutout from a FITS file (a cube, or one image HDU per band), a JPEG or a PNG, recognised by
/// their first bytes (gzip-compressed FITS too).
/// </summary>
/// <remarks>
/// <para>FITS: the first image HDU with data gives the size. If it has a third axis longer than 1, its
/// planes are the bands; otherwise it and the image HDUs right after it with the same size are the
/// bands (reading stops at the first HDU of another size or kind). Axes of length 1 beyond the second are
/// ignored. Band names come from EXTNAME, then FILTER, then "band N".</para>
/// <para>JPEG/PNG: bands R, G, B with values 0–255, rows flipped so that row 0 is the bottom row.</para>
/// <para>Problems with the input throw <see cref="ImagingException"/> with a one-line message that names the source.</para>
/// </remarks>
public static class CutoutReader
{
    /// <summary>Reads a cutout file.</summary>
    /// <param name="path">FITS, JPEG or PNG file.</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ImagingException">The file is not a usable image.</exception>
    public static Cutout Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] bytes = File.ReadAllBytes(path);
        return Read(bytes, Path.GetFileName(path));
    }

    /// <summary>Reads a cutout from bytes.</summary>
    /// <param name="bytes">The file's content.</param>
    /// <param name="source">A name for messages.</param>
    /// <exception cref="ImagingException">The bytes are not a usable image.</exception>
    public static Cutout Read(ReadOnlyMemory<byte> bytes, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        ReadOnlySpan<byte> head = bytes.Span[..Math.Min(bytes.Length, 16)];
        if (head.StartsWith("SIMPLE"u8) || head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]) || head.StartsWith("BZh"u8))
        {
            return ReadFits(bytes, source);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return ReadRgb(bytes, source, CutoutFormat.Jpeg);
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]))
        {
            return ReadRgb(bytes, source, CutoutFormat.Png);
        }

        throw new ImagingException($"{source}: not a FITS, JPEG or PNG image");
    }

    private static Cutout ReadFits(ReadOnlyMemory<byte> bytes, string source)
    {
        try
        {
            using FitsFile file = FitsFile.Open(bytes);
            var bands = new List<CutoutImage>();
            var names = new List<string>();
            ImageHdu? first = null;
            foreach (Hdu hdu in file)
            {
                if (hdu is not ImageHdu image || image.PixelCount == 0)
                {
                    if (first is null)
                    {
                        continue;
                    }

                    break;
                }

                IReadOnlyList<long> axes = image.Axes;
                int dims = axes.Count;
                while (dims > 2 && axes[dims - 1] == 1)
                {
                    dims--;
                }

                if (first is null)
                {
                    if (dims < 2)
                    {
                        throw new ImagingException($"{source}: HDU {hdu.Index} is a {dims}-dimensional image; a cutout needs 2 dimensions (or 3 for a cube)");
                    }

                    if (dims > 3)
                    {
                        throw new ImagingException($"{source}: HDU {hdu.Index} has {dims} dimensions; a cutout needs 2 (or 3 for a cube)");
                    }

                    if (axes[0] > 16384 || axes[1] > 16384)
                    {
                        throw new ImagingException($"{source}: HDU {hdu.Index} is {axes[0]} x {axes[1]} pixels; cutouts are at most 16384 on a side");
                    }

                    first = image;
                    int w = (int)axes[0];
                    int h = (int)axes[1];
                    double[] all = image.ReadPhysical();
                    int planes = dims == 3 ? (int)axes[2] : 1;
                    for (int p = 0; p < planes; p++)
                    {
                        bands.Add(new CutoutImage(w, h, all.AsSpan(p * w * h, w * h).ToArray()));
                        names.Add(planes > 1 ? $"plane {p + 1}" : BandName(hdu, bands.Count));
                    }

                    if (planes > 1)
                    {
                        break;
                    }

                    continue;
                }

                if (dims != 2 || axes[0] != first.Axes[0] || axes[1] != first.Axes[1])
                {
                    break;
                }

                bands.Add(new CutoutImage((int)axes[0], (int)axes[1], image.ReadPhysical()));
                names.Add(BandName(hdu, bands.Count));
            }

            if (first is null)
            {
                throw new ImagingException($"{source}: no image HDU with data (a table or an empty file is not a cutout)");
            }

            return new Cutout(source, CutoutFormat.Fits, bands, names, first.Header);
        }
        catch (FitsException e)
        {
            throw new ImagingException($"{source}: {e.Message}", e);
        }
    }

    private static string BandName(Hdu hdu, int number) =>
        hdu.Name is { Length: > 0 } name ? name
        : hdu.Header.GetString("FILTER")?.Trim() is { Length: > 0 } filter ? filter
        : "band " + number.ToString(CultureInfo.InvariantCulture);

    private static Cutout ReadRgb(ReadOnlyMemory<byte> bytes, string source, CutoutFormat format)
    {
        ImageResult result;
        try
        {
            result = ImageResult.FromMemory(bytes.ToArray(), ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            throw new ImagingException($"{source}: unreadable {format.ToString().ToUpperInvariant()} ({e.Message.ReplaceLineEndings(" ")})", e);
        }

        if (result?.Data is null || result.Width <= 0 || result.Height <= 0)
        {
            throw new ImagingException($"{source}: unreadable {format.ToString().ToUpperInvariant()}");
        }

        int w = result.Width;
        int h = result.Height;
        var bands = new CutoutImage[3];
        for (int c = 0; c < 3; c++)
        {
            double[] pixels = new double[w * h];
            for (int y = 0; y < h; y++)
            {
                int srcRow = (h - 1 - y) * w * 3;
                for (int x = 0; x < w; x++)
                {
                    pixels[(y * w) + x] = result.Data[srcRow + (x * 3) + c];
                }
            }

            bands[c] = new CutoutImage(w, h, pixels);
        }

        return new Cutout(source, format, bands, ["R", "G", "B"]);
    }
}
