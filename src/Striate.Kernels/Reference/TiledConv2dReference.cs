// Naive 2-D tiled convolution, the oracle for TiledConv2dKernel, written from the chapter's formula
//   Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · K[i, l, m, n, j%t+1, k%t+1]
// with 0-based indices, stride, zero padding and a tiled bias; K[i,l,m,n,a,b] is stored at w[i,a,b,l,m,n]:
//   x: (N, C, H, W)  w: (K, tH, tW, C, R, S)  b: (K, tH, tW)  y: (N, K, P, Q)
//   Forward:         y[n,k,p,q] = b[k, p mod tH, q mod tW] + Σ_{c,r,s} w[k, p mod tH, q mod tW, c, r, s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   BackwardData:    dx[n, c, p·sh − ph + r, q·sw − pw + s] += w[k, p mod tH, q mod tW, c, r, s] · dy[n,k,p,q]   for every tap inside the image
//   BackwardWeights: dw[k, p mod tH, q mod tW, c, r, s] += dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                    db[k, p mod tH, q mod tW]          += dy[n,k,p,q]
// Taps that fall in the zero padding contribute nothing.
using System.Numerics;
using Striate.Kernels.Conv;

namespace Striate.Kernels.Reference;

/// <summary>Naive tiled-convolution loops, generic so gradient checks can run in double.</summary>
public static class TiledConv2dReference
{
    private static int WeightIndex(in TiledConv2dGeometry g, int k, int p, int q, int c, int r, int s) =>
        (((((k * g.TileH + p % g.TileH) * g.TileW + q % g.TileW) * g.C + c) * g.R + r) * g.S) + s;

    private static int BiasIndex(in TiledConv2dGeometry g, int k, int p, int q) =>
        (k * g.TileH + p % g.TileH) * g.TileW + q % g.TileW;

    /// <summary>y = tiled conv(x, w) + b (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes, tiles, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Kernels (K, TileH, TileW, C, R, S).</param>
    /// <param name="bias">Bias (K, TileH, TileW), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    public static void Forward<T>(TiledConv2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y)
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
                sum += w[WeightIndex(g, k, p, q, c, r, s)] * x[((n * g.C + c) * g.H + h) * g.W + v];
            }
            y[((n * g.K + k) * bigP + p) * bigQ + q] = bias.IsEmpty ? sum : sum + bias[BiasIndex(g, k, p, q)];
        }
    }

    /// <summary>dx += ∂L/∂x for the forward tiled convolution (formula in the file header).</summary>
    /// <param name="g">Sizes, tiles, stride and padding of the forward pass.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Kernels (K, TileH, TileW, C, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    public static void BackwardData<T>(TiledConv2dGeometry g, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx)
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
                dx[((n * g.C + c) * g.H + h) * g.W + v] += w[WeightIndex(g, k, p, q, c, r, s)] * grad;
            }
        }
    }

    /// <summary>dw += ∂L/∂w and db += ∂L/∂b for the forward tiled convolution (formulas in the file header).</summary>
    /// <param name="g">Sizes, tiles, stride and padding of the forward pass.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Kernel gradient (K, TileH, TileW, C, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K, TileH, TileW), added to; empty to skip.</param>
    public static void BackwardWeights<T>(TiledConv2dGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, Span<T> db)
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
            if (!db.IsEmpty) db[BiasIndex(g, k, p, q)] += grad;
            if (dw.IsEmpty) continue;
            for (int c = 0; c < g.C; c++)
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                int h = p * g.StrideH - g.PadH + r, v = q * g.StrideW - g.PadW + s;
                if (h < 0 || h >= g.H || v < 0 || v >= g.W) continue;
                dw[WeightIndex(g, k, p, q, c, r, s)] += grad * x[((n * g.C + c) * g.H + h) * g.W + v];
            }
        }
    }
}
