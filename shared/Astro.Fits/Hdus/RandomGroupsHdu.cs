namespace Astro.Fits.Hdus;

/// <summary>
/// A random-groups primary array (NAXIS1 = 0, GROUPS = T): GCOUNT groups, each of PCOUNT
/// parameters followed by an array of NAXIS2 × … × NAXISn values. Recognised and described;
/// the groups' values are read with <see cref="ReadGroup"/>.
/// </summary>
public sealed class RandomGroupsHdu : Hdu
{
    internal RandomGroupsHdu(HduFrame frame)
        : base(frame)
    {
        BitPix = (int)frame.Header.RequireInt64("BITPIX");
        long[] axes = HduFactory.ReadAxes(frame.Header, "NAXIS");
        GroupAxes = axes.Skip(1).ToArray();
        GroupCount = frame.Header.GetInt64("GCOUNT", 1);
        ParameterCount = frame.Header.GetInt64("PCOUNT", 0);
        long values = 1;
        foreach (long a in GroupAxes)
        {
            values *= a;
        }

        ValuesPerGroup = values;
    }

    /// <inheritdoc />
    public override HduKind Kind => HduKind.RandomGroups;

    /// <summary>BITPIX of parameters and values.</summary>
    public int BitPix { get; }

    /// <summary>NAXIS2 … NAXISn: the shape of each group's array.</summary>
    public IReadOnlyList<long> GroupAxes { get; }

    /// <summary>GCOUNT: the number of groups.</summary>
    public long GroupCount { get; }

    /// <summary>PCOUNT: parameters per group.</summary>
    public long ParameterCount { get; }

    /// <summary>Values in each group's array.</summary>
    public long ValuesPerGroup { get; }

    /// <summary>Reads one group's parameters and array as raw values in double precision (PSCALn/PZEROn and BSCALE/BZERO applied).</summary>
    public (double[] Parameters, double[] Values) ReadGroup(long group)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(group);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(group, GroupCount);
        int bytes = Images.PixelConverter.BytesPerPixel(BitPix);
        long perGroup = ParameterCount + ValuesPerGroup;
        if (perGroup > 1 << 24)
        {
            throw Error($"a group of {perGroup} values is too large to read at once");
        }

        byte[] raw = new byte[perGroup * bytes];
        ReadData(group * perGroup * bytes, raw);
        double[] all = new double[perGroup];
        Images.PixelConverter.ToPhysical(raw, BitPix, 1.0, 0.0, null, all);
        double[] parameters = new double[ParameterCount];
        for (int p = 0; p < ParameterCount; p++)
        {
            double scale = Header.GetDouble($"PSCAL{p + 1}", 1.0);
            double zero = Header.GetDouble($"PZERO{p + 1}", 0.0);
            parameters[p] = zero + (scale * all[p]);
        }

        double bscale = Header.GetDouble("BSCALE", 1.0);
        double bzero = Header.GetDouble("BZERO", 0.0);
        double[] values = new double[ValuesPerGroup];
        for (long i = 0; i < ValuesPerGroup; i++)
        {
            values[i] = bzero + (bscale * all[ParameterCount + i]);
        }

        return (parameters, values);
    }
}
