namespace Astro.Imaging.Models;

/// <summary>A point source that star removal replaced by the local background.</summary>
/// <param name="X">Centre column, 0-based pixel coordinates.</param>
/// <param name="Y">Centre row, 0-based.</param>
/// <param name="Radius">Radius in pixels of the replaced disk.</param>
/// <param name="Flux">Flux removed: the sum over the disk of (image − background model), in image units.</param>
/// <param name="FromCatalog">True when the position came from the catalogue of known stars.</param>
public sealed record RemovedSource(double X, double Y, double Radius, double Flux, bool FromCatalog);

/// <summary>A position in 0-based pixel coordinates (pixel centres at integers).</summary>
/// <param name="X">Column.</param>
/// <param name="Y">Row.</param>
public readonly record struct PixelPosition(double X, double Y);
