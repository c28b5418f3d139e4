// 2-D convolution (cross-correlation, as in every deep-learning framework) by im2col + GEMM.
//   x: (N, C, H, W)  w: (K, C, R, S)  b: (K)  y: (N, K, P, Q)
//   P = (H + 2·ph − R) / sh + 1      Q = (W + 2·pw − S) / sw + 1      (x is zero outside H×W)
//   Forward:         y[n,k,p,q]  = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   BackwardData:    dx[n,c,h,v] += Σ_{k,r,s,p,q : h = p·sh − ph + r, v = q·sw − pw + s} w[k,c,r,s] · dy[n,k,p,q]
//   BackwardWeights: dw[k,c,r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                    db[k]       += Σ_{n,p,q} dy[n,k,p,q]
//
// Per image, im2col lays the receptive fields out as col: (C·R·S, P·Q), so that
//   y_n = w · col_n   (K×CRS · CRS×PQ)      dcol_n = wᵀ · dy_n      dw += dy_n · col_nᵀ
// and col2im scatter-adds dcol_n back into dx_n. The column matrix lives in an ArrayPool
// workspace per thread; the kernels allocate nothing that outlives a call.
// Accumulation: the backwards form this call's gradient in full (dx_n in a zeroed scratch plane,
// dw and db in their own sums) and add it to the destination with one rounding per element, so
// two identical backward calls add exactly twice the gradient of one.
//
// Threading: images are independent, so a batch (N ≥ 2) is split across threads and each image
// runs a single-threaded GEMM: LeNet-size GEMMs (6×784×25, 16×100×150) are too small to split
// well, while whole images keep each thread's workspace in its own cache. A single image uses the
// threaded GEMM instead.
// Determinism: every y and dx element belongs to one image, and GEMM tiles never depend on the
// thread count. The weight gradient sums over images; per-image partials dw_n are computed in
// parallel and then summed in image order, G = ((dw_0 + dw_1) + dw_2) + …, which is bit for bit
// what a serial loop of GEMMs (beta = 0, then 1) computes, so neither the thread count nor the
// chunk size (bounded by a memory budget) changes a single bit.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Gemm;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>
/// Sizes of a 2-D convolution: input x (N, C, H, W), filters w (K, C, R, S), output y (N, K, P, Q),
/// with stride (StrideH, StrideW) and zero padding (PadH, PadW) on each side.
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Input channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="K">Output channels (filters).</param>
/// <param name="R">Filter height.</param>
/// <param name="S">Filter width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Zero rows added above and below.</param>
/// <param name="PadW">Zero columns added left and right.</param>
public readonly record struct Conv2dGeometry(int N, int C, int H, int W, int K, int R, int S,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0)
{
    /// <summary>Output height, (H + 2·PadH − R) / StrideH + 1.</summary>
    public int P => (H + 2 * PadH - R) / StrideH + 1;

    /// <summary>Output width, (W + 2·PadW − S) / StrideW + 1.</summary>
    public int Q => (W + 2 * PadW - S) / StrideW + 1;

    /// <summary>Elements of x: N·C·H·W.</summary>
    public long InputLength => (long)N * C * H * W;

    /// <summary>Elements of w: K·C·R·S.</summary>
    public long WeightLength => (long)K * C * R * S;

    /// <summary>Elements of y: N·K·P·Q.</summary>
    public long OutputLength => (long)N * K * P * Q;

    /// <summary>Throws unless the sizes describe a convolution with at least one output position.</summary>
    /// <exception cref="ArgumentException">A size is negative, a filter side or stride is not positive, a padding is negative, the filter is larger than the padded input, or the im2col workspace would not fit in an array.</exception>
    public void Validate()
    {
        if (N < 0 || C < 0 || H < 0 || W < 0 || K < 0)
            throw new ArgumentException($"Conv2d sizes must be non-negative: N={N}, C={C}, H={H}, W={W}, K={K}.");
        if (R < 1 || S < 1) throw new ArgumentException($"Conv2d filter must be at least 1×1, got {R}×{S}.");
        if (StrideH < 1 || StrideW < 1) throw new ArgumentException($"Conv2d stride must be positive, got ({StrideH}, {StrideW}).");
        if (PadH < 0 || PadW < 0) throw new ArgumentException($"Conv2d padding must be non-negative, got ({PadH}, {PadW}).");
        if (H + 2L * PadH < R || W + 2L * PadW < S)
            throw new ArgumentException($"Conv2d filter {R}×{S} is larger than the padded input {H + 2L * PadH}×{W + 2L * PadW}.");
        if ((long)C * R * S * P * Q > Array.MaxLength)
            throw new ArgumentException($"Conv2d im2col workspace of {(long)C * R * S}×{(long)P * Q} does not fit in an array.");
    }
}

