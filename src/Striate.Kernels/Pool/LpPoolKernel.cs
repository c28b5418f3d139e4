// Power-average (Lp) pooling, PyTorch's LPPool (1-D, 2-D, 3-D), forward and backward side by side.
//   x: (N, C, D, H, W)  y: (N, C, OD, OH, OW)   (sliding windows, no padding, no dilation)
//   Forward:  T(o) = (K / n(o)) · Σ_{cells of window o} x^p      y[n,c,o] = T(o)^(1/p)
//             K = kd·kh·kw, n(o) = the window's cells inside the input (n = K except for the partial
//             windows of ceil mode, where PyTorch's avg_pool-based formula rescales the sum)
//   Backward: dx[cell] += dy · (K / n) · x[cell]^(p−1) · y / T, and 0 where T = 0 (PyTorch: "if the sum
//             of all inputs to the power of p is zero, the gradient is set to zero as well")
// p = 2 is the chapter's L2 pooling √(Σ x²). Like PyTorch, x^p is not |x|^p: for odd p a negative
// window sum gives NaN (1/p-th power of a negative number), and non-integer p needs x ≥ 0. p = 1 is
// sum pooling. p = 1 and p = 2 use exact x and x·x rather than Pow.
// Backward recomputes T with the forward's summation order (bit-identical) and reads y; when
// windows overlap each plane's gradient is formed in a scratch plane and added to dx once.
// Threading: the N·C planes are independent.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pool;

/// <summary>Power-average pooling y = (Σ x^p)^(1/p) over each window.</summary>
public static unsafe class LpPoolKernel
{
    /// <summary>y[n,c,o] = ((K / n)·Σ_window x^p)^(1/p) (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes and windows: sliding axes without padding or dilation.</param>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="y">Output (N, C, OD, OH, OW).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry (or one with padding, dilation or adaptive axes), p not positive and finite, or a span is shorter than its tensor.</exception>
    public static void Forward(PoolGeometry g, float normType, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        Check(g, normType);
        PoolGeometry.CheckLength(x.Length, g.InputLength, nameof(x));
        PoolGeometry.CheckLength(y.Length, g.OutputLength, nameof(y));
        fixed (float* px = x, py = y)
        {
            ParallelFor.Run(g.Planes, threads, new Body(g, normType, px, py, null, null), g.MinPlanesPerThread(Visits(g)));
        }
    }

