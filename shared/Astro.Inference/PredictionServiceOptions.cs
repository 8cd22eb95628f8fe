using Astro.Catalogs.Preprocessing;

namespace Astro.Inference;

/// <summary>The documented defaults of <see cref="PredictionServiceOptions"/>.</summary>
public static class PredictionServiceDefaults
{
    /// <summary>Rows per ONNX Runtime call: 8,192 (ONNX Runtime reaches full speed from about 256).</summary>
    public const int BatchSize = 8192;

    /// <summary>Threads one ONNX Runtime call may use: 1 (parallelism comes from concurrent batches).</summary>
    public const int IntraOpThreads = 1;

    /// <summary>Rows per catalog chunk read by <see cref="PredictionService.PredictCatalog"/>: 65,536.</summary>
    public const int ChunkRows = 65_536;

    /// <summary>Chunks queued between pipeline stages: 2.</summary>
    public const int PipelineDepth = 2;

    /// <summary>Sentinels make a band missing (paper 000 style).</summary>
    public const SentinelHandling Sentinels = SentinelHandling.TreatAsMissing;

    /// <summary>Concurrent ONNX batches: the processor count.</summary>
    public static int MaxDegreeOfParallelism => Environment.ProcessorCount;
}

/// <summary>Options of <see cref="PredictionService"/>.</summary>
public sealed class PredictionServiceOptions
{
    /// <summary>Gets or sets the rows per ONNX Runtime call.</summary>
    /// <value>The default value is <see cref="PredictionServiceDefaults.BatchSize"/> (8,192). Range 1 to 1,048,576.</value>
    public int BatchSize { get; set; } = PredictionServiceDefaults.BatchSize;

    /// <summary>Gets or sets the threads one ONNX Runtime call may use (the shared session is keyed on it).</summary>
    /// <value>The default value is <see cref="PredictionServiceDefaults.IntraOpThreads"/> (1). Range 1 to 64.</value>
    public int IntraOpThreads { get; set; } = PredictionServiceDefaults.IntraOpThreads;

    /// <summary>Gets or sets how many batches (and post-processing slices) run at once.</summary>
    /// <value>The default value is <see cref="Environment.ProcessorCount"/>. Range 1 to 256.</value>
    public int MaxDegreeOfParallelism { get; set; } = PredictionServiceDefaults.MaxDegreeOfParallelism;

    /// <summary>Gets or sets the rows per chunk when a whole catalog is predicted.</summary>
    /// <value>The default value is <see cref="PredictionServiceDefaults.ChunkRows"/> (65,536). Range 1 to 16,777,216.</value>
    public int ChunkRows { get; set; } = PredictionServiceDefaults.ChunkRows;

    /// <summary>Gets or sets how many chunks may wait between the read, predict and write stages of <see cref="PredictionService.PredictCatalog"/>.</summary>
    /// <value>The default value is <see cref="PredictionServiceDefaults.PipelineDepth"/> (2). Range 1 to 64; memory grows with it.</value>
    public int PipelineDepth { get; set; } = PredictionServiceDefaults.PipelineDepth;

    /// <summary>
    /// Gets or sets how saturated / not-detected sentinels are used when the serving selection is built. It must match the
    /// training preprocessing (the manifest does not record it yet).
    /// </summary>
    /// <value>The default value is <see cref="SentinelHandling.TreatAsMissing"/>.</value>
    public SentinelHandling SentinelHandling { get; set; } = PredictionServiceDefaults.Sentinels;

    /// <summary>Gets or sets whether out-of-distribution distances are computed and flagged (when the manifest has the test).</summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool DetectOutOfDistribution { get; set; } = true;

    internal PredictionServiceOptions Clone() => (PredictionServiceOptions)MemberwiseClone();

    internal void Validate()
    {
        var errors = new List<string>();
        Check(BatchSize, 1, 1 << 20, nameof(BatchSize));
        Check(IntraOpThreads, 1, 64, nameof(IntraOpThreads));
        Check(MaxDegreeOfParallelism, 1, 256, nameof(MaxDegreeOfParallelism));
        Check(ChunkRows, 1, 16_777_216, nameof(ChunkRows));
        Check(PipelineDepth, 1, 64, nameof(PipelineDepth));
        if (!Enum.IsDefined(SentinelHandling))
        {
            errors.Add($"{nameof(SentinelHandling)} = {(int)SentinelHandling} is not a defined value");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException($"Invalid PredictionServiceOptions: {string.Join("; ", errors)}.");
        }

        void Check(int value, int min, int max, string name)
        {
            if (value < min || value > max)
            {
                errors.Add($"{name} = {value} is outside {min}..{max}");
            }
        }
    }
}
