// N-d grouped convolution (cross-correlation, as in every deep-learning framework) by im2col + GEMM.
//   x: (N, C, D, H, W)  w: (K, C/G, KD, KH, KW)  b: (K)  y: (N, K, OD, OH, OW)   (ConvGeometry; 1-D/2-D use unit axes)
//   i(o, t) = o·stride − padBefore + t·dilation per axis; x is zero outside the input.
//   Forward:         y[n,k,o]    = b[k] + Σ_{c ∈ group(k), t} w[k, c − c0(k), t] · x[n, c, i(o, t)]
//   BackwardData:    dx[n,c,i]  += Σ_{k ∈ group(c), t, o : i(o, t) = i} w[k, c − c0(k), t] · dy[n,k,o]
//   BackwardWeights: dw[k,c',t] += Σ_{n,o} dy[n,k,o] · x[n, c0(k) + c', i(o, t)]
//                    db[k]      += Σ_{n,o} dy[n,k,o]
// (o and t are (d, h, w) triples; c0(k) = ⌊k / (K/G)⌋ · C/G is the first input channel of k's group.)
//
// Per image, im2col lays the receptive fields out as col: (C·KD·KH·KW, OD·OH·OW). Group g owns the
// rows [g·C/G·kvol, (g+1)·C/G·kvol) of col and the filters [g·K/G, (g+1)·K/G), so per group
//   y_g = w_g · col_g   ((K/G)×(C/G·kvol) · (C/G·kvol)×ovol)    dcol_g = w_gᵀ · dy_g    dw_g += dy_g · col_gᵀ
// and col2im scatter-adds dcol back into dx. Dilation and zero padding (also asymmetric) live in
// im2col's index arithmetic; no padded copy of x is made. The column matrix lives in an ArrayPool
// workspace per thread; the kernels allocate nothing that outlives a call.
// Accumulation: the backwards form this call's gradient in full (dx_n in a zeroed scratch volume,
// dw and db in their own sums) and add it to the destination with one rounding per element, so two
// identical backward calls add exactly twice the gradient of one.
//
// Threading: images are independent, so a batch (N ≥ 2) is split across threads and each image runs
// single-threaded GEMMs: LeNet-size GEMMs (6×784×25, 16×100×150) are too small to split well, while
// whole images keep each thread's workspace in its own cache. A single image uses threaded GEMMs.
// Determinism: every y and dx element belongs to one image, and GEMM tiles never depend on the
// thread count. The weight gradient sums over images; per-image partials dw_n are computed in
// parallel and then summed in image order, G = ((dw_0 + dw_1) + dw_2) + …; a single thread forms the
// same partials one at a time and adds them in the same order, so neither the thread count nor the
// chunk size (bounded by a memory budget) changes a single bit.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Gemm;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>N-d grouped, dilated, asymmetrically padded convolution by im2col + GEMM: forward, data gradient, weight/bias gradients.</summary>
public static unsafe class ConvNdKernel
{
    // Largest weight-gradient partial buffer (floats) kept for one chunk of images: 4 MiB keeps a
    // LeNet batch in one chunk while bounding memory for wide layers (which fall back to one image
    // at a time and threaded GEMMs, with bit-identical results).
    private const long PartialBudget = 1L << 20;

