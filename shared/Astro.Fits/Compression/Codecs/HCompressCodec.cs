using System.Buffers.Binary;
using System.Numerics;

namespace Astro.Fits.Compression.Codecs;

/// <summary>The fixed header of an HCOMPRESS_1 tile.</summary>
/// <param name="Height">Rows of the tile (cfitsio's <c>nx</c>, the slow axis, FITS NAXIS2).</param>
/// <param name="Width">Columns of the tile (cfitsio's <c>ny</c>, the fast axis, FITS NAXIS1).</param>
/// <param name="Scale">The digitisation scale factor (0 or 1: lossless).</param>
/// <param name="SumAll">The sum of all pixels (the H-transform's h0 coefficient).</param>
internal readonly record struct HCompressHeader(int Height, int Width, int Scale, long SumAll);

/// <summary>
/// HCOMPRESS_1 tile decoder (R. White's H-transform coder), bit-compatible with cfitsio's
/// <c>fits_hdecompress</c> and <c>fits_hdecompress64</c>, including the optional smoothing
/// (<c>hsmooth</c>, ZVAL2 SMOOTH ≠ 0).
/// </summary>
/// <remarks>
/// Stream layout: magic 0xDD 0x99, nx, ny and scale as big-endian int32, the pixel sum as a
/// big-endian int64, three bytes giving the number of bit planes of the four quadrants, the
/// quadtree-coded bit planes (fixed Huffman code for 4-bit quadtree nodes), an end nybble 0, then
/// byte-aligned sign bits of the non-zero coefficients. Decoding multiplies by scale and applies the
/// inverse H-transform. The 32-bit path wraps exactly like cfitsio's int arithmetic.
/// Like cfitsio's <c>imcomp_decompress_tile</c>, callers should use the 32-bit overload for 8- and 16-bit
/// images and the 64-bit overload (then narrow each value to int) for 32-bit, 64-bit and quantised float
/// images: fpack writes those with <c>fits_hcompress64</c>, whose coefficients can need 33 bit planes.
/// cfitsio then clips 8/16-bit results to the image type (lossy scales can overshoot by a few units).
/// </remarks>
internal static class HCompressCodec
{
    private const int HeaderLength = 2 + 4 + 4 + 4 + 8 + 3;

    /// <summary>Reads the header of an HCOMPRESS_1 tile.</summary>
    /// <exception cref="FitsException">The tile is too short or does not start with the HCOMPRESS magic code.</exception>
    public static HCompressHeader ReadHeader(ReadOnlySpan<byte> source)
    {
        if (source.Length < HeaderLength)
        {
            throw new FitsException($"HCOMPRESS_1 tile of {source.Length} bytes is shorter than its {HeaderLength}-byte header");
        }

        if (source[0] != 0xDD || source[1] != 0x99)
        {
            throw new FitsException($"HCOMPRESS_1 tile starts with 0x{source[0]:X2} 0x{source[1]:X2}, not the magic code 0xDD 0x99");
        }

        int nx = BinaryPrimitives.ReadInt32BigEndian(source.Slice(2));
        int ny = BinaryPrimitives.ReadInt32BigEndian(source.Slice(6));
        int scale = BinaryPrimitives.ReadInt32BigEndian(source.Slice(10));
        long sumAll = BinaryPrimitives.ReadInt64BigEndian(source.Slice(14));
        return new HCompressHeader(nx, ny, scale, sumAll);
    }

    /// <summary>Decodes an HCOMPRESS_1 tile into 32-bit integers, as cfitsio's <c>fits_hdecompress</c>.</summary>
    /// <param name="source">The compressed tile bytes.</param>
    /// <param name="destination">Receives the tile, row by row; its length must be the tile's pixel count.</param>
    /// <param name="smooth">Whether to smooth while inverting (ZVAL2 SMOOTH ≠ 0); only has an effect when scale &gt; 1.</param>
    /// <returns>The tile header.</returns>
    /// <exception cref="FitsException">The tile is truncated, malformed or not of <paramref name="destination"/>'s size.</exception>
    public static HCompressHeader Decode(ReadOnlySpan<byte> source, Span<int> destination, bool smooth) =>
        DecodeCore(source, destination, smooth);

