using System.CommandLine;
using Astro.Contract.Packaging;
using Astro.Inference.Images;
using Astro.Inference.Packaging;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Storage;
using Azure;

namespace Astro.Trainer.Commands;

/// <summary>
/// <c>astro model publish --package DIR [--connection CONN] [--name N]</c> and <c>astro model list [--connection CONN]</c>:
/// the model registry in blob storage (<c>models/{name}/{version}/</c>, <c>models/{name}/current</c>).
/// </summary>
/// <remarks>This file is also compiled into Astro.Functions.Tests (the demo test publishes with it), so it uses no other
/// trainer type; failures are <see cref="ModelCommandException"/> (one line).</remarks>
internal static class ModelCommands
{
    /// <summary>The environment variable read when <c>--connection</c> is not given (the function app's setting name).</summary>
    public const string ConnectionVariable = "AzureWebJobsStorage";

    public static Command Create()
    {
        var model = new Command("model", "Publish model packages to blob storage and list what is published.");
        var package = new Option<string>("--package") { Description = "The model package folder (manifest.json, model.onnx, profile.json).", Required = true };
        var connection = new Option<string?>("--connection") { Description = $"Azure Storage connection string (default: the {ConnectionVariable} environment variable)." };
        var name = new Option<string?>("--name") { Description = "Publish under this model name instead of the manifest's (the manifest is rewritten in a temporary copy)." };
        var container = new Option<string>("--container") { Description = "The models container.", DefaultValueFactory = _ => StorageLayoutDefaults.ModelsContainer };
        var publish = new Command("publish", "Upload a package as {name}/{version}/, verify every upload (MD5), move {name}/current, send model-published.")
        {
            package, connection, name, container,
        };
        publish.SetAction(parse => Run(async () =>
        {
            AstroStorage storage = Connect(parse.GetValue(connection), parse.GetValue(container));
            PublishedModel p = await ModelPublisher.PublishAsync(storage, parse.GetRequiredValue(package), parse.GetValue(name)).ConfigureAwait(false);
            Console.WriteLine($"published {p.Name} {p.Version}: {p.Files} file(s), {p.Bytes:N0} bytes in {storage.Layout.ModelsContainer}/{p.Name}/{p.Version}/; current -> {p.Version}; model-published sent");
        }));

        var listConnection = new Option<string?>("--connection") { Description = $"Azure Storage connection string (default: the {ConnectionVariable} environment variable)." };
        var listContainer = new Option<string>("--container") { Description = "The models container.", DefaultValueFactory = _ => StorageLayoutDefaults.ModelsContainer };
        var list = new Command("list", "List published models: name, current version, profile, target, versions stored.") { listConnection, listContainer };
        list.SetAction(parse => Run(async () =>
        {
            AstroStorage storage = Connect(parse.GetValue(listConnection), parse.GetValue(listContainer));
            IReadOnlyList<PublishedModelInfo> models = await ModelPublisher.ListAsync(storage).ConfigureAwait(false);
            if (models.Count == 0)
            {
                Console.WriteLine($"no models published in {storage.Layout.ModelsContainer}");
                return;
            }

            Console.WriteLine($"{"name",-28} {"current",-18} {"profile",-28} {"target",-12} versions");
            foreach (PublishedModelInfo m in models)
            {
                Console.WriteLine($"{m.Name,-28} {m.Current ?? "(none)",-18} {m.Profile ?? "?",-28} {m.Target ?? "?",-12} {string.Join(" ", m.Versions)}");
            }
        }));
        model.Subcommands.Add(publish);
        model.Subcommands.Add(list);
        return model;
    }

    /// <summary>Creates the storage roles from <paramref name="connection"/> or the environment.</summary>
    public static AstroStorage Connect(string? connection, string? modelsContainer = null)
    {
        connection ??= Environment.GetEnvironmentVariable(ConnectionVariable);
        if (string.IsNullOrWhiteSpace(connection))
        {
            throw new ModelCommandException($"no storage connection: pass --connection or set {ConnectionVariable} (for Azurite: conn=$(scripts/azurite.sh start))");
        }

        var layout = new StorageLayoutOptions();
        if (!string.IsNullOrWhiteSpace(modelsContainer))
        {
            layout.ModelsContainer = modelsContainer;
        }

        IReadOnlyList<string> problems = layout.Validate();
        if (problems.Count > 0)
        {
            throw new ModelCommandException($"--container: {string.Join("; ", problems)}");
        }

        try
        {
            return new AstroStorage(new AzureStorageProvider(StorageConnection.Parse(connection, "--connection")), layout);
        }
        catch (FormatException e)
        {
            throw new ModelCommandException(e.Message, e);
        }
    }

    private static int Run(Func<Task> action)
    {
        try
        {
            action().GetAwaiter().GetResult();
            return 0;
        }
        catch (Exception e) when (ModelPublisher.Describe(e) is string line)
        {
            Console.Error.WriteLine($"astro: {line}");
            return 1;
        }
    }
}

/// <summary>A user-facing failure of the model commands; the message is the line to print.</summary>
internal sealed class ModelCommandException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>What <see cref="ModelPublisher.PublishAsync"/> published.</summary>
internal sealed record PublishedModel(string Name, string Version, string Profile, int Files, long Bytes);

/// <summary>One model in the models container.</summary>
internal sealed record PublishedModelInfo(string Name, string? Current, string? Profile, string? Target, IReadOnlyList<string> Versions);

