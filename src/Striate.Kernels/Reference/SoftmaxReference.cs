// Naive softmax, the oracle for SoftmaxKernel:
//   x, y: (outer, n, inner), softmax over the middle dimension
//   Forward:  y[o,j,i] = exp(x[o,j,i] − m) / Σ_k exp(x[o,k,i] − m),  m = max_k x[o,k,i]
//   Backward: dx[o,j,i] += Σ_k dy[o,k,i] · ∂y_k/∂x_j,  ∂y_k/∂x_j = y_k·([k = j] − y_j)  (the full Jacobian, not the shortcut)
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive softmax, generic so gradient checks can run in double.</summary>
public static class SoftmaxReference
{
    /// <summary>Softmax over the middle dimension (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="x">Input (outer, n, inner).</param>
    /// <param name="outer">Product of the dimensions before the softmax dimension.</param>
    /// <param name="n">Softmax dimension size.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    /// <param name="y">Output (outer, n, inner).</param>
    public static void Forward<T>(ReadOnlySpan<T> x, int outer, int n, int inner, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        for (int i = 0; i < inner; i++)
        {
            T m = T.NegativeInfinity;
            for (int k = 0; k < n; k++) m = T.Max(m, x[(o * n + k) * inner + i]);
            T sum = T.Zero;
            for (int k = 0; k < n; k++) sum += T.Exp(x[(o * n + k) * inner + i] - m);
            for (int j = 0; j < n; j++) y[(o * n + j) * inner + i] = T.Exp(x[(o * n + j) * inner + i] - m) / sum;
        }
    }

    /// <summary>dx += Jᵀ·dy with the full softmax Jacobian.</summary>
    /// <param name="y">Forward output (outer, n, inner).</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="outer">Product of the dimensions before the softmax dimension.</param>
    /// <param name="n">Softmax dimension size.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    /// <param name="dx">Input gradient, added to.</param>
    public static void Backward<T>(ReadOnlySpan<T> y, ReadOnlySpan<T> dy, int outer, int n, int inner, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int o = 0; o < outer; o++)
        for (int i = 0; i < inner; i++)
        for (int j = 0; j < n; j++)
        {
            T yj = y[(o * n + j) * inner + i], g = T.Zero;
            for (int k = 0; k < n; k++)
            {
                T yk = y[(o * n + k) * inner + i];
                g += dy[(o * n + k) * inner + i] * yk * ((k == j ? T.One : T.Zero) - yj);
            }
            dx[(o * n + j) * inner + i] += g;
        }
    }
}
