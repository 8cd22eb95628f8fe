using System.Globalization;
using Astro.Ml.Models;

namespace Astro.Ml.Training;

/// <summary>
/// A named network with its default schedule. Paper 000's presets give hidden widths as multiples of the input count
/// (22-44-66-66-1 is 2N, 3N, 3N for N = 22 inputs), so they adapt to any number of bands; paper 001's are absolute widths.
/// </summary>
/// <param name="Name">The preset name (or <c>custom:…</c>).</param>
/// <param name="HiddenMultipliers">Hidden widths as multiples of the feature count, or <see langword="null"/> when <paramref name="HiddenWidths"/> applies.</param>
/// <param name="HiddenWidths">Absolute hidden widths, or <see langword="null"/>.</param>
/// <param name="HiddenActivation">The hidden activation, or <see langword="null"/> for linear (identity) layers as in paper 001.</param>
/// <param name="Epochs">Default maximum epochs.</param>
/// <param name="Patience">Default early-stopping patience.</param>
/// <param name="Loss">Default loss.</param>
/// <param name="Optimizer">Default optimiser.</param>
public sealed record NetworkArchitecture(
    string Name,
    IReadOnlyList<int>? HiddenMultipliers,
    IReadOnlyList<int>? HiddenWidths,
    Activation? HiddenActivation,
    int Epochs,
    int Patience,
    TrainingLoss Loss,
    TrainingOptimizer Optimizer)
{
    /// <summary>Paper 000, stellar mass: 22-44-66-66-1, 5000 epochs, patience 300, MAE, Adam.</summary>
    public static NetworkArchitecture StellarMass { get; } = new("sm", [2, 3, 3], null, Activation.Relu, 5000, 300, TrainingLoss.MeanAbsoluteError, TrainingOptimizer.Adam);

    /// <summary>Paper 000, SFR: 22-110-220-110-1, 1500 epochs, patience 500.</summary>
    public static NetworkArchitecture StarFormationRate { get; } = new("sfr", [5, 10, 5], null, Activation.Relu, 1500, 500, TrainingLoss.MeanAbsoluteError, TrainingOptimizer.Adam);

    /// <summary>Paper 000, dust luminosity: 22-66-110-220-110-66-1, 1700 epochs, patience 300.</summary>
    public static NetworkArchitecture DustLuminosity { get; } = new("dl", [3, 5, 10, 5, 3], null, Activation.Relu, 1700, 300, TrainingLoss.MeanAbsoluteError, TrainingOptimizer.Adam);

    /// <summary>Paper 001, redshift: dense 75 and 120 (linear), MSE, Adam, 80 epochs (its chosen count; patience 20 here).</summary>
    public static NetworkArchitecture Redshift001 { get; } = new("z001", null, [75, 120], null, 80, 20, TrainingLoss.MeanSquaredError, TrainingOptimizer.Adam);

    /// <summary>Paper 001, stellarity: dense 75, 2, 3 (ReLU), softmax, cross-entropy, Adam, 20 epochs.</summary>
    public static NetworkArchitecture Stellarity001 { get; } = new("class001", null, [75, 2, 3], Activation.Relu, 20, 10, TrainingLoss.CrossEntropy, TrainingOptimizer.Adam);

    /// <summary>Paper 001, spectral type: dense 75, 20, 10 (linear), MSE, RMSprop, 10 epochs.</summary>
    public static NetworkArchitecture SpectralType001 { get; } = new("sptype001", null, [75, 20, 10], null, 10, 5, TrainingLoss.MeanSquaredError, TrainingOptimizer.RmsProp);

    /// <summary>Paper 001, stellar mass: dense 75, 120, 200, 50 (linear), MSE, Adam, 7 epochs.</summary>
    public static NetworkArchitecture StellarMass001 { get; } = new("mass001", null, [75, 120, 200, 50], null, 7, 5, TrainingLoss.MeanSquaredError, TrainingOptimizer.Adam);

    /// <summary>The named presets.</summary>
    public static IReadOnlyList<NetworkArchitecture> Presets { get; } =
        [StellarMass, StarFormationRate, DustLuminosity, Redshift001, Stellarity001, SpectralType001, StellarMass001];

    /// <summary>Returns the hidden widths for a network with <paramref name="features"/> feature inputs (mask inputs not counted).</summary>
    public IReadOnlyList<int> HiddenFor(int features)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        return HiddenWidths ?? [.. HiddenMultipliers!.Select(m => m * features)];
    }

    /// <summary>Parses a preset name or <c>custom:w1,w2,…</c> (ReLU, MAE, Adam, 1000 epochs, patience 100).</summary>
    /// <exception cref="ArgumentException">The text names no architecture.</exception>
    public static NetworkArchitecture Parse(string text) =>
        TryParse(text, out NetworkArchitecture? a, out string? error) ? a! : throw new ArgumentException(error);

    /// <summary>Parses like <see cref="Parse"/>, returning an error message instead of throwing.</summary>
    public static bool TryParse(string? text, out NetworkArchitecture? architecture, out string? error)
    {
        architecture = null;
        error = null;
        string t = (text ?? string.Empty).Trim();
        NetworkArchitecture? preset = Presets.FirstOrDefault(p => string.Equals(p.Name, t, StringComparison.OrdinalIgnoreCase));
        if (preset is not null)
        {
            architecture = preset;
            return true;
        }

        const string prefix = "custom:";
        if (t.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            var widths = new List<int>();
            foreach (string part in t[prefix.Length..].Split(',', StringSplitOptions.TrimEntries))
            {
                if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int w) || w < 1 || w > 100_000)
                {
                    error = $"architecture '{t}': '{part}' is not a layer width (1–100000)";
                    return false;
                }

                widths.Add(w);
            }

            architecture = new NetworkArchitecture(t, null, widths, Activation.Relu, 1000, 100, TrainingLoss.MeanAbsoluteError, TrainingOptimizer.Adam);
            return true;
        }

        error = $"unknown architecture '{t}' (use {string.Join(", ", Presets.Select(p => p.Name))} or custom:64,128,64)";
        return false;
    }

    /// <summary>
    /// The default architecture for a target: <c>class001</c> for classification; <c>sfr</c> when the name mentions SFR;
    /// <c>dl</c> for dust; <c>sm</c> otherwise (stellar mass and anything unknown).
    /// </summary>
    public static NetworkArchitecture ForTarget(string targetName, bool classification)
    {
        if (classification)
        {
            return Stellarity001;
        }

        string n = targetName.ToLowerInvariant();
        if (n.Contains("sfr", StringComparison.Ordinal))
        {
            return StarFormationRate;
        }

        return n.Contains("dust", StringComparison.Ordinal) ? DustLuminosity : StellarMass;
    }
}
