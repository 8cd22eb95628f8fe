namespace Astro.Catalogs.Preprocessing;

/// <summary>Unit conversions of band values to microjansky and AB magnitudes.</summary>
public static class Photometry
{
    /// <summary>The AB zero point, 3631 Jy.</summary>
    public const double ABZeroPointJy = 3631.0;

    /// <summary>m_AB of 1 µJy: 23.9 (= 2.5 log10(3631e6)).</summary>
    public static readonly double ABMagnitudeOfOneMicroJansky = 2.5 * Math.Log10(ABZeroPointJy * 1e6);

    private static readonly double s_pogson = 2.5 / Math.Log(10);

    /// <summary>Converts a stored band value to flux density in µJy.</summary>
    /// <param name="value">The stored value.</param>
    /// <param name="band">The band.</param>
    /// <returns>µJy (may be negative for fluxes and asinh magnitudes).</returns>
    public static double ToMicroJansky(double value, BandDefinition band)
    {
        ArgumentNullException.ThrowIfNull(band);
        double zp = (band.ZeroPointJy ?? ABZeroPointJy) * 1e6;
        return band.Unit switch
        {
            PhotometryUnit.Jansky => value * 1e6,
            PhotometryUnit.MilliJansky => value * 1e3,
            PhotometryUnit.MicroJansky => value,
            PhotometryUnit.Nanomaggies => value * 3.631,
            PhotometryUnit.ABMagnitude => zp * Math.Pow(10, -0.4 * value),
            PhotometryUnit.AsinhMagnitude => zp * 2 * band.Softening!.Value * Math.Sinh((-value / s_pogson) - Math.Log(band.Softening.Value)),
            _ => double.NaN,
        };
    }

    /// <summary>Converts a stored 1-sigma error to µJy, given the stored value it belongs to.</summary>
    /// <param name="error">The stored error.</param>
    /// <param name="value">The stored value.</param>
    /// <param name="band">The band.</param>
    /// <returns>The error in µJy (first-order propagation for magnitudes).</returns>
    public static double ErrorToMicroJansky(double error, double value, BandDefinition band)
    {
        ArgumentNullException.ThrowIfNull(band);
        double zp = (band.ZeroPointJy ?? ABZeroPointJy) * 1e6;
        return band.Unit switch
        {
            PhotometryUnit.Jansky => error * 1e6,
            PhotometryUnit.MilliJansky => error * 1e3,
            PhotometryUnit.MicroJansky => error,
            PhotometryUnit.Nanomaggies => error * 3.631,
            PhotometryUnit.ABMagnitude => Math.Abs(ToMicroJansky(value, band)) * error / s_pogson,
            PhotometryUnit.AsinhMagnitude => zp * 2 * band.Softening!.Value * Math.Cosh((-value / s_pogson) - Math.Log(band.Softening.Value)) * error / s_pogson,
            _ => double.NaN,
        };
    }

    /// <summary>Converts µJy to an AB magnitude.</summary>
    /// <param name="microJansky">The flux density (must be positive).</param>
    /// <returns>The AB magnitude, NaN for non-positive flux.</returns>
    public static double MicroJanskyToABMagnitude(double microJansky)
        => microJansky > 0 ? ABMagnitudeOfOneMicroJansky - (2.5 * Math.Log10(microJansky)) : double.NaN;

    /// <summary>Converts an AB magnitude to µJy.</summary>
    /// <param name="abMagnitude">The magnitude.</param>
    /// <returns>µJy.</returns>
    public static double ABMagnitudeToMicroJansky(double abMagnitude) => Math.Pow(10, -0.4 * (abMagnitude - ABMagnitudeOfOneMicroJansky));

    /// <summary>Converts a stored value to the AB magnitude, without a round trip through flux for AB magnitudes.</summary>
    /// <param name="value">The stored value.</param>
    /// <param name="band">The band.</param>
    /// <returns>The AB magnitude, NaN when the flux is not positive.</returns>
    public static double ToABMagnitude(double value, BandDefinition band)
    {
        ArgumentNullException.ThrowIfNull(band);
        if (band.Unit == PhotometryUnit.ABMagnitude)
        {
            return band.ZeroPointJy is double zp ? value - (2.5 * Math.Log10(zp / ABZeroPointJy)) : value;
        }

        return MicroJanskyToABMagnitude(ToMicroJansky(value, band));
    }
}
