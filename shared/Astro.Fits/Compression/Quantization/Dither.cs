using System.Numerics;

namespace Astro.Fits.Compression.Quantization;

/// <summary>The ZQUANTIZ methods of quantised floating-point tiles.</summary>
internal enum DitherMethod
{
    /// <summary>NO_DITHER: value · ZSCALE + ZZERO.</summary>
    NoDither,

    /// <summary>SUBTRACTIVE_DITHER_1: (value − r + 0.5) · ZSCALE + ZZERO with cfitsio's random sequence r.</summary>
    SubtractiveDither1,

    /// <summary>SUBTRACTIVE_DITHER_2: as SUBTRACTIVE_DITHER_1, and the integer −2147483646 stands for exactly 0.0.</summary>
    SubtractiveDither2,
}

/// <summary>
/// cfitsio's dithering random sequence and the unquantisation of integer tiles back to floating
/// point, bit-for-bit as cfitsio's <c>fits_init_randoms</c> and <c>unquantize_i4r4</c>/<c>unquantize_i4r8</c>
/// (and <c>fffi4r4</c>/<c>fffi4r8</c> for NO_DITHER).
/// </summary>
internal static class Dither
{
    /// <summary>Length of the random sequence (N_RANDOM).</summary>
    public const int RandomCount = 10000;

    /// <summary>The quantised value cfitsio writes for undefined (NaN) pixels when ZBLANK is not given otherwise.</summary>
    public const int NullValue = -2147483647;

    /// <summary>The quantised value that SUBTRACTIVE_DITHER_2 uses for pixels that are exactly zero.</summary>
    public const int ZeroValue = -2147483646;

    /// <summary>The seed after the 10,000th step of the generator; cfitsio checks it to validate the sequence.</summary>
    public const int ExpectedFinalSeed = 1043618065;

    private static readonly float[] s_randoms = GenerateRandoms(out _);

    /// <summary>The 10,000 values of cfitsio's <c>fits_rand_value</c> table.</summary>
    public static ReadOnlySpan<float> Randoms => s_randoms;

    /// <summary>
    /// Generates the table with the Park–Miller minimal standard generator (a = 16807, m = 2³¹ − 1,
    /// seed 1) in double precision, each value stored as the float <c>seed / m</c>.
    /// </summary>
    /// <param name="finalSeed">The seed after the last step; <see cref="ExpectedFinalSeed"/> when correct.</param>
    public static float[] GenerateRandoms(out int finalSeed)
    {
        const double a = 16807.0;
        const double m = 2147483647.0;
        float[] values = new float[RandomCount];
        double seed = 1;
        for (int i = 0; i < RandomCount; i++)
        {
            double temp = a * seed;
            seed = temp - (m * (int)(temp / m));
            values[i] = (float)(seed / m);
        }

        finalSeed = (int)seed;
        return values;
    }

    /// <summary>Parses a ZQUANTIZ value; absent means NO_DITHER. Returns false for "NONE" (lossless) and unknown values.</summary>
    public static bool TryParseMethod(string? zquantiz, out DitherMethod method)
    {
        switch (zquantiz?.Trim().ToUpperInvariant())
        {
            case null:
            case "":
            case "NO_DITHER":
                method = DitherMethod.NoDither;
                return true;
            case "SUBTRACTIVE_DITHER_1":
                method = DitherMethod.SubtractiveDither1;
                return true;
            case "SUBTRACTIVE_DITHER_2":
                method = DitherMethod.SubtractiveDither2;
                return true;
            default:
                method = DitherMethod.NoDither;
                return false;
        }
    }

    /// <summary>
    /// The index of the tile's first random value: <c>(tileIndex + ZDITHER0 − 1) mod 10000</c> with the
    /// 0-based tile index (cfitsio's 1-based row number plus ZDITHER0, minus 2).
    /// </summary>
    public static int FirstSeedIndex(long tileIndex, int zdither0)
    {
        long index = (tileIndex + zdither0 - 1) % RandomCount;
        if (index < 0)
        {
            throw new FitsException($"ZDITHER0 {zdither0} with tile {tileIndex} gives a negative dither seed");
        }

        return (int)index;
    }

