namespace Astro.Contract.Packaging;

/// <summary>A model package that cannot be used: missing files, invalid manifest, graph that does not match.</summary>
public sealed class ModelPackageException(string message, Exception? inner = null) : Exception(message, inner);
