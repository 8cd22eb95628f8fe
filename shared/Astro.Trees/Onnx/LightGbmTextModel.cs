using System.Globalization;

namespace Astro.Trees.Onnx;

/// <summary>One tree of a LightGBM text model (the arrays as LightGBM writes them).</summary>
/// <remarks>
/// Children: a value ≥ 0 is an internal node index, a negative value <c>c</c> is leaf <c>~c</c> (i.e. <c>−c − 1</c>).
/// <c>DecisionType</c> bits: 0 categorical, 1 default-left, 2–3 missing type (0 none, 1 zero, 2 NaN).
/// </remarks>
internal sealed record LightGbmTree(int Index, int NumLeaves, int[] SplitFeature, double[] Threshold, int[] DecisionType,
    int[] LeftChild, int[] RightChild, double[] LeafValue)
{
    public const int CategoricalMask = 1;
    public const int DefaultLeftMask = 2;

    public static int MissingType(int decisionType) => (decisionType >> 2) & 3;
}

/// <summary>The parts of LightGBM's text model format (v4) that an ONNX export needs.</summary>
internal sealed record LightGbmTextModel(int NumClass, int NumTreePerIteration, int MaxFeatureIndex, string Objective,
    IReadOnlyList<string> FeatureNames, IReadOnlyList<LightGbmTree> Trees, bool AverageOutput)
{
    /// <summary>
    /// Checks what LightGBM trusts without checking: the text starts with <c>tree</c> and every <c>tree_sizes</c> offset lands
    /// on a <c>Tree=</c> line. LightGBM reads the trees at those offsets on OpenMP threads, where its error aborts the
    /// process instead of returning -1.
    /// </summary>
    /// <exception cref="LightGbmException">The text fails a check.</exception>
    public static void CheckLoadable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.StartsWith("tree\n", StringComparison.Ordinal) && !text.StartsWith("tree\r\n", StringComparison.Ordinal))
        {
            throw new LightGbmException("The text is not a LightGBM tree model (its first line is not 'tree').");
        }

        int sizesAt = text.IndexOf("\ntree_sizes=", StringComparison.Ordinal);
        int firstTree = text.IndexOf("\nTree=", StringComparison.Ordinal);
        if (sizesAt < 0 || (firstTree >= 0 && sizesAt > firstTree))
        {
            return;
        }

        int lineEnd = text.IndexOf('\n', sizesAt + 1);
        string[] sizes = text[(sizesAt + 12)..(lineEnd < 0 ? text.Length : lineEnd)].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (firstTree < 0)
        {
            throw new LightGbmException($"The LightGBM model lists {sizes.Length} tree_sizes but holds no 'Tree=' line.");
        }

        // Offsets count bytes from the first tree; everything from there on is ASCII in a valid model.
        long offset = firstTree + 1;
        for (int i = 0; i < sizes.Length; i++)
        {
            if (offset >= text.Length || string.CompareOrdinal(text, (int)offset, "Tree=", 0, 5) != 0)
            {
                throw new LightGbmException($"The LightGBM model's tree_sizes do not match its trees (tree {i} is not at byte {offset - firstTree - 1} after the first tree).");
            }

            if (!long.TryParse(sizes[i], NumberStyles.None, CultureInfo.InvariantCulture, out long size) || size <= 0)
            {
                throw new LightGbmException($"The LightGBM model's tree_sizes entry {i} ('{sizes[i]}') is not a positive integer.");
            }

            offset += size;
        }
    }

    /// <summary>Parses a model string.</summary>
    /// <exception cref="LightGbmException">The text is not a LightGBM tree model or uses a construct the export does not support.</exception>
    public static LightGbmTextModel Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] lines = text.Split('\n');
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        int i = 0;
        if (lines.Length == 0 || lines[0].Trim() != "tree")
        {
            throw new LightGbmException("The text is not a LightGBM tree model (its first line is not 'tree').");
        }

        bool averageOutput = false;
        for (; i < lines.Length && !lines[i].StartsWith("Tree=", StringComparison.Ordinal); i++)
        {
            string line = lines[i].Trim();
            averageOutput |= line == "average_output";
            int eq = line.IndexOf('=');
            if (eq > 0)
            {
                header[line[..eq]] = line[(eq + 1)..];
            }
        }

        int numClass = Int(header, "num_class");
        int perIteration = Int(header, "num_tree_per_iteration");
        int maxFeature = Int(header, "max_feature_idx");
        string objective = header.GetValueOrDefault("objective", string.Empty);
        string[] names = header.TryGetValue("feature_names", out string? n) ? n.Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];

        var trees = new List<LightGbmTree>();
        while (i < lines.Length && lines[i].StartsWith("Tree=", StringComparison.Ordinal))
        {
            int index = int.Parse(lines[i].AsSpan(5), CultureInfo.InvariantCulture);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            for (i++; i < lines.Length && lines[i].Trim().Length > 0; i++)
            {
                string line = lines[i].Trim();
                int eq = line.IndexOf('=');
                if (eq > 0)
                {
                    fields[line[..eq]] = line[(eq + 1)..];
                }
            }

            trees.Add(ParseTree(index, fields));
            while (i < lines.Length && lines[i].Trim().Length == 0)
            {
                i++;
            }
        }

        if (trees.Count == 0)
        {
            throw new LightGbmException("The LightGBM model holds no trees.");
        }

        return new LightGbmTextModel(numClass, perIteration, maxFeature, objective, names, trees, averageOutput);
    }

    private static LightGbmTree ParseTree(int index, Dictionary<string, string> fields)
    {
        int leaves = Int(fields, "num_leaves");
        if (fields.TryGetValue("num_cat", out string? cat) && cat != "0")
        {
            throw new LightGbmException($"Tree {index} has categorical splits, which the ONNX export does not support.");
        }

        if (fields.TryGetValue("is_linear", out string? linear) && linear != "0")
        {
            throw new LightGbmException($"Tree {index} is a linear tree, which the ONNX export does not support.");
        }

        double[] leafValue = Doubles(fields, "leaf_value", leaves, index);
        if (leaves == 1)
        {
            return new LightGbmTree(index, 1, [], [], [], [], [], leafValue);
        }

        int internalNodes = leaves - 1;
        return new LightGbmTree(index, leaves,
            Ints(fields, "split_feature", internalNodes, index),
            Doubles(fields, "threshold", internalNodes, index),
            Ints(fields, "decision_type", internalNodes, index),
            Ints(fields, "left_child", internalNodes, index),
            Ints(fields, "right_child", internalNodes, index),
            leafValue);
    }

    private static int Int(Dictionary<string, string> fields, string key) =>
        fields.TryGetValue(key, out string? value) && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result)
            ? result
            : throw new LightGbmException($"The LightGBM model has no valid '{key}' entry.");

    private static int[] Ints(Dictionary<string, string> fields, string key, int count, int tree) =>
        Split(fields, key, count, tree).Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();

    private static double[] Doubles(Dictionary<string, string> fields, string key, int count, int tree) =>
        Split(fields, key, count, tree).Select(ParseDouble).ToArray();

    /// <summary>Parses a number as LightGBM writes it (C++ streams: <c>inf</c>, <c>-inf</c>, <c>nan</c> for the special values).</summary>
    private static double ParseDouble(string s) => s switch
    {
        "inf" or "+inf" or "infinity" => double.PositiveInfinity,
        "-inf" or "-infinity" => double.NegativeInfinity,
        "nan" or "-nan" => double.NaN,
        _ => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string[] Split(Dictionary<string, string> fields, string key, int count, int tree)
    {
        if (!fields.TryGetValue(key, out string? value))
        {
            throw new LightGbmException($"Tree {tree} of the LightGBM model has no '{key}' entry.");
        }

        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != count)
        {
            throw new LightGbmException($"Tree {tree} of the LightGBM model has {parts.Length} '{key}' values, expected {count}.");
        }

        return parts;
    }
}
