// GEMM as dot products, for op(A)·op(B) with A row-major and B transposed when C is small next to K
// (a convolution's weight gradient per image, dw = dy · colᵀ: 6×25 outputs over k = 784):
//   C[i, j] = alpha · Σ_p A[i, p] · B[j, p] + beta · C[i, j]      A: (M, K)   B: (N, K)   C: (M, N)
// Rows of A and of B are both contiguous in k, so the products need no packing at all, where the
// outer-product kernels would spend more time transposing B into slivers than multiplying.
// Register tile: 3 rows of A × 3 rows of B, 9 Vector<float> accumulators (13 registers with the
// loads, inside x64's 16), each lane summing every L-th product (L = Vector<float>.Count):
//   acc[i, j][l] = fma(A[i, p + l], B[j, p + l], acc[i, j][l])   for p = 0, L, 2L, … < K − K mod L
//   s = Vector.Sum(acc[i, j]);   s = fma(A[i, p], B[j, p], s)  for the K mod L products left
// The order is fixed by L and K alone, so results are bit-identical for any thread count and run to
// run, but differ in the last bits from the outer-product path (a different summation order, whose
// error bound is the same or smaller).
using System.Numerics;
using System.Runtime.CompilerServices;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Gemm;

/// <summary>Dot-product GEMM for row-major A times transposed B, 3×3 register tiles of Vector&lt;float&gt;.</summary>
internal static unsafe class GemmDot3x3Vector
{
    /// <summary>Whether Vector&lt;float&gt; runs in hardware (otherwise the path is never chosen).</summary>
    public static bool IsSupported => Vector.IsHardwareAccelerated;

    /// <summary>Whether the dot form beats packing: C small next to its edges, k long enough to fill vectors.</summary>
    /// <remarks>
    /// Packing costs about (M + N)·K element moves, the outer-product kernels then run M·N·K multiply-adds at
    /// up to twice the dot form's rate; the dot form wins while M·N &lt; 12·(M + N) (6×25: 150 &lt; 372;
    /// 64×120: 7,680 &gt; 2,208), taking the 16-lane AVX-512 kernels as the rival.
    /// </remarks>
    public static bool Suits(int m, int n, int k) => IsSupported && k >= 4 * Vector<float>.Count && (long)m * n < 12L * (m + n);

    /// <summary>C = alpha·A·Bᵀ + beta·C with A: (M, K), B: (N, K), C: (M, N); beta = 0 ignores C.</summary>
    public static void Gemm(int m, int n, int k, float alpha, float* a, float* b, float beta, float* c, int threads)
    {
        int rowTiles = (m + 2) / 3;
        ParallelFor.Run(rowTiles, threads, new RowsBody(m, n, k, alpha, a, b, beta, c));
    }

