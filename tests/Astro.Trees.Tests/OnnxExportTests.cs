using Astro.Onnx;
using Astro.Trees.Onnx;

namespace Astro.Trees.Tests;

public sealed class OnnxExportTests
{
    [Theory]
    [InlineData(0.1)]
    [InlineData(-0.1)]
    [InlineData(1.0000000000000002)]
    [InlineData(3.4e38)]
    [InlineData(1e300)]
    [InlineData(-1e300)]
    public void ThresholdsRoundDownSoFloatComparisonsAgree(double threshold)
    {
        float t = TreeEnsembleOnnxExporter.RoundDownToSingle(threshold);
        Assert.True(t <= threshold);
        float next = MathF.BitIncrement(t);
        Assert.True(float.IsInfinity(next) || next > threshold);
    }

    [Fact]
    public void HandWrittenModelRoutesMissingValuesLikeLightGbm()
    {
        // Two trees: a NaN-aware split sending NaN right (default_left = 0, missing type NaN: decision_type 8), and a split
        // with missing type None (NaN → 0 ≤ 0.5 → left, decision_type 0), plus a single-leaf tree.
        const string text = """
            tree
            version=v4
            num_class=1
            num_tree_per_iteration=1
            label_index=0
            max_feature_idx=1
            objective=regression
            feature_names=a b
            feature_infos=[-1:1] [-1:1]

            Tree=0
            num_leaves=3
            num_cat=0
            split_feature=0 1
            split_gain=1 1
            threshold=0.10000000000000001 0.5
            decision_type=8 0
            left_child=-1 -2
            right_child=1 -3
            leaf_value=1 2 3
            leaf_weight=1 1 1
            leaf_count=1 1 1
            internal_value=0 0
            internal_weight=0 0
            internal_count=3 2
            is_linear=0
            shrinkage=1


            Tree=1
            num_leaves=1
            num_cat=0
            split_feature=
            split_gain=
            threshold=
            decision_type=
            left_child=
            right_child=
            leaf_value=0.25
            leaf_weight=
            leaf_count=
            internal_value=
            internal_weight=
            internal_count=
            is_linear=0
            shrinkage=1


            end of trees

            parameters:
            end of parameters

            """;
        using LightGbmModel model = LightGbmModel.LoadFromString(text);
        float[] rows =
        [
            0.1f, 0f,          // 0.1f > 0.1 (double)? 0.1f = 0.100000001490116 > 0.1 → right; b = 0 ≤ 0.5 → leaf 1 (2)
            0.0999999f, 9f,    // left → leaf 0 (1)
            float.NaN, 0.7f,   // NaN, default right; 0.7 > 0.5 → leaf 2 (3)
            float.NaN, float.NaN, // right; NaN → 0 ≤ 0.5 → leaf 1 (2)
        ];
        double[] expected = model.Predict(rows, 4);
        Assert.Equal([2.25, 1.25, 3.25, 2.25], expected);
        using var session = new OnnxModelSession(model.ExportOnnx(), new OnnxModelSessionOptions());
        Assert.Equal([2.25f, 1.25f, 3.25f, 2.25f], session.Run(rows, 4));
        using var single = new OnnxModelSession(model.ExportOnnx("input", "output", TreeEnsemblePrecision.Single), new OnnxModelSessionOptions());
        Assert.Equal([2.25f, 1.25f, 3.25f, 2.25f], single.Run(rows, 4));
    }

    [Fact]
    public void InconsistentTreeSizesAreRefusedBeforeLightGbmSeesThem()
    {
        // LightGBM parses trees at the tree_sizes offsets on OpenMP threads, where its error aborts the process.
        (float[] x, float[] y) = SyntheticData.Regression(500, 4, seed: 1);
        using LightGbmModel model = LightGbmModel.Train(x, 500, 4, y, new LightGbmOptions { NumIterations = 3 });
        string text = model.SaveToString();
        int start = text.IndexOf("tree_sizes=", StringComparison.Ordinal);
        int end = text.IndexOf('\n', start);
        string broken = text[..start] + "tree_sizes=1 1 1" + text[end..];
        var error = Assert.Throws<LightGbmException>(() => LightGbmModel.LoadFromString(broken));
        Assert.Contains("tree_sizes", error.Message);
        Assert.Throws<LightGbmException>(() => LightGbmModel.LoadFromString("not a model"));
    }

    [Fact]
    public void UnsupportedObjectiveIsRefused()
    {
        (float[] x, float[] y) = SyntheticData.Regression(500, 4, seed: 1);
        using LightGbmModel model = LightGbmModel.Train(x, 500, 4, y, new LightGbmOptions { NumIterations = 3 });
        string poisson = model.SaveToString().Replace("objective=regression_l1", "objective=poisson");
        using LightGbmModel other = LightGbmModel.LoadFromString(poisson);
        var error = Assert.Throws<LightGbmException>(() => other.ExportOnnx());
        Assert.Contains("not 'poisson'", error.Message);
    }
}
