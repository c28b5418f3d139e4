// Naive 2-D locally connected layer (unshared convolution), the oracle for LocallyConnected2dKernel,
// written from the chapter's 6-D-kernel formula
//   Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · w[i,j,k,l,m,n]
// with 0-based indices, stride, zero padding and a bias per output unit. It indexes the 6-D kernel
// directly and shares no code with the tiled convolution the fast kernel runs on:
//   x: (N, C, H, W)  w: (K, P, Q, C, R, S)  b: (K, P, Q)  y: (N, K, P, Q)
//   Forward:         y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   BackwardData:    dx[n, c, p·sh − ph + r, q·sw − pw + s] += w[k,p,q,c,r,s] · dy[n,k,p,q]   for every tap inside the image
//   BackwardWeights: dw[k,p,q,c,r,s] += Σ_n dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                    db[k,p,q]       += Σ_n dy[n,k,p,q]
// Taps that fall in the zero padding contribute nothing.
using System.Numerics;
using Striate.Kernels.Conv;

namespace Striate.Kernels.Reference;

/// <summary>Naive locally connected loops, generic so gradient checks can run in double.</summary>
public static class LocallyConnected2dReference
{
    /// <summary>y = Σ w·x + b with one kernel per output unit (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Per-unit kernels (K, P, Q, C, R, S).</param>
    /// <param name="bias">Per-unit bias (K, P, Q), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    public static void Forward<T>(LocallyConnected2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        int bigP = g.P, bigQ = g.Q;
        for (int n = 0; n < g.N; n++)
        for (int k = 0; k < g.K; k++)
        for (int p = 0; p < bigP; p++)
        for (int q = 0; q < bigQ; q++)
        {
            T sum = T.Zero;
            for (int c = 0; c < g.C; c++)
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                int h = p * g.StrideH - g.PadH + r, v = q * g.StrideW - g.PadW + s;
                if (h < 0 || h >= g.H || v < 0 || v >= g.W) continue;
                sum += w[(((((k * bigP + p) * bigQ + q) * g.C + c) * g.R + r) * g.S) + s] * x[((n * g.C + c) * g.H + h) * g.W + v];
            }
            y[((n * g.K + k) * bigP + p) * bigQ + q] = bias.IsEmpty ? sum : sum + bias[(k * bigP + p) * bigQ + q];
        }
    }

    /// <summary>dx += ∂L/∂x for the forward locally connected layer (formula in the file header).</summary>
    /// <param name="g">Sizes, stride and padding of the forward pass.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Per-unit kernels (K, P, Q, C, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    public static void BackwardData<T>(LocallyConnected2dGeometry g, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        int bigP = g.P, bigQ = g.Q;
        for (int n = 0; n < g.N; n++)
        for (int k = 0; k < g.K; k++)
        for (int p = 0; p < bigP; p++)
        for (int q = 0; q < bigQ; q++)
        {
            T grad = dy[((n * g.K + k) * bigP + p) * bigQ + q];
            for (int c = 0; c < g.C; c++)
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                int h = p * g.StrideH - g.PadH + r, v = q * g.StrideW - g.PadW + s;
                if (h < 0 || h >= g.H || v < 0 || v >= g.W) continue;
                dx[((n * g.C + c) * g.H + h) * g.W + v] += w[(((((k * bigP + p) * bigQ + q) * g.C + c) * g.R + r) * g.S) + s] * grad;
            }
        }
    }

    /// <summary>dw += ∂L/∂w and db += ∂L/∂b for the forward locally connected layer (formulas in the file header).</summary>
    /// <param name="g">Sizes, stride and padding of the forward pass.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Kernel gradient (K, P, Q, C, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K, P, Q), added to; empty to skip.</param>
    public static void BackwardWeights<T>(LocallyConnected2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, Span<T> db)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        int bigP = g.P, bigQ = g.Q;
        for (int k = 0; k < g.K; k++)
        for (int p = 0; p < bigP; p++)
        for (int q = 0; q < bigQ; q++)
        {
            if (!db.IsEmpty)
            {
                T sum = T.Zero;
                for (int n = 0; n < g.N; n++) sum += dy[((n * g.K + k) * bigP + p) * bigQ + q];
                db[(k * bigP + p) * bigQ + q] += sum;
            }
            if (dw.IsEmpty) continue;
            for (int c = 0; c < g.C; c++)
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                T sum = T.Zero;
                for (int n = 0; n < g.N; n++)
                {
                    int h = p * g.StrideH - g.PadH + r, v = q * g.StrideW - g.PadW + s;
                    if (h < 0 || h >= g.H || v < 0 || v >= g.W) continue;
                    sum += dy[((n * g.K + k) * bigP + p) * bigQ + q] * x[((n * g.C + c) * g.H + h) * g.W + v];
                }
                dw[(((((k * bigP + p) * bigQ + q) * g.C + c) * g.R + r) * g.S) + s] += sum;
            }
        }
    }
}
