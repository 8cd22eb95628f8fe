using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Astro.Fits;
using Astro.Fits.Compression;
using Astro.Fits.Hdus;
using Astro.Fits.Statistics;
using Astro.Fits.Tables;

namespace Astro.Trainer.Commands;

/// <summary><c>astro fits stats|info|verify FILE</c>.</summary>
internal static class FitsCommands
{
    public static Command Create()
    {
        var fits = new Command("fits", "Inspect FITS files.");

        var statsFile = new Argument<string>("file") { Description = "A FITS file (.fits, .fz, .gz, .bz2, .Z)." };
        var stats = new Command("stats", "Print per-HDU statistics of physical values as one JSON object.") { statsFile };
        stats.SetAction(parse => Stats(parse.GetRequiredValue(statsFile), Console.Out));

        var infoFile = new Argument<string>("file") { Description = "A FITS file." };
        var info = new Command("info", "List the HDUs of a FITS file, like astropy's fitsinfo.") { infoFile };
        info.SetAction(parse => Info(parse.GetRequiredValue(infoFile), Console.Out));

        var verifyFile = new Argument<string>("file") { Description = "A FITS file." };
        var verify = new Command("verify", "Check DATASUM and CHECKSUM of every HDU; exit 1 when any is wrong.") { verifyFile };
        verify.SetAction(parse => Verify(parse.GetRequiredValue(verifyFile), Console.Out));

        fits.Subcommands.Add(stats);
        fits.Subcommands.Add(info);
        fits.Subcommands.Add(verify);
        return fits;
    }

    internal static int Stats(string path, TextWriter output)
    {
        string json = WithFile(path, file => FitsStatisticsJson.Serialize(FitsStatisticsCalculator.Compute(file)));
        output.WriteLine(json);
        return 0;
    }

    internal static int Info(string path, TextWriter output)
    {
        string text = WithFile(path, file =>
        {
            var builder = new StringBuilder();
            builder.AppendLine(CultureInfo.InvariantCulture, $"Filename: {path}");
            if (file.Compression != Fits.IO.FileCompression.None)
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
        });
        output.Write(text);
        return 0;
    }

    internal static int Verify(string path, TextWriter output)
    {
        bool ok = WithFile(path, file =>
        {
            bool allValid = true;
            foreach (Hdu hdu in file)
            {
                var result = hdu.VerifyChecksums();
                allValid &= result.IsValid;
                output.WriteLine($"HDU {hdu.Index}: DATASUM {result.DataSum}, CHECKSUM {result.Checksum}");
            }

            return allValid;
        });
        return ok ? 0 : 1;
    }

    private static (string Type, string Dimensions, string Format) Describe(Hdu hdu) => hdu switch
    {
        CompressedImageHdu c => ("CompImageHDU", Dimensions(c.Axes), $"{PixelType(c.BitPix)} ({c.Parameters.Type})"),
        ImageHdu image => (hdu.Index == 0 ? "PrimaryHDU" : "ImageHDU", Dimensions(image.Axes), image.Axes.Count == 0 ? string.Empty : PixelType(image.BitPix)),
        BinaryTableHdu table => (table.IsCompressedTable ? "CompBinTableHDU" : "BinTableHDU", $"{table.UncompressedRowCount}R x {table.Columns.Count}C", "[" + string.Join(", ", table.BinaryColumns.Select(c => c.Format.Text)) + "]"),
        AsciiTableHdu table => ("TableHDU", $"{table.RowCount}R x {table.Columns.Count}C", "[" + string.Join(", ", table.Columns.Cast<AsciiColumn>().Select(c => $"{c.TypeCode}{c.Width}")) + "]"),
        RandomGroupsHdu groups => ("GroupsHDU", $"{groups.GroupCount} groups, {groups.ParameterCount} parameters, " + Dimensions(groups.GroupAxes), PixelType(groups.BitPix)),
        _ => ($"NonstandardHDU", hdu.Extension is null ? "(SIMPLE = F)" : $"XTENSION '{hdu.Extension}'", $"{hdu.DataLength} bytes"),
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

    private static T WithFile<T>(string path, Func<FitsFile, T> action)
    {
        if (!File.Exists(path))
        {
            throw new CommandException($"{path}: no such file");
        }

        try
        {
            using FitsFile file = FitsFile.Open(path);
            return action(file);
        }
        catch (FitsException e)
        {
            throw new CommandException($"{path}: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new CommandException($"{path}: {e.Message.ReplaceLineEndings(" ")}", e);
        }
    }
}
