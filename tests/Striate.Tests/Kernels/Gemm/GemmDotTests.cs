// The dot-product path (GemmDot3x3Vector) for row-major A times transposed B: forced on, over sizes
// around its 3×3 tile and the vector width (k below, at and above a multiple of Vector<float>.Count),
// against the double reference within the float32 error bound; thread counts bit-identical; beta = 0
// over NaN; when Auto chooses it; and that it refuses layouts it cannot read.
using System.Numerics;
using Striate.Kernels.Gemm;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Gemm;

public class GemmDotTests
{
    private static float[] Run(int m, int n, int k, float alpha, float beta, float[] a, float[] b, float[] c0, int threads)
    {
        var c = (float[])c0.Clone();
        GemmKernel.GemmOn(GemmVariant.Auto, GemmPath.Dot, false, true, m, n, k, alpha, a, b, beta, c, threads, parallelMinMultiplyAdds: 0);
        return c;
    }

    private static void Check(int m, int n, int k, float alpha, float beta, Rng rng)
    {
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n), c0 = GemmCheck.Random(rng, m * n);
        var c = Run(m, n, k, alpha, beta, a, b, c0, 1);
        GemmCheck.AgainstReference($"{nameof(GemmDot3x3Vector)} (m {m}, n {n}, k {k}, alpha {alpha}, beta {beta}, lanes {Vector<float>.Count})",
            false, true, m, n, k, alpha, a, b, beta, c0, c);
    }

    [Fact]
    public void Dot_SizesAroundTheTileAndVector_MatchReference()
    {
        int lanes = Vector<float>.Count;
        var rng = new Rng(31);
        foreach (int m in new[] { 1, 2, 3, 4, 5, 7 })
            foreach (int n in new[] { 1, 2, 3, 4, 8, 25 })
                foreach (int k in new[] { 1, lanes - 1, lanes, lanes + 1, 4 * lanes + 3, 784 })
                    Check(m, n, Math.Max(k, 1), 1f, 0f, rng);
    }

    [Theory]
    [InlineData(1f, 1f)]
    [InlineData(0.5f, -2f)]
    [InlineData(-1.5f, 0.25f)]
    [InlineData(2f, 0f)]
    public void Dot_AlphaBeta_MatchReference(float alpha, float beta) => Check(7, 11, 99, alpha, beta, new Rng(32));

    [Fact]
    public void Dot_OneTwoThreeThreads_BitIdentical()
    {
        // Threshold 0 (in Run): the 100 row tiles are split across the threads.
        int m = 300, n = 40, k = 20;
        var rng = new Rng(33);
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n), c0 = GemmCheck.Random(rng, m * n);
        var c1 = Run(m, n, k, 1f, 0.5f, a, b, c0, 1);
        AssertTensor.BitIdentical(c1, Run(m, n, k, 1f, 0.5f, a, b, c0, 2), $"{nameof(GemmDot3x3Vector)} {m}×{n}×{k} threads 1 vs 2");
        AssertTensor.BitIdentical(c1, Run(m, n, k, 1f, 0.5f, a, b, c0, 3), $"{nameof(GemmDot3x3Vector)} {m}×{n}×{k} threads 1 vs 3");
        GemmCheck.AgainstReference($"{nameof(GemmDot3x3Vector)} {m}×{n}×{k}", false, true, m, n, k, 1f, a, b, 0.5f, c0, c1);
    }

    [Fact]
    public void Dot_BetaZero_IgnoresNaNInC()
    {
        var rng = new Rng(34);
        int m = 5, n = 7, k = 37;
        float[] a = GemmCheck.Random(rng, m * k), b = GemmCheck.Random(rng, k * n), c0 = new float[m * n];
        Array.Fill(c0, float.NaN);
        var c = Run(m, n, k, 1f, 0f, a, b, c0, 1);
        for (int i = 0; i < c.Length; i++)
            Assert.True(float.IsFinite(c[i]), $"{nameof(GemmDot3x3Vector)}: C{AssertTensor.MultiIndex(i, [m, n])} of ({m}, {n}) is {c[i]} after beta = 0 over NaN.");
    }

    [Fact]
    public void ChoosePath_Auto_PicksDotForSmallOutputsWithLongK()
    {
        Assert.Equal(GemmPath.Dot, GemmKernel.ChoosePath(GemmVariant.Auto, GemmPath.Auto, false, true, 6, 25, 784));    // LeNet C1 weight gradient
        Assert.NotEqual(GemmPath.Dot, GemmKernel.ChoosePath(GemmVariant.Auto, GemmPath.Auto, false, true, 64, 120, 400)); // linear: large C
        Assert.NotEqual(GemmPath.Dot, GemmKernel.ChoosePath(GemmVariant.Auto, GemmPath.Auto, false, false, 6, 25, 784));  // B not transposed
        Assert.NotEqual(GemmPath.Dot, GemmKernel.ChoosePath(GemmVariant.Auto, GemmPath.Auto, true, true, 6, 25, 784));    // A transposed
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Dot_ForcedOnOtherLayouts_ThrowsNamingThePath(bool transA, bool transB)
    {
        var e = Assert.Throws<ArgumentException>(() =>
            GemmKernel.GemmOn(GemmVariant.Auto, GemmPath.Dot, transA, transB, 2, 2, 2, 1f, new float[4], new float[4], 0f, new float[4], 1));
        Assert.Equal("requested", e.ParamName);
    }
}
