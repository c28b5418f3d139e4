// Naive matrix multiply, the oracle for the fast GEMM:
//   C[m, n] = alpha * Σ_k op(A)[m, k] * op(B)[k, n] + beta * C[m, n]
// A: (M, K) row-major, or (K, M) when transA.  B: (K, N), or (N, K) when transB.  C: (M, N).
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive GEMM, generic so gradient checks can run in double.</summary>
public static class GemmReference
{
    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C with row-major operands (see file header for shapes):
    /// C[i, j] = alpha · Σ_p op(A)[i, p] · op(B)[p, j] + beta · C[i, j], summed in p order; beta = 0 ignores C.
    /// </summary>
    /// <typeparam name="T">float or double (double makes it the oracle for float32 kernels).</typeparam>
    /// <param name="transA">A is stored (K, M); otherwise (M, K).</param>
    /// <param name="transB">B is stored (N, K); otherwise (K, N).</param>
    /// <param name="m">Rows of op(A) and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of op(A), rows of op(B).</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, at least M·K values.</param>
    /// <param name="b">B, at least K·N values.</param>
    /// <param name="beta">Scale of the previous C.</param>
    /// <param name="c">C: (M, N), at least M·N values.</param>
    /// <exception cref="IndexOutOfRangeException">A span is shorter than its matrix (the oracle does not validate).</exception>
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
