// FFT convolution by the convolution theorem, f ⋆ g = F⁻¹{ F{f} · conj(F{g}) } (cross-correlation form),
// with Striate's own FFT (Fft/FftPlan.cs), for stride-1 1-D/2-D convolutions with large kernels.
//   x: (N, C, H, W)  w: (K, C/G, R, S)  b: (K)  y: (N, K, P, Q)   (ConvGeometry without a depth axis)
//   Planes are zero-padded to Hf × Wf = good FFT sizes ≥ (P + dh·(R − 1)) × (Q + dw·(S − 1)), so every window
//   of the correlation fits without wrapping around:
//     X[n,c] = F2(x[n,c] shifted by the padding)     Wk[c] = F2(w[k,c] with dilation holes)
//     Forward:         y[n,k] = b[k] + F2⁻¹( Σ_{c ∈ group(k)} X[n,c] · conj(Wk[c]) ) restricted to P × Q
//     BackwardData:    the forward of dy, padded by dilation·(kernel − 1) − padding, with the flipped, transposed filters
//     BackwardWeights: dw[k,c,r,s] += F2⁻¹( Σ_n X[n,c] · conj(DY[n,k]) )[r·dh, s·dw]    db[k] += Σ_{n,p,q} dy[n,k,p,q]
// Cost: (N·C + K·C + N·K) two-dimensional FFTs of Hf·Wf points (O(Hf·Wf·log(Hf·Wf)) each) plus N·K·C/G
// complex multiply-adds per frequency, against N·K·C/G·P·Q·R·S multiply-adds directly: FFT wins when R·S is
// large (9×9 and up) and the channel products dominate the transforms.
// Threading: the input spectra are split over (image, channel) planes; the outputs over output channels
// k (each k transforms its own filters, then every image's output plane, summing channels in order).
// Every output element belongs to one item and is summed in a fixed order: bit-identical for any thread count.
// Numerics: the FFT spreads rounding over the whole plane: |error| ≲ c·u·log2(Hf·Wf)·C/G·max|x|·Σ|w| for every
// output (not in proportion to that output's own terms), so near-cancelling outputs carry the error of
// the largest. The tests bound it by the tensor's largest Σ|terms| (docs/kernels/convolution-algorithms.md).
using System.Buffers;
using System.Runtime.Intrinsics;
using Striate.Kernels.Fft;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>FFT (convolution-theorem) convolution for stride-1 1-D/2-D convolutions: forward, data gradient, weight/bias gradients.</summary>
public static unsafe class FftConvKernel
{
    /// <summary>Whether the FFT kernels handle <paramref name="g"/>: a 1-D or 2-D convolution with stride 1 (any dilation, padding, groups).</summary>
    /// <param name="g">The convolution.</param>
    public static bool IsApplicable(in ConvGeometry g) => ConvSupport.IsPlanar(g) && g.Height.Stride == 1 && g.Width.Stride == 1;

