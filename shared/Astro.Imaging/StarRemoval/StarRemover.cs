using System.Numerics;
using Astro.Imaging.Detection;
using Astro.Imaging.Models;
using Astro.Imaging.Statistics;

namespace Astro.Imaging.StarRemoval;

/// <summary>
/// Removes foreground stars from a galaxy cutout: finds point sources with <see cref="StarFinder"/>
/// (plus an optional catalogue of known stars), keeps those on the central galaxy, and replaces each
/// remaining one, over a disk, by a noise-free quadratic surface fitted (with 3σ clipping) to an annulus
/// around it — the local sky plus whatever galaxy light lies under the star.
/// </summary>
public static class StarRemover
{
    private const int MinQuadraticPixels = 12;

    /// <summary>Finds and removes the stars of one image.</summary>
    /// <param name="image">The image in its own units (sky not subtracted); NaN pixels are ignored and kept.</param>
    /// <param name="options">Options, or null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per source.</param>
    /// <returns>The star-removed image and what was removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ImagingException">The image has no finite pixel, or no noise (constant).</exception>
    public static StarRemovalResult Remove(CutoutImage image, StarRemovalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        options ??= new StarRemovalOptions();
        options.Validate();
        SigmaClippedStatistics background = SigmaClip.Compute(image.Pixels, options.Background);
        if (background.Count == 0)
        {
            throw new ImagingException("the image has no finite pixel (all NaN)");
        }

        double noise = background.StandardDeviation;
        int w = image.Width;
        int h = image.Height;
        double[] sub = ScratchArrays.Subtracted(image.Pixels.Length); // internal to this call: reused per thread
        for (int i = 0; i < sub.Length; i++)
        {
            double v = image.Pixels[i];
            sub[i] = double.IsNaN(v) ? 0.0 : v - background.Median;
        }

        var subtracted = new CutoutImage(w, h, sub);
        double fwhm = options.Finder.Fwhm
            ?? (noise > 0 ? StarFinder.EstimateFwhm(subtracted, noise) : null)
            ?? ImagingDefaults.FallbackFwhm;
        fwhm = Math.Clamp(fwhm, ImagingDefaults.MinFwhm, ImagingDefaults.MaxFwhm);

        var candidates = new List<DetectedSource>();
        if (options.DetectStars && noise > 0)
        {
            candidates.AddRange(StarFinder.Find(subtracted, options.Finder.ThresholdSigma * noise, fwhm, options.Finder));
        }

        if (options.KnownStars is { } known)
        {
            AddCatalogStars(candidates, known, subtracted, options.CatalogMatchRadius, noise);
        }

        PixelPosition? galaxy = options.ProtectCentralGalaxy ? FindCentralGalaxy(subtracted, fwhm, noise, options.CentralSearchFraction) : null;
        double protectRadius = options.ProtectRadiusFwhm * fwhm;
        int protectedCount = 0;
        var kept = new List<DetectedSource>();
        foreach (DetectedSource s in candidates)
        {
            if (galaxy is { } g && Hypot(s.X - g.X, s.Y - g.Y) < protectRadius)
            {
                protectedCount++;
            }
            else
            {
                kept.Add(s);
            }
        }

        kept.Sort((a, b) => b.Peak.CompareTo(a.Peak));

        // First pass: amplitude above the local model with the smallest radius, to size each disk.
        double r0 = options.RadiusFwhm * fwhm;
        double sigmaPsf = fwhm / (2.0 * Math.Sqrt(2.0 * Math.Log(2.0)));
        double annulus = Math.Max(ImagingDefaults.MinAnnulusWidth, options.AnnulusWidthFwhm * fwhm);
        var disks = kept.Select(s => (s.X, s.Y, R: r0)).ToList();
        var radii = new double[kept.Count];
        var include = new bool[kept.Count];
        int lowContrast = 0;
        for (int k = 0; k < kept.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DetectedSource s = kept[k];
            double[] model = FitSurface(sub, w, h, s.X, s.Y, r0, annulus, disks, k);
            double level = model[0];
            double amplitude = PeakValue(sub, w, h, s) - level;
            if (!s.FromCatalog && level > 3 * noise && amplitude < options.MinContrast * level)
            {
                lowContrast++;
                continue;
            }

            double r = r0;
            if (noise > 0 && amplitude > options.WingLevelSigma * noise)
            {
                r = Math.Max(r, sigmaPsf * Math.Sqrt(2.0 * Math.Log(amplitude / (options.WingLevelSigma * noise))));
            }

            radii[k] = Math.Min(r, options.MaxRadiusFwhm * fwhm);
            include[k] = true;
        }

        var finalDisks = new List<(double X, double Y, double R)>();
        var sources = new List<RemovedSource>();
        for (int k = 0; k < kept.Count; k++)
        {
            if (include[k])
            {
                finalDisks.Add((kept[k].X, kept[k].Y, radii[k]));
                sources.Add(new RemovedSource(kept[k].X, kept[k].Y, radii[k], 0, kept[k].FromCatalog));
            }
        }

        (CutoutImage cleaned, IReadOnlyList<RemovedSource> removed) = Replace(image, sources, annulus, cancellationToken);
        return new StarRemovalResult(cleaned, removed, candidates, background, fwhm, galaxy, protectedCount, lowContrast);
    }

