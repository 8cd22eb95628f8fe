using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Astro.Testing;

/// <summary>
/// A real Azurite started for the test run: <c>node_modules/.bin/azurite --inMemoryPersistence --skipApiVersionCheck</c> on
/// free ports, awaited until it listens, killed at the end. Runs <c>npm ci</c> once when node_modules is missing.
/// </summary>
public sealed class Azurite : IDisposable
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    private readonly Process _process;

    public Azurite()
    {
        string root = RepoRoot();
        string exe = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(exe))
        {
            Run(root, "npm", "ci --no-audit --no-fund --loglevel=error");
        }

        BlobPort = FreePort();
        QueuePort = FreePort();
        TablePort = FreePort();
        var info = new ProcessStartInfo(exe)
        {
            ArgumentList =
            {
                "--inMemoryPersistence", "--skipApiVersionCheck", "--silent",
                "--blobHost", "127.0.0.1", "--blobPort", BlobPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--queueHost", "127.0.0.1", "--queuePort", QueuePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tableHost", "127.0.0.1", "--tablePort", TablePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("azurite did not start");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var watch = Stopwatch.StartNew();
        while (!(Listening(BlobPort) && Listening(QueuePort)))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"azurite exited with code {_process.ExitCode} before listening");
            }

            if (watch.Elapsed > TimeSpan.FromSeconds(120))
            {
                Dispose();
                throw new TimeoutException("azurite did not listen within 120 s");
            }

            Thread.Sleep(50);
        }

        StartSeconds = watch.Elapsed.TotalSeconds;
    }

    public int BlobPort { get; }

    public int QueuePort { get; }

    public int TablePort { get; }

    public double StartSeconds { get; }

    public string ConnectionString =>
        $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:{BlobPort}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{QueuePort}/devstoreaccount1;TableEndpoint=http://127.0.0.1:{TablePort}/devstoreaccount1;";

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process.Dispose();
    }

    public static string RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "package.json")) && Directory.Exists(Path.Combine(d.FullName, "functions")))
            {
                return d.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No repository root (package.json + functions/) above {AppContext.BaseDirectory}.");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static void Run(string dir, string file, string args)
    {
        using Process p = Process.Start(new ProcessStartInfo(file, args) { WorkingDirectory = dir, UseShellExecute = false }) ?? throw new InvalidOperationException($"{file} did not start");
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {args} failed with exit code {p.ExitCode}");
        }
    }
}
