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
// The weight gradient is one GEMM over the whole batch, dw_g = dy_g · col_gᵀ with the images side by side
// in the inner dimension (N·ovol terms per element instead of ovol): images are lowered a chunk at a time
// into a column matrix (rows × chunk·ovol, bounded by a memory budget), dy's rows are laid out to match,
// and each chunk's GEMM continues the previous one's accumulators (beta = 1 after the first), which is
// the same chain of fused multiply-adds as one GEMM over everything: the chunk size changes no bit.
// Determinism: every y and dx element belongs to one image, and GEMM tiles never depend on the
// thread count, so no result depends on it.
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Striate.Kernels.Gemm;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>N-d grouped, dilated, asymmetrically padded convolution by im2col + GEMM: forward, data gradient, weight/bias gradients.</summary>
public static unsafe class ConvNdKernel
{
    // Largest weight-gradient partial buffer (floats) kept for one chunk of images: 4 MiB keeps a
    // LeNet batch in one chunk while bounding memory for wide layers (which fall back to one image
    // at a time and threaded GEMMs, with bit-identical results).
    private const long BatchColumnBudget = 1L << 18;

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
            long colPerImage = (long)g.C * g.KernelVolume * g.OutputVolume;
            int chunk = (int)Math.Clamp(BatchColumnBudget / Math.Max(1, colPerImage), 1, g.N);
            if (chunk < 2 || IsPointwise(g))
                RunPerImage(g.N, threads, new BackwardDataBody(g, pdy, pw, pdx));
            else
                DataOverChunks(g, pdy, pw, pdx, chunk, threads);
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
        float[] total = ArrayPool<float>.Shared.Rent(perImage);
        try
        {
            fixed (float* px = x, pdy = dy, ptotal = total)
            {
                WeightsOverTheBatch(g, px, pdy, ptotal, threads);
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
    /// total = Σ_n dy_n · col_nᵀ per group as one GEMM chain over the batch: chunks of images are lowered side by side
    /// into (rows × count·ovol) and each chunk's GEMM continues the accumulators of the previous ones (beta = 1).
    /// A pointwise layer (col = x) and a one-image chunk read x and dy in place.
    /// </summary>
    private static void WeightsOverTheBatch(in ConvGeometry g, float* x, float* dy, float* total, int threads)
    {
        int rows = g.GroupRows, ovol = g.OutputVolume, kg = g.KPerGroup;
        long colPerImage = (long)g.C * g.KernelVolume * ovol;
        int chunk = IsPointwise(g) ? 1 : (int)Math.Clamp(BatchColumnBudget / Math.Max(1, colPerImage), 1, g.N);
        bool inPlace = chunk == 1;
        float[] col = ArrayPool<float>.Shared.Rent(inPlace && IsPointwise(g) ? 1 : (int)Math.Max(1, chunk * colPerImage));
        float[] dyRows = ArrayPool<float>.Shared.Rent(inPlace ? 1 : chunk * g.K * ovol);
        try
        {
            fixed (float* pcol = col, pdyr = dyRows)
            {
                for (int n0 = 0; n0 < g.N; n0 += chunk)
                {
                    int count = Math.Min(chunk, g.N - n0);
                    long length = (long)count * ovol;
                    float* cols, dys;
                    if (inPlace)
                    {
                        cols = Lower(g, x + (long)n0 * g.C * g.InputVolume, pcol, threads);
                        dys = dy + (long)n0 * g.K * ovol;
                    }
                    else
                    {
                        // col[r, i·ovol + o] for image n0 + i; dy rows likewise: dys[k, i·ovol + o] = dy[n0 + i, k, o].
                        ParallelFor.Run(count * g.C, threads, new BatchIm2ColBody(g, x + (long)n0 * g.C * g.InputVolume, pcol, length),
                            minItemsPerThread: Math.Max(1, (int)(65_536 / Math.Max(1, (long)g.KernelVolume * ovol))));
                        GradientRowsSideBySide(g, dy, n0, count, pdyr);
                        cols = pcol;
                        dys = pdyr;
                    }
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        GemmKernel.Gemm(false, true, kg, rows, (int)length, 1f, new ReadOnlySpan<float>(dys + (long)grp * kg * length, (int)(kg * length)),
                            new ReadOnlySpan<float>(cols + (long)grp * rows * length, (int)(rows * length)), n0 == 0 ? 0f : 1f,
                            new Span<float>(total + (long)grp * kg * rows, kg * rows), threads);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dyRows);
            ArrayPool<float>.Shared.Return(col);
        }
    }

    /// <summary>
    /// The data gradient for small images, a chunk of images at a time: dcol = w_gᵀ · dy_g with the chunk's images side
    /// by side in the columns (one GEMM of count·ovol columns instead of one per image: the same chain over k per
    /// element, so the same bits), then col2im per image in parallel, each into its own zeroed scratch added to dx once.
    /// </summary>
    private static void DataOverChunks(in ConvGeometry g, float* dy, float* w, float* dx, int chunk, int threads)
    {
        int rows = g.GroupRows, ovol = g.OutputVolume, kg = g.KPerGroup;
        long colPerImage = (long)g.C * g.KernelVolume * ovol;
        float[] dcol = ArrayPool<float>.Shared.Rent((int)(chunk * colPerImage));
        float[] dyRows = ArrayPool<float>.Shared.Rent(chunk * g.K * ovol);
        try
        {
            fixed (float* pdcol = dcol, pdyr = dyRows)
            {
                for (int n0 = 0; n0 < g.N; n0 += chunk)
                {
                    int count = Math.Min(chunk, g.N - n0);
                    long length = (long)count * ovol;
                    GradientRowsSideBySide(g, dy, n0, count, pdyr);
                    for (int grp = 0; grp < g.Groups; grp++)
                    {
                        GemmKernel.Gemm(true, false, rows, (int)length, kg, 1f, new ReadOnlySpan<float>(w + (long)grp * kg * rows, kg * rows),
                            new ReadOnlySpan<float>(pdyr + (long)grp * kg * length, (int)(kg * length)), 0f,
                            new Span<float>(pdcol + (long)grp * rows * length, (int)(rows * length)), threads);
                    }
                    ParallelFor.Run(count, threads, new BatchCol2ImBody(g, pdcol, length, dx + (long)n0 * g.C * g.InputVolume));
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dyRows);
            ArrayPool<float>.Shared.Return(dcol);
        }
    }

    /// <summary>Items: image i of the chunk, its columns [i·ovol, (i+1)·ovol) of dcol scattered into a zeroed scratch, added to dx.</summary>
    private readonly struct BatchCol2ImBody(ConvGeometry g, float* dcol, long length, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int cvol = g.C * g.InputVolume;
            float[] scratch = ArrayPool<float>.Shared.Rent(cvol);
            try
            {
                fixed (float* image = scratch)
                {
                    for (int i = start; i < end; i++)
                    {
                        new Span<float>(image, cvol).Clear();
                        Col2Im(g, dcol + (long)i * g.OutputVolume, image, length);
                        var dxi = new Span<float>(dx + (long)i * cvol, cvol);
                        TensorPrimitives.Add(dxi, new ReadOnlySpan<float>(image, cvol), dxi);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }

    /// <summary>dst[k, i·ovol + o] = dy[n0 + i, k, o] for the chunk's images: the gradient laid out to match a chunk's columns.</summary>
    private static void GradientRowsSideBySide(in ConvGeometry g, float* dy, int n0, int count, float* dst)
    {
        int ovol = g.OutputVolume;
        long length = (long)count * ovol;
        for (int i = 0; i < count; i++)
            for (int k = 0; k < g.K; k++)
                CopyRow(dy + ((long)(n0 + i) * g.K + k) * ovol, dst + k * length + (long)i * ovol, ovol);
    }

    /// <summary>Items (image i, channel c): image i's rows of channel c into columns [i·ovol, (i+1)·ovol) of a (rows × length) matrix.</summary>
    private readonly struct BatchIm2ColBody(ConvGeometry g, float* x, float* col, long length) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int item = start; item < end; item++)
            {
                int i = item / g.C, c = item - i * g.C;
                Im2Col(g, x + (long)i * g.C * g.InputVolume, col + (long)i * g.OutputVolume, c, c + 1, length);
            }
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
    private static void Im2Col(in ConvGeometry g, float* x, float* col, int cStart, int cEnd, long rowStride = 0)
    {
        ConvAxis ad = g.Depth, ah = g.Height, aw = g.Width;
        int outD = ad.Output, outH = ah.Output, outW = aw.Output, plane = outH * outW;
        int inD = ad.Input, inH = ah.Input, inW = aw.Input;
        // Each (c, kd, kh, kw) row is outD·plane floats; rows follow each other at rowStride (default: packed).
        long stride = rowStride == 0 ? (long)outD * plane : rowStride;
        long skip = stride - (long)outD * plane;
        float* dst = col + (long)cStart * g.KernelVolume * stride;
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
                                    CopyRow(src, dst + w0, w1 - w0);
                                else
                                    for (int ow = w0, j = 0; ow < w1; ow++, j += aw.Stride) dst[ow] = src[j];
                                for (int ow = w1; ow < outW; ow++) dst[ow] = 0f;
                            }
                        }
                        dst += skip;
                    }
                }
            }
        }
    }

