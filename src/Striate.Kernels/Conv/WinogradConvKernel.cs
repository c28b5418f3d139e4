// Winograd minimal filtering (Lavin & Gray 2016) for 3×3, stride-1, dilation-1 2-D convolutions:
// F(m×m, 3×3) computes an m×m output tile from an α×α input tile, α = m + 2, with α² multiplies per
// (tile, input channel, output channel) instead of 9·m²: 16 vs 36 for F(2×2,3×3), 36 vs 144 for F(4×4,3×3).
//   x: (N, C, H, W)  w: (K, C/G, 3, 3)  b: (K)  y: (N, K, P, Q)   (ConvGeometry without a depth axis)
//   per tile t and transform position ξ = (a, b), 0 ≤ a, b < α:
//     U[ξ][k][c] = (G·w[k,c]·Gᵀ)[ξ]           filter transform (α×3 · 3×3 · 3×α), once per call, in double
//     V[ξ][c][t] = (Bᵀ·d[c,t]·B)[ξ]            input transform of the α×α input tile d at rows tᵢ·m − ph, columns tⱼ·m − pw
//     M[ξ][k][t] = Σ_c U[ξ][k][c] · V[ξ][c][t]  α² independent GEMMs (K/G × C/G · C/G × T per group)
//     y[k, tile t] = Aᵀ·M[k,t]·A + b[k]           output transform (m×α · α×α · α×m), then the epilogue
//   BackwardData: the data gradient of a 3×3 stride-1 convolution is the forward convolution of dy (pad 2 − p)
//     with the flipped, transposed filters wᵀ (ConvSupport.FlipTranspose), so it runs the code above, adding into dx.
//   BackwardWeights: the adjoint of the forward in the transform domain:
//     dM[ξ][k][t] = (A·dy[k,t]·Aᵀ)[ξ]   dU[ξ][k][c] = Σ_t dM[ξ][k][t] · V[ξ][c][t]   dw[k,c] += Gᵀ·dU[k,c]·G
// Layout: just before its transform, each tile row's α input rows are copied into a small zero-padded
// buffer whose rows are split into m phases (row[φ·L + j] = padded[φ + m·j], AVX2 shuffles); the column e
// of the tiles j..j+7 is then 8 consecutive floats, so the transforms run on Vector256 registers holding
// 8 tiles, and V and M store 8 tiles per vector. The copy stays in cache (no padded copy of the batch).
// Tiles are processed in chunks of whole tile rows (sizes fixed by the shape, never by the thread count).
// Forward: threads claim chunks one at a time from a shared counter (a descheduled thread on a busy machine
// does not hold the call up), each chunk's α² GEMMs single-threaded (or, with fewer chunks than threads, one
// chunk at a time with threaded GEMMs); every output belongs to one chunk, computed the same way by any thread.
// BackwardWeights: chunks run in order and dU accumulates through GEMM's beta = 1 (one fused chain per
// element over every tile), the α² GEMMs split across threads; so all three passes give the same bits
// for every thread count.
// Numerics: the transforms mix inputs with coefficients up to 5 (Bᵀ) and 8 (Aᵀ) and the filter transform
// G has 1/6 and 1/24, so F(4×4,3×3) rounds intermediate values larger than the terms of the direct sum.
// That error does not grow with the number of channels: it acts like a fixed number of extra terms in the
// dot-product bound (terms + 2)·u·Σ|w·x|. Measured on random data (C/G = 1 to 128), the worst error was
// 2.5·u·Σ|w·x| for F(2×2,3×3) (im2col's own error is of the same size) and 64·u·Σ|w·x| for F(4×4,3×3) at one
// channel per group (25 at 64 channels). Σ|w·x| is that of the largest output in the m×m tile: each output of
// a tile carries the rounding of the whole α×α input tile, so a corner output under padding 2 (one pixel read)
// errs like its neighbours. The tests allow 32 and 512 extra terms over the tile's largest Σ|w·x|, about 6×
// the worst measured (docs/kernels/convolution-algorithms.md, "Error models").
using System.Buffers;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Striate.Kernels.Gemm;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Conv;

/// <summary>Winograd F(2×2,3×3) and F(4×4,3×3) convolution: forward, data gradient, weight/bias gradients.</summary>
[System.Runtime.CompilerServices.SkipLocalsInit]
public static unsafe class WinogradConvKernel
{
    /// <summary>Whether Winograd handles <paramref name="g"/>: a 2-D convolution with 3×3 filters, stride 1 and dilation 1.</summary>
    /// <param name="g">The convolution.</param>
    public static bool IsApplicable(in ConvGeometry g) =>
        ConvSupport.IsPlanar(g) && g.Height.Kernel == 3 && g.Width.Kernel == 3 && g.Height.Stride == 1 && g.Width.Stride == 1
        && g.Height.Dilation == 1 && g.Width.Dilation == 1;

    /// <summary>
    /// The output tile side m the kernels use for <paramref name="g"/>: 4 (F(4×4,3×3), 4× fewer multiplies) when both output
    /// sides are at least 24, else 2 (F(2×2,3×3), 2.25× fewer), whose smaller tiles waste less of a small output and whose
    /// transforms cost less per tile. Measured on ResNet's stages, 2 threads, with the filters packed once per call:
    /// 128 channels at 28×28, batch 16, F(4×4) took 8.9/9.3 ms forward and 8.6/8.8 ms weight gradient against F(2×2)'s
    /// 11.3/11.4 and 10.6/10.8 (batch 1 forward 0.61–0.63 against 0.67–1.10 ms); 256 channels at 14×14, F(2×2) 9.4–9.8 ms
    /// forward against 11.9–12.5.
    /// </summary>
    /// <param name="g">The convolution.</param>
    public static int TileSize(in ConvGeometry g) => TileSide(g.Height.Output, g.Width.Output);

    /// <summary>The tile side for an output of <paramref name="h"/> × <paramref name="w"/> (<see cref="TileSize"/>).</summary>
    private static int TileSide(int h, int w) => Math.Min(h, w) >= 24 ? 4 : 2;