    /// <summary>
    /// Decodes an HCOMPRESS_1 tile into 64-bit integers, as cfitsio's <c>fits_hdecompress64</c> computes them
    /// (cfitsio itself then narrows each value to int32).
    /// </summary>
    /// <inheritdoc cref="Decode(ReadOnlySpan{byte}, Span{int}, bool)"/>
    public static HCompressHeader Decode(ReadOnlySpan<byte> source, Span<long> destination, bool smooth) =>
        DecodeCore(source, destination, smooth);

    private static HCompressHeader DecodeCore<T>(ReadOnlySpan<byte> source, Span<T> a, bool smooth)
        where T : struct, IBinaryInteger<T>
    {
        HCompressHeader header = ReadHeader(source);
        int nx = header.Height;
        int ny = header.Width;
        if (nx <= 0 || ny <= 0 || (long)nx * ny != a.Length)
        {
            throw new FitsException($"HCOMPRESS_1 tile is {ny}x{nx} pixels, expected {a.Length} pixels");
        }

        // Plane counts above the integer width occur (coefficients of extreme int32 data need 33 bits); the plane
        // value 1 << bit then wraps its shift count exactly as cfitsio's int arithmetic does on x86.
        ReadOnlySpan<byte> planes = source.Slice(HeaderLength - 3, 3);

        a.Clear();
        var reader = new BitReader(source.Slice(HeaderLength));
        int nx2 = (nx + 1) / 2;
        int ny2 = (ny + 1) / 2;
        byte[] scratch = new byte[Math.Max(1, nx2 * ny2)];
        QuadtreeDecode(ref reader, a, ny, nx2, ny2, planes[0], scratch);
        QuadtreeDecode(ref reader, a.Slice(ny2), ny, nx2, ny / 2, planes[1], scratch);
        QuadtreeDecode(ref reader, a.Slice(ny * nx2), ny, nx / 2, ny2, planes[1], scratch);
        QuadtreeDecode(ref reader, a.Slice(ny * nx2 + ny2), ny, nx / 2, ny / 2, planes[2], scratch);
        if (reader.ReadBits(4) != 0)
        {
            throw new FitsException("HCOMPRESS_1 tile has bad bit plane values (no end code after the quadrants)");
        }

        reader.AlignToByte();
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != T.Zero && reader.ReadBit() != 0)
            {
                a[i] = -a[i];
            }
        }

        a[0] = T.CreateTruncating(header.SumAll);

        // Undigitize.
        if (header.Scale > 1)
        {
            T scale = T.CreateTruncating(header.Scale);
            for (int i = 0; i < a.Length; i++)
            {
                a[i] *= scale;
            }
        }

        InverseTransform(a, nx, ny, smooth, header.Scale);
        return header;
    }

    /// <summary>ceil(log2(n)) for n ≥ 2, 0 for n ≤ 1 (cfitsio's rounded float logarithm gives the same).</summary>
    private static int CeilLog2(int n) => n <= 1 ? 0 : 32 - BitOperations.LeadingZeroCount((uint)(n - 1));

    private static void QuadtreeDecode<T>(ref BitReader reader, Span<T> a, int n, int nqx, int nqy, int nbitplanes, byte[] scratch)
        where T : struct, IBinaryInteger<T>
    {
        int log2n = CeilLog2(Math.Max(nqx, nqy));
        int nodes = ((nqx + 1) / 2) * ((nqy + 1) / 2);
        for (int bit = nbitplanes - 1; bit >= 0; bit--)
        {
            uint format = reader.ReadBits(4);
            if (format == 0)
            {
                // Bit plane written directly, 4 pixels per nybble.
                for (int i = 0; i < nodes; i++)
                {
                    scratch[i] = (byte)reader.ReadBits(4);
                }
            }
            else if (format == 0xF)
            {
                scratch[0] = reader.ReadHuffman();
                int nx = 1;
                int ny = 1;
                int nfx = nqx;
                int nfy = nqy;
                int c = 1 << log2n;
                for (int k = 1; k < log2n; k++)
                {
                    c >>= 1;
                    nx <<= 1;
                    ny <<= 1;
                    if (nfx <= c)
                    {
                        nx--;
                    }
                    else
                    {
                        nfx -= c;
                    }

                    if (nfy <= c)
                    {
                        ny--;
                    }
                    else
                    {
                        nfy -= c;
                    }

                    QuadtreeExpand(ref reader, scratch, nx, ny);
                }
            }
            else
            {
                throw new FitsException($"HCOMPRESS_1 tile has bad quadtree format code {format}");
            }

            InsertBitPlane(scratch, nqx, nqy, a, n, bit);
        }
    }

    /// <summary>One quadtree expansion of scratch[(nx+1)/2, (ny+1)/2] into scratch[nx, ny], reading new codes for non-zero nodes.</summary>
    private static void QuadtreeExpand(ref BitReader reader, byte[] b, int nx, int ny)
    {
        int nx2 = (nx + 1) / 2;
        int ny2 = (ny + 1) / 2;

        // Spread the 4-bit values to the even positions of b, from the end because it is in place.
        int k = ny2 * (nx2 - 1) + ny2 - 1;
        for (int i = nx2 - 1; i >= 0; i--)
        {
            int s00 = 2 * (ny * i + ny2 - 1);
            for (int j = ny2 - 1; j >= 0; j--)
            {
                b[s00] = b[k];
                k--;
                s00 -= 2;
            }
        }

        // Expand each value into its 2x2 block of bits.
        int row = 0;
        for (; row < nx - 1; row += 2)
        {
            int s00 = ny * row;
            int s10 = s00 + ny;
            int col = 0;
            for (; col < ny - 1; col += 2)
            {
                int v = b[s00];
                b[s10 + 1] = (byte)(v & 1);
                b[s10] = (byte)((v >> 1) & 1);
                b[s00 + 1] = (byte)((v >> 2) & 1);
                b[s00] = (byte)((v >> 3) & 1);
                s00 += 2;
                s10 += 2;
            }

            if (col < ny)
            {
                int v = b[s00];
                b[s10] = (byte)((v >> 1) & 1);
                b[s00] = (byte)((v >> 3) & 1);
            }
        }

        if (row < nx)
        {
            int s00 = ny * row;
            int col = 0;
            for (; col < ny - 1; col += 2)
            {
                int v = b[s00];
                b[s00 + 1] = (byte)((v >> 2) & 1);
                b[s00] = (byte)((v >> 3) & 1);
                s00 += 2;
            }

            if (col < ny)
            {
                b[s00] = (byte)((b[s00] >> 3) & 1);
            }
        }

        for (int i = nx * ny - 1; i >= 0; i--)
        {
            if (b[i] != 0)
            {
                b[i] = reader.ReadHuffman();
            }
        }
    }

    /// <summary>Expands 4-bit nodes a[(nx+1)/2, (ny+1)/2] to 2x2 pixels and ORs them into bit plane <paramref name="bit"/> of b.</summary>
    private static void InsertBitPlane<T>(byte[] a, int nx, int ny, Span<T> b, int n, int bit)
        where T : struct, IBinaryInteger<T>
    {
        T plane = T.One << bit;
        int k = 0;
        int i = 0;
        for (; i < nx - 1; i += 2)
        {
            int s00 = n * i;
            int j = 0;
            for (; j < ny - 1; j += 2)
            {
                int v = a[k++];
                if (v != 0)
                {
                    if ((v & 1) != 0)
                    {
                        b[s00 + n + 1] |= plane;
                    }

                    if ((v & 2) != 0)
                    {
                        b[s00 + n] |= plane;
                    }

                    if ((v & 4) != 0)
                    {
                        b[s00 + 1] |= plane;
                    }

                    if ((v & 8) != 0)
                    {
                        b[s00] |= plane;
                    }
                }

                s00 += 2;
            }

            if (j < ny)
            {
                int v = a[k++];
                if ((v & 2) != 0)
                {
                    b[s00 + n] |= plane;
                }

                if ((v & 8) != 0)
                {
                    b[s00] |= plane;
                }
            }
        }

        if (i < nx)
        {
            int s00 = n * i;
            int j = 0;
            for (; j < ny - 1; j += 2)
            {
                int v = a[k++];
                if ((v & 4) != 0)
                {
                    b[s00 + 1] |= plane;
                }

                if ((v & 8) != 0)
                {
                    b[s00] |= plane;
                }

                s00 += 2;
            }

            if (j < ny)
            {
                int v = a[k++];
                if ((v & 8) != 0)
                {
                    b[s00] |= plane;
                }
            }
        }
    }

    /// <summary>Inverse H-transform of a[nx, ny] in place (cfitsio's <c>hinv</c>/<c>hinv64</c>).</summary>
    private static void InverseTransform<T>(Span<T> a, int nx, int ny, bool smooth, int scale)
        where T : struct, IBinaryInteger<T>
    {
        int nmax = Math.Max(nx, ny);
        int log2n = CeilLog2(nmax);
        T[] tmp = new T[(nmax + 1) / 2];

        // Shifts by log2n − 1 = −1 for a 1x1 tile wrap like the C code on x86 (count masked to the width).
        int shift = 1;
        T bit0 = T.One << (log2n - 1);
        T bit1 = bit0 << 1;
        T mask0 = -bit0;
        T mask1 = mask0 << 1;
        T mask2 = mask0 << 2;
        T prnd0 = bit0 >> 1;
        T prnd1 = bit1 >> 1;
        T prnd2 = (bit0 << 2) >> 1;
        T nrnd0 = prnd0 - T.One;
        T nrnd1 = prnd1 - T.One;
        T nrnd2 = prnd2 - T.One;

        a[0] = (a[0] + (a[0] >= T.Zero ? prnd2 : nrnd2)) & mask2;

        int nxtop = 1;
        int nytop = 1;
        int nxf = nx;
        int nyf = ny;
        int c = 1 << log2n;
        for (int k = log2n - 1; k >= 0; k--)
        {
            c >>= 1;
            nxtop <<= 1;
            nytop <<= 1;
            if (nxf <= c)
            {
                nxtop--;
            }
            else
            {
                nxf -= c;
            }

            if (nyf <= c)
            {
                nytop--;
            }
            else
            {
                nyf -= c;
            }

            if (k == 0)
            {
                nrnd0 = T.Zero;
                shift = 2;
            }

            for (int i = 0; i < nxtop; i++)
            {
                Unshuffle(a.Slice(ny * i), nytop, 1, tmp);
            }

            for (int j = 0; j < nytop; j++)
            {
                Unshuffle(a.Slice(j), nxtop, ny, tmp);
            }

            if (smooth)
            {
                Smooth(a, nxtop, nytop, ny, scale);
            }

            int oddx = nxtop % 2;
            int oddy = nytop % 2;
            int row = 0;
            for (; row < nxtop - oddx; row += 2)
            {
                int s00 = ny * row;
                int s10 = s00 + ny;
                for (int j = 0; j < nytop - oddy; j += 2)
                {
                    T h0 = a[s00];
                    T hx = a[s10];
                    T hy = a[s00 + 1];
                    T hc = a[s10 + 1];

                    // Round hx and hy to multiples of bit1, hc to a multiple of bit0.
                    hx = (hx + (hx >= T.Zero ? prnd1 : nrnd1)) & mask1;
                    hy = (hy + (hy >= T.Zero ? prnd1 : nrnd1)) & mask1;
                    hc = (hc + (hc >= T.Zero ? prnd0 : nrnd0)) & mask0;

                    // Propagate bit0 of hc to hx, hy, and bits 0 and 1 of hc, hx, hy to h0.
                    T lowbit0 = hc & bit0;
                    hx = hx >= T.Zero ? hx - lowbit0 : hx + lowbit0;
                    hy = hy >= T.Zero ? hy - lowbit0 : hy + lowbit0;
                    T lowbit1 = (hc ^ hx ^ hy) & bit1;
                    h0 = h0 >= T.Zero
                        ? h0 + lowbit0 - lowbit1
                        : h0 + (lowbit0 == T.Zero ? lowbit1 : lowbit0 - lowbit1);

                    a[s10 + 1] = (h0 + hx + hy + hc) >> shift;
                    a[s10] = (h0 + hx - hy - hc) >> shift;
                    a[s00 + 1] = (h0 - hx + hy - hc) >> shift;
                    a[s00] = (h0 - hx - hy + hc) >> shift;
                    s00 += 2;
                    s10 += 2;
                }

                if (oddy != 0)
                {
                    // Last element of a row of odd length.
                    T h0 = a[s00];
                    T hx = a[s10];
                    hx = (hx >= T.Zero ? hx + prnd1 : hx + nrnd1) & mask1;
                    T lowbit1 = hx & bit1;
                    h0 = h0 >= T.Zero ? h0 - lowbit1 : h0 + lowbit1;
                    a[s10] = (h0 + hx) >> shift;
                    a[s00] = (h0 - hx) >> shift;
                }
            }

            if (oddx != 0)
            {
                // Last row of a column of odd length.
                int s00 = ny * row;
                for (int j = 0; j < nytop - oddy; j += 2)
                {
                    T h0 = a[s00];
                    T hy = a[s00 + 1];
                    hy = (hy >= T.Zero ? hy + prnd1 : hy + nrnd1) & mask1;
                    T lowbit1 = hy & bit1;
                    h0 = h0 >= T.Zero ? h0 - lowbit1 : h0 + lowbit1;
                    a[s00 + 1] = (h0 + hy) >> shift;
                    a[s00] = (h0 - hy) >> shift;
                    s00 += 2;
                }

                if (oddy != 0)
                {
                    a[s00] >>= shift;
                }
            }

            // Halve the masks and rounding values.
            bit1 = bit0;
            bit0 >>= 1;
            mask1 = mask0;
            mask0 >>= 1;
            prnd1 = prnd0;
            prnd0 >>= 1;
            nrnd1 = nrnd0;
            nrnd0 = prnd0 - T.One;
        }
    }

    /// <summary>Interleaves the two halves of n elements spaced n2 apart (cfitsio's <c>unshuffle</c>).</summary>
    private static void Unshuffle<T>(Span<T> a, int n, int n2, T[] tmp)
        where T : struct, IBinaryInteger<T>
    {
        int nhalf = (n + 1) >> 1;
        for (int i = nhalf, t = 0; i < n; i++, t++)
        {
            tmp[t] = a[n2 * i];
        }

        for (int i = nhalf - 1; i >= 0; i--)
        {
            a[2 * n2 * i] = a[n2 * i];
        }

        for (int i = 1, t = 0; i < n; i += 2, t++)
        {
            a[n2 * i] = tmp[t];
        }
    }

    /// <summary>Adjusts the H-transform coefficients toward interpolated values (cfitsio's <c>hsmooth</c>).</summary>
    private static void Smooth<T>(Span<T> a, int nxtop, int nytop, int ny, int scale)
        where T : struct, IBinaryInteger<T>
    {
        T smax = T.CreateTruncating(scale >> 1);
        if (smax <= T.Zero)
        {
            return;
        }

        T zero = T.Zero;
        T seven = T.CreateTruncating(7);
        T sixtyThree = T.CreateTruncating(63);
        int ny2 = ny << 1;

        // x differences hx.
        for (int i = 2; i < nxtop - 2; i += 2)
        {
            int s00 = ny * i;
            int s10 = s00 + ny;
            for (int j = 0; j < nytop; j += 2)
            {
                T hm = a[s00 - ny2];
                T h0 = a[s00];
                T hp = a[s00 + ny2];
                T diff = hp - hm;
                T dmax = T.Max(T.Min(hp - h0, h0 - hm), zero) << 2;
                T dmin = T.Min(T.Max(hp - h0, h0 - hm), zero) << 2;
                if (dmin < dmax)
                {
                    diff = T.Max(T.Min(diff, dmax), dmin);
                    T s = diff - (a[s10] << 3);
                    s = s >= zero ? s >> 3 : (s + seven) >> 3;
                    s = T.Max(T.Min(s, smax), -smax);
                    a[s10] += s;
                }

                s00 += 2;
                s10 += 2;
            }
        }

        // y differences hy.
        for (int i = 0; i < nxtop; i += 2)
        {
            int s00 = ny * i + 2;
            for (int j = 2; j < nytop - 2; j += 2)
            {
                T hm = a[s00 - 2];
                T h0 = a[s00];
                T hp = a[s00 + 2];
                T diff = hp - hm;
                T dmax = T.Max(T.Min(hp - h0, h0 - hm), zero) << 2;
                T dmin = T.Min(T.Max(hp - h0, h0 - hm), zero) << 2;
                if (dmin < dmax)
                {
                    diff = T.Max(T.Min(diff, dmax), dmin);
                    T s = diff - (a[s00 + 1] << 3);
                    s = s >= zero ? s >> 3 : (s + seven) >> 3;
                    s = T.Max(T.Min(s, smax), -smax);
                    a[s00 + 1] += s;
                }

                s00 += 2;
            }
        }

        // Curvature differences hc.
        for (int i = 2; i < nxtop - 2; i += 2)
        {
            int s00 = ny * i + 2;
            int s10 = s00 + ny;
            for (int j = 2; j < nytop - 2; j += 2)
            {
                T hmm = a[s00 - ny2 - 2];
                T hpm = a[s00 + ny2 - 2];
                T hmp = a[s00 - ny2 + 2];
                T hpp = a[s00 + ny2 + 2];
                T h0 = a[s00];
                T diff = hpp + hmm - hmp - hpm;
                T hx2 = a[s10] << 1;
                T hy2 = a[s00 + 1] << 1;
                T m1 = T.Min(T.Max(hpp - h0, zero) - hx2 - hy2, T.Max(h0 - hpm, zero) + hx2 - hy2);
                T m2 = T.Min(T.Max(h0 - hmp, zero) - hx2 + hy2, T.Max(hmm - h0, zero) + hx2 + hy2);
                T dmax = T.Min(m1, m2) << 4;
                m1 = T.Max(T.Min(hpp - h0, zero) - hx2 - hy2, T.Min(h0 - hpm, zero) + hx2 - hy2);
                m2 = T.Max(T.Min(h0 - hmp, zero) - hx2 + hy2, T.Min(hmm - h0, zero) + hx2 + hy2);
                T dmin = T.Max(m1, m2) << 4;
                if (dmin < dmax)
                {
                    diff = T.Max(T.Min(diff, dmax), dmin);
                    T s = diff - (a[s10 + 1] << 6);
                    s = s >= zero ? s >> 6 : (s + sixtyThree) >> 6;
                    s = T.Max(T.Min(s, smax), -smax);
                    a[s10 + 1] += s;
                }

                s00 += 2;
                s10 += 2;
            }
        }
    }

    /// <summary>MSB-first bit reader; reading past the end throws <see cref="FitsException"/>.</summary>
    private ref struct BitReader
    {
        private readonly ReadOnlySpan<byte> _source;
        private long _bitPosition;

        public BitReader(ReadOnlySpan<byte> source)
        {
            _source = source;
            _bitPosition = 0;
        }

        public int ReadBit()
        {
            long byteIndex = _bitPosition >> 3;
            if (byteIndex >= _source.Length)
            {
                throw Truncated();
            }

            int bit = (_source[(int)byteIndex] >> (7 - (int)(_bitPosition & 7))) & 1;
            _bitPosition++;
            return bit;
        }

        /// <summary>Reads n ≤ 8 bits.</summary>
        public uint ReadBits(int n)
        {
            long end = _bitPosition + n;
            if (end > (long)_source.Length * 8)
            {
                throw Truncated();
            }

            int byteIndex = (int)(_bitPosition >> 3);
            uint window = (uint)_source[byteIndex] << 8;
            if (byteIndex + 1 < _source.Length)
            {
                window |= _source[byteIndex + 1];
            }

            int offset = (int)(_bitPosition & 7);
            _bitPosition = end;
            return (window >> (16 - offset - n)) & ((1u << n) - 1);
        }

        public void AlignToByte() => _bitPosition = (_bitPosition + 7) & ~7L;

        /// <summary>Decodes one 4-bit quadtree node with the fixed Huffman code of hcompress.</summary>
        public byte ReadHuffman()
        {
            uint c = ReadBits(3);
            if (c < 4)
            {
                return (byte)(1 << (int)c);
            }

            c = (c << 1) | (uint)ReadBit();
            switch (c)
            {
                case 8: return 3;
                case 9: return 5;
                case 10: return 10;
                case 11: return 12;
                case 12: return 15;
            }

            c = (c << 1) | (uint)ReadBit();
            switch (c)
            {
                case 26: return 6;
                case 27: return 7;
                case 28: return 9;
                case 29: return 11;
                case 30: return 13;
            }

            c = (c << 1) | (uint)ReadBit();
            return c == 62 ? (byte)0 : (byte)14;
        }

        private readonly FitsException Truncated() =>
            new($"HCOMPRESS_1 tile is truncated at byte {_bitPosition >> 3} of {_source.Length}");
    }
}
