using Astro.Build.ElfVersionPatch;

// Usage: ElfVersionPatch <file.so> <VERSION> [--system-lib <path>] [--forbid-under <dir>]...
// Prints exactly one line saying what it did or why it did nothing. Exit 0 on success or no-op,
// 1 on a malformed file, 2 on bad usage or a refused path.
const string Tag = "ElfVersionPatch:";

if (args.Length < 2)
{
    Console.Error.WriteLine($"{Tag} usage: ElfVersionPatch <file.so> <VERSION> [--system-lib <path>] [--forbid-under <dir>]...");
    return 2;
}

string target = Path.GetFullPath(args[0]);
string version = args[1];
string systemLib = "/usr/lib/x86_64-linux-gnu/libstdc++.so.6";
var forbidden = new List<string>();
for (int i = 2; i < args.Length; i++)
{
    if (args[i] == "--system-lib" && i + 1 < args.Length)
    {
        systemLib = args[++i];
    }
    else if (args[i] == "--forbid-under" && i + 1 < args.Length)
    {
        string dir = args[++i].Trim();
        if (dir.Length > 0)
        {
            forbidden.Add(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)) + Path.DirectorySeparatorChar);
        }
    }
    else
    {
        Console.Error.WriteLine($"{Tag} unknown argument '{args[i]}'");
        return 2;
    }
}

string name = Path.GetFileName(target);
if (!OperatingSystem.IsLinux())
{
    Console.WriteLine($"{Tag} {name}: not on Linux, nothing to do.");
    return 0;
}

if (forbidden.Exists(dir => target.StartsWith(dir, StringComparison.Ordinal)))
{
    Console.Error.WriteLine($"{Tag} {target} lies in a protected folder (the NuGet cache?); refusing to patch it.");
    return 2;
}

if (!File.Exists(target))
{
    Console.Error.WriteLine($"{Tag} {target} does not exist.");
    return 2;
}

try
{
    byte[] bytes = File.ReadAllBytes(target);
    List<ElfVersionNeed> needs = ElfVersionPatcher.ReadVersionNeeds(bytes).FindAll(n => n.Version == version);
    if (needs.Count == 0)
    {
        Console.WriteLine($"{Tag} {name} does not require {version}; nothing to do.");
        return 0;
    }

    string from = needs[0].File;
    if (needs.TrueForAll(n => n.IsWeak))
    {
        Console.WriteLine($"{Tag} {name}: {version} (from {from}) is already weak; nothing to do.");
        return 0;
    }

    if (SystemProvides(systemLib, version))
    {
        Console.WriteLine($"{Tag} {name}: {systemLib} provides {version}; nothing to do.");
        return 0;
    }

    ElfVersionPatcher.TryMarkWeak(bytes, version, out _);
    ReplaceKeepingTimestamps(target, bytes);
    string why = File.Exists(systemLib) ? $"{systemLib} lacks it" : $"{systemLib} not found";
    Console.WriteLine($"{Tag} {name}: marked {version} (from {from}) weak (VER_FLG_WEAK) in {target}; {why}.");
    return 0;
}
catch (ElfFormatException ex)
{
    Console.Error.WriteLine($"{Tag} {target} is not a usable ELF64 little-endian file: {ex.Message}");
    return 1;
}

// True when the library defines the version (its .gnu.version_d); falls back to a byte search if
// the library cannot be parsed. A missing library counts as "does not provide".
static bool SystemProvides(string path, string version)
{
    if (!File.Exists(path))
    {
        return false;
    }

    byte[] lib = File.ReadAllBytes(path);
    try
    {
        return ElfVersionPatcher.ReadVersionDefinitions(lib).Contains(version);
    }
    catch (ElfFormatException)
    {
        byte[] needle = [.. System.Text.Encoding.ASCII.GetBytes(version), 0];
        return lib.AsSpan().IndexOf(needle) >= 0;
    }
}

// Writes a new file and renames it over the target: a hard link or symlink into the NuGet cache is
// replaced, never written through. The timestamps are kept so MSBuild's copy-if-changed check
// (size + last write time) keeps skipping the file on later builds instead of re-copying the original.
static void ReplaceKeepingTimestamps(string target, byte[] bytes)
{
    DateTime lastWrite = File.GetLastWriteTimeUtc(target);
    string temp = target + ".elfpatch.tmp";
    File.WriteAllBytes(temp, bytes);
    if (!OperatingSystem.IsWindows())
    {
        File.SetUnixFileMode(temp, File.GetUnixFileMode(target));
    }

    File.SetLastWriteTimeUtc(temp, lastWrite);
    File.Move(temp, target, overwrite: true);
}
