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
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
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
            if (IsPlain2x2(g))
            {
                Run2x2(start, end);
                return;
            }
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
                            // 8 whole windows side by side (the windows between two whole ones are whole); near the row's end the
                            // block is moved back to end at the last output, recomputing a few outputs with the same values.
                            int block = Math.Min(ow, ow0 - 8);
                            if (Avx2.IsSupported && !aw.IsAdaptive && aw.Stride <= 2 && block >= 0 && wCells[3 * block + 1] == aw.Kernel
                                && wCells[3 * (block + 7) + 1] == aw.Kernel && EightWindows(xp, yp + o - (ow - block), ip + o - (ow - block), fd, cd, fh, ch, wCells[3 * block]))
                            {
                                o += block + 7 - ow;
                                ow = block + 7;
                                continue;
                            }
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

        /// <summary>
        /// Outputs ow .. ow+7 of one output row whose width windows are whole, the first starting at column
        /// <paramref name="fw"/>, for width stride 1 or 2: the general loop's cells in the same order with the same rule (a
        /// later cell wins when greater or NaN), one lane per window. A cell of the 8 windows is one vector load (stride
        /// 1) or the even half of two (stride 2; gathers are several times slower on AMD cores). False, with nothing
        /// written, when the loads would run past the plane (the caller then takes the scalar loop).
        /// </summary>
        private bool EightWindows(float* xp, float* yOut, int* iOut, int fd, int cd, int fh, int ch, int fw)
        {
            PoolAxis ah = g.Height, aw = g.Width;
            int bigH = ah.Size, bigW = aw.Size, dd = g.Depth.Dilation, dh = ah.Dilation, dw = aw.Dilation, stride = aw.Stride;
            long lastRow = ((long)(fd + (cd - 1) * dd) * bigH + fh + (ch - 1) * dh) * bigW;
            if (lastRow + fw + (aw.Kernel - 1) * dw + 8 * stride > g.InputPlane) return false;
            var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7) * stride;
            var best = Vector256.Create(float.NegativeInfinity);
            var bestIndex = Vector256.Create((fd * bigH + fh) * bigW + fw) + lanes;
            for (int a = 0, d = fd; a < cd; a++, d += dd)
                for (int b = 0, h = fh; b < ch; b++, h += dh)
                {
                    int row = (d * bigH + h) * bigW;
                    for (int c = 0, w = fw; c < aw.Kernel; c++, w += dw)
                    {
                        float* src = xp + row + w;
                        var v = stride == 1 ? Avx.LoadVector256(src) : Split(Avx.LoadVector256(src), Avx.LoadVector256(src + 8)).Even;
                        var wins = Avx.Or(Avx.CompareGreaterThan(v, best), Avx.CompareUnordered(v, v));
                        best = Avx.BlendVariable(best, v, wins);
                        bestIndex = Avx.BlendVariable(bestIndex.AsSingle(), (Vector256.Create(row + w) + lanes).AsSingle(), wins).AsInt32();
                    }
                }
            best.Store(yOut);
            bestIndex.Store(iOut);
            return true;
        }

        /// <summary>
        /// The 2×2, stride-2 windows: the four cells in window order (top-left, top-right, bottom-left, bottom-right)
        /// with the general loop's rule, a later cell wins when greater or NaN, so ties and NaN resolve identically.
        /// With AVX2, 8 windows at a time, branch-free (a data-dependent branch mispredicts on about every other window):
        /// even and odd columns are separated by a shuffle, and the rule becomes a select on (v &gt; best) | (v ≠ v).
        /// </summary>
        private void Run2x2(int start, int end)
        {
            int bigW = g.Width.Size, oh0 = g.Height.Output, ow0 = g.Width.Output;
            int inPlane = g.InputPlane, outPlane = g.OutputPlane;
            // A vector step reads 16 floats from each row of the pair: it may run past the row into the next one (those
            // windows are dropped), but never past the end of x.
            long xEnd = (long)end * inPlane;
            float* tmpY = stackalloc float[8];
            int* tmpI = stackalloc int[8];
            for (int nc = start; nc < end; nc++)
            {
                float* xp = x + (long)nc * inPlane;
                float* yp = y + (long)nc * outPlane;
                int* ip = indices + (long)nc * outPlane;
                for (int oh = 0; oh < oh0; oh++, yp += ow0, ip += ow0)
                {
                    int top = 2 * oh * bigW;
                    float* r0 = xp + top;
                    float* r1 = r0 + bigW;
                    int ow = 0;
                    if (Avx2.IsSupported)
                    {
                        long rowEnd = (long)nc * inPlane + top + bigW; // offset of r1 from x
                        for (; ow < ow0 && rowEnd + 2 * ow + 16 <= xEnd; ow += 8)
                        {
                            int count = Math.Min(8, ow0 - ow);
                            Pair8(r0 + 2 * ow, r1 + 2 * ow, top + 2 * ow, bigW, count == 8 ? yp + ow : tmpY, count == 8 ? ip + ow : tmpI);
                            if (count < 8)
                            {
                                new ReadOnlySpan<float>(tmpY, count).CopyTo(new Span<float>(yp + ow, count));
                                new ReadOnlySpan<int>(tmpI, count).CopyTo(new Span<int>(ip + ow, count));
                            }
                        }
                    }
                    for (; ow < ow0; ow++)
                    {
                        int c = 2 * ow;
                        float best = r0[c];
                        int at = top + c;
                        // best starts at −∞ in the general loop, and the first cell always wins against it (or is −∞ itself).
                        float v = r0[c + 1];
                        if (v > best || float.IsNaN(v)) { best = v; at = top + c + 1; }
                        v = r1[c];
                        if (v > best || float.IsNaN(v)) { best = v; at = top + bigW + c; }
                        v = r1[c + 1];
                        if (v > best || float.IsNaN(v)) { best = v; at = top + bigW + c + 1; }
                        yp[ow] = best;
                        ip[ow] = at;
                    }
                }
            }
        }

        /// <summary>8 windows whose top-left cells are r0[0], r0[2], …, r0[14] (plane index <paramref name="at"/> for r0[0]).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Pair8(float* r0, float* r1, int at, int bigW, float* yOut, int* iOut)
        {
            var (e0, o0) = Split(Avx.LoadVector256(r0), Avx.LoadVector256(r0 + 8));
            var (e1, o1) = Split(Avx.LoadVector256(r1), Avx.LoadVector256(r1 + 8));
            // Plane index of the top-left cell of each window: at + 2j.
            var index = Vector256.Create(at) + Vector256.Create(0, 2, 4, 6, 8, 10, 12, 14);
            var best = e0;
            var bestIndex = index;
            Take(o0, index + Vector256.Create(1), ref best, ref bestIndex);
            Take(e1, index + Vector256.Create(bigW), ref best, ref bestIndex);
            Take(o1, index + Vector256.Create(bigW + 1), ref best, ref bestIndex);
            best.Store(yOut);
            bestIndex.Store(iOut);
        }

        /// <summary>best, bestIndex = v, vIndex where v &gt; best or v is NaN.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Take(Vector256<float> v, Vector256<int> vIndex, ref Vector256<float> best, ref Vector256<int> bestIndex)
        {
            var wins = Avx.Or(Avx.CompareGreaterThan(v, best), Avx.CompareUnordered(v, v));
            best = Avx.BlendVariable(best, v, wins);
            bestIndex = Avx.BlendVariable(bestIndex.AsSingle(), vIndex.AsSingle(), wins).AsInt32();
        }

        /// <summary>The even- and odd-indexed elements of the 16 floats lo ‖ hi, each in order.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static (Vector256<float> Even, Vector256<float> Odd) Split(Vector256<float> lo, Vector256<float> hi)
        {
            // shufps picks (0, 2) or (1, 3) of each 128-bit lane from lo then hi: [lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6];
            // vpermpd with (0, 2, 1,3) puts the 64-bit pairs back in order.
            var even = Avx.Shuffle(lo, hi, 0b10_00_10_00);
            var odd = Avx.Shuffle(lo, hi, 0b11_01_11_01);
            return (Avx2.Permute4x64(even.AsDouble(), 0b11_01_10_00).AsSingle(), Avx2.Permute4x64(odd.AsDouble(), 0b11_01_10_00).AsSingle());
        }
    }

    /// <summary>
    /// Whether <paramref name="g"/> is the common 2-D 2×2 window at stride 2 with no padding or dilation and every window
    /// whole (CNNs' usual downsampling), which <see cref="ForwardBody"/> runs without the general window machinery.
    /// </summary>
    private static bool IsPlain2x2(in PoolGeometry g) =>
        g.Depth.Size == 1 && g.Depth.Output == 1 && IsPlainPair(g.Height) && IsPlainPair(g.Width);

    private static bool IsPlainPair(in PoolAxis a) =>
        !a.IsAdaptive && a.Kernel == 2 && a.Stride == 2 && a.Padding == 0 && a.Dilation == 1 && a.Output == a.Size / 2;

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
