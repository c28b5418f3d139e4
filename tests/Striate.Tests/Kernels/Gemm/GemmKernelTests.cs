// The packed GEMM kernel against the naive reference (run in double as the oracle) over sizes
// around the 4×16 register tile, every transpose combination, alpha/beta, thread counts and
// argument validation.
using Striate.Kernels.Gemm;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Gemm;

public class GemmKernelTests
{
    // Around the 4-row and 16-column tile edges, primes, and sizes that span several tiles.
    private static readonly int[] s_sizes = [0, 1, 3, 4, 5, 15, 16, 17, 33, 64, 100];

    private static float[] Random(Rng rng, int count)
    {
        var values = new float[count];
        rng.FillUniform(values, -1f, 1f);
        return values;
    }

    /// <summary>Runs the kernel and checks it against the double reference with the error bound of <see cref="Tolerances.GemmPerTermRelative"/>.</summary>
    private static void CheckAgainstReference(bool transA, bool transB, int m, int n, int k, float alpha, float beta, Rng rng, int threads = 1)
    {
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        var c = (float[])c0.Clone();
        GemmKernel.Gemm(transA, transB, m, n, k, alpha, a, b, beta, c, threads);

        double[] ad = [.. a.Select(v => (double)v)], bd = [.. b.Select(v => (double)v)];
        double[] expected = [.. c0.Select(v => (double)v)];
        GemmReference.Gemm<double>(transA, transB, m, n, k, alpha, ad, bd, beta, expected);
        // Σ_k |α·a·b| + |β·c| per element: the scale of the rounding error.
        var magnitude = new double[m * n];
        GemmReference.Gemm<double>(transA, transB, m, n, k, Math.Abs(alpha), [.. ad.Select(Math.Abs)], [.. bd.Select(Math.Abs)], 0, magnitude);

        double perTerm = (k + 2) * Tolerances.GemmPerTermRelative;
        for (int i = 0; i < c.Length; i++)
        {
            double scale = magnitude[i] + Math.Abs(beta * (double)c0[i]);
            double allowed = perTerm * scale + 1e-30;
            double diff = Math.Abs(c[i] - expected[i]);
            if (!(diff <= allowed))
                throw new XunitException($"Gemm4x16Vector256 (transA {transA}, transB {transB}, m {m}, n {n}, k {k}, alpha {alpha}, beta {beta}, threads {threads}): " +
                    $"C{AssertTensor.MultiIndex(i, [m, n])} of shape ({m}, {n}): expected {expected[i]:G9}, actual {c[i]:G9}, |diff| {diff:G3} > allowed {allowed:G3} " +
                    $"((k + 2)·u·Σ|α·a·b| + |β·c|: the float32 dot-product error bound).");
        }
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
        // Large enough (m·n·k ≫ 32,768) that the kernel really splits work across threads.
        int m = 100, n = 97, k = 64;
        var rng = new Rng(14);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        float[] c1 = (float[])c0.Clone(), c2 = (float[])c0.Clone();
        GemmKernel.Gemm(transA, transB, m, n, k, 1.25f, a, b, 0.5f, c1, 1);
        GemmKernel.Gemm(transA, transB, m, n, k, 1.25f, a, b, 0.5f, c2, 2);
        AssertTensor.BitIdentical(c1, c2, $"Gemm4x16Vector256 threads 1 vs 2 (transA {transA}, transB {transB}, {m}×{n}×{k})");
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
