namespace Astro.Imaging.Detection;

/// <summary>
/// DAOFIND's density-enhancement kernel: a circular Gaussian truncated at <c>sigmaRadius</c> σ (and
/// never smaller than radius 2), shifted to zero sum and scaled so that convolving a Gaussian star of
/// peak height h gives h — photutils' <c>_StarFinderKernel</c> with ratio 1.
/// </summary>
internal sealed class StarFinderKernel
{
    public StarFinderKernel(double fwhm, double sigmaRadius)
    {
        Fwhm = fwhm;
        Sigma = fwhm / (2.0 * Math.Sqrt(2.0 * Math.Log(2.0)));
        double a = 1.0 / (2.0 * Sigma * Sigma);
        double f = sigmaRadius * sigmaRadius / 2.0;
        double denom = a * a;
        Size = (2 * (int)Math.Max(2, Math.Sqrt(a * f / denom))) + 1;
        Radius = Size / 2;
        Mask = new bool[Size * Size];
        Unmasked = new double[Size * Size];
        Data = new double[Size * Size];
        double sum = 0;
        double sumSq = 0;
        for (int y = 0; y < Size; y++)
        {
            for (int x = 0; x < Size; x++)
            {
                int i = (y * Size) + x;
                double dx = x - Radius;
                double dy = y - Radius;
                double elliptical = a * ((dx * dx) + (dy * dy));
                bool inside = elliptical <= f || Math.Sqrt((dx * dx) + (dy * dy)) <= 2.0;
                Unmasked[i] = Math.Exp(-elliptical);
                if (inside)
                {
                    Mask[i] = true;
                    PixelCount++;
                    sum += Unmasked[i];
                    sumSq += Unmasked[i] * Unmasked[i];
                }
            }
        }

        double norm = sumSq - (sum * sum / PixelCount);
        RelativeError = 1.0 / Math.Sqrt(norm);
        var taps = new List<(int Dx, int Dy, double W)>();
        for (int i = 0; i < Data.Length; i++)
        {
            if (Mask[i])
            {
                Data[i] = (Unmasked[i] - (sum / PixelCount)) / norm;
                taps.Add(((i % Size) - Radius, (i / Size) - Radius, Data[i]));
            }
        }

        Taps = taps.ToArray();
    }

    public double Fwhm { get; }

    public double Sigma { get; }

    /// <summary>Side of the square kernel (odd).</summary>
    public int Size { get; }

    /// <summary>(Size − 1) / 2.</summary>
    public int Radius { get; }

    public bool[] Mask { get; }

    public int PixelCount { get; }

    public double[] Unmasked { get; }

    public double[] Data { get; }

    public double RelativeError { get; }

    /// <summary>The non-zero kernel entries as offsets from the centre.</summary>
    public (int Dx, int Dy, double W)[] Taps { get; }
}
