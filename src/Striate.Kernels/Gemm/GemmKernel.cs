// Single-precision matrix multiply for every level-3 operation (linear layers, im2col
// convolution and their backwards):
//   C[m, n] = alpha · Σ_k op(A)[m, k] · op(B)[k, n] + beta · C[m, n]
// A: (M, K) row-major, or (K, M) when transA.  B: (K, N), or (N, K) when transB.  C: (M, N).
//
// BLIS-style structure (Van Zee & van de Geijn): five loops around a register-tiled micro-kernel.
//   for jc in N step Nc:                      B block Kc × Nc, packed once, shared by the threads (L3)
//     for pc in K step Kc:
//       pack B[pc:pc+kc, jc:jc+nc] into Nr-column slivers   (threads split the slivers, or each packs its own)
//       for each (row block, column chunk) work item:                  (threads split the items)
//         pack A[rows, pc:pc+kc] into Mr-row slivers, scaled by alpha  (Mc × Kc, per thread, L2)
//         for jr over the chunk's Nr slivers:                           (a B sliver stays in L1 or L2)
//           for ir over the block's Mr slivers:  micro-kernel on the Mr × Nr tile of C
// The micro-kernels (GemmMicroKernel.cs) keep their tile in registers across a whole k block,
// reading C once before and writing it once after.
// Small problems skip the packing that would dominate them (ChoosePath):
//   * op(B) not transposed and op(A) at most two slivers of rows: each B element would be used once or
//     twice, so the kernel reads B in place (row stride n); only a ragged last sliver is packed.
//   * A row-major, B transposed and C small next to its edges (a weight gradient, 6×25 over k = 784):
//     rows of both are contiguous in k, so GemmDot3x3Vector computes dot products with no packing.
//
// Numerics and determinism: the first k block starts each accumulator at beta·C (or 0 when beta = 0,
// without reading C, so NaN there is ignored), later blocks continue from C, and every element is one
// chain of fused multiply-adds in the order k = 0 .. K−1. Nothing about the result depends on the
// thread count, the block sizes or the ISA: every outer-product variant produces the same bits. The
// dot path sums lane-wise in another fixed order (same bits for any thread count, not the same as the
// chain); which path runs depends on the shape alone.
//
// Workspaces come from ArrayPool (the packed B block per call, an A block per thread), so a steady
// stream of calls allocates nothing; the pointers are aligned to 64 bytes for the vector loads.
using System.Buffers;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Gemm;

/// <summary>The micro-kernel variants (tile and ISA in the name), selectable for tests and benchmarks.</summary>
internal enum GemmVariant
{
    /// <summary>The best variant this machine supports.</summary>
    Auto,
    /// <summary><see cref="Gemm4x4Scalar"/>.</summary>
    Gemm4x4Scalar,
    /// <summary><see cref="Gemm8x12Vector128"/>.</summary>
    Gemm8x12Vector128,
    /// <summary><see cref="Gemm6x16Avx2Fma"/>.</summary>
    Gemm6x16Avx2Fma,
    /// <summary><see cref="Gemm14x32Avx512"/>.</summary>
    Gemm14x32Avx512,
}

/// <summary>How a product is computed; Auto decides by shape (see the file header and <see cref="GemmKernel.ChoosePath"/>).</summary>
internal enum GemmPath
{
    /// <summary>Dot products for small C with row-major A and transposed B; B in place for few rows; packed otherwise.</summary>
    Auto,
    /// <summary>Outer-product micro-kernel over packed B.</summary>
    PackedB,
    /// <summary>Outer-product micro-kernel reading B in place (a transposed B is packed anyway).</summary>
    InPlaceB,
    /// <summary><see cref="GemmDot3x3Vector"/>: A row-major and B transposed only.</summary>
    Dot,
}

/// <summary>Packed, cache-blocked, register-tiled, multi-threaded SGEMM.</summary>
public static unsafe class GemmKernel
{
    // Below this many multiply-adds a call runs on one thread: handing work to the thread pool costs
    // several microseconds per parallel region. Measured with BenchmarkDotNet on the 2-core test machine:
    // 64×120×400 (3.1M, a linear layer at batch 64) took 78 µs on one thread and 97 µs on two.
    private const long ParallelMinMultiplyAdds = 1L << 22;

    /// <summary>The variant <see cref="Gemm"/> runs on this machine.</summary>
    internal static GemmVariant Best { get; } = SelectBest();

