// 2-D convolution (cross-correlation, as in every deep-learning framework): the 2-D entry point of
// ConvNdKernel (im2col + GEMM, see ConvNdKernel.cs for the layout, threading and determinism notes).
//   x: (N, C, H, W)  w: (K, C, R, S)  b: (K)  y: (N, K, P, Q)
//   P = (H + 2·ph − R) / sh + 1      Q = (W + 2·pw − S) / sw + 1      (x is zero outside H×W)
//   Forward:         y[n,k,p,q]  = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   BackwardData:    dx[n,c,h,v] += Σ_{k,r,s,p,q : h = p·sh − ph + r, v = q·sw − pw + s} w[k,c,r,s] · dy[n,k,p,q]
//   BackwardWeights: dw[k,c,r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                    db[k]       += Σ_{n,p,q} dy[n,k,p,q]
// Conv2dGeometry is the plain symmetric-padding, dense, ungrouped case (the LeNet layers); it maps
// onto ConvGeometry with a unit depth axis, which costs one extra loop level of one iteration.
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

    /// <summary>The same convolution as an N-d geometry with a unit depth axis.</summary>
    public ConvGeometry ToNd() => ConvGeometry.TwoD(N, C, K, new ConvAxis(H, R, StrideH, 1, PadH, PadH), new ConvAxis(W, S, StrideW, 1, PadW, PadW));

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

/// <summary>2-D convolution by im2col + GEMM: forward, data gradient and weight/bias gradients (the 2-D case of <see cref="ConvNdKernel"/>).</summary>
public static class Conv2dKernel
{
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
        ConvNdKernel.Forward(g.ToNd(), x, w, bias, y, threads);
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
        ConvNdKernel.BackwardData(g.ToNd(), dy, w, dx, threads);
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
        ConvNdKernel.BackwardWeights(g.ToNd(), x, dy, dw, db, threads);
    }
}