    /// <summary>dx[c, od·sd − pd + kd·dd, oh·sh − ph + kh·dh, ow·sw − pw + kw·dw] += dcol[(…kd, kh, kw row), (od, oh, ow column)] for the reads inside the input.</summary>
    // Rows of LeNet-sized layers are 10–28 floats: a library call per row (Memmove, TensorPrimitives) costs more than the
    // row itself, so short rows are copied and added with one Vector256 step and a scalar tail.
    private const int ShortRow = 32;

    private static void CopyRow(float* src, float* dst, int length)
    {
        if (length >= ShortRow)
        {
            new ReadOnlySpan<float>(src, length).CopyTo(new Span<float>(dst, length));
            return;
        }
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= length; i += 8) Vector256.Store(Vector256.Load(src + i), dst + i);
        for (; i < length; i++) dst[i] = src[i];
    }

    private static void AddRow(float* dst, float* src, int length)
    {
        if (length >= ShortRow)
        {
            var d = new Span<float>(dst, length);
            TensorPrimitives.Add(d, new ReadOnlySpan<float>(src, length), d);
            return;
        }
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= length; i += 8) Vector256.Store(Vector256.Load(dst + i) + Vector256.Load(src + i), dst + i);
        for (; i < length; i++) dst[i] += src[i];
    }

    private static void Col2Im(in ConvGeometry g, float* dcol, float* dx, long rowStride = 0)
    {
        ConvAxis ad = g.Depth, ah = g.Height, aw = g.Width;
        int outD = ad.Output, outH = ah.Output, outW = aw.Output, plane = outH * outW;
        int inD = ad.Input, inH = ah.Input, inW = aw.Input;
        // Rows of dcol follow each other at rowStride (default: packed, outD·plane).
        long skip = rowStride == 0 ? 0 : rowStride - (long)outD * plane;
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
                                    AddRow(dst, src + w0, w1 - w0);
                                }
                                else
                                {
                                    for (int ow = w0, j = 0; ow < w1; ow++, j += aw.Stride) dst[j] += src[ow];
                                }
                            }
                        }
                        src += skip;
                    }
                }
            }
        }
    }
}
