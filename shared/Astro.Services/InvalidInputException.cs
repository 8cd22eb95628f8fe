namespace Astro.Services;

/// <summary>Classes of input problems; the quarantine reason records which one.</summary>
public enum InputProblem
{
    /// <summary>A FITS file that cannot be read or has no usable image/table.</summary>
    BadFits = 1,

    /// <summary>A catalog that lacks a column its profile needs, or cannot be parsed.</summary>
    BadCatalog,

    /// <summary>A catalog with no usable rows.</summary>
    NoUsableRows,

    /// <summary>The profile named for the input is unknown or no model serves it.</summary>
    UnknownProfile,

    /// <summary>A queue message that is not what its queue carries.</summary>
    InvalidMessage,

    /// <summary>An HTTP request body or parameter that is not valid.</summary>
    BadRequest,

    /// <summary>The input is larger than allowed.</summary>
    TooLarge,

    /// <summary>A cutout that is not a readable FITS, JPEG or PNG image.</summary>
    BadImage,

    /// <summary>A cutout that is not 2-D, or smaller than an image model's minimum size.</summary>
    WrongSize,

    /// <summary>A cutout whose pixels are all NaN (in a band, or in the whole image).</summary>
    AllNaN,

    /// <summary>A cutout in which star detection finds no central galaxy.</summary>
    NoGalaxy,

    /// <summary>A cutout the image models cannot preprocess for another reason (for example a constant image).</summary>
    UnusableCutout,
}

/// <summary>
/// Input that can never be processed as it is (retrying would not help): the caller quarantines it or answers 4xx. The
/// message is one line naming the input and the problem.
/// </summary>
public sealed class InvalidInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="problem">The problem class.</param>
    /// <param name="message">One line naming the input and the problem.</param>
    /// <param name="inner">The cause.</param>
    public InvalidInputException(InputProblem problem, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
    }

    /// <summary>The problem class.</summary>
    public InputProblem Problem { get; }
}
