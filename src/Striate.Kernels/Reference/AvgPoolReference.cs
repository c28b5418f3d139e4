// Naive average pooling, the oracle for AvgPoolKernel:
//   x: (N, C, D, H, W)  y: (N, C, OD, OH, OW)
//   Forward:  y[n,c,o] = Σ over the real cells of window o / divisor(o)
//   Backward: dx[n,c,cell] += dy[n,c,o] / divisor(o)
//   divisor(o) = divisorOverride if > 0; with countIncludePad the product over axes of the window
//   positions before n + p; otherwise the number of real cells.
// Windows come from PoolWindowsReference, so no window arithmetic is shared with the kernel.
using System.Numerics;
using Striate.Kernels.Pool;

namespace Striate.Kernels.Reference;

/// <summary>Naive average pooling, generic so gradient checks can run in double.</summary>
public static class AvgPoolReference
{
    /// <summary>y of average pooling (formula in the file header); overwritten.</summary>
    /// <param name="g">Sizes and windows.</param>
    /// <param name="countIncludePad">Whether padding counts in the divisor.</param>
    /// <param name="divisorOverride">A fixed divisor when positive.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="y">Output (N, C, OD, OH, OW).</param>
    public static void Forward<T>(PoolGeometry g, bool countIncludePad, int divisorOverride, ReadOnlySpan<T> x, Span<T> y)
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
                T sum = T.Zero;
                var cells = PoolWindowsReference.WindowOffsets(g, od, oh, ow);
                foreach (int cell in cells) sum += x[nc * g.InputPlane + cell];
                y[o] = sum / T.CreateChecked(Divisor(g, countIncludePad, divisorOverride, od, oh, ow, cells.Count));
            }
        }
    }

    /// <summary>dx[n,c,cell] += dy[n,c,o] / divisor(o).</summary>
    /// <param name="g">Sizes and windows of the forward pooling.</param>
    /// <param name="countIncludePad">Whether padding counts in the divisor.</param>
    /// <param name="divisorOverride">A fixed divisor when positive.</param>
    /// <param name="dy">Output gradient (N, C, OD, OH, OW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    public static void Backward<T>(PoolGeometry g, bool countIncludePad, int divisorOverride, ReadOnlySpan<T> dy, Span<T> dx)
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
                var cells = PoolWindowsReference.WindowOffsets(g, od, oh, ow);
                T share = dy[o] / T.CreateChecked(Divisor(g, countIncludePad, divisorOverride, od, oh, ow, cells.Count));
                foreach (int cell in cells) dx[nc * g.InputPlane + cell] += share;
            }
        }
    }

    private static int Divisor(PoolGeometry g, bool countIncludePad, int divisorOverride, int od, int oh, int ow, int realCells)
    {
        if (divisorOverride > 0) return divisorOverride;
        if (!countIncludePad) return realCells;
        return PoolWindowsReference.PaddedCount(g.Depth, od) * PoolWindowsReference.PaddedCount(g.Height, oh) * PoolWindowsReference.PaddedCount(g.Width, ow);
    }
}
