// Direct convolution: a loop over the filter taps with 16 consecutive outputs of one row held in two
// Vector256 registers for each of 4 output channels, so each input vector loaded feeds 4 fused
// multiply-adds and nothing is lowered into an im2col matrix. It wins when the im2col matrix would be
// large next to the work (few input channels: LeNet's C1 has C = 1, a 25-row column matrix per pixel).
//   x: (N, C, H, W)  w: (K, C/G, R, S)  b: (K)  y: (N, K, P, Q)   (1-D: H = R = P = 1; ConvGeometry, no depth axis)
//   Forward:         y[n,k,p,q]   = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw]
//   BackwardData:    dx[n,c,h,v] += Σ_{k,r,s : h = p·sh − ph + r·dh, v = q·sw − pw + s·dw} w[k, c − c0(k), r, s] · dy[n,k,p,q]
//   BackwardWeights: dw[k,c',r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw]
//                    db[k]        += Σ_{n,p,q} dy[n,k,p,q]
// Layout trick: the input is first copied into a zero-padded buffer whose rows are split by stride
// phase, row[φ·L + j] = x_padded[φ + sw·j]. Output q at tap s reads x_padded[q·sw + s·dw], which is
// phase (s·dw) mod sw at j = q + ⌊s·dw / sw⌋: consecutive outputs read consecutive floats for any
// stride and dilation, so every load is a plain vector load and padding needs no bounds test.
// The data gradient is itself a direct convolution: dy is zero-upsampled by the stride and padded by
// dilation·(R − 1) − padding, and convolved at stride 1 with the flipped, transposed filters wᵀ
// (ConvSupport.FlipTranspose). At stride s that reads s² times more (mostly zero) positions than it
// needs: direct is chosen for stride-1 layers; a forced strided layer is correct, only slower.
// Cost: N·K·P·Q·C/G·R·S multiply-adds per pass, plus one padded copy of the input.
// Rounding: each output is one chain of fused multiply-adds starting at b[k] (forward) or at zero
// (backwards), in the fixed order c', r, s; the weight gradient sums each vector lane over (n, p, q) and
// then the 8 lanes: |error| ≤ (terms + 2)·u·Σ|terms|, as for im2col + GEMM.
// Threading: forward and data gradient split (image, block of 4 output channels) items, the weight
// gradient splits (filter, input channel) items; every output element belongs to exactly one item and
// is computed in the same order for every thread count, so results are bit-identical for any count.
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>Direct (tap-loop, register-blocked) 1-D/2-D convolution: forward, data gradient, weight/bias gradients.</summary>
public static unsafe partial class DirectConvKernel
{
    // Output channels per register block: 4 channels × 2 vectors = 8 accumulators, plus two input
    // vectors and a broadcast, fits the 16 AVX2 registers.
    private const int KBlock = 4;

    // Lanes per step: two Vector256 of floats.
    private const int Lanes = 16;

    // Floats readable past the padded planes in the forward's buffer (see DirectConvKernel.Wide.cs, RowRuns).
    private const int ReadSlack = 64;

    // The Vector512 blocking (DirectConvKernel.Wide.cs): 6 channels × 2 vectors of 16 = 12 accumulators of
    // the 32 AVX-512 registers, 32 outputs of a row per step.
    private const int WideKBlock = 6;
    private const int WideLanes = 32;

    /// <summary>Set on a thread to make the calls it starts use the Vector256 blockings (tests and benchmarks compare the two).</summary>
    [ThreadStatic]
    internal static bool t_narrowOnThisThread;

    /// <summary>
    /// Whether calls from this thread use the Vector512 blockings (DirectConvKernel.Wide.cs): where Vector512 is
    /// hardware-accelerated, unless <see cref="t_narrowOnThisThread"/> is set. Both blockings compute every output as
    /// the same chain of fused multiply-adds, so the results are bit-identical either way.
    /// </summary>
    internal static bool Wide => Vector512.IsHardwareAccelerated && !t_narrowOnThisThread;

    /// <summary>Whether the direct kernels handle <paramref name="g"/>: any 1-D or 2-D convolution (no depth axis).</summary>
    /// <param name="g">The convolution.</param>
    public static bool IsApplicable(in ConvGeometry g) => ConvSupport.IsPlanar(g);

