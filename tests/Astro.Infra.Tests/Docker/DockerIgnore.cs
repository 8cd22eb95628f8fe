namespace Astro.Infra.Tests.Docker;

/// <summary>
/// The .dockerignore subset the repository uses: "name" (a root entry), "**/name" (an entry at any depth), "*.ext" and
/// "**/*.ext" (files by extension), "#" comments. Anything else is rejected so the copy cannot silently differ from
/// what Docker sends.
/// </summary>
internal sealed class DockerIgnore
{
    private readonly List<(bool AnyDepth, string Pattern)> _rules = [];

    public DockerIgnore(string path)
    {
        foreach (string raw in File.ReadAllLines(path))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            bool anyDepth = line.StartsWith("**/", StringComparison.Ordinal);
            string pattern = anyDepth ? line[3..] : line;
            if (pattern.Contains('/', StringComparison.Ordinal) || pattern.StartsWith('!') || pattern.Contains('?', StringComparison.Ordinal)
                || (pattern.Contains('*', StringComparison.Ordinal) && !(pattern.StartsWith("*.", StringComparison.Ordinal) && pattern.IndexOf('*', 1) < 0)))
            {
                throw new NotSupportedException($"{path}: the pattern '{line}' is beyond the subset the tests emulate.");
            }

            _rules.Add((anyDepth, pattern));
        }
    }

    /// <summary>Whether a repository-relative path (forward slashes) is left out of the build context.</summary>
    public bool IsExcluded(string relativePath, bool isDirectory)
    {
        string[] parts = relativePath.Split('/');
        string name = parts[^1];
        bool atRoot = parts.Length == 1;
        foreach ((bool anyDepth, string pattern) in _rules)
        {
            if (!anyDepth && !atRoot)
            {
                continue;
            }

            bool match = pattern.StartsWith("*.", StringComparison.Ordinal)
                ? !isDirectory && name.EndsWith(pattern[1..], StringComparison.Ordinal)
                : name == pattern;
            if (match)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Copies the build context (the repository less the excluded entries) to a folder; returns the file count.</summary>
    public int CopyContext(string root, string destination)
    {
        int count = 0;
        Copy(new DirectoryInfo(root), string.Empty);
        return count;

        void Copy(DirectoryInfo dir, string relative)
        {
            foreach (FileSystemInfo entry in dir.EnumerateFileSystemInfos())
            {
                string rel = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                bool isDir = entry is DirectoryInfo;
                if (IsExcluded(rel, isDir) || entry.LinkTarget is not null)
                {
                    continue;
                }

                string target = System.IO.Path.Combine(destination, rel);
                if (isDir)
                {
                    Directory.CreateDirectory(target);
                    Copy((DirectoryInfo)entry, rel);
                }
                else
                {
                    File.Copy(entry.FullName, target);
                    count++;
                }
            }
        }
    }
}
