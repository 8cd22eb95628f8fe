using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Astro.Catalogs;
using Astro.Catalogs.Models;
using Astro.Catalogs.Preprocessing;
using Astro.Contract.Packaging;
using Astro.Inference.Packaging;
using Astro.Ml.Packaging;
using Astro.Ml.Training;
using Astro.Services.Messages;
using Astro.Services.Registry;
using Astro.Services.Storage;
using Astro.Training.Worker.Models;
using Microsoft.Extensions.Logging;

namespace Astro.Training.Worker;

/// <content>One job: download, train, score both models on the same rows, decide, publish.</content>
public partial class TrainingWorker
{
    /// <summary>Metric-name prefix of the publish-rule scores added to a published package's manifest metrics.</summary>
    public const string ManifestMetricPrefix = "publish_";

    private async Task<TrainingJobResult> ExecuteAsync(TrainingJobMessage job, long attempt, MessageLease lease, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        string work = Path.Combine(_options.WorkDirectory, $"{Safe(job.JobId)}-{Guid.NewGuid():N}"[..Math.Min(120, Safe(job.JobId).Length + 9)]);
        Directory.CreateDirectory(work);
        try
        {
            TrainingJobConfiguration config = TrainingJobConfiguration.Parse(job.Options, _options.Device);
            if (config.Ignored.Count > 0)
            {
                _logger.LogInformation("Job {JobId}: options not used for training: {Ignored}", job.JobId, string.Join(", ", config.Ignored));
            }

            if (job.TrainingData.Count == 0)
            {
                throw new TrainingJobException($"job {job.JobId} lists no training data (blobs in {_storage.TrainingData.Name})", permanent: true);
            }

            CurrentModel current = await DownloadCurrentAsync(job.ModelName, Path.Combine(work, "current"), cancellationToken).ConfigureAwait(false);
            string target = job.Target ?? current.Package?.Manifest.Target.Name
                ?? throw new TrainingJobException($"job {job.JobId} names no target and {job.ModelName} has no current version to take it from", permanent: true);
            (string profileJson, SurveyProfile profile, string profileSource) = await ResolveProfileAsync(job.Profile, current.Package, work, cancellationToken).ConfigureAwait(false);
            IReadOnlyList<string> paths = await DownloadTrainingDataAsync(job.TrainingData, profile, Path.Combine(work, "data"), cancellationToken).ConfigureAwait(false);
            SelectionOptions selection = config.CreateSelection(profile, profile.IsClassTarget(target));
            _logger.LogInformation("Job {JobId}: profile {Profile} from {ProfileSource}, {Files} file(s) downloaded, selection {Selection}, target {Target}", job.JobId, profile.Name, profileSource, paths.Count, config.Selection, target);

            (TrainingDataset data, SelectionReport report) = await Task.Run(() => TrainingDataset.FromCatalogs(profile, paths, selection, target, config.MaxRows, cancellationToken), cancellationToken).ConfigureAwait(false);
            _logger.LogInformation("Job {JobId}: read {RowsIn} rows, kept {RowsKept}, {Rows} with target {Target}", job.JobId, report.RowsIn, report.RowsKept, data.Rows, target);

            var trainer = new PhotometricTrainer(config.Training, _logger);
            var watch = Stopwatch.StartNew();
            string packageDir = Path.Combine(work, "package");
            int[] testRows;
            string trainedOn;
            using (TrainingResult result = await Task.Run(() => trainer.Train(data, new ProgressLog(_logger, job.JobId, _options.ProgressLogInterval), cancellationToken), cancellationToken).ConfigureAwait(false))
            {
                watch.Stop();
                testRows = [.. result.SplitRows.Test];
                trainedOn = result.Configuration.TryGetValue("device", out string? d) ? d : "?";
                DateTimeOffset created = await UniqueVersionTimeAsync(job.ModelName, current.Version, cancellationToken).ConfigureAwait(false);
                new ModelPackageWriter(new ModelPackageWriterOptions { WritePlots = _options.WritePlots }).Write(
                    result,
                    new ModelPackageInfo
                    {
                        Name = job.ModelName,
                        ProfileName = profile.Name,
                        ProfileJson = profileJson,
                        CatalogFiles = paths,
                        CreatedUtc = created,
                    },
                    packageDir);
                _logger.LogInformation("Job {JobId}: trained on {TrainedOn} in {Seconds:0.0} s; held-out test metrics {Metrics}", job.JobId, trainedOn, watch.Elapsed.TotalSeconds, FormatMetrics(result.TestMetricsDictionary));
            }

            ModelPackage candidate = ModelPackage.Load(packageDir);
            string candidateVersion = candidate.Manifest.Version;

            // Both models on the same rows, by the serving code.
            CatalogChunk heldOut = await Task.Run(() => HeldOutRows.Collect(profile, paths, selection, data, testRows, cancellationToken), cancellationToken).ConfigureAwait(false);
            (bool[] candPredicted, double[] candValues, double[] candSigmas) = HeldOutRows.Predict(candidate, heldOut, data, cancellationToken);
            bool[] curPredicted = new bool[testRows.Length];
            double[] curValues = new double[testRows.Length];
            double[] curSigmas = new double[testRows.Length];
            string? incomparable = current.Problem;
            if (current.Package is ModelPackage currentPackage)
            {
                try
                {
                    if (!string.Equals(currentPackage.Manifest.Target.Name, target, StringComparison.OrdinalIgnoreCase) || currentPackage.Manifest.Task != candidate.Manifest.Task)
                    {
                        incomparable = $"the current version predicts {currentPackage.Manifest.Target.Name} ({currentPackage.Manifest.Task}), the candidate {target} ({candidate.Manifest.Task})";
                    }
                    else
                    {
                        (curPredicted, curValues, curSigmas) = HeldOutRows.Predict(currentPackage, heldOut, data, cancellationToken);
                    }
                }
                catch (Exception e) when (e is KeyNotFoundException or ArgumentException or ModelPackageException or CatalogException or InvalidOperationException)
                {
                    incomparable = $"the current version {current.Version} cannot be scored on these rows: {OneLine(e)}";
                }
            }

            bool hasCurrent = current.Version is not null;
            bool[] both = [.. candPredicted.Select((p, i) => p && (!hasCurrent || incomparable is not null || curPredicted[i]))];
            int compared = both.Count(b => b);
            if (compared == 0)
            {
                throw new TrainingJobException($"no held-out row was predicted by {(hasCurrent && incomparable is null ? "both models" : "the candidate")} ({testRows.Length} test rows)", permanent: true);
            }

            IReadOnlyDictionary<string, double> candMetrics = HeldOutRows.Metrics(data, testRows, both, candValues, candSigmas);
            IReadOnlyDictionary<string, double>? curMetrics = hasCurrent && incomparable is null ? HeldOutRows.Metrics(data, testRows, both, curValues, curSigmas) : null;
            var rule = new PublishRule(
                config.PublishMetric ?? _options.PublishMetric ?? PublishRule.DefaultMetric(data.Task == ModelTask.Classification, HeldOutRows.IsRedshift(target)),
                config.PublishMargin ?? _options.PublishMargin);
            double candScore = rule.Score(candMetrics);
            double? curScore = curMetrics is null ? null : rule.Score(curMetrics);
            (bool publish, string reason) = hasCurrent && incomparable is not null
                ? (false, $"not comparable with the current version {current.Version}: {incomparable}")
                : rule.Decide(candScore, curScore);
            if (config.Force && !publish)
            {
                (publish, reason) = (true, $"forced by the job (rule said: {reason})");
            }

            PublishDecision decision = rule.ToDecision(candScore, curScore, current.Version, compared, publish, reason);
            _logger.LogInformation(
                "Job {JobId}: publish rule {Metric} (margin {Margin}): candidate {CandidateVersion} {CandidateScore}, current {CurrentVersion} {CurrentScore} on {ComparedRows} held-out rows → {Decision}: {Reason}",
                job.JobId,
                rule.Metric,
                rule.Margin,
                candidateVersion,
                candScore,
                current.Version ?? "none",
                curScore,
                compared,
                publish ? "publish" : "keep the current version",
                reason);

            string? published = null;
            if (publish)
            {
                WriteDecisionIntoManifest(packageDir, rule, candScore, curScore, compared);
                cancellationToken.ThrowIfCancellationRequested();
                (string name, string version) = await _registry.PublishAsync(packageDir, cancellationToken).ConfigureAwait(false);
                published = version;
                _logger.LogInformation("Job {JobId}: {ModelName} {Version} is current (was {PreviousVersion}); model-published sent", job.JobId, name, version, current.Version ?? "none");
            }

            return new TrainingJobResult
            {
                JobId = job.JobId,
                CorrelationId = job.CorrelationId,
                ModelName = job.ModelName,
                Profile = profile.Name,
                Target = target,
                Status = publish ? TrainingJobStatus.Published : TrainingJobStatus.Rejected,
                Attempt = attempt,
                MaxAttempts = _options.MaxDequeueCount,
                StartedUtc = started,
                FinishedUtc = DateTimeOffset.UtcNow,
                Device = $"{_deviceDescription} (trained on {trainedOn})",
                TrainingData = job.TrainingData,
                Rows = data.Rows,
                TestRows = testRows.Length,
                CandidateVersion = candidateVersion,
                PublishedVersion = published,
                CandidateMetrics = candMetrics,
                CurrentMetrics = curMetrics,
                Decision = decision,
                IgnoredOptions = config.Ignored,
                VisibilityRenewals = lease.Renewals,
                TrainingSeconds = watch.Elapsed.TotalSeconds,
            };
        }
        finally
        {
            if (!_options.KeepWorkFiles)
            {
                TryDelete(work);
            }
        }
    }

