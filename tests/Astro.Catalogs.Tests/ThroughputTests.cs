using System.Diagnostics;
using System.Globalization;
using System.Text;
using Astro.Catalogs.Models;
using Xunit.Abstractions;

namespace Astro.Catalogs.Tests;

public class ThroughputTests(ITestOutputHelper output)
{
    /// <summary>Reader speed on a 22-column numeric CSV (1,000,000 rows, ~190 MB). Skipped by default: remove Skip to measure.</summary>
    [Fact(Skip = "Benchmark: run by hand (remove Skip); measured 2026-11-23, see the report in the PR.")]
    public void ReadsOneMillionRowsOf22Columns()
    {
        const int rows = 1_000_000;
        string dir = Directory.CreateTempSubdirectory("astro-catalogs-bench-").FullName;
        try
        {
            string path = Path.Combine(dir, "bench.csv");
            string[] names = [.. Enumerable.Range(0, 21).Select(i => "f" + i), "z"];
            var rng = new Random(42);
            using (var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20))
            {
                w.Write("id,");
                w.WriteLine(string.Join(',', names));
                for (int r = 0; r < rows; r++)
                {
                    w.Write(r);
                    for (int c = 0; c < 22; c++)
                    {
                        w.Write(',');
                        w.Write((rng.NextDouble() * 100).ToString("0.######", CultureInfo.InvariantCulture));
                    }

                    w.Write('\n');
                }
            }

            string bands = string.Join(",", Enumerable.Range(0, 21).Select(i => $$"""{ "name": "b{{i}}", "column": "f{{i}}", "unit": "uJy" }"""));
            SurveyProfile p = SurveyProfile.Parse($$"""
                { "formatVersion": 1, "name": "bench", "description": "bench", "bands": [ {{bands}} ],
                  "redshift": { "column": "z" }, "model": { "representation": "fluxMicroJansky", "includeRedshift": true } }
                """);
            var reader = new CatalogReader(p);
            for (int round = 0; round < 3; round++)
            {
                var sw = Stopwatch.StartNew();
                long n = 0;
                using (CatalogReadSession s = reader.Open(path))
                {
                    foreach (CatalogChunk chunk in s.ReadChunks())
                    {
                        n += chunk.RowCount;
                    }
                }

                sw.Stop();
                output.WriteLine($"round {round}: {n} rows in {sw.Elapsed.TotalSeconds:F2} s = {n / sw.Elapsed.TotalSeconds:N0} rows/s, {new FileInfo(path).Length / sw.Elapsed.TotalSeconds / 1e6:F0} MB/s");
                Assert.Equal(rows, n);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
