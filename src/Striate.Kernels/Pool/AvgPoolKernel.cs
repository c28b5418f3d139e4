// Average pooling (sliding with padding and ceil mode, or adaptive; 1-D, 2-D and 3-D), forward
// and backward side by side. Sum pooling is the same kernel with a divisor of 1.
//   x: (N, C, D, H, W)  y: (N, C, OD, OH, OW)   (geometry in PoolGeometry.cs)
//   Forward:  y[n,c,o] = (Σ over the real cells of window o of x[n,c,·]) / divisor(o)
//   Backward: dx[n,c,cell] += dy[n,c,o] / divisor(o) for every cell of every window o
//   divisor(o) = divisorOverride when given (> 0); else, counting padding (count_include_pad), the
//   product over axes of min(start + k, n + p) − start — padding counts, cells past the right
//   padding (ceil mode) do not, as in PyTorch; else the number of real cells of the window.
// The sum runs in a fixed (d, h, w) order in float32. Backward forms each plane's gradient in a
// zeroed scratch plane when windows overlap and adds it to dx once (see MaxPoolKernel.cs), so
// repeated backward calls accumulate exactly; without overlap it adds straight into dx.
// Threading: the N·C planes are independent.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pool;

/// <summary>Average (and, with divisor 1, sum) pooling.</summary>
public static unsafe class AvgPoolKernel
{
    /// <summary>y[n,c,o] = Σ_window x / divisor(o) (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes and windows.</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor (PyTorch's count_include_pad).</param>
    /// <param name="divisorOverride">A fixed divisor when positive (1 gives sum pooling); 0 uses the window count.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="y">Output (N, C, OD, OH, OW).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with dilation, a negative divisorOverride, or a span is shorter than its tensor.</exception>
    public static void Forward(PoolGeometry g, bool countIncludePad, int divisorOverride, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        Check(g, divisorOverride);
        PoolGeometry.CheckLength(x.Length, g.InputLength, nameof(x));
        PoolGeometry.CheckLength(y.Length, g.OutputLength, nameof(y));
        fixed (float* px = x, py = y)
        {
            var body = new Body(g, countIncludePad, divisorOverride, px, py, backward: false);
            ParallelFor.Run(g.Planes, threads, body, g.MinPlanesPerThread(Visits(g)));
        }
    }

    /// <summary>dx[n,c,cell] += dy[n,c,o] / divisor(o) for every cell of every window; <paramref name="dx"/> is added to.</summary>
    /// <param name="g">Sizes and windows of the forward pooling.</param>
    /// <param name="countIncludePad">As in <see cref="Forward"/>.</param>
    /// <param name="divisorOverride">As in <see cref="Forward"/>.</param>
    /// <param name="dy">Output gradient (N, C, OD, OH, OW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with dilation, a negative divisorOverride, or a span is shorter than its tensor.</exception>
    public static void Backward(PoolGeometry g, bool countIncludePad, int divisorOverride, ReadOnlySpan<float> dy, Span<float> dx, int threads)
    {
        Check(g, divisorOverride);
        PoolGeometry.CheckLength(dy.Length, g.OutputLength, nameof(dy));
        PoolGeometry.CheckLength(dx.Length, g.InputLength, nameof(dx));
        fixed (float* pdy = dy, pdx = dx)
        {
            var body = new Body(g, countIncludePad, divisorOverride, pdy, pdx, backward: true);
            ParallelFor.Run(g.Planes, threads, body, g.MinPlanesPerThread(Visits(g) + (g.WindowsMayOverlap ? g.InputPlane : 0)));
        }
    }

    private static void Check(in PoolGeometry g, int divisorOverride)
    {
        g.Validate();
        if (g.Depth.Dilation != 1 || g.Height.Dilation != 1 || g.Width.Dilation != 1)
            throw new ArgumentException($"Average pooling windows are contiguous (dilation 1): {g}.", nameof(g));
        if (divisorOverride < 0) throw new ArgumentException($"divisorOverride must be positive (or 0 for none), got {divisorOverride}.", nameof(divisorOverride));
    }

