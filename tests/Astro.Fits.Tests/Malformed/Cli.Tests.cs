using System.CommandLine;
using Astro.Fits.Writing;
using Astro.Trainer.Commands;

namespace Astro.Fits.Tests.Malformed;

/// <summary>Tests that redirect Console.Error must not run alongside others.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console redirection";
}

/// <summary>
/// The <c>astro fits</c> commands on good and bad files: exit code 0 for good input, 1 for bad input,
/// and one line on stderr, never a stack trace.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class CliTests : IDisposable
{
    private readonly Writing.WritingFixtures.TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    public static TheoryData<string, byte[]> BadFiles() => new()
    {
        { "truncated.fits", MalformedFiles.Hdu(MalformedFiles.Primary(16, 100, 100), dataBytes: 1000, pad: false) },
        { "terabytes.fits", MalformedFiles.Hdu(MalformedFiles.Primary(-64, 1_000_000, 1_000_000), dataBytes: 2880) },
        { "no_end.fits", MalformedFiles.Header(MalformedFiles.Primary(8), end: false) },
        { "not_fits.fits", "GIF89a not a FITS file at all"u8.ToArray() },
        { "empty.fits", [] },
        { "negative_axis.fits", MalformedFiles.Hdu(MalformedFiles.Primary(16, -3)) },
        { "bitpix.fits", MalformedFiles.Hdu(MalformedFiles.Primary(7, 3)) },
    };

    [Fact]
    public void Stats_of_a_good_file_prints_json()
    {
        string path = _directory.File("good.fits");
        File.WriteAllBytes(path, Writing.WritingFixtures.WriteImage(FitsImage.FromPixels(new short[] { 1, 2, 3, 4 }, 2, 2)));
        var output = new StringWriter();

        int code = FitsCommands.Stats(path, output);

        Assert.Equal(0, code);
        Assert.StartsWith("{", output.ToString().TrimStart(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Stats_of_a_bad_file_fails_with_one_line_naming_the_file(string name, byte[] bytes)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, bytes);

        Exception e = Assert.ThrowsAny<Exception>(() => FitsCommands.Stats(path, TextWriter.Null));

        Assert.Equal("CommandException", e.GetType().Name);
        Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void The_command_line_exits_1_with_one_line_and_no_stack_trace(string name, byte[] bytes)
    {
        string path = _directory.File(name);
        File.WriteAllBytes(path, bytes);

        bool headersOnlyGood = name is "truncated.fits" or "terabytes.fits";
        foreach (string command in new[] { "stats", "info", "verify" })
        {
            (int code, string stdout, string stderr) = Run("fits", command, path);
            if (headersOnlyGood && command == "info")
            {
                // info reads headers only: it lists the HDU and warns that the data is cut short.
                Assert.Equal(0, code);
                Assert.Contains("warning: HDU 0: data is truncated", stdout, StringComparison.Ordinal);
                continue;
            }

            Assert.Equal(1, code);
            string[] lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1, $"{command} {name}: stderr was: {stderr}");
            Assert.StartsWith("astro: ", lines[0], StringComparison.Ordinal);
            Assert.Contains(name, lines[0], StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void The_command_line_exits_0_for_a_written_file_and_1_for_a_missing_one()
    {
        string path = _directory.File("written.fits");
        File.WriteAllBytes(path, Writing.WritingFixtures.WriteTable(Writing.SampleFiles.EveryTform(4)));

        Assert.Equal(0, Run("fits", "stats", path).Code);
        Assert.Equal(0, Run("fits", "info", path).Code);
        (int code, string stdout, _) = Run("fits", "verify", path);
        Assert.Equal(0, code);
        Assert.Contains("HDU 1: DATASUM Valid, CHECKSUM Valid", stdout, StringComparison.Ordinal);

        (int missing, _, string stderr) = Run("fits", "stats", _directory.File("nope.fits"));
        Assert.Equal(1, missing);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Verify_exits_1_for_a_bad_checksum()
    {
        string path = Path.Combine(Infrastructure.SharedData.Conformance, "astropy", "io_fits", "checksum_false.fits");

        (int code, string stdout, _) = Run("fits", "verify", path);

        Assert.Equal(1, code);
        Assert.Contains("CHECKSUM Invalid", stdout, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var root = new RootCommand("test");
        root.Subcommands.Add(FitsCommands.Create());
        TextWriter originalOut = Console.Out;
        TextWriter originalError = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = CommandRunner.Run(root, args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(originalOut);
            Console.SetError(originalError);
        }
    }
}
