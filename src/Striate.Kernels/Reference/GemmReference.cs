// Naive matrix multiply, the oracle for the fast GEMM:
//   C[m, n] = alpha * Σ_k op(A)[m, k] * op(B)[k, n] + beta * C[m, n]
// A: (M, K) row-major, or (K, M) when transA.  B: (K, N), or (N, K) when transB.  C: (M, N).
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive GEMM, generic so gradient checks can run in double.</summary>
public static class GemmReference
{
    /// <summary>C = alpha·op(A)·op(B) + beta·C with row-major operands (see file header for shapes).</summary>
    public static void Gemm<T>(bool transA, bool transB, int m, int n, int k, T alpha,
        ReadOnlySpan<T> a, ReadOnlySpan<T> b, T beta, Span<T> c)
        where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                T sum = T.Zero;
                for (int p = 0; p < k; p++)
                {
                    T av = transA ? a[p * m + i] : a[i * k + p];
                    T bv = transB ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                c[i * n + j] = beta == T.Zero ? alpha * sum : alpha * sum + beta * c[i * n + j];
            }
        }
    }
}
