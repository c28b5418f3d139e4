// Single-precision matrix multiply for every level-3 operation (linear layers, im2col
// convolution and their backwards):
//   C[m, n] = alpha * Σ_k op(A)[m, k] * op(B)[k, n] + beta * C[m, n]
// A: (M, K) row-major, or (K, M) when transA.  B: (K, N), or (N, K) when transB.  C: (M, N).
//
// Layout: op(A) is packed into panels of 4 rows (k-major, 4 values per k) and op(B) into
// panels of 16 columns (k-major, 16 values per k), zero-padded at the edges, so the
// micro-kernel Gemm4x16Vector256 streams both with unit stride and keeps a 4×16 tile of C
// in eight 256-bit registers. Packing also absorbs the transposes.
// Determinism: each element of C is summed by exactly one tile in the order k = 0..K-1,
// so the result does not depend on the thread count.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Gemm;

/// <summary>Packed, register-tiled, multi-threaded SGEMM.</summary>
public static unsafe class GemmKernel
{
    private const int Mr = 4;
    private const int Nr = 16;

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C for row-major matrices (shapes in the file header).
    /// With <paramref name="beta"/> = 0, C is overwritten and its previous contents (even NaN) ignored.
    /// </summary>
    /// <exception cref="ArgumentException">A span is shorter than its matrix or a size is negative.</exception>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c, int threads)
    {
        if (m < 0) throw new ArgumentException($"m must be non-negative, got {m}.", nameof(m));
        if (n < 0) throw new ArgumentException($"n must be non-negative, got {n}.", nameof(n));
        if (k < 0) throw new ArgumentException($"k must be non-negative, got {k}.", nameof(k));
        if (a.Length < (long)m * k) throw new ArgumentException($"a holds {a.Length} values, needs {(long)m * k}.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"b holds {b.Length} values, needs {(long)k * n}.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"c holds {c.Length} values, needs {(long)m * n}.", nameof(c));
        if (m == 0 || n == 0) return;

        int mPanels = (m + Mr - 1) / Mr;
        int nPanels = (n + Nr - 1) / Nr;
        int packedASize = mPanels * Mr * k;
        int packedBSize = nPanels * Nr * k;
        float[] packedA = ArrayPool<float>.Shared.Rent(Math.Max(packedASize, 1));
        float[] packedB = ArrayPool<float>.Shared.Rent(Math.Max(packedBSize, 1));
        try
        {
            fixed (float* pa = a, pb = b, pc = c, ppa = packedA, ppb = packedB)
            {
                long work = (long)m * n * k;
                int t = work < 32_768 ? 1 : threads;
                ParallelFor.Run(mPanels, t, new PackABody(pa, ppa, m, k, transA));
                ParallelFor.Run(nPanels, t, new PackBBody(pb, ppb, n, k, transB));
                ParallelFor.Run(mPanels * nPanels, t, new TileBody(ppa, ppb, pc, m, n, k, nPanels, alpha, beta));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedA);
            ArrayPool<float>.Shared.Return(packedB);
        }
    }

    private readonly struct PackABody(float* a, float* packed, int m, int k, bool trans) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int panel = start; panel < end; panel++)
            {
                float* dst = packed + (long)panel * Mr * k;
                int row0 = panel * Mr;
                for (int p = 0; p < k; p++)
                {
                    for (int r = 0; r < Mr; r++)
                    {
                        int i = row0 + r;
                        dst[p * Mr + r] = i < m ? (trans ? a[(long)p * m + i] : a[(long)i * k + p]) : 0f;
                    }
                }
            }
        }
    }

    private readonly struct PackBBody(float* b, float* packed, int n, int k, bool trans) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int panel = start; panel < end; panel++)
            {
                float* dst = packed + (long)panel * Nr * k;
                int col0 = panel * Nr;
                int cols = Math.Min(Nr, n - col0);
                for (int p = 0; p < k; p++)
                {
                    float* d = dst + p * Nr;
                    if (!trans)
                    {
                        float* src = b + (long)p * n + col0;
                        int j = 0;
                        for (; j < cols; j++) d[j] = src[j];
                        for (; j < Nr; j++) d[j] = 0f;
                    }
                    else
                    {
                        int j = 0;
                        for (; j < cols; j++) d[j] = b[(long)(col0 + j) * k + p];
                        for (; j < Nr; j++) d[j] = 0f;
                    }
                }
            }
        }
    }

    private readonly struct TileBody(float* packedA, float* packedB, float* c, int m, int n, int k,
        int nPanels, float alpha, float beta) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            float* tile = stackalloc float[Mr * Nr];
            for (int t = start; t < end; t++)
            {
                int mp = t / nPanels, np = t % nPanels;
                Gemm4x16Vector256(packedA + (long)mp * Mr * k, packedB + (long)np * Nr * k, k, tile);
                int row0 = mp * Mr, col0 = np * Nr;
                int rows = Math.Min(Mr, m - row0), cols = Math.Min(Nr, n - col0);
                for (int r = 0; r < rows; r++)
                {
                    float* dst = c + (long)(row0 + r) * n + col0;
                    float* src = tile + r * Nr;
                    if (beta == 0f)
                        for (int j = 0; j < cols; j++) dst[j] = alpha * src[j];
                    else
                        for (int j = 0; j < cols; j++) dst[j] = alpha * src[j] + beta * dst[j];
                }
            }
        }
    }

    /// <summary>4×16 tile: tile[r, j] = Σ_p a[p*4 + r] · b[p*16 + j], in eight Vector256 accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gemm4x16Vector256(float* a, float* b, int k, float* tile)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default, c30 = default, c31 = default;
        for (int p = 0; p < k; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            var a0 = Vector256.Create(a[0]);
            c00 = Vector256.MultiplyAddEstimate(a0, b0, c00);
            c01 = Vector256.MultiplyAddEstimate(a0, b1, c01);
            var a1 = Vector256.Create(a[1]);
            c10 = Vector256.MultiplyAddEstimate(a1, b0, c10);
            c11 = Vector256.MultiplyAddEstimate(a1, b1, c11);
            var a2 = Vector256.Create(a[2]);
            c20 = Vector256.MultiplyAddEstimate(a2, b0, c20);
            c21 = Vector256.MultiplyAddEstimate(a2, b1, c21);
            var a3 = Vector256.Create(a[3]);
            c30 = Vector256.MultiplyAddEstimate(a3, b0, c30);
            c31 = Vector256.MultiplyAddEstimate(a3, b1, c31);
            a += Mr;
            b += Nr;
        }
        c00.Store(tile); c01.Store(tile + 8);
        c10.Store(tile + 16); c11.Store(tile + 24);
        c20.Store(tile + 32); c21.Store(tile + 40);
        c30.Store(tile + 48); c31.Store(tile + 56);
    }
}
