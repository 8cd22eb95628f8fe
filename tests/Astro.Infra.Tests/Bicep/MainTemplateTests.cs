using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Astro.Infra.Tests.Infrastructure;

namespace Astro.Infra.Tests.Bicep;

/// <summary>
/// infra/main.bicep compiles with no error and no warning, and the deployment it describes (evaluated offline by
/// <c>bicep snapshot</c>) has the storage layout, the Event Grid route, the least roles, the KEDA rules, the GPU
/// workload profile and identity-based settings.
/// </summary>
public sealed class MainTemplateTests
{
    // Built-in role definition IDs (the same in every tenant).
    private const string BlobDataContributor = "ba92f5b4-2d11-453d-a403-e96b0029c9fe";
    private const string BlobDataReader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    private const string QueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string QueueDataMessageSender = "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a";
    private const string AcrPull = "7f951dda-4ed3-4680-a7ca-43fe172d538d";

    private const string TestFunctionKey = "test-function-key-0123456789";

    private static readonly string[] s_containers = ["catalogs", "cutouts", "models", "predictions", "quarantine", "training-data"];
    private static readonly string[] s_queues = ["blob-events", "catalog-chunks", "model-published", "training-jobs"];

    private static string MainBicep => Path.Combine(RepoPaths.Infra, "main.bicep");

    [Fact]
    public void MainTemplateBuildsWithoutWarnings()
    {
        (BicepResult result, JsonObject? template) = s_build.Value;

        result.EnsureClean();
        Assert.NotNull(template);
        Assert.Equal("2.0", (string?)template["languageVersion"]);
    }

    [Fact]
    public void ExampleParametersFileBuilds()
    {
        var environment = new Dictionary<string, string> { ["ASTRO_FUNCTION_KEY"] = TestFunctionKey };
        BicepResult result = BicepCli.Run(RepoPaths.Infra, environment, "build-params", Path.Combine(RepoPaths.Infra, "main.bicepparam"), "--stdout");

        result.EnsureClean();
        JsonNode parameters = JsonNode.Parse((string)JsonNode.Parse(result.Process.StandardOutput)!["parametersJson"]!)!["parameters"]!;
        Assert.Equal(TestFunctionKey, (string?)parameters["functionKey"]!["value"]);
    }

    [Fact]
    public void ArmTemplateHoldsEveryResourceTypeAndRole()
    {
        (BicepResult result, JsonObject? template) = s_build.Value;
        result.EnsureClean();

        var types = new HashSet<string>(StringComparer.Ordinal);
        CollectTypes(template!, types);
        string[] expected =
        [
            "Microsoft.Storage/storageAccounts", "Microsoft.Storage/storageAccounts/blobServices/containers",
            "Microsoft.Storage/storageAccounts/queueServices/queues", "Microsoft.EventGrid/systemTopics",
            "Microsoft.EventGrid/systemTopics/eventSubscriptions", "Microsoft.OperationalInsights/workspaces",
            "Microsoft.Insights/components", "Microsoft.ManagedIdentity/userAssignedIdentities",
            "Microsoft.Authorization/roleAssignments", "Microsoft.App/managedEnvironments", "Microsoft.App/containerApps",
            "Microsoft.App/jobs",
        ];
        Assert.All(expected, t => Assert.Contains(t, types));

        string json = template!.ToJsonString();
        Assert.All([BlobDataContributor, BlobDataReader, QueueDataContributor, QueueDataMessageSender, AcrPull], id => Assert.Contains(id, json, StringComparison.Ordinal));
        Assert.Contains("Consumption-GPU-NC8as-T4", json, StringComparison.Ordinal);
        Assert.Contains("Consumption-GPU-NC24-A100", json, StringComparison.Ordinal);
        Assert.Contains("azure-queue", json, StringComparison.Ordinal);
    }