/// <summary>Publishing and listing through <see cref="ModelRegistry"/> (shared by <c>astro model</c> and <c>astro demo</c>).</summary>
internal static class ModelPublisher
{
    /// <summary>
    /// Publishes a package with <see cref="ModelRegistry.PublishAsync"/> (upload, MD5 check, the <c>current</c> pointer, then
    /// a model-published message so running hosts load it now).
    /// </summary>
    /// <param name="storage">The storage clients.</param>
    /// <param name="packageDirectory">The package folder.</param>
    /// <param name="name">Another model name, or null for the manifest's.</param>
    /// <param name="cancellationToken">Cancels the upload.</param>
    /// <returns>What was published.</returns>
    /// <exception cref="ModelCommandException">The folder is missing or not a valid package.</exception>
    public static async Task<PublishedModel> PublishAsync(AstroStorage storage, string packageDirectory, string? name = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (!Directory.Exists(packageDirectory))
        {
            throw new ModelCommandException($"{packageDirectory}: no such package folder");
        }

        // Catalog packages are checked by ModelPackage, image packages (a manifest with an image section) by ImagePackage.
        ModelManifest manifest = LoadManifest(packageDirectory, packageDirectory);
        string? copy = null;
        try
        {
            string source = packageDirectory;
            if (!string.IsNullOrWhiteSpace(name) && name != manifest.Name)
            {
                copy = Path.Combine(Path.GetTempPath(), "astro-publish-" + Guid.NewGuid().ToString("N")[..8]);
                CopyDirectory(source, copy);
                ModelManifest renamed = manifest with { Name = name };
                await File.WriteAllTextAsync(Path.Combine(copy, ModelPackage.ManifestFileName), renamed.ToJson(), cancellationToken).ConfigureAwait(false);
                manifest = LoadManifest(copy, $"--name {name}");
                source = copy;
            }

            await storage.EnsureCreatedAsync(cancellationToken).ConfigureAwait(false);
            var registry = new ModelRegistry(storage, new ModelRegistryOptions());
            (string n, string v) = await registry.PublishAsync(source, cancellationToken).ConfigureAwait(false);
            string[] files = Directory.GetFiles(source, "*", SearchOption.AllDirectories);
            return new PublishedModel(n, v, manifest.Profile, files.Length, files.Sum(f => new FileInfo(f).Length));
        }
        finally
        {
            if (copy is not null)
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }

    private static ModelManifest LoadManifest(string directory, string mention)
    {
        try
        {
            return ImagePackage.IsImagePackage(directory) ? ImagePackage.Load(directory).Manifest : ModelPackage.Load(directory).Manifest;
        }
        catch (ModelPackageException e)
        {
            throw new ModelCommandException(Mention(mention, e.Message), e);
        }
    }

    /// <summary>Lists the models container: every <c>{name}/</c> with its current version, profile, target and stored versions.</summary>
    public static async Task<IReadOnlyList<PublishedModelInfo>> ListAsync(AstroStorage storage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var registry = new ModelRegistry(storage, new ModelRegistryOptions());
        var result = new List<PublishedModelInfo>();
        foreach (string name in await registry.ListNamesAsync(cancellationToken).ConfigureAwait(false))
        {
            IReadOnlyList<string> versions = await registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false);
            string? current = await registry.ReadCurrentVersionAsync(name, cancellationToken).ConfigureAwait(false);
            string? profile = null;
            string? target = null;
            if (current is not null)
            {
                try
                {
                    ModelManifest? manifest = await registry.ReadManifestAsync(name, current, cancellationToken).ConfigureAwait(false);
                    profile = manifest?.Profile;
                    target = manifest?.Target.Name;
                }
                catch (ModelPackageException)
                {
                    profile = "(invalid manifest)";
                }
            }

            result.Add(new PublishedModelInfo(name, current, profile, target, [.. versions.Order(StringComparer.Ordinal)]));
        }

        return result;
    }

    /// <summary>One line for a failure the user can act on, or null for a bug.</summary>
    public static string? Describe(Exception e) => e switch
    {
        ModelCommandException m => m.Message,
        ModelPackageException p => p.Message.ReplaceLineEndings(" "),
        RequestFailedException { Status: 0 } r => $"cannot reach storage: {(r.InnerException ?? r).Message.Split('\n')[0].Trim()} (is Azurite running? conn=$(scripts/azurite.sh start))",
        RequestFailedException r => $"storage refused the request ({r.Status} {r.ErrorCode}): {r.Message.Split('\n')[0].Trim()}",
        AggregateException a when a.InnerExceptions.Count > 0 => a.InnerExceptions[0] is RequestFailedException { Status: 0 } or HttpRequestException
            ? $"cannot reach storage: {a.InnerExceptions[^1].Message.Split('\n')[0].Trim()} after {a.InnerExceptions.Count} tries (is Azurite running? conn=$(scripts/azurite.sh start))"
            : Describe(a.InnerExceptions[0]),
        HttpRequestException h => $"cannot reach storage: {h.Message.ReplaceLineEndings(" ")} (is Azurite running?)",
        IOException or UnauthorizedAccessException => e.Message.ReplaceLineEndings(" "),
        OperationCanceledException => "cancelled",
        _ => null,
    };

    private static string Mention(string directory, string message)
    {
        message = message.ReplaceLineEndings(" ");
        return message.Contains(directory, StringComparison.Ordinal) ? message : $"{directory}: {message}";
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
