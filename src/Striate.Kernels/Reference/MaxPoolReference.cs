// Naive max pooling, the oracle for MaxPoolKernel:
//   x: (N, C, D, H, W)  y, indices: (N, C, OD, OH, OW)
//   Forward:  y[n,c,o] = max over the real cells of window o (padding is −∞);
//             indices = (d·H + h)·W + w of the first maximum in (d, h, w) order (a NaN always wins)
//   Backward: dx[n, c, indices[n,c,o]] += dy[n,c,o]
// Windows come from PoolWindowsReference (every window position tested against the input), so the
// reference shares no window arithmetic with the fast kernel.
using System.Numerics;
using Striate.Kernels.Pool;

namespace Striate.Kernels.Reference;

/// <summary>Naive max pooling, generic so gradient checks can run in double.</summary>
public static class MaxPoolReference
{
    /// <summary>y and indices of max pooling (formula in the file header); both are overwritten.</summary>
    /// <param name="g">Sizes and windows.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="y">Output (N, C, OD, OH, OW).</param>
    /// <param name="indices">Argmax positions (N, C, OD, OH, OW) within each (D, H, W) plane.</param>
    public static void Forward<T>(PoolGeometry g, ReadOnlySpan<T> x, Span<T> y, Span<int> indices)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int nc = 0; nc < g.Planes; nc++)
        {
            int o = nc * g.OutputPlane;
            for (int od = 0; od < g.Depth.Output; od++)
            for (int oh = 0; oh < g.Height.Output; oh++)
            for (int ow = 0; ow < g.Width.Output; ow++, o++)
            {
                T best = T.NegativeInfinity;
                int bestIndex = -1;
                foreach (int cell in PoolWindowsReference.WindowOffsets(g, od, oh, ow))
                {
                    T value = x[nc * g.InputPlane + cell];
                    if (bestIndex < 0) bestIndex = cell; // the first real cell wins while all are −∞
                    if (value > best || T.IsNaN(value))
                    {
                        best = value;
                        bestIndex = cell;
                    }
                }
                y[o] = best;
                indices[o] = bestIndex;
            }
        }
    }

    /// <summary>dx[n, c, indices[n,c,o]] += dy[n,c,o].</summary>
    /// <param name="g">Sizes and windows of the forward pooling.</param>
    /// <param name="dy">Output gradient (N, C, OD, OH, OW).</param>
    /// <param name="indices">Argmax positions from <see cref="Forward{T}"/>.</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    public static void Backward<T>(PoolGeometry g, ReadOnlySpan<T> dy, ReadOnlySpan<int> indices, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int nc = 0; nc < g.Planes; nc++)
            for (int i = 0; i < g.OutputPlane; i++)
                dx[nc * g.InputPlane + indices[nc * g.OutputPlane + i]] += dy[nc * g.OutputPlane + i];
    }
}