    /// <summary>
    /// y[n,k,p,q] = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, c0(k) + c', p − ph + r, q − pw + s] computed by Winograd tiles
    /// (file header), then the epilogue. <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, padding and groups; 3×3 filters, stride 1, dilation 1, no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="w">Filters (K, C/G, 3, 3).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, P, Q).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <param name="epilogue">ReLU applied to each finished output, or none.</param>
    /// <param name="tileSize">Output tile side m: 2 or 4, or 0 for <see cref="TileSize"/>.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one Winograd does not handle (<c>g</c>), a span shorter than its tensor, a bias neither empty nor K long, or a tile size other than 0, 2 or 4.</exception>
    public static void Forward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, int threads, ConvEpilogue epilogue = ConvEpilogue.None, int tileSize = 0)
    {
        ConvSupport.CheckForward(g, x.Length, w.Length, bias.Length, y.Length);
        var t = Check(g, tileSize);
        if (g.N == 0 || g.K == 0) return;
        if (g.C == 0)
        {
            ConvSupport.FillBias(g, bias, y, epilogue);
            return;
        }
        var plan = new Plan(t, g.N, g.C, g.K, g.Groups, g.Height.Input, g.Width.Input, g.Height.Output, g.Width.Output, g.Height.PadBefore, g.Width.PadBefore);
        fixed (float* px = x, pw = w, pb = bias, py = y)
        {
            Convolve(plan, px, pw, bias.IsEmpty ? null : pb, py, epilogue == ConvEpilogue.Relu, accumulate: false, threads);
        }
    }

    /// <summary>
    /// dx[n,c,h,v] += Σ_{k,r,s} w[k, c − c0(k), r, s] · dy[n, k, h + ph − r, v + pw − s] (dy zero outside P × Q), computed as the
    /// Winograd forward of dy with the flipped, transposed filters. Each element's sum is formed first and added once.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; 3×3 filters, stride 1, dilation 1, no depth axis.</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="w">Filters (K, C/G, 3, 3).</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <param name="tileSize">Output tile side m: 2 or 4, or 0 for <see cref="TileSize"/> of the data gradient's H × W output.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one Winograd does not handle (<c>g</c>), a span shorter than its tensor, or a tile size other than 0, 2 or 4.</exception>
    public static void BackwardData(ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx, int threads, int tileSize = 0)
    {
        ConvSupport.CheckBackwardData(g, dy.Length, w.Length, dx.Length);
        Check(g, tileSize);
        if (g.N == 0 || g.C == 0 || g.K == 0 || g.InputVolume == 0) return;
        int h = g.Height.Input, wd = g.Width.Input;
        var t = Tile.Of(tileSize != 0 ? tileSize : TileSide(h, wd));
        // The transposed problem: K input planes of P × Q, C outputs of H × W, padding 2 − p before.
        var plan = new Plan(t, g.N, g.K, g.C, g.Groups, g.Height.Output, g.Width.Output, h, wd, 2 - g.Height.PadBefore, 2 - g.Width.PadBefore);
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
    /// dw[k,c',r,s] += Σ_{n,p,q} dy[n,k,p,q] · x[n, c0(k) + c', p − ph + r, q − pw + s] computed in the Winograd transform domain
    /// (file header), and db[k] += Σ_{n,p,q} dy[n,k,p,q]. Each sum is formed first and added once; either destination may be empty.
    /// </summary>
    /// <param name="g">Geometry of the forward convolution; 3×3 filters, stride 1, dilation 1, no depth axis.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="dy">Output gradient (N, K, P, Q).</param>
    /// <param name="dw">Filter gradient (K, C/G, 3, 3), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <param name="tileSize">Output tile side m: 2 or 4, or 0 for <see cref="TileSize"/>.</param>
    /// <exception cref="ArgumentException">Invalid geometry or one Winograd does not handle (<c>g</c>), a span shorter than its tensor, a db neither empty nor K long, or a tile size other than 0, 2 or 4.</exception>
    public static void BackwardWeights(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dw, Span<float> db,
        int threads, int tileSize = 0)
    {
        ConvSupport.CheckBackwardWeights(g, x.Length, dy.Length, dw.Length, db.Length);
        var t = Check(g, tileSize);
        if (!db.IsEmpty) ConvNdKernel.BiasGradient(g.N, g.K, g.OutputVolume, dy[..(int)g.OutputLength], db);
        if (dw.IsEmpty || g.K == 0 || g.C == 0) return;
        var plan = new Plan(t, g.N, g.C, g.K, g.Groups, g.Height.Input, g.Width.Input, g.Height.Output, g.Width.Output, g.Height.PadBefore, g.Width.PadBefore);
        fixed (float* px = x, pdy = dy, pdw = dw)
        {
            WeightGradient(plan, px, pdy, pdw, threads);
        }
    }

    private static Tile Check(in ConvGeometry g, int tileSize)
    {
        if (!IsApplicable(g))
            throw new ArgumentException($"Winograd convolution needs 3×3 filters, stride 1, dilation 1 and no depth axis; got {g}.", nameof(g));
        if (tileSize is not (0 or 2 or 4))
            throw new ArgumentException($"Winograd tile size must be 2, 4 or 0 (automatic), got {tileSize}.", nameof(tileSize));
        return Tile.Of(tileSize != 0 ? tileSize : TileSize(g));
    }

    /// <summary>F(m×m, 3×3): the tile sizes and the filter transform G (α×3, row-major); Bᵀ and Aᵀ are in <see cref="WinogradTransforms"/>.</summary>
    private sealed class Tile
    {
        private static readonly Tile F2 = new(2, [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1]);

        private static readonly Tile F4 = new(4,
            [1.0 / 4, 0, 0, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 24, 1.0 / 12, 1.0 / 6, 1.0 / 24, -1.0 / 12, 1.0 / 6, 0, 0, 1]);

        private Tile(int m, double[] g)
        {
            M = m;
            Alpha = m + 2;
            G = g;
        }

        public int M { get; }

        public int Alpha { get; }

        public int Positions => Alpha * Alpha;

        public double[] G { get; }

        public static Tile Of(int m) => m == 4 ? F4 : F2;
    }

    /// <summary>
    /// One Winograd convolution: Cin planes of H × W per image in, Kout planes of P × Q out, padding (top, left) before
    /// (may be negative: a crop). Tiles: Th × Tw per image; the padded, phase-split input rows hold m phases of PhaseLength.
    /// </summary>
    private readonly struct Plan
    {
        public Plan(Tile tile, int n, int cin, int kout, int groups, int h, int w, int p, int q, int top, int left)
        {
            Tile = tile;
            (N, Cin, Kout, Groups, H, W, P, Q, Top, Left) = (n, cin, kout, groups, h, w, p, q, top, left);
            int m = tile.M;
            Th = (p + m - 1) / m;
            Tw = (q + m - 1) / m;
            // Whole vectors of 8 tiles, plus the one index past the last tile a transform reads (⌊(α − 1) / m⌋ = 1),
            // rounded to whole vectors again, so the phase split runs in vectors only (no scalar tail per row).
            PhaseLength = ConvSupport.RoundUp(Tw, 8) + 8;
            // About 2^20 floats of V and M per chunk (4 MiB), at least 32 tiles for the GEMMs' width.
            int target = Math.Clamp((1 << 20) / (tile.Positions * (cin + kout)), 32, 512);
            RowsPerChunk = Math.Max(1, target / Tw);
        }

        public Tile Tile { get; }

        public int N { get; }

        public int Cin { get; }

        public int Kout { get; }

        public int Groups { get; }

        public int H { get; }

        public int W { get; }

        public int P { get; }

        public int Q { get; }

        public int Top { get; }

        public int Left { get; }

        public int Th { get; }

        public int Tw { get; }

        public int PhaseLength { get; }

        public int RowsPerChunk { get; }

        public int RowStride => Tile.M * PhaseLength;

        public int TileRows => N * Th;

        public int Chunks => (TileRows + RowsPerChunk - 1) / RowsPerChunk;

        public int MaxTiles => RowsPerChunk * Tw;

        /// <summary>
        /// Padded rows one image's tile rows of a chunk need at most: consecutive tile rows share α − m input rows, so they
        /// are filled once for the run (InputRows).
        /// </summary>
        public int RunRows => (Math.Min(RowsPerChunk, Th) - 1) * Tile.M + Tile.Alpha;

        /// <summary>Floats of the per-thread row buffer: <see cref="RunRows"/> padded rows, then one zero-padded source row.</summary>
        public int RowBufferLength => RunRows * RowStride + Tile.M * PhaseLength + 32;

        /// <summary>Floats per transform position in V (C × T) or M (K × T), plus 8 of slack for whole-vector reads.</summary>
        public long Slab(int channels) => (long)channels * MaxTiles + 8;
    }

    /// <summary>
    /// Rows [first, first + count) of one plane in the padded, phase-split layout: buffer row r, column col hold source
    /// (r − top, col − left), zero outside. Each source row is laid out zero-padded in <paramref name="scratch"/> (m·L + 32
    /// floats), then split into its m phases 8 outputs at a time by AVX2 shuffles (a scalar loop elsewhere). The tile rows of
    /// a chunk are filled just before their transform, so the copy stays in cache.
    /// </summary>
    private static void FillRows(in Plan plan, float* plane, int first, int count, float* dst, float* scratch)
    {
        int m = plan.Tile.M, length = plan.PhaseLength, padded = m * length;
        for (int r = first; r < first + count; r++, dst += plan.RowStride)
        {
            int i = r - plan.Top;
            if (i < 0 || i >= plan.H)
            {
                new Span<float>(dst, plan.RowStride).Clear();
                continue;
            }
            // scratch[col] = x[i, col − left] for col in [0, m·L), zero outside the source row.
            float* srow = plane + (long)i * plan.W;
            int c0 = Math.Clamp(plan.Left, 0, padded), c1 = Math.Clamp(plan.Left + plan.W, c0, padded);
            new Span<float>(scratch, c0).Clear();
            new ReadOnlySpan<float>(srow + (c0 - plan.Left), c1 - c0).CopyTo(new Span<float>(scratch + c0, c1 - c0));
            new Span<float>(scratch + c1, padded + 32 - c1).Clear();
            Deinterleave(m, scratch, dst, length);
        }
    }

    /// <summary>
    /// V for input channel <paramref name="c"/> of the chunk's tile rows [first, first + count) (chunk rows; the chunk starts
    /// at global tile row <paramref name="chunkRow0"/>): the padded rows of each image's run of tile rows are filled once, then
    /// each tile row is transformed from them. <paramref name="rowBuffer"/> holds <see cref="Plan.RowBufferLength"/> floats.
    /// </summary>
    private static void InputRows(in Plan plan, float* x, int c, int chunkRow0, int first, int count, int tiles, float* v, long vSlab,
        float* rowBuffer)
    {
        int m = plan.Tile.M, alpha = plan.Tile.Alpha;
        float* scratch = rowBuffer + (long)plan.RunRows * plan.RowStride;
        // Offset of tile element (i, e) from the row's first tile: row i, phase e mod m, index ⌊e / m⌋ (m is 2 or 4).
        int* offsets = stackalloc int[36];
        int shift = m == 4 ? 2 : 1;
        for (int i = 0; i < alpha; i++)
            for (int e = 0; e < alpha; e++) offsets[i * alpha + e] = i * plan.RowStride + (e & (m - 1)) * plan.PhaseLength + (e >> shift);
        for (int r = first; r < first + count;)
        {
            int n = (chunkRow0 + r) / plan.Th, ti = chunkRow0 + r - n * plan.Th;
            int run = Math.Min(first + count - r, plan.Th - ti);
            FillRows(plan, x + ((long)n * plan.Cin + c) * plan.H * plan.W, ti * m, (run - 1) * m + alpha, rowBuffer, scratch);
            for (int j = 0; j < run; j++)
            {
                // A row's last vector may store whole lanes past the row, into the next tile rows' first tiles, which those
                // rows then overwrite; a row whose spill would pass the range's end (other channels' tiles lie there) stores
                // only its own lanes.
                bool exact = (long)(first + count - (r + j)) * plan.Tw < ((plan.Tw - 1) & ~7) + 8;
                InputTransform(plan, rowBuffer + (long)j * m * plan.RowStride, v + (long)c * tiles + (r + j) * plan.Tw, vSlab, offsets, exact);
            }
            r += run;
        }
    }

    /// <summary>d[φ·L + j] = row[φ + m·j] for j &lt; L (row holds at least m·L + 32 readable floats).</summary>
    private static void Deinterleave(int m, float* row, float* d, int length)
    {
        int j = 0;
        if (Avx2.IsSupported)
        {
            if (m == 4)
            {
                var order = Vector256.Create(0, 4, 1, 5, 2, 6, 3, 7);
                for (; j + 8 <= length; j += 8)
                {
                    // Each register holds (a, a+4) pairs; a 4×4 transpose of those 64-bit pairs gathers each phase.
                    float* from = row + 4 * j;
                    var v0 = Avx2.PermuteVar8x32(Vector256.Load(from), order).AsDouble();
                    var v1 = Avx2.PermuteVar8x32(Vector256.Load(from + 8), order).AsDouble();
                    var v2 = Avx2.PermuteVar8x32(Vector256.Load(from + 16), order).AsDouble();
                    var v3 = Avx2.PermuteVar8x32(Vector256.Load(from + 24), order).AsDouble();
                    Vector256<double> t0 = Avx.UnpackLow(v0, v1), t1 = Avx.UnpackHigh(v0, v1), t2 = Avx.UnpackLow(v2, v3), t3 = Avx.UnpackHigh(v2, v3);
                    Avx.Permute2x128(t0, t2, 0x20).AsSingle().Store(d + j);
                    Avx.Permute2x128(t1, t3, 0x20).AsSingle().Store(d + length + j);
                    Avx.Permute2x128(t0, t2, 0x31).AsSingle().Store(d + 2 * length + j);
                    Avx.Permute2x128(t1, t3, 0x31).AsSingle().Store(d + 3 * length + j);
                }
            }
            else
            {
                var order = Vector256.Create(0, 2, 4, 6, 1, 3, 5, 7);
                for (; j + 8 <= length; j += 8)
                {
                    float* from = row + 2 * j;
                    var v0 = Avx2.PermuteVar8x32(Vector256.Load(from), order);
                    var v1 = Avx2.PermuteVar8x32(Vector256.Load(from + 8), order);
                    Avx.Permute2x128(v0, v1, 0x20).Store(d + j);
                    Avx.Permute2x128(v0, v1, 0x31).Store(d + length + j);
                }
            }
        }
        for (; j < length; j++)
            for (int phase = 0; phase < m; phase++) d[phase * length + j] = row[phase + m * j];
    }

    /// <summary>U[ξ][k][c] = (G·w[k,c]·Gᵀ)[ξ], accumulated in double and rounded once. One item per filter k.</summary>
    private readonly struct FilterTransformBody(Tile tile, int cg, int kout, float* w, float* u) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int alpha = tile.Alpha;
            var gm = tile.G;
            Span<double> tmp = stackalloc double[3 * 6];
            for (int k = start; k < end; k++)
            {
                int c = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; c + 8 <= cg; c += 8) EightChannels(k, c);
                for (; c < cg; c++)
                {
                    float* f = w + ((long)k * cg + c) * 9;
                    // tmp[a][s] = Σ_r G[a][r] · f[r][s]
                    for (int a = 0; a < alpha; a++)
                        for (int s = 0; s < 3; s++)
                            tmp[a * 3 + s] = gm[a * 3] * f[s] + gm[a * 3 + 1] * f[3 + s] + gm[a * 3 + 2] * f[6 + s];
                    for (int a = 0; a < alpha; a++)
                        for (int b = 0; b < alpha; b++)
                        {
                            double v = tmp[a * 3] * gm[b * 3] + tmp[a * 3 + 1] * gm[b * 3 + 1] + tmp[a * 3 + 2] * gm[b * 3 + 2];
                            u[((long)(a * alpha + b) * kout + k) * cg + c] = (float)v;
                        }
                }
            }
        }

        /// <summary>
        /// The transforms of filters (k, c .. c+7), each lane one filter: the same double products and sums in the same
        /// order as the scalar loop (no fused multiply-add), so the same bits, stored as 8 consecutive floats of U.
        /// </summary>
        private void EightChannels(int k, int c)
        {
            int alpha = tile.Alpha;
            var gm = tile.G;
            // f[r·3 + s] for the 8 filters, lanes split over two 4-double vectors.
            double* f = stackalloc double[9 * 8];
            float* src = w + ((long)k * cg + c) * 9;
            for (int lane = 0; lane < 8; lane++)
                for (int i = 0; i < 9; i++) f[i * 8 + lane] = src[lane * 9 + i];
            var t = stackalloc Vector256<double>[2 * 3 * 6];
            for (int a = 0; a < alpha; a++)
            {
                var g0 = Vector256.Create(gm[a * 3]); var g1 = Vector256.Create(gm[a * 3 + 1]); var g2 = Vector256.Create(gm[a * 3 + 2]);
                for (int s = 0; s < 3; s++)
                    for (int h = 0; h < 2; h++)
                        t[(a * 3 + s) * 2 + h] = g0 * Vector256.Load(f + s * 8 + h * 4) + g1 * Vector256.Load(f + (3 + s) * 8 + h * 4)
                            + g2 * Vector256.Load(f + (6 + s) * 8 + h * 4);
            }
            for (int a = 0; a < alpha; a++)
                for (int b = 0; b < alpha; b++)
                {
                    var g0 = Vector256.Create(gm[b * 3]); var g1 = Vector256.Create(gm[b * 3 + 1]); var g2 = Vector256.Create(gm[b * 3 + 2]);
                    var lo = t[(a * 3) * 2] * g0 + t[(a * 3 + 1) * 2] * g1 + t[(a * 3 + 2) * 2] * g2;
                    var hi = t[(a * 3) * 2 + 1] * g0 + t[(a * 3 + 1) * 2 + 1] * g1 + t[(a * 3 + 2) * 2 + 1] * g2;
                    Vector256.Narrow(lo, hi).Store(u + ((long)(a * alpha + b) * kout + k) * cg + c);
                }
        }
    }

    /// <summary>The forward on prepared pointers: padded copy, filter transform, then the chunks.</summary>
    private static void Convolve(in Plan plan, float* x, float* w, float* bias, float* y, bool relu, bool accumulate, int threads)
    {
        var tile = plan.Tile;
        int cg = plan.Cin / plan.Groups;
        int kg = plan.Kout / plan.Groups;
        long uLength = (long)tile.Positions * plan.Kout * cg;
        long packedLength = GemmKernel.PackedALength(kg, cg);
        float[] transformed = ArrayPool<float>.Shared.Rent((int)uLength);
        float[] packedArray = ArrayPool<float>.Shared.Rent(checked((int)(tile.Positions * plan.Groups * packedLength)));
        try
        {
            fixed (float* transformedU = transformed, pu = packedArray)
            {
                ParallelFor.Run(plan.Kout, threads, new FilterTransformBody(tile, cg, plan.Kout, w, transformedU), minItemsPerThread: 4);
                // Every chunk multiplies the same U_ξ,g: packed for the GEMM micro-kernel once here, not once per chunk.
                ParallelFor.Run(tile.Positions * plan.Groups, threads, new PackFiltersBody(plan, transformedU, pu, packedLength));
                int chunks = plan.Chunks;
                // Threads claim chunks one at a time from a shared counter rather than taking fixed halves: on a
                // busy machine a thread that loses its core for a while leaves its chunks to the others instead
                // of holding the call up. A chunk is computed the same way by whichever thread claims it.
                int nextChunk = 0;
                if (chunks >= threads || threads == 1)
                    ParallelFor.Run(chunks, threads, new ChunkBody(plan, x, pu, bias, y, relu, accumulate, 1, threads > 1 ? &nextChunk : null));
                else
                    new ChunkBody(plan, x, pu, bias, y, relu, accumulate, threads).Invoke(0, chunks);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(packedArray);
            ArrayPool<float>.Shared.Return(transformed);
        }
    }

    /// <summary>Items (position ξ, group): U_ξ,g (K/G × C/G) packed into GEMM slivers at <paramref name="packed"/> + item · packedLength.</summary>
    private readonly struct PackFiltersBody(Plan plan, float* u, float* packed, long packedLength) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int cg = plan.Cin / plan.Groups, kg = plan.Kout / plan.Groups;
            for (int item = start; item < end; item++)
            {
                int xi = item / plan.Groups, grp = item - xi * plan.Groups;
                GemmKernel.PackA(false, kg, cg, 1f, u + ((long)xi * plan.Kout + grp * kg) * cg, packed + item * packedLength);
            }
        }
    }

    /// <summary>
    /// Whole chunks of tile rows: padded copy and input transform per tile row, α² GEMMs, output transform with the epilogue.
    /// With <paramref name="nextChunk"/> null it runs chunks [start, end); otherwise it ignores the range and claims
    /// chunks from that shared counter until none is left.
    /// </summary>
    private readonly partial struct ChunkBody(Plan plan, float* x, float* u, float* bias, float* y, bool relu, bool accumulate, int gemmThreads,
        int* nextChunk = null) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            var tile = plan.Tile;
            long vSlab = plan.Slab(plan.Cin), mSlab = plan.Slab(plan.Kout);
            float[] vArray = ArrayPool<float>.Shared.Rent((int)(tile.Positions * vSlab));
            float[] mArray = ArrayPool<float>.Shared.Rent((int)(tile.Positions * mSlab));
            // The α padded input rows of one tile row (one channel at a time), and one zero-padded source row.
            float[] rowsArray = ArrayPool<float>.Shared.Rent(plan.RowBufferLength);
            try
            {
                fixed (float* v = vArray, mm = mArray, rowBuffer = rowsArray)
                {
                    int limit = nextChunk == null ? end : plan.Chunks;
                    for (int chunk = nextChunk == null ? start : Interlocked.Increment(ref *nextChunk) - 1; chunk < limit;
                         chunk = nextChunk == null ? chunk + 1 : Interlocked.Increment(ref *nextChunk) - 1)
                    {
                        int row0 = chunk * plan.RowsPerChunk, rows = Math.Min(plan.RowsPerChunk, plan.TileRows - row0);
                        int tiles = rows * plan.Tw;
                        if (gemmThreads > 1)
                        {
                            // Fewer chunks than threads (a small batch): each stage of the chunk is split across the
                            // threads — channels for the input transform, (position, group) GEMMs, filters for the
                            // output transform — computing exactly what the one-thread loops below compute.
                            ChunkAcrossThreads(v, mm, vSlab, mSlab, row0, rows, tiles);
                            continue;
                        }
                        for (int c = 0; c < plan.Cin; c++) InputRows(plan, x, c, row0, 0, rows, tiles, v, vSlab, rowBuffer);
                        int cg = plan.Cin / plan.Groups, kg = plan.Kout / plan.Groups;
                        for (int xi = 0; xi < tile.Positions; xi++)
                            for (int grp = 0; grp < plan.Groups; grp++)
                            {
                                // M_ξ,g (K/G × T) = U_ξ,g (K/G × C/G, packed) · V_ξ,g (C/G × T)
                                GemmKernel.GemmPackedA(kg, tiles, cg, u + (xi * plan.Groups + grp) * GemmKernel.PackedALength(kg, cg), false,
                                    v + xi * vSlab + (long)grp * cg * tiles, 0f, mm + xi * mSlab + (long)grp * kg * tiles, gemmThreads);
                            }
                        for (int k = 0; k < plan.Kout; k++)
                            for (int r = 0; r < rows; r++)
                                OutputTransform(plan, mm + (long)k * tiles + r * plan.Tw, mSlab, row0 + r, k,
                                    bias == null ? 0f : bias[k], y, relu, accumulate);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rowsArray);
                ArrayPool<float>.Shared.Return(mArray);
                ArrayPool<float>.Shared.Return(vArray);
            }
        }
    }

    private readonly partial struct ChunkBody
    {
        private void ChunkAcrossThreads(float* v, float* mm, long vSlab, long mSlab, int row0, int rows, int tiles)
        {
            ParallelFor.Run(plan.Cin, gemmThreads, new ChunkInputBody(plan, x, v, vSlab, row0, rows, tiles));
            ParallelFor.Run(plan.Tile.Positions * plan.Groups, gemmThreads, new ChunkGemmBody(plan, u, v, mm, vSlab, mSlab, tiles));
            ParallelFor.Run(plan.Kout, gemmThreads, new ChunkOutputBody(plan, mm, mSlab, row0, rows, tiles, bias, y, relu, accumulate));
        }
    }

    /// <summary>Items: input channel c of one chunk, padded rows and input transform, as ChunkBody's loop.</summary>
    private readonly struct ChunkInputBody(Plan plan, float* x, float* v, long vSlab, int row0, int rows, int tiles) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            float[] rowsArray = ArrayPool<float>.Shared.Rent(plan.RowBufferLength);
            try
            {
                fixed (float* rowBuffer = rowsArray)
                {
                    for (int c = start; c < end; c++) InputRows(plan, x, c, row0, 0, rows, tiles, v, vSlab, rowBuffer);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rowsArray);
            }
        }
    }

    /// <summary>Items (position ξ, group): M_ξ,g = U_ξ,g · V_ξ,g, one-thread GEMMs.</summary>
    private readonly struct ChunkGemmBody(Plan plan, float* u, float* v, float* mm, long vSlab, long mSlab, int tiles) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int cg = plan.Cin / plan.Groups, kg = plan.Kout / plan.Groups;
            for (int item = start; item < end; item++)
            {
                int xi = item / plan.Groups, grp = item - xi * plan.Groups;
                GemmKernel.GemmPackedA(kg, tiles, cg, u + item * GemmKernel.PackedALength(kg, cg), false,
                    v + xi * vSlab + (long)grp * cg * tiles, 0f, mm + xi * mSlab + (long)grp * kg * tiles, 1);
            }
        }
    }

    /// <summary>Items: filter k, the output transform of its tiles in the chunk.</summary>
    private readonly struct ChunkOutputBody(Plan plan, float* mm, long mSlab, int row0, int rows, int tiles, float* bias, float* y, bool relu,
        bool accumulate) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int k = start; k < end; k++)
                for (int r = 0; r < rows; r++)
                    OutputTransform(plan, mm + (long)k * tiles + r * plan.Tw, mSlab, row0 + r, k, bias == null ? 0f : bias[k], y, relu, accumulate);
        }
    }

    /// <summary>
    /// V[ξ][c][t] = (Bᵀ·d·B)[ξ] for the tiles of one tile row of one channel, from its α padded, phase-split input rows
    /// <paramref name="rows"/>, 8 tiles per vector; <paramref name="dst"/> points at tile 0 of the row in position 0's slab,
    /// positions are <paramref name="slab"/> apart.
    /// </summary>
    private static void InputTransform(in Plan plan, float* rows, float* dst, long slab, int* offsets, bool exactLanes)
    {
        if (plan.Tile.M == 2) InputTransformF2(plan, rows, dst, slab, offsets, exactLanes);
        else InputTransformF4(plan, rows, dst, slab, offsets, exactLanes);
    }

    /// <summary>
    /// y[n,k, tile] = Aᵀ·M·A (+ bias, ReLU or added to y) for the tiles of one tile row of output channel k, clipped to P × Q.
    /// <paramref name="src"/> points at tile 0 of the row in position 0's slab.
    /// </summary>
    private static void OutputTransform(in Plan plan, float* src, long slab, int tileRow, int k, float bias, float* y,
        bool relu, bool accumulate)
    {
        if (plan.Tile.M == 2) OutputTransformF2(plan, src, slab, tileRow, k, bias, y, relu, accumulate);
        else OutputTransformF4(plan, src, slab, tileRow, k, bias, y, relu, accumulate);
    }

    /// <summary>
    /// <see cref="InputTransform"/> for F(2×2,3×3) with the 4×4 tile in register locals: Bᵀ·d·B as rows, then columns, each
    /// (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
    /// </summary>
    private static void InputTransformF2(in Plan plan, float* rows, float* dst, long slab, int* offsets, bool exactLanes)
    {
        for (int j0 = 0; j0 < plan.Tw; j0 += 8)
        {
            float* r = rows + j0;
            Vector256<float> d00 = Vector256.Load(r + offsets[0]), d01 = Vector256.Load(r + offsets[1]), d02 = Vector256.Load(r + offsets[2]), d03 = Vector256.Load(r + offsets[3]);
            Vector256<float> d10 = Vector256.Load(r + offsets[4]), d11 = Vector256.Load(r + offsets[5]), d12 = Vector256.Load(r + offsets[6]), d13 = Vector256.Load(r + offsets[7]);
            Vector256<float> d20 = Vector256.Load(r + offsets[8]), d21 = Vector256.Load(r + offsets[9]), d22 = Vector256.Load(r + offsets[10]), d23 = Vector256.Load(r + offsets[11]);
            Vector256<float> d30 = Vector256.Load(r + offsets[12]), d31 = Vector256.Load(r + offsets[13]), d32 = Vector256.Load(r + offsets[14]), d33 = Vector256.Load(r + offsets[15]);
            // t = d·B, row by row: (d0 − d2, d1 + d2, d2 − d1, d1 − d3).
            Vector256<float> t00 = d00 - d02, t01 = d01 + d02, t02 = d02 - d01, t03 = d01 - d03;
            Vector256<float> t10 = d10 - d12, t11 = d11 + d12, t12 = d12 - d11, t13 = d11 - d13;
            Vector256<float> t20 = d20 - d22, t21 = d21 + d22, t22 = d22 - d21, t23 = d21 - d23;
            Vector256<float> t30 = d30 - d32, t31 = d31 + d32, t32 = d32 - d31, t33 = d31 - d33;
            // V = Bᵀ·t, column by column; position ξ = a·4 + b.
            int lanes = exactLanes ? Math.Min(8, plan.Tw - j0) : 8;
            float* o = dst + j0;
            StoreLanes(t00 - t20, o, lanes); StoreLanes(t01 - t21, o + slab, lanes); StoreLanes(t02 - t22, o + 2 * slab, lanes); StoreLanes(t03 - t23, o + 3 * slab, lanes);
            StoreLanes(t10 + t20, o + 4 * slab, lanes); StoreLanes(t11 + t21, o + 5 * slab, lanes); StoreLanes(t12 + t22, o + 6 * slab, lanes); StoreLanes(t13 + t23, o + 7 * slab, lanes);
            StoreLanes(t20 - t10, o + 8 * slab, lanes); StoreLanes(t21 - t11, o + 9 * slab, lanes); StoreLanes(t22 - t12, o + 10 * slab, lanes); StoreLanes(t23 - t13, o + 11 * slab, lanes);
            StoreLanes(t10 - t30, o + 12 * slab, lanes); StoreLanes(t11 - t31, o + 13 * slab, lanes); StoreLanes(t12 - t32, o + 14 * slab, lanes); StoreLanes(t13 - t33, o + 15 * slab, lanes);
        }
    }

    /// <summary>
    /// <see cref="OutputTransform"/> for F(2×2,3×3) with the tile in register locals: Aᵀ·M·A as rows, then columns, each
    /// (m0 + m1 + m2, m1 − m2 − m3).
    /// </summary>
    private static void OutputTransformF2(in Plan plan, float* src, long slab, int tileRow, int k, float bias, float* y,
        bool relu, bool accumulate)
    {
        int n = tileRow / plan.Th, ti = tileRow - n * plan.Th;
        float* plane = y + ((long)n * plan.Kout + k) * plan.P * plan.Q;
        var o = stackalloc Vector256<float>[4];
        float* spill = stackalloc float[2 * 8];
        var b0 = Vector256.Create(bias);
        int rowsOut = Math.Min(2, plan.P - ti * 2);
        for (int j0 = 0; j0 < plan.Tw; j0 += 8)
        {
            float* s = src + j0;
            Vector256<float> m00 = Vector256.Load(s), m01 = Vector256.Load(s + slab), m02 = Vector256.Load(s + 2 * slab), m03 = Vector256.Load(s + 3 * slab);
            Vector256<float> m10 = Vector256.Load(s + 4 * slab), m11 = Vector256.Load(s + 5 * slab), m12 = Vector256.Load(s + 6 * slab), m13 = Vector256.Load(s + 7 * slab);
            Vector256<float> m20 = Vector256.Load(s + 8 * slab), m21 = Vector256.Load(s + 9 * slab), m22 = Vector256.Load(s + 10 * slab), m23 = Vector256.Load(s + 11 * slab);
            Vector256<float> m30 = Vector256.Load(s + 12 * slab), m31 = Vector256.Load(s + 13 * slab), m32 = Vector256.Load(s + 14 * slab), m33 = Vector256.Load(s + 15 * slab);
            // t = M·A, row by row: (m0 + m1 + m2, m1 − m2 − m3).
            Vector256<float> t00 = m00 + m01 + m02, t01 = m01 - m02 - m03;
            Vector256<float> t10 = m10 + m11 + m12, t11 = m11 - m12 - m13;
            Vector256<float> t20 = m20 + m21 + m22, t21 = m21 - m22 - m23;
            Vector256<float> t30 = m30 + m31 + m32, t31 = m31 - m32 - m33;
            // out = Aᵀ·t, column by column, then the bias and the epilogue.
            Vector256<float> o00 = t00 + t10 + t20 + b0, o01 = t01 + t11 + t21 + b0;
            Vector256<float> o10 = t10 - t20 - t30 + b0, o11 = t11 - t21 - t31 + b0;
            if (relu)
            {
                o00 = Vector256.Max(o00, Vector256<float>.Zero); o01 = Vector256.Max(o01, Vector256<float>.Zero);
                o10 = Vector256.Max(o10, Vector256<float>.Zero); o11 = Vector256.Max(o11, Vector256<float>.Zero);
            }
            o[0] = o00; o[1] = o01; o[2] = o10; o[3] = o11;
            StoreOutputRows(plan, o, plane, ti, j0, rowsOut, accumulate, spill);
        }
    }

    /// <summary>
    /// <see cref="InputTransform"/> for F(4×4,3×3): each input row goes from memory through the row transform in registers,
    /// only the 6×6 intermediate is kept in a stack array, and each column's transform is stored straight to V.
    /// </summary>
    private static void InputTransformF4(in Plan plan, float* rows, float* dst, long slab, int* offsets, bool exactLanes)
    {
        var t = stackalloc Vector256<float>[36];
        for (int j0 = 0; j0 < plan.Tw; j0 += 8)
        {
            float* r = rows + j0;
            for (int i = 0; i < 6; i++)
            {
                int* off = offsets + i * 6;
                WinogradTransforms.Input6(Vector256.Load(r + off[0]), Vector256.Load(r + off[1]), Vector256.Load(r + off[2]),
                    Vector256.Load(r + off[3]), Vector256.Load(r + off[4]), Vector256.Load(r + off[5]),
                    out t[i * 6], out t[i * 6 + 1], out t[i * 6 + 2], out t[i * 6 + 3], out t[i * 6 + 4], out t[i * 6 + 5]);
            }
            int lanes = exactLanes ? Math.Min(8, plan.Tw - j0) : 8;
            float* o = dst + j0;
            for (int b = 0; b < 6; b++)
            {
                WinogradTransforms.Input6(t[b], t[6 + b], t[12 + b], t[18 + b], t[24 + b], t[30 + b],
                    out var v0, out var v1, out var v2, out var v3, out var v4, out var v5);
                StoreLanes(v0, o + b * slab, lanes);
                StoreLanes(v1, o + (6 + b) * slab, lanes);
                StoreLanes(v2, o + (12 + b) * slab, lanes);
                StoreLanes(v3, o + (18 + b) * slab, lanes);
                StoreLanes(v4, o + (24 + b) * slab, lanes);
                StoreLanes(v5, o + (30 + b) * slab, lanes);
            }
        }
    }

    /// <summary>
    /// <see cref="OutputTransform"/> for F(4×4,3×3): each row of M goes from memory through the row transform in registers,
    /// only the 6×4 intermediate is kept in a stack array.
    /// </summary>
    private static void OutputTransformF4(in Plan plan, float* src, long slab, int tileRow, int k, float bias, float* y,
        bool relu, bool accumulate)
    {
        int n = tileRow / plan.Th, ti = tileRow - n * plan.Th;
        float* plane = y + ((long)n * plan.Kout + k) * plan.P * plan.Q;
        var t = stackalloc Vector256<float>[24];
        var o = stackalloc Vector256<float>[16];
        float* spill = stackalloc float[4 * 8];
        var b0 = Vector256.Create(bias);
        int rowsOut = Math.Min(4, plan.P - ti * 4);
        for (int j0 = 0; j0 < plan.Tw; j0 += 8)
        {
            float* s = src + j0;
            for (int a = 0; a < 6; a++)
            {
                float* row = s + a * 6 * slab;
                WinogradTransforms.Output6(Vector256.Load(row), Vector256.Load(row + slab), Vector256.Load(row + 2 * slab),
                    Vector256.Load(row + 3 * slab), Vector256.Load(row + 4 * slab), Vector256.Load(row + 5 * slab),
                    out t[a * 4], out t[a * 4 + 1], out t[a * 4 + 2], out t[a * 4 + 3]);
            }
            for (int v = 0; v < 4; v++)
            {
                WinogradTransforms.Output6(t[v], t[4 + v], t[8 + v], t[12 + v], t[16 + v], t[20 + v],
                    out var o0, out var o1, out var o2, out var o3);
                o0 += b0; o1 += b0; o2 += b0; o3 += b0;
                if (relu)
                {
                    o0 = Vector256.Max(o0, Vector256<float>.Zero); o1 = Vector256.Max(o1, Vector256<float>.Zero);
                    o2 = Vector256.Max(o2, Vector256<float>.Zero); o3 = Vector256.Max(o3, Vector256<float>.Zero);
                }
                o[v] = o0; o[4 + v] = o1; o[8 + v] = o2; o[12 + v] = o3;
            }
            StoreOutputRows(plan, o, plane, ti, j0, rowsOut, accumulate, spill);
        }
    }

    /// <summary>
    /// The m × m output tiles of 8 tiles from j0 of tile row ti (o[u·m + v]: output row u, column v) into their plane, rows
    /// clipped to <paramref name="rowsOut"/> and columns to Q; stored or added. <paramref name="spill"/> holds m·8 floats.
    /// </summary>
    private static void StoreOutputRows(in Plan plan, Vector256<float>* o, float* plane, int ti, int j0, int rowsOut, bool accumulate, float* spill)
    {
        int m = plan.Tile.M;
        int lanes = Math.Min(8, plan.Tw - j0);
        bool whole = lanes == 8 && (j0 + 8) * m <= plan.Q;
        for (int uu = 0; uu < rowsOut; uu++)
        {
            float* orow = plane + (long)(ti * m + uu) * plan.Q + j0 * m;
            if (whole)
            {
                WinogradTransforms.StoreInterleaved(m, o + uu * m, orow, accumulate);
                continue;
            }
            // A partial group (fewer than 8 tiles, or the last tile clipped by Q): interleave into a row buffer, copy its prefix.
            WinogradTransforms.StoreInterleaved(m, o + uu * m, spill, accumulate: false);
            int count = Math.Min(lanes * m, plan.Q - j0 * m);
            if (accumulate)
                for (int i = 0; i < count; i++) orow[i] += spill[i];
            else
                new ReadOnlySpan<float>(spill, count).CopyTo(new Span<float>(orow, count));
        }
    }

    private static void StoreLanes(Vector256<float> v, float* dst, int lanes)
    {
        if (lanes == 8)
        {
            v.Store(dst);
        }
        else if (Avx.IsSupported)
        {
            // Lanes below `lanes` have their sign bit set in the mask: only they are written.
            var mask = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(lanes)).AsSingle();
            Avx.MaskStore(dst, mask, v);
        }
        else
        {
            for (int l = 0; l < lanes; l++) dst[l] = v.GetElement(l);
        }
    }

    /// <summary>The weight gradient: chunks in order, dU accumulated by the α² GEMMs (split across threads), then Gᵀ·dU·G.</summary>
    private static void WeightGradient(in Plan plan, float* x, float* dy, float* dw, int threads)
    {
        var tile = plan.Tile;
        int cg = plan.Cin / plan.Groups;
        long vSlab = plan.Slab(plan.Cin), mSlab = plan.Slab(plan.Kout), uLength = (long)tile.Positions * plan.Kout * cg;
        // dy in the same phase-split layout (m phases, zero beyond P × Q), rows padded to whole tiles.
        var dyPlan = new Plan(tile, plan.N, plan.Kout, plan.Kout, 1, plan.P, plan.Q, plan.P, plan.Q, 0, 0);
        float[] vArray = ArrayPool<float>.Shared.Rent((int)(tile.Positions * vSlab));
        float[] mArray = ArrayPool<float>.Shared.Rent((int)(tile.Positions * mSlab));
        float[] du = ArrayPool<float>.Shared.Rent((int)uLength);
        try
        {
            fixed (float* v = vArray, mm = mArray, pdu = du)
            {
                for (int chunk = 0; chunk < plan.Chunks; chunk++)
                {
                    int row0 = chunk * plan.RowsPerChunk, rows = Math.Min(plan.RowsPerChunk, plan.TileRows - row0);
                    int tiles = rows * plan.Tw;
                    ParallelFor.Run(plan.Cin + plan.Kout, threads, new TransformBothBody(plan, dyPlan, x, dy, v, mm, row0, rows, tiles, vSlab, mSlab));
                    ParallelFor.Run(tile.Positions * plan.Groups, threads, new WeightGemmBody(plan, v, mm, pdu, tiles, vSlab, mSlab, chunk == 0));
                }
                ParallelFor.Run(plan.Kout, threads, new WeightInverseBody(tile, cg, plan.Kout, pdu, dw), minItemsPerThread: 4);
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(du);
            ArrayPool<float>.Shared.Return(mArray);
            ArrayPool<float>.Shared.Return(vArray);
        }
    }

    /// <summary>
    /// Items 0..Cin−1: input transform of channel c; items Cin..: dM transform of output channel k, each tile row filled into a
    /// per-thread buffer just before its transform. Each item writes its own rows of V or dM.
    /// </summary>
    private readonly struct TransformBothBody(Plan plan, Plan dyPlan, float* x, float* dy, float* v, float* mm,
        int row0, int rows, int tiles, long vSlab, long mSlab) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            var tile = plan.Tile;
            int stride = Math.Max(plan.RowStride, dyPlan.RowStride), phases = Math.Max(plan.PhaseLength, dyPlan.PhaseLength);
            float[] rowsArray = ArrayPool<float>.Shared.Rent(Math.Max(plan.RowBufferLength, tile.Alpha * stride + tile.M * phases + 32));
            try
            {
                fixed (float* rowBuffer = rowsArray)
                {
                    float* scratch = rowBuffer + tile.Alpha * stride;
                    for (int item = start; item < end; item++)
                    {
                        if (item < plan.Cin)
                        {
                            InputRows(plan, x, item, row0, 0, rows, tiles, v, vSlab, rowBuffer);
                            continue;
                        }
                        int k = item - plan.Cin;
                        for (int r = 0; r < rows; r++)
                        {
                            int n = (row0 + r) / plan.Th, ti = row0 + r - n * plan.Th;
                            FillRows(dyPlan, dy + ((long)n * plan.Kout + k) * plan.P * plan.Q, ti * tile.M, tile.M, rowBuffer, scratch);
                            GradientTransform(dyPlan, rowBuffer, mm + (long)k * tiles + r * plan.Tw, mSlab);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rowsArray);
            }
        }
    }

    /// <summary>
    /// dM[ξ][k][t] = (A·dY·Aᵀ)[ξ] for the tiles of one tile row of one output channel, from its m phase-split gradient rows
    /// <paramref name="rows"/> (dY the m×m gradient tile, zero beyond P × Q).
    /// </summary>
    private static void GradientTransform(in Plan dyPlan, float* rows, float* dst, long slab)
    {
        int m = dyPlan.Tile.M, alpha = m + 2;
        var d = stackalloc Vector256<float>[16];
        var t = stackalloc Vector256<float>[24];
        var o = stackalloc Vector256<float>[36];
        for (int j0 = 0; j0 < dyPlan.Tw; j0 += 8)
        {
            for (int uu = 0; uu < m; uu++)
            {
                float* row = rows + (long)uu * dyPlan.RowStride + j0;
                for (int v = 0; v < m; v++) d[uu * m + v] = Vector256.Load(row + v * dyPlan.PhaseLength);
            }
            // t = dY·Aᵀ (each of the m rows: m → α), then dM = A·t (each of the α columns: m → α).
            for (int uu = 0; uu < m; uu++) WinogradTransforms.Gradient(m, d + uu * m, 1, t + uu * alpha, 1);
            for (int b = 0; b < alpha; b++) WinogradTransforms.Gradient(m, t + b, alpha, o + b, alpha);
            int lanes = Math.Min(8, dyPlan.Tw - j0);
            for (int xi = 0; xi < alpha * alpha; xi++) StoreLanes(o[xi], dst + xi * slab + j0, lanes);
        }
    }

    /// <summary>dU_ξ,g (K/G × C/G) += dM_ξ,g (K/G × T) · V_ξ,gᵀ (T × C/G); the first chunk overwrites. One item per (ξ, group).</summary>
    private readonly struct WeightGemmBody(Plan plan, float* v, float* mm, float* du, int tiles, long vSlab, long mSlab, bool first) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int cg = plan.Cin / plan.Groups, kg = plan.Kout / plan.Groups;
            for (int item = start; item < end; item++)
            {
                int xi = item / plan.Groups, grp = item - xi * plan.Groups;
                GemmKernel.Gemm(false, true, kg, cg, tiles, 1f,
                    new ReadOnlySpan<float>(mm + xi * mSlab + (long)grp * kg * tiles, kg * tiles),
                    new ReadOnlySpan<float>(v + xi * vSlab + (long)grp * cg * tiles, cg * tiles), first ? 0f : 1f,
                    new Span<float>(du + ((long)xi * plan.Kout + grp * kg) * cg, kg * cg), 1);
            }
        }
    }

    /// <summary>dw[k,c] += Gᵀ·dU[k,c]·G (3×3 from α×α), in double and rounded once. One item per filter k.</summary>
    private readonly struct WeightInverseBody(Tile tile, int cg, int kout, float* du, float* dw) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int alpha = tile.Alpha;
            var gm = tile.G;
            Span<double> tmp = stackalloc double[6 * 3];
            for (int k = start; k < end; k++)
            {
                int c = 0;
                if (Vector256.IsHardwareAccelerated)
                    for (; c + 8 <= cg; c += 8) EightChannels(k, c);
                for (; c < cg; c++)
                {
                    // tmp[a][s] = Σ_b dU[a][b] · G[b][s]
                    for (int a = 0; a < alpha; a++)
                        for (int s = 0; s < 3; s++)
                        {
                            double sum = 0;
                            for (int b = 0; b < alpha; b++) sum += du[((long)(a * alpha + b) * kout + k) * cg + c] * gm[b * 3 + s];
                            tmp[a * 3 + s] = sum;
                        }
                    float* dst = dw + ((long)k * cg + c) * 9;
                    for (int r = 0; r < 3; r++)
                        for (int s = 0; s < 3; s++)
                        {
                            double sum = 0;
                            for (int a = 0; a < alpha; a++) sum += gm[a * 3 + r] * tmp[a * 3 + s];
                            dst[r * 3 + s] += (float)sum;
                        }
                }
            }
        }

        /// <summary>
        /// The inverse transforms of filters (k, c .. c+7), each lane one channel: the same double products and sums in the
        /// same order as the scalar loop (no fused multiply-add), so the same bits; dU's 8 channels are consecutive floats.
        /// </summary>
        private void EightChannels(int k, int c)
        {
            int alpha = tile.Alpha;
            var gm = tile.G;
            var t = stackalloc Vector256<double>[2 * 6 * 3];
            for (int a = 0; a < alpha; a++)
                for (int s = 0; s < 3; s++)
                {
                    Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
                    for (int b = 0; b < alpha; b++)
                    {
                        var g = Vector256.Create(gm[b * 3 + s]);
                        var (l, h) = Vector256.Widen(Vector256.Load(du + ((long)(a * alpha + b) * kout + k) * cg + c));
                        lo += l * g;
                        hi += h * g;
                    }
                    t[(a * 3 + s) * 2] = lo;
                    t[(a * 3 + s) * 2 + 1] = hi;
                }
            float* sums = stackalloc float[8];
            float* dst = dw + ((long)k * cg + c) * 9;
            for (int r = 0; r < 3; r++)
                for (int s = 0; s < 3; s++)
                {
                    Vector256<double> lo = Vector256<double>.Zero, hi = Vector256<double>.Zero;
                    for (int a = 0; a < alpha; a++)
                    {
                        var g = Vector256.Create(gm[a * 3 + r]);
                        lo += g * t[(a * 3 + s) * 2];
                        hi += g * t[(a * 3 + s) * 2 + 1];
                    }
                    Vector256.Narrow(lo, hi).Store(sums);
                    for (int lane = 0; lane < 8; lane++) dst[lane * 9 + r * 3 + s] += sums[lane];
                }
        }
    }
}