    /// <summary>
    /// Replaces given disks by the quadratic surface fitted to an annulus around each (for applying the
    /// sources found in one band to the other bands of a cutout).
    /// </summary>
    /// <param name="image">The image in its own units; NaN pixels are ignored and kept.</param>
    /// <param name="sources">Disk centres and radii (<see cref="RemovedSource.Flux"/> is ignored).</param>
    /// <param name="annulusWidth">Annulus width in pixels.</param>
    /// <param name="cancellationToken">Checked once per source.</param>
    /// <returns>The new image and the sources with the flux removed from this image.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static (CutoutImage Image, IReadOnlyList<RemovedSource> Removed) Replace(CutoutImage image, IReadOnlyList<RemovedSource> sources, double annulusWidth, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(sources);
        int w = image.Width;
        int h = image.Height;
        double[] src = image.Pixels;
        double[] result = (double[])src.Clone();
        var disks = sources.Select(s => (s.X, s.Y, R: s.Radius)).ToList();
        var removed = new List<RemovedSource>(sources.Count);
        for (int k = 0; k < sources.Count; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RemovedSource s = sources[k];
            double[] model = FitSurface(src, w, h, s.X, s.Y, s.Radius, annulusWidth, disks, k);
            double flux = 0;
            int x0 = Math.Max(0, (int)Math.Floor(s.X - s.Radius));
            int x1 = Math.Min(w - 1, (int)Math.Ceiling(s.X + s.Radius));
            int y0 = Math.Max(0, (int)Math.Floor(s.Y - s.Radius));
            int y1 = Math.Min(h - 1, (int)Math.Ceiling(s.Y + s.Radius));
            double scale = 1.0 / Math.Max(1.0, s.Radius);
            for (int y = y0; y <= y1; y++)
            {
                for (int x = x0; x <= x1; x++)
                {
                    double dx = x - s.X;
                    double dy = y - s.Y;
                    if ((dx * dx) + (dy * dy) > s.Radius * s.Radius)
                    {
                        continue;
                    }

                    int i = (y * w) + x;
                    if (double.IsNaN(src[i]))
                    {
                        continue;
                    }

                    double value = Math.Clamp(Evaluate(model, dx * scale, dy * scale), Math.Min(model[6], model[7]), Math.Max(model[6], model[7]));
                    flux += result[i] - value;
                    result[i] = value;
                }
            }

            removed.Add(s with { Flux = flux });
        }

