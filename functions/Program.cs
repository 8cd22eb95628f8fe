namespace Astro.Functions;

/// <summary>
/// Entry point of the function app. The WebJobs SDK host and the triggers arrive with the
/// function-app issue; until then the app only reports that it has nothing to run.
/// </summary>
public static class Program
{
    public static int Main()
    {
        Console.Error.WriteLine("astro functions: no triggers are registered yet.");
        return 0;
    }
}
