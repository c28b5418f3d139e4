// Packing: copies a block of op(A) or op(B) into the layout the micro-kernels stream with unit stride.
//   A block (rows × kc, from row i0 and column pc of op(A)) → slivers of Mr rows, sliver q at
//     dst + q·Mr·kc, element (r, p) at [p·Mr + r], multiplied by alpha (so the kernels never scale).
//   B block (kc × cols, from row pc and column j0 of op(B)) → slivers of Nr columns, sliver q at
//     dst + q·Nr·kc, element (p, j) at [p·Nr + j], zero-padded to Nr columns.
// A: (M, K) row-major, or (K, M) when transA.  B: (K, N), or (N, K) when transB.
// Packing absorbs the transposes, so one micro-kernel serves all four combinations. Rows of a
// partial A sliver past the matrix are left unwritten: a kernel told `rows` never reads them.
// Folding alpha into A rounds α·a once per element; for α = 1 (every caller in Striate) it is exact.
// A row-major A and a transposed B need a transpose while packing: it runs in 8×8 (AVX) and 4×4 (SSE)
// register blocks on x64 (the 4×4 blocks alone were 2.6× faster than element-wise copies on a
// 1024×1024 A), with element-wise copies for the ragged edges and on other ISAs.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Striate.Kernels.Gemm;

