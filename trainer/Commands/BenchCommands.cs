using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Astro.Fits;
using Astro.Fits.Compression;
using Astro.Fits.Hdus;
using Astro.Fits.Tables;
using Astro.Fits.Writing;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro bench fits</c>: read throughput of the FITS library on files it makes — a large float32
/// image, a large RICE_1-compressed int32 image and a 400,000-row table — next to astropy on the
/// same files when Debian's python3-astropy is installed.
/// </summary>
internal static class BenchCommands
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measure throughput (figures for the closing notes and docs).");
        var dir = new Option<string?>("--dir") { Description = "Where to write the benchmark files (default: a temporary folder, removed afterwards)." };
        var size = new Option<int>("--size") { Description = "Image side in pixels.", DefaultValueFactory = _ => 4096 };
        var rows = new Option<int>("--rows") { Description = "Table rows.", DefaultValueFactory = _ => 400_000 };
        var repeat = new Option<int>("--repeat") { Description = "Timed repetitions (the median is reported).", DefaultValueFactory = _ => 5 };
        var noAstropy = new Option<bool>("--no-astropy") { Description = "Skip the astropy comparison." };
        var fits = new Command("fits", "FITS read throughput: float32 image, RICE int32 image, 400k-row table.") { dir, size, rows, repeat, noAstropy };
        fits.SetAction(parse => Fits(parse.GetValue(dir), parse.GetValue(size), parse.GetValue(rows), parse.GetValue(repeat), !parse.GetValue(noAstropy)));
        bench.Subcommands.Add(fits);
        bench.Subcommands.Add(FitsBenchCommands.CreateCodecs());
        bench.Subcommands.Add(PredictCommands.CreateBenchPredict());
        bench.Subcommands.Add(TrainBenchCommands.Create());
        bench.Subcommands.Add(ImageTrainCommands.CreateBench());
        return bench;
    }

    private static int Fits(string? dir, int size, int rows, int repeat, bool astropy)
    {
        bool temporary = dir is null;
        dir ??= Path.Combine(Path.GetTempPath(), "astro-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            string image = Path.Combine(dir, "float32.fits");
            string rice = Path.Combine(dir, "rice-int32.fits");
            string table = Path.Combine(dir, "table.fits");
            Console.WriteLine($"writing {size}x{size} float32, {size}x{size} RICE_1 int32 and {rows}-row table files to {dir}");
            WriteFloatImage(image, size);
            WriteRiceImage(rice, size);
            WriteTable(table, rows);

            var results = new List<(string Name, string File, double Seconds, double Megabytes)>
            {
                Measure("float32 image → float32[]", image, repeat, f => ((ImageHdu)f[0]).ReadPhysicalSingle().Length, size * (double)size * 4),
                Measure("RICE_1 int32 image → decode", rice, repeat, f => ((ImageHdu)f[1]).ReadRaw().Length, size * (double)size * 4),
                Measure("400k-row table → all columns", table, repeat, ReadAllColumns, new FileInfo(table).Length),
            };

            Dictionary<string, double>? reference = astropy ? AstropyTimes(image, rice, table, repeat) : null;
            Console.WriteLine();
            Console.WriteLine($"{"read",-32} {"MB",8} {"ours s",9} {"ours MB/s",10} {"astropy s",10} {"astropy MB/s",13}");
            string[] keys = ["image", "rice", "table"];
            for (int i = 0; i < results.Count; i++)
            {
                var r = results[i];
                string theirs = reference is not null && reference.TryGetValue(keys[i], out double s)
                    ? $"{s,10:F3} {r.Megabytes / s,13:F0}"
                    : $"{"-",10} {"-",13}";
                Console.WriteLine($"{r.Name,-32} {r.Megabytes,8:F1} {r.Seconds,9:F3} {r.Megabytes / r.Seconds,10:F0} {theirs}");
            }

            Console.WriteLine("MB = decoded data (images) or file size (table), 10^6 bytes; times are medians of warm runs, file in page cache.");
            return 0;
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static (string, string, double, double) Measure(string name, string path, int repeat, Func<FitsFile, long> read, double bytes)
    {
        var times = new List<double>();
        for (int i = 0; i <= repeat; i++)
        {
            var watch = Stopwatch.StartNew();
            using (FitsFile file = FitsFile.Open(path))
            {
                read(file);
            }

            if (i > 0)
            {
                times.Add(watch.Elapsed.TotalSeconds); // the first run warms up the JIT and the page cache
            }
        }

        times.Sort();
        return (name, path, times[times.Count / 2], bytes / 1e6);
    }

    private static long ReadAllColumns(FitsFile file)
    {
        var table = (BinaryTableHdu)file[1];
        long n = table.ReadColumnsAsDouble(table.Columns.Where(c => c.IsNumeric).ToArray()).Sum(c => (long)c.Length);
        foreach (Column column in table.Columns.Where(c => !c.IsNumeric))
        {
            n += table.ReadStrings(column).Length;
        }

        return n;
    }

    private static void WriteFloatImage(string path, int size)
    {
        var random = new Random(1);
        float[] pixels = new float[(long)size * size];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)(100 + (10 * random.NextDouble()));
        }

        using var writer = new FitsWriter(File.Create(path));
        writer.WriteImage(FitsImage.FromPixels(pixels, size, size));
    }

    /// <summary>A RICE_1 tile-compressed int32 image, one tile per row, as fpack lays it out.</summary>
    private static void WriteRiceImage(string path, int size)
    {
        var random = new Random(2);
        int[] pixels = new int[(long)size * size];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = 1000 + (int)(random.NextDouble() * 200) + (i % size / 64);
        }

        var (header, columns) = TileCompressor.Compress(FitsImage.FromPixels(pixels, size, size));
        using var writer = new FitsWriter(File.Create(path));
        writer.WriteImage(FitsImage.Empty);
        writer.WriteTable(columns, header);
    }

    private static void WriteTable(string path, int rows)
    {
        var random = new Random(3);
        long[] id = new long[rows];
        double[] ra = new double[rows];
        double[] dec = new double[rows];
        float[][] mags = Enumerable.Range(0, 5).Select(_ => new float[rows]).ToArray();
        int[] flags = new int[rows];
        string[] names = new string[rows];
        for (int i = 0; i < rows; i++)
        {
            id[i] = 1_000_000_000L + i;
            ra[i] = random.NextDouble() * 360;
            dec[i] = (random.NextDouble() * 180) - 90;
            for (int b = 0; b < 5; b++)
            {
                mags[b][i] = (float)(18 + (random.NextDouble() * 6));
            }

            flags[i] = random.Next(16);
            names[i] = "J" + i.ToString("D8", CultureInfo.InvariantCulture);
        }

        string[] bands = ["u", "g", "r", "i", "z"];
        var columns = new List<TableColumn>
        {
            new TableColumn<long>("OBJID", id),
            new TableColumn<string>("NAME", names),
            new TableColumn<double>("RA", ra) { Unit = "deg" },
            new TableColumn<double>("DEC", dec) { Unit = "deg" },
        };
        columns.AddRange(bands.Select((b, k) => new TableColumn<float>("MAG_" + b.ToUpperInvariant(), mags[k]) { Unit = "mag" }));
        columns.Add(new TableColumn<int>("FLAGS", flags));
        using var writer = new FitsWriter(File.Create(path));
        writer.WriteTable(columns);
    }

    /// <summary>The same reads with astropy 5.2 (Debian's python3-astropy), timed the same way.</summary>
    private static Dictionary<string, double>? AstropyTimes(string image, string rice, string table, int repeat)
    {
        const string Python = "/usr/bin/python3";
        if (!File.Exists(Python))
        {
            Console.WriteLine("astropy comparison skipped: /usr/bin/python3 not found");
            return null;
        }

        string script = """
            import sys, time, statistics
            from astropy.io import fits
            image, rice, table, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
            def timed(f):
                ts = []
                for i in range(repeat + 1):
                    t = time.perf_counter(); f(); dt = time.perf_counter() - t
                    if i: ts.append(dt)
                return statistics.median(ts)
            def read_image():
                with fits.open(image, memmap=False) as h: h[0].data.sum()
            def read_rice():
                with fits.open(rice) as h: h[1].data.sum()
            def read_table():
                with fits.open(table, memmap=False) as h:
                    d = h[1].data
                    for n in d.columns.names: d[n][:1]
            print("image", timed(read_image)); print("rice", timed(read_rice)); print("table", timed(read_table))
            """;
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "-c", script, image, rice, table, repeat.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"astropy comparison skipped: {error.Trim().Split('\n').LastOrDefault()}");
            return null;
        }

        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' '))
            .ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture));
    }
}
