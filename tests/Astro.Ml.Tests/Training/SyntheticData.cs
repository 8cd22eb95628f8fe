using Astro.Catalogs;
using Astro.Contract.Packaging;
using Astro.Ml.Training;

namespace Astro.Ml.Tests.Training;

/// <summary>Synthetic photometric problems with known answers, all from fixed seeds.</summary>
internal static class SyntheticData
{
    public static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Magnitudes m_i ~ N(20, 1) in 5 bands plus z; y = f(m, z) + N(0, noise²).</summary>
    public static TrainingDataset Regression(int rows, double noise, int seed)
    {
        var random = new Random(seed);
        const int bands = 5;
        var features = new float[rows * (bands + 1)];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double[] m = [.. Enumerable.Range(0, bands).Select(_ => 20 + Normal(random))];
            double z = random.NextDouble() * 0.5;
            for (int b = 0; b < bands; b++)
            {
                features[(r * (bands + 1)) + b] = (float)m[b];
            }

            features[(r * (bands + 1)) + bands] = (float)z;
            targets[r] = (float)(Truth(m, z) + (noise * Normal(random)));
        }

        return TrainingDataset.Create(features, ["b0", "b1", "b2", "b3", "b4", "z"], bands, ModelInputRepresentation.ABMagnitude, new TargetInfo("y", "dex", "none"), targets);
    }

    public static double Truth(double[] m, double z) => (0.8 * (m[0] - 20)) - (0.5 * (m[1] - 20)) + (0.3 * Math.Sin(2 * (m[2] - 20))) + (0.2 * (m[3] - 20) * (m[4] - 20)) + z;

    /// <summary>Heteroscedastic: y = x0 − x1 + N(0, σ(x)²) with σ = 0.05 + 0.25·|x2| (magnitudes around 0).</summary>
    public static TrainingDataset Heteroscedastic(int rows, int seed)
    {
        var random = new Random(seed);
        const int f = 4;
        var features = new float[rows * f];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double[] x = [.. Enumerable.Range(0, f).Select(_ => Normal(random))];
            for (int j = 0; j < f; j++)
            {
                features[(r * f) + j] = (float)x[j];
            }

            double sigma = 0.05 + (0.25 * Math.Abs(x[2]));
            targets[r] = (float)(x[0] - x[1] + (sigma * Normal(random)));
        }

        return TrainingDataset.Create(features, ["a", "b", "c", "d"], f, ModelInputRepresentation.ABMagnitude, new TargetInfo("y", null, "none"), targets);
    }

    /// <summary>
    /// Fluxes in 6 bands that share one amplitude (so any band can be inferred from the others): flux_b = A·s_b·(1 + 0.02 N),
    /// A log-uniform over 10–10⁴ µJy; y = log10 A.
    /// </summary>
    public static TrainingDataset RedundantFluxes(int rows, int seed)
    {
        var random = new Random(seed);
        const int bands = 6;
        double[] shape = [0.5, 0.8, 1.0, 1.3, 1.1, 0.7];
        var features = new float[rows * bands];
        var targets = new float[rows];
        for (int r = 0; r < rows; r++)
        {
            double logA = 1 + (3 * random.NextDouble());
            double a = Math.Pow(10, logA);
            for (int b = 0; b < bands; b++)
            {
                features[(r * bands) + b] = (float)(a * shape[b] * (1 + (0.02 * Normal(random))));
            }

            targets[r] = (float)logA;
        }

        return TrainingDataset.Create(features, ["u", "g", "r", "i", "z", "y"], bands, ModelInputRepresentation.FluxMicroJansky, new TargetInfo("logA", "dex(uJy)", "log10"), targets, medianFluxError: 1.0);
    }

    /// <summary>Three Gaussian blobs in 4 dimensions, centres 4σ apart.</summary>
    public static TrainingDataset Classes(int rows, int seed)
    {
        var random = new Random(seed);
        const int f = 4;
        double[][] centres = [[0, 0, 0, 0], [4, 0, 1, 0], [0, 4, 0, -1]];
        var features = new float[rows * f];
        var classes = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            int c = random.Next(3);
            classes[r] = c;
            for (int j = 0; j < f; j++)
            {
                features[(r * f) + j] = (float)(centres[c][j] + Normal(random));
            }
        }

        return TrainingDataset.Create(features, ["a", "b", "c", "d"], f, ModelInputRepresentation.ABMagnitude, new TargetInfo("class", null, "none"), classIndices: classes, classes: ["STAR", "GALAXY", "QSO"]);
    }

    public static TrainingOptions Quick(string architecture = "custom:32,32", int epochs = 40, int ensemble = 1, bool heteroscedastic = false) => new()
    {
        Architecture = architecture,
        Epochs = epochs,
        Patience = epochs,
        EnsembleSize = ensemble,
        HeteroscedasticHead = heteroscedastic,
        LearningRate = 0.003,
        Seed = 7,
    };
}
