// Locally connected layer (unshared convolution): the connection graph of a convolution, but every
// output unit has its own weights and its own bias. The chapter's formula
//   Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · w[i,j,k,l,m,n]          (6-D kernel)
// with stride and zero padding, 0-based:
//   x: (N, C, H, W)  w: (K, P, Q, C, R, S)  b: (K, P, Q)  y: (N, K, P, Q)
//   P = (H + 2·ph − R) / sh + 1      Q = (W + 2·pw − S) / sw + 1      (x is zero outside H×W)
//   Forward:         y[n,k,p,q]       = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   BackwardData:    dx[n,c,h,v]     += Σ_{k,p,q,r,s : h = p·sh − ph + r, v = q·sw − pw + s} w[k,p,q,c,r,s] · dy[n,k,p,q]
//   BackwardWeights: dw[k,p,q,c,r,s] += Σ_n dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                    db[k,p,q]       += Σ_n dy[n,k,p,q]
// This is tiled convolution with one tile per output position (tH = P, tW = Q): position (p, q)
// then uses kernel (p mod P, q mod Q) = (p, q), and the tiled layout (K, tH, tW, C, R, S) is this
// layer's 6-D kernel element for element. So the kernels below run TiledConv2dKernel with that
// geometry; LocallyConnected2dReference computes the formula above independently, as the oracle.
// 1-D locally connected layers are the case H = R = 1.

namespace Striate.Kernels.Conv;

/// <summary>
/// Sizes of a 2-D locally connected layer: input x (N, C, H, W), one kernel per output unit
/// w (K, P, Q, C, R, S), output y (N, K, P, Q), with stride (StrideH, StrideW) and zero padding (PadH, PadW).
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Input channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="K">Output channels.</param>
/// <param name="R">Kernel height.</param>
/// <param name="S">Kernel width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Zero rows added above and below.</param>
/// <param name="PadW">Zero columns added left and right.</param>
public readonly record struct LocallyConnected2dGeometry(int N, int C, int H, int W, int K, int R, int S,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0)
{
    /// <summary>Output height, (H + 2·PadH − R) / StrideH + 1.</summary>
    public int P => (H + 2 * PadH - R) / StrideH + 1;

    /// <summary>Output width, (W + 2·PadW − S) / StrideW + 1.</summary>
    public int Q => (W + 2 * PadW - S) / StrideW + 1;

    /// <summary>Elements of x: N·C·H·W.</summary>
    public long InputLength => (long)N * C * H * W;

    /// <summary>Elements of w: K·P·Q·C·R·S.</summary>
    public long WeightLength => (long)K * P * Q * C * R * S;

    /// <summary>Elements of the per-unit bias: K·P·Q.</summary>
    public long BiasLength => (long)K * P * Q;

    /// <summary>Elements of y: N·K·P·Q.</summary>
    public long OutputLength => (long)N * K * P * Q;

    /// <summary>The same layer as a tiled convolution with one tile per output position (TileH = P, TileW = Q).</summary>
    /// <exception cref="ArgumentException">The geometry is invalid (see <see cref="Validate"/>).</exception>
    public TiledConv2dGeometry AsTiled()
    {
        Validate();
        return new TiledConv2dGeometry(N, C, H, W, K, R, S, P, Q, StrideH, StrideW, PadH, PadW);
    }

    /// <summary>Throws unless the sizes describe a locally connected layer with at least one output position.</summary>
    /// <exception cref="ArgumentException">A size is negative, a kernel side or stride is not positive, a padding is negative, the kernel is larger than the padded input, or a tensor would not fit in an array.</exception>
    public void Validate()
    {
        // Checked before P and Q are used as tile sizes, so the messages speak of the kernel, not of tiles.
        if (R < 1 || S < 1) throw new ArgumentException($"LocallyConnected2d kernel must be at least 1×1, got {R}×{S}.");
        if (StrideH < 1 || StrideW < 1) throw new ArgumentException($"LocallyConnected2d stride must be positive, got ({StrideH}, {StrideW}).");
        if (PadH < 0 || PadW < 0) throw new ArgumentException($"LocallyConnected2d padding must be non-negative, got ({PadH}, {PadW}).");
        if (H + 2L * PadH < R || W + 2L * PadW < S)
            throw new ArgumentException($"LocallyConnected2d kernel {R}×{S} is larger than the padded input {H + 2L * PadH}×{W + 2L * PadW}.");
        new TiledConv2dGeometry(N, C, H, W, K, R, S, P, Q, StrideH, StrideW, PadH, PadW).Validate("LocallyConnected2d");
    }
}

/// <summary>2-D locally connected layer: forward, data gradient and weight/bias gradients (formulas in the file header).</summary>
public static class LocallyConnected2dKernel
{
    /// <summary>
    /// y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s].
    /// <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Per-unit kernels (K, P, Q, C, R, S).</param>
    /// <param name="bias">Per-unit bias (K, P, Q), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor (or bias is neither empty nor K·P·Q long).</exception>
    public static void Forward(LocallyConnected2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads) =>
        TiledConv2dKernel.Forward(g.AsTiled(), x, w, bias, y, threads, "LocallyConnected2d");

    /// <summary>
    /// dx[n,c,h,v] += Σ w[k,p,q,c,r,s] · dy[n,k,p,q] over the (k, p, q, r, s) with h = p·sh − ph + r, v = q·sw − pw + s.
    /// Each plane's sum is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Sizes, stride and padding of the forward pass.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Per-unit kernels (K, P, Q, C, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void BackwardData(LocallyConnected2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads) =>
        TiledConv2dKernel.BackwardData(g.AsTiled(), dy, w, dx, threads, "LocallyConnected2d");

    /// <summary>
    /// dw[k,p,q,c,r,s] += Σ_n dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s] and db[k,p,q] += Σ_n dy[n,k,p,q].
    /// Each sum is formed first and added once. Either destination may be empty to skip it.
    /// </summary>
    /// <param name="g">Sizes, stride and padding of the forward pass.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Kernel gradient (K, P, Q, C, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K, P, Q), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor (or db is neither empty nor K·P·Q long).</exception>
    public static void BackwardWeights(LocallyConnected2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads) =>
        TiledConv2dKernel.BackwardWeights(g.AsTiled(), x, dy, dw, db, threads, "LocallyConnected2d");
}