    private static void WriteDecisionIntoManifest(string packageDir, PublishRule rule, double candidate, double? current, int compared)
    {
        string path = Path.Combine(packageDir, ModelPackage.ManifestFileName);
        ModelManifest manifest = ModelManifest.Parse(File.ReadAllText(path), path);
        var metrics = new SortedDictionary<string, double>(manifest.Metrics.ToDictionary(), StringComparer.Ordinal);
        if (double.IsFinite(candidate))
        {
            metrics[$"{ManifestMetricPrefix}candidate_{rule.Metric}"] = candidate;
        }

        if (current is double c && double.IsFinite(c))
        {
            metrics[$"{ManifestMetricPrefix}current_{rule.Metric}"] = c;
        }

        metrics[$"{ManifestMetricPrefix}margin"] = rule.Margin;
        metrics[$"{ManifestMetricPrefix}comparedRows"] = compared;
        ModelManifest updated = manifest with { Metrics = metrics };
        updated.Validate(path);
        File.WriteAllText(path, updated.ToJson());
    }

    private sealed record CurrentModel(string? Version, ModelPackage? Package, string? Problem);

    private async Task<CurrentModel> DownloadCurrentAsync(string name, string dir, CancellationToken cancellationToken)
    {
        string? version = await _registry.ReadCurrentVersionAsync(name, cancellationToken).ConfigureAwait(false);
        if (version is null)
        {
            return new CurrentModel(null, null, null);
        }

        try
        {
            int files = await _registry.DownloadAsync(name, version, dir, cancellationToken).ConfigureAwait(false);
            ModelPackage package = ModelPackage.Load(dir);
            _logger.LogInformation("Current version of {ModelName}: {Version} ({Files} files)", name, version, files);
            return new CurrentModel(version, package, null);
        }
        catch (Exception e) when (e is ModelPackageException or BlobChangedException or IOException or InvalidDataException)
        {
            string problem = $"the current version {version} cannot be loaded: {OneLine(e)}";
            _logger.LogWarning("{ModelName}: {Problem}", name, problem);
            return new CurrentModel(version, null, problem);
        }
    }

