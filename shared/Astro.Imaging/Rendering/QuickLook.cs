using Astro.Imaging.Models;
using Astro.Imaging.Statistics;

namespace Astro.Imaging.Rendering;

/// <summary>How a panel maps pixel values to grey levels.</summary>
public enum PanelScaling
{
    /// <summary>asinh stretch from the sigma-clipped sky − 1σ to the 99.7th percentile (linear-flux images).</summary>
    Asinh = 1,

    /// <summary>Values in [0, 1] mapped linearly (stretched images).</summary>
    Unit,

    /// <summary>Values in [0, 255] used as they are (JPEG/PNG cutouts).</summary>
    Bytes,
}

/// <summary>One panel: one band (greyscale) or three (R, G, B), a scaling, and optional circles to draw.</summary>
/// <param name="Bands">1 or 3 images of one size.</param>
/// <param name="Scaling">Value mapping.</param>
/// <param name="Marks">Circles (centre and radius in pixels) drawn in red, or null.</param>
public sealed record Panel(IReadOnlyList<CutoutImage> Bands, PanelScaling Scaling, IReadOnlyList<RemovedSource>? Marks = null);

/// <summary>Writes side-by-side PNG panels (before / after star removal / stretched) for a person to look at.</summary>
public static class QuickLook
{
    private const int Gap = 4;

    /// <summary>Renders panels side by side, each resampled to <paramref name="panelSize"/> pixels high, top row up.</summary>
    /// <param name="panels">The panels.</param>
    /// <param name="panelSize">Height of each panel in the PNG.</param>
    /// <returns>The PNG bytes.</returns>
    /// <exception cref="ArgumentException">No panels, or a panel without 1 or 3 bands.</exception>
    public static byte[] Render(IReadOnlyList<Panel> panels, int panelSize = 300)
    {
        ArgumentNullException.ThrowIfNull(panels);
        if (panels.Count == 0 || panels.Any(p => p.Bands.Count is not (1 or 3)))
        {
            throw new ArgumentException("Each panel needs 1 or 3 bands.", nameof(panels));
        }

        var widths = panels.Select(p => (int)Math.Round(panelSize * (double)p.Bands[0].Width / p.Bands[0].Height)).ToArray();
        int total = widths.Sum() + (Gap * (panels.Count - 1));
        byte[] rgb = new byte[total * panelSize * 3];
        Array.Fill(rgb, (byte)255);
        int offset = 0;
        for (int p = 0; p < panels.Count; p++)
        {
            Panel panel = panels[p];
            int pw = widths[p];
            CutoutImage source = panel.Bands[0];
            double zoom = (double)panelSize / source.Height;
            byte[][] channels = panel.Bands.Select(b => ToBytes(b, panel.Scaling)).ToArray();
            for (int y = 0; y < panelSize; y++)
            {
                int sy = source.Height - 1 - Math.Min(source.Height - 1, (int)(y / zoom)); // row 0 of the PNG is the top
                for (int x = 0; x < pw; x++)
                {
                    int sx = Math.Min(source.Width - 1, (int)(x / zoom));
                    int o = ((y * total) + offset + x) * 3;
                    for (int c = 0; c < 3; c++)
                    {
                        rgb[o + c] = channels[channels.Length == 3 ? c : 0][(sy * source.Width) + sx];
                    }
                }
            }

            foreach (RemovedSource mark in panel.Marks ?? [])
            {
                DrawCircle(rgb, total, panelSize, offset, pw, zoom, source.Height, mark);
            }

            offset += pw + Gap;
        }

        return PngEncoder.Encode(rgb, total, panelSize, rgb: true);
    }

    private static byte[] ToBytes(CutoutImage image, PanelScaling scaling)
    {
        double[] v = image.Pixels;
        byte[] result = new byte[v.Length];
        switch (scaling)
        {
            case PanelScaling.Unit:
                for (int i = 0; i < v.Length; i++)
                {
                    result[i] = (byte)Math.Clamp(Math.Round(255 * (double.IsNaN(v[i]) ? 0 : v[i])), 0, 255);
                }

                break;
            case PanelScaling.Bytes:
                for (int i = 0; i < v.Length; i++)
                {
                    result[i] = (byte)Math.Clamp(Math.Round(double.IsNaN(v[i]) ? 0 : v[i]), 0, 255);
                }

                break;
            default:
                var stats = SigmaClip.Compute(v);
                double[] finite = v.Where(double.IsFinite).ToArray();
                Array.Sort(finite);
                double low = stats.Median - stats.StandardDeviation;
                double high = finite.Length > 0 ? finite[(int)(0.997 * (finite.Length - 1))] : 1;
                double soft = Math.Max(stats.StandardDeviation * 3, 1e-30);
                double top = Math.Asinh((high - low) / soft);
                for (int i = 0; i < v.Length; i++)
                {
                    double t = double.IsNaN(v[i]) ? 0 : Math.Asinh(Math.Max(0, v[i] - low) / soft) / top;
                    result[i] = (byte)Math.Clamp(Math.Round(255 * t), 0, 255);
                }

                break;
        }

        return result;
    }

    private static void DrawCircle(byte[] rgb, int total, int height, int offset, int pw, double zoom, int sourceHeight, RemovedSource mark)
    {
        double cx = (mark.X + 0.5) * zoom;
        double cy = (sourceHeight - 0.5 - mark.Y) * zoom;
        double r = mark.Radius * zoom;
        int steps = Math.Max(24, (int)(r * 8));
        for (int s = 0; s < steps; s++)
        {
            double t = 2 * Math.PI * s / steps;
            int x = (int)Math.Round(cx + (r * Math.Cos(t)));
            int y = (int)Math.Round(cy + (r * Math.Sin(t)));
            if (x >= 0 && x < pw && y >= 0 && y < height)
            {
                int o = ((y * total) + offset + x) * 3;
                rgb[o] = 255;
                rgb[o + 1] = 40;
                rgb[o + 2] = 40;
            }
        }
    }
}
