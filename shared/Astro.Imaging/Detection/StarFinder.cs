using System.Numerics;
using Astro.Imaging.Models;

namespace Astro.Imaging.Detection;

/// <summary>
/// Finds point sources the way DAOFIND does, following photutils 1.6 <c>DAOStarFinder</c> step by step:
/// convolve with the zero-sum Gaussian kernel (zeros beyond the border), keep local maxima of the
/// convolved image within the kernel footprint above threshold × kernel relative error, then measure
/// sharpness, the two roundness values and the centroid (marginal Gaussian fits), and keep sources with
/// sharpness and roundness inside the bounds.
/// </summary>
public static class StarFinder
{
    /// <summary>Finds point sources in a background-subtracted image.</summary>
    /// <param name="image">Background-subtracted pixels; NaN is treated as 0.</param>
    /// <param name="threshold">Absolute detection threshold in image units (DAOStarFinder's <c>threshold</c>).</param>
    /// <param name="fwhm">PSF FWHM in pixels.</param>
    /// <param name="options">Bounds and kernel options, or null for the defaults; <see cref="StarFinderOptions.Fwhm"/> and <see cref="StarFinderOptions.ThresholdSigma"/> are not used here.</param>
    /// <returns>The accepted sources, in row-major order of their peaks (as photutils).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The threshold is negative or the FWHM not positive.</exception>
    public static IReadOnlyList<DetectedSource> Find(CutoutImage image, double threshold, double fwhm, StarFinderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegative(threshold);
        if (!(fwhm > 0) || !double.IsFinite(fwhm))
        {
            throw new ArgumentOutOfRangeException(nameof(fwhm), fwhm, "The FWHM must be positive and finite.");
        }

        options ??= new StarFinderOptions();
        options.Validate();
        var kernel = new StarFinderKernel(fwhm, options.SigmaRadius);
        double[] data = image.Pixels;
        bool hasNaN = !Statistics.SigmaClip.AllFinite(data) && Array.Exists(data, double.IsNaN);
        if (hasNaN)
        {
            data = Array.ConvertAll(data, v => double.IsNaN(v) ? 0.0 : v);
        }

        double[] convolved = Convolve(data, image.Width, image.Height, kernel, ScratchArrays.Convolved(data.Length));
        double thresholdEff = threshold * kernel.RelativeError;
        var result = new List<DetectedSource>();
        foreach ((int px, int py) in FindPeaks(convolved, image.Width, image.Height, kernel, thresholdEff, options.ExcludeBorder))
        {
            DetectedSource? source = Measure(data, convolved, image.Width, image.Height, px, py, kernel, thresholdEff);
            if (source is not null
                && source.Sharpness > options.SharpLow && source.Sharpness < options.SharpHigh
                && source.Roundness1 > options.RoundLow && source.Roundness1 < options.RoundHigh
                && source.Roundness2 > options.RoundLow && source.Roundness2 < options.RoundHigh)
            {
                result.Add(source);
            }
        }

        return result;
    }

    /// <summary>
    /// Estimates the PSF FWHM from the image: for local maxima above 10 σ (5 × 5 maxima), the area A
    /// (at least 3 pixels) of the connected region above half the peak gives FWHM = 2√(A/π); stars are the
    /// narrowest sources, so the median of the widths within 1.5 × the narrowest is returned.
    /// </summary>
    /// <param name="image">Background-subtracted pixels.</param>
    /// <param name="noise">Background standard deviation.</param>
    /// <returns>The FWHM in pixels, or null when no usable peak was found.</returns>
    public static double? EstimateFwhm(CutoutImage image, double noise)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width;
        int h = image.Height;
        double[] d = image.Pixels;
        var widths = new List<double>();
        const int Edge = 4;
        var stack = new Stack<int>();
        var seen = new HashSet<int>();
        for (int y = Edge; y < h - Edge; y++)
        {
            for (int x = Edge; x < w - Edge; x++)
            {
                double v = d[(y * w) + x];
                if (!(v > 10 * noise))
                {
                    continue;
                }

                bool isMax = true;
                for (int dy = -2; dy <= 2 && isMax; dy++)
                {
                    for (int dx = -2; dx <= 2; dx++)
                    {
                        if ((dx != 0 || dy != 0) && !(d[((y + dy) * w) + x + dx] < v))
                        {
                            isMax = false;
                            break;
                        }
                    }
                }

                if (!isMax)
                {
                    continue;
                }

                // Flood fill above half maximum, limited to a radius of 15 pixels.
                double half = v / 2;
                int area = 0;
                bool touched = false;
                stack.Clear();
                seen.Clear();
                stack.Push((y * w) + x);
                seen.Add((y * w) + x);
                while (stack.Count > 0 && !touched)
                {
                    int i = stack.Pop();
                    area++;
                    int cx = i % w;
                    int cy = i / w;
                    if ((cx - x) * (cx - x) + ((cy - y) * (cy - y)) > 225)
                    {
                        touched = true;
                        break;
                    }

                    foreach ((int nx, int ny) in new[] { (cx + 1, cy), (cx - 1, cy), (cx, cy + 1), (cx, cy - 1) })
                    {
                        if (nx < 0 || ny < 0 || nx >= w || ny >= h)
                        {
                            touched = true;
                            continue;
                        }

                        int j = (ny * w) + nx;
                        if (d[j] >= half && seen.Add(j))
                        {
                            stack.Push(j);
                        }
                    }
                }

                if (!touched && area >= 3)
                {
                    widths.Add(2 * Math.Sqrt(area / Math.PI));
                }
            }
        }