    private readonly struct RowsBody(int m, int n, int k, float alpha, float* a, float* b, float beta, float* c) : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int start, int end)
        {
            for (int t = start; t < end; t++)
            {
                int i = 3 * t, rows = Math.Min(3, m - i);
                for (int j = 0; j < n; j += 3)
                {
                    int cols = Math.Min(3, n - j);
                    float* ai = a + (long)i * k, bj = b + (long)j * k, cij = c + (long)i * n + j;
                    switch (rows * 4 + cols)
                    {
                        case 15: Tile<Rows3, Rows3>(k, ai, bj, cij, n, alpha, beta); break;
                        case 14: Tile<Rows3, Rows2>(k, ai, bj, cij, n, alpha, beta); break;
                        case 13: Tile<Rows3, Rows1>(k, ai, bj, cij, n, alpha, beta); break;
                        case 11: Tile<Rows2, Rows3>(k, ai, bj, cij, n, alpha, beta); break;
                        case 10: Tile<Rows2, Rows2>(k, ai, bj, cij, n, alpha, beta); break;
                        case 9: Tile<Rows2, Rows1>(k, ai, bj, cij, n, alpha, beta); break;
                        case 7: Tile<Rows1, Rows3>(k, ai, bj, cij, n, alpha, beta); break;
                        case 6: Tile<Rows1, Rows2>(k, ai, bj, cij, n, alpha, beta); break;
                        default: Tile<Rows1, Rows1>(k, ai, bj, cij, n, alpha, beta); break;
                    }
                }
            }
        }
    }

    /// <summary>A TR × TC tile of C from TR rows of A and TC rows of B (formulas in the file header).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<TR, TC>(int k, float* a, float* b, float* c, nint ldc, float alpha, float beta)
        where TR : struct, IRowCount where TC : struct, IRowCount
    {
        int lanes = Vector<float>.Count;
        int kv = k - k % lanes;
        float* a0 = a, a1 = a + k, a2 = a + 2 * (nint)k;
        float* b0 = b, b1 = b + k, b2 = b + 2 * (nint)k;
        Vector<float> c00 = default, c01 = default, c02 = default;
        Vector<float> c10 = default, c11 = default, c12 = default;
        Vector<float> c20 = default, c21 = default, c22 = default;
        for (int p = 0; p < kv; p += lanes)
        {
            Vector<float> x0 = default, x1 = default, x2 = default, y;
            x0 = Vector.Load(a0 + p);
            if (TR.N > 1) x1 = Vector.Load(a1 + p);
            if (TR.N > 2) x2 = Vector.Load(a2 + p);
            y = Vector.Load(b0 + p);
            c00 = Vector.FusedMultiplyAdd(x0, y, c00);
            if (TR.N > 1) c10 = Vector.FusedMultiplyAdd(x1, y, c10);
            if (TR.N > 2) c20 = Vector.FusedMultiplyAdd(x2, y, c20);
            if (TC.N > 1)
            {
                y = Vector.Load(b1 + p);
                c01 = Vector.FusedMultiplyAdd(x0, y, c01);
                if (TR.N > 1) c11 = Vector.FusedMultiplyAdd(x1, y, c11);
                if (TR.N > 2) c21 = Vector.FusedMultiplyAdd(x2, y, c21);
            }
            if (TC.N > 2)
            {
                y = Vector.Load(b2 + p);
                c02 = Vector.FusedMultiplyAdd(x0, y, c02);
                if (TR.N > 1) c12 = Vector.FusedMultiplyAdd(x1, y, c12);
                if (TR.N > 2) c22 = Vector.FusedMultiplyAdd(x2, y, c22);
            }
        }
        Store(c, k, kv, a0, b0, c00, alpha, beta);
        if (TC.N > 1) Store(c + 1, k, kv, a0, b1, c01, alpha, beta);
        if (TC.N > 2) Store(c + 2, k, kv, a0, b2, c02, alpha, beta);
        if (TR.N > 1)
        {
            Store(c + ldc, k, kv, a1, b0, c10, alpha, beta);
            if (TC.N > 1) Store(c + ldc + 1, k, kv, a1, b1, c11, alpha, beta);
            if (TC.N > 2) Store(c + ldc + 2, k, kv, a1, b2, c12, alpha, beta);
        }
        if (TR.N > 2)
        {
            Store(c + 2 * ldc, k, kv, a2, b0, c20, alpha, beta);
            if (TC.N > 1) Store(c + 2 * ldc + 1, k, kv, a2, b1, c21, alpha, beta);
            if (TC.N > 2) Store(c + 2 * ldc + 2, k, kv, a2, b2, c22, alpha, beta);
        }
    }

    /// <summary>Reduces the lanes, adds the K mod L products left, and writes alpha·s (+ beta·c).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* c, int k, int kv, float* a, float* b, Vector<float> acc, float alpha, float beta)
    {
        float s = Vector.Sum(acc);
        for (int p = kv; p < k; p++) s = MathF.FusedMultiplyAdd(a[p], b[p], s);
        *c = beta == 0f ? alpha * s : alpha * s + beta * *c;
    }
}
