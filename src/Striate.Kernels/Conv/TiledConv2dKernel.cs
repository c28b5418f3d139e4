// Tiled convolution (the chapter's compromise between convolution and a locally connected layer):
// tH×tW different kernels are cycled over the output grid, so neighbouring outputs use different
// weights and outputs tH rows (tW columns) apart share theirs. The chapter's formula
//   Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · K[i, l, m, n, j%t+1, k%t+1]
// with stride, zero padding and a bias that follows the tiling pattern, 0-based:
//   x: (N, C, H, W)  w: (K, tH, tW, C, R, S)  b: (K, tH, tW)  y: (N, K, P, Q)
//   P = (H + 2·ph − R) / sh + 1      Q = (W + 2·pw − S) / sw + 1      (x is zero outside H×W)
//   Forward:         y[n,k,p,q]      = b[k,a,b] + Σ_{c,r,s} w[k,a,b,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                                      with a = p mod tH, b = q mod tW
//   BackwardData:    dx[n,c,h,v]    += Σ_{k,p,q,r,s : h = p·sh − ph + r, v = q·sw − pw + s} w[k,a,b,c,r,s] · dy[n,k,p,q]
//   BackwardWeights: dw[k,a,b,c,r,s] += Σ_n Σ_{p ≡ a, q ≡ b} dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//                    db[k,a,b]       += Σ_n Σ_{p ≡ a, q ≡ b} dy[n,k,p,q]
// Layout: the chapter's K[i,l,m,n,a,b] is stored at w[i,a,b,l,m,n], so each of the t×t kernels is
// one contiguous (C, R, S) block (a dot product with a gathered receptive field). With tH = P and
// tW = Q every output position has its own kernel and w is exactly the locally connected layer's
// (K, P, Q, C, R, S) 6-D kernel, which is how LocallyConnected2dKernel runs; with tH = tW = 1 it
// is an ordinary convolution's (K, C, R, S).
// 1-D tiled convolution is the case H = R = tH = 1.
//
// Threading and determinism: forward runs one work item per output row (n, p), backward-data one
// per input plane (n, c), backward-weights one per tile position (a, b) and block of output channels
// (each receptive field is gathered once per block). Each output element is written
// by exactly one item, in a fixed order, so results are bit-identical for any thread count.
// Accumulation: each backward forms this call's gradient in scratch (a zeroed plane, a zeroed
// kernel) and adds it to the destination once, so two identical calls add exactly twice one.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>
/// Sizes of a 2-D tiled convolution: input x (N, C, H, W), TileH×TileW kernels w (K, TileH, TileW, C, R, S),
/// output y (N, K, P, Q), with stride (StrideH, StrideW) and zero padding (PadH, PadW) on each side.
/// Output position (p, q) uses kernel (p mod TileH, q mod TileW).
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Input channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="K">Output channels.</param>
/// <param name="R">Kernel height.</param>
/// <param name="S">Kernel width.</param>
/// <param name="TileH">Number of kernels cycled down the rows (the chapter's t).</param>
/// <param name="TileW">Number of kernels cycled along the columns (the chapter's t).</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Zero rows added above and below.</param>
/// <param name="PadW">Zero columns added left and right.</param>
public readonly record struct TiledConv2dGeometry(int N, int C, int H, int W, int K, int R, int S, int TileH, int TileW,
    int StrideH = 1, int StrideW = 1, int PadH = 0, int PadW = 0)
{
    /// <summary>Output height, (H + 2·PadH − R) / StrideH + 1.</summary>
    public int P => (H + 2 * PadH - R) / StrideH + 1;

    /// <summary>Output width, (W + 2·PadW − S) / StrideW + 1.</summary>
    public int Q => (W + 2 * PadW - S) / StrideW + 1;

    /// <summary>Elements of x: N·C·H·W.</summary>
    public long InputLength => (long)N * C * H * W;

    /// <summary>Elements of w: K·TileH·TileW·C·R·S.</summary>
    public long WeightLength => (long)K * TileH * TileW * C * R * S;

    /// <summary>Elements of the tiled bias: K·TileH·TileW.</summary>
    public long BiasLength => (long)K * TileH * TileW;

    /// <summary>Elements of y: N·K·P·Q.</summary>
    public long OutputLength => (long)N * K * P * Q;

    /// <summary>Throws unless the sizes describe a tiled convolution with at least one output position.</summary>
    /// <exception cref="ArgumentException">A size is negative, a kernel side, tile or stride is not positive, a padding is negative, the kernel is larger than the padded input, or a tensor would not fit in an array.</exception>
    public void Validate() => Validate("TiledConv2d");

    internal void Validate(string op)
    {
        if (N < 0 || C < 0 || H < 0 || W < 0 || K < 0)
            throw new ArgumentException($"{op} sizes must be non-negative: N={N}, C={C}, H={H}, W={W}, K={K}.");
        if (R < 1 || S < 1) throw new ArgumentException($"{op} kernel must be at least 1×1, got {R}×{S}.");
        if (TileH < 1 || TileW < 1) throw new ArgumentException($"{op} tile must be at least 1×1, got {TileH}×{TileW}.");
        if (StrideH < 1 || StrideW < 1) throw new ArgumentException($"{op} stride must be positive, got ({StrideH}, {StrideW}).");
        if (PadH < 0 || PadW < 0) throw new ArgumentException($"{op} padding must be non-negative, got ({PadH}, {PadW}).");
        if (H + 2L * PadH < R || W + 2L * PadW < S)
            throw new ArgumentException($"{op} kernel {R}×{S} is larger than the padded input {H + 2L * PadH}×{W + 2L * PadW}.");
        if (InputLength > Array.MaxLength || WeightLength > Array.MaxLength || BiasLength > Array.MaxLength || OutputLength > Array.MaxLength)
            throw new ArgumentException($"{op} tensors do not fit in an array: input {InputLength}, weight {WeightLength}, bias {BiasLength}, output {OutputLength} elements.");
    }
}

