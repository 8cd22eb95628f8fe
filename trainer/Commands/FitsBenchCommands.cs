using System.CommandLine;
using Astro.Fits.Benchmarks;

namespace Astro.Trainer.Commands;

/// <summary>FITS benchmarks of the <c>bench</c> group besides <c>bench fits</c>: <c>bench codecs</c>.</summary>
internal static class FitsBenchCommands
{
    /// <summary><c>bench codecs [--width 1024] [--rows 1024] [--seconds 2]</c>.</summary>
    public static Command CreateCodecs()
    {
        var width = new Option<int>("--width") { Description = "Pixels per row; one tile per row.", DefaultValueFactory = _ => 1024 };
        var rows = new Option<int>("--rows") { Description = "Rows (tiles).", DefaultValueFactory = _ => 1024 };
        var seconds = new Option<double>("--seconds") { Description = "Timed window per codec.", DefaultValueFactory = _ => 2.0 };
        var command = new Command("codecs", "Tile decode speed of RICE_1, GZIP_1 and GZIP_2 on a noisy int32 image, one core, no I/O.") { width, rows, seconds };
        command.SetAction(parse => Codecs(parse.GetValue(width), parse.GetValue(rows), parse.GetValue(seconds), Console.Out));
        return command;
    }

    private static int Codecs(int width, int rows, double seconds, TextWriter output)
    {
        if (width <= 0 || rows <= 0 || seconds <= 0)
        {
            throw new CommandException("--width, --rows and --seconds must be positive");
        }

        output.WriteLine($"{width}x{rows} int32 image (noise σ 40), one tile per row, {seconds:F1} s per codec");
        output.WriteLine($"{"codec",-8} {"compressed MB",14} {"ratio",6} {"passes",7} {"decoded MB/s",13}");
        foreach (CodecBenchmarkResult r in CodecBenchmark.Run(width, rows, TimeSpan.FromSeconds(seconds)))
        {
            output.WriteLine($"{r.Codec,-8} {r.CompressedBytes / 1e6,14:F2} {r.DecodedBytes / (double)r.CompressedBytes,6:F2} {r.Passes,7} {r.DecodedMegabytesPerSecond,13:F0}");
        }

        output.WriteLine("MB = 10^6 bytes of decoded pixels; run under flock /work/bench.lock and report the load average.");
        return 0;
    }
}
