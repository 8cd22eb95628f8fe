using Astro.Catalogs.Models;

namespace Astro.Catalogs.Text;

// The rows of the chunk being read, column by column.
internal sealed partial class TextCatalogSource
{
    private sealed class ChunkBuilder
    {
        private readonly IReadOnlyList<string> _numericNames;
        private readonly IReadOnlyList<string> _textNames;
        private readonly int _capacity;
        private long _rowsBefore;

        public ChunkBuilder(IReadOnlyList<string> numericNames, IReadOnlyList<string> textNames, int capacity)
        {
            _numericNames = numericNames;
            _textNames = textNames;
            _capacity = capacity;
            Allocate();
        }

        public double[][] Numeric { get; private set; } = [];

        public string[][] Text { get; private set; } = [];

        public long[] LineNumbers { get; private set; } = [];

        public int Count { get; set; }

        private void Allocate()
        {
            Numeric = _numericNames.Select(_ => new double[_capacity]).ToArray();
            Text = _textNames.Select(_ => new string[_capacity]).ToArray();
            LineNumbers = new long[_capacity];
        }

        /// <summary>Copies row <paramref name="from"/> to row <paramref name="to"/>.</summary>
        public void MoveRow(int from, int to)
        {
            foreach (double[] column in Numeric)
            {
                column[to] = column[from];
            }

            foreach (string[] column in Text)
            {
                column[to] = column[from];
            }

            LineNumbers[to] = LineNumbers[from];
        }

        public CatalogChunk Build()
        {
            int n = Count;
            double[][] numeric = Numeric;
            string[][] text = Text;
            long[] lines = LineNumbers;
            if (n < _capacity)
            {
                for (int i = 0; i < numeric.Length; i++)
                {
                    Array.Resize(ref numeric[i], n);
                }

                for (int i = 0; i < text.Length; i++)
                {
                    Array.Resize(ref text[i], n);
                }

                Array.Resize(ref lines, n);
            }

            var chunk = new CatalogChunk(n, _rowsBefore, _numericNames, numeric, _textNames, text, null, lines);
            _rowsBefore += n;
            Count = 0;
            Allocate();
            return chunk;
        }
    }
}

/// <summary>What parsing one line gave: a row (possibly with a tolerated problem) or a malformed line, with the report's reason and message.</summary>
internal readonly record struct LineOutcome(bool IsRow, string? Reason, string? Message);
