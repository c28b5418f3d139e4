// The windows of a pooling axis written out naively, for the reference pooling kernels: every one
// of the k window positions o·s − p + j·d is generated and tested against [0, n), and adaptive
// windows come from the floor/ceil formula computed in floating point, so the references share
// no window arithmetic with PoolAxis.Cells.
using System.Numerics;
using Striate.Kernels.Pool;

namespace Striate.Kernels.Reference;

/// <summary>Per-axis window cells for the reference kernels.</summary>
public static class PoolWindowsReference
{
    /// <summary>The real cells of window <paramref name="o"/> along <paramref name="axis"/>, in increasing order.</summary>
    /// <param name="axis">The axis.</param>
    /// <param name="o">Output position.</param>
    public static int[] RealCells(PoolAxis axis, int o)
    {
        var cells = new List<int>();
        if (axis.IsAdaptive)
        {
            int start = (int)Math.Floor((double)o * axis.Size / axis.Output);
            int end = (int)Math.Ceiling((double)(o + 1) * axis.Size / axis.Output);
            for (int i = start; i < end; i++) cells.Add(i);
            return [.. cells];
        }
        for (int j = 0; j < axis.Kernel; j++)
        {
            int position = o * axis.Stride - axis.Padding + j * axis.Dilation;
            if (position >= 0 && position < axis.Size) cells.Add(position);
        }
        return [.. cells];
    }

    /// <summary>
    /// The window's count for an average that includes padding: the window positions o·s − p + j (j &lt; k)
    /// that fall before n + p (padding counts, cells past the right padding do not); the real cell count on an adaptive axis.
    /// </summary>
    /// <param name="axis">The axis.</param>
    /// <param name="o">Output position.</param>
    public static int PaddedCount(PoolAxis axis, int o)
    {
        if (axis.IsAdaptive) return RealCells(axis, o).Length;
        int count = 0;
        for (int j = 0; j < axis.Kernel; j++)
            if (o * axis.Stride - axis.Padding + j < axis.Size + axis.Padding) count++;
        return count;
    }

    /// <summary>Every real cell (d, h, w) of output position (od, oh, ow), depth-major, as flat plane offsets (d·H + h)·W + w.</summary>
    /// <param name="g">The geometry.</param>
    /// <param name="od">Output depth position.</param>
    /// <param name="oh">Output row.</param>
    /// <param name="ow">Output column.</param>
    public static List<int> WindowOffsets(PoolGeometry g, int od, int oh, int ow)
    {
        var offsets = new List<int>();
        foreach (int d in RealCells(g.Depth, od))
            foreach (int h in RealCells(g.Height, oh))
                foreach (int w in RealCells(g.Width, ow))
                    offsets.Add((d * g.Height.Size + h) * g.Width.Size + w);
        return offsets;
    }

    /// <summary>Converts a float span to <typeparamref name="T"/> (references run in double for gradient checks).</summary>
    /// <param name="values">The values.</param>
    public static T[] Convert<T>(ReadOnlySpan<float> values) where T : IFloatingPointIeee754<T>
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = T.CreateChecked(values[i]);
        return result;
    }
}
