// Separable filters: a rank-1 R×S filter w = u·vᵀ (u: R, v: S) is a vertical R×1 filter followed by a
// horizontal 1×S one, so by associativity I ⋆ (u·vᵀ) = (I ⋆ u) ⋆ vᵀ costs R + S multiply-adds per output
// instead of R·S: O(w·d) instead of O(w^d) (Gaussian, box, Sobel and Scharr filters are separable).
//   x: (N, C, H, W)  w: (K, C/G, R, S) with every slice w[k,c'] = u[k,c']·v[k,c']ᵀ  b: (K)  y: (N, K, P, Q)
//   Forward:  t[p, j]  = Σ_r u[k,c',r] · x_padded[c0(k) + c', p·sh + r·dh, j]           (vertical pass, every padded column j)
//             y[n,k,p,q] = b[k] + Σ_{c'} Σ_s v[k,c',s] · t[p, q·sw + s·dw]             (horizontal pass)
//   BackwardData: the flipped, transposed filters of a separable filter are separable, so the data gradient is
//     the same two passes over dy, upsampled by the stride and padded (as in DirectConvKernel).
//   BackwardWeights: the gradient of an R×S filter is not rank-1 in general; it runs DirectConvKernel.
// Detection (TryDecompose): pivot on the largest |w[i*, j*]|, take u = w[·, j*] and v = w[i*, ·]/w[i*, j*],
// and accept when max|w − u·vᵀ| ≤ tolerance·max|w|: exact for a rank-1 matrix (up to rounding), and a
// rank test with tolerance for the others. The default tolerance 1e-5 is about 80 float32 ulps of the
// largest tap: a filter built in float32 as an outer product passes, a genuinely 2-D filter (rank ≥ 2,
// whose residual is at least its second singular value) fails.
// Layout and threading as DirectConvKernel: a zero-padded, stride-phase-split copy of the input, so both
// passes are plain vector loads; one item per (image, output channel), each output element summed over
// channels in a fixed order: bit-identical for any thread count.
using System.Buffers;
using System.Runtime.Intrinsics;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>Separable-filter convolution (R×1 then 1×S) for 1-D/2-D convolutions whose filters are all rank 1.</summary>
public static unsafe class SeparableConvKernel
{
    /// <summary>Default relative tolerance of <see cref="TryDecompose"/>: max|w − u·vᵀ| ≤ 1e-5·max|w|.</summary>
    public const float DefaultTolerance = 1e-5f;

    /// <summary>Whether the geometry suits the separable kernels: a 1-D or 2-D convolution (the filters must also be rank 1).</summary>
    /// <param name="g">The convolution.</param>
    public static bool IsApplicable(in ConvGeometry g) => ConvSupport.IsPlanar(g);

    /// <summary>
    /// Splits an R×S filter into a column u (R) and a row v (S) with w[r,s] ≈ u[r]·v[s], when it is rank 1:
    /// pivot (i*, j*) = argmax |w|, u = w[·, j*], v = w[i*, ·] / w[i*, j*], accepted when max|w − u·vᵀ| ≤ tolerance·max|w|.
    /// An all-zero filter is separable (u = v = 0).
    /// </summary>
    /// <param name="kernel">The filter, R·S values row-major.</param>
    /// <param name="r">Rows R.</param>
    /// <param name="s">Columns S.</param>
    /// <param name="column">u: R values, overwritten.</param>
    /// <param name="row">v: S values, overwritten.</param>
    /// <param name="tolerance">Largest accepted residual relative to max|w|, non-negative.</param>
    /// <returns>True when the filter is rank 1 within the tolerance (u and v then hold its factors).</returns>
    /// <exception cref="ArgumentException">R or S is not positive, a span has the wrong length, or the tolerance is negative or NaN.</exception>
    public static bool TryDecompose(ReadOnlySpan<float> kernel, int r, int s, Span<float> column, Span<float> row, float tolerance = DefaultTolerance)
    {
        if (r < 1 || s < 1) throw new ArgumentException($"Filter sides must be positive, got {r}×{s}.", nameof(r));
        if (kernel.Length != r * s) throw new ArgumentException($"kernel holds {kernel.Length} values, needs R·S = {r * s}.", nameof(kernel));
        if (column.Length != r) throw new ArgumentException($"column holds {column.Length} values, needs R = {r}.", nameof(column));
        if (row.Length != s) throw new ArgumentException($"row holds {row.Length} values, needs S = {s}.", nameof(row));
        if (!(tolerance >= 0)) throw new ArgumentException($"tolerance must be non-negative, got {tolerance}.", nameof(tolerance));
        int pivot = 0;
        for (int i = 1; i < kernel.Length; i++)
            if (Math.Abs(kernel[i]) > Math.Abs(kernel[pivot])) pivot = i;
        float largest = Math.Abs(kernel[pivot]);
        if (float.IsNaN(largest) || float.IsInfinity(largest)) return false;
        if (largest == 0)
        {
            column.Clear();
            row.Clear();
            return true;
        }
        int pi = pivot / s, pj = pivot % s;
        for (int i = 0; i < r; i++) column[i] = kernel[i * s + pj];
        for (int j = 0; j < s; j++) row[j] = kernel[pi * s + j] / kernel[pivot];
        double bound = (double)tolerance * largest;
        for (int i = 0; i < r; i++)
            for (int j = 0; j < s; j++)
                if (!(Math.Abs(kernel[i * s + j] - (double)column[i] * row[j]) <= bound)) return false;
        return true;
    }

