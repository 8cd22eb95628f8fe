namespace Astro.Ml.Images;

/// <summary>One question of a Galaxy Zoo style decision tree.</summary>
/// <param name="Name">The question's name (e.g. <c>smooth-or-featured</c>).</param>
/// <param name="Answers">The answers' names, in output order.</param>
/// <param name="Parent">
/// The answers (as <c>question/answer</c> names) whose unconditional probabilities add up to the probability that this
/// question is asked; empty for a question everybody is asked.
/// </param>
public sealed record AnswerQuestion(string Name, IReadOnlyList<string> Answers, IReadOnlyList<string> Parent);

/// <summary>
/// A question → answers map with the answers that lead to each question (paper 003's normalisation layer). Answers are
/// laid out question after question in declaration order, so question <c>q</c> owns the contiguous output range
/// <see cref="Offset"/>(q) … <see cref="Offset"/>(q) + answers − 1. Parents must be answers of earlier questions.
/// </summary>
public sealed class AnswerTree
{
    private readonly int[] _offsets;
    private readonly int[][] _parents;

    /// <summary>Creates a tree and checks it.</summary>
    /// <exception cref="ArgumentException">No question, a question with fewer than two answers, duplicate names, or a parent that is not an answer of an earlier question.</exception>
    public AnswerTree(string name, IReadOnlyList<AnswerQuestion> questions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(questions);
        if (questions.Count == 0)
        {
            throw new ArgumentException("An answer tree needs at least one question.", nameof(questions));
        }

        Name = name;
        Questions = questions;
        _offsets = new int[questions.Count];
        _parents = new int[questions.Count][];
        var answerIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var answers = new List<string>();
        for (int q = 0; q < questions.Count; q++)
        {
            AnswerQuestion question = questions[q];
            if (question.Answers.Count < 2)
            {
                throw new ArgumentException($"Question '{question.Name}' has {question.Answers.Count} answer(s); at least two are needed.", nameof(questions));
            }

            var parents = new List<int>();
            foreach (string parent in question.Parent)
            {
                if (!answerIndex.TryGetValue(parent, out int index))
                {
                    throw new ArgumentException($"Question '{question.Name}': parent '{parent}' is not an answer of an earlier question.", nameof(questions));
                }

                parents.Add(index);
            }

            _parents[q] = [.. parents];
            _offsets[q] = answers.Count;
            foreach (string answer in question.Answers)
            {
                string full = $"{question.Name}/{answer}";
                if (!answerIndex.TryAdd(full, answers.Count))
                {
                    throw new ArgumentException($"The answer '{full}' appears twice.", nameof(questions));
                }

                answers.Add(full);
            }
        }

        AnswerNames = answers;
    }

    /// <summary>Gets the tree's name.</summary>
    public string Name { get; }

    /// <summary>Gets the questions in order.</summary>
    public IReadOnlyList<AnswerQuestion> Questions { get; }

    /// <summary>Gets the answers' full names (<c>question/answer</c>) in output order.</summary>
    public IReadOnlyList<string> AnswerNames { get; }

    /// <summary>Gets the number of answers (the width of the layer).</summary>
    public int AnswerCount => AnswerNames.Count;

    /// <summary>
    /// The Galaxy Zoo 2 decision tree (Willett et al. 2013, Hart et al. 2016 Fig. 2): 11 questions, 37 answers, as paper
    /// 003 used it (and Dieleman et al. 2015 before it). Q6 ("anything odd?") is asked of everything that is not a star.
    /// </summary>
    public static AnswerTree GalaxyZoo2 { get; } = new(
        "gz2",
        [
            new("t01", ["smooth", "features-or-disk", "star-or-artifact"], []),
            new("t02", ["edge-on-yes", "edge-on-no"], ["t01/features-or-disk"]),
            new("t03", ["bar", "no-bar"], ["t02/edge-on-no"]),
            new("t04", ["spiral", "no-spiral"], ["t02/edge-on-no"]),
            new("t05", ["no-bulge", "just-noticeable", "obvious", "dominant"], ["t02/edge-on-no"]),
            new("t06", ["odd-yes", "odd-no"], ["t01/smooth", "t01/features-or-disk"]),
            new("t07", ["completely-round", "in-between", "cigar-shaped"], ["t01/smooth"]),
            new("t08", ["ring", "lens-or-arc", "disturbed", "irregular", "other", "merger", "dust-lane"], ["t06/odd-yes"]),
            new("t09", ["rounded", "boxy", "no-bulge"], ["t02/edge-on-yes"]),
            new("t10", ["tight", "medium", "loose"], ["t04/spiral"]),
            new("t11", ["1", "2", "3", "4", "more-than-4", "cant-tell"], ["t04/spiral"]),
        ]);

    /// <summary>
    /// The three Galaxy Zoo DECaLS questions the zoobot ring example data carry (Walmsley et al. 2022): smooth or featured
    /// (smooth and artifact merged, since only the featured fraction is given), edge-on, spiral arms.
    /// </summary>
    public static AnswerTree DecalsRings { get; } = new(
        "gz-decals-rings",
        [
            new("smooth-or-featured", ["featured-or-disk", "smooth-or-artifact"], []),
            new("disk-edge-on", ["yes", "no"], ["smooth-or-featured/featured-or-disk"]),
            new("has-spiral-arms", ["yes", "no"], ["disk-edge-on/no"]),
        ]);

    /// <summary>The index of the first answer of question <paramref name="question"/>.</summary>
    public int Offset(int question) => _offsets[question];

    /// <summary>The answer indices whose probabilities add up to the probability that the question is asked (empty: 1).</summary>
    public IReadOnlyList<int> ParentAnswers(int question) => _parents[question];

    /// <summary>
    /// Converts per-question vote fractions (each question's answers sum to 1 among those who answered it) into
    /// unconditional probabilities: each answer times the probability that its question is asked.
    /// </summary>
    /// <param name="conditional">One fraction per answer, in output order.</param>
    /// <returns>The unconditional probabilities.</returns>
    public double[] ToUnconditional(ReadOnlySpan<double> conditional)
    {
        if (conditional.Length != AnswerCount)
        {
            throw new ArgumentException($"{conditional.Length} fractions for {AnswerCount} answers.", nameof(conditional));
        }

        var result = new double[AnswerCount];
        for (int q = 0; q < Questions.Count; q++)
        {
            double asked = ParentProbability(result, q);
            for (int a = 0; a < Questions[q].Answers.Count; a++)
            {
                result[_offsets[q] + a] = conditional[_offsets[q] + a] * asked;
            }
        }

        return result;
    }

    /// <summary>The probability that question <paramref name="question"/> is asked, from unconditional answer probabilities.</summary>
    public double ParentProbability(ReadOnlySpan<double> unconditional, int question)
    {
        if (_parents[question].Length == 0)
        {
            return 1.0;
        }

        double sum = 0;
        foreach (int p in _parents[question])
        {
            sum += unconditional[p];
        }

        return sum;
    }
}