    /// <summary>
    /// The micro-kernel <see cref="Gemm"/> runs on this machine, named for its register tile and ISA:
    /// Gemm14x32Avx512, Gemm6x16Avx2Fma, Gemm8x12Vector128 (ARM64 NEON) or Gemm4x4Scalar.
    /// </summary>
    public static string MicroKernel => Best.ToString();

    /// <summary>
    /// C = alpha·op(A)·op(B) + beta·C for row-major matrices:
    /// C[i, j] = alpha · Σ_p op(A)[i, p] · op(B)[p, j] + beta · C[i, j].
    /// With <paramref name="beta"/> = 0, C is overwritten and its previous contents (even NaN) ignored;
    /// with <paramref name="alpha"/> = 0 or <paramref name="k"/> = 0, A and B are not read and C becomes beta·C.
    /// The result is bit-identical for every <paramref name="threads"/> value and from run to run.
    /// </summary>
    /// <param name="transA">A is stored (K, M) and used transposed; otherwise stored (M, K).</param>
    /// <param name="transB">B is stored (N, K) and used transposed; otherwise stored (K, N).</param>
    /// <param name="m">Rows of op(A) and of C.</param>
    /// <param name="n">Columns of op(B) and of C.</param>
    /// <param name="k">Columns of op(A), rows of op(B): the length of each dot product.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A: at least M·K values, row-major.</param>
    /// <param name="b">B: at least K·N values, row-major.</param>
    /// <param name="beta">Scale of the previous C.</param>
    /// <param name="c">C: (M, N) row-major, at least M·N values; only the first M·N are written.</param>
    /// <param name="threads">Upper bound on threads (1 runs on the calling thread).</param>
    /// <exception cref="ArgumentException"><paramref name="m"/>, <paramref name="n"/> or <paramref name="k"/> is negative, or <paramref name="a"/>, <paramref name="b"/> or <paramref name="c"/> is shorter than its matrix.</exception>
    public static void Gemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c, int threads) =>
        GemmOn(Best, GemmPath.Auto, transA, transB, m, n, k, alpha, a, b, beta, c, threads);

    /// <summary>Whether <paramref name="variant"/> runs on this machine.</summary>
    internal static bool IsSupported(GemmVariant variant) => variant switch
    {
        GemmVariant.Auto => true,
        GemmVariant.Gemm4x4Scalar => Gemm4x4Scalar.IsSupported,
        GemmVariant.Gemm8x12Vector128 => Gemm8x12Vector128.IsSupported,
        GemmVariant.Gemm6x16Avx2Fma => Gemm6x16Avx2Fma.IsSupported,
        GemmVariant.Gemm14x32Avx512 => Gemm14x32Avx512.IsSupported,
        _ => false,
    };

    /// <summary>Tile and block sizes of <paramref name="variant"/> (Auto: of the variant this machine runs).</summary>
    internal static (int Mr, int Nr, int Kc, int Mc, int Nc) BlockSizes(GemmVariant variant) => variant switch
    {
        GemmVariant.Auto => BlockSizes(Best),
        GemmVariant.Gemm4x4Scalar => Sizes<Gemm4x4Scalar>(),
        GemmVariant.Gemm8x12Vector128 => Sizes<Gemm8x12Vector128>(),
        GemmVariant.Gemm6x16Avx2Fma => Sizes<Gemm6x16Avx2Fma>(),
        GemmVariant.Gemm14x32Avx512 => Sizes<Gemm14x32Avx512>(),
        _ => throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown GEMM variant."),
    };

    /// <summary>
    /// <see cref="Gemm"/> on a chosen micro-kernel and path, so tests and benchmarks reach every variant on one machine.
    /// Below <c>parallelMinMultiplyAdds</c> multiply-adds one thread runs the call (tests pass 0 to split small problems).
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">This machine cannot run <paramref name="variant"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is Dot but A is transposed, B is not, or Vector&lt;float&gt; is not hardware-accelerated.</exception>
    internal static void GemmOn(GemmVariant variant, GemmPath path, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, float beta, Span<float> c, int threads,
        long parallelMinMultiplyAdds = ParallelMinMultiplyAdds)
    {
        if (m < 0) throw new ArgumentException($"m must be non-negative, got {m}.", nameof(m));
        if (n < 0) throw new ArgumentException($"n must be non-negative, got {n}.", nameof(n));
        if (k < 0) throw new ArgumentException($"k must be non-negative, got {k}.", nameof(k));
        if (a.Length < (long)m * k) throw new ArgumentException($"a holds {a.Length} values, needs {(long)m * k}.", nameof(a));
        if (b.Length < (long)k * n) throw new ArgumentException($"b holds {b.Length} values, needs {(long)k * n}.", nameof(b));
        if (c.Length < (long)m * n) throw new ArgumentException($"c holds {c.Length} values, needs {(long)m * n}.", nameof(c));
        if (variant == GemmVariant.Auto) variant = Best;
        if (!IsSupported(variant)) throw new PlatformNotSupportedException($"This machine cannot run the {variant} GEMM micro-kernel.");
        if (m == 0 || n == 0) return;

        var cm = c[..(m * n)];
        if (k == 0 || alpha == 0f)
        {
            // Σ over nothing (or scaled by zero): C = beta·C, and beta = 0 clears C whatever it held.
            if (beta == 0f) cm.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(cm, beta, cm);
            return;
        }

        path = ChoosePath(variant, path, transA, transB, m, n, k);
        threads = (long)m * n * k < parallelMinMultiplyAdds ? 1 : Math.Max(1, threads);
        fixed (float* pa = a, pb = b, pc = cm)
        {
            if (path == GemmPath.Dot)
            {
                GemmDot3x3Vector.Gemm(m, n, k, alpha, pa, pb, beta, pc, threads);
                return;
            }
            var args = new Problem(transA, transB, m, n, k, alpha, pa, pb, beta, pc, threads, path == GemmPath.InPlaceB);
            switch (variant)
            {
                case GemmVariant.Gemm14x32Avx512: Run<Gemm14x32Avx512>(args); break;
                case GemmVariant.Gemm6x16Avx2Fma: Run<Gemm6x16Avx2Fma>(args); break;
                case GemmVariant.Gemm8x12Vector128: Run<Gemm8x12Vector128>(args); break;
                default: Run<Gemm4x4Scalar>(args); break;
            }
        }
    }

    /// <summary>
    /// Floats <see cref="PackA"/> writes for an m × k op(A): ⌈m / Mr⌉·Mr·k for the micro-kernel this machine runs.
    /// </summary>
    /// <param name="m">Rows of op(A).</param>
    /// <param name="k">Columns of op(A).</param>
    internal static long PackedALength(int m, int k)
    {
        int mr = BlockSizes(Best).Mr;
        return (long)(m + mr - 1) / mr * mr * k;
    }

    /// <summary>
    /// Packs all of alpha·op(A) into the micro-kernel's slivers once, for <see cref="GemmPackedA"/> to reuse across calls
    /// (a Winograd call multiplies the same transformed filters by every chunk of tiles). Layout: column block pc (Kc
    /// wide, the last one narrower) at dst + pc·⌈m / Mr⌉·Mr; in it, sliver s at + s·Mr·kc, element (r, p) at [p·Mr + r].
    /// Rows of a partial last sliver are left unwritten (the kernels never read them).
    /// </summary>
    /// <param name="transA">A is stored (K, M); otherwise (M, K).</param>
    /// <param name="m">Rows of op(A).</param>
    /// <param name="k">Columns of op(A).</param>
    /// <param name="alpha">Scale folded into the packed values.</param>
    /// <param name="a">A, at least m·k values.</param>
    /// <param name="dst">At least <see cref="PackedALength"/> floats.</param>
    internal static void PackA(bool transA, int m, int k, float alpha, float* a, float* dst)
    {
        var (mr, _, kcMax, _, _) = BlockSizes(Best);
        int mSlivers = (m + mr - 1) / mr;
        for (int pc = 0; pc < k; pc += kcMax)
            GemmPacking.PackA(transA, a, m, k, 0, m, pc, Math.Min(kcMax, k - pc), alpha, mr, dst + (long)pc * mSlivers * mr);
    }

    /// <summary>
    /// C = A·op(B) + beta·C with A packed by <see cref="PackA"/> (alpha already folded in). Same bits as <see cref="Gemm"/>'s
    /// outer-product paths on the unpacked A (the same micro-kernel runs the same chains), for every thread count.
    /// </summary>
    /// <param name="m">Rows of A and C.</param>
    /// <param name="n">Columns of op(B) and C.</param>
    /// <param name="k">Columns of A, rows of op(B).</param>
    /// <param name="packedA">A in sliver layout, <see cref="PackedALength"/> floats.</param>
    /// <param name="transB">B is stored (N, K); otherwise (K, N).</param>
    /// <param name="b">B, at least k·n values.</param>
    /// <param name="beta">Scale of the previous C.</param>
    /// <param name="c">C (m, n) row-major.</param>
    /// <param name="threads">Upper bound on threads.</param>
    internal static void GemmPackedA(int m, int n, int k, float* packedA, bool transB, float* b, float beta, float* c, int threads)
    {
        if (m <= 0 || n <= 0) return;
        if (k == 0)
        {
            var cm = new Span<float>(c, checked(m * n));
            if (beta == 0f) cm.Clear();
            else if (beta != 1f) TensorPrimitives.Multiply(cm, beta, cm);
            return;
        }
        var variant = Best;
        var path = ChoosePath(variant, GemmPath.PackedB, false, transB, m, n, k);
        if (!transB && m <= 2 * BlockSizes(variant).Mr) path = GemmPath.InPlaceB;
        threads = (long)m * n * k < ParallelMinMultiplyAdds ? 1 : Math.Max(1, threads);
        var args = new Problem(false, transB, m, n, k, 1f, null, b, beta, c, threads, path == GemmPath.InPlaceB, packedA);
        switch (variant)
        {
            case GemmVariant.Gemm14x32Avx512: Run<Gemm14x32Avx512>(args); break;
            case GemmVariant.Gemm6x16Avx2Fma: Run<Gemm6x16Avx2Fma>(args); break;
            case GemmVariant.Gemm8x12Vector128: Run<Gemm8x12Vector128>(args); break;
            default: Run<Gemm4x4Scalar>(args); break;
        }
    }

    /// <summary>
    /// The path a call takes: <paramref name="requested"/>, or for Auto the dot form where it suits
    /// (<see cref="GemmDot3x3Vector.Suits"/>), B in place for at most two A slivers of rows, packing otherwise.
    /// The choice depends on the shape alone, never on the thread count.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="requested"/> is Dot where the dot form cannot run.</exception>
    internal static GemmPath ChoosePath(GemmVariant variant, GemmPath requested, bool transA, bool transB, int m, int n, int k)
    {
        if (variant == GemmVariant.Auto) variant = Best;
        bool dotFits = !transA && transB && GemmDot3x3Vector.IsSupported;
        switch (requested)
        {
            case GemmPath.Dot:
                if (!dotFits) throw new ArgumentException("The dot-product path needs A row-major, B transposed and hardware Vector<float>.", nameof(requested));
                return GemmPath.Dot;
            case GemmPath.PackedB:
                return GemmPath.PackedB;
            case GemmPath.InPlaceB:
                return transB ? GemmPath.PackedB : GemmPath.InPlaceB;
            default:
                if (dotFits && GemmDot3x3Vector.Suits(m, n, k)) return GemmPath.Dot;
                // One or two A slivers: each B element is used once or twice, so packing it costs more than it saves.
                return !transB && m <= 2 * BlockSizes(variant).Mr ? GemmPath.InPlaceB : GemmPath.PackedB;
        }
    }

    private static GemmVariant SelectBest()
    {
        // Vector512.IsHardwareAccelerated is false where the runtime judges 512-bit code slower
        // (cores that down-clock under AVX-512); there the AVX2 kernel is the better choice.
        if (Gemm14x32Avx512.IsSupported && Vector512.IsHardwareAccelerated) return GemmVariant.Gemm14x32Avx512;
        if (Gemm6x16Avx2Fma.IsSupported) return GemmVariant.Gemm6x16Avx2Fma;
        if (AdvSimd.Arm64.IsSupported) return GemmVariant.Gemm8x12Vector128;
        return GemmVariant.Gemm4x4Scalar;
    }

    private static (int, int, int, int, int) Sizes<TK>() where TK : struct, IGemmMicroKernel => (TK.Mr, TK.Nr, TK.Kc, TK.Mc, TK.Nc);

    /// <summary>The arguments of one call, as raw pointers (the spans are pinned by the caller).</summary>
    private readonly struct Problem(bool transA, bool transB, int m, int n, int k, float alpha,
        float* a, float* b, float beta, float* c, int threads, bool inPlaceB, float* packedA = null)
    {
        public readonly bool TransA = transA, TransB = transB;
        public readonly int M = m, N = n, K = k, Threads = threads;
        public readonly float Alpha = alpha, Beta = beta;
        public readonly float* A = a, B = b, C = c;
        public readonly bool InPlaceB = inPlaceB;

        /// <summary>All of op(A) already in sliver layout (<see cref="PackA"/>), or null: each work item packs its rows.</summary>
        public readonly float* PackedA = packedA;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Run<TK>(in Problem p) where TK : struct, IGemmMicroKernel
    {
        int mr = TK.Mr, nr = TK.Nr;
        bool inPlace = p.InPlaceB;
        int threads = p.Threads;

        // Work items: row blocks of at most Mc rows (whole Mr slivers, spread evenly) times column chunks.
        // With enough rows, threads take whole row blocks and each packs only its own rows of A; with few
        // rows they split the columns instead and each packs the (small) A block itself.
        int mSlivers = (p.M + mr - 1) / mr;
        int mBlocks = (mSlivers + TK.Mc / mr - 1) / (TK.Mc / mr);
        int nChunks = 1;
        if (threads > 1)
        {
            if (mSlivers >= 4 * threads) mBlocks = (mBlocks + threads - 1) / threads * threads;
            else nChunks = threads;
        }
        int maxBlockSlivers = (mSlivers + mBlocks - 1) / mBlocks;
        // Split by columns into single row blocks, no two items share a B sliver: each packs its own slivers,
        // which saves a second hand-off to the threads per k block.
        bool packBPerChunk = !inPlace && nChunks > 1 && mBlocks == 1;

        int kcMax = Math.Min(TK.Kc, p.K);
        int ncMax = Math.Min(TK.Nc, p.N);
        long bLength = inPlace ? (long)kcMax * nr : (long)kcMax * ((ncMax + nr - 1) / nr * nr);
        float[] bBuffer = ArrayPool<float>.Shared.Rent(checked((int)bLength + 16));
        try
        {
            fixed (float* bPinned = bBuffer)
            {
                float* packedB = Align64(bPinned);
                for (int jc = 0; jc < p.N; jc += TK.Nc)
                {
                    int nc = Math.Min(TK.Nc, p.N - jc);
                    int nSlivers = (nc + nr - 1) / nr;
                    for (int pc = 0; pc < p.K; pc += TK.Kc)
                    {
                        int kc = Math.Min(TK.Kc, p.K - pc);
                        float* bBlock;
                        nint ldb;
                        if (inPlace)
                        {
                            bBlock = p.B + (long)pc * p.N + jc;
                            ldb = p.N;
                            // A ragged last sliver would read past the row: it alone is packed (zero-padded).
                            if (nc % nr != 0)
                                GemmPacking.PackB(false, p.B, p.N, p.K, jc + (nSlivers - 1) * nr, nc % nr, pc, kc, nr, 0, 1, packedB);
                        }
                        else
                        {
                            if (!packBPerChunk)
                                ParallelFor.Run(nSlivers, threads, new PackBBody(p.TransB, p.B, p.N, p.K, jc, nc, pc, kc, nr, packedB));
                            bBlock = packedB;
                            ldb = nr;
                        }
                        // Threads claim work items one at a time from a shared counter rather than taking fixed
                        // shares: on a busy machine a thread that loses its core leaves its items to the others.
                        int nextItem = 0;
                        var block = new BlockBody<TK>(p, pc, kc, jc, nc, pc == 0 ? p.Beta : 1f,
                            mSlivers, mBlocks, maxBlockSlivers, nSlivers, nChunks, inPlace, packBPerChunk, bBlock, ldb, packedB,
                            threads > 1 ? &nextItem : null);
                        ParallelFor.Run(mBlocks * nChunks, threads, block);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(bBuffer);
        }
    }

    private static float* Align64(float* p) => (float*)(((nuint)p + 63) & ~(nuint)63);

    private readonly struct PackBBody(bool trans, float* b, int n, int k, int jc, int nc, int pc, int kc, int nr, float* packed)
        : IParallelBody
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int start, int end) => GemmPacking.PackB(trans, b, n, k, jc, nc, pc, kc, nr, start, end, packed);
    }

    /// <summary>
    /// Work items [start, end) of one (jc, pc) block, or with nextItem non-null the items claimed one at a
    /// time from that shared counter (the range is then ignored): item = rowBlock · nChunks + chunk. Each
    /// item packs its rows of A (and, with packBPerChunk, its slivers of B) and runs the micro-kernel over
    /// its tiles; no two items share an element of C, and an item computes the same bits on any thread.
    /// </summary>
    private readonly struct BlockBody<TK>(Problem p, int pc, int kc, int jc, int nc, float cScale,
        int mSlivers, int mBlocks, int maxBlockSlivers, int nSlivers, int nChunks,
        bool inPlace, bool packBPerChunk, float* bBlock, nint ldb, float* edgeSliver, int* nextItem) : IParallelBody
        where TK : struct, IGemmMicroKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Invoke(int start, int end)
        {
            int mr = TK.Mr, nr = TK.Nr;
            float[]? aBuffer = p.PackedA == null ? ArrayPool<float>.Shared.Rent(maxBlockSlivers * mr * kc + 16) : null;
            // A column-ragged tile runs on this copy of its C values, then the valid part is copied back.
            float* tile = stackalloc float[mr * nr];
            try
            {
                fixed (float* aPinned = aBuffer)
                {
                    float* packedA = aPinned == null ? null : Align64(aPinned);
                    int packedBlock = -1;
                    int limit = nextItem == null ? end : mBlocks * nChunks;
                    for (int item = nextItem == null ? start : Interlocked.Increment(ref *nextItem) - 1; item < limit;
                         item = nextItem == null ? item + 1 : Interlocked.Increment(ref *nextItem) - 1)
                    {
                        int rowBlock = item / nChunks, chunk = item % nChunks;
                        int s0 = (int)((long)mSlivers * rowBlock / mBlocks), s1 = (int)((long)mSlivers * (rowBlock + 1) / mBlocks);
                        int q0 = (int)((long)nSlivers * chunk / nChunks), q1 = (int)((long)nSlivers * (chunk + 1) / nChunks);
                        if (s0 == s1 || q0 == q1) continue;
                        int i0 = s0 * mr, rows = Math.Min(p.M, s1 * mr) - i0;
                        if (p.PackedA != null)
                        {
                            // Block pc of the prepacked A holds every sliver of the kc columns; this item's start at s0.
                            packedA = p.PackedA + (long)pc * mSlivers * mr + (long)s0 * mr * kc;
                        }
                        else if (packedBlock != rowBlock)
                        {
                            GemmPacking.PackA(p.TransA, p.A, p.M, p.K, i0, rows, pc, kc, p.Alpha, mr, packedA);
                            packedBlock = rowBlock;
                        }
                        if (packBPerChunk) GemmPacking.PackB(p.TransB, p.B, p.N, p.K, jc, nc, pc, kc, nr, q0, q1, bBlock);
                        for (int q = q0; q < q1; q++)
                        {
                            int col = q * nr, cols = Math.Min(nr, nc - col);
                            float* bs;
                            nint lb;
                            if (!inPlace) { bs = bBlock + (long)q * nr * kc; lb = nr; }
                            else if (cols == nr) { bs = bBlock + col; lb = ldb; }
                            else { bs = edgeSliver; lb = nr; }
                            float* cColumn = p.C + jc + col;
                            for (int s = 0; s < s1 - s0; s++)
                            {
                                int row = i0 + s * mr, rr = Math.Min(mr, p.M - row);
                                float* aSliver = packedA + (long)s * mr * kc;
                                float* ct = cColumn + (long)row * p.N;
                                // The next tile's C rows are last used a whole k block ago (out of L1/L2): fetch
                                // them while this tile computes, so its first loads do not stall the FMA chains.
                                if (s + 1 < s1 - s0) PrefetchTile(ct + (long)mr * p.N, p.N, Math.Min(mr, p.M - row - mr), Math.Min(nr, cols));
                                else if (q + 1 < q1) PrefetchTile(cColumn + nr + (long)i0 * p.N, p.N, Math.Min(mr, rows), Math.Min(nr, nc - col - nr));
                                if (cols == nr)
                                {
                                    TK.Run(rr, kc, aSliver, bs, lb, ct, p.N, cScale);
                                    continue;
                                }
                                if (cScale != 0f) CopyTile(ct, p.N, tile, nr, rr, cols);
                                TK.Run(rr, kc, aSliver, bs, lb, tile, nr, cScale);
                                CopyTile(tile, nr, ct, p.N, rr, cols);
                            }
                        }
                    }
                }
            }
            finally
            {
                if (aBuffer != null) ArrayPool<float>.Shared.Return(aBuffer);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PrefetchTile(float* c, nint ldc, int rows, int cols)
    {
        if (!Sse.IsSupported) return;
        for (int r = 0; r < rows; r++)
        {
            float* row = c + r * ldc;
            for (int j = 0; j < cols; j += 16) Sse.Prefetch0(row + j);
            Sse.Prefetch0(row + cols - 1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyTile(float* src, nint lds, float* dst, nint ldd, int rows, int cols)
    {
        for (int r = 0; r < rows; r++)
            new ReadOnlySpan<float>(src + r * lds, cols).CopyTo(new Span<float>(dst + r * ldd, cols));
    }
}