    /// <summary>
    /// y[n,k,p,q] = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, c0(k) + c', p − ph + r·dh, q − pw + s·dw] by FFT (file header), then the
    /// epilogue. <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, dilation, padding and groups; stride 1, no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Filters (K, C/G, R, S).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <param name="epilogue">ReLU applied to each finished output, or none.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one the FFT kernels do not handle (<c>g</c>), a span shorter than its tensor, or a bias neither empty nor K long.</exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, int threads, ConvEpilogue epilogue = ConvEpilogue.None)
    {
        ConvSupport.CheckForward(g, x.Length, w.Length, bias.Length, y.Length);
        Check(g);
        if (g.N == 0 || g.K == 0) return;
        if (g.C == 0)
        {
            ConvSupport.FillBias(g, bias, y, epilogue);
            return;
        }
        var plan = Plan.Create(g.N, g.C, g.K, g.Groups, g.Height, g.Width, g.Height.Input, g.Width.Input, g.Height.Output, g.Width.Output,
            g.Height.PadBefore, g.Width.PadBefore);
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            Convolve(plan, px, pw, bias.IsEmpty ? null : pb, py, epilogue == ConvEpilogue.Relu, accumulate: false, threads);
        }
    }

    /// <summary>
    /// dx[n,c,h,v] += Σ w[k, c − c0(k), r, s] · dy[n,k,p,q] over the (k, r, s, p, q) with h = p − ph + r·dh, v = q − pw + s·dw,
    /// as the FFT forward of dy with the flipped, transposed filters. Each element's sum is formed first and added once.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; stride 1, no depth axis.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Filters (K, C/G, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one the FFT kernels do not handle (<c>g</c>), or a span shorter than its tensor.</exception>
    public static void BackwardData(ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int threads)
    {
        ConvSupport.CheckBackwardData(g, dy.Length, w.Length, dx.Length);
        Check(g);
        if (g.N == 0 || g.C == 0 || g.K == 0 || g.InputVolume == 0) return;
        ConvAxis ah = g.Height, aw = g.Width;
        var plan = Plan.Create(g.N, g.K, g.C, g.Groups, ah, aw, ah.Output, aw.Output, ah.Input, aw.Input,
            ah.Dilation * (ah.Kernel - 1) - ah.PadBefore, aw.Dilation * (aw.Kernel - 1) - aw.PadBefore);
        float[] flipped = ArrayPool<float>.Shared.Rent((int)g.WeightLength);
        try
        {
            fixed (float* pdy = dy, pw = w, pdx = dx, pwt = flipped)
            {
                ConvSupport.FlipTranspose(g, pw, pwt);
                Convolve(plan, pdy, pwt, null, pdx, relu: false, accumulate: true, threads);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(flipped);
        }
    }

    /// <summary>
    /// dw[k,c',r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c0(k) + c', p − ph + r·dh, q − pw + s·dw] by FFT correlation, and
    /// db[k] += Σ_{n,p,q} dy[n,k,p,q]. Each sum is formed first and added once; either destination may be empty.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; stride 1, no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Filter gradient (K, C/G, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one the FFT kernels do not handle (<c>g</c>), a span shorter than its tensor, or a db neither empty nor K long.</exception>
    public static void BackwardWeights(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> db, int threads)
    {
        ConvSupport.CheckBackwardWeights(g, x.Length, dy.Length, dw.Length, db.Length);
        Check(g);
        if (!db.IsEmpty) ConvNdKernel.BiasGradient(g.N, g.K, g.OutputVolume, dy[..(int)g.OutputLength], db);
        if (dw.IsEmpty || g.K == 0 || g.C == 0 || g.N == 0) return;
        var plan = Plan.Create(g.N, g.C, g.K, g.Groups, g.Height, g.Width, g.Height.Input, g.Width.Input, g.Height.Output, g.Width.Output,
            g.Height.PadBefore, g.Width.PadBefore);
        long f = plan.Frequencies;
        float[] spectra = ArrayPool<float>.Shared.Rent((int)(2 * plan.N * plan.Cin * f));
        try
        {
            fixed (float* px = x, pdy = dy, pdw = dw, ps = spectra)
            {
                ParallelFor.Run(plan.N * plan.Cin, threads, new InputSpectraBody(plan, px, ps));
                ParallelFor.Run(plan.Kout, threads, new WeightBody(plan, ps, pdy, pdw));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(spectra);
        }
    }

    private static void Check(in ConvGeometry g)
    {
        if (!IsApplicable(g))
            throw new ArgumentException($"FFT convolution needs stride 1 and no depth axis; got {g}.", nameof(g));
    }

    /// <summary>
    /// One FFT convolution: Cin input planes of H × W per image, Kout output planes of P × Q, an R × S kernel with dilation,
    /// input element (i, j) at padded position (i + Top, j + Left); planes transformed at Hf × Wf.
    /// </summary>
    private readonly record struct Plan(int N, int Cin, int Kout, int Groups, int R, int S, int Dh, int Dw, int H, int W, int P, int Q,
        int Top, int Left, FftPlan Rows, FftPlan Columns)
    {
        public int Hf => Columns.Length;

        public int Wf => Rows.Length;

        public long Frequencies => (long)Hf * Wf;

        public int CPerGroup => Cin / Groups;

        public int KPerGroup => Kout / Groups;

        /// <summary>Floats of one thread's FFT workspace: two columns of Hf plus the FFT's 2·max(Hf, Wf).</summary>
        public int Workspace => 2 * Hf + 2 * Math.Max(Hf, Wf);

        public static Plan Create(int n, int cin, int kout, int groups, ConvAxis height, ConvAxis width, int h, int w, int p, int q, int top, int left)
        {
            int hf = FftPlan.GoodSize(p + height.Dilation * (height.Kernel - 1));
            int wf = FftPlan.GoodSize(q + width.Dilation * (width.Kernel - 1));
            return new Plan(n, cin, kout, groups, height.Kernel, width.Kernel, height.Dilation, width.Dilation, h, w, p, q, top, left,
                new FftPlan(wf), new FftPlan(hf));
        }
    }

    /// <summary>The forward on prepared pointers: input spectra, then one item per output channel.</summary>
    private static void Convolve(in Plan plan, float* x, float* w, float* bias, float* y, bool relu, bool accumulate, int threads)
    {
        long f = plan.Frequencies;
        float[] spectra = ArrayPool<float>.Shared.Rent((int)(2 * plan.N * plan.Cin * f));
        try
        {
            fixed (float* ps = spectra)
            {
                ParallelFor.Run(plan.N * plan.Cin, threads, new InputSpectraBody(plan, x, ps));
                ParallelFor.Run(plan.Kout, threads, new OutputBody(plan, ps, w, bias, y, relu, accumulate));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(spectra);
        }
    }

    /// <summary>
    /// Spectrum of plane i (re at 2·i·F, im at 2·i·F + F): the H × W source placed at (top, left) of a zero Hf × Wf plane
    /// (cropped where the offset is negative), transformed in 2-D.
    /// </summary>
    private readonly struct InputSpectraBody(Plan plan, float* x, float* spectra) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            float[] ws = ArrayPool<float>.Shared.Rent(plan.Workspace);
            try
            {
                fixed (float* pws = ws)
                {
                    long f = plan.Frequencies;
                    for (int i = start; i < end; i++)
                    {
                        float* re = spectra + 2 * i * f, im = re + f;
                        Place(plan, x + (long)i * plan.H * plan.W, plan.H, plan.W, plan.Top, plan.Left, 1, 1, re);
                        new Span<float>(im, (int)f).Clear();
                        Forward2d(plan, re, im, pws);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(ws);
            }
        }
    }

    /// <summary>One item per output channel k: its filters' spectra, then y[n,k] for every image.</summary>
    private readonly struct OutputBody(Plan plan, float* spectra, float* w, float* bias, float* y, bool relu, bool accumulate) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            long f = plan.Frequencies;
            int cg = plan.CPerGroup, taps = plan.R * plan.S, pq = plan.P * plan.Q;
            float[] filters = ArrayPool<float>.Shared.Rent((int)(2 * cg * f));
            float[] sum = ArrayPool<float>.Shared.Rent((int)(2 * f));
            float[] ws = ArrayPool<float>.Shared.Rent(plan.Workspace);
            try
            {
                fixed (float* pf = filters, ps = sum, pws = ws)
                {
                    for (int k = start; k < end; k++)
                    {
                        int c0 = k / plan.KPerGroup * cg;
                        for (int c = 0; c < cg; c++)
                        {
                            float* re = pf + 2 * c * f, im = re + f;
                            Place(plan, w + ((long)k * cg + c) * taps, plan.R, plan.S, 0, 0, plan.Dh, plan.Dw, re);
                            new Span<float>(im, (int)f).Clear();
                            Forward2d(plan, re, im, pws);
                        }
                        float b = bias == null ? 0f : bias[k];
                        for (int n = 0; n < plan.N; n++)
                        {
                            float* sr = ps, si = ps + f;
                            new Span<float>(sr, (int)(2 * f)).Clear();
                            for (int c = 0; c < cg; c++)
                            {
                                float* xs = spectra + 2 * ((long)n * plan.Cin + c0 + c) * f;
                                MultiplyConjugateAdd(xs, xs + f, pf + 2 * c * f, pf + 2 * c * f + f, sr, si, f);
                            }
                            Inverse2d(plan, sr, si, plan.P, pws);
                            float* dst = y + ((long)n * plan.Kout + k) * pq;
                            for (int p = 0; p < plan.P; p++)
                            {
                                float* src = sr + (long)p * plan.Wf;
                                float* row = dst + (long)p * plan.Q;
                                for (int q = 0; q < plan.Q; q++)
                                {
                                    if (accumulate)
                                    {
                                        row[q] += src[q];
                                    }
                                    else
                                    {
                                        float v = b + src[q];
                                        row[q] = relu ? ConvSupport.Relu(v) : v;
                                    }
                                }
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(ws);
                ArrayPool<float>.Shared.Return(sum);
                ArrayPool<float>.Shared.Return(filters);
            }
        }
    }

    /// <summary>One item per output channel k: DY[n,k] for every image, then each filter's gradient from Σ_n X · conj(DY).</summary>
    private readonly struct WeightBody(Plan plan, float* spectra, float* dy, float* dw) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            long f = plan.Frequencies;
            int cg = plan.CPerGroup, taps = plan.R * plan.S;
            float[] grads = ArrayPool<float>.Shared.Rent((int)(2 * plan.N * f));
            float[] sum = ArrayPool<float>.Shared.Rent((int)(2 * f));
            float[] ws = ArrayPool<float>.Shared.Rent(plan.Workspace);
            try
            {
                fixed (float* pg = grads, ps = sum, pws = ws)
                {
                    for (int k = start; k < end; k++)
                    {
                        int c0 = k / plan.KPerGroup * cg;
                        for (int n = 0; n < plan.N; n++)
                        {
                            float* re = pg + 2 * n * f, im = re + f;
                            Place(plan, dy + ((long)n * plan.Kout + k) * plan.P * plan.Q, plan.P, plan.Q, 0, 0, 1, 1, re);
                            new Span<float>(im, (int)f).Clear();
                            Forward2d(plan, re, im, pws);
                        }
                        for (int c = 0; c < cg; c++)
                        {
                            float* sr = ps, si = ps + f;
                            new Span<float>(sr, (int)(2 * f)).Clear();
                            for (int n = 0; n < plan.N; n++)
                            {
                                float* xs = spectra + 2 * ((long)n * plan.Cin + c0 + c) * f;
                                MultiplyConjugateAdd(xs, xs + f, pg + 2 * n * f, pg + 2 * n * f + f, sr, si, f);
                            }
                            // Only the columns and rows at the dilated taps are needed: invert columns, then the R tap rows.
                            InverseColumns(plan, sr, si, pws);
                            float* dst = dw + ((long)k * cg + c) * taps;
                            for (int r = 0; r < plan.R; r++)
                            {
                                float* rowRe = sr + (long)r * plan.Dh * plan.Wf, rowIm = si + (long)r * plan.Dh * plan.Wf;
                                plan.Rows.Inverse(new Span<float>(rowRe, plan.Wf), new Span<float>(rowIm, plan.Wf), new Span<float>(pws, 2 * plan.Wf));
                                for (int s = 0; s < plan.S; s++) dst[r * plan.S + s] += rowRe[s * plan.Dw];
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(ws);
                ArrayPool<float>.Shared.Return(sum);
                ArrayPool<float>.Shared.Return(grads);
            }
        }
    }

    /// <summary>
    /// dst (Hf × Wf) = 0 except dst[top + i·uh, left + j·uw] = src[i, j] for the source elements that land inside the plane.
    /// </summary>
    private static void Place(in Plan plan, float* src, int h, int w, int top, int left, int uh, int uw, float* dst)
    {
        new Span<float>(dst, (int)plan.Frequencies).Clear();
        for (int i = 0; i < h; i++)
        {
            int row = top + i * uh;
            if ((uint)row >= (uint)plan.Hf) continue;
            float* d = dst + (long)row * plan.Wf;
            for (int j = 0; j < w; j++)
            {
                int col = left + j * uw;
                if ((uint)col < (uint)plan.Wf) d[col] = src[(long)i * w + j];
            }
        }
    }

    /// <summary>(sr, si) += (xr + i·xi) · conj(wr + i·wi) elementwise over f frequencies.</summary>
    private static void MultiplyConjugateAdd(float* xr, float* xi, float* wr, float* wi, float* sr, float* si, long f)
    {
        long i = 0;
        for (; i + 8 <= f; i += 8)
        {
            var a = Vector256.Load(xr + i);
            var b = Vector256.Load(xi + i);
            var c = Vector256.Load(wr + i);
            var d = Vector256.Load(wi + i);
            // (a + ib)(c − id) = (ac + bd) + i(bc − ad)
            Vector256.MultiplyAddEstimate(a, c, Vector256.MultiplyAddEstimate(b, d, Vector256.Load(sr + i))).Store(sr + i);
            Vector256.MultiplyAddEstimate(b, c, Vector256.Load(si + i) - a * d).Store(si + i);
        }
        for (; i < f; i++)
        {
            sr[i] = MathF.FusedMultiplyAdd(xr[i], wr[i], MathF.FusedMultiplyAdd(xi[i], wi[i], sr[i]));
            si[i] = MathF.FusedMultiplyAdd(xi[i], wr[i], si[i] - xr[i] * wi[i]);
        }
    }

    /// <summary>2-D forward FFT in place: every row (length Wf), then every column (length Hf).</summary>
    private static void Forward2d(in Plan plan, float* re, float* im, float* ws)
    {
        int hf = plan.Hf, wf = plan.Wf;
        for (int i = 0; i < hf; i++)
            plan.Rows.Forward(new Span<float>(re + (long)i * wf, wf), new Span<float>(im + (long)i * wf, wf), new Span<float>(ws, 2 * wf));
        Columns(plan, re, im, ws, inverse: false);
    }

    /// <summary>2-D inverse FFT in place for the first <paramref name="rows"/> rows of the result: every column, then those rows.</summary>
    private static void Inverse2d(in Plan plan, float* re, float* im, int rows, float* ws)
    {
        int wf = plan.Wf;
        InverseColumns(plan, re, im, ws);
        for (int i = 0; i < rows; i++)
            plan.Rows.Inverse(new Span<float>(re + (long)i * wf, wf), new Span<float>(im + (long)i * wf, wf), new Span<float>(ws, 2 * wf));
    }

    private static void InverseColumns(in Plan plan, float* re, float* im, float* ws) => Columns(plan, re, im, ws, inverse: true);

    /// <summary>The length-Hf transform of every column, through a contiguous copy of the column.</summary>
    private static void Columns(in Plan plan, float* re, float* im, float* ws, bool inverse)
    {
        int hf = plan.Hf, wf = plan.Wf;
        float* cr = ws, ci = ws + hf, scratch = ws + 2 * hf;
        var colRe = new Span<float>(cr, hf);
        var colIm = new Span<float>(ci, hf);
        var work = new Span<float>(scratch, 2 * hf);
        for (int j = 0; j < wf; j++)
        {
            for (int i = 0; i < hf; i++)
            {
                cr[i] = re[(long)i * wf + j];
                ci[i] = im[(long)i * wf + j];
            }
            if (inverse) plan.Columns.Inverse(colRe, colIm, work);
            else plan.Columns.Forward(colRe, colIm, work);
            for (int i = 0; i < hf; i++)
            {
                re[(long)i * wf + j] = cr[i];
                im[(long)i * wf + j] = ci[i];
            }
        }
    }
}
