using Astro.Ml.Models;
using static TorchSharp.torch;

namespace Astro.Ml.Images;

/// <summary>Predictions of an image ensemble for a batch of inputs.</summary>
/// <param name="Count">Rows.</param>
/// <param name="Mean">Members' mean output, <c>Count × outputs</c>.</param>
/// <param name="Std">Members' population standard deviation, same shape.</param>
/// <param name="Features">Penultimate activations, <c>Count × (members · 512)</c>.</param>
public sealed record ImagePredictions(int Count, float[] Mean, float[] Std, float[] Features);

/// <summary>The trained ensemble, its split and everything needed to evaluate and package it. Dispose to release the networks.</summary>
public sealed class ImageTrainingResult : IDisposable
{
    internal ImageTrainingResult(ImageDataset data, ModelSpec spec, IReadOnlyList<SpecModel> members, IReadOnlyList<ImageTrainingHistory> histories, int[] train, int[] validation, int[] test, ImageTrainingOptions options, int threads, double seconds)
    {
        Data = data;
        Spec = spec;
        Members = members;
        Histories = histories;
        TrainRows = train;
        ValidationRows = validation;
        TestRows = test;
        Options = options;
        Threads = threads;
        Seconds = seconds;
    }

    /// <summary>Gets the data trained on.</summary>
    public ImageDataset Data { get; }

    /// <summary>Gets the network spec (all members share it).</summary>
    public ModelSpec Spec { get; }

    /// <summary>Gets the trained members (evaluation mode).</summary>
    public IReadOnlyList<SpecModel> Members { get; }

    /// <summary>Gets the members' loss curves.</summary>
    public IReadOnlyList<ImageTrainingHistory> Histories { get; }

    /// <summary>Gets the training rows (indices into <see cref="ImageDataset.Samples"/>).</summary>
    public int[] TrainRows { get; }

    /// <summary>Gets the validation rows.</summary>
    public int[] ValidationRows { get; }

    /// <summary>Gets the test rows.</summary>
    public int[] TestRows { get; }

    /// <summary>Gets the options used.</summary>
    public ImageTrainingOptions Options { get; }

    /// <summary>Gets the torch thread count used.</summary>
    public int Threads { get; }

    /// <summary>Gets the total training time in seconds.</summary>
    public double Seconds { get; }

    /// <summary>Gets the mean seconds per epoch over all members.</summary>
    public double SecondsPerEpoch => Histories.SelectMany(h => h.EpochSeconds).DefaultIfEmpty(0).Average();

    /// <summary>Predicts rows of the dataset with TorchSharp (test-time augmentation as in the options).</summary>
    public ImagePredictions PredictRows(int[] rows) => Predict(Members, Gather(Data, rows), rows.Length, Options.TestTimeAugmentation);

    /// <summary>
    /// Predicts with TorchSharp exactly as the exported graph does: per member, the mean over the 8 dihedral transforms
    /// (when <paramref name="testTimeAugmentation"/>) of the output and of the penultimate features; then the members'
    /// mean and population standard deviation, and the features concatenated.
    /// </summary>
    public static ImagePredictions Predict(IReadOnlyList<SpecModel> members, float[] pixels, int count, bool testTimeAugmentation)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(pixels);
        ModelSpec spec = members[0].Spec;
        int bands = (int)spec.InputShape[0];
        int size = (int)spec.InputShape[1];
        int sampleSize = bands * size * size;
        int outputs = (int)members[0].Outputs[0].Shape[0];
        int width = ImageArchitectures.FeatureWidth;
        int k = members.Count;
        var perMember = new float[k][];
        var features = new float[count * k * width];
        int transforms = testTimeAugmentation ? ImageAugmentation.DihedralCount : 1;
        var transformed = new float[pixels.Length];
        var outputSums = new double[k, count * outputs];
        var featureSums = new double[k, count * width];
        for (int t = 0; t < transforms; t++)
        {
            float[] input = pixels;
            if (t > 0)
            {
                for (int i = 0; i < count; i++)
                {
                    ImageAugmentation.Dihedral(pixels.AsSpan(i * sampleSize, sampleSize), bands, size, t, transformed.AsSpan(i * sampleSize, sampleSize));
                }

                input = transformed;
            }

            for (int m = 0; m < k; m++)
            {
                (float[] y, float[] f) = Run(members[m], input, count, bands, size);
                for (int i = 0; i < y.Length; i++)
                {
                    outputSums[m, i] += y[i];
                }

                for (int i = 0; i < f.Length; i++)
                {
                    featureSums[m, i] += f[i];
                }
            }
        }

        for (int m = 0; m < k; m++)
        {
            perMember[m] = new float[count * outputs];
            for (int i = 0; i < count * outputs; i++)
            {
                perMember[m][i] = (float)(outputSums[m, i] / transforms);
            }

            for (int r = 0; r < count; r++)
            {
                for (int j = 0; j < width; j++)
                {
                    features[(r * k * width) + (m * width) + j] = (float)(featureSums[m, (r * width) + j] / transforms);
                }
            }
        }

        var mean = new float[count * outputs];
        var std = new float[count * outputs];
        for (int i = 0; i < mean.Length; i++)
        {
            double s = 0;
            for (int m = 0; m < k; m++)
            {
                s += perMember[m][i];
            }

            double mu = s / k;
            double v = 0;
            for (int m = 0; m < k; m++)
            {
                v += (perMember[m][i] - mu) * (perMember[m][i] - mu);
            }

            mean[i] = (float)mu;
            std[i] = (float)Math.Sqrt(v / k);
        }

        return new ImagePredictions(count, mean, std, features);
    }

    /// <summary>Copies rows' pixels into one batch.</summary>
    public static float[] Gather(ImageDataset data, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        int sampleSize = data.SampleSize;
        var batch = new float[rows.Length * sampleSize];
        for (int i = 0; i < rows.Length; i++)
        {
            Array.Copy(data.Pixels, rows[i] * sampleSize, batch, i * sampleSize, sampleSize);
        }

        return batch;
    }

    /// <summary>Releases the networks.</summary>
    public void Dispose()
    {
        foreach (SpecModel member in Members)
        {
            member.Dispose();
        }
    }

    // Runs the trunk (features) and the head (output) in batches of 64.
    private static (float[] Output, float[] Features) Run(SpecModel model, float[] pixels, int count, int bands, int size)
    {
        model.eval();
        using var noGrad = no_grad();
        int sampleSize = bands * size * size;
        int outputs = (int)model.Outputs[0].Shape[0];
        var y = new float[count * outputs];
        var f = new float[count * ImageArchitectures.FeatureWidth];
        for (int start = 0; start < count; start += 64)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(64, count - start);
            Tensor current = tensor(pixels.AsSpan(start * sampleSize, n * sampleSize).ToArray(), [n, bands, size, size]);
            for (int i = 0; i < model.Spec.Layers.Count; i++)
            {
                current = model.Layer(i).call(current);
            }

            current.data<float>().ToArray().CopyTo(f, start * ImageArchitectures.FeatureWidth);
            for (int i = 0; i < model.Spec.Heads[0].Layers.Count; i++)
            {
                current = model.HeadLayer(0, i).call(current);
            }

            current.data<float>().ToArray().CopyTo(y, start * outputs);
        }

        return (y, f);
    }
}
