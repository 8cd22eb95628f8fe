namespace Astro.Fits.Reports;

/// <summary>What a report run produced: the text for standard output, the exit code, and the one error line if the file was refused.</summary>
/// <param name="ExitCode">0 when the report is complete and every checksum present is valid; 1 for a refused file or an invalid checksum.</param>
/// <param name="Output">The report text (what was produced before a refusal, if any), ending in a newline unless empty.</param>
/// <param name="Error">
/// For a refused file, one line: the path, then the HDU (0-based) and the problem, with every non-printable character
/// escaped as <c>\xNN</c>; null otherwise.
/// </param>
public sealed record FitsReportResult(int ExitCode, string Output, string? Error);