    /// <summary>
    /// y[n,k,o] = b[k] + Σ_{c ∈ group(k), t} w[k, c − c0(k), t] · x[n, c, o·stride − padBefore + t·dilation]
    /// (shapes in the file header). <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, stride, dilation, padding and groups.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="w">Filters (K, C/G, KD, KH, KW).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, OD, OH, OW).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, a span is shorter than its tensor, or bias is neither empty nor K long.</exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(w.Length, g.WeightLength, nameof(w));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        if (!bias.IsEmpty && bias.Length != g.K)
            throw new ArgumentException($"bias holds {bias.Length} values, needs 0 or K = {g.K}.", nameof(bias));
        if (g.N == 0 || g.K == 0) return;
        if (g.C == 0)
        {
            // No input channel: every output is its bias (or zero).
            AddOrFillBias(g, bias, y);
            return;
        }
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            RunPerImage(g.N, threads, new ForwardBody(g, px, pw, bias.IsEmpty ? null : pb, py));
        }
    }

    /// <summary>
    /// dx[n,c,i] += Σ w[k, c − c0(k), t] · dy[n,k,o] over the (k ∈ group(c), t, o) with o·stride − padBefore + t·dilation = i.
    /// The sum is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution.</param>
    /// <param name="dy">Output gradient (N, K, OD, OH, OW).</param>
    /// <param name="w">Filters (K, C/G, KD, KH, KW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void BackwardData(ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads)
    {
        g.Validate();
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        CheckLength(w.Length, g.WeightLength, nameof(w));
        CheckLength(dx.Length, g.InputLength, nameof(dx));
        if (g.N == 0 || g.C == 0 || g.K == 0 || g.InputVolume == 0) return;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            RunPerImage(g.N, threads, new BackwardDataBody(g, pdy, pw, pdx));
        }
    }

    /// <summary>
    /// dw[k,c',t] += Σ_{n,o} dy[n,k,o] · x[n, c0(k) + c', o·stride − padBefore + t·dilation] and db[k] += Σ_{n,o} dy[n,k,o].
    /// Each sum is formed first and added to its destination once. Either destination may be empty to skip it.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="dy">Output gradient (N, K, OD, OH, OW).</param>
    /// <param name="dw">Filter gradient (K, C/G, KD, KH, KW), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, a span is shorter than its tensor, or db is neither empty nor K long.</exception>
    public static void BackwardWeights(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        if (!dw.IsEmpty) CheckLength(dw.Length, g.WeightLength, nameof(dw));
        if (!db.IsEmpty && db.Length != g.K)
            throw new ArgumentException($"db holds {db.Length} values, needs 0 or K = {g.K}.", nameof(db));

        if (!db.IsEmpty) BiasGradient(g.N, g.K, g.OutputVolume, dy, db);
        if (dw.IsEmpty || g.N == 0 || g.WeightLength == 0) return;

        int perImage = (int)g.WeightLength;
        int chunk = (int)Math.Min(g.N, Math.Max(1, PartialBudget / perImage));
        float[] total = ArrayPool<float>.Shared.Rent(perImage);
        try
        {
            fixed (float* px = x, pdy = dy, ptotal = total)
            {
                if (threads <= 1 || chunk < 2)
                    WeightsOneImageAtATime(g, px, pdy, ptotal, threads);
                else
                    WeightsByPartials(g, px, pdy, ptotal, chunk, threads);
            }
            TensorPrimitives.Add(dw[..perImage], total.AsSpan(0, perImage), dw[..perImage]);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(total);
        }
    }

    /// <summary>db[k] += (Σ_o dy[0,k,o] + Σ_o dy[1,k,o]) + …: the per-channel sum of an (N, K, volume) gradient, in a fixed order.</summary>
    /// <param name="n">Batch size N.</param>
    /// <param name="k">Channels K.</param>
    /// <param name="volume">Positions per channel.</param>
    /// <param name="dy">Gradient (N, K, volume).</param>
    /// <param name="db">Bias gradient (K), added to once per channel.</param>
    /// <exception cref="ArgumentException">A size is negative, dy is too short, or db is not K long.</exception>
    public static void BiasGradient(int n, int k, int volume, ReadOnlySpan<float> dy, Span<float> db)
    {
        if (n < 0 || k < 0 || volume < 0) throw new ArgumentException($"Sizes must be non-negative: N={n}, K={k}, volume={volume}.");
        CheckLength(dy.Length, (long)n * k * volume, nameof(dy));
        if (db.Length != k) throw new ArgumentException($"db holds {db.Length} values, needs K = {k}.", nameof(db));
        for (int c = 0; c < k; c++)
        {
            float sum = 0f;
            for (int i = 0; i < n; i++) sum += TensorPrimitives.Sum(dy.Slice((i * k + c) * volume, volume));
            db[c] += sum;
        }
    }

    /// <summary>y[n,k,o] += b[k] for an (N, K, volume) tensor.</summary>
    /// <param name="n">Batch size N.</param>
    /// <param name="k">Channels K.</param>
    /// <param name="volume">Positions per channel.</param>
    /// <param name="bias">Bias (K).</param>
    /// <param name="y">Tensor (N, K, volume), added to.</param>
    /// <exception cref="ArgumentException">A size is negative, bias is not K long, or y is too short.</exception>
    public static void AddBias(int n, int k, int volume, ReadOnlySpan<float> bias, Span<float> y)
    {
        if (n < 0 || k < 0 || volume < 0) throw new ArgumentException($"Sizes must be non-negative: N={n}, K={k}, volume={volume}.");
        if (bias.Length != k) throw new ArgumentException($"bias holds {bias.Length} values, needs K = {k}.", nameof(bias));
        CheckLength(y.Length, (long)n * k * volume, nameof(y));
        for (int i = 0; i < n; i++)
            for (int c = 0; c < k; c++)
            {
                var row = y.Slice((i * k + c) * volume, volume);
                TensorPrimitives.Add(row, bias[c], row);
            }
    }

    /// <summary>
    /// Reverses every filter along all its spatial axes: flipped[k,c,t] = w[k,c,T − 1 − t] per axis. In a
    /// row-major block, reversing every axis reverses the flat order, so each kernel-volume segment is
    /// reversed. A true convolution is a cross-correlation with flipped filters.
    /// </summary>
    /// <param name="kernelVolume">Taps per filter plane, KD·KH·KW.</param>
    /// <param name="w">Filters, a whole number of planes of <paramref name="kernelVolume"/> values.</param>
    /// <param name="flipped">Destination, same length as <paramref name="w"/>; overwritten.</param>
    /// <exception cref="ArgumentException">kernelVolume is not positive or does not divide w's length, or flipped has a different length.</exception>
    public static void FlipKernels(int kernelVolume, ReadOnlySpan<float> w, Span<float> flipped)
    {
        if (kernelVolume < 1 || w.Length % kernelVolume != 0)
            throw new ArgumentException($"kernelVolume {kernelVolume} must be positive and divide the filter length {w.Length}.", nameof(kernelVolume));
        if (flipped.Length != w.Length) throw new ArgumentException($"flipped holds {flipped.Length} values, needs {w.Length}.", nameof(flipped));
        if (w.Overlaps(flipped)) throw new ArgumentException("flipped must not overlap w.", nameof(flipped));
        for (int start = 0; start < w.Length; start += kernelVolume)
        {
            var dst = flipped.Slice(start, kernelVolume);
            w.Slice(start, kernelVolume).CopyTo(dst);
            dst.Reverse();
        }
    }

    private static void AddOrFillBias(in ConvGeometry g, ReadOnlySpan<float> bias, Span<float> y)
    {
        int volume = g.OutputVolume;
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < g.K; k++)
                y.Slice((n * g.K + k) * volume, volume).Fill(bias.IsEmpty ? 0f : bias[k]);
    }

    /// <summary>
    /// G = Σ_n dy_n · col_nᵀ one image at a time, the GEMMs threaded over their tiles: each image's partial
    /// is formed with beta = 0 and added to the total in image order, exactly as <see cref="WeightsByPartials"/> does.
    /// </summary>
    private static void WeightsOneImageAtATime(in ConvGeometry g, float* x, float* dy, float* total, int threads)
    {
        int rows = g.GroupRows, ovol = g.OutputVolume, kg = g.KPerGroup, perImage = (int)g.WeightLength;
        float[] col = ArrayPool<float>.Shared.Rent(Math.Max(1, g.C * g.KernelVolume * ovol));
        float[] partial = ArrayPool<float>.Shared.Rent(perImage);
        try
        {
            fixed (float* pcol = col, pp = partial)
            {
                var sum = new Span<float>(total, perImage);
                var part = new ReadOnlySpan<float>(pp, perImage);
                for (int n = 0; n < g.N; n++)
                {
                    float* cols = Lower(g, x + (long)n * g.C * g.InputVolume, pcol, threads);
                    float* dyn = dy + (long)n * g.K * ovol;
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        GemmKernel.Gemm(false, true, kg, rows, ovol, 1f, new ReadOnlySpan<float>(dyn + (long)grp * kg * ovol, kg * ovol),
                            new ReadOnlySpan<float>(cols + (long)grp * rows * ovol, rows * ovol), 0f,
                            new Span<float>(pp + (long)grp * kg * rows, kg * rows), threads);
                    }
                    // Not GEMM's beta = 1: whether it adds C before or after the products is GEMM's choice,
                    // while the partials path below fixes "sum per image, then add in image order".
                    if (n == 0) part.CopyTo(sum);
                    else TensorPrimitives.Add(sum, part, sum);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partial);
            ArrayPool<float>.Shared.Return(col);
        }
    }

    /// <summary>G = Σ_n dy_n · col_nᵀ: chunks of images compute their partials in parallel, then the partials are summed in image order.</summary>
    private static void WeightsByPartials(in ConvGeometry g, float* x, float* dy, float* total, int chunk, int threads)
    {
        int perImage = (int)g.WeightLength;
        float[] partials = ArrayPool<float>.Shared.Rent(chunk * perImage);
        try
        {
            fixed (float* pp = partials)
            {
                for (int n0 = 0; n0 < g.N; n0 += chunk)
                {
                    int count = Math.Min(chunk, g.N - n0);
                    ParallelFor.Run(count, threads, new WeightPartialBody(g, x, dy, pp, n0));
                    ParallelFor.Run(perImage, threads, new ReduceBody(pp, total, perImage, count, n0 == 0), minItemsPerThread: 4096);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(partials);
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>Splits images across threads (each GEMM single-threaded), or runs one image with threaded GEMMs.</summary>
    private static void RunPerImage<TBody>(int n, int threads, TBody body) where TBody : struct, IImageBody
    {
        if (n >= 2 && threads > 1)
        {
            ParallelFor.Run(n, threads, new ImageRange<TBody>(body, 1));
        }
        else
        {
            new ImageRange<TBody>(body, threads).Invoke(0, n);
        }
    }

    private interface IImageBody
    {
        int WorkspaceLength { get; }

        void Run(int n, float* workspace, int gemmThreads);
    }

    private readonly struct ImageRange<TBody>(TBody body, int gemmThreads) : IParallelBody where TBody : struct, IImageBody
    {
        public void Invoke(int start, int end)
        {
            float[] workspace = ArrayPool<float>.Shared.Rent(Math.Max(body.WorkspaceLength, 1));
            try
            {
                fixed (float* pws = workspace)
                {
                    for (int n = start; n < end; n++) body.Run(n, pws, gemmThreads);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(workspace);
            }
        }
    }

    private readonly struct ForwardBody(ConvGeometry g, float* x, float* w, float* bias, float* y) : IImageBody
    {
        public int WorkspaceLength => g.C * g.KernelVolume * g.OutputVolume;

        public void Run(int n, float* col, int gemmThreads)
        {
            int rows = g.GroupRows, ovol = g.OutputVolume, kg = g.KPerGroup;
            col = Lower(g, x + (long)n * g.C * g.InputVolume, col, gemmThreads);
            float* yn = y + (long)n * g.K * ovol;
            // Bias epilogue: rows start at b[k] and the GEMM adds w·col onto them (beta = 1).
            if (bias != null)
                for (int k = 0; k < g.K; k++) new Span<float>(yn + (long)k * ovol, ovol).Fill(bias[k]);
            for (int grp = 0; grp < g.Groups; grp++)
            {
                GemmKernel.Gemm(false, false, kg, ovol, rows, 1f, new ReadOnlySpan<float>(w + (long)grp * kg * rows, kg * rows),
                    new ReadOnlySpan<float>(col + (long)grp * rows * ovol, rows * ovol), bias != null ? 1f : 0f,
                    new Span<float>(yn + (long)grp * kg * ovol, kg * ovol), gemmThreads);
            }
        }
    }

    private readonly struct BackwardDataBody(ConvGeometry g, float* dy, float* w, float* dx) : IImageBody
    {
        // dcol (C·kvol × ovol), then the image's gradient (C × ivol) before it is added to dx.
        public int WorkspaceLength => g.C * g.KernelVolume * g.OutputVolume + g.C * g.InputVolume;

        public void Run(int n, float* workspace, int gemmThreads)
        {
            int rows = g.GroupRows, ovol = g.OutputVolume, kg = g.KPerGroup, cvol = g.C * g.InputVolume;
            float* dcol = workspace, image = workspace + (long)g.C * g.KernelVolume * ovol;
            float* dyn = dy + (long)n * g.K * ovol;
            // dcol_g = w_gᵀ · dy_g, then scatter-add each column entry back to the input position it was read from.
            for (int grp = 0; grp < g.Groups; grp++)
            {
                GemmKernel.Gemm(true, false, rows, ovol, kg, 1f, new ReadOnlySpan<float>(w + (long)grp * kg * rows, kg * rows),
                    new ReadOnlySpan<float>(dyn + (long)grp * kg * ovol, kg * ovol), 0f,
                    new Span<float>(dcol + (long)grp * rows * ovol, rows * ovol), gemmThreads);
            }
            var dxn = new Span<float>(dx + (long)n * cvol, cvol);
            if (IsPointwise(g))
            {
                // dcol is the image's gradient itself (col = x for a 1×1, stride-1, unpadded convolution).
                TensorPrimitives.Add(dxn, new ReadOnlySpan<float>(dcol, cvol), dxn);
                return;
            }
            new Span<float>(image, cvol).Clear();
            Col2Im(g, dcol, image);
            TensorPrimitives.Add(dxn, new ReadOnlySpan<float>(image, cvol), dxn);
        }
    }

    private readonly struct WeightPartialBody(ConvGeometry g, float* x, float* dy, float* partials, int n0) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int rows = g.GroupRows, ovol = g.OutputVolume, kg = g.KPerGroup, perImage = (int)g.WeightLength;
            float[] col = ArrayPool<float>.Shared.Rent(Math.Max(1, g.C * g.KernelVolume * ovol));
            try
            {
                fixed (float* pcol = col)
                {
                    for (int i = start; i < end; i++)
                    {
                        int n = n0 + i;
                        float* cols = Lower(g, x + (long)n * g.C * g.InputVolume, pcol, 1);
                        float* dyn = dy + (long)n * g.K * ovol, slot = partials + (long)i * perImage;
                        // dw_n,g = dy_n,g · col_n,gᵀ  ((K/G)×ovol · ovol×rows), overwriting partial slot i.
                        for (int grp = 0; grp < g.Groups; grp++)
                        {
                            GemmKernel.Gemm(false, true, kg, rows, ovol, 1f, new ReadOnlySpan<float>(dyn + (long)grp * kg * ovol, kg * ovol),
                                new ReadOnlySpan<float>(cols + (long)grp * rows * ovol, rows * ovol), 0f,
                                new Span<float>(slot + (long)grp * kg * rows, kg * rows), 1);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(col);
            }
        }
    }

    private readonly struct ReduceBody(float* partials, float* total, int perImage, int count, bool first) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            var dst = new Span<float>(total + start, end - start);
            // Image order, one rounding per image: identical to WeightsOneImageAtATime.
            if (first) new ReadOnlySpan<float>(partials + start, end - start).CopyTo(dst);
            for (int i = first ? 1 : 0; i < count; i++)
                TensorPrimitives.Add(dst, new ReadOnlySpan<float>(partials + (long)i * perImage + start, end - start), dst);
        }
    }

    /// <summary>
    /// Whether the column matrix of <paramref name="g"/> is the input itself: every kernel side 1, stride 1, no padding
    /// (col[c, o] = x[c, o]), so the lowering is skipped.
    /// </summary>
    private static bool IsPointwise(in ConvGeometry g) =>
        g.KernelVolume == 1 && g.OutputVolume == g.InputVolume
        && g.Depth is { Stride: 1, PadBefore: 0, PadAfter: 0 } && g.Height is { Stride: 1, PadBefore: 0, PadAfter: 0 } && g.Width is { Stride: 1, PadBefore: 0, PadAfter: 0 };

    /// <summary>
    /// The column matrix of one image: <paramref name="x"/> itself for a pointwise convolution, else <paramref name="col"/>
    /// filled by im2col, split over channels across <paramref name="threads"/> (each channel's rows are written by one item).
    /// </summary>
    private static float* Lower(in ConvGeometry g, float* x, float* col, int threads)
    {
        if (IsPointwise(g)) return x;
        long size = (long)g.C * g.KernelVolume * g.OutputVolume;
        // Below about a quarter of a million floats, the copy costs less than handing work to another thread.
        if (threads > 1 && g.C > 1 && size >= 1 << 18)
            ParallelFor.Run(g.C, threads, new Im2ColBody(g, x, col));
        else
            Im2Col(g, x, col, 0, g.C);
        return col;
    }

    private readonly struct Im2ColBody(ConvGeometry g, float* x, float* col) : IParallelBody
    {
        public void Invoke(int start, int end) => Im2Col(g, x, col, start, end);
    }

    /// <summary>
    /// col[((c·KD + kd)·KH + kh)·KW + kw, (od·OH + oh)·OW + ow] = x[c, od·sd − pd + kd·dd, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw],
    /// zero where the read falls in the padding.
    /// </summary>
    private static void Im2Col(in ConvGeometry g, float* x, float* col, int cStart, int cEnd)
    {
        ConvAxis ad = g.Depth, ah = g.Height, aw = g.Width;
        int outD = ad.Output, outH = ah.Output, outW = aw.Output, plane = outH * outW;
        int inD = ad.Input, inH = ah.Input, inW = aw.Input;
        float* dst = col + (long)cStart * g.KernelVolume * outD * plane;
        for (int c = cStart; c < cEnd; c++)
        {
            float* xc = x + (long)c * inD * inH * inW;
            for (int kd = 0; kd < ad.Kernel; kd++)
            {
                var (d0, d1) = ad.ValidOutputs(kd);
                for (int kh = 0; kh < ah.Kernel; kh++)
                {
                    var (h0, h1) = ah.ValidOutputs(kh);
                    for (int kw = 0; kw < aw.Kernel; kw++)
                    {
                        var (w0, w1) = aw.ValidOutputs(kw);
                        int iw0 = w0 * aw.Stride - aw.PadBefore + kw * aw.Dilation;
                        for (int od = 0; od < outD; od++)
                        {
                            if (od < d0 || od >= d1)
                            {
                                new Span<float>(dst, plane).Clear();
                                dst += plane;
                                continue;
                            }
                            int id = od * ad.Stride - ad.PadBefore + kd * ad.Dilation;
                            for (int oh = 0; oh < outH; oh++, dst += outW)
                            {
                                if (oh < h0 || oh >= h1)
                                {
                                    new Span<float>(dst, outW).Clear();
                                    continue;
                                }
                                int ih = oh * ah.Stride - ah.PadBefore + kh * ah.Dilation;
                                float* src = xc + ((long)id * inH + ih) * inW + iw0;
                                for (int ow = 0; ow < w0; ow++) dst[ow] = 0f;
                                if (aw.Stride == 1)
                                    new ReadOnlySpan<float>(src, w1 - w0).CopyTo(new Span<float>(dst + w0, w1 - w0));
                                else
                                    for (int ow = w0, j = 0; ow < w1; ow++, j += aw.Stride) dst[ow] = src[j];
                                for (int ow = w1; ow < outW; ow++) dst[ow] = 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>dx[c, od·sd − pd + kd·dd, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw] += dcol[(…kd, kh, kw row), (od, oh, ow column)] for the reads inside the input.</summary>
    private static void Col2Im(in ConvGeometry g, float* dcol, float* dx)
    {
        ConvAxis ad = g.Depth, ah = g.Height, aw = g.Width;
        int outD = ad.Output, outH = ah.Output, outW = aw.Output, plane = outH * outW;
        int inD = ad.Input, inH = ah.Input, inW = aw.Input;
        float* src = dcol;
        for (int c = 0; c < g.C; c++)
        {
            float* xc = dx + (long)c * inD * inH * inW;
            for (int kd = 0; kd < ad.Kernel; kd++)
            {
                var (d0, d1) = ad.ValidOutputs(kd);
                for (int kh = 0; kh < ah.Kernel; kh++)
                {
                    var (h0, h1) = ah.ValidOutputs(kh);
                    for (int kw = 0; kw < aw.Kernel; kw++)
                    {
                        var (w0, w1) = aw.ValidOutputs(kw);
                        int iw0 = w0 * aw.Stride - aw.PadBefore + kw * aw.Dilation;
                        for (int od = 0; od < outD; od++)
                        {
                            if (od < d0 || od >= d1 || w1 == w0)
                            {
                                src += plane;
                                continue;
                            }
                            int id = od * ad.Stride - ad.PadBefore + kd * ad.Dilation;
                            for (int oh = 0; oh < outH; oh++, src += outW)
                            {
                                if (oh < h0 || oh >= h1) continue;
                                int ih = oh * ah.Stride - ah.PadBefore + kh * ah.Dilation;
                                float* dst = xc + ((long)id * inH + ih) * inW + iw0;
                                if (aw.Stride == 1)
                                {
                                    var d = new Span<float>(dst, w1 - w0);
                                    TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + w0, w1 - w0), d);
                                }
                                else
                                {
                                    for (int ow = w0, j = 0; ow < w1; ow++, j += aw.Stride) dst[j] += src[ow];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
