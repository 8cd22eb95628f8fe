namespace Astro.Imaging.Models;

/// <summary>
/// One band of a cutout: <see cref="Width"/> × <see cref="Height"/> pixels in FITS order (x varies
/// fastest, row y = 0 is the bottom row, as FITS and DS9 show it). NaN marks undefined pixels.
/// </summary>
public sealed class CutoutImage
{
    /// <summary>Creates an image over an existing pixel array (referenced, not copied).</summary>
    /// <param name="width">Pixels per row (NAXIS1).</param>
    /// <param name="height">Rows (NAXIS2).</param>
    /// <param name="pixels">width × height values, x fastest.</param>
    /// <exception cref="ArgumentNullException"><paramref name="pixels"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is not positive or the array has the wrong length.</exception>
    public CutoutImage(int width, int height, double[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if ((long)width * height != pixels.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(pixels), $"A {width} x {height} image needs {(long)width * height} pixels, not {pixels.Length}.");
        }

        Width = width;
        Height = height;
        Pixels = pixels;
    }

    /// <summary>Creates a zero-filled image.</summary>
    /// <param name="width">Pixels per row.</param>
    /// <param name="height">Rows.</param>
    public CutoutImage(int width, int height)
        : this(width, height, new double[checked(width * height)])
    {
    }

    /// <summary>Pixels per row (NAXIS1).</summary>
    public int Width { get; }

    /// <summary>Number of rows (NAXIS2).</summary>
    public int Height { get; }

    /// <summary>The pixels, x fastest; index = y × <see cref="Width"/> + x.</summary>
    public double[] Pixels { get; }

    /// <summary>The pixel at column <paramref name="x"/>, row <paramref name="y"/> (0-based).</summary>
    public double this[int x, int y]
    {
        get => Pixels[(y * Width) + x];
        set => Pixels[(y * Width) + x] = value;
    }

    /// <summary>A deep copy.</summary>
    public CutoutImage Clone() => new(Width, Height, (double[])Pixels.Clone());

    /// <summary>The pixels as single precision (for writing or for a network input).</summary>
    public float[] ToSingle()
    {
        float[] result = new float[Pixels.Length];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = (float)Pixels[i];
        }

        return result;
    }
}
