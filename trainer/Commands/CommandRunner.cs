using System.CommandLine;

namespace Astro.Trainer.Commands;

/// <summary>
/// Runs a command line and turns every failure into one line on stderr and a non-zero exit code:
/// users never see a stack trace.
/// </summary>
internal static class CommandRunner
{
    /// <summary>Exit code for bad input (malformed files, bad options).</summary>
    public const int InputError = 1;

    /// <summary>Exit code for a bug: something we did not expect.</summary>
    public const int InternalError = 70;

    public static int Run(RootCommand root, string[] args)
    {
        try
        {
            ParseResult parse = root.Parse(args);
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Report(e);
        }
    }

    /// <summary>Prints one line for an exception and returns the exit code for it.</summary>
    public static int Report(Exception e)
    {
        switch (e)
        {
            case CommandException c:
                Console.Error.WriteLine($"astro: {c.Message}");
                return InputError;
            case Fits.FitsException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or IOException or ArgumentException:
                Console.Error.WriteLine($"astro: {OneLine(e.Message)}");
                return InputError;
            case OperationCanceledException:
                Console.Error.WriteLine("astro: cancelled");
                return 130;
            default:
                Console.Error.WriteLine($"astro: internal error ({e.GetType().Name}): {OneLine(e.Message)}");
                return InternalError;
        }
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}

/// <summary>A user-facing failure whose message is already the line to print.</summary>
internal sealed class CommandException(string message, Exception? inner = null) : Exception(message, inner);