    /// <summary>dx[cell] += dy · (K / n) · x^(p−1) · y / T for every cell of every window (0 where T = 0); <paramref name="dx"/> is added to.</summary>
    /// <param name="g">Sizes and windows of the forward pooling.</param>
    /// <param name="normType">p of the forward pooling.</param>
    /// <param name="x">Input (N, C, D, H, W) of the forward pooling.</param>
    /// <param name="y">Output (N, C, OD, OH, OW) written by <see cref="Forward"/>.</param>
    /// <param name="dy">Output gradient (N, C, OD, OH, OW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, p not positive and finite, or a span is shorter than its tensor.</exception>
    public static void Backward(PoolGeometry g, float normType, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx, int threads)
    {
        Check(g, normType);
        PoolGeometry.CheckLength(x.Length, g.InputLength, nameof(x));
        PoolGeometry.CheckLength(y.Length, g.OutputLength, nameof(y));
        PoolGeometry.CheckLength(dy.Length, g.OutputLength, nameof(dy));
        PoolGeometry.CheckLength(dx.Length, g.InputLength, nameof(dx));
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            ParallelFor.Run(g.Planes, threads, new Body(g, normType, px, py, pdy, pdx), g.MinPlanesPerThread(2 * Visits(g) + g.InputPlane));
        }
    }

    private static void Check(in PoolGeometry g, float normType)
    {
        g.Validate();
        foreach (var axis in new[] { g.Depth, g.Height, g.Width })
            if (axis.IsAdaptive || axis.Padding != 0 || axis.Dilation != 1)
                throw new ArgumentException($"Lp pooling takes sliding windows without padding or dilation: {g}.", nameof(g));
        if (!(normType > 0f) || !float.IsFinite(normType))
            throw new ArgumentException($"Lp pooling needs a positive, finite p, got {normType}.", nameof(normType));
    }

    private static long Visits(in PoolGeometry g) => Math.Max((long)g.OutputPlane * g.Depth.Kernel * g.Height.Kernel * g.Width.Kernel, g.InputPlane);

    /// <summary>x^e with the exact forms for e = 1 and 2 (and 0, whose derivative factor is 1).</summary>
    private static float Power(float x, float e) => e == 1f ? x : e == 2f ? x * x : e == 0f ? 1f : MathF.Pow(x, e);

    // dy == null: forward (writes y). Otherwise backward (reads y and dy, scatters into dx).
    private readonly struct Body(PoolGeometry g, float p, float* x, float* y, float* dy, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            bool backward = dy != null;
            float[]? scratch = backward && g.WindowsMayOverlap ? ArrayPool<float>.Shared.Rent(g.InputPlane) : null;
            try
            {
                for (int nc = start; nc < end; nc++)
                {
                    var xp = new ReadOnlySpan<float>(x + (long)nc * g.InputPlane, g.InputPlane);
                    var yp = new Span<float>(y + (long)nc * g.OutputPlane, g.OutputPlane);
                    if (!backward)
                    {
                        Plane(xp, yp, default, default);
                        continue;
                    }
                    var dyp = new ReadOnlySpan<float>(dy + (long)nc * g.OutputPlane, g.OutputPlane);
                    var dxp = new Span<float>(dx + (long)nc * g.InputPlane, g.InputPlane);
                    if (scratch is null)
                    {
                        Plane(xp, yp, dyp, dxp);
                        continue;
                    }
                    var gradient = scratch.AsSpan(0, g.InputPlane);
                    gradient.Clear();
                    Plane(xp, yp, dyp, gradient);
                    TensorPrimitives.Add(dxp, gradient, dxp);
                }
            }
            finally
            {
                if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
            }
        }

        private void Plane(ReadOnlySpan<float> xp, Span<float> yp, ReadOnlySpan<float> dyp, Span<float> dxp)
        {
            PoolAxis ad = g.Depth, ah = g.Height, aw = g.Width;
            int bigH = ah.Size, bigW = aw.Size;
            int volume = ad.Kernel * ah.Kernel * aw.Kernel;
            bool backward = !dxp.IsEmpty;
            int o = 0;
            for (int od = 0; od < ad.Output; od++)
            {
                var (fd, cd) = ad.Cells(od);
                for (int oh = 0; oh < ah.Output; oh++)
                {
                    var (fh, ch) = ah.Cells(oh);
                    for (int ow = 0; ow < aw.Output; ow++, o++)
                    {
                        var (fw, cw) = aw.Cells(ow);
                        int cells = cd * ch * cw;
                        float sum = 0f;
                        for (int d = fd; d < fd + cd; d++)
                            for (int h = fh; h < fh + ch; h++)
                            {
                                var row = xp.Slice((d * bigH + h) * bigW + fw, cw);
                                for (int w = 0; w < row.Length; w++) sum += Power(row[w], p);
                            }
                        float scale = cells == volume ? 1f : (float)volume / cells;
                        float t = sum * scale;
                        if (!backward)
                        {
                            yp[o] = p == 1f ? t : p == 2f ? MathF.Sqrt(t) : MathF.Pow(t, 1f / p);
                            continue;
                        }
                        // y = T^(1/p), T = scale·Σ x^p: dy/dx = (1/p)·T^(1/p − 1)·scale·p·x^(p−1) = scale·x^(p−1)·y / T.
                        float factor = t == 0f ? 0f : dyp[o] * scale * yp[o] / t;
                        for (int d = fd; d < fd + cd; d++)
                            for (int h = fh; h < fh + ch; h++)
                            {
                                int offset = (d * bigH + h) * bigW + fw;
                                var row = xp.Slice(offset, cw);
                                var target = dxp.Slice(offset, cw);
                                for (int w = 0; w < row.Length; w++) target[w] += factor * Power(row[w], p - 1f);
                            }
                    }
                }
            }
        }
    }
}
