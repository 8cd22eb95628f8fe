namespace Astro.Trees;

/// <summary>LightGBM itself failed (the message carries <c>LGBM_GetLastError</c>), or a model cannot be read or exported.</summary>
/// <remarks>Invalid arguments (lengths, NaN labels, zero rows, bad options) throw <see cref="ArgumentException"/> before LightGBM is called.</remarks>
public sealed class LightGbmException : Exception
{
    /// <summary>Initializes a new instance of the <see cref="LightGbmException"/> class.</summary>
    public LightGbmException(string message)
        : base(message)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="LightGbmException"/> class with an inner exception.</summary>
    public LightGbmException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
