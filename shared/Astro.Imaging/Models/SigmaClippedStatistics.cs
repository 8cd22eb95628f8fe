namespace Astro.Imaging.Models;

/// <summary>
/// Statistics of the values left after sigma clipping, as astropy's <c>sigma_clipped_stats</c> returns them.
/// </summary>
/// <param name="Mean">Mean of the kept values.</param>
/// <param name="Median">Median of the kept values.</param>
/// <param name="StandardDeviation">Population standard deviation (ddof = 0) of the kept values.</param>
/// <param name="Count">Number of kept values.</param>
/// <param name="Iterations">Clipping iterations done (stops early when nothing changes).</param>
public readonly record struct SigmaClippedStatistics(double Mean, double Median, double StandardDeviation, int Count, int Iterations);
