namespace Astro.Training.Worker;

/// <summary>
/// A training job that cannot be carried out; the message is one line naming the problem. <see cref="Permanent"/> jobs
/// (malformed message, unknown option values, unknown profile) go straight to the poison queue; the others are retried.
/// </summary>
/// <param name="message">The one-line reason.</param>
/// <param name="permanent">Whether retrying cannot help.</param>
/// <param name="inner">The cause, or null.</param>
public sealed class TrainingJobException(string message, bool permanent, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Gets a value indicating whether retrying cannot help.</summary>
    public bool Permanent { get; } = permanent;
}
