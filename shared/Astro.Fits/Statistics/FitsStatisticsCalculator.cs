using System.Buffers;
using Astro.Fits.Hdus;
using Astro.Fits.Tables;

namespace Astro.Fits.Statistics;

/// <summary>
/// Computes per-HDU statistics over physical values (scaling applied; BLANK, TNULL and NaN counted
/// as undefined), streaming the data in chunks so memory stays bounded.
/// </summary>
public static class FitsStatisticsCalculator
{
    private const int PixelChunk = 1 << 20;

    /// <summary>Statistics for every HDU of a file.</summary>
    /// <exception cref="FitsException">Data is truncated or malformed.</exception>
    public static IReadOnlyList<HduStatistics> Compute(FitsFile file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        var result = new List<HduStatistics>(file.Count);
        foreach (Hdu hdu in file)
        {
            result.Add(Compute(hdu, cancellationToken));
        }

        return result;
    }

    /// <summary>Statistics for one HDU.</summary>
    public static HduStatistics Compute(Hdu hdu, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(hdu);
        try
        {
            return hdu switch
            {
                ImageHdu { Kind: HduKind.Empty } => new HduStatistics { Index = hdu.Index, Kind = "empty" },
                ImageHdu image => Image(image, cancellationToken),
                BinaryTableHdu { IsCompressedTable: true } table => new HduStatistics
                {
                    Index = hdu.Index,
                    Kind = "bintable",
                    Rows = table.UncompressedRowCount,
                    Compressed = true,
                },
                TableHdu table => Table(table, cancellationToken),
                RandomGroupsHdu groups => new HduStatistics { Index = hdu.Index, Kind = "groups", Groups = groups.GroupCount },
                _ => new HduStatistics { Index = hdu.Index, Kind = "other", Extension = hdu.Extension ?? string.Empty },
            };
        }
        catch (FitsException e)
        {
            throw e.InHdu(hdu.Index);
        }
    }

    private static HduStatistics Image(ImageHdu image, CancellationToken cancellationToken)
    {
        var values = ValueAccumulator.Create();
        double[] buffer = ArrayPool<double>.Shared.Rent((int)Math.Min(PixelChunk, Math.Max(1, image.PixelCount)));
        try
        {
            for (long first = 0; first < image.PixelCount; first += PixelChunk)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = (int)Math.Min(PixelChunk, image.PixelCount - first);
                Span<double> chunk = buffer.AsSpan(0, n);
                image.ReadPhysical(first, chunk);
                values.Add(chunk);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(buffer);
        }

        return new HduStatistics { Index = image.Index, Kind = "image", Axes = image.Axes, Values = values };
    }

    private static HduStatistics Table(TableHdu table, CancellationToken cancellationToken)
    {
        Column[] numeric = table.Columns.Where(c => c.IsNumeric).ToArray();
        var values = new ValueAccumulator[numeric.Length];
        for (int k = 0; k < numeric.Length; k++)
        {
            values[k] = ValueAccumulator.Create();
        }

        if (table is BinaryTableHdu binary)
        {
            // One pass over the rows: each chunk is read once and every numeric column decoded from it.
            double[] scratch = [];
            foreach (var (firstRow, count, rows) in binary.ReadRowChunks())
            {
                cancellationToken.ThrowIfCancellationRequested();
                for (int k = 0; k < numeric.Length; k++)
                {
                    int n = binary.DecodeNumeric((BinaryColumn)numeric[k], rows, firstRow, count, ref scratch);
                    values[k].Add(scratch.AsSpan(0, n));
                }
            }
        }
        else
        {
            for (int k = 0; k < numeric.Length; k++)
            {
                foreach (double[] chunk in table.ReadColumnChunks(numeric[k]))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    values[k].Add(chunk);
                }
            }
        }

        return new HduStatistics
        {
            Index = table.Index,
            Kind = table is AsciiTableHdu ? "table" : "bintable",
            Rows = table.RowCount,
            Columns = numeric.Select((c, k) => new ColumnStatistics(c.Name, values[k])).ToArray(),
        };
    }
}
