using System.Text.Json;
using Astro.Catalogs.Models;
using Astro.Fits;
using Astro.Fits.Tables;
using Astro.Inference.Models;
using Astro.Services;
using Astro.Services.Catalogs;
using Astro.Services.Cutouts;
using Astro.Services.Events;
using Astro.Services.Messages;
using Astro.Services.Storage;
using Astro.Services.Telemetry;
using Astro.Services.Training;
using Astro.Testing;

namespace Astro.Services.Tests.Catalogs;

/// <summary>On-demand (HTTP) predictions.</summary>
public sealed class OnDemandPredictorTests
{
    [Fact]
    public void On_demand_predictions_use_every_model_of_the_profile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "astro-unit-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var package = Astro.Inference.Packaging.ModelPackage.Load(TestPackages.Write(dir, "unit-model", "1", "unit-profile", 5f));
            var registry = new FixedRegistry([new Astro.Services.Registry.LoadedModel("unit-model", "1", package, new Astro.Inference.PredictionService(package), DateTimeOffset.UtcNow)]);
            var predictor = new OnDemandPredictor(registry) { MaxObjects = 2 };
            var doc = predictor.PredictObjects(System.Text.Json.Nodes.JsonNode.Parse("""{"objects":[{"id":7,"f1":"10","f2":20,"f3":30,"z":0.5}],"profile":"unit-profile"}"""), null, "other");
            Assert.Equal("7", doc["results"]![0]!["id"]!.GetValue<string>());
            Assert.Equal(TestPackages.Expected(10, 20, 30, 0.5, 5f), doc["results"]![0]!["predictions"]![0]!["value"]!.GetValue<double>(), 4);
            Assert.Equal(InputProblem.TooLarge, Assert.Throws<InvalidInputException>(() => predictor.PredictObjects(System.Text.Json.Nodes.JsonNode.Parse("[{},{},{}]"), "unit-profile", "x")).Problem);
            Assert.Equal(InputProblem.UnknownProfile, Assert.Throws<InvalidInputException>(() => predictor.PredictObjects(System.Text.Json.Nodes.JsonNode.Parse("{}"), "nope", "x")).Problem);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    private sealed class FixedRegistry(IReadOnlyList<Astro.Services.Registry.LoadedModel> models) : Astro.Services.Registry.ModelRegistry
    {
        public override IReadOnlyList<Astro.Services.Registry.LoadedModel> Models => models;

        public override IReadOnlyList<Astro.Services.Registry.LoadedModel> ForProfile(string profile) => [.. models.Where(m => m.Profile == profile)];
    }
}
