// Naive 2-D max pooling, the oracle for MaxPool2dKernel:
//   x: (N, C, H, W)  y, indices: (N, C, P, Q)
//   Forward:  y[n,c,p,q] = max_{r,s} x[n, c, p·sh − ph + r, q·sw − pw + s], padded cells −∞;
//             indices = h·W + v of the first maximum in row-major window order (a NaN always wins)
//   Backward: dx[n, c, indices[n,c,p,q]] += dy[n,c,p,q]
// Written as a plain scan over all R×S window cells, padding included, so it does not share the
// fast kernel's clipped window bounds.
using System.Numerics;
using Striate.Kernels.Pool;

namespace Striate.Kernels.Reference;

/// <summary>Naive max pooling, generic so gradient checks can run in double.</summary>
public static class MaxPool2dReference
{
    /// <summary>y and indices of max pooling (formula in the file header); both are overwritten.</summary>
    /// <param name="g">Sizes, window, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="y">Output (N, C, P, Q).</param>
    /// <param name="indices">Argmax positions (N, C, P, Q) within each (H, W) plane.</param>
    public static void Forward<T>(Pool2dGeometry g, ReadOnlySpan<T> x, Span<T> y, Span<int> indices)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        int bigP = g.P, bigQ = g.Q;
        for (int nc = 0; nc < g.N * g.C; nc++)
        for (int p = 0; p < bigP; p++)
        for (int q = 0; q < bigQ; q++)
        {
            T best = T.NegativeInfinity;
            int bestIndex = -1;
            for (int r = 0; r < g.R; r++)
            for (int s = 0; s < g.S; s++)
            {
                int h = p * g.StrideH - g.PadH + r, v = q * g.StrideW - g.PadW + s;
                if (h < 0 || h >= g.H || v < 0 || v >= g.W) continue; // padding: −∞ never wins
                T value = x[(nc * g.H + h) * g.W + v];
                if (bestIndex < 0) bestIndex = h * g.W + v; // the first real cell wins while all are −∞
                if (value > best || T.IsNaN(value))
                {
                    best = value;
                    bestIndex = h * g.W + v;
                }
            }
            y[(nc * bigP + p) * bigQ + q] = best;
            indices[(nc * bigP + p) * bigQ + q] = bestIndex;
        }
    }

    /// <summary>dx[n, c, indices[n,c,p,q]] += dy[n,c,p,q].</summary>
    /// <param name="g">Sizes, window, stride and padding of the forward pooling.</param>
    /// <param name="dy">Output gradient (N, C, P, Q).</param>
    /// <param name="indices">Argmax positions from <see cref="Forward{T}"/>.</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    public static void Backward<T>(Pool2dGeometry g, ReadOnlySpan<T> dy, ReadOnlySpan<int> indices, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        int outputs = g.P * g.Q, plane = g.H * g.W;
        for (int nc = 0; nc < g.N * g.C; nc++)
            for (int i = 0; i < outputs; i++)
                dx[nc * plane + indices[nc * outputs + i]] += dy[nc * outputs + i];
    }
}
