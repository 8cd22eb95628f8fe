using System.Globalization;
using Xunit.Sdk;

namespace Astro.Testing;

/// <summary>
/// The one closeness assertion for comparing our numbers with a trusted implementation's (astropy, scipy, PyTorch,
/// ONNX Runtime, DuckDB): |actual − expected| ≤ <c>absolute</c> + <c>relative</c>·|expected|, NaN equal to NaN and
/// infinities equal only to themselves. A failure names what was compared, the index, both values and the allowed
/// difference.
/// </summary>
public static class BaselineAssert
{
    /// <summary>The default relative tolerance (1e-6).</summary>
    public const double DefaultRelative = 1e-6;

    /// <summary>Asserts that two numbers agree.</summary>
    /// <param name="expected">The reference value.</param>
    /// <param name="actual">Our value.</param>
    /// <param name="what">What is compared (appears in the failure message).</param>
    /// <param name="relative">Relative tolerance.</param>
    /// <param name="absolute">Absolute tolerance (for values near zero).</param>
    /// <exception cref="XunitException">They differ by more than the tolerance.</exception>
    public static void Close(double expected, double actual, string what, double relative = DefaultRelative, double absolute = 0)
    {
        if (!IsClose(expected, actual, relative, absolute))
        {
            throw new XunitException($"{what}: expected {Format(expected)}, got {Format(actual)} (difference {Format(actual - expected)}, allowed {Format(absolute + relative * Math.Abs(expected))}).");
        }
    }

    /// <summary>Asserts that two sequences have the same length and agree element by element.</summary>
    /// <param name="expected">The reference values.</param>
    /// <param name="actual">Our values.</param>
    /// <param name="what">What is compared.</param>
    /// <param name="relative">Relative tolerance.</param>
    /// <param name="absolute">Absolute tolerance.</param>
    /// <exception cref="XunitException">The lengths differ or an element differs by more than the tolerance.</exception>
    public static void Close(IReadOnlyList<double> expected, IReadOnlyList<double> actual, string what, double relative = DefaultRelative, double absolute = 0)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (expected.Count != actual.Count)
        {
            throw new XunitException($"{what}: expected {expected.Count} values, got {actual.Count}.");
        }

        for (int i = 0; i < expected.Count; i++)
        {
            Close(expected[i], actual[i], $"{what}[{i}]", relative, absolute);
        }
    }

    /// <summary>Asserts that two float sequences agree (compared in double precision).</summary>
    /// <param name="expected">The reference values.</param>
    /// <param name="actual">Our values.</param>
    /// <param name="what">What is compared.</param>
    /// <param name="relative">Relative tolerance.</param>
    /// <param name="absolute">Absolute tolerance.</param>
    public static void Close(IReadOnlyList<float> expected, IReadOnlyList<float> actual, string what, double relative = DefaultRelative, double absolute = 0)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        Close([.. expected.Select(v => (double)v)], [.. actual.Select(v => (double)v)], what, relative, absolute);
    }

    /// <summary>Whether two numbers agree within the tolerance (the rule of <see cref="Close(double, double, string, double, double)"/>).</summary>
    /// <param name="expected">The reference value.</param>
    /// <param name="actual">Our value.</param>
    /// <param name="relative">Relative tolerance.</param>
    /// <param name="absolute">Absolute tolerance.</param>
    /// <returns>True when they agree.</returns>
    public static bool IsClose(double expected, double actual, double relative = DefaultRelative, double absolute = 0)
    {
        if (double.IsNaN(expected) || double.IsNaN(actual))
        {
            return double.IsNaN(expected) && double.IsNaN(actual);
        }

        if (double.IsInfinity(expected) || double.IsInfinity(actual))
        {
            return expected.Equals(actual);
        }

        return Math.Abs(actual - expected) <= absolute + (relative * Math.Abs(expected));
    }

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
