namespace Astro.Imaging;

/// <summary>
/// The one error type of cutout preprocessing: an input that cannot be used (not an image, wrong
/// dimensions, all NaN, unreadable JPEG/PNG, a malformed star catalogue). The message is one line that
/// names the source (when known) and the problem.
/// </summary>
public sealed class ImagingException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">One line: the source and the problem.</param>
    public ImagingException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    /// <param name="message">One line: the source and the problem.</param>
    /// <param name="innerException">The cause.</param>
    public ImagingException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
