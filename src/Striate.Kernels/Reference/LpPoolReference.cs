// Naive power-average (Lp) pooling, the oracle for LpPoolKernel:
//   T(o) = (K / n(o)) · Σ_{window} x^p,   y = T^(1/p)   (K: window volume, n: its cells inside the input)
//   dx[cell] += dy · (1/p)·T^(1/p − 1) · (K/n) · p·x^(p−1), and 0 where T = 0
// The backward is the chain rule written term by term (not the kernel's y / T shortcut).
using System.Numerics;
using Striate.Kernels.Pool;

namespace Striate.Kernels.Reference;

/// <summary>Naive Lp pooling, generic so gradient checks can run in double.</summary>
public static class LpPoolReference
{
    /// <summary>y of Lp pooling (formula in the file header); overwritten.</summary>
    /// <param name="g">Sizes and windows (sliding, no padding or dilation).</param>
    /// <param name="normType">p.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="y">Output (N, C, OD, OH, OW).</param>
    public static void Forward<T>(PoolGeometry g, double normType, ReadOnlySpan<T> x, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        T p = T.CreateChecked(normType);
        for (int nc = 0; nc < g.Planes; nc++)
        {
            int o = nc * g.OutputPlane;
            for (int od = 0; od < g.Depth.Output; od++)
            for (int oh = 0; oh < g.Height.Output; oh++)
            for (int ow = 0; ow < g.Width.Output; ow++, o++)
            {
                var (t, _) = Sum(g, p, x, nc, od, oh, ow);
                y[o] = T.Pow(t, T.One / p);
            }
        }
    }

    /// <summary>dx[cell] += dy · dy/dx[cell] (formula in the file header).</summary>
    /// <param name="g">Sizes and windows of the forward pooling.</param>
    /// <param name="normType">p.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="dy">Output gradient (N, C, OD, OH, OW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    public static void Backward<T>(PoolGeometry g, double normType, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        T p = T.CreateChecked(normType);
        for (int nc = 0; nc < g.Planes; nc++)
        {
            int o = nc * g.OutputPlane;
            for (int od = 0; od < g.Depth.Output; od++)
            for (int oh = 0; oh < g.Height.Output; oh++)
            for (int ow = 0; ow < g.Width.Output; ow++, o++)
            {
                var (t, scale) = Sum(g, p, x, nc, od, oh, ow);
                if (t == T.Zero) continue;
                T outer = dy[o] * (T.One / p) * T.Pow(t, T.One / p - T.One) * scale;
                foreach (int cell in PoolWindowsReference.WindowOffsets(g, od, oh, ow))
                    dx[nc * g.InputPlane + cell] += outer * p * T.Pow(x[nc * g.InputPlane + cell], p - T.One);
            }
        }
    }

    private static (T Value, T Scale) Sum<T>(PoolGeometry g, T p, ReadOnlySpan<T> x, int nc, int od, int oh, int ow)
        where T : IFloatingPointIeee754<T>
    {
        var cells = PoolWindowsReference.WindowOffsets(g, od, oh, ow);
        T sum = T.Zero;
        foreach (int cell in cells) sum += T.Pow(x[nc * g.InputPlane + cell], p);
        T scale = T.CreateChecked(g.Depth.Kernel * g.Height.Kernel * g.Width.Kernel) / T.CreateChecked(cells.Count);
        return (sum * scale, scale);
    }
}
