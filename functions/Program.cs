using Astro.Functions.Hosting;

namespace Astro.Functions;

/// <summary>
/// Entry point of the function app: the WebJobs SDK host (blob, queue and timer triggers) with the HTTP functions on
/// Kestrel. Settings come from appsettings.json, environment variables (<c>Astro__Http__Port</c>) and the command line
/// (<c>--Astro:Http:Port=7071</c>); see <see cref="SettingKeys"/>.
/// </summary>
public static class Program
{
    /// <summary>Runs the host.</summary>
    /// <param name="args">Command-line settings.</param>
    /// <returns>0 on a clean stop, 1 when storage is unreachable, 2 for invalid settings.</returns>
    public static Task<int> Main(string[] args) => FunctionHost.RunAsync(args);
}
