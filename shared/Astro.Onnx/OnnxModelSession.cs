using System.Collections.Concurrent;
using Microsoft.ML.OnnxRuntime;

namespace Astro.Onnx;

/// <summary>Options for <see cref="OnnxModelSession"/>.</summary>
public sealed class OnnxModelSessionOptions
{
    /// <summary>Gets or sets the threads one inference may use.</summary>
    /// <value>The default value is 1; 2 suits a CNN on this project's 2-core machines.</value>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Gets or sets the graph optimisation level applied when the session is created.</summary>
    /// <value>The default value is <see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>.</value>
    public GraphOptimizationLevel OptimizationLevel { get; set; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    internal string CacheKey => $"{IntraOpThreads}|{OptimizationLevel}";
}

/// <summary>
/// An ONNX Runtime session for a model with one float input <c>[batch, ..]</c> and float outputs <c>[batch, ..]</c>,
/// with a flat <c>float[]</c> API. Thread-safe: any number of threads may call <see cref="Run"/> at once.
/// </summary>
public sealed class OnnxModelSession : IDisposable
{
    private static readonly ConcurrentDictionary<string, Lazy<OnnxModelSession>> s_shared = new(StringComparer.Ordinal);
    private readonly InferenceSession _session;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly long[] _inputSampleShape;
    private readonly long[][] _outputSampleShapes;
    private readonly bool _shared;

    /// <summary>Initializes a new instance of the <see cref="OnnxModelSession"/> class from a file with default options.</summary>
    public OnnxModelSession(string modelPath)
        : this(modelPath, new OnnxModelSessionOptions())
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OnnxModelSession"/> class from a file.</summary>
    /// <exception cref="OnnxRuntimeException">The model cannot be loaded.</exception>
    /// <exception cref="ArgumentException">The model does not have one float input and float outputs with a batch dimension first.</exception>
    public OnnxModelSession(string modelPath, OnnxModelSessionOptions options)
        : this(CreateSession(options, o => new InferenceSession(modelPath ?? throw new ArgumentNullException(nameof(modelPath)), o)), shared: false)
    {
    }

    /// <summary>Initializes a new instance of the <see cref="OnnxModelSession"/> class from a serialised model.</summary>
    /// <exception cref="OnnxRuntimeException">The model cannot be loaded.</exception>
    /// <exception cref="ArgumentException">The model does not have one float input and float outputs with a batch dimension first.</exception>
    public OnnxModelSession(byte[] model, OnnxModelSessionOptions options)
        : this(CreateSession(options, o => new InferenceSession(model ?? throw new ArgumentNullException(nameof(model)), o)), shared: false)
    {
    }

