namespace Astro.Ml.Images;

/// <summary>Random training augmentation (papers 002 and 003).</summary>
public sealed class ImageAugmentationOptions
{
    /// <summary>Gets or sets a value indicating whether images are rotated by a uniform random angle in [0°, 360°) (bilinear interpolation).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Rotate { get; set; } = true;

    /// <summary>Gets or sets a value indicating whether images are flipped horizontally and vertically, each with probability ½.</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool Flip { get; set; } = true;

    /// <summary>Gets or sets the smallest zoom factor (&lt; 1 shows more sky around the galaxy).</summary>
    /// <value>The default value is 0.7 (paper 003).</value>
    public double MinZoom { get; set; } = 0.7;

    /// <summary>Gets or sets the largest zoom factor (&gt; 1 magnifies).</summary>
    /// <value>The default value is 1.3 (paper 003).</value>
    public double MaxZoom { get; set; } = 1.3;

    internal bool IsIdentity => !Rotate && !Flip && MinZoom == 1 && MaxZoom == 1;

    internal void Validate()
    {
        if (!(MinZoom > 0) || !(MaxZoom >= MinZoom) || !double.IsFinite(MaxZoom))
        {
            throw new ArgumentOutOfRangeException(nameof(MinZoom), $"The zoom range [{MinZoom}, {MaxZoom}] must be positive and ordered.");
        }
    }
}

/// <summary>
/// Image augmentation on <c>[channels, size, size]</c> float images: random rotation, flips and zoom about the image centre
/// (bilinear interpolation, mirrored edges), and the eight exact dihedral transforms used for test-time augmentation.
/// </summary>
public static class ImageAugmentation
{
    /// <summary>The number of dihedral transforms (rotations by multiples of 90° with and without a flip).</summary>
    public const int DihedralCount = 8;

    /// <summary>
    /// Writes a randomly rotated, flipped and zoomed copy of <paramref name="source"/> into <paramref name="destination"/>.
    /// </summary>
    /// <param name="source">The image, <c>channels × size × size</c>, row-major.</param>
    /// <param name="channels">Channels.</param>
    /// <param name="size">The image side.</param>
    /// <param name="options">What to randomise.</param>
    /// <param name="random">The random source (the caller seeds it).</param>
    /// <param name="destination">Receives the augmented image (same layout).</param>
    public static void Augment(ReadOnlySpan<float> source, int channels, int size, ImageAugmentationOptions options, Random random, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        double angle = options.Rotate ? random.NextDouble() * 2 * Math.PI : 0;
        bool flipX = options.Flip && random.Next(2) == 1;
        bool flipY = options.Flip && random.Next(2) == 1;
        double zoom = options.MinZoom + (random.NextDouble() * (options.MaxZoom - options.MinZoom));
        Transform(source, channels, size, angle, zoom, flipX, flipY, destination);
    }

    /// <summary>
    /// Rotates by <paramref name="angle"/> (radians, counter-clockwise), magnifies by <paramref name="zoom"/> and flips,
    /// about the centre; samples bilinearly with mirrored edges.
    /// </summary>
    public static void Transform(ReadOnlySpan<float> source, int channels, int size, double angle, double zoom, bool flipX, bool flipY, Span<float> destination)
    {
        int plane = size * size;
        if (source.Length != channels * plane || destination.Length != channels * plane)
        {
            throw new ArgumentException($"Both images need {channels} × {size} × {size} values.");
        }

        double c = (size - 1) / 2.0;
        double cos = Math.Cos(angle) / zoom;
        double sin = Math.Sin(angle) / zoom;
        for (int y = 0; y < size; y++)
        {
            for (int x = 0; x < size; x++)
            {
                double u = (flipX ? (size - 1 - x) : x) - c;
                double v = (flipY ? (size - 1 - y) : y) - c;

                // Inverse rotation: where in the source this output pixel comes from.
                double sx = (cos * u) + (sin * v) + c;
                double sy = (-sin * u) + (cos * v) + c;
                int x0 = (int)Math.Floor(sx);
                int y0 = (int)Math.Floor(sy);
                double tx = sx - x0;
                double ty = sy - y0;
                int xa = Mirror(x0, size), xb = Mirror(x0 + 1, size), ya = Mirror(y0, size), yb = Mirror(y0 + 1, size);
                double w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
                for (int ch = 0; ch < channels; ch++)
                {
                    int o = ch * plane;
                    double value = (w00 * source[o + (ya * size) + xa]) + (w10 * source[o + (ya * size) + xb])
                        + (w01 * source[o + (yb * size) + xa]) + (w11 * source[o + (yb * size) + xb]);
                    destination[o + (y * size) + x] = (float)value;
                }
            }
        }
    }

    /// <summary>
    /// Dihedral transform <paramref name="index"/> (0–7): transpose if bit 2 is set, then flip rows (bit 1), then flip
    /// columns (bit 0). Index 0 is the identity; the eight form the symmetry group of the square. The ONNX export builds the
    /// same eight with <c>Transpose</c> and reversing <c>Slice</c>s.
    /// </summary>
    public static void Dihedral(ReadOnlySpan<float> source, int channels, int size, int index, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, DihedralCount);
        int plane = size * size;
        bool transpose = (index & 4) != 0, flipRows = (index & 2) != 0, flipColumns = (index & 1) != 0;
        for (int ch = 0; ch < channels; ch++)
        {
            int o = ch * plane;
            for (int y = 0; y < size; y++)
            {
                for (int x = 0; x < size; x++)
                {
                    // Output (y, x) ← after flips, position (y', x') of the transposed image ← source (x', y') or (y', x').
                    int yy = flipRows ? size - 1 - y : y;
                    int xx = flipColumns ? size - 1 - x : x;
                    int sourceIndex = transpose ? (xx * size) + yy : (yy * size) + xx;
                    destination[o + (y * size) + x] = source[o + sourceIndex];
                }
            }
        }
    }

    private static int Mirror(int i, int size)
    {
        if (size == 1)
        {
            return 0;
        }

        int period = 2 * (size - 1);
        i %= period;
        if (i < 0)
        {
            i += period;
        }

        return i < size ? i : period - i;
    }
}
