// Naive padding, the oracle for PadKernel:
//   x: (planes, D, H, W)  y: (planes, D', H', W'),  per axis: crop the negative pads, then fill the
//   positive pads from the kept range by the border rule (constant / reflect / replicate / circular).
//   Forward:  y[p, j] = x[p, source(j)]  (or the constant where a constant pad reads outside)
//   Backward: dx[p, source(j)] += dy[p, j]
// The source index is found by walking: reflect bounces off the edges one step at a time, circular
// adds or subtracts the kept length, replicate clamps. No precomputed maps, no row copies.
using System.Numerics;
using Striate.Kernels.Pad;

namespace Striate.Kernels.Reference;

/// <summary>Naive padding loops, generic so gradient checks can run in double.</summary>
public static class PadReference
{
    /// <summary>y = pad(x) (file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes, pads and border rule.</param>
    /// <param name="x">Input (Planes, D, H, W).</param>
    /// <param name="value">Constant fill value.</param>
    /// <param name="y">Output (Planes, D', H', W').</param>
    /// <exception cref="ArgumentException">Invalid geometry.</exception>
    public static void Forward<T>(PadGeometry g, ReadOnlySpan<T> x, T value, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int p = 0; p < g.Planes; p++)
        for (int od = 0; od < g.Depth.Output; od++)
        for (int oh = 0; oh < g.Height.Output; oh++)
        for (int ow = 0; ow < g.Width.Output; ow++)
        {
            long i = Source(g, p, od, oh, ow);
            y[(int)(((long)(p * g.Depth.Output + od) * g.Height.Output + oh) * g.Width.Output + ow)] = i < 0 ? value : x[(int)i];
        }
    }

    /// <summary>dx += ∂L/∂x of the forward padding (file header).</summary>
    /// <param name="g">Sizes, pads and border rule of the forward padding.</param>
    /// <param name="dy">Output gradient (Planes, D', H', W').</param>
    /// <param name="dx">Input gradient (Planes, D, H, W), added to.</param>
    /// <exception cref="ArgumentException">Invalid geometry.</exception>
    public static void Backward<T>(PadGeometry g, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int p = 0; p < g.Planes; p++)
        for (int od = 0; od < g.Depth.Output; od++)
        for (int oh = 0; oh < g.Height.Output; oh++)
        for (int ow = 0; ow < g.Width.Output; ow++)
        {
            long i = Source(g, p, od, oh, ow);
            if (i >= 0) dx[(int)i] += dy[(int)(((long)(p * g.Depth.Output + od) * g.Height.Output + oh) * g.Width.Output + ow)];
        }
    }

    private static long Source(in PadGeometry g, int p, int od, int oh, int ow)
    {
        int id = Walk(g.Depth, od, g.Mode), ih = Walk(g.Height, oh, g.Mode), iw = Walk(g.Width, ow, g.Mode);
        if (id < 0 || ih < 0 || iw < 0) return -1;
        return (((long)p * g.Depth.Input + id) * g.Height.Input + ih) * g.Width.Input + iw;
    }

    /// <summary>The input index output j of one axis reads, or −1 for a constant pad.</summary>
    private static int Walk(in PadAxis a, int j, BorderMode mode)
    {
        int first = Math.Max(0, -a.Before), last = a.Input - 1 - Math.Max(0, -a.After);
        int i = first + j - Math.Max(0, a.Before);
        if (mode == BorderMode.Constant) return i >= first && i <= last ? i : -1;
        while (i < first || i > last)
        {
            switch (mode)
            {
                case BorderMode.Reflect:
                    i = i < first ? 2 * first - i : 2 * last - i;
                    break;
                case BorderMode.Replicate:
                    i = i < first ? first : last;
                    break;
                default:
                    i += i < first ? last - first + 1 : -(last - first + 1);
                    break;
            }
        }
        return i;
    }
}