/// <summary>2-D convolution by im2col + GEMM: forward, data gradient and weight/bias gradients.</summary>
public static unsafe class Conv2dKernel
{
    // Largest weight-gradient partial buffer (floats) kept for one chunk of images: 4 MiB keeps
    // a LeNet batch in one chunk while bounding memory for wide layers (which fall back to one
    // image at a time and a threaded GEMM, with bit-identical results).
    private const long PartialBudget = 1L << 20;

    /// <summary>
    /// y[n,k,p,q] = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s] (shapes in the file header).
    /// <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Filters (K, C, R, S).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor (or bias is neither empty nor K long).</exception>
    public static void Forward(Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(w.Length, g.WeightLength, nameof(w));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        if (!bias.IsEmpty && bias.Length != g.K)
            throw new ArgumentException($"bias holds {bias.Length} values, needs 0 or K = {g.K}.", nameof(bias));
        if (g.N == 0 || g.K == 0) return;
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            RunPerImage(g.N, threads, new ForwardBody(g, px, pw, bias.IsEmpty ? null : pb, py));
        }
    }

    /// <summary>
    /// dx[n,c,h,v] += Σ w[k,c,r,s] · dy[n,k,p,q] over the (k, r, s, p, q) with h = p·sh − ph + r and v = q·sw − pw + s.
    /// The sum is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Sizes, stride and padding of the forward convolution.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Filters (K, C, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void BackwardData(Conv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads)
    {
        g.Validate();
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        CheckLength(w.Length, g.WeightLength, nameof(w));
        CheckLength(dx.Length, g.InputLength, nameof(dx));
        if (g.N == 0 || g.C == 0 || g.K == 0) return;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            RunPerImage(g.N, threads, new BackwardDataBody(g, pdy, pw, pdx));
        }
    }

    /// <summary>
    /// dw[k,c,r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s] and db[k] += Σ_{n,p,q} dy[n,k,p,q].
    /// Each sum is formed first and added to its destination once. Either destination may be empty to skip it.
    /// </summary>
    /// <param name="g">Sizes, stride and padding of the forward convolution.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Filter gradient (K, C, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor (or db is neither empty nor K long).</exception>
    public static void BackwardWeights(Conv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        if (!dw.IsEmpty) CheckLength(dw.Length, g.WeightLength, nameof(dw));
        if (!db.IsEmpty && db.Length != g.K)
            throw new ArgumentException($"db holds {db.Length} values, needs 0 or K = {g.K}.", nameof(db));

        int pq = g.P * g.Q;
        if (!db.IsEmpty)
        {
            // db[k] += (Σ dy[0,k] + Σ dy[1,k]) + …: a fixed order, independent of threads.
            for (int k = 0; k < g.K; k++)
            {
                float sum = 0f;
                for (int n = 0; n < g.N; n++) sum += TensorPrimitives.Sum(dy.Slice((n * g.K + k) * pq, pq));
                db[k] += sum;
            }
        }
        if (dw.IsEmpty || g.N == 0 || g.WeightLength == 0) return;

        int perImage = g.K * g.C * g.R * g.S;
        int chunk = (int)Math.Min(g.N, Math.Max(1, PartialBudget / perImage));
        float[] total = ArrayPool<float>.Shared.Rent(perImage);
        try
        {
            fixed (float* px = x, pdy = dy, ptotal = total)
            {
                if (threads <= 1 || chunk < 2)
                    WeightsOneImageAtATime(g, px, pdy, new Span<float>(ptotal, perImage), threads);
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

    /// <summary>G = Σ_n dy_n · col_nᵀ, one image at a time (beta = 0, then 1), the GEMM threaded over its tiles.</summary>
    private static void WeightsOneImageAtATime(in Conv2dGeometry g, float* x, float* dy, Span<float> total, int threads)
    {
        int crs = g.C * g.R * g.S, pq = g.P * g.Q;
        float[] col = ArrayPool<float>.Shared.Rent(crs * pq);
        try
        {
            fixed (float* pcol = col)
            {
                for (int n = 0; n < g.N; n++)
                {
                    Im2Col(g, x + (long)n * g.C * g.H * g.W, pcol);
                    GemmKernel.Gemm(false, true, g.K, crs, pq, 1f, new ReadOnlySpan<float>(dy + (long)n * g.K * pq, g.K * pq),
                        new ReadOnlySpan<float>(pcol, crs * pq), n == 0 ? 0f : 1f, total, threads);
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(col);
        }
    }

    /// <summary>G = Σ_n dy_n · col_nᵀ: chunks of images compute their partials in parallel, then the partials are summed in image order.</summary>
    private static void WeightsByPartials(in Conv2dGeometry g, float* x, float* dy, float* total, int chunk, int threads)
    {
        int perImage = g.K * g.C * g.R * g.S;
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

    /// <summary>Splits images across threads (each GEMM single-threaded), or runs one image with a threaded GEMM.</summary>
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

    private readonly struct ForwardBody(Conv2dGeometry g, float* x, float* w, float* bias, float* y) : IImageBody
    {
        public int WorkspaceLength => g.C * g.R * g.S * g.P * g.Q;

        public void Run(int n, float* col, int gemmThreads)
        {
            int crs = g.C * g.R * g.S, pq = g.P * g.Q;
            Im2Col(g, x + (long)n * g.C * g.H * g.W, col);
            var yn = new Span<float>(y + (long)n * g.K * pq, g.K * pq);
            // Bias epilogue: rows start at b[k] and the GEMM adds w·col onto them (beta = 1).
            if (bias != null)
                for (int k = 0; k < g.K; k++) yn.Slice(k * pq, pq).Fill(bias[k]);
            GemmKernel.Gemm(false, false, g.K, pq, crs, 1f, new ReadOnlySpan<float>(w, g.K * crs),
                new ReadOnlySpan<float>(col, crs * pq), bias != null ? 1f : 0f, yn, gemmThreads);
        }
    }

    private readonly struct BackwardDataBody(Conv2dGeometry g, float* dy, float* w, float* dx) : IImageBody
    {
        // dcol (C·R·S × P·Q), then the image's gradient (C × H × W) before it is added to dx.
        public int WorkspaceLength => g.C * g.R * g.S * g.P * g.Q + g.C * g.H * g.W;

        public void Run(int n, float* workspace, int gemmThreads)
        {
            int crs = g.C * g.R * g.S, pq = g.P * g.Q, chw = g.C * g.H * g.W;
            float* dcol = workspace, image = workspace + (long)crs * pq;
            // dcol = wᵀ · dy_n, then scatter-add each column entry back to the pixel it was read from.
            GemmKernel.Gemm(true, false, crs, pq, g.K, 1f, new ReadOnlySpan<float>(w, g.K * crs),
                new ReadOnlySpan<float>(dy + (long)n * g.K * pq, g.K * pq), 0f, new Span<float>(dcol, crs * pq), gemmThreads);
            new Span<float>(image, chw).Clear();
            Col2Im(g, dcol, image);
            var dxn = new Span<float>(dx + (long)n * chw, chw);
            TensorPrimitives.Add(dxn, new ReadOnlySpan<float>(image, chw), dxn);
        }
    }

    private readonly struct WeightPartialBody(Conv2dGeometry g, float* x, float* dy, float* partials, int n0) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int crs = g.C * g.R * g.S, pq = g.P * g.Q, perImage = g.K * crs;
            float[] col = ArrayPool<float>.Shared.Rent(crs * pq);
            try
            {
                fixed (float* pcol = col)
                {
                    for (int i = start; i < end; i++)
                    {
                        int n = n0 + i;
                        Im2Col(g, x + (long)n * g.C * g.H * g.W, pcol);
                        // dw_n = dy_n · col_nᵀ  (K×PQ · PQ×CRS), overwriting partial slot i.
                        GemmKernel.Gemm(false, true, g.K, crs, pq, 1f, new ReadOnlySpan<float>(dy + (long)n * g.K * pq, g.K * pq),
                            new ReadOnlySpan<float>(pcol, crs * pq), 0f, new Span<float>(partials + (long)i * perImage, perImage), 1);
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
            // Image order, one rounding per image: identical to GEMMs with beta = 0 for image 0, then 1.
            if (first) new ReadOnlySpan<float>(partials + start, end - start).CopyTo(dst);
            for (int i = first ? 1 : 0; i < count; i++)
                TensorPrimitives.Add(dst, new ReadOnlySpan<float>(partials + (long)i * perImage + start, end - start), dst);
        }
    }

    /// <summary>The output columns q whose tap s lands inside the input row: 0 ≤ q·sw − pw + s &lt; W.</summary>
    private static (int Q0, int Q1) ValidColumns(in Conv2dGeometry g, int s)
    {
        int lead = g.PadW - s; // q·sw ≥ lead
        int q0 = lead <= 0 ? 0 : Math.Min(g.Q, (lead + g.StrideW - 1) / g.StrideW);
        int last = g.W - 1 + g.PadW - s; // q·sw ≤ last
        int q1 = last < 0 ? 0 : Math.Min(g.Q, last / g.StrideW + 1);
        return (q0, Math.Max(q0, q1));
    }

    /// <summary>col[(c·R + r)·S + s, p·Q + q] = x[c, p·sh − ph + r, q·sw − pw + s], zero outside the image.</summary>
    private static void Im2Col(in Conv2dGeometry g, float* x, float* col)
    {
        int bigP = g.P, bigQ = g.Q;
        float* dst = col;
        for (int c = 0; c < g.C; c++)
        {
            for (int r = 0; r < g.R; r++)
            {
                for (int s = 0; s < g.S; s++)
                {
                    var (q0, q1) = ValidColumns(g, s);
                    int iw0 = q0 * g.StrideW - g.PadW + s;
                    for (int p = 0; p < bigP; p++, dst += bigQ)
                    {
                        int ih = p * g.StrideH - g.PadH + r;
                        if ((uint)ih >= (uint)g.H)
                        {
                            new Span<float>(dst, bigQ).Clear();
                            continue;
                        }
                        float* src = x + ((long)c * g.H + ih) * g.W + iw0;
                        for (int q = 0; q < q0; q++) dst[q] = 0f;
                        if (g.StrideW == 1)
                            new ReadOnlySpan<float>(src, q1 - q0).CopyTo(new Span<float>(dst + q0, q1 - q0));
                        else
                            for (int q = q0, j = 0; q < q1; q++, j += g.StrideW) dst[q] = src[j];
                        for (int q = q1; q < bigQ; q++) dst[q] = 0f;
                    }
                }
            }
        }
    }

    /// <summary>dx[c, p·sh − ph + r, q·sw − pw + s] += dcol[(c·R + r)·S + s, p·Q + q] for the taps inside the image.</summary>
    private static void Col2Im(in Conv2dGeometry g, float* dcol, float* dx)
    {
        int bigP = g.P, bigQ = g.Q;
        float* src = dcol;
        for (int c = 0; c < g.C; c++)
        {
            for (int r = 0; r < g.R; r++)
            {
                for (int s = 0; s < g.S; s++)
                {
                    var (q0, q1) = ValidColumns(g, s);
                    int iw0 = q0 * g.StrideW - g.PadW + s;
                    for (int p = 0; p < bigP; p++, src += bigQ)
                    {
                        int ih = p * g.StrideH - g.PadH + r;
                        if ((uint)ih >= (uint)g.H || q1 == q0) continue;
                        float* dst = dx + ((long)c * g.H + ih) * g.W + iw0;
                        if (g.StrideW == 1)
                        {
                            var d = new Span<float>(dst, q1 - q0);
                            TensorPrimitives.Add(d, new ReadOnlySpan<float>(src + q0, q1 - q0), d);
                        }
                        else
                        {
                            for (int q = q0, j = 0; q < q1; q++, j += g.StrideW) dst[j] += src[q];
                        }
                    }
                }
            }
        }
    }
}