    private OnnxModelSession(InferenceSession session, bool shared)
    {
        _session = session;
        _shared = shared;
        try
        {
            if (session.InputMetadata.Count != 1)
            {
                throw new ArgumentException($"The model has {session.InputMetadata.Count} inputs; OnnxModelSession needs exactly one.");
            }

            KeyValuePair<string, NodeMetadata> input = session.InputMetadata.First();
            _inputNames = [input.Key];
            _inputSampleShape = SampleShape(input.Key, input.Value);
            _outputNames = [.. session.OutputMetadata.Keys];
            _outputSampleShapes = [.. session.OutputMetadata.Select(o => SampleShape(o.Key, o.Value))];
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Gets the input's name.</summary>
    public string InputName => _inputNames[0];

    /// <summary>Gets the input's per-sample shape.</summary>
    public IReadOnlyList<long> InputSampleShape => _inputSampleShape;

    /// <summary>Gets the number of floats in one input sample.</summary>
    public int InputSampleSize => checked((int)_inputSampleShape.Aggregate(1L, (a, b) => a * b));

    /// <summary>Gets the outputs' names, in model order.</summary>
    public IReadOnlyList<string> OutputNames => _outputNames;

    /// <summary>Gets the outputs' per-sample shapes, in model order.</summary>
    public IReadOnlyList<IReadOnlyList<long>> OutputSampleShapes => _outputSampleShapes;

    /// <summary>
    /// Returns a session for <paramref name="modelPath"/> shared by the whole process: created once per full path and
    /// option set, never disposed by callers (<see cref="Dispose"/> on it does nothing).
    /// </summary>
    public static OnnxModelSession GetShared(string modelPath, OnnxModelSessionOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        options ??= new OnnxModelSessionOptions();
        string key = $"{Path.GetFullPath(modelPath)}|{options.CacheKey}";
        OnnxModelSessionOptions copy = new() { IntraOpThreads = options.IntraOpThreads, OptimizationLevel = options.OptimizationLevel };
        Lazy<OnnxModelSession> lazy = s_shared.GetOrAdd(key, _ => new Lazy<OnnxModelSession>(
            () => new OnnxModelSession(CreateSession(copy, o => new InferenceSession(modelPath, o)), shared: true),
            LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return lazy.Value;
        }
        catch
        {
            s_shared.TryRemove(new KeyValuePair<string, Lazy<OnnxModelSession>>(key, lazy));
            throw;
        }
    }

    /// <summary>Runs a batch and returns the first output, flattened row-major (<c>batchSize × output sample size</c> floats).</summary>
    /// <param name="batch">The inputs, row-major: <c>batchSize × InputSampleSize</c> floats.</param>
    /// <param name="batchSize">The number of samples.</param>
    /// <exception cref="ArgumentException">The batch's length does not match <paramref name="batchSize"/>.</exception>
    public float[] Run(float[] batch, int batchSize) => RunAll(batch, batchSize)[0];

    /// <summary>Runs a batch and returns every output, each flattened row-major, in <see cref="OutputNames"/> order.</summary>
    /// <exception cref="ArgumentException">The batch's length does not match <paramref name="batchSize"/>.</exception>
    public IReadOnlyList<float[]> RunAll(float[] batch, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        long expected = (long)batchSize * InputSampleSize;
        if (batch.Length != expected)
        {
            throw new ArgumentException($"The batch has {batch.Length} floats; {batchSize} samples of [{string.Join(", ", _inputSampleShape)}] need {expected}.", nameof(batch));
        }

        long[] shape = [batchSize, .. _inputSampleShape];
        using OrtValue input = OrtValue.CreateTensorValueFromMemory(batch, shape);
        using var runOptions = new RunOptions();
        using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(runOptions, _inputNames, [input], _outputNames);
        var results = new float[outputs.Count][];
        for (int i = 0; i < outputs.Count; i++)
        {
            results[i] = outputs[i].GetTensorDataAsSpan<float>().ToArray();
        }

        return results;
    }

    /// <summary>Releases the native session (not for sessions from <see cref="GetShared"/>).</summary>
    public void Dispose()
    {
        if (!_shared)
        {
            _session.Dispose();
        }
    }

    private static InferenceSession CreateSession(OnnxModelSessionOptions options, Func<SessionOptions, InferenceSession> create)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.IntraOpThreads, nameof(options));
        using var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = options.OptimizationLevel,
        };
        return create(sessionOptions);
    }

    private static long[] SampleShape(string name, NodeMetadata metadata)
    {
        if (metadata.ElementType != typeof(float))
        {
            throw new ArgumentException($"'{name}' is {metadata.ElementType.Name}; OnnxModelSession handles float tensors only.");
        }

        int[] dims = metadata.Dimensions;
        if (dims.Length < 2 || dims[1..].Any(d => d <= 0))
        {
            throw new ArgumentException($"'{name}' has shape [{string.Join(", ", metadata.SymbolicDimensions.Zip(dims, (s, d) => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : s))}]; expected a batch dimension followed by fixed sizes.");
        }

        return [.. dims[1..].Select(d => (long)d)];
    }
}
