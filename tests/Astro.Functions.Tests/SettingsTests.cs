using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Functions.Hosting;
using Astro.Functions.Tests.Infrastructure;
using Astro.Inference.Models;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Quarantine;
using Astro.Services.Storage;
using Astro.Services.Training;
using Astro.Testing;
using Microsoft.Extensions.Configuration;

namespace Astro.Functions.Tests;

/// <summary>The function app's settings.</summary>
public sealed class SettingsTests
{
    [Fact]
    public void Settings_problems_are_one_line_each_and_name_the_setting()
    {
        IConfigurationRoot config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingKeys.HttpPort] = "99999",
            [SettingKeys.FunctionKey] = "short",
            [SettingKeys.TrainingSchedule] = "every day",
            ["Astro:Storage:CatalogsContainer"] = "UPPER",
            ["Astro:Catalogs:ChunkRows"] = "0",
        }).Build();
        FunctionAppSettings.Read(config, out IReadOnlyList<string> problems);
        Assert.Contains(problems, p => p.StartsWith("AzureWebJobsStorage: the storage connection string is not set", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Http:Port: '99999'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Http:FunctionKey: shorter than 16", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Training:Schedule: the retraining schedule 'every day'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Storage:CatalogsContainer 'UPPER'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Astro:Catalogs:ChunkRows = 0", StringComparison.Ordinal));
        Assert.All(problems, p => Assert.DoesNotContain('\n', p));
        Assert.Throws<SettingsException>(() => FunctionHost.Build(config));

        FunctionAppSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [SettingKeys.ConnectionString] = "UseDevelopmentStorage=true",
            [SettingKeys.FunctionKey] = "0123456789abcdef",
        }).Build(), out IReadOnlyList<string> none);
        Assert.Empty(none);
        FunctionAppSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SettingKeys.ConnectionString] = "not a connection string" }).Build(), out IReadOnlyList<string> malformed);
        Assert.Contains(malformed, p => p.Contains("malformed", StringComparison.Ordinal));
    }
}
