namespace Astro.Trees.Tests;

/// <summary>Reproducible synthetic tables: a smooth non-linear target of the first features plus noise; some values missing.</summary>
internal static class SyntheticData
{
    public static (float[] Features, float[] Labels) Regression(int rows, int columns, int seed, double missingFraction = 0.02, double noise = 0.1)
    {
        var rng = new Random(seed);
        float[] x = new float[rows * columns];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                x[(r * columns) + c] = (float)((rng.NextDouble() * 4) - 2);
            }

            ReadOnlySpan<float> row = x.AsSpan(r * columns, columns);
            double value = 10 + (2 * Math.Sin(row[0])) + (row[1] * row[1]) - (0.5 * row[2]) + (columns > 3 ? 0.3 * row[3] * row[0] : 0);
            y[r] = (float)(value + (noise * Gaussian(rng)));

            // Missing values after the label is made: the model must route NaN like LightGBM does.
            for (int c = 0; c < columns; c++)
            {
                if (rng.NextDouble() < missingFraction)
                {
                    x[(r * columns) + c] = float.NaN;
                }
            }
        }

        return (x, y);
    }

    public static (float[] Features, float[] Labels) Classes(int rows, int columns, int classes, int seed)
    {
        var rng = new Random(seed);
        float[] x = new float[rows * columns];
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            int label = rng.Next(classes);
            y[r] = label;
            for (int c = 0; c < columns; c++)
            {
                double centre = c < classes ? (c == label ? 1.2 : 0) : 0;
                x[(r * columns) + c] = (float)(centre + Gaussian(rng));
            }

            if (rng.NextDouble() < 0.02)
            {
                x[(r * columns) + rng.Next(columns)] = float.NaN;
            }
        }

        return (x, y);
    }

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
