namespace Astro.Imaging.ModelInput;

/// <summary>Why a cutout cannot be predicted by an image model.</summary>
public enum ImageInputProblem
{
    /// <summary>The bytes are not a readable FITS, JPEG or PNG image.</summary>
    Unreadable = 1,

    /// <summary>The image is not 2-D (or a 3-D cube of bands), or is smaller than the model's minimum size.</summary>
    WrongSize,

    /// <summary>A band has no finite pixel.</summary>
    AllNaN,

    /// <summary>The star removal found no central galaxy (<c>CutoutPreprocessingResult.GalaxyFound</c> is false).</summary>
    NoGalaxy,

    /// <summary>The cutout does not fit the model: band count or format (e.g. a FITS cutout for an "rgb8" model).</summary>
    NotApplicable,

    /// <summary>The preprocessing failed for another reason (for example a constant image that cannot be stretched).</summary>
    Unusable,
}

/// <summary>
/// The one error of the image serving path: a cutout that cannot be used by a model. The message is one line naming the
/// cutout and the problem; <see cref="Problem"/> classifies it (the function app quarantines by it).
/// </summary>
public sealed class ImageInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">The problem class.</param>
    /// <param name="message">One line: the cutout and the problem.</param>
    /// <param name="inner">The cause, or null.</param>
    public ImageInputException(ImageInputProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
    }

    /// <summary>Gets the problem class.</summary>
    public ImageInputProblem Problem { get; }
}
