using Astro.Imaging.Models;

namespace Astro.Imaging.Synthetic;

/// <summary>
/// How well star removal did on a synthetic cutout, measured against its noise-free parts. Removal
/// replaces disks by a noise-free model of sky + galaxy, so inside the replaced pixels R the model can be
/// compared with the truth directly, and outside them the image is untouched.
/// </summary>
/// <param name="StarFlux">Injected star flux in the image, Σ stars.</param>
/// <param name="StarFluxReplaced">Star flux inside the replaced pixels, Σ_R stars (gone after removal).</param>
/// <param name="GalaxyFlux">True galaxy flux in the image, Σ galaxy.</param>
/// <param name="GalaxyChange">Σ_R (model − sky − galaxy): galaxy light added (positive) or eaten (negative) where pixels were replaced.</param>
/// <param name="TotalError">Σ (after − (image − stars)) over the whole image: star light left plus galaxy change plus the noise replaced by the model.</param>
/// <param name="GalaxyCentreTouched">True when a replaced disk covers the galaxy centre.</param>
public sealed record StarRemovalScore(double StarFlux, double StarFluxReplaced, double GalaxyFlux, double GalaxyChange, double TotalError, bool GalaxyCentreTouched)
{
    /// <summary>Fraction of the injected star flux removed: StarFluxReplaced / StarFlux.</summary>
    public double StarFractionRemoved => StarFluxReplaced / StarFlux;

    /// <summary>Relative change of the galaxy flux: GalaxyChange / GalaxyFlux.</summary>
    public double GalaxyFractionChange => GalaxyChange / GalaxyFlux;

    /// <summary>Scores a star removal against the synthetic truth.</summary>
    /// <param name="truth">The synthetic cutout.</param>
    /// <param name="cleaned">The star-removed image.</param>
    /// <param name="removed">The replaced disks.</param>
    public static StarRemovalScore Measure(SyntheticCutout truth, CutoutImage cleaned, IReadOnlyList<RemovedSource> removed)
    {
        ArgumentNullException.ThrowIfNull(truth);
        ArgumentNullException.ThrowIfNull(cleaned);
        ArgumentNullException.ThrowIfNull(removed);
        int w = truth.Image.Width;
        int h = truth.Image.Height;
        double sky = truth.Options.Sky;
        double starFlux = 0, replacedStars = 0, galaxyChange = 0, total = 0, galaxy = 0;
        for (int y = 0; y < h; y++)
        {
            for (int x = 0; x < w; x++)
            {
                int i = (y * w) + x;
                total += cleaned.Pixels[i] - (truth.Image.Pixels[i] - truth.Stars.Pixels[i]);
                galaxy += truth.Galaxy.Pixels[i];
                starFlux += truth.Stars.Pixels[i];
                bool replaced = removed.Any(r => ((x - r.X) * (x - r.X)) + ((y - r.Y) * (y - r.Y)) <= r.Radius * r.Radius);
                if (replaced)
                {
                    replacedStars += truth.Stars.Pixels[i];
                    galaxyChange += cleaned.Pixels[i] - sky - truth.Galaxy.Pixels[i];
                }
            }
        }

        double cx = truth.Options.CentreX ?? ((w - 1) / 2.0);
        double cy = truth.Options.CentreY ?? ((h - 1) / 2.0);
        bool touched = removed.Any(r => Math.Sqrt(((r.X - cx) * (r.X - cx)) + ((r.Y - cy) * (r.Y - cy))) <= r.Radius + 1);
        return new StarRemovalScore(starFlux, replacedStars, galaxy, galaxyChange, total, touched);
    }
}
