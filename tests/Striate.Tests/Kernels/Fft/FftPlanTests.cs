// Striate's FFT against the naive DFT (double) for every length 1..64 and longer lengths of every
// factor kind (powers of 2 and 4, 3, 5, mixed, large primes), the inverse round trip, linearity, the
// good-size search and bad arguments.
// Error model: each output passes through at most log2(n) butterflies, or through an r-term sum for a
// prime radix r, each adding ~u relative to the magnitudes involved, which are bounded by Σ|x|:
// |X − X_exact| ≤ 2·u·(log2(n) + r_max)·Σ_j |x_j|.
using Striate.Kernels.Fft;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Fft;

public class FftPlanTests
{
    public static TheoryData<int> Lengths => new([.. Enumerable.Range(1, 64), 81, 96, 97, 100, 120, 125, 128, 243, 250, 256, 360, 1000, 1024]);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Forward_EveryLength_MatchesNaiveDft(int n)
    {
        var (re, im) = Signal(n, (ulong)n);
        var plan = new FftPlan(n);
        float[] fr = (float[])re.Clone(), fi = (float[])im.Clone();
        plan.Forward(fr, fi);
        double[] er = new double[n], ei = new double[n];
        FftReference.Transform<double>(ToDouble(re), ToDouble(im), er, ei);
        AssertClose(plan, re, im, er, ei, fr, fi, $"forward n = {n}");
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Inverse_EveryLength_MatchesNaiveInverseAndRoundTrips(int n)
    {
        var (re, im) = Signal(n, 1000 + (ulong)n);
        var plan = new FftPlan(n);
        float[] fr = (float[])re.Clone(), fi = (float[])im.Clone();
        plan.Inverse(fr, fi, new float[2 * n + 3]);
        double[] er = new double[n], ei = new double[n];
        FftReference.Transform<double>(ToDouble(re), ToDouble(im), er, ei, inverse: true);
        // The inverse carries the forward's error scaled by 1/n.
        AssertClose(plan, [.. re.Select(v => v / n)], [.. im.Select(v => v / n)], er, ei, fr, fi, $"inverse n = {n}");

        float[] br = (float[])re.Clone(), bi = (float[])im.Clone();
        plan.Forward(br, bi);
        plan.Inverse(br, bi);
        AssertClose(plan, re, im, ToDouble(re), ToDouble(im), br, bi, $"inverse(forward(x)) n = {n}", roundTrip: true);
    }

    [Fact]
    public void Forward_ImpulseAndConstant_GiveTheTextbookSpectra()
    {
        // δ[0] has a flat spectrum of ones; a constant 1 has n at k = 0 and zeros elsewhere.
        var plan = new FftPlan(12);
        float[] re = new float[12], im = new float[12];
        re[0] = 1;
        plan.Forward(re, im);
        Assert.All(re, v => Assert.Equal(1f, v, 6));
        Assert.All(im, v => Assert.Equal(0f, v, 6));
        Array.Fill(re, 1f);
        Array.Clear(im);
        plan.Forward(re, im);
        Assert.Equal(12f, re[0], 5);
        for (int k = 1; k < 12; k++) Assert.Equal(0f, re[k], 5);
    }

    [Fact]
    public void Forward_IsLinear()
    {
        var plan = new FftPlan(60);
        var (ar, ai) = Signal(60, 5);
        var (br, bi) = Signal(60, 6);
        float[] sr = [.. ar.Zip(br, (a, b) => 2 * a + b)], si = [.. ai.Zip(bi, (a, b) => 2 * a + b)];
        plan.Forward(ar, ai);
        plan.Forward(br, bi);
        plan.Forward(sr, si);
        for (int k = 0; k < 60; k++)
        {
            Assert.Equal(2 * ar[k] + br[k], sr[k], 4);
            Assert.Equal(2 * ai[k] + bi[k], si[k], 4);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 8)]
    [InlineData(11, 12)]
    [InlineData(31, 32)]
    [InlineData(49, 50)]
    [InlineData(97, 100)]
    [InlineData(121, 125)]
    [InlineData(230, 240)]
    public void GoodSize_IsTheNextNumberWithFactorsTwoThreeFive(int minimum, int expected)
    {
        Assert.Equal(expected, FftPlan.GoodSize(minimum));
        Assert.All(new FftPlan(expected).Factors, f => Assert.Contains(f, new[] { 2, 3, 4, 5 }));
    }

    [Fact]
    public void Factors_MultiplyToTheLength()
    {
        foreach (int n in new[] { 1, 2, 12, 97, 360, 1001 })
            Assert.Equal(n, new FftPlan(n).Factors.Aggregate(1, (a, b) => a * b));
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FftPlan(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => FftPlan.GoodSize(0));
        var plan = new FftPlan(8);
        Assert.Equal("re", Assert.Throws<ArgumentException>(() => plan.Forward(new float[7], new float[8])).ParamName);
        Assert.Equal("im", Assert.Throws<ArgumentException>(() => plan.Inverse(new float[8], new float[9])).ParamName);
        Assert.Equal("workspace", Assert.Throws<ArgumentException>(() => plan.Forward(new float[8], new float[8], new float[15])).ParamName);
        var shared = new float[16];
        Assert.Equal("workspace", Assert.Throws<ArgumentException>(() => plan.Forward(shared.AsSpan(0, 8), shared.AsSpan(8, 8), shared)).ParamName);
    }

    private static (float[] Re, float[] Im) Signal(int n, ulong seed)
    {
        var rng = new Rng(seed);
        float[] re = new float[n], im = new float[n];
        rng.FillUniform(re, -1, 1);
        rng.FillUniform(im, -1, 1);
        return (re, im);
    }

    private static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    private static void AssertClose(FftPlan plan, float[] re, float[] im, double[] er, double[] ei, float[] ar, float[] ai, string what, bool roundTrip = false)
    {
        int n = re.Length;
        double l1 = 0;
        for (int j = 0; j < n; j++) l1 += Math.Abs(re[j]) + Math.Abs(im[j]);
        double stages = Math.Log2(Math.Max(n, 2)) + plan.Factors.DefaultIfEmpty(1).Max();
        // A round trip runs the transform twice: the forward's error, carried by the inverse (which divides by n), plus its own.
        double allowed = (roundTrip ? 4 : 2) * Tolerances.UnitRoundoff * stages * (roundTrip ? l1 / n + re.Concat(im).Max(v => Math.Abs(v)) : l1);
        for (int k = 0; k < n; k++)
        {
            double diff = Math.Max(Math.Abs(ar[k] - er[k]), Math.Abs(ai[k] - ei[k]));
            if (!(diff <= allowed))
                throw new XunitException($"{what}: index {k}: expected ({er[k]:G9}, {ei[k]:G9}), actual ({ar[k]:G9}, {ai[k]:G9}), |diff| {diff:G3} > allowed {allowed:G3} (2·u·(log2 n + r_max)·Σ|x|, factors {string.Join("·", plan.Factors)}).");
        }
    }
}