    [Fact]
    public void StorageAccountIsLockedDownWithTheAppsContainersAndQueues()
    {
        Snapshot snapshot = Deploy();

        JsonObject account = snapshot.Single("Microsoft.Storage/storageAccounts");
        JsonNode props = account["properties"]!;
        Assert.Equal("StorageV2", (string?)account["kind"]);
        Assert.Equal("TLS1_2", (string?)props["minimumTlsVersion"]);
        Assert.False((bool)props["allowBlobPublicAccess"]!);
        Assert.False((bool)props["allowSharedKeyAccess"]!);
        Assert.True((bool)props["supportsHttpsTrafficOnly"]!);
        Assert.StartsWith("astro", (string)account["name"]!, StringComparison.Ordinal);
        Assert.InRange(((string)account["name"]!).Length, 3, 24);

        Assert.Equal(s_containers, snapshot.ChildNames("Microsoft.Storage/storageAccounts/blobServices/containers"));
        Assert.All(snapshot.OfType("Microsoft.Storage/storageAccounts/blobServices/containers"), c => Assert.Equal("None", (string?)c["properties"]!["publicAccess"]));
        string[] queuesAndPoison = [.. s_queues.SelectMany(q => new[] { q, q + "-poison" }).Order(StringComparer.Ordinal)];
        Assert.Equal(queuesAndPoison, snapshot.ChildNames("Microsoft.Storage/storageAccounts/queueServices/queues"));
    }

    [Fact]
    public void BlobCreatedEventsOfCutoutsAndCatalogsGoToTheBlobEventsQueueWithTheTopicsIdentity()
    {
        Snapshot snapshot = Deploy();

        JsonObject topic = snapshot.Single("Microsoft.EventGrid/systemTopics");
        Assert.Equal("Microsoft.Storage.StorageAccounts", (string?)topic["properties"]!["topicType"]);
        Assert.EndsWith("/storageAccounts/" + StorageName(snapshot), (string)topic["properties"]!["source"]!, StringComparison.Ordinal);

        JsonNode props = snapshot.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions")["properties"]!;
        Assert.Equal(["Microsoft.Storage.BlobCreated"], props["filter"]!["includedEventTypes"]!.AsArray().Select(n => (string)n!));
        JsonNode filter = Assert.Single(props["filter"]!["advancedFilters"]!.AsArray())!;
        Assert.Equal("StringBeginsWith", (string?)filter["operatorType"]);
        Assert.Equal("subject", (string?)filter["key"]);
        Assert.Equal(["/blobServices/default/containers/cutouts/", "/blobServices/default/containers/catalogs/"], filter["values"]!.AsArray().Select(n => (string)n!));
        JsonNode destination = props["deliveryWithResourceIdentity"]!["destination"]!;
        Assert.Equal("StorageQueue", (string?)destination["endpointType"]);
        Assert.Equal("blob-events", (string?)destination["properties"]!["queueName"]);
        Assert.Equal("SystemAssigned", (string?)props["deliveryWithResourceIdentity"]!["identity"]!["type"]);

        RoleAssignment send = Assert.Single(snapshot.RoleAssignments(), r => r.Principal == "astro-storage-events");
        Assert.Equal(QueueDataMessageSender, send.RoleId);
        Assert.EndsWith("/queueServices/default/queues/blob-events", send.Scope, StringComparison.Ordinal);
    }

    [Fact]
    public void IdentitiesGetTheLeastRolesTheyNeed()
    {
        Snapshot snapshot = Deploy(s_custom);
        string account = $"/storageAccounts/{StorageName(snapshot)}";

        var functions = snapshot.RoleAssignments().Where(r => r.Principal == "astro-func-id").Select(r => (r.RoleId, Scope: Tail(r.Scope, account))).ToHashSet();
        Assert.Equal(
            new HashSet<(string, string)> { (BlobDataContributor, ""), (QueueDataContributor, ""), (AcrPull, "registry:astroacr") },
            functions);

        var trainer = snapshot.RoleAssignments().Where(r => r.Principal == "astro-trainer-id").Select(r => (r.RoleId, Scope: Tail(r.Scope, account))).ToHashSet();
        Assert.Equal(
            new HashSet<(string, string)>
            {
                (BlobDataReader, "/blobServices/default/containers/training-data"),
                (BlobDataContributor, "/blobServices/default/containers/models"),
                (QueueDataContributor, "/queueServices/default/queues/training-jobs"),
                (QueueDataMessageSender, "/queueServices/default/queues/training-jobs-poison"),
                (QueueDataMessageSender, "/queueServices/default/queues/model-published"),
                (AcrPull, "registry:astroacr"),
            },
            trainer);

        // No role anywhere is Owner-like or wider than the account.
        Assert.All(snapshot.RoleAssignments(), r => Assert.DoesNotMatch("/resourceGroups/[^/]+$", r.Scope));
    }