/// <summary>2-D tiled convolution: forward, data gradient and weight/bias gradients (formulas in the file header).</summary>
public static unsafe class TiledConv2dKernel
{
    /// <summary>
    /// y[n,k,p,q] = b[k,a,b] + Σ_{c,r,s} w[k,a,b,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s] with a = p mod TileH,
    /// b = q mod TileW. <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, tiles, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Kernels (K, TileH, TileW, C, R, S).</param>
    /// <param name="bias">Bias (K, TileH, TileW), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor (or bias is neither empty nor K·TileH·TileW long).</exception>
    public static void Forward(TiledConv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads) => Forward(g, x, w, bias, y, threads, "TiledConv2d");

    internal static void Forward(TiledConv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads, string op)
    {
        g.Validate(op);
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(w.Length, g.WeightLength, nameof(w));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        if (!bias.IsEmpty && bias.Length != g.BiasLength)
            throw new ArgumentException($"bias holds {bias.Length} values, needs 0 or K·TileH·TileW = {g.BiasLength}.", nameof(bias));
        if (g.N == 0 || g.K == 0) return;
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            ParallelFor.Run(g.N * g.P, threads, new ForwardBody(g, px, pw, bias.IsEmpty ? null : pb, py));
        }
    }

    /// <summary>
    /// dx[n,c,h,v] += Σ w[k,a,b,c,r,s] · dy[n,k,p,q] over the (k, p, q, r, s) with h = p·sh − ph + r, v = q·sw − pw + s.
    /// Each plane's sum is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Sizes, tiles, stride and padding of the forward convolution.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Kernels (K, TileH, TileW, C, R, S).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void BackwardData(TiledConv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads) => BackwardData(g, dy, w, dx, threads, "TiledConv2d");

    internal static void BackwardData(TiledConv2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads, string op)
    {
        g.Validate(op);
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        CheckLength(w.Length, g.WeightLength, nameof(w));
        CheckLength(dx.Length, g.InputLength, nameof(dx));
        if (g.N == 0 || g.C == 0 || g.K == 0 || g.H == 0 || g.W == 0) return;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            ParallelFor.Run(g.N * g.C, threads, new BackwardDataBody(g, pdy, pw, pdx));
        }
    }

    /// <summary>
    /// dw[k,a,b,c,r,s] += Σ_n Σ_{p ≡ a, q ≡ b} dy[n,k,p,q] · x[n, c, p·sh − ph + r, q·sw − pw + s] and
    /// db[k,a,b] += Σ_n Σ_{p ≡ a, q ≡ b} dy[n,k,p,q] (congruences mod TileH and TileW). Each sum is formed first
    /// and added once. Either destination may be empty to skip it.
    /// </summary>
    /// <param name="g">Sizes, tiles, stride and padding of the forward convolution.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Kernel gradient (K, TileH, TileW, C, R, S), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K, TileH, TileW), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor (or db is neither empty nor K·TileH·TileW long).</exception>
    public static void BackwardWeights(TiledConv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads) => BackwardWeights(g, x, dy, dw, db, threads, "TiledConv2d");

    internal static void BackwardWeights(TiledConv2dGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads, string op)
    {
        g.Validate(op);
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        if (!dw.IsEmpty) CheckLength(dw.Length, g.WeightLength, nameof(dw));
        if (!db.IsEmpty && db.Length != g.BiasLength)
            throw new ArgumentException($"db holds {db.Length} values, needs 0 or K·TileH·TileW = {g.BiasLength}.", nameof(db));
        if ((dw.IsEmpty && db.IsEmpty) || g.K == 0) return;
        fixed (float* px = x, pdy = dy, pdw = dw, pdb = db)
        {
            // A work item is one tile position and a block of output channels: the receptive field of each
            // position is gathered once for the whole block. Blocks are made just small enough to give every
            // thread a few items; the grouping never changes what an element sums, or in which order.
            int tiles = g.TileH * g.TileW;
            int blocks = Math.Clamp((4 * Math.Max(threads, 1) + tiles - 1) / tiles, 1, g.K);
            ParallelFor.Run(tiles * blocks, threads,
                new BackwardWeightsBody(g, px, pdy, dw.IsEmpty ? null : pdw, db.IsEmpty ? null : pdb, blocks));
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>field[(c·R + r)·S + s] = x_n[c, p·sh − ph + r, q·sw − pw + s], zero outside the image.</summary>
    private static void Gather(in TiledConv2dGeometry g, float* xn, int p, int q, float* field)
    {
        int h0 = p * g.StrideH - g.PadH, v0 = q * g.StrideW - g.PadW;
        // The columns s with 0 ≤ v0 + s < W: one contiguous run per kernel row.
        int s0 = Math.Max(0, -v0), s1 = Math.Min(g.S, g.W - v0);
        float* dst = field;
        for (int c = 0; c < g.C; c++)
        {
            for (int r = 0; r < g.R; r++, dst += g.S)
            {
                int h = h0 + r;
                if ((uint)h >= (uint)g.H || s0 >= s1)
                {
                    new Span<float>(dst, g.S).Clear();
                    continue;
                }
                float* src = xn + ((long)c * g.H + h) * g.W + v0;
                for (int s = 0; s < s0; s++) dst[s] = 0f;
                for (int s = s0; s < s1; s++) dst[s] = src[s];
                for (int s = s1; s < g.S; s++) dst[s] = 0f;
            }
        }
    }

    private readonly struct ForwardBody(TiledConv2dGeometry g, float* x, float* w, float* bias, float* y) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int crs = g.C * g.R * g.S, bigP = g.P, bigQ = g.Q;
            float[] rented = ArrayPool<float>.Shared.Rent(Math.Max(crs, 1));
            try
            {
                fixed (float* field = rented)
                {
                    var fieldSpan = new ReadOnlySpan<float>(field, crs);
                    for (int item = start; item < end; item++)
                    {
                        int n = item / bigP, p = item % bigP, a = p % g.TileH;
                        float* xn = x + (long)n * g.C * g.H * g.W;
                        for (int q = 0; q < bigQ; q++)
                        {
                            Gather(g, xn, p, q, field);
                            int b = q % g.TileW;
                            for (int k = 0; k < g.K; k++)
                            {
                                long tile = ((long)k * g.TileH + a) * g.TileW + b;
                                float sum = TensorPrimitives.Dot(new ReadOnlySpan<float>(w + tile * crs, crs), fieldSpan);
                                y[(((long)n * g.K + k) * bigP + p) * bigQ + q] = bias == null ? sum : sum + bias[tile];
                            }
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    private readonly struct BackwardDataBody(TiledConv2dGeometry g, float* dy, float* w, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int hw = g.H * g.W, rs = g.R * g.S, crs = g.C * rs, bigP = g.P, bigQ = g.Q;
            float[] rented = ArrayPool<float>.Shared.Rent(hw);
            try
            {
                fixed (float* plane = rented)
                {
                    for (int item = start; item < end; item++)
                    {
                        int n = item / g.C, c = item % g.C;
                        new Span<float>(plane, hw).Clear();
                        for (int k = 0; k < g.K; k++)
                        {
                            float* dyk = dy + ((long)n * g.K + k) * bigP * bigQ;
                            for (int p = 0; p < bigP; p++)
                            {
                                int h0 = p * g.StrideH - g.PadH, a = p % g.TileH;
                                for (int q = 0; q < bigQ; q++)
                                {
                                    float grad = dyk[p * bigQ + q];
                                    int v0 = q * g.StrideW - g.PadW;
                                    int s0 = Math.Max(0, -v0), s1 = Math.Min(g.S, g.W - v0);
                                    float* wk = w + (((long)k * g.TileH + a) * g.TileW + q % g.TileW) * crs + (long)c * rs;
                                    for (int r = 0; r < g.R; r++)
                                    {
                                        int h = h0 + r;
                                        if ((uint)h >= (uint)g.H) continue;
                                        float* row = plane + h * g.W + v0;
                                        float* wr = wk + r * g.S;
                                        for (int s = s0; s < s1; s++) row[s] += wr[s] * grad;
                                    }
                                }
                            }
                        }
                        var dxn = new Span<float>(dx + (long)item * hw, hw);
                        TensorPrimitives.Add(dxn, new ReadOnlySpan<float>(plane, hw), dxn);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }

    private readonly struct BackwardWeightsBody(TiledConv2dGeometry g, float* x, float* dy, float* dw, float* db, int blocks) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int crs = g.C * g.R * g.S, bigP = g.P, bigQ = g.Q, tileW = g.TileW;
            int perBlock = (g.K + blocks - 1) / blocks;
            // Scratch: the gathered field, then one running sum of C·R·S per output channel of the block, then its bias sums.
            float[] rented = ArrayPool<float>.Shared.Rent(Math.Max(crs + perBlock * (crs + 1), 1));
            try
            {
                fixed (float* scratch = rented)
                {
                    float* field = scratch, sums = scratch + crs, biasSums = sums + (long)perBlock * crs;
                    var fieldSpan = new ReadOnlySpan<float>(field, crs);
                    for (int item = start; item < end; item++)
                    {
                        int tile = item / blocks, block = item % blocks;
                        int a = tile / tileW, b = tile % tileW;
                        int k0 = block * perBlock, k1 = Math.Min(g.K, k0 + perBlock);
                        if (k0 >= k1) continue;
                        new Span<float>(sums, (k1 - k0) * crs).Clear();
                        new Span<float>(biasSums, k1 - k0).Clear();
                        // Images in order, then the positions this kernel serves in row-major order.
                        for (int n = 0; n < g.N; n++)
                        {
                            float* xn = x + (long)n * g.C * g.H * g.W;
                            for (int p = a; p < bigP; p += g.TileH)
                            {
                                for (int q = b; q < bigQ; q += tileW)
                                {
                                    if (dw != null) Gather(g, xn, p, q, field);
                                    for (int k = k0; k < k1; k++)
                                    {
                                        float grad = dy[(((long)n * g.K + k) * bigP + p) * bigQ + q];
                                        biasSums[k - k0] += grad;
                                        if (dw == null) continue;
                                        var sum = new Span<float>(sums + (long)(k - k0) * crs, crs);
                                        TensorPrimitives.MultiplyAdd(fieldSpan, grad, sum, sum);
                                    }
                                }
                            }
                        }
                        for (int k = k0; k < k1; k++)
                        {
                            long kernel = ((long)k * g.TileH + a) * tileW + b;
                            if (dw != null)
                            {
                                var dst = new Span<float>(dw + kernel * crs, crs);
                                TensorPrimitives.Add(dst, new ReadOnlySpan<float>(sums + (long)(k - k0) * crs, crs), dst);
                            }
                            if (db != null) db[kernel] += biasSums[k - k0];
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
