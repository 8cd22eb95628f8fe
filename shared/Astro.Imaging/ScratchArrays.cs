namespace Astro.Imaging;

/// <summary>
/// Per-thread reusable arrays of an exact length for image-sized temporaries that never leave a call (the
/// sky-subtracted copy in star removal, the convolved image in detection). For a 256 × 256 cutout each is
/// 512 KB: a large-object-heap allocation per call, which cost more than some of the arithmetic and drove
/// gen-2 collections. ArrayPool would hand out longer arrays, which <see cref="Models.CutoutImage"/>
/// (exact length) cannot wrap. The price is up to two such arrays kept per thread that has preprocessed.
/// Contents are stale: callers overwrite every element.
/// </summary>
internal static class ScratchArrays
{
    [ThreadStatic]
    private static double[]? t_subtracted;

    [ThreadStatic]
    private static double[]? t_convolved;

    /// <summary>The sky-subtracted image of <see cref="StarRemoval.StarRemover.Remove"/>.</summary>
    public static double[] Subtracted(int length) => Get(ref t_subtracted, length);

    /// <summary>The convolved image of <see cref="Detection.StarFinder.Find"/>.</summary>
    public static double[] Convolved(int length) => Get(ref t_convolved, length);

    private static double[] Get(ref double[]? slot, int length) =>
        slot is { } array && array.Length == length ? array : slot = new double[length];
}
