// The public GEMM entry point (the variant this machine selects) against the naive reference (run in
// double) and the exact FMA chain, over sizes around every variant's tile, every transpose combination,
// alpha/beta, thread counts, NaN handling, allocation and argument validation. Each micro-kernel
// variant on its own: GemmMicroKernelTests; the dot-product path: GemmDotTests.
using Striate.Kernels.Gemm;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Gemm;

public class GemmKernelTests
{
    // Around the tile edges of every variant (4, 6, 8, 14 rows; 4, 12, 16, 32 columns), primes, and sizes that span several tiles.
    private static readonly int[] s_sizes = [0, 1, 3, 4, 5, 13, 15, 16, 17, 31, 33, 64, 100];

    private static float[] Random(Rng rng, int count) => GemmCheck.Random(rng, count);

    /// <summary>Runs the public entry point and checks it against the double reference and the exact FMA chain.</summary>
    private static void CheckAgainstReference(bool transA, bool transB, int m, int n, int k, float alpha, float beta, Rng rng, int threads = 1)
    {
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        var c = (float[])c0.Clone();
        GemmKernel.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, threads);
        var path = GemmKernel.ChoosePath(GemmVariant.Auto, GemmPath.Auto, transA, transB, m, n, k);
        string what = $"{GemmKernel.Best} ({path}, transA {transA}, transB {transB}, m {m}, n {n}, k {k}, alpha {alpha}, beta {beta}, threads {threads})";
        GemmCheck.AgainstReference(what, transA, transB, m, n, k, alpha, a, b, beta, c0, c);
        // The outer-product paths reproduce the FMA chain exactly; the dot form sums in another fixed order.
        if (path != GemmPath.Dot)
            AssertTensor.BitIdentical(GemmCheck.FmaChain(transA, transB, m, n, k, alpha, a, b, beta, c0), c, what + " vs the FMA chain");
    }

    public static TheoryData<bool, bool, int> TransposeAndM()
    {
        var data = new TheoryData<bool, bool, int>();
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
                foreach (int m in s_sizes) data.Add(ta, tb, m);
        return data;
    }

    [Theory]
    [MemberData(nameof(TransposeAndM))]
    public void Gemm_SizeSweep_MatchesReference(bool transA, bool transB, int m)
    {
        var rng = new Rng((ulong)(m * 4 + (transA ? 2 : 0) + (transB ? 1 : 0)));
        foreach (int n in s_sizes)
            foreach (int k in s_sizes)
                CheckAgainstReference(transA, transB, m, n, k, 1f, 0f, rng);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void Gemm_LargeK_MatchesReference(bool transA, bool transB)
    {
        var rng = new Rng(300);
        CheckAgainstReference(transA, transB, 17, 33, 300, 1f, 0f, rng);
        CheckAgainstReference(transA, transB, 5, 16, 300, 1f, 1f, rng);
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(0.5f, -2f)]
    [InlineData(-1.5f, 0.25f)]
    [InlineData(0f, 1f)]
    [InlineData(2f, 0f)]
    public void Gemm_AlphaBeta_MatchesReference(float alpha, float beta)
    {
        var rng = new Rng(11);
        foreach (bool ta in new[] { false, true })
            foreach (bool tb in new[] { false, true })
            {
                CheckAgainstReference(ta, tb, 5, 17, 3, alpha, beta, rng);
                CheckAgainstReference(ta, tb, 33, 15, 16, alpha, beta, rng);
            }
    }

    [Fact]
    public void Gemm_KZero_ScalesCByBeta()
    {
        float[] c = [1f, 2f, 3f, 4f];
        GemmKernel.Gemm(false, false, 2, 2, 0, 1f, [], [], 0.5f, c, 1);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], c);
    }

    [Fact]
    public void Gemm_BetaZero_IgnoresNaNInC()
    {
        var rng = new Rng(12);
        int m = 7, n = 19, k = 5;
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        var c = new float[m * n];
        Array.Fill(c, float.NaN);
        GemmKernel.Gemm(false, false, m, n, k, 1f, a, b, 0f, c, 1);
        for (int i = 0; i < c.Length; i++)
            Assert.True(float.IsFinite(c[i]), $"C[{i}] of ({m}, {n}) is {c[i]} after beta = 0 over a NaN-filled C.");
    }

    [Fact]
    public void Gemm_OnlyWritesTheMByNBlock()
    {
        var rng = new Rng(13);
        float[] a = Random(rng, 3 * 4), b = Random(rng, 4 * 5);
        var c = new float[3 * 5 + 7];
        Array.Fill(c, 9f);
        GemmKernel.Gemm(false, false, 3, 5, 4, 1f, a, b, 0f, c, 1);
        for (int i = 15; i < c.Length; i++) Assert.Equal(9f, c[i]);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Gemm_OneAndTwoThreads_BitIdentical(bool transA, bool transB)
    {
        // Above the 4M multiply-adds from which the public entry point uses more than one thread.
        int m = 200, n = 197, k = 128;
        var rng = new Rng(14);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone();
        GemmKernel.Gemm(transA, transB, m, n, k, 1.25f, a, b, 0.5f, c1, 1);
        GemmKernel.Gemm(transA, transB, m, n, k, 1.25f, a, b, 0.5f, c2, 2);
        AssertTensor.BitIdentical(c1, c2, $"{GemmKernel.Best} threads 1 vs 2 (transA {transA}, transB {transB}, {m}×{n}×{k})");
    }

    [Theory]
    [InlineData(false, false, 6, 784, 25)]   // LeNet C1 forward: w (6, 25) · col (25, 784)
    [InlineData(false, false, 16, 100, 150)] // LeNet C3 forward
    [InlineData(true, false, 150, 100, 16)]  // LeNet C3 backward data: wᵀ · dy
    [InlineData(false, true, 16, 150, 100)]  // LeNet C3 backward weights: dy · colᵀ
    [InlineData(false, true, 64, 120, 400)]  // linear 400 → 120 at batch 64: x · wᵀ
    [InlineData(true, false, 120, 400, 64)]  // its weight gradient: dyᵀ · x
    public void Gemm_LayerShapes_MatchReferenceAtAnyThreadCount(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 7 + n * 3 + k));
        float[] first = [];
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var c = CheckThreads(transA, transB, m, n, k, new Rng((ulong)(m * 7 + n * 3 + k)), threads);
            if (threads == 1) first = c;
            else AssertTensor.BitIdentical(first, c, $"{GemmKernel.Best} {m}×{n}×{k} threads 1 vs {threads}");
        }
        CheckAgainstReference(transA, transB, m, n, k, 1f, 1f, rng);
    }

    private static float[] CheckThreads(bool transA, bool transB, int m, int n, int k, Rng rng, int threads)
    {
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        var c = new float[m * n];
        // Threshold 0: these layer shapes are small, but here the threads must really split them.
        GemmKernel.GemmOn(GemmVariant.Auto, GemmPath.Auto, transA, transB, m, n, k, 1f, a, b, 0f, c, threads, parallelMinMultiplyAdds: 0);
        return c;
    }

    [Theory]
    [InlineData(300, 200, 600)]  // several row blocks: threads take whole row blocks
    [InlineData(9, 6000, 80)]    // few rows: threads split the columns
    [InlineData(257, 4100, 5)]   // more than one column block
    public void Gemm_OneTwoThreeThreads_BitIdenticalAndCorrect(int m, int n, int k)
    {
        var rng = new Rng((ulong)(m + n + k));
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone(), c3 = (float[])c0.Clone();
        GemmKernel.Gemm(false, false, m, n, k, 1f, a, b, 0.75f, c1, 1);
        GemmKernel.Gemm(false, false, m, n, k, 1f, a, b, 0.75f, c2, 2);
        GemmKernel.Gemm(false, false, m, n, k, 1f, a, b, 0.75f, c3, 3);
        AssertTensor.BitIdentical(c1, c2, $"{GemmKernel.Best} {m}×{n}×{k} threads 1 vs 2");
        AssertTensor.BitIdentical(c1, c3, $"{GemmKernel.Best} {m}×{n}×{k} threads 1 vs 3");
        AssertTensor.BitIdentical(GemmCheck.FmaChain(false, false, m, n, k, 1f, a, b, 0.75f, c0), c1, $"{GemmKernel.Best} {m}×{n}×{k} vs the FMA chain");
    }

    [Theory]
    [InlineData(false, false, 1, 5, 7)]       // one partial sliver, B read in place
    [InlineData(false, false, 29, 33, 13)]    // ragged slivers both ways (B in place: two A slivers)
    [InlineData(true, false, 100, 70, 600)]   // A stored transposed; k past one block (Kc = 512 on AVX-512)
    [InlineData(false, true, 256, 56, 256)]   // a Winograd chunk's shape; B transposed
    [InlineData(false, false, 300, 200, 1100)] // several row blocks and k blocks
    public void GemmPackedA_MatchesTheFmaChainAtAnyThreadCount(bool transA, bool transB, int m, int n, int k)
    {
        var rng = new Rng((ulong)(m * 7 + n * 3 + k));
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        var packed = new float[GemmKernel.PackedALength(m, k)];
        unsafe
        {
            fixed (float* pa = a, pp = packed) GemmKernel.PackA(transA, m, k, 0.5f, pa, pp);
        }
        var expected = GemmCheck.FmaChain(transA, transB, m, n, k, 0.5f, a, b, 0.25f, c0);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var c = (float[])c0.Clone();
            unsafe
            {
                fixed (float* pp = packed, pb = b, pc = c) GemmKernel.GemmPackedA(m, n, k, pp, transB, pb, 0.25f, pc, threads);
            }
            AssertTensor.BitIdentical(expected, c, $"{GemmKernel.Best} packed A {m}×{n}×{k} (transA {transA}, transB {transB}), {threads} threads vs the FMA chain");
        }
    }

    [Fact]
    public void Gemm_RepeatedCalls_BitIdentical()
    {
        int m = 130, n = 170, k = 300;
        var rng = new Rng(15);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        float[] first = new float[m * n], again = new float[m * n];
        GemmKernel.Gemm(true, false, m, n, k, 1f, a, b, 0f, first, 2);
        for (int run = 0; run < 3; run++)
        {
            GemmKernel.Gemm(true, false, m, n, k, 1f, a, b, 0f, again, 2);
            AssertTensor.BitIdentical(first, again, $"{GemmKernel.Best} run {run + 2} vs run 1");
        }
    }

    [Fact]
    public void Gemm_AlphaZero_ReadsNeitherANorB()
    {
        float[] a = [float.NaN, float.NaN], b = [float.PositiveInfinity, float.NaN];
        float[] c = [2f, -4f];
        GemmKernel.Gemm(false, false, 1, 2, 1, 0f, a, b, 0.5f, c, 1);
        Assert.Equal([1f, -2f], c);
    }

    [Fact]
    public void Gemm_NaNAndInfinityInOperands_PropagateOnlyToTheirRowAndColumn()
    {
        int m = 17, n = 37, k = 9;
        var rng = new Rng(16);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        a[5 * k + 3] = float.NaN;                  // row 5 of A
        b[2 * n + 30] = float.PositiveInfinity;    // column 30 of B
        var c = new float[m * n];
        GemmKernel.Gemm(false, false, m, n, k, 1f, a, b, 0f, c, 1);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                float v = c[i * n + j];
                if (i == 5) Assert.True(float.IsNaN(v), $"C[{i}, {j}] of ({m}, {n}) = {v}: row 5 of A holds NaN");
                else if (j == 30) Assert.True(float.IsInfinity(v), $"C[{i}, {j}] of ({m}, {n}) = {v}: column 30 of B holds +∞");
                else Assert.True(float.IsFinite(v), $"C[{i}, {j}] of ({m}, {n}) = {v}: its row and column are finite");
            }
    }

    [Theory]
    [InlineData(false, false, 6, 784, 25, 1)]    // B read in place
    [InlineData(false, true, 64, 120, 400, 1)]   // B packed
    [InlineData(false, false, 300, 200, 600, 1)] // several blocks
    public void Gemm_SteadyState_AllocatesNothing(bool transA, bool transB, int m, int n, int k, int threads)
    {
        var rng = new Rng(17);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        var c = new float[m * n];
        for (int warm = 0; warm < 3; warm++) GemmKernel.Gemm(transA, transB, m, n, k, 1f, a, b, 0f, c, threads);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int call = 0; call < 5; call++) GemmKernel.Gemm(transA, transB, m, n, k, 1f, a, b, 0f, c, threads);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated == 0, $"{GemmKernel.Best} {m}×{n}×{k}: 5 steady calls allocated {allocated} bytes; the workspaces must come from the pool");
    }

    [Theory]
    [InlineData("a", 2 * 3 - 1, 3 * 4, 2 * 4)]
    [InlineData("b", 2 * 3, 3 * 4 - 1, 2 * 4)]
    [InlineData("c", 2 * 3, 3 * 4, 2 * 4 - 1)]
    public void Gemm_SpanTooShort_ThrowsNamingIt(string which, int aLength, int bLength, int cLength)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GemmKernel.Gemm(false, false, 2, 4, 3, 1f, new float[aLength], new float[bLength], 0f, new float[cLength], 1));
        Assert.Equal(which, e.ParamName);
    }

    [Theory]
    [InlineData(-1, 1, 1, "m")]
    [InlineData(1, -1, 1, "n")]
    [InlineData(1, 1, -1, "k")]
    public void Gemm_NegativeSize_ThrowsNamingIt(int m, int n, int k, string which)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GemmKernel.Gemm(false, false, m, n, k, 1f, new float[4], new float[4], 0f, new float[4], 1));
        Assert.Equal(which, e.ParamName);
    }

    [Fact]
    public void GemmReference_HandComputed()
    {
        // [1 2; 3 4]·[5 6; 7 8] = [19 22; 43 50], then 2·AB + 1·C with C = 1.
        float[] c = [1f, 1f, 1f, 1f];
        GemmReference.Gemm<float>(false, false, 2, 2, 2, 2f, [1f, 2f, 3f, 4f], [5f, 6f, 7f, 8f], 1f, c);
        Assert.Equal([39f, 45f, 87f, 101f], c);
        // Aᵀ with A stored (K, M) = [1 3; 2 4] is the same A.
        float[] t = new float[4];
        GemmReference.Gemm<float>(true, false, 2, 2, 2, 1f, [1f, 3f, 2f, 4f], [5f, 6f, 7f, 8f], 0f, t);
        Assert.Equal([19f, 22f, 43f, 50f], t);
    }
}