    private async Task<(string Json, SurveyProfile Profile, string Source)> ResolveProfileAsync(string name, ModelPackage? current, string work, CancellationToken cancellationToken)
    {
        string file = Safe(name) + ".json";
        var tried = new List<string>();
        foreach (string dir in ProfileDirectories())
        {
            string path = Path.Combine(dir, file);
            tried.Add(path);
            if (File.Exists(path))
            {
                return Load(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
            }
        }

        string blobName = TrainingWorkerDefaults.ProfilesPrefix + file;
        tried.Add($"{_storage.TrainingData.Name}/{blobName}");
        BlobContent? stored = await _storage.TrainingData.DownloadAsync(blobName, TrainingWorkerDefaults.MaxProfileBytes, cancellationToken).ConfigureAwait(false);
        if (stored is not null)
        {
            return Load(stored.ToString(), $"{_storage.TrainingData.Name}/{blobName}");
        }

        if (current is not null && string.Equals(current.Manifest.Profile, name, StringComparison.Ordinal))
        {
            return Load(current.ProfileJson, $"the current package {current.DisplayName}");
        }

        tried.Add("the current model package");
        throw new TrainingJobException($"profile '{name}' not found (looked in {string.Join(", ", tried)})", permanent: true);

        (string, SurveyProfile, string) Load(string json, string source)
        {
            try
            {
                SurveyProfile profile = SurveyProfile.Parse(json, source);
                if (!string.Equals(profile.Name, name, StringComparison.Ordinal))
                {
                    throw new TrainingJobException($"{source} describes profile '{profile.Name}', not '{name}'", permanent: true);
                }

                return (json, profile, source);
            }
            catch (CatalogException e)
            {
                throw new TrainingJobException($"{source}: {OneLine(e)}", permanent: true, e);
            }
        }
    }

    private IEnumerable<string> ProfileDirectories()
    {
        string dir = _options.ProfilesDirectory;
        yield return Path.GetFullPath(dir);
        if (!Path.IsPathRooted(dir))
        {
            yield return Path.Combine(AppContext.BaseDirectory, dir);
        }
    }

    private async Task<IReadOnlyList<string>> DownloadTrainingDataAsync(IReadOnlyList<string> blobs, SurveyProfile profile, string dir, CancellationToken cancellationToken)
    {
        var paths = new List<string>();
        foreach (string blob in blobs)
        {
            paths.Add(await DownloadAsync(blob, required: true).ConfigureAwait(false));

            // Joined files (e.g. DustPedia's labels) sit next to the catalog, as `astro train` expects them.
            string folder = blob.Contains('/', StringComparison.Ordinal) ? blob[..(blob.LastIndexOf('/') + 1)] : string.Empty;
            foreach (var join in profile.Joins)
            {
                await DownloadAsync(folder + join.Path.Replace('\\', '/'), required: false).ConfigureAwait(false);
            }
        }

        return paths;

        async Task<string> DownloadAsync(string blob, bool required)
        {
            string path = Path.GetFullPath(Path.Combine(dir, blob));
            if (!path.StartsWith(Path.GetFullPath(dir), StringComparison.Ordinal))
            {
                throw new TrainingJobException($"training blob name '{blob}' leaves the job folder", permanent: true);
            }

            if (File.Exists(path))
            {
                return path;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                await _storage.TrainingData.DownloadToFileAsync(blob, path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (BlobChangedException e)
            {
                TryDeleteFile(path);
                if (required)
                {
                    // Not permanent: an upload may still be on its way; after the last attempt the job is poisoned.
                    throw new TrainingJobException($"{_storage.TrainingData.Name}/{blob}: blob not found", permanent: false, e);
                }
            }

            return path;
        }
    }

    private async Task<DateTimeOffset> UniqueVersionTimeAsync(string name, string? currentVersion, CancellationToken cancellationToken)
    {
        DateTimeOffset t = DateTimeOffset.UtcNow;
        t = new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second, TimeSpan.Zero);
        for (int i = 0; i < 3600; i++, t = t.AddSeconds(1))
        {
            string version = t.ToString("yyyyMMdd.HHmmss", CultureInfo.InvariantCulture);
            if (version == currentVersion)
            {
                continue;
            }

            if (!(await _registry.ListVersionsAsync(name, cancellationToken).ConfigureAwait(false)).Contains(version, StringComparer.Ordinal))
            {
                return t;
            }
        }

        return t;
    }

    private static string FormatMetrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Where(m => m.Key != "count").Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Key} {m.Value:G5}")));

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // best effort
        }
    }

    /// <summary>Logs training progress: the first and last epoch of every member, and otherwise at most one line per interval.</summary>
    private sealed class ProgressLog(ILogger logger, string jobId, TimeSpan interval) : IProgress<TrainingProgress>
    {
        private readonly Stopwatch _since = Stopwatch.StartNew();

        public void Report(TrainingProgress p)
        {
            if (p.Epoch != 1 && p.Epoch != p.MaxEpochs && _since.Elapsed < interval)
            {
                return;
            }

            _since.Restart();
            logger.LogInformation(
                "Job {JobId} training: fold {Fold}/{Folds} member {Member}/{Members} epoch {Epoch}/{MaxEpochs} train loss {TrainLoss:0.######} validation loss {ValidationLoss:0.######} best {BestValidationLoss:0.######} at epoch {BestEpoch} ({Percent:0}%, at most {Remaining} left)",
                jobId,
                p.Fold,
                p.Folds,
                p.Member,
                p.Members,
                p.Epoch,
                p.MaxEpochs,
                p.TrainLoss,
                p.ValidationLoss,
                p.BestValidationLoss,
                p.BestEpoch,
                p.Fraction * 100,
                p.Remaining.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture));
        }
    }
}
