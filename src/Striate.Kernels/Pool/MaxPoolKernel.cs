// Max pooling (sliding with dilation, ceil mode and padding, or adaptive; 1-D, 2-D and 3-D) with
// argmax indices, forward and backward side by side.
//   x: (N, C, D, H, W)  y, indices: (N, C, OD, OH, OW)   (geometry in PoolGeometry.cs)
//   Forward:  y[n,c,o] = max over the real cells of window o of x[n,c,·]   (padding is −∞, never wins)
//             indices[n,c,o] = (d·H + h)·W + w of that maximum within its (D, H, W) plane
//   Backward: dx[n, c, indices[n,c,o]] += dy[n,c,o]
// Saving the argmax turns backward into a scatter, with no second search and no tie ambiguity.
// Ties and NaN follow PyTorch: the first maximum in (d, h, w) window order wins, and a NaN wins
// over everything (the last NaN in the window). Every window holds at least one real cell
// (PoolAxis.Validate), so an index is always a real cell.
// Accumulation: when windows overlap a cell can win several windows, so each plane's gradient is
// formed in a zeroed scratch plane and added to dx once; two identical backward calls then add
// exactly twice the gradient of one. Without overlap every cell receives at most one value and
// the scatter adds straight into dx, with the same result.
// Threading: the N·C planes are independent; each y, indices and dx element belongs to one plane.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pool;

/// <summary>Max pooling that records the argmax of each window for its backward scatter.</summary>
public static unsafe class MaxPoolKernel
{
    /// <summary>
    /// y[n,c,o] = max over window o of x[n,c,·] (padding never wins); indices gets the winner's position
    /// (d·H + h)·W + w within its plane. <paramref name="y"/> and <paramref name="indices"/> are overwritten.
    /// </summary>
    /// <param name="g">Sizes and windows.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="y">Output (N, C, OD, OH, OW).</param>
    /// <param name="indices">Argmax positions (N, C, OD, OH, OW), each in [0, D·H·W).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void Forward(PoolGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> indices, int threads)
    {
        g.Validate();
        PoolGeometry.CheckLength(x.Length, g.InputLength, nameof(x));
        PoolGeometry.CheckLength(y.Length, g.OutputLength, nameof(y));
        PoolGeometry.CheckLength(indices.Length, g.OutputLength, nameof(indices));
        fixed (float* px = x, py = y)
        fixed (int* pi = indices)
        {
            long visits = (long)g.OutputPlane * Math.Max(1, g.Depth.Kernel) * Math.Max(1, g.Height.Kernel) * Math.Max(1, g.Width.Kernel);
            ParallelFor.Run(g.Planes, threads, new ForwardBody(g, px, py, pi), g.MinPlanesPerThread(Math.Max(visits, g.InputPlane)));
        }
    }

    /// <summary>
    /// dx[n, c, indices[n,c,o]] += dy[n,c,o]: each output gradient goes to the cell that won its window.
    /// Each plane's gradient is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Sizes and windows of the forward pooling.</param>
    /// <param name="dy">Output gradient (N, C, OD, OH, OW).</param>
    /// <param name="indices">Argmax positions written by <see cref="Forward"/>.</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, a span is shorter than its tensor, or an index is outside its plane.</exception>
    public static void Backward(PoolGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<int> indices, Span<float> dx, int threads)
    {
        g.Validate();
        PoolGeometry.CheckLength(dy.Length, g.OutputLength, nameof(dy));
        PoolGeometry.CheckLength(indices.Length, g.OutputLength, nameof(indices));
        PoolGeometry.CheckLength(dx.Length, g.InputLength, nameof(dx));
        int plane = g.InputPlane;
        foreach (int i in indices[..(int)g.OutputLength])
            if ((uint)i >= (uint)plane) throw new ArgumentException($"Argmax index {i} is outside the plane of {plane} cells.", nameof(indices));
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pi = indices)
        {
            ParallelFor.Run(g.Planes, threads, new BackwardBody(g, pdy, pi, pdx), g.MinPlanesPerThread(g.OutputPlane + (g.WindowsMayOverlap ? g.InputPlane : 0)));
        }
    }

    private readonly struct ForwardBody(PoolGeometry g, float* x, float* y, int* indices) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            var aw = g.Width;
            // The width windows repeat on every row of every plane: computed once per range.
            int ow0 = aw.Output;
            int[]? rented = null;
            Span<int> wCells = ow0 <= 256 ? stackalloc int[3 * ow0] : (rented = ArrayPool<int>.Shared.Rent(3 * ow0));
            aw.FillWindows(wCells);
            try
            {
                Run(start, end, wCells);
            }
            finally
            {
                if (rented is not null) ArrayPool<int>.Shared.Return(rented);
            }
        }

        private void Run(int start, int end, ReadOnlySpan<int> wCells)
        {
            PoolAxis ad = g.Depth, ah = g.Height, aw = g.Width;
            int bigH = ah.Size, bigW = aw.Size, inPlane = g.InputPlane, outPlane = g.OutputPlane;
            int dd = ad.Dilation, dh = ah.Dilation, dw = aw.Dilation, ow0 = aw.Output;
            for (int nc = start; nc < end; nc++)
            {
                float* xp = x + (long)nc * inPlane;
                float* yp = y + (long)nc * outPlane;
                int* ip = indices + (long)nc * outPlane;
                int o = 0;
                for (int od = 0; od < ad.Output; od++)
                {
                    var (fd, cd) = ad.Cells(od);
                    for (int oh = 0; oh < ah.Output; oh++)
                    {
                        var (fh, ch) = ah.Cells(oh);
                        for (int ow = 0; ow < ow0; ow++, o++)
                        {
                            int fw = wCells[3 * ow], cw = wCells[3 * ow + 1];
                            float best = float.NegativeInfinity;
                            int bestIndex = (fd * bigH + fh) * bigW + fw;
                            for (int a = 0, d = fd; a < cd; a++, d += dd)
                            {
                                for (int b = 0, h = fh; b < ch; b++, h += dh)
                                {
                                    int row = (d * bigH + h) * bigW;
                                    float* xr = xp + row;
                                    for (int c = 0, w = fw; c < cw; c++, w += dw)
                                    {
                                        float value = xr[w];
                                        if (value > best || float.IsNaN(value))
                                        {
                                            best = value;
                                            bestIndex = row + w;
                                        }
                                    }
                                }
                            }
                            yp[o] = best;
                            ip[o] = bestIndex;
                        }
                    }
                }
            }
        }
    }

    private readonly struct BackwardBody(PoolGeometry g, float* dy, int* indices, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int outputs = g.OutputPlane, plane = g.InputPlane;
            float[]? scratch = g.WindowsMayOverlap ? ArrayPool<float>.Shared.Rent(plane) : null;
            try
            {
                for (int nc = start; nc < end; nc++)
                {
                    var dxp = new Span<float>(dx + (long)nc * plane, plane);
                    float* dyp = dy + (long)nc * outputs;
                    int* ip = indices + (long)nc * outputs;
                    if (scratch is null)
                    {
                        for (int i = 0; i < outputs; i++) dxp[ip[i]] += dyp[i];
                        continue;
                    }
                    var gradient = scratch.AsSpan(0, plane);
                    gradient.Clear();
                    for (int i = 0; i < outputs; i++) gradient[ip[i]] += dyp[i];
                    TensorPrimitives.Add(dxp, gradient, dxp);
                }
            }
            finally
            {
                if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }
}