        if (widths.Count == 0)
        {
            return null;
        }

        // Stars are the narrowest sources: the median of the widths within 1.5 × the narrowest.
        widths.Sort();
        var narrow = widths.Where(x => x <= 1.5 * widths[0]).ToList();
        return narrow[(narrow.Count - 1) / 2];
    }

    /// <summary>Convolution with zeros beyond the border (scipy.ndimage.convolve, mode 'constant').</summary>
    /// <param name="data">The image.</param>
    /// <param name="w">Width.</param>
    /// <param name="h">Height.</param>
    /// <param name="kernel">The kernel.</param>
    /// <param name="destination">Where to write (every element is written), or null for a new array.</param>
    internal static double[] Convolve(double[] data, int w, int h, StarFinderKernel kernel, double[]? destination = null)
    {
        double[] result = destination ?? new double[data.Length];
        int r = kernel.Radius;
        var taps = kernel.Taps;
        for (int y = 0; y < h; y++)
        {
            bool innerRow = y >= r && y < h - r;
            if (innerRow && w > 2 * r)
            {
                ConvolveInnerRow(data, result, w, y, r, taps);
            }

            for (int x = 0; x < w; x++)
            {
                if (innerRow && x >= r && x < w - r)
                {
                    continue; // done by ConvolveInnerRow
                }

                double sum = 0;
                foreach (var (dx, dy, weight) in taps)
                {
                    int xx = x + dx;
                    int yy = y + dy;
                    if (xx >= 0 && yy >= 0 && xx < w && yy < h)
                    {
                        sum += weight * data[(yy * w) + xx];
                    }
                }

                result[(y * w) + x] = sum;
            }
        }

        return result;
    }

    /// <summary>
    /// Pixels r … w − r − 1 of an inner row, whose kernel footprint is wholly inside the image. The taps
    /// are the outer loop and the pixels the inner, vectorised one, so each pixel still sums
    /// weight × value in tap order starting from 0: exactly the scalar result, 4 pixels at a time.
    /// </summary>
    private static void ConvolveInnerRow(double[] data, double[] result, int w, int y, int r, (int Dx, int Dy, double W)[] taps)
    {
        Span<double> output = result.AsSpan((y * w) + r, w - (2 * r));
        output.Clear();
        int width = output.Length;
        foreach (var (dx, dy, weight) in taps)
        {
            ReadOnlySpan<double> input = data.AsSpan(((y + dy) * w) + r + dx, width);
            var vw = new Vector<double>(weight);
            int x = 0;
            for (; x <= width - Vector<double>.Count; x += Vector<double>.Count)
            {
                (new Vector<double>(output[x..]) + (vw * new Vector<double>(input[x..]))).CopyTo(output[x..]);
            }

            for (; x < width; x++)
            {
                output[x] += weight * input[x];
            }
        }
    }

    private static IEnumerable<(int X, int Y)> FindPeaks(double[] conv, int w, int h, StarFinderKernel kernel, double threshold, bool excludeBorder)
    {
        int r = kernel.Radius;
        var taps = kernel.Taps;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                double v = conv[(y * w) + x];
                if (!(v > threshold))
                {
                    continue;
                }

                if (excludeBorder && (x <= r || y <= r || x >= w - r - 1 || y >= h - r - 1))
                {
                    continue;
                }

                // Most pixels above the threshold lie on the slopes of the galaxy: the 8 neighbours (always part
                // of the footprint, whose radius is at least 2) reject them before the full footprint is walked.
                if (x > 0 && y > 0 && x < w - 1 && y < h - 1 && HasHigherNeighbour(conv, (y * w) + x, w, v))
                {
                    continue;
                }

                bool isMax = true;
                foreach (var (dx, dy, _) in taps)
                {
                    int xx = x + dx;
                    int yy = y + dy;
                    double n = xx >= 0 && yy >= 0 && xx < w && yy < h ? conv[(yy * w) + xx] : 0.0;
                    if (n > v)
                    {
                        isMax = false;
                        break;
                    }
                }

                if (isMax)
                {
                    yield return (x, y);
                }
            }
        }
    }

    private static bool HasHigherNeighbour(double[] conv, int i, int w, double v) =>
        conv[i - w - 1] > v || conv[i - w] > v || conv[i - w + 1] > v || conv[i - 1] > v
        || conv[i + 1] > v || conv[i + w - 1] > v || conv[i + w] > v || conv[i + w + 1] > v;

    private static DetectedSource? Measure(double[] data, double[] conv, int w, int h, int px, int py, StarFinderKernel kernel, double thresholdEff)
    {
        int n = kernel.Size;
        int c = kernel.Radius;
        double[] cut = new double[n * n];
        double[] cutConv = new double[n * n];
        for (int j = 0; j < n; j++)
        {
            int yy = py + j - c;
            for (int i = 0; i < n; i++)
            {
                int xx = px + i - c;
                if (xx >= 0 && yy >= 0 && xx < w && yy < h)
                {
                    cut[(j * n) + i] = data[(yy * w) + xx];
                    cutConv[(j * n) + i] = conv[(yy * w) + xx];
                }
            }
        }

        double dataPeak = cut[(c * n) + c];
        double convPeak = cutConv[(c * n) + c];

        // Sharpness.
        double maskedSum = 0;
        for (int i = 0; i < cut.Length; i++)
        {
            if (kernel.Mask[i])
            {
                maskedSum += cut[i];
            }
        }

        double dataMean = (maskedSum - dataPeak) / (kernel.PixelCount - 1);
        double sharpness = (dataPeak - dataMean) / convPeak;

        // Roundness1: quadrant sums of the convolved cutout with its centre zeroed.
        cutConv[(c * n) + c] = 0;
        double sum2 = 0;
        double sum4 = 0;
        for (int j = 0; j < n; j++)
        {
            for (int i = 0; i < n; i++)
            {
                double v = cutConv[(j * n) + i];
                sum4 += Math.Abs(v);
                if (j <= c && i > c)
                {
                    sum2 -= v; // quad1
                }

                if (j < c && i <= c)
                {
                    sum2 += v; // quad2
                }

                if (j >= c && i < c)
                {
                    sum2 -= v; // quad3
                }

                if (j > c && i >= c)
                {
                    sum2 += v; // quad4
                }
            }
        }

        double roundness1 = 2.0 * sum2 / sum4;
        (double dx, double hx) = MarginalFit(cut, kernel, axis: 0);
        (double dy, double hy) = MarginalFit(cut, kernel, axis: 1);
        if (double.IsNaN(dx) || double.IsNaN(dy) || double.IsNaN(hx) || double.IsNaN(hy))
        {
            return null;
        }

        double roundness2 = 2.0 * (hx - hy) / (hx + hy);
        return new DetectedSource(px + dx, py + dy, px, py, sharpness, roundness1, roundness2, dataPeak, convPeak / thresholdEff);
    }

    /// <summary>photutils' <c>daofind_marginal_fit</c>, transcribed (including its sign conventions).</summary>
    private static (double D, double H) MarginalFit(double[] cut, StarFinderKernel kernel, int axis)
    {
        int n = kernel.Size;
        int c = kernel.Radius;
        double[] wt = new double[n];
        for (int i = 0; i < n; i++)
        {
            wt[i] = c - Math.Abs(i - c) + 1;
        }

        double wtSum = wt.Sum();
        double sigma = kernel.Sigma;
        double kernSum = 0, kern2Sum = 0, dkernDxSum = 0, dkernDx2Sum = 0, kernDkernDxSum = 0;
        double dataSum = 0, dataKernSum = 0, dataDkernDxSum = 0, dataDxSum = 0;
        for (int k = 0; k < n; k++)
        {
            double kern1d = 0;
            double data1d = 0;
            for (int m = 0; m < n; m++)
            {
                // axis 0: sum over rows m at column k, weighted by the row weight; axis 1: over columns.
                int index = axis == 0 ? (m * n) + k : (k * n) + m;
                kern1d += kernel.Unmasked[index] * wt[m];
                data1d += cut[index] * wt[m];
            }

            double dxk = c - k;
            double dxx = axis == 0 ? c - k : k - c;
            double dkern = kern1d * dxk;
            kernSum += kern1d * wt[k];
            kern2Sum += kern1d * kern1d * wt[k];
            dkernDxSum += dkern * wt[k];
            dkernDx2Sum += dkern * dkern * wt[k];
            kernDkernDxSum += kern1d * dkern * wt[k];
            dataSum += data1d * wt[k];
            dataKernSum += data1d * kern1d * wt[k];
            dataDkernDxSum += data1d * dkern * wt[k];
            dataDxSum += data1d * dxx * wt[k];
        }

        double hNumer = dataKernSum - (dataSum * kernSum / wtSum);
        double hDenom = kern2Sum - (kernSum * kernSum / wtSum);
        if (hNumer <= 0 || hDenom <= 0)
        {
            return (double.NaN, double.NaN);
        }

        double hx = hNumer / hDenom;
        double d = (kernDkernDxSum - (dataDkernDxSum - (dkernDxSum * dataSum))) / (hx * dkernDx2Sum / (sigma * sigma));
        double d2 = dataDxSum / dataSum;
        double hsize = n / 2.0;
        if (Math.Abs(d) > hsize)
        {
            d = dataSum == 0 ? 0 : d2;
        }

        if (Math.Abs(d) > hsize)
        {
            d = 0;
        }

        return (d, hx);
    }
}