    private static long Visits(in PoolGeometry g) =>
        Math.Max((long)g.OutputPlane * Math.Max(1, g.Depth.Kernel) * Math.Max(1, g.Height.Kernel) * Math.Max(1, g.Width.Kernel), g.InputPlane);

    // One body for both directions: the window walk is the same, only the innermost statement differs.
    // source is x (forward) or dy (backward); destination is y or dx.
    private readonly struct Body(PoolGeometry g, bool countIncludePad, int divisorOverride, float* source, float* destination, bool backward) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int ow0 = g.Width.Output;
            int[]? rented = null;
            Span<int> wCells = ow0 <= 256 ? stackalloc int[3 * ow0] : (rented = ArrayPool<int>.Shared.Rent(3 * ow0));
            g.Width.FillWindows(wCells);
            float[]? scratch = backward && g.WindowsMayOverlap ? ArrayPool<float>.Shared.Rent(g.InputPlane) : null;
            try
            {
                for (int nc = start; nc < end; nc++)
                {
                    if (!backward)
                    {
                        Plane(new Span<float>(source + (long)nc * g.InputPlane, g.InputPlane), new Span<float>(destination + (long)nc * g.OutputPlane, g.OutputPlane), wCells);
                        continue;
                    }
                    var dyp = new Span<float>(source + (long)nc * g.OutputPlane, g.OutputPlane);
                    var dxp = new Span<float>(destination + (long)nc * g.InputPlane, g.InputPlane);
                    if (scratch is null)
                    {
                        Plane(dyp, dxp, wCells);
                        continue;
                    }
                    var gradient = scratch.AsSpan(0, g.InputPlane);
                    gradient.Clear();
                    Plane(dyp, gradient, wCells);
                    TensorPrimitives.Add(dxp, gradient, dxp);
                }
            }
            finally
            {
                if (rented is not null) ArrayPool<int>.Shared.Return(rented);
                if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
            }
        }

        // Forward: a = x plane, b = y plane. Backward: a = dy plane, b = dx plane (scattered into).
        private void Plane(Span<float> a, Span<float> b, ReadOnlySpan<int> wCells)
        {
            PoolAxis ad = g.Depth, ah = g.Height;
            int bigH = ah.Size, bigW = g.Width.Size, ow0 = g.Width.Output;
            int o = 0;
            for (int od = 0; od < ad.Output; od++)
            {
                var (fd, cd) = ad.Cells(od);
                int pd = ad.PaddedCount(od);
                for (int oh = 0; oh < ah.Output; oh++)
                {
                    var (fh, ch) = ah.Cells(oh);
                    int ph = ah.PaddedCount(oh);
                    for (int ow = 0; ow < ow0; ow++, o++)
                    {
                        int fw = wCells[3 * ow], cw = wCells[3 * ow + 1], pw = wCells[3 * ow + 2];
                        int divisor = divisorOverride > 0 ? divisorOverride : countIncludePad ? pd * ph * pw : cd * ch * cw;
                        if (backward)
                        {
                            float share = a[o] / divisor;
                            for (int d = fd; d < fd + cd; d++)
                                for (int h = fh; h < fh + ch; h++)
                                {
                                    var row = b.Slice((d * bigH + h) * bigW + fw, cw);
                                    for (int w = 0; w < row.Length; w++) row[w] += share;
                                }
                            continue;
                        }
                        float sum = 0f;
                        for (int d = fd; d < fd + cd; d++)
                            for (int h = fh; h < fh + ch; h++)
                            {
                                var row = a.Slice((d * bigH + h) * bigW + fw, cw);
                                for (int w = 0; w < row.Length; w++) sum += row[w];
                            }
                        b[o] = sum / divisor;
                    }
                }
            }
        }
    }
}