    [Fact]
    public void WithoutARegistryNoAcrPullIsAssignedAndImagesArePublicNames()
    {
        Snapshot snapshot = Deploy();

        Assert.DoesNotContain(snapshot.RoleAssignments(), r => r.RoleId == AcrPull);
        JsonObject app = snapshot.Single("Microsoft.App/containerApps");
        Assert.Equal("astro-functions:latest", (string?)Container(app)["image"]);
        Assert.Empty(app["properties"]!["configuration"]!["registries"]!.AsArray());
    }

    [Fact]
    public void FunctionHostScalesOnTheWorkQueuesWithItsIdentityAndServesHttp()
    {
        Snapshot snapshot = Deploy(s_custom);

        JsonObject app = snapshot.Single("Microsoft.App/containerApps");
        JsonNode props = app["properties"]!;
        Assert.Equal("Consumption", (string?)props["workloadProfileName"]);
        Assert.True((bool)props["configuration"]!["ingress"]!["external"]!);
        Assert.Equal(8080, (int)props["configuration"]!["ingress"]!["targetPort"]!);
        Assert.Contains("astro-func-id", app["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key).Single(), StringComparison.Ordinal);

        JsonNode scale = props["template"]!["scale"]!;
        Assert.Equal(20, (int)scale["maxReplicas"]!);
        var queueRules = scale["rules"]!.AsArray().Where(r => r!["custom"] is not null).Select(r => r!["custom"]!).ToList();
        Assert.Equal(["catalog-chunks", "blob-events"], queueRules.Select(r => (string)r["metadata"]!["queueName"]!));
        Assert.All(queueRules, r =>
        {
            Assert.Equal("azure-queue", (string?)r["type"]);
            Assert.Equal(StorageName(snapshot), (string?)r["metadata"]!["accountName"]);
            Assert.EndsWith("/userAssignedIdentities/astro-func-id", (string)r["identity"]!, StringComparison.Ordinal);
            Assert.Null(r["auth"]);
        });
        Assert.Contains(scale["rules"]!.AsArray(), r => r!["http"] is not null);

        JsonNode health = Container(app)["probes"]!.AsArray().First(p => (string?)p!["type"] == "Readiness")!;
        Assert.Equal("/api/health", (string?)health["httpGet"]!["path"]);
    }

    [Theory]
    [InlineData("Consumption-GPU-NC8as-T4", 8.0, "56Gi")]
    [InlineData("Consumption-GPU-NC24-A100", 24.0, "220Gi")]
    public void TrainerIsAnEventJobOnTheGpuProfileStartedByTrainingJobs(string profile, double cpu, string memory)
    {
        Snapshot snapshot = profile == "Consumption-GPU-NC8as-T4" ? Deploy() : Deploy(("trainerWorkloadProfileType", $"'{profile}'"));

        JsonArray profiles = snapshot.Single("Microsoft.App/managedEnvironments")["properties"]!["workloadProfiles"]!.AsArray();
        JsonNode gpu = Assert.Single(profiles, p => (string?)p!["name"] == "gpu")!;
        Assert.Equal(profile, (string?)gpu["workloadProfileType"]);

        JsonObject job = snapshot.Single("Microsoft.App/jobs");
        JsonNode props = job["properties"]!;
        Assert.Equal("gpu", (string?)props["workloadProfileName"]);
        Assert.Equal("Event", (string?)props["configuration"]!["triggerType"]);
        JsonNode rule = Assert.Single(props["configuration"]!["eventTriggerConfig"]!["scale"]!["rules"]!.AsArray())!;
        Assert.Equal("azure-queue", (string?)rule["type"]);
        Assert.Equal("training-jobs", (string?)rule["metadata"]!["queueName"]);
        Assert.Equal("1", (string?)rule["metadata"]!["queueLength"]);
        Assert.EndsWith("/userAssignedIdentities/astro-trainer-id", (string)rule["identity"]!, StringComparison.Ordinal);

        JsonObject container = Container(job);
        Assert.Equal(cpu, (double)container["resources"]!["cpu"]!);
        Assert.Equal(memory, (string?)container["resources"]!["memory"]);
        Assert.Equal(["worker", "--device", "cuda", "--once"], container["args"]!.AsArray().Select(a => (string)a!));
        Assert.Equal("astro-trainer:cuda", (string?)container["image"]);
    }

    [Fact]
    public void TrainerWithoutGpuRunsTheCpuImageOnConsumption()
    {
        Snapshot snapshot = Deploy(("trainerWorkloadProfileType", "'Consumption'"));

        JsonArray profiles = snapshot.Single("Microsoft.App/managedEnvironments")["properties"]!["workloadProfiles"]!.AsArray();
        Assert.Equal(["Consumption"], profiles.Select(p => (string)p!["workloadProfileType"]!));
        JsonObject job = snapshot.Single("Microsoft.App/jobs");
        Assert.Equal("Consumption", (string?)job["properties"]!["workloadProfileName"]);
        Assert.Equal("astro-trainer:cpu", (string?)Container(job)["image"]);
        Assert.Equal(["worker", "--device", "cpu", "--once"], Container(job)["args"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public void AppSettingsUseIdentityBasedConnectionsAndNoKeys()
    {
        Snapshot snapshot = Deploy(s_custom);

        foreach ((JsonObject resource, string identity) in new[] { (snapshot.Single("Microsoft.App/containerApps"), "astro-func-id"), (snapshot.Single("Microsoft.App/jobs"), "astro-trainer-id") })
        {
            Dictionary<string, JsonNode> env = Container(resource)["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
            Assert.Equal(StorageName(snapshot), (string?)env["AzureWebJobsStorage__accountName"]["value"]);
            Assert.Equal("managedidentity", (string?)env["AzureWebJobsStorage__credential"]["value"]);
            Assert.Contains($"userAssignedIdentities/{identity}'", (string)env["AzureWebJobsStorage__clientId"]["value"]!, StringComparison.Ordinal);
            Assert.Contains($"userAssignedIdentities/{identity}'", (string)env["AZURE_CLIENT_ID"]["value"]!, StringComparison.Ordinal);
            Assert.False(env.ContainsKey("AzureWebJobsStorage"));
            Assert.Equal("appinsights-connection-string", (string?)env["APPLICATIONINSIGHTS_CONNECTION_STRING"]["secretRef"]);
            Assert.Null(env["APPLICATIONINSIGHTS_CONNECTION_STRING"]["value"]);
            Assert.All(env.Values, e => AssertNoKeyMaterial(e.ToJsonString()));
            Assert.All(env.Keys, name => Assert.True(name == "APPLICATIONINSIGHTS_CONNECTION_STRING" || !name.Contains("connectionstring", StringComparison.OrdinalIgnoreCase), name));

            string secrets = resource["properties"]!["configuration"]!["secrets"]!.ToJsonString();
            AssertNoKeyMaterial(secrets);
        }

        JsonObject host = snapshot.Single("Microsoft.App/containerApps");
        Dictionary<string, JsonNode> hostEnv = Container(host)["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => e!);
        Assert.Equal("0 30 2 * * 1", (string?)hostEnv["Astro__Training__Schedule"]["value"]);
        Assert.Equal("true", (string?)hostEnv["Astro__Functions__DisableBlobTriggers"]["value"]);
        Assert.Equal("0.0.0.0", (string?)hostEnv["Astro__Http__Address"]["value"]);
        Assert.Equal((string?)host["properties"]!["configuration"]!["ingress"]!["targetPort"]!.ToString(), (string?)hostEnv["Astro__Http__Port"]["value"]);

        // The function key is a secret, referenced by the setting and never written into it.
        Assert.Equal("function-key", (string?)hostEnv["Astro__Http__FunctionKey"]["secretRef"]);
        Assert.DoesNotContain(TestFunctionKey, Container(host)["env"]!.ToJsonString(), StringComparison.Ordinal);
        JsonNode keySecret = Assert.Single(host["properties"]!["configuration"]!["secrets"]!.AsArray(), s => (string?)s!["name"] == "function-key")!;
        // (bicep snapshot leaves secure parameters unevaluated.)
        Assert.Contains((string?)keySecret["value"], new[] { TestFunctionKey, "[parameters('functionKey')]" });
    }

    [Fact]
    public void ConnectionStringModeKeepsTheKeyInASecretOnly()
    {
        Snapshot snapshot = Deploy(("storageConnectionMode", "'connectionString'"));

        Assert.True((bool)snapshot.Single("Microsoft.Storage/storageAccounts")["properties"]!["allowSharedKeyAccess"]!);
        foreach (JsonObject resource in new[] { snapshot.Single("Microsoft.App/containerApps"), snapshot.Single("Microsoft.App/jobs") })
        {
            JsonArray env = Container(resource)["env"]!.AsArray();
            JsonNode storage = Assert.Single(env, e => (string?)e!["name"] == "AzureWebJobsStorage")!;
            Assert.Equal("storage-connection-string", (string?)storage["secretRef"]);
            Assert.DoesNotContain(env, e => ((string)e!["name"]!).StartsWith("AzureWebJobsStorage__", StringComparison.Ordinal));
            Assert.All(env, e => AssertNoKeyMaterial(e!.ToJsonString()));
            JsonNode secret = Assert.Single(resource["properties"]!["configuration"]!["secrets"]!.AsArray(), s => (string?)s!["name"] == "storage-connection-string")!;
            Assert.Contains("listKeys", (string)secret["value"]!, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OutputsNameTheEndpointsAndResources()
    {
        Snapshot snapshot = Deploy();

        string[] expected =
        [
            "storageAccountName", "blobEndpoint", "queueEndpoint", "functionsUrl", "functionsAppName", "trainerJobName",
            "environmentName", "appInsightsName", "logAnalyticsWorkspaceName", "eventGridTopicName",
            "functionsIdentityClientId", "trainerIdentityClientId", "trainerWorkloadProfile",
        ];
        Assert.Equal(expected.Order(StringComparer.Ordinal), snapshot.Outputs.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("astro-func", (string?)snapshot.Outputs["functionsAppName"]);
        Assert.Equal("astro-trainer", (string?)snapshot.Outputs["trainerJobName"]);
        Assert.Equal(StorageName(snapshot), (string?)snapshot.Outputs["storageAccountName"]);
    }

    // Each Bicep run takes seconds: the same parameter set is evaluated once per test run.
    private static readonly ConcurrentDictionary<string, Lazy<Snapshot>> s_snapshots = new(StringComparer.Ordinal);
    private static readonly Lazy<(BicepResult Result, JsonObject? Template)> s_build = new(() => BicepCli.Build(MainBicep));

    // A deployment with a registry, more replicas and another schedule (roles, scaling and settings tests share it).
    private static readonly (string Name, string Value)[] s_custom =
        [("registryName", "'astroacr'"), ("functionsMaxReplicas", "20"), ("retrainingSchedule", "'0 30 2 * * 1'")];

    private static Snapshot Deploy(params (string Name, string Value)[] parameters)
    {
        string key = string.Join(";", parameters.Select(p => $"{p.Name}={p.Value}"));
        return s_snapshots.GetOrAdd(key, _ => new Lazy<Snapshot>(() =>
        {
            Dictionary<string, string> values = parameters.ToDictionary(p => p.Name, p => p.Value);
            values.TryAdd("functionKey", $"'{TestFunctionKey}'");
            (BicepResult result, JsonObject? snapshot) = BicepCli.Snapshot(MainBicep, values);
            result.EnsureClean();
            return new Snapshot(snapshot!);
        })).Value;
    }

    private static string StorageName(Snapshot snapshot) => (string)snapshot.Single("Microsoft.Storage/storageAccounts")["name"]!;

    private static JsonObject Container(JsonObject app) => Assert.Single(app["properties"]!["template"]!["containers"]!.AsArray())!.AsObject();

    private static string Tail(string scope, string account)
    {
        int at = scope.IndexOf(account, StringComparison.Ordinal);
        if (at >= 0)
        {
            return scope[(at + account.Length)..];
        }

        int registry = scope.IndexOf("/registries/", StringComparison.Ordinal);
        return registry >= 0 ? "registry:" + scope[(registry + "/registries/".Length)..] : scope;
    }

    private static void AssertNoKeyMaterial(string json)
    {
        Assert.DoesNotContain("AccountKey", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listKeys", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("DefaultEndpointsProtocol", json, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("SharedAccessSignature", json, StringComparison.OrdinalIgnoreCase);
    }

    private static void CollectTypes(JsonNode node, HashSet<string> types)
    {
        switch (node)
        {
            case JsonObject obj:
                if (obj["type"] is JsonValue type && type.TryGetValue(out string? t) && t.Contains('/', StringComparison.Ordinal) && obj["apiVersion"] is not null)
                {
                    types.Add(t);
                }

                foreach ((string _, JsonNode? child) in obj)
                {
                    if (child is not null)
                    {
                        CollectTypes(child, types);
                    }
                }

                break;
            case JsonArray array:
                foreach (JsonNode? child in array)
                {
                    if (child is not null)
                    {
                        CollectTypes(child, types);
                    }
                }

                break;
        }
    }
}