    /// <summary>Whether every filter slice w[k,c'] of <paramref name="g"/> is rank 1 within <paramref name="tolerance"/>.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="w">Filters (K, C/G, R, S).</param>
    /// <param name="tolerance">Relative tolerance of <see cref="TryDecompose"/>.</param>
    /// <returns>True when the geometry is applicable and every slice is separable.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is shorter than the filters.</exception>
    public static bool IsSeparable(in ConvGeometry g, ReadOnlySpan<float> w, float tolerance = DefaultTolerance)
    {
        ConvSupport.CheckLength(w.Length, g.WeightLength, nameof(w));
        if (!IsApplicable(g)) return false;
        int r = g.Height.Kernel, s = g.Width.Kernel, taps = r * s;
        Span<float> u = r <= 256 ? stackalloc float[r] : new float[r];
        Span<float> v = s <= 256 ? stackalloc float[s] : new float[s];
        for (long i = 0; i < g.WeightLength / Math.Max(taps, 1); i++)
            if (!TryDecompose(w.Slice((int)(i * taps), taps), r, s, u, v, tolerance)) return false;
        return true;
    }

    /// <summary>
    /// y[n,k,p,q] = b[k] + Σ_{c'} Σ_s v[k,c',s] · Σ_r u[k,c',r] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw] with each filter
    /// split as w[k,c'] = u·vᵀ (file header), then the epilogue. <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, stride, dilation, padding and groups; no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Filters (K, C/G, R, S), every slice rank 1.</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <param name="epilogue">ReLU applied to each finished output, or none.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with a depth axis (<c>g</c>), a filter slice that is not rank 1 (<c>w</c>), a span shorter than its tensor, or a bias neither empty nor K long.</exception>
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
        var plan = DirectConvKernel.Plan.ForForward(g);
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            Run(g, plan, pw, px, g.Height.Input, g.Width.Input, g.Height.PadBefore, g.Width.PadBefore, 1, 1,
                bias.IsEmpty ? null : pb, py, epilogue == ConvEpilogue.Relu, accumulate: false, threads);
        }
    }

    /// <summary>
    /// dx[n,c,h,v] += Σ w[k, c − c0(k), r, s] · dy[n,k,p,q] over the (k, r, s, p, q) with h = p·sh − ph + r·dh, v = q·sw − pw + s·dw,
    /// as the two separable passes over the upsampled, padded dy with the flipped, transposed (still rank-1) filters.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; no depth axis.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Filters (K, C/G, R, S), every slice rank 1.</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with a depth axis (<c>g</c>), a filter slice that is not rank 1 (<c>w</c>), or a span shorter than its tensor.</exception>
    public static void BackwardData(ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int threads)
    {
        ConvSupport.CheckBackwardData(g, dy.Length, w.Length, dx.Length);
        CheckPlanar(g);
        if (g.N == 0 || g.C == 0 || g.K == 0 || g.InputVolume == 0) return;
        ConvAxis ah = g.Height, aw = g.Width;
        var t = ConvGeometry.TwoD(g.N, g.K, g.C,
            new ConvAxis(ah.Output, ah.Kernel, 1, ah.Dilation), new ConvAxis(aw.Output, aw.Kernel, 1, aw.Dilation), g.Groups);
        var plan = DirectConvKernel.Plan.Create(t, ah.Input, aw.Input);
        float[] flipped = ArrayPool<float>.Shared.Rent((int)g.WeightLength);
        try
        {
            fixed (float* pdy = dy, pw = w, pdx = dx, pwt = flipped)
            {
                ConvSupport.FlipTranspose(g, pw, pwt);
                Run(t, plan, pwt, pdy, ah.Output, aw.Output, ah.Dilation * (ah.Kernel - 1) - ah.PadBefore, aw.Dilation * (aw.Kernel - 1) - aw.PadBefore,
                    ah.Stride, aw.Stride, null, pdx, relu: false, accumulate: true, threads);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(flipped);
        }
    }

    /// <summary>
    /// dw[k,c',r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c0(k) + c', p·sh − ph + r·dh, q·sw − pw + s·dw] and db[k] += Σ dy: the gradient of a
    /// full R×S filter, which is not rank 1 in general, so this runs <see cref="DirectConvKernel.BackwardWeights"/>.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Filter gradient (K, C/G, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one with a depth axis, a span shorter than its tensor, or a db neither empty nor K long.</exception>
    public static void BackwardWeights(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> db, int threads) =>
        DirectConvKernel.BackwardWeights(g, x, dy, dw, db, threads);

    private static void CheckPlanar(in ConvGeometry g)
    {
        if (!IsApplicable(g))
            throw new ArgumentException($"Separable convolution handles 1-D and 2-D convolutions; this one has a depth axis {g.Depth}.", nameof(g));
    }

    /// <summary>Splits every filter (throwing on the first that is not rank 1), copies the input into the padded layout and runs the two passes.</summary>
    private static void Run(in ConvGeometry g, in DirectConvKernel.Plan plan, float* w, float* src, int h, int wd, int top, int left, int uh, int uw,
        float* bias, float* y, bool relu, bool accumulate, int threads)
    {
        int r = plan.R, s = plan.S, slices = plan.Kout * plan.CPerGroup;
        float[] factors = ArrayPool<float>.Shared.Rent(slices * (r + s));
        // Eight floats of slack: the vertical pass reads whole vectors past the last row's end.
        float[] buffer = ArrayPool<float>.Shared.Rent((int)(plan.BufferLength(g.N) + 8));
        try
        {
            fixed (float* pf = factors, pbuf = buffer)
            {
                for (int i = 0; i < slices; i++)
                {
                    if (!TryDecompose(new ReadOnlySpan<float>(w + (long)i * r * s, r * s), r, s,
                        new Span<float>(pf + (long)i * r, r), new Span<float>(pf + (long)slices * r + (long)i * s, s)))
                        throw new ArgumentException($"Separable convolution needs rank-1 filters; filter {i / plan.CPerGroup}, channel {i % plan.CPerGroup} is not (relative tolerance {DefaultTolerance}).", "w");
                }
                ParallelFor.Run(g.N * plan.Cin, threads, new DirectConvKernel.FillBody(src, h, wd, top, left, uh, uw, plan, pbuf));
                ParallelFor.Run(g.N * plan.Kout, threads, new PassesBody(plan, pbuf, pf, pf + (long)slices * r, bias, y, relu, accumulate));
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
            ArrayPool<float>.Shared.Return(factors);
        }
    }

    /// <summary>One item per (image, output channel): the vertical then horizontal pass for each input channel of its group, summed in order.</summary>
    private readonly struct PassesBody(DirectConvKernel.Plan plan, float* input, float* columns, float* rows, float* bias, float* y, bool relu, bool accumulate)
        : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int qp = ConvSupport.RoundUp(plan.Q, 8), rs = ConvSupport.RoundUp(plan.RowStride, 8), cg = plan.CPerGroup;
            float[] scratch = ArrayPool<float>.Shared.Rent(plan.P * qp + rs);
            Span<int> offsets = plan.S <= 256 ? stackalloc int[plan.S] : new int[plan.S];
            for (int s = 0; s < plan.S; s++)
            {
                int col = s * plan.Dw;
                offsets[s] = col % plan.Sw * plan.PhaseLength + col / plan.Sw;
            }
            try
            {
                fixed (float* acc = scratch)
                fixed (int* offs = offsets)
                {
                    float* t = acc + plan.P * qp;
                    for (int item = start; item < end; item++)
                    {
                        int n = item / plan.Kout, k = item - n * plan.Kout, c0 = k / plan.KPerGroup * cg;
                        var b = Vector256.Create(bias == null ? 0f : bias[k]);
                        for (int i = 0; i < plan.P * qp; i += 8) b.Store(acc + i);
                        for (int c = 0; c < cg; c++)
                        {
                            float* u = columns + ((long)k * cg + c) * plan.R, v = rows + ((long)k * cg + c) * plan.S;
                            float* plane = input + ((long)n * plan.Cin + c0 + c) * plan.PlaneStride;
                            for (int p = 0; p < plan.P; p++)
                            {
                                // t[j] = Σ_r u[r] · padded[p·sh + r·dh, j] over the whole phase-split row.
                                float* first = plane + (long)p * plan.Sh * plan.RowStride;
                                for (int j = 0; j < rs; j += 8)
                                {
                                    var sum = Vector256<float>.Zero;
                                    for (int r = 0; r < plan.R; r++)
                                        sum = Vector256.MultiplyAddEstimate(Vector256.Create(u[r]), Vector256.Load(first + (long)r * plan.Dh * plan.RowStride + j), sum);
                                    sum.Store(t + j);
                                }
                                // acc[p, q] += Σ_s v[s] · t[q·sw + s·dw] (phase (s·dw) mod sw at q + ⌊s·dw / sw⌋).
                                float* row = acc + (long)p * qp;
                                for (int q = 0; q < qp; q += 8)
                                {
                                    var sum = Vector256.Load(row + q);
                                    for (int s = 0; s < plan.S; s++)
                                        sum = Vector256.MultiplyAddEstimate(Vector256.Create(v[s]), Vector256.Load(t + offs[s] + q), sum);
                                    sum.Store(row + q);
                                }
                            }
                        }
                        float* dst = y + ((long)n * plan.Kout + k) * plan.P * plan.Q;
                        for (int p = 0; p < plan.P; p++)
                            for (int q = 0; q < plan.Q; q++)
                            {
                                float value = acc[(long)p * qp + q];
                                if (accumulate) dst[(long)p * plan.Q + q] += value;
                                else dst[(long)p * plan.Q + q] = relu ? ConvSupport.Relu(value) : value;
                            }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }
}