    /// <summary>Unquantises one tile to single precision as cfitsio does.</summary>
    /// <param name="source">The tile's quantised integers.</param>
    /// <param name="destination">Receives the values; same length as <paramref name="source"/>.</param>
    /// <param name="scale">ZSCALE of the tile.</param>
    /// <param name="zero">ZZERO of the tile.</param>
    /// <param name="method">ZQUANTIZ.</param>
    /// <param name="nullValue">ZBLANK of the tile (NaN pixels), or null when there is none.</param>
    /// <param name="tileIndex">0-based tile index (row of the compressed table).</param>
    /// <param name="zdither0">ZDITHER0 (ignored for NO_DITHER).</param>
    public static void Unquantize(
        ReadOnlySpan<int> source,
        Span<float> destination,
        double scale,
        double zero,
        DitherMethod method,
        int? nullValue,
        long tileIndex,
        int zdither0) =>
        UnquantizeCore(source, destination, scale, zero, method, nullValue, tileIndex, zdither0);

    /// <summary>Unquantises one tile to double precision as cfitsio does.</summary>
    /// <inheritdoc cref="Unquantize(ReadOnlySpan{int}, Span{float}, double, double, DitherMethod, int?, long, int)"/>
    public static void Unquantize(
        ReadOnlySpan<int> source,
        Span<double> destination,
        double scale,
        double zero,
        DitherMethod method,
        int? nullValue,
        long tileIndex,
        int zdither0) =>
        UnquantizeCore(source, destination, scale, zero, method, nullValue, tileIndex, zdither0);

    /// <summary>
    /// One implementation for both precisions: the arithmetic is in double, as in cfitsio's unquantize_i4r4/r8,
    /// and the result is rounded once to <typeparamref name="T"/>.
    /// </summary>
    private static void UnquantizeCore<T>(
        ReadOnlySpan<int> source,
        Span<T> destination,
        double scale,
        double zero,
        DitherMethod method,
        int? nullValue,
        long tileIndex,
        int zdither0)
        where T : struct, IFloatingPointIeee754<T>
    {
        CheckLengths(source.Length, destination.Length);
        bool checkNull = nullValue.HasValue;
        int blank = nullValue.GetValueOrDefault();
        if (method == DitherMethod.NoDither)
        {
            for (int i = 0; i < source.Length; i++)
            {
                int v = source[i];
                destination[i] = checkNull && v == blank ? T.NaN : T.CreateTruncating((v * scale) + zero);
            }

            return;
        }

        ReadOnlySpan<float> randoms = s_randoms;
        int seedIndex = FirstSeedIndex(tileIndex, zdither0);
        int next = (int)(randoms[seedIndex] * 500f);
        bool keepZeros = method == DitherMethod.SubtractiveDither2;
        for (int i = 0; i < source.Length; i++)
        {
            int v = source[i];
            if (checkNull && v == blank)
            {
                destination[i] = T.NaN;
            }
            else if (keepZeros && v == ZeroValue)
            {
                destination[i] = T.Zero;
            }
            else
            {
                destination[i] = T.CreateTruncating((((double)v - randoms[next] + 0.5) * scale) + zero);
            }

            Advance(randoms, ref next, ref seedIndex);
        }
    }

    /// <summary>cfitsio's advance rule: after the last value, move the seed index on and restart at its offset.</summary>
    private static void Advance(ReadOnlySpan<float> randoms, ref int next, ref int seedIndex)
    {
        next++;
        if (next == RandomCount)
        {
            seedIndex++;
            if (seedIndex == RandomCount)
            {
                seedIndex = 0;
            }

            next = (int)(randoms[seedIndex] * 500f);
        }
    }

    private static void CheckLengths(int source, int destination)
    {
        if (source != destination)
        {
            throw new ArgumentException($"Destination holds {destination} values for {source} quantised values.");
        }
    }
}
