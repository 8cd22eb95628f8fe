using System.Diagnostics;
using System.Globalization;
using Astro.Inference.Benchmarks;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro bench predict --reference</c>: the whole <c>astro predict</c> process against what a user would write instead
/// (Bench/predict_reference.py: pandas read_csv, asinh and standardisation, the same MLP in PyTorch, to_csv), on the
/// same generated CSV, run alternately in one session; wall time of each whole process, the ratio, and the load average.
/// </summary>
internal static class PredictReferenceBench
{
    private const string Python = "/usr/bin/python3";

    public static int Run(string dir, int rows, int pairs, TextWriter console)
    {
        string package = PredictionBenchmark.Prepare(dir, rows);
        string catalog = PredictionBenchmark.CatalogPath(dir, "csv");
        string script = Path.Combine(AppContext.BaseDirectory, "Bench", "predict_reference.py");
        if (!File.Exists(Python) || !File.Exists(script))
        {
            throw new CommandException($"bench predict --reference needs {Python} and {script}.");
        }

        (string file, string[] prefix) = OurCommand();
        string ours = Path.Combine(dir, "ours.csv");
        string reference = Path.Combine(dir, "reference.csv");
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{rows:N0}-row CSV ({new FileInfo(catalog).Length / 1e6:F1} MB), whole processes, alternating; {Environment.ProcessorCount} cores"));
        console.WriteLine($"{"pair",4} {"astro s",8} {"pandas+torch s",15} {"ratio",6}  load average (1, 5, 15 min) before the pair");
        var ratios = new List<double>();
        var oursSeconds = new List<double>();
        var refSeconds = new List<double>();
        for (int i = 0; i < pairs; i++)
        {
            string load = File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
            // Alternate which one goes first, so a load change within a pair does not always favour the same side.
            double a, b;
            if (i % 2 == 0)
            {
                a = Time(file, [.. prefix, "predict", "--model", package, "--catalog", catalog, "--out", ours]);
                b = Time(Python, [script, package, catalog, reference]);
            }
            else
            {
                b = Time(Python, [script, package, catalog, reference]);
                a = Time(file, [.. prefix, "predict", "--model", package, "--catalog", catalog, "--out", ours]);
            }

            oursSeconds.Add(a);
            refSeconds.Add(b);
            ratios.Add(b / a);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{i + 1,4} {a,8:F2} {b,15:F2} {b / a,6:F2}  {load}"));
        }

        double medianRatio = Median(ratios);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"median: astro {Median(oursSeconds):F2} s ({rows / Median(oursSeconds):N0} rows/s), pandas+torch {Median(refSeconds):F2} s ({rows / Median(refSeconds):N0} rows/s), ratio {medianRatio:F2}"));
        console.WriteLine(Agreement(ours, reference));
        return 0;
    }

    /// <summary>The command that starts this program again: the apphost, or <c>dotnet astro.dll</c>.</summary>
    private static (string File, string[] Prefix) OurCommand()
    {
        string process = Environment.ProcessPath ?? "dotnet";
        string dll = typeof(PredictReferenceBench).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process) == "dotnet" ? (process, [dll]) : (process, []);
    }

    private static double Time(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        double seconds = watch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0)
        {
            throw new CommandException($"{Path.GetFileName(file)} {string.Join(' ', args.Take(2))} failed (exit {process.ExitCode}): {error.Result.Trim().Split('\n').LastOrDefault()}");
        }

        _ = output.Result;
        return seconds;
    }

    /// <summary>Checks that both sides predicted the same thing: same IDs in order, predictions within 1e-4.</summary>
    private static string Agreement(string ours, string reference)
    {
        using var a = new StreamReader(ours);
        using var b = new StreamReader(reference);
        string[] ha = a.ReadLine()!.Split(',');
        string[] hb = b.ReadLine()!.Split(',');
        int ai = Array.IndexOf(ha, "id"), ap = Array.IndexOf(ha, "prediction");
        int bi = Array.IndexOf(hb, "id"), bp = Array.IndexOf(hb, "prediction");
        long n = 0, differ = 0;
        double worst = 0;
        while (a.ReadLine() is { } la && b.ReadLine() is { } lb)
        {
            string[] fa = la.Split(',');
            string[] fb = lb.Split(',');
            n++;
            if (fa[ai] != fb[bi])
            {
                return $"outputs disagree: row {n} has id '{fa[ai]}' here, '{fb[bi]}' in the reference";
            }

            bool na = fa[ap].Length == 0, nb = fb[bp].Length == 0;
            if (na != nb)
            {
                differ++;
                continue;
            }

            if (!na)
            {
                double d = Math.Abs(double.Parse(fa[ap], CultureInfo.InvariantCulture) - double.Parse(fb[bp], CultureInfo.InvariantCulture));
                worst = Math.Max(worst, d);
                differ += d > 1e-4 ? 1 : 0;
            }
        }

        return string.Create(CultureInfo.InvariantCulture, $"agreement: {n:N0} rows, {differ} differ (predicted/not, or |Δ| > 1e-4), largest |Δprediction| {worst:G3}");
    }

    private static double Median(List<double> values)
    {
        var s = values.Order().ToList();
        return s.Count % 2 == 1 ? s[s.Count / 2] : (s[(s.Count / 2) - 1] + s[s.Count / 2]) / 2;
    }
}