    /// <summary>
    /// y[n,k,p,q] = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw], then the epilogue
    /// (shapes in the file header). <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, stride, dilation, padding and groups; no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Filters (K, C/G, R, S).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <param name="epilogue">ReLU applied to each finished output, or none.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with a depth axis, a span shorter than its tensor, or a bias neither empty nor K long.</exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, int threads, ConvEpilogue epilogue = ConvEpilogue.None)
    {
        ConvSupport.CheckForward(g, x.Length, w.Length, bias.Length, y.Length);
        CheckPlanar(g);
        if (g.N == 0 || g.K == 0) return;
        if (g.C == 0)
        {
            ConvSupport.FillBias(g, bias, y, epilogue);
            return;
        }
        var plan = Plan.ForForward(g);
        bool channelLanes = PrefersChannelLanes(plan);
        // The channel-lane row pairs (rows of 6 to 12 outputs) read exactly the inputs their taps need: at stride 1 without
        // padding those lie in x's own planes, so they read x in place and the padded copy is skipped.
        bool inPlace = channelLanes && plan.Wide && UsesRowPairs(plan) && g.Height is { Stride: 1, PadBefore: 0, PadAfter: 0 }
            && g.Width is { Stride: 1, PadBefore: 0, PadAfter: 0 };
        if (inPlace) plan = plan with { Rows = g.Height.Input, PhaseLength = g.Width.Input };
        // Slack after the planes: the channel-lane row runs read up to 12 outputs past a row's end (dropped sums), which
        // on the last row of the last plane would run past the planes.
        float[] buffer = ArrayPool<float>.Shared.Rent(inPlace ? 1 : (int)Math.Max(1, plan.BufferLength(g.N)) + ReadSlack);
        float[] packed = ArrayPool<float>.Shared.Rent(channelLanes ? (int)PackedChannelLength(plan) : 1);
        try
        {
            fixed (float* px = x, pw = w, pb = bias, py = y, pbuf = buffer, ppk = packed)
            {
                if (!inPlace)
                {
                    var fill = new FillBody(px, g.Height.Input, g.Width.Input, g.Height.PadBefore, g.Width.PadBefore, 1, 1, plan, pbuf);
                    ParallelFor.Run(g.N * g.C, threads, fill, plan.FillPlanesPerThread);
                }
                bool relu = epilogue == ConvEpilogue.Relu;
                if (channelLanes)
                {
                    PackChannelLanes(plan, pw, ppk);
                    var body = new ChannelLanesBody(plan, inPlace ? px : pbuf, ppk, bias.IsEmpty ? null : pb, py, relu, accumulate: false);
                    ParallelFor.Run(g.N * plan.Groups * ChannelBlocks(plan), threads, body);
                }
                else
                {
                    var body = new OutputBody(plan, pbuf, pw, bias.IsEmpty ? null : pb, py, relu, accumulate: false);
                    ParallelFor.Run(g.N * plan.Items, threads, body);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packed);
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// dx[n,c,h,v] += Σ w[k, c − c0(k), r, s] · dy[n,k,p,q] over the (k, r, s, p, q) with h = p·sh − ph + r·dh, v = q·sw − pw + s·dw.
    /// Each element's sum is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; no depth axis.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Filters (K, C/G, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with a depth axis, or a span shorter than its tensor.</exception>
    public static void BackwardData(ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int threads)
    {
        ConvSupport.CheckBackwardData(g, dy.Length, w.Length, dx.Length);
        CheckPlanar(g);
        if (g.N == 0 || g.C == 0 || g.K == 0 || g.InputVolume == 0) return;
        ConvAxis ah = g.Height, aw = g.Width;
        // The transposed problem: K input planes (dy, upsampled by the stride), C outputs of H×W, stride 1.
        var t = ConvGeometry.TwoD(g.N, g.K, g.C,
            new ConvAxis(ah.Output, ah.Kernel, 1, ah.Dilation), new ConvAxis(aw.Output, aw.Kernel, 1, aw.Dilation), g.Groups);
        int top = ah.Dilation * (ah.Kernel - 1) - ah.PadBefore, left = aw.Dilation * (aw.Kernel - 1) - aw.PadBefore;
        var plan = Plan.Create(t, ah.Input, aw.Input);
        float[] buffer = ArrayPool<float>.Shared.Rent((int)Math.Max(1, plan.BufferLength(g.N)));
        float[] flipped = ArrayPool<float>.Shared.Rent((int)g.WeightLength);
        try
        {
            fixed (float* pdy = dy, pw = w, pdx = dx, pbuf = buffer, pwt = flipped)
            {
                ConvSupport.FlipTranspose(g, pw, pwt);
                var fill = new FillBody(pdy, ah.Output, aw.Output, top, left, ah.Stride, aw.Stride, plan, pbuf);
                ParallelFor.Run(g.N * g.K, threads, fill, plan.FillPlanesPerThread);
                ParallelFor.Run(g.N * plan.Items, threads, new OutputBody(plan, pbuf, pwt, null, pdx, relu: false, accumulate: true));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(flipped);
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// dw[k,c',r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw] and db[k] += Σ_{n,p,q} dy[n,k,p,q].
    /// Each sum is formed first and added once. Either destination may be empty to skip it.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Filter gradient (K, C/G, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with a depth axis, a span shorter than its tensor, or a db neither empty nor K long.</exception>
    public static void BackwardWeights(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> db, int threads)
    {
        ConvSupport.CheckBackwardWeights(g, x.Length, dy.Length, dw.Length, db.Length);
        CheckPlanar(g);
        if (!db.IsEmpty) ConvNdKernel.BiasGradient(g.N, g.K, g.OutputVolume, dy[..(int)g.OutputLength], db);
        if (dw.IsEmpty || g.K == 0 || g.C == 0) return;
        var plan = Plan.ForForward(g);
        if (PrefersChannelLaneWeights(g))
        {
            float[] planes = ArrayPool<float>.Shared.Rent((int)Math.Max(1, plan.BufferLength(g.N)));
            try
            {
                fixed (float* px = x, pdy = dy, pdw = dw, pbuf = planes)
                {
                    ParallelFor.Run(g.N * g.C, threads, new FillBody(px, g.Height.Input, g.Width.Input, g.Height.PadBefore, g.Width.PadBefore, 1, 1, plan, pbuf),
                        plan.FillPlanesPerThread);
                    ChannelLaneWeights(plan, g.N, pbuf, pdy, pdw, threads);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(planes);
            }
            return;
        }
        int qp = ConvSupport.RoundUp(plan.Q, 8);
        long dyLength = (long)g.N * g.K * plan.P * qp;
        float[] buffer = ArrayPool<float>.Shared.Rent((int)Math.Max(1, plan.BufferLength(g.N)));
        float[] dyPadded = ArrayPool<float>.Shared.Rent((int)Math.Max(1, dyLength));
        try
        {
            fixed (float* px = x, pdy = dy, pdw = dw, pbuf = buffer, pdyp = dyPadded)
            {
                ParallelFor.Run(g.N * g.C, threads, new FillBody(px, g.Height.Input, g.Width.Input, g.Height.PadBefore, g.Width.PadBefore, 1, 1, plan, pbuf),
                    plan.FillPlanesPerThread);
                // dy rows padded with zeros to a whole number of vectors, so the lane loop needs no tail.
                ParallelFor.Run(g.N * g.K, threads, new PadRowsBody(pdy, pdyp, plan.P, plan.Q, qp), minItemsPerThread: 64);
                if (PrefersWeightPairs(plan))
                    ParallelFor.Run(WeightPairItems(plan), threads, new WeightPairBody(plan, g.N, pbuf, pdyp, qp, pdw));
                else
                    ParallelFor.Run(g.K * g.CPerGroup, threads, new WeightBody(plan, g.N, pbuf, pdyp, qp, pdw));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dyPadded);
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private static void CheckPlanar(in ConvGeometry g)
    {
        if (!ConvSupport.IsPlanar(g))
            throw new ArgumentException($"Direct convolution handles 1-D and 2-D convolutions; this one has a depth axis {g.Depth}.", nameof(g));
    }

    /// <summary>
    /// Sizes of one direct convolution over prepared planes: Cin planes per image, each Rows × (Phases · PhaseLength)
    /// with row[φ·L + j] = padded[φ + stride·j]; Kout outputs of P × Q per image.
    /// </summary>
    internal readonly record struct Plan(int Cin, int Kout, int Groups, int R, int S, int Sh, int Sw, int Dh, int Dw, int P, int Q,
        int Rows, int PhaseLength, bool Wide)
    {
        /// <summary>Output channels per register block of the pixel-lane blocking.</summary>
        public int ChannelBlock => Wide ? WideKBlock : KBlock;

        public int RowStride => Sw * PhaseLength;

        public long PlaneStride => (long)Rows * RowStride;

        public int CPerGroup => Cin / Groups;

        public int KPerGroup => Kout / Groups;

        public int BlocksPerGroup => (KPerGroup + ChannelBlock - 1) / ChannelBlock;

        /// <summary>Work items per image: register blocks of output channels in every group.</summary>
        public int Items => Groups * BlocksPerGroup;

        public long BufferLength(int n) => n * Cin * PlaneStride;

        /// <summary>
        /// Planes per thread of the padded copy: at least 64k floats each, since a copy smaller than that costs less than
        /// waking a thread (LeNet's whole C1 input, 64 planes of 32 × 37, is then one range on the calling thread).
        /// </summary>
        public int FillPlanesPerThread => (int)Math.Clamp(65_536 / Math.Max(1, PlaneStride), 1, int.MaxValue);

        public static Plan ForForward(in ConvGeometry g) => Create(g, g.Height.Output, g.Width.Output);

        /// <summary>The plan of <paramref name="g"/> computing a P × Q output (for the transposed problem, the forward input size).</summary>
        public static Plan Create(in ConvGeometry g, int p, int q)
        {
            ConvAxis ah = g.Height, aw = g.Width;
            int rows = (p - 1) * ah.Stride + (ah.Kernel - 1) * ah.Dilation + 1;
            // Lanes are computed in steps of 16 (32 in the wide blocking), so a row holds the last step's reads plus the
            // widest tap offset.
            bool wide = DirectConvKernel.Wide;
            int length = ConvSupport.RoundUp(q, wide ? WideLanes : Lanes) + (aw.Kernel - 1) * aw.Dilation / aw.Stride + 1;
            return new Plan(g.C, g.K, g.Groups, ah.Kernel, aw.Kernel, ah.Stride, aw.Stride, ah.Dilation, aw.Dilation, p, q, rows, length, wide);
        }
    }

    /// <summary>
    /// Copies planes (H × W each, upsampled by (uh, uw): source element (i, j) sits at padded (top + i·uh, left + j·uw))
    /// into the phase-split padded layout, zero everywhere else. One item per plane.
    /// </summary>
    internal readonly struct FillBody(float* src, int h, int w, int top, int left, int uh, int uw, Plan plan, float* dst) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int sw = plan.Sw, length = plan.PhaseLength;
            for (int plane = start; plane < end; plane++)
            {
                float* s = src + (long)plane * h * w;
                float* d = dst + plane * plan.PlaneStride;
                for (int row = 0; row < plan.Rows; row++, d += plan.RowStride)
                {
                    int i = row - top;
                    if (i < 0 || i % uh != 0 || i / uh >= h)
                    {
                        new Span<float>(d, plan.RowStride).Clear();
                        continue;
                    }
                    float* srow = s + (long)(i / uh) * w;
                    if (sw == 1 && uw == 1)
                    {
                        // Columns [left, left + w) of the padded row hold the source row.
                        int j0 = Math.Clamp(left, 0, length), j1 = Math.Clamp(left + w, 0, length);
                        new Span<float>(d, j0).Clear();
                        if (j1 > j0) new ReadOnlySpan<float>(srow + (j0 - left), j1 - j0).CopyTo(new Span<float>(d + j0, j1 - j0));
                        new Span<float>(d + Math.Max(j0, j1), length - Math.Max(j0, j1)).Clear();
                        continue;
                    }
                    for (int phase = 0; phase < sw; phase++)
                        for (int j = 0; j < length; j++)
                        {
                            int col = phase + sw * j - left;
                            d[phase * length + j] = col >= 0 && col % uw == 0 && col / uw < w ? srow[col / uw] : 0f;
                        }
                }
            }
        }
    }

    /// <summary>One item: one image, one block of up to 4 output channels of a group, every output row.</summary>
    private readonly partial struct OutputBody(Plan plan, float* input, float* w, float* bias, float* y, bool relu, bool accumulate) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            Span<int> offsets = plan.S <= 256 ? stackalloc int[plan.S] : new int[plan.S];
            for (int s = 0; s < plan.S; s++)
            {
                int col = s * plan.Dw;
                offsets[s] = col % plan.Sw * plan.PhaseLength + col / plan.Sw;
            }
            fixed (int* offs = offsets)
            {
                for (int item = start; item < end; item++)
                {
                    int n = item / plan.Items, rest = item - n * plan.Items;
                    int grp = rest / plan.BlocksPerGroup, block = rest - grp * plan.BlocksPerGroup;
                    int k0 = grp * plan.KPerGroup + block * plan.ChannelBlock;
                    int count = Math.Min(plan.ChannelBlock, (grp + 1) * plan.KPerGroup - k0);
                    if (plan.Wide) WideBlock(n, grp, k0, count, offs);
                    else Block(n, grp, k0, count, offs);
                }
            }
        }

        private void Block(int n, int grp, int k0, int count, int* offs)
        {
            int taps = plan.CPerGroup * plan.R * plan.S;
            // Channels past the block's end repeat its last filter; their sums are computed and dropped.
            float* w0 = w + (long)k0 * taps, w1 = w + (long)(k0 + Math.Min(1, count - 1)) * taps;
            float* w2 = w + (long)(k0 + Math.Min(2, count - 1)) * taps, w3 = w + (long)(k0 + Math.Min(3, count - 1)) * taps;
            float* image = input + ((long)n * plan.Cin + grp * plan.CPerGroup) * plan.PlaneStride;
            int pq = plan.P * plan.Q;
            float* out0 = y + ((long)n * plan.Kout + k0) * pq;
            Span<float> init = stackalloc float[KBlock];
            float* tmp = stackalloc float[Lanes];
            for (int i = 0; i < KBlock; i++) init[i] = bias == null ? 0f : bias[k0 + Math.Min(i, count - 1)];
            for (int p = 0; p < plan.P; p++)
            {
                float* rows = image + (long)p * plan.Sh * plan.RowStride;
                for (int q0 = 0; q0 < plan.Q; q0 += Lanes)
                {
                    var a00 = Vector256.Create(init[0]); var a01 = a00;
                    var a10 = Vector256.Create(init[1]); var a11 = a10;
                    var a20 = Vector256.Create(init[2]); var a21 = a20;
                    var a30 = Vector256.Create(init[3]); var a31 = a30;
                    int tap = 0;
                    for (int c = 0; c < plan.CPerGroup; c++)
                    {
                        float* plane = rows + c * plan.PlaneStride + q0;
                        for (int r = 0; r < plan.R; r++)
                        {
                            float* row = plane + (long)r * plan.Dh * plan.RowStride;
                            for (int s = 0; s < plan.S; s++, tap++)
                            {
                                float* src = row + offs[s];
                                var x0 = Vector256.Load(src);
                                var x1 = Vector256.Load(src + 8);
                                var b = Vector256.Create(w0[tap]);
                                a00 = Vector256.MultiplyAddEstimate(x0, b, a00);
                                a01 = Vector256.MultiplyAddEstimate(x1, b, a01);
                                b = Vector256.Create(w1[tap]);
                                a10 = Vector256.MultiplyAddEstimate(x0, b, a10);
                                a11 = Vector256.MultiplyAddEstimate(x1, b, a11);
                                b = Vector256.Create(w2[tap]);
                                a20 = Vector256.MultiplyAddEstimate(x0, b, a20);
                                a21 = Vector256.MultiplyAddEstimate(x1, b, a21);
                                b = Vector256.Create(w3[tap]);
                                a30 = Vector256.MultiplyAddEstimate(x0, b, a30);
                                a31 = Vector256.MultiplyAddEstimate(x1, b, a31);
                            }
                        }
                    }
                    int lanes = Math.Min(Lanes, plan.Q - q0);
                    float* dst = out0 + (long)p * plan.Q + q0;
                    Store(dst, a00, a01, lanes, tmp);
                    if (count > 1) Store(dst + pq, a10, a11, lanes, tmp);
                    if (count > 2) Store(dst + 2L * pq, a20, a21, lanes, tmp);
                    if (count > 3) Store(dst + 3L * pq, a30, a31, lanes, tmp);
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Store(float* dst, Vector256<float> lo, Vector256<float> hi, int lanes, float* tmp)
        {
            if (relu)
            {
                lo = Vector256.Max(lo, Vector256<float>.Zero);
                hi = Vector256.Max(hi, Vector256<float>.Zero);
            }
            if (lanes == Lanes)
            {
                if (accumulate)
                {
                    lo += Vector256.Load(dst);
                    hi += Vector256.Load(dst + 8);
                }
                lo.Store(dst);
                hi.Store(dst + 8);
                return;
            }
            lo.Store(tmp);
            hi.Store(tmp + 8);
            if (accumulate)
                for (int i = 0; i < lanes; i++) dst[i] += tmp[i];
            else
                for (int i = 0; i < lanes; i++) dst[i] = tmp[i];
        }
    }

    /// <summary>Items: planes of P rows of Q floats, copied to rows of qp floats with zeros after Q (no library call per short row).</summary>
    private readonly struct PadRowsBody(float* src, float* dst, int p, int q, int qp) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (long row = (long)start * p; row < (long)end * p; row++)
            {
                float* s = src + row * q, d = dst + row * qp;
                int i = 0;
                for (; i + 8 <= q; i += 8) Vector256.Store(Vector256.Load(s + i), d + i);
                for (; i < q; i++) d[i] = s[i];
                for (; i < qp; i++) d[i] = 0f;
            }
        }
    }

    /// <summary>One item: the R·S weight gradients of one (filter k, input channel c') pair, summed over the whole batch.</summary>
    private readonly struct WeightBody(Plan plan, int n, float* input, float* dy, int qp, float* dw) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int taps = plan.R * plan.S;
            Span<int> offsets = taps <= 1024 ? stackalloc int[taps] : new int[taps];
            for (int r = 0; r < plan.R; r++)
                for (int s = 0; s < plan.S; s++)
                {
                    int col = s * plan.Dw;
                    offsets[r * plan.S + s] = r * plan.Dh * plan.RowStride + col % plan.Sw * plan.PhaseLength + col / plan.Sw;
                }
            Span<float> sums = taps <= 1024 ? stackalloc float[taps] : new float[taps];
            fixed (int* offs = offsets)
            fixed (float* total = sums)
            {
                for (int item = start; item < end; item++)
                {
                    int k = item / plan.CPerGroup, cc = item - k * plan.CPerGroup;
                    int c = k / plan.KPerGroup * plan.CPerGroup + cc;
                    int t = 0;
                    for (; t + 8 <= taps; t += 8) Eight(k, c, offs + t, total + t);
                    for (; t < taps; t++) total[t] = One(k, c, offs[t]);
                    float* dst = dw + (long)item * taps;
                    for (int i = 0; i < taps; i++) dst[i] += total[i];
                }
            }
        }

        /// <summary>Σ_{n,p,q} dy · x for 8 taps at once, sharing each dy load.</summary>
        private void Eight(int k, int c, int* offs, float* total)
        {
            var a0 = Vector256<float>.Zero; var a1 = a0; var a2 = a0; var a3 = a0;
            var a4 = a0; var a5 = a0; var a6 = a0; var a7 = a0;
            int o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4], o5 = offs[5], o6 = offs[6], o7 = offs[7];
            for (int img = 0; img < n; img++)
            {
                float* dyk = dy + ((long)img * plan.Kout + k) * plan.P * qp;
                float* plane = input + ((long)img * plan.Cin + c) * plan.PlaneStride;
                for (int p = 0; p < plan.P; p++)
                {
                    float* d = dyk + (long)p * qp;
                    float* xr = plane + (long)p * plan.Sh * plan.RowStride;
                    for (int q = 0; q < qp; q += 8)
                    {
                        var g = Vector256.Load(d + q);
                        float* xq = xr + q;
                        a0 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o0), a0);
                        a1 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o1), a1);
                        a2 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o2), a2);
                        a3 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o3), a3);
                        a4 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o4), a4);
                        a5 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o5), a5);
                        a6 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o6), a6);
                        a7 = Vector256.MultiplyAddEstimate(g, Vector256.Load(xq + o7), a7);
                    }
                }
            }
            total[0] = Vector256.Sum(a0); total[1] = Vector256.Sum(a1); total[2] = Vector256.Sum(a2); total[3] = Vector256.Sum(a3);
            total[4] = Vector256.Sum(a4); total[5] = Vector256.Sum(a5); total[6] = Vector256.Sum(a6); total[7] = Vector256.Sum(a7);
        }

        /// <summary>Σ_{n,p,q} dy · x for one tap.</summary>
        public float One(int k, int c, int offset)
        {
            var acc = Vector256<float>.Zero;
            for (int img = 0; img < n; img++)
            {
                float* dyk = dy + ((long)img * plan.Kout + k) * plan.P * qp;
                float* plane = input + ((long)img * plan.Cin + c) * plan.PlaneStride + offset;
                for (int p = 0; p < plan.P; p++)
                {
                    float* d = dyk + (long)p * qp;
                    float* xr = plane + (long)p * plan.Sh * plan.RowStride;
                    for (int q = 0; q < qp; q += 8)
                        acc = Vector256.MultiplyAddEstimate(Vector256.Load(d + q), Vector256.Load(xr + q), acc);
                }
            }
            return Vector256.Sum(acc);
        }
    }
}
