namespace Astro.Imaging.Models;

/// <summary>
/// A point source found by <see cref="Detection.StarFinder"/>, with DAOFIND's measurements (the same
/// definitions as photutils 1.6 <c>DAOStarFinder</c>).
/// </summary>
/// <param name="X">Centroid column, 0-based pixel coordinates (pixel centres at integers).</param>
/// <param name="Y">Centroid row, 0-based.</param>
/// <param name="PeakX">Column of the peak pixel in the convolved image.</param>
/// <param name="PeakY">Row of the peak pixel.</param>
/// <param name="Sharpness">(peak − mean of the other kernel pixels) / convolved peak; a point source is near 0.2–1.</param>
/// <param name="Roundness1">Symmetry-based roundness of the convolved image (0 for a round source).</param>
/// <param name="Roundness2">Roundness from the heights of Gaussians fitted to the x and y marginals.</param>
/// <param name="Peak">The peak pixel value of the (background-subtracted) image.</param>
/// <param name="Flux">DAOFIND's flux: convolved peak / (threshold × kernel relative error).</param>
/// <param name="FromCatalog">True when the source came from a catalogue of known stars rather than detection.</param>
public sealed record DetectedSource(
    double X,
    double Y,
    int PeakX,
    int PeakY,
    double Sharpness,
    double Roundness1,
    double Roundness2,
    double Peak,
    double Flux,
    bool FromCatalog = false);
