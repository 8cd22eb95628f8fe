using System.CommandLine;
using Astro.Fits.Reports;

namespace Astro.Trainer.Commands;

/// <summary><c>astro fits stats|info|verify FILE</c>: thin wrappers over <see cref="FitsReport"/>.</summary>
internal static class FitsCommands
{
    public static Command Create()
    {
        var fits = new Command("fits", "Inspect FITS files.");
        fits.Subcommands.Add(Create("stats", "Print per-HDU statistics of physical values as one JSON object.", "A FITS file (.fits, .fz, .gz, .bz2, .Z).", FitsReportKind.Statistics));
        fits.Subcommands.Add(Create("info", "List the HDUs of a FITS file, like astropy's fitsinfo.", "A FITS file.", FitsReportKind.Listing));
        fits.Subcommands.Add(Create("verify", "Check DATASUM and CHECKSUM of every HDU; exit 1 when any is wrong.", "A FITS file.", FitsReportKind.Checksums));
        return fits;
    }

    /// <summary>Runs one report: its text on <paramref name="output"/>, a refusal as a <see cref="CommandException"/> (one line, exit code 1).</summary>
    internal static int Run(FitsReportKind kind, string path, TextWriter output)
    {
        FitsReportResult result = FitsReport.Run(kind, path);
        output.Write(result.Output);
        output.Flush();
        return result.Error is null ? result.ExitCode : throw new CommandException(result.Error);
    }

    private static Command Create(string name, string description, string fileDescription, FitsReportKind kind)
    {
        var file = new Argument<string>("file") { Description = fileDescription };
        var command = new Command(name, description) { file };
        command.SetAction(parse => Run(kind, parse.GetRequiredValue(file), Console.Out));
        return command;
    }
}
