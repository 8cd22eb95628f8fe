namespace Astro.Imaging.Features;

/// <summary>
/// A flat ΛCDM cosmology without radiation (astropy's <c>FlatLambdaCDM(H0, Om0)</c> with Tcmb0 = 0):
/// E(z) = √(Ωm (1+z)³ + 1 − Ωm), comoving distance D_C = (c/H0) ∫₀ᶻ dz'/E(z'), angular-diameter
/// distance D_A = D_C / (1 + z).
/// </summary>
public sealed class FlatLambdaCdm
{
    /// <summary>Speed of light in km/s.</summary>
    public const double SpeedOfLight = 299_792.458;

    private const double ArcsecondInRadians = Math.PI / (180.0 * 3600.0);

    /// <summary>Creates the default cosmology: H0 = 70 km/s/Mpc, Ωm = 0.3.</summary>
    public FlatLambdaCdm()
        : this(ImagingDefaults.HubbleConstant, ImagingDefaults.OmegaMatter)
    {
    }

    /// <summary>Creates a cosmology.</summary>
    /// <param name="hubbleConstant">H0 in km/s/Mpc.</param>
    /// <param name="omegaMatter">Ωm at z = 0, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException">H0 not positive or Ωm outside [0, 1].</exception>
    public FlatLambdaCdm(double hubbleConstant, double omegaMatter)
    {
        if (!(hubbleConstant > 0) || !(omegaMatter is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(hubbleConstant), "H0 must be positive and Ωm in [0, 1].");
        }

        HubbleConstant = hubbleConstant;
        OmegaMatter = omegaMatter;
    }

    /// <summary>H0 in km/s/Mpc.</summary>
    /// <value>The default value is 70.</value>
    public double HubbleConstant { get; }

    /// <summary>Ωm at z = 0.</summary>
    /// <value>The default value is 0.3.</value>
    public double OmegaMatter { get; }

    /// <summary>The Hubble distance c / H0 in Mpc.</summary>
    public double HubbleDistance => SpeedOfLight / HubbleConstant;

    /// <summary>E(z) = H(z) / H0.</summary>
    public double E(double z)
    {
        double a = 1 + z;
        return Math.Sqrt((OmegaMatter * a * a * a) + (1 - OmegaMatter));
    }

    /// <summary>Line-of-sight comoving distance in Mpc (composite 16-point Gauss–Legendre, relative error ≲ 1e-12).</summary>
    /// <param name="z">Redshift ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="z"/> is negative or not finite.</exception>
    public double ComovingDistance(double z)
    {
        if (!(z >= 0) || double.IsInfinity(z))
        {
            throw new ArgumentOutOfRangeException(nameof(z), z, "The redshift must be finite and ≥ 0.");
        }

        if (z == 0)
        {
            return 0;
        }

        int pieces = Math.Max(4, (int)Math.Ceiling(z * 8));
        double h = z / pieces;
        double sum = 0;
        for (int p = 0; p < pieces; p++)
        {
            double a = p * h;
            for (int k = 0; k < s_nodes.Length; k++)
            {
                double x = a + (0.5 * h * (1 + s_nodes[k]));
                sum += s_weights[k] / E(x);
            }
        }

        return HubbleDistance * sum * 0.5 * h;
    }

    /// <summary>Angular-diameter distance in Mpc.</summary>
    /// <param name="z">Redshift ≥ 0.</param>
    public double AngularDiameterDistance(double z) => ComovingDistance(z) / (1 + z);

    /// <summary>Proper transverse size in kpc of one arcsecond at redshift <paramref name="z"/>.</summary>
    /// <param name="z">Redshift ≥ 0.</param>
    public double KpcPerArcsecond(double z) => AngularDiameterDistance(z) * 1000.0 * ArcsecondInRadians;

    /// <summary>Proper size in kpc of one pixel of <paramref name="arcsecondsPerPixel"/> at redshift <paramref name="z"/>.</summary>
    /// <param name="z">Redshift ≥ 0.</param>
    /// <param name="arcsecondsPerPixel">Pixel scale.</param>
    public double KpcPerPixel(double z, double arcsecondsPerPixel) => KpcPerArcsecond(z) * arcsecondsPerPixel;

    // 16-point Gauss–Legendre nodes and weights on [-1, 1].
    private static readonly double[] s_nodes =
    [
        -0.9894009349916499, -0.9445750230732326, -0.8656312023878318, -0.7554044083550030,
        -0.6178762444026438, -0.4580167776572274, -0.2816035507792589, -0.0950125098376374,
        0.0950125098376374, 0.2816035507792589, 0.4580167776572274, 0.6178762444026438,
        0.7554044083550030, 0.8656312023878318, 0.9445750230732326, 0.9894009349916499,
    ];

    private static readonly double[] s_weights =
    [
        0.0271524594117541, 0.0622535239386479, 0.0951585116824928, 0.1246289712555339,
        0.1495959888165767, 0.1691565193950025, 0.1826034150449236, 0.1894506104550685,
        0.1894506104550685, 0.1826034150449236, 0.1691565193950025, 0.1495959888165767,
        0.1246289712555339, 0.0951585116824928, 0.0622535239386479, 0.0271524594117541,
    ];
}