        return (new CutoutImage(w, h, result), removed);
    }

    /// <summary>
    /// The centre of the central galaxy: the maximum, within the central search region, of the image
    /// smoothed by a Gaussian of σ = max(2, FWHM) pixels (which favours extended light over point sources);
    /// null when that maximum is not 5σ above the sky.
    /// </summary>
    internal static PixelPosition? FindCentralGalaxy(CutoutImage sub, double fwhm, double noise, double fraction)
    {
        int w = sub.Width;
        int h = sub.Height;
        double s = Math.Max(2.0, fwhm);
        int kr = (int)Math.Ceiling(3 * s);
        double[] k = new double[(2 * kr) + 1];
        double ksum = 0;
        for (int i = -kr; i <= kr; i++)
        {
            k[i + kr] = Math.Exp(-0.5 * i * i / (s * s));
            ksum += k[i + kr];
        }

        for (int i = 0; i < k.Length; i++)
        {
            k[i] /= ksum;
        }

        double cx = (w - 1) / 2.0;
        double cy = (h - 1) / 2.0;
        double search = Math.Max(3.0, fraction * Math.Min(w, h));
        int sx0 = Math.Max(0, (int)Math.Floor(cx - search));
        int sx1 = Math.Min(w - 1, (int)Math.Ceiling(cx + search));
        int sy0 = Math.Max(0, (int)Math.Floor(cy - search));
        int sy1 = Math.Min(h - 1, (int)Math.Ceiling(cy + search));

        // Separable smoothing over the search box only (rows extended by the kernel radius). Where the
        // whole kernel fits, the weight sum is the full one and the taps run as the outer loop over a
        // vectorised run of pixels: the same sums in the same order as the bounds-checked loop, much faster.
        double fullWeight = 0;
        for (int i = -kr; i <= kr; i++)
        {
            fullWeight += k[i + kr];
        }

        int ry0 = Math.Max(0, sy0 - kr);
        int ry1 = Math.Min(h - 1, sy1 + kr);
        int bw = sx1 - sx0 + 1;
        double[] rows = new double[(ry1 - ry0 + 1) * bw];
        int fx0 = Math.Max(sx0, kr); // columns whose horizontal kernel fits in the image
        int fx1 = Math.Min(sx1, w - 1 - kr);
        for (int y = ry0; y <= ry1; y++)
        {
            Span<double> row = rows.AsSpan((y - ry0) * bw, bw);
            if (fx1 >= fx0)
            {
                Span<double> inner = row.Slice(fx0 - sx0, fx1 - fx0 + 1);
                inner.Clear();
                for (int i = -kr; i <= kr; i++)
                {
                    AddScaled(inner, sub.Pixels.AsSpan((y * w) + fx0 + i, inner.Length), k[i + kr]);
                }

                Divide(inner, fullWeight);
            }

            for (int x = sx0; x <= sx1; x++)
            {
                if (x >= fx0 && x <= fx1)
                {
                    continue;
                }

                double sum = 0;
                double wsum = 0;
                for (int i = -kr; i <= kr; i++)
                {
                    int xx = x + i;
                    if (xx >= 0 && xx < w)
                    {
                        sum += k[i + kr] * sub.Pixels[(y * w) + xx];
                        wsum += k[i + kr];
                    }
                }

                row[x - sx0] = sum / wsum;
            }
        }

        int bh = sy1 - sy0 + 1;
        double[] smooth = new double[bw * bh];
        for (int y = sy0; y <= sy1; y++)
        {
            Span<double> row = smooth.AsSpan((y - sy0) * bw, bw);
            if (y - kr >= ry0 && y + kr <= ry1)
            {
                row.Clear();
                for (int i = -kr; i <= kr; i++)
                {
                    AddScaled(row, rows.AsSpan((y + i - ry0) * bw, bw), k[i + kr]);
                }

                Divide(row, fullWeight);
            }
            else
            {
                for (int x = sx0; x <= sx1; x++)
                {
                    double sum = 0;
                    double wsum = 0;
                    for (int i = -kr; i <= kr; i++)
                    {
                        int yy = y + i;
                        if (yy >= ry0 && yy <= ry1)
                        {
                            sum += k[i + kr] * rows[((yy - ry0) * bw) + (x - sx0)];
                            wsum += k[i + kr];
                        }
                    }

                    row[x - sx0] = sum / wsum;
                }
            }

            // Only the disk of the search radius counts.
            for (int x = sx0; x <= sx1; x++)
            {
                double dxc = x - cx;
                double dyc = y - cy;
                if ((dxc * dxc) + (dyc * dyc) > search * search)
                {
                    row[x - sx0] = double.NegativeInfinity;
                }
            }
        }

        // Significant local maxima of the smoothed image; the galaxy is the one nearest the centre among
        // those at least a tenth of the brightest (a bright star off-centre must not win).
        double smoothedNoise = noise / (2 * Math.Sqrt(Math.PI) * s); // noise of Gaussian-smoothed white noise
        var peaks = new List<(int X, int Y, double V)>();
        double brightest = double.NegativeInfinity;
        for (int y = 0; y < bh; y++)
        {
            for (int x = 0; x < bw; x++)
            {
                double v = smooth[(y * bw) + x];
                if (!(v > 5 * smoothedNoise))
                {
                    continue;
                }

                bool isMax = true;
                for (int dy = -1; dy <= 1 && isMax; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx;
                        int yy = y + dy;
                        if ((dx != 0 || dy != 0) && xx >= 0 && yy >= 0 && xx < bw && yy < bh && smooth[(yy * bw) + xx] > v)
                        {
                            isMax = false;
                            break;
                        }
                    }
                }

                if (isMax)
                {
                    peaks.Add((x + sx0, y + sy0, v));
                    brightest = Math.Max(brightest, v);
                }
            }
        }

        if (peaks.Count == 0)
        {
            return null;
        }

        var galaxy = peaks.Where(p => p.V >= 0.1 * brightest)
            .OrderBy(p => ((p.X - cx) * (p.X - cx)) + ((p.Y - cy) * (p.Y - cy)))
            .First();
        return new PixelPosition(galaxy.X, galaxy.Y);
    }

    private static void AddCatalogStars(List<DetectedSource> candidates, IReadOnlyList<PixelPosition> known, CutoutImage sub, double matchRadius, double noise)
    {
        int w = sub.Width;
        int h = sub.Height;
        foreach (PixelPosition p in known)
        {
            if (!(p.X >= -0.5 && p.Y >= -0.5 && p.X < w - 0.5 && p.Y < h - 0.5))
            {
                continue; // off the image
            }

            int match = candidates.FindIndex(c => Hypot(c.X - p.X, c.Y - p.Y) <= Math.Max(matchRadius, 1.0));
            if (match >= 0)
            {
                candidates[match] = candidates[match] with { FromCatalog = true };
                continue;
            }

            // The brightest pixel within the match radius.
            int r = (int)Math.Ceiling(matchRadius);
            int px = (int)Math.Round(p.X);
            int py = (int)Math.Round(p.Y);
            double best = double.NegativeInfinity;
            int bx = px;
            int by = py;
            for (int y = Math.Max(0, py - r); y <= Math.Min(h - 1, py + r); y++)
            {
                for (int x = Math.Max(0, px - r); x <= Math.Min(w - 1, px + r); x++)
                {
                    if (Hypot(x - p.X, y - p.Y) <= matchRadius + 0.5 && sub[x, y] > best)
                    {
                        best = sub[x, y];
                        bx = x;
                        by = y;
                    }
                }
            }

            if (best > 2 * noise)
            {
                candidates.Add(new DetectedSource(bx, by, bx, by, double.NaN, double.NaN, double.NaN, best, double.NaN, FromCatalog: true));
            }
        }
    }

    /// <summary>target += weight × source, vectorised (a multiply then an add per element, as the scalar loop).</summary>
    private static void AddScaled(Span<double> target, ReadOnlySpan<double> source, double weight)
    {
        var vw = new Vector<double>(weight);
        int i = 0;
        for (; i <= target.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            (new Vector<double>(target[i..]) + (vw * new Vector<double>(source[i..]))).CopyTo(target[i..]);
        }

        for (; i < target.Length; i++)
        {
            target[i] += weight * source[i];
        }
    }

    private static void Divide(Span<double> values, double divisor)
    {
        var vd = new Vector<double>(divisor);
        int i = 0;
        for (; i <= values.Length - Vector<double>.Count; i += Vector<double>.Count)
        {
            (new Vector<double>(values[i..]) / vd).CopyTo(values[i..]);
        }

        for (; i < values.Length; i++)
        {
            values[i] /= divisor;
        }
    }

    private static double PeakValue(double[] data, int w, int h, DetectedSource s)
    {
        int x = Math.Clamp(s.PeakX, 0, w - 1);
        int y = Math.Clamp(s.PeakY, 0, h - 1);
        return data[(y * w) + x];
    }

    /// <summary>
    /// Least-squares quadratic surface c0 + c1 u + c2 v + c3 u² + c4 uv + c5 v² (u, v = offsets / r) over
    /// the annulus r+1 … r+1+width around (x, y), leaving out NaN pixels and the disks of other sources;
    /// two rounds of 3σ clipping of the residuals. Falls back to a plane, then to the median, when few
    /// pixels are left.
    /// </summary>
    private static double[] FitSurface(double[] data, int w, int h, double x, double y, double r, double width,
        List<(double X, double Y, double R)> disks, int self)
    {
        double inner = r + 1;
        double outer = r + 1 + width;
        double scale = 1.0 / Math.Max(1.0, r);
        var us = new List<double>();
        var vs = new List<double>();
        var zs = new List<double>();
        int x0 = Math.Max(0, (int)Math.Floor(x - outer));
        int x1 = Math.Min(w - 1, (int)Math.Ceiling(x + outer));
        int y0 = Math.Max(0, (int)Math.Floor(y - outer));
        int y1 = Math.Min(h - 1, (int)Math.Ceiling(y + outer));
        var nearby = new List<(double X, double Y, double R)>();
        for (int k = 0; k < disks.Count; k++)
        {
            var d = disks[k];
            if (k != self && Hypot(d.X - x, d.Y - y) < outer + d.R)
            {
                nearby.Add(d);
            }
        }

        for (int yy = y0; yy <= y1; yy++)
        {
            for (int xx = x0; xx <= x1; xx++)
            {
                double dx = xx - x;
                double dy = yy - y;
                double d2 = (dx * dx) + (dy * dy);
                if (d2 < inner * inner || d2 > outer * outer)
                {
                    continue;
                }

                double z = data[(yy * w) + xx];
                if (double.IsNaN(z))
                {
                    continue;
                }

                bool covered = false;
                foreach (var o in nearby)
                {
                    double ox = xx - o.X;
                    double oy = yy - o.Y;
                    if ((ox * ox) + (oy * oy) <= (o.R + 1) * (o.R + 1))
                    {
                        covered = true;
                        break;
                    }
                }

                if (!covered)
                {
                    us.Add(dx * scale);
                    vs.Add(dy * scale);
                    zs.Add(z);
                }
            }
        }

        int n = zs.Count;
        if (n == 0)
        {
            return [0, 0, 0, 0, 0, 0, double.NegativeInfinity, double.PositiveInfinity];
        }

        // A quadratic extrapolates wildly from a partial ring (at the border, or next to other sources):
        // it needs at least half of the ring; a plane needs a quarter; else the clipped median.
        double ringArea = Math.PI * ((outer * outer) - (inner * inner));
        double coverage = n / ringArea;
        int terms = n >= MinQuadraticPixels && coverage >= 0.5 ? 6 : n >= 3 && coverage >= 0.25 ? 3 : 1;
        bool[] use = Enumerable.Repeat(true, n).ToArray();
        double[] coefficients = new double[6];
        for (int round = 0; round < 3; round++)
        {
            double[]? c = terms == 1 ? null : Solve(us, vs, zs, use, terms);
            if (c is null)
            {
                double[] kept = zs.Where((_, i) => use[i]).ToArray();
                coefficients = new double[6];
                coefficients[0] = kept.Length > 0 ? SigmaClip.Median(kept) : 0;
            }
            else
            {
                coefficients = new double[6];
                Array.Copy(c, coefficients, c.Length);
            }

            if (round == 2)
            {
                break;
            }

            double ss = 0;
            int m = 0;
            for (int i = 0; i < n; i++)
            {
                if (use[i])
                {
                    double e = zs[i] - Evaluate(coefficients, us[i], vs[i]);
                    ss += e * e;
                    m++;
                }
            }

            double rms = Math.Sqrt(ss / Math.Max(1, m));
            int rejected = 0;
            int remaining = 0;
            for (int i = 0; i < n; i++)
            {
                if (use[i] && Math.Abs(zs[i] - Evaluate(coefficients, us[i], vs[i])) > 3 * rms)
                {
                    use[i] = false;
                    rejected++;
                }

                remaining += use[i] ? 1 : 0;
            }

            if (rejected == 0)
            {
                break;
            }

            if (remaining < terms * 2)
            {
                terms = remaining >= 3 ? 3 : 1;
            }

            if (remaining == 0)
            {
                Array.Fill(use, true);
                terms = 1;
            }
        }

        // The fill is kept within the range of the ring's kept values.
        double low = double.PositiveInfinity;
        double high = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            if (use[i])
            {
                low = Math.Min(low, zs[i]);
                high = Math.Max(high, zs[i]);
            }
        }

        return [.. coefficients, low, high];
    }

    private static double Evaluate(double[] c, double u, double v) =>
        c[0] + (c[1] * u) + (c[2] * v) + (c[3] * u * u) + (c[4] * u * v) + (c[5] * v * v);

    private static double[]? Solve(List<double> us, List<double> vs, List<double> zs, bool[] use, int terms)
    {
        double[,] a = new double[terms, terms + 1];
        Span<double> basis = stackalloc double[6];
        for (int i = 0; i < zs.Count; i++)
        {
            if (!use[i])
            {
                continue;
            }

            double u = us[i];
            double v = vs[i];
            basis[0] = 1;
            basis[1] = u;
            basis[2] = v;
            basis[3] = u * u;
            basis[4] = u * v;
            basis[5] = v * v;
            for (int p = 0; p < terms; p++)
            {
                for (int q = 0; q < terms; q++)
                {
                    a[p, q] += basis[p] * basis[q];
                }

                a[p, terms] += basis[p] * zs[i];
            }
        }

        // Gaussian elimination with partial pivoting.
        for (int col = 0; col < terms; col++)
        {
            int pivot = col;
            for (int row = col + 1; row < terms; row++)
            {
                if (Math.Abs(a[row, col]) > Math.Abs(a[pivot, col]))
                {
                    pivot = row;
                }
            }

            if (Math.Abs(a[pivot, col]) < 1e-12)
            {
                return null;
            }

            if (pivot != col)
            {
                for (int j = 0; j <= terms; j++)
                {
                    (a[col, j], a[pivot, j]) = (a[pivot, j], a[col, j]);
                }
            }

            for (int row = 0; row < terms; row++)
            {
                if (row == col)
                {
                    continue;
                }

                double f = a[row, col] / a[col, col];
                for (int j = col; j <= terms; j++)
                {
                    a[row, j] -= f * a[col, j];
                }
            }
        }

        double[] result = new double[terms];
        for (int i = 0; i < terms; i++)
        {
            result[i] = a[i, terms] / a[i, i];
        }

        return result;
    }

    private static double Hypot(double dx, double dy) => Math.Sqrt((dx * dx) + (dy * dy));
}
