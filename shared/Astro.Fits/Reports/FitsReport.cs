using System.Globalization;
using System.Text;
using Astro.Fits.Compression;
using Astro.Fits.Hdus;
using Astro.Fits.IO;
using Astro.Fits.Statistics;
using Astro.Fits.Tables;

namespace Astro.Fits.Reports;

/// <summary>
/// The reports of <c>astro fits stats | info | verify</c>, host-agnostic: the command line prints them, tests and the
/// fuzzer call them directly.
/// </summary>
/// <remarks>
/// <see cref="Run"/> is the boundary for untrusted files: a file that cannot be read gives exit code 1 and one error
/// line naming the file, the HDU (0-based) and the problem. Any other exception escaping it is a bug.
/// </remarks>
public static class FitsReport
{
    /// <summary>Opens a file and produces one report, turning a refusal into one error line.</summary>
    /// <param name="kind">Which report.</param>
    /// <param name="path">The file (plain, or gzip/bzip2/compress by magic bytes).</param>
    /// <param name="options">Reader limits; the defaults when null.</param>
    /// <param name="cancellationToken">Stops a long statistics pass.</param>
    /// <returns>Output, exit code and the error line.</returns>
    public static FitsReportResult Run(FitsReportKind kind, string path, FitsReaderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            return new FitsReportResult(1, string.Empty, $"{path}: no such file");
        }

        var output = new StringBuilder();
        try
        {
            using FitsFile file = FitsFile.Open(path, options);
            int exitCode = 0;
            switch (kind)
            {
                case FitsReportKind.Statistics:
                    output.AppendLine(Statistics(file, cancellationToken));
                    break;
                case FitsReportKind.Listing:
                    output.Append(Listing(file, path));
                    break;
                case FitsReportKind.Checksums:
                    exitCode = Checksums(file, output) ? 0 : 1;
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown report.");
            }

            return new FitsReportResult(exitCode, output.ToString(), null);
        }
        catch (FitsException e)
        {
            return new FitsReportResult(1, output.ToString(), $"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new FitsReportResult(1, output.ToString(), $"{path}: {e.Message.ReplaceLineEndings(" ")}");
        }
    }

    /// <summary>Per-HDU statistics of physical values as one compact JSON object, <c>{"hdus":[…]}</c>.</summary>
    /// <param name="file">An open file.</param>
    /// <param name="cancellationToken">Stops a long pass.</param>
    /// <returns>The JSON text.</returns>
    /// <exception cref="FitsException">Data is truncated or malformed.</exception>
    public static string Statistics(FitsFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        return FitsStatisticsJson.Serialize(FitsStatisticsCalculator.Compute(file, cancellationToken));
    }

    /// <summary>The HDU listing, one line per HDU as astropy's fitsinfo prints it, then the reader's warnings.</summary>
    /// <param name="file">An open file.</param>
    /// <param name="displayName">The name printed on the first line.</param>
    /// <returns>The listing, each line ending in a newline.</returns>
    /// <exception cref="FitsException">A header keyword the listing needs is malformed.</exception>
    public static string Listing(FitsFile file, string displayName)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(displayName);
        var builder = new StringBuilder();
        builder.AppendLine(CultureInfo.InvariantCulture, $"Filename: {displayName}");
        if (file.Compression != FileCompression.None)
        {
            builder.AppendLine(CultureInfo.InvariantCulture, $"Compression: {file.Compression}");
        }

        builder.AppendLine("No.    Name      Ver    Type            Cards   Dimensions          Format");
        foreach (Hdu hdu in file)
        {
            string name = hdu.Name ?? (hdu.Index == 0 ? "PRIMARY" : string.Empty);
            long version = hdu.Header.TryGetInt64("EXTVER", out long v) ? v : 1;
            (string type, string dims, string format) = Describe(hdu);
            builder.AppendLine(CultureInfo.InvariantCulture, $"{hdu.Index,3}  {Truncate(name, 10),-10} {version,3}  {type,-15} {hdu.Header.Count + 1,5}   {dims,-19} {format}");
        }

        foreach (string warning in file.Warnings)
        {
            builder.AppendLine(CultureInfo.InvariantCulture, $"warning: {warning}");
        }

        return builder.ToString();
    }

    /// <summary>Checks DATASUM and CHECKSUM of every HDU, one line per HDU.</summary>
    /// <param name="file">An open file.</param>
    /// <param name="output">Receives the lines as they are computed (those before a refusal stay).</param>
    /// <returns>True when no checksum present is invalid.</returns>
    /// <exception cref="FitsException">An HDU's data is truncated.</exception>
    public static bool Checksums(FitsFile file, StringBuilder output)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(output);
        bool allValid = true;
        foreach (Hdu hdu in file)
        {
            var result = hdu.VerifyChecksums();
            allValid &= result.IsValid;
            output.AppendLine(CultureInfo.InvariantCulture, $"HDU {hdu.Index}: DATASUM {result.DataSum}, CHECKSUM {result.Checksum}");
        }

        return allValid;
    }

    private static (string Type, string Dimensions, string Format) Describe(Hdu hdu) => hdu switch
    {
        CompressedImageHdu c => ("CompImageHDU", Dimensions(c.Axes), $"{PixelType(c.BitPix)} ({c.Parameters.Type})"),
        ImageHdu image => (hdu.Index == 0 ? "PrimaryHDU" : "ImageHDU", Dimensions(image.Axes), image.Axes.Count == 0 ? string.Empty : PixelType(image.BitPix)),
        BinaryTableHdu table => (table.IsCompressedTable ? "CompBinTableHDU" : "BinTableHDU", $"{table.UncompressedRowCount}R x {table.Columns.Count}C", "[" + string.Join(", ", table.BinaryColumns.Select(c => c.Format.Text)) + "]"),
        AsciiTableHdu table => ("TableHDU", $"{table.RowCount}R x {table.Columns.Count}C", "[" + string.Join(", ", table.Columns.Cast<AsciiColumn>().Select(c => $"{c.TypeCode}{c.Width}")) + "]"),
        RandomGroupsHdu groups => ("GroupsHDU", $"{groups.GroupCount} groups, {groups.ParameterCount} parameters, " + Dimensions(groups.GroupAxes), PixelType(groups.BitPix)),
        _ => ("NonstandardHDU", hdu.Extension is null ? "(SIMPLE = F)" : $"XTENSION '{hdu.Extension}'", $"{hdu.DataLength} bytes"),
    };

    private static string Dimensions(IReadOnlyList<long> axes) => "(" + string.Join(", ", axes) + ")";

    private static string PixelType(int bitPix) => bitPix switch
    {
        8 => "uint8",
        16 => "int16",
        32 => "int32",
        64 => "int64",
        -32 => "float32",
        _ => "float64",
    };

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