/// <summary>Packs blocks of A and B into micro-kernel slivers (layouts in the file header).</summary>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows [i0, i0 + rows) × columns [pc, pc + kc) of op(A), times alpha, into Mr-row slivers.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA(bool transA, float* a, int m, int k, int i0, int rows, int pc, int kc, float alpha, int mr, float* dst)
    {
        for (int q = 0; q * mr < rows; q++)
        {
            int r0 = i0 + q * mr;
            int rr = Math.Min(mr, i0 + rows - r0);
            float* d = dst + (long)q * mr * kc;
            if (!transA)
            {
                // Row r of the sliver is a contiguous run of A's row r0 + r: a transpose.
                Transpose(a + (long)r0 * k + pc, k, rr, kc, alpha, d, mr);
            }
            else
            {
                // A is stored (K, M): the rr values of one k are contiguous, a straight copy.
                for (int p = 0; p < kc; p++) Scale(a + (long)(pc + p) * m + r0, rr, alpha, d + (nint)p * mr);
            }
        }
    }

    /// <summary>
    /// Packs slivers [q0, q1) of the block rows [pc, pc + kc) × columns [j0, j0 + cols) of op(B) into
    /// zero-padded Nr-column slivers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB(bool transB, float* b, int n, int k, int j0, int cols, int pc, int kc, int nr, int q0, int q1, float* dst)
    {
        for (int q = q0; q < q1; q++)
        {
            int col = j0 + q * nr;
            int cc = Math.Min(nr, j0 + cols - col);
            float* d = dst + (long)q * nr * kc;
            if (!transB)
            {
                for (int p = 0; p < kc; p++)
                {
                    float* dd = d + (nint)p * nr;
                    Scale(b + (long)(pc + p) * n + col, cc, 1f, dd);
                    for (int j = cc; j < nr; j++) dd[j] = 0f;
                }
            }
            else
            {
                // B is stored (N, K): column j of op(B) is a contiguous row of B, a transpose. The padding
                // goes first, in whole vectors, and the transpose then overwrites its valid part.
                if (cc < nr)
                {
                    int tail = cc / 4 * 4;
                    for (int p = 0; p < kc; p++)
                    {
                        float* dd = d + (nint)p * nr;
                        int j = tail;
                        for (; j + 4 <= nr; j += 4) Vector128<float>.Zero.Store(dd + j);
                        for (; j < nr; j++) dd[j] = 0f;
                    }
                }
                Transpose(b + (long)col * k + pc, k, cc, kc, 1f, d, nr);
            }
        }
    }

    /// <summary>dst[i] = scale · src[i] for i &lt; count (scale = 1 copies exactly).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Scale(float* src, int count, float scale, float* dst)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(src + i) * s, dst + i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            // The rest of a 14-row A sliver (8 + 4 + 2) or all of it on 128-bit hardware.
            var s = Vector128.Create(scale);
            for (; i + 4 <= count; i += 4) Vector128.Store(Vector128.Load(src + i) * s, dst + i);
        }
        for (; i < count; i++) dst[i] = src[i] * scale;
    }

    /// <summary>dst[p·ldd + r] = scale · src[r·lds + p] for r &lt; rows, p &lt; cols.</summary>
    /// <remarks>
    /// Columns go in chunks of 64 so the destination rows being filled (64 · ldd floats, 8 KB for Nr = 32)
    /// stay in L1 while every group of source rows adds its values to them. Rows go eight at a time
    /// (AVX 8×8 transposes), then four (SSE 4×4), two (SSE 2×4), then one.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(float* src, nint lds, int rows, int cols, float scale, float* dst, nint ldd)
    {
        const int Chunk = 64;
        for (int p0 = 0; p0 < cols; p0 += Chunk)
        {
            int p1 = Math.Min(cols, p0 + Chunk);
            int r = 0;
            if (Avx.IsSupported)
                for (; r + 8 <= rows; r += 8) Transpose8(src + r * lds, lds, p0, p1, scale, dst + r, ldd);
            if (Sse.IsSupported)
            {
                for (; r + 4 <= rows; r += 4) Transpose4(src + r * lds, lds, p0, p1, scale, dst + r, ldd);
                for (; r + 2 <= rows; r += 2) Transpose2(src + r * lds, lds, p0, p1, scale, dst + r, ldd);
            }
            for (; r < rows; r++)
            {
                float* sr = src + r * lds;
                float* d = dst + r;
                for (int p = p0; p < p1; p++) d[p * ldd] = sr[p] * scale;
            }
        }
    }

    /// <summary>Eight source rows, columns [p0, p1): 8×8 blocks in ymm registers, then the ragged columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose8(float* src, nint lds, int p0, int p1, float scale, float* dst, nint ldd)
    {
        bool scaled = scale != 1f;
        var s = Vector256.Create(scale);
        int p = p0;
        for (; p + 8 <= p1; p += 8)
        {
            float* sp = src + p;
            var r0 = Vector256.Load(sp);
            var r1 = Vector256.Load(sp + lds);
            var r2 = Vector256.Load(sp + 2 * lds);
            var r3 = Vector256.Load(sp + 3 * lds);
            var r4 = Vector256.Load(sp + 4 * lds);
            var r5 = Vector256.Load(sp + 5 * lds);
            var r6 = Vector256.Load(sp + 6 * lds);
            var r7 = Vector256.Load(sp + 7 * lds);
            if (scaled)
            {
                r0 *= s; r1 *= s; r2 *= s; r3 *= s; r4 *= s; r5 *= s; r6 *= s; r7 *= s;
            }
            // Pairs interleaved, then quadruples, per 128-bit half: u0 = r0..r3[0] | r0..r3[4], u1 = [1] | [5], …
            var t0 = Avx.UnpackLow(r0, r1);
            var t1 = Avx.UnpackHigh(r0, r1);
            var t2 = Avx.UnpackLow(r2, r3);
            var t3 = Avx.UnpackHigh(r2, r3);
            var t4 = Avx.UnpackLow(r4, r5);
            var t5 = Avx.UnpackHigh(r4, r5);
            var t6 = Avx.UnpackLow(r6, r7);
            var t7 = Avx.UnpackHigh(r6, r7);
            var u0 = Avx.Shuffle(t0, t2, 0x44);
            var u1 = Avx.Shuffle(t0, t2, 0xEE);
            var u2 = Avx.Shuffle(t1, t3, 0x44);
            var u3 = Avx.Shuffle(t1, t3, 0xEE);
            var u4 = Avx.Shuffle(t4, t6, 0x44);
            var u5 = Avx.Shuffle(t4, t6, 0xEE);
            var u6 = Avx.Shuffle(t5, t7, 0x44);
            var u7 = Avx.Shuffle(t5, t7, 0xEE);
            // Low halves of rows 0–3 and 4–7 make columns p..p+3, high halves columns p+4..p+7.
            float* d = dst + p * ldd;
            Avx.Permute2x128(u0, u4, 0x20).Store(d);
            Avx.Permute2x128(u1, u5, 0x20).Store(d + ldd);
            Avx.Permute2x128(u2, u6, 0x20).Store(d + 2 * ldd);
            Avx.Permute2x128(u3, u7, 0x20).Store(d + 3 * ldd);
            Avx.Permute2x128(u0, u4, 0x31).Store(d + 4 * ldd);
            Avx.Permute2x128(u1, u5, 0x31).Store(d + 5 * ldd);
            Avx.Permute2x128(u2, u6, 0x31).Store(d + 6 * ldd);
            Avx.Permute2x128(u3, u7, 0x31).Store(d + 7 * ldd);
        }
        for (; p < p1; p++)
        {
            float* d = dst + p * ldd;
            for (int r = 0; r < 8; r++) d[r] = src[r * lds + p] * scale;
        }
    }

    /// <summary>Two source rows, columns [p0, p1): 2×4 blocks, each column's pair stored as one 64-bit half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose2(float* src, nint lds, int p0, int p1, float scale, float* dst, nint ldd)
    {
        bool scaled = scale != 1f;
        var s = Vector128.Create(scale);
        float* s0 = src, s1 = s0 + lds;
        int p = p0;
        for (; p + 4 <= p1; p += 4)
        {
            var x0 = Vector128.Load(s0 + p);
            var x1 = Vector128.Load(s1 + p);
            if (scaled)
            {
                x0 *= s; x1 *= s;
            }
            var t0 = Sse.UnpackLow(x0, x1);   // x0[0] x1[0] x0[1] x1[1]
            var t1 = Sse.UnpackHigh(x0, x1);  // x0[2] x1[2] x0[3] x1[3]
            float* d = dst + p * ldd;
            Sse.StoreLow(d, t0);
            Sse.StoreHigh(d + ldd, t0);
            Sse.StoreLow(d + 2 * ldd, t1);
            Sse.StoreHigh(d + 3 * ldd, t1);
        }
        for (; p < p1; p++)
        {
            float* d = dst + p * ldd;
            d[0] = s0[p] * scale;
            d[1] = s1[p] * scale;
        }
    }

    /// <summary>Four source rows, columns [p0, p1): 4×4 blocks in xmm registers, then the ragged columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose4(float* src, nint lds, int p0, int p1, float scale, float* dst, nint ldd)
    {
        bool scaled = scale != 1f;
        var s = Vector128.Create(scale);
        float* s0 = src, s1 = s0 + lds, s2 = s1 + lds, s3 = s2 + lds;
        int p = p0;
        for (; p + 4 <= p1; p += 4)
        {
            var x0 = Vector128.Load(s0 + p);
            var x1 = Vector128.Load(s1 + p);
            var x2 = Vector128.Load(s2 + p);
            var x3 = Vector128.Load(s3 + p);
            if (scaled)
            {
                x0 *= s; x1 *= s; x2 *= s; x3 *= s;
            }
            var t0 = Sse.UnpackLow(x0, x1);   // x0[0] x1[0] x0[1] x1[1]
            var t1 = Sse.UnpackHigh(x0, x1);  // x0[2] x1[2] x0[3] x1[3]
            var t2 = Sse.UnpackLow(x2, x3);
            var t3 = Sse.UnpackHigh(x2, x3);
            float* d = dst + p * ldd;
            Sse.MoveLowToHigh(t0, t2).Store(d);            // column p:     x0[0] x1[0] x2[0] x3[0]
            Sse.MoveHighToLow(t2, t0).Store(d + ldd);      // column p + 1
            Sse.MoveLowToHigh(t1, t3).Store(d + 2 * ldd);  // column p + 2
            Sse.MoveHighToLow(t3, t1).Store(d + 3 * ldd);  // column p + 3
        }
        for (; p < p1; p++)
        {
            float* d = dst + p * ldd;
            d[0] = s0[p] * scale;
            d[1] = s1[p] * scale;
            d[2] = s2[p] * scale;
            d[3] = s3[p] * scale;
        }
    }
}
