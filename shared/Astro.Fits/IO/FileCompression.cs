using System.IO.Compression;
using ICSharpCode.SharpZipLib.BZip2;
using ICSharpCode.SharpZipLib.Lzw;

namespace Astro.Fits.IO;

/// <summary>Whole-file compression a FITS file may arrive in.</summary>
public enum FileCompression
{
    /// <summary>Plain FITS.</summary>
    None = 0,

    /// <summary>gzip (.gz).</summary>
    Gzip,

    /// <summary>bzip2 (.bz2).</summary>
    Bzip2,

    /// <summary>Unix compress, LZW (.Z).</summary>
    UnixCompress,
}

/// <summary>Detects and undoes whole-file compression, by magic bytes rather than file name.</summary>
internal static class FileDecompressor
{
    public static FileCompression Detect(ReadOnlySpan<byte> head)
    {
        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            return FileCompression.Gzip;
        }

        if (head.Length >= 3 && head[0] == (byte)'B' && head[1] == (byte)'Z' && head[2] == (byte)'h')
        {
            return FileCompression.Bzip2;
        }

        if (head.Length >= 2 && head[0] == 0x1F && head[1] == 0x9D)
        {
            return FileCompression.UnixCompress;
        }

        return FileCompression.None;
    }

    /// <summary>Decompresses into memory, refusing to grow past <paramref name="maxLength"/> bytes.</summary>
    public static byte[] Decompress(Stream compressed, FileCompression kind, long maxLength)
    {
        using Stream decoder = kind switch
        {
            FileCompression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true),
            FileCompression.Bzip2 => new BZip2InputStream(compressed) { IsStreamOwner = false },
            FileCompression.UnixCompress => new LzwInputStream(compressed) { IsStreamOwner = false },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        using var output = new MemoryStream();
        byte[] buffer = new byte[1 << 16];
        try
        {
            int n;
            while ((n = decoder.Read(buffer, 0, buffer.Length)) > 0)
            {
                if (output.Length + n > maxLength)
                {
                    throw new FitsException($"{Describe(kind)} data expands past the limit of {maxLength} bytes (FitsReaderOptions.MaxDecompressedLength)");
                }

                output.Write(buffer, 0, n);
            }
        }
        catch (Exception e) when (e is InvalidDataException or ICSharpCode.SharpZipLib.SharpZipBaseException or EndOfStreamException)
        {
            throw new FitsException($"corrupt {Describe(kind)} data: {e.Message}");
        }

        return output.ToArray();
    }

    public static string Describe(FileCompression kind) => kind switch
    {
        FileCompression.Gzip => "gzip",
        FileCompression.Bzip2 => "bzip2",
        FileCompression.UnixCompress => "unix-compress (LZW)",
        _ => "plain",
    };
}
