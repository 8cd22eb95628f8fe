namespace Astro.Fits.Compression.Codecs;

/// <summary>
/// PLIO_1 tile decoder: IRAF line lists, decoded as cfitsio's <c>pl_l2pi</c> does (starting at pixel 1).
/// </summary>
/// <remarks>
/// A line list is an array of 16-bit words: a header (old form: the list length in word 3 and the
/// instructions from word 4; new form, word 3 ≤ 0: the length in words 4 and 5 as
/// <c>(w5 &lt;&lt; 15) + w4</c> and the header length in word 2), then instructions of a 4-bit
/// opcode and 12-bit datum: 0 zeros, 1 set the high value (two words), 2/3 add/subtract to the
/// high value, 4 run of high values, 5 zeros ending in one high value, 6/7 add/subtract then emit one
/// pixel. Pixels not reached by the list are zero. Word positions here are 1-based as in IRAF.
/// </remarks>
internal static class PlioCodec
{
    /// <summary>Decodes one PLIO_1 tile.</summary>
    /// <param name="lineList">The tile's 16-bit words in native order (the heap stores them big-endian).</param>
    /// <param name="destination">Receives the pixels; its length is the tile's pixel count.</param>
    /// <exception cref="FitsException">The line list is truncated or its header is malformed.</exception>
    public static void Decode(ReadOnlySpan<short> lineList, Span<int> destination)
    {
        int npix = destination.Length;
        if (npix == 0)
        {
            return;
        }

        if (lineList.Length < 3)
        {
            throw new FitsException($"PLIO_1 line list of {lineList.Length} words is shorter than its header");
        }

        int length;
        int first;
        if (Word(lineList, 3) > 0)
        {
            length = Word(lineList, 3);
            first = 4;
        }
        else
        {
            if (lineList.Length < 5)
            {
                throw new FitsException($"PLIO_1 line list of {lineList.Length} words is shorter than its header");
            }

            length = (Word(lineList, 5) << 15) + Word(lineList, 4);
            first = Word(lineList, 2) + 1;
        }

        if (length <= 0)
        {
            destination.Clear();
            return;
        }

        if (length > lineList.Length)
        {
            throw new FitsException($"PLIO_1 line list declares {length} words but the tile holds {lineList.Length}");
        }

        if (first < 1)
        {
            throw new FitsException($"PLIO_1 line list has an invalid header length {first - 1}");
        }

        const int xs = 1;
        int xe = xs + npix - 1;
        int op = 1;         // next output pixel, 1-based
        int x1 = 1;         // current position in the line
        int pv = 1;         // current high value
        for (int ip = first; ip <= length; ip++)
        {
            int word = Word(lineList, ip);
            int opcode = word / 4096;
            int data = word & 4095;
            switch (opcode)
            {
                case 0:
                case 4:
                case 5:
                {
                    int x2 = x1 + data - 1;
                    int i1 = Math.Max(x1, xs);
                    int i2 = Math.Min(x2, xe);
                    int np = i2 - i1 + 1;
                    if (np > 0)
                    {
                        int otop = op + np - 1;
                        if (opcode == 4)
                        {
                            destination.Slice(op - 1, np).Fill(pv);
                        }
                        else
                        {
                            destination.Slice(op - 1, np).Clear();
                            if (opcode == 5 && i2 == x2)
                            {
                                destination[otop - 1] = pv;
                            }
                        }

                        op = otop + 1;
                    }

                    x1 = x2 + 1;
                    break;
                }

                case 1:
                    if (ip + 1 > length)
                    {
                        throw new FitsException($"PLIO_1 line list ends inside a set-value instruction at word {ip}");
                    }

                    pv = (Word(lineList, ip + 1) << 12) + data;
                    ip++;
                    break;
                case 2:
                    pv += data;
                    break;
                case 3:
                    pv -= data;
                    break;
                case 6:
                case 7:
                    pv = opcode == 6 ? pv + data : pv - data;
                    if (x1 >= xs && x1 <= xe)
                    {
                        destination[op - 1] = pv;
                        op++;
                    }

                    x1++;
                    break;
                default:
                    // Words with the sign bit set (or opcode > 7) are ignored, as in cfitsio.
                    break;
            }

            if (x1 > xe)
            {
                break;
            }
        }

        if (op <= npix)
        {
            destination.Slice(op - 1).Clear();
        }
    }

    /// <summary>Converts the big-endian 16-bit words of a heap tile to native order.</summary>
    /// <exception cref="FitsException">The byte count is odd.</exception>
    public static short[] ReadWords(ReadOnlySpan<byte> bigEndian)
    {
        if ((bigEndian.Length & 1) != 0)
        {
            throw new FitsException($"PLIO_1 tile has an odd number of bytes ({bigEndian.Length})");
        }

        short[] words = new short[bigEndian.Length / 2];
        for (int i = 0; i < words.Length; i++)
        {
            words[i] = (short)((bigEndian[2 * i] << 8) | bigEndian[(2 * i) + 1]);
        }

        return words;
    }

    private static int Word(ReadOnlySpan<short> lineList, int index1) => lineList[index1 - 1];
}
