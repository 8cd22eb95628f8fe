using Astro.Imaging.Models;

namespace Astro.Imaging.Resampling;

/// <summary>
/// Resamples an image to a new pixel grid over the same field of view, each axis on its own: area
/// averaging when the axis shrinks (each output pixel is the overlap-weighted mean of the input pixels it
/// covers, so sum(out) × (inW·inH)/(outW·outH) = sum(in)), bicubic interpolation (Keys, a = −0.5, edges
/// clamped) when it grows, a copy when it keeps its size. Both are exact on constant images.
/// </summary>
public static class Resampler
{
    private const double CubicA = -0.5;

    /// <summary>Resamples to <paramref name="width"/> × <paramref name="height"/>.</summary>
    /// <param name="image">The image.</param>
    /// <param name="width">Output columns.</param>
    /// <param name="height">Output rows.</param>
    /// <returns>A new image (surface-brightness units: values are means, not sums).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static CutoutImage Resize(CutoutImage image, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var wx = Weights(image.Width, width);
        var wy = Weights(image.Height, height);
        int inW = image.Width;
        int inH = image.Height;
        double[] src = image.Pixels;

        // Along x: inH rows of width outputs.
        double[] tmp = new double[inH * width];
        for (int y = 0; y < inH; y++)
        {
            int row = y * inW;
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in wx[x])
                {
                    sum += weight * src[row + index];
                }

                tmp[(y * width) + x] = sum;
            }
        }

        // Along y.
        double[] result = new double[width * height];
        for (int y = 0; y < height; y++)
        {
            var taps = wy[y];
            int row = y * width;
            for (int x = 0; x < width; x++)
            {
                double sum = 0;
                foreach (var (index, weight) in taps)
                {
                    sum += weight * tmp[(index * width) + x];
                }

                result[row + x] = sum;
            }
        }

        return new CutoutImage(width, height, result);
    }

    /// <summary>For each output index, the input indices and weights (summing to 1).</summary>
    internal static (int Index, double Weight)[][] Weights(int inSize, int outSize)
    {
        var result = new (int, double)[outSize][];
        if (outSize == inSize)
        {
            for (int j = 0; j < outSize; j++)
            {
                result[j] = [(j, 1.0)];
            }
        }
        else if (outSize < inSize)
        {
            double step = (double)inSize / outSize;
            for (int j = 0; j < outSize; j++)
            {
                double start = j * step;
                double end = (j + 1) * step;
                var taps = new List<(int, double)>();
                for (int i = (int)Math.Floor(start); i < Math.Min(inSize, (int)Math.Ceiling(end)); i++)
                {
                    double overlap = Math.Min(end, i + 1) - Math.Max(start, i);
                    if (overlap > 0)
                    {
                        taps.Add((i, overlap / step));
                    }
                }

                result[j] = taps.ToArray();
            }
        }
        else
        {
            double step = (double)inSize / outSize;
            for (int j = 0; j < outSize; j++)
            {
                double x = ((j + 0.5) * step) - 0.5;
                int x0 = (int)Math.Floor(x);
                double t = x - x0;
                var taps = new Dictionary<int, double>();
                for (int k = -1; k <= 2; k++)
                {
                    int i = Math.Clamp(x0 + k, 0, inSize - 1);
                    taps[i] = taps.GetValueOrDefault(i) + Cubic(k - t);
                }

                result[j] = taps.Select(p => (p.Key, p.Value)).ToArray();
            }
        }

        return result;
    }

    private static double Cubic(double x)
    {
        x = Math.Abs(x);
        if (x <= 1)
        {
            return ((CubicA + 2) * x * x * x) - ((CubicA + 3) * x * x) + 1;
        }

        if (x < 2)
        {
            return (CubicA * x * x * x) - (5 * CubicA * x * x) + (8 * CubicA * x) - (4 * CubicA);
        }

        return 0;
    }
}
