// The locally connected kernels against the naive 6-D-kernel reference (run in double as the
// oracle) over an edge-case sweep, plus determinism, one-rounding accumulation and the chapter's
// defining property: every output unit has its own weights.
using Striate.Kernels.Conv;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Conv.TiledConv2dKernelTests;

namespace Striate.Tests.Kernels.Conv;

public class LocallyConnected2dKernelTests
{
    // (N, C, H, W, K, R, S, sh, sw, ph, pw): N = 1 and odd N, channels not a multiple of 8, prime and
    // rectangular sizes, 1×1 kernels, kernel = input, strides 2 and 3, padding 0..2, a 1-D row.
    public static TheoryData<LocallyConnected2dGeometry> Cases => new(
    [
        new(1, 1, 6, 6, 1, 3, 3, 1, 1, 0, 0),
        new(2, 3, 5, 7, 4, 1, 1, 1, 1, 0, 0),
        new(3, 2, 4, 4, 5, 4, 4, 1, 1, 0, 0),
        new(1, 1, 4, 4, 1, 4, 4, 1, 1, 1, 1),
        new(2, 3, 9, 9, 9, 3, 3, 2, 2, 1, 1),
        new(3, 11, 7, 5, 5, 3, 3, 1, 1, 1, 1),
        new(3, 4, 11, 10, 6, 3, 2, 3, 3, 2, 2),
        new(1, 5, 8, 8, 3, 5, 5, 3, 2, 2, 0),
        new(2, 1, 3, 3, 2, 5, 5, 1, 1, 2, 2),
        new(1, 1, 1, 17, 3, 1, 4, 1, 2, 0, 1),
        new(2, 1, 28, 28, 6, 5, 5, 1, 1, 0, 0),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(LocallyConnected2dGeometry g)
    {
        var rng = new Rng(11);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.BiasLength);
        foreach (bool withBias in new[] { false, true })
        {
            float[] bias = withBias ? b : [];
            var y = Filled(g.OutputLength, float.NaN);
            LocallyConnected2dKernel.Forward(g, x, wt, bias, y, threads: 2);
            var expected = new double[g.OutputLength];
            var magnitude = new double[g.OutputLength];
            LocallyConnected2dReference.Forward<double>(g, ToDouble(x), ToDouble(wt), ToDouble(bias), expected);
            LocallyConnected2dReference.Forward<double>(g, Abs(x), Abs(wt), Abs(bias), magnitude);
            AssertClose(expected, magnitude, y, g.C * g.R * g.S + 1, [g.N, g.K, g.P, g.Q], $"Forward (bias {withBias}) {g}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(LocallyConnected2dGeometry g)
    {
        var rng = new Rng(12);
        float[] dy = Random(rng, g.OutputLength), wt = Random(rng, g.WeightLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        LocallyConnected2dKernel.BackwardData(g, dy, wt, dx, threads: 2);
        var expected = ToDouble(dx0);
        var magnitude = Abs(dx0);
        LocallyConnected2dReference.BackwardData<double>(g, ToDouble(dy), ToDouble(wt), expected);
        LocallyConnected2dReference.BackwardData<double>(g, Abs(dy), Abs(wt), magnitude);
        AssertClose(expected, magnitude, dx, g.K * g.R * g.S + 1, [g.N, g.C, g.H, g.W], $"BackwardData {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(LocallyConnected2dGeometry g)
    {
        var rng = new Rng(13);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        float[] dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.BiasLength);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        LocallyConnected2dKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);
        double[] expectedW = ToDouble(dw0), expectedB = ToDouble(db0), magnitudeW = Abs(dw0), magnitudeB = Abs(db0);
        LocallyConnected2dReference.BackwardWeights<double>(g, ToDouble(x), ToDouble(dy), expectedW, expectedB);
        LocallyConnected2dReference.BackwardWeights<double>(g, Abs(x), Abs(dy), magnitudeW, magnitudeB);
        AssertClose(expectedW, magnitudeW, dw, g.N + 1, [g.K, g.P, g.Q, g.C, g.R, g.S], $"BackwardWeights dw {g}");
        AssertClose(expectedB, magnitudeB, db, g.N + 1, [g.K, g.P, g.Q], $"BackwardWeights db {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllKernels_OneVersusTwoVersusFiveThreads_BitIdentical(LocallyConnected2dGeometry g)
    {
        var rng = new Rng(14);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.BiasLength), dy = Random(rng, g.OutputLength);
        float[][] Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            var dw = new float[g.WeightLength];
            var db = new float[g.BiasLength];
            LocallyConnected2dKernel.Forward(g, x, wt, b, y, threads);
            LocallyConnected2dKernel.BackwardData(g, dy, wt, dx, threads);
            LocallyConnected2dKernel.BackwardWeights(g, x, dy, dw, db, threads);
            return [y, dx, dw, db];
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 5 })
        {
            var many = Run(threads);
            string[] names = ["y", "dx", "dw", "db"];
            for (int t = 0; t < one.Length; t++)
                AssertTensor.BitIdentical(one[t], many[t], $"{names[t]} with 1 vs {threads} threads, {g}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(LocallyConnected2dGeometry g)
    {
        var rng = new Rng(15);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), dy = Random(rng, g.OutputLength);
        float[] dx0 = Random(rng, g.InputLength), dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.BiasLength);
        float[] gx = new float[g.InputLength], gw = new float[g.WeightLength], gb = new float[g.BiasLength];
        LocallyConnected2dKernel.BackwardData(g, dy, wt, gx, threads: 2);
        LocallyConnected2dKernel.BackwardWeights(g, x, dy, gw, gb, threads: 2);
        float[] dx = (float[])dx0.Clone(), dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        LocallyConnected2dKernel.BackwardData(g, dy, wt, dx, threads: 2);
        LocallyConnected2dKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gx, (a, b) => a + b)], dx, $"dx {g}");
        AssertTensor.BitIdentical([.. dw0.Zip(gw, (a, b) => a + b)], dw, $"dw {g}");
        AssertTensor.BitIdentical([.. db0.Zip(gb, (a, b) => a + b)], db, $"db {g}");
    }

    [Fact]
    public void Forward_ChangingOneUnitsWeights_ChangesOnlyThatOutput()
    {
        // Unshared: perturbing w[k, p, q, ...] moves y[n, k, p, q] for every n and nothing else.
        var g = new LocallyConnected2dGeometry(2, 2, 5, 6, 3, 2, 3, 1, 1, 1, 0);
        var rng = new Rng(16);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength);
        var before = new float[g.OutputLength];
        LocallyConnected2dKernel.Forward(g, x, wt, [], before, threads: 1);
        int k = 1, p = 2, q = 3;
        int crs = g.C * g.R * g.S;
        for (int i = 0; i < crs; i++) wt[((k * g.P + p) * g.Q + q) * crs + i] += 0.5f;
        var after = new float[g.OutputLength];
        LocallyConnected2dKernel.Forward(g, x, wt, [], after, threads: 1);
        for (int i = 0; i < before.Length; i++)
        {
            int qi = i % g.Q, pi = i / g.Q % g.P, ki = i / (g.P * g.Q) % g.K;
            bool touched = ki == k && pi == p && qi == q;
            Assert.True(touched == (before[i] != after[i]), $"output {AssertTensor.MultiIndex(i, [g.N, g.K, g.P, g.Q])}: touched {touched}, before {before[i]}, after {after[i]}");
        }
    }

    [Fact]
    public void Geometry_WeightLength_IsKPQCRS()
    {
        // The chapter's example size: 1 → 6 channels, 5×5 kernels on 28×28, 6·24·24·1·5·5 weights.
        var g = new LocallyConnected2dGeometry(1, 1, 28, 28, 6, 5, 5);
        Assert.Equal(86_400, g.WeightLength);
        Assert.Equal(6 * 24 * 24, g.BiasLength);
        Assert.Equal(new TiledConv2dGeometry(1, 1, 28, 28, 6, 5, 5, 24, 24), g.AsTiled());
    }

    [Fact]
    public void Geometry_KernelLargerThanPaddedInput_ThrowsSpeakingOfTheKernel()
    {
        var ex = Assert.Throws<ArgumentException>(() => new LocallyConnected2dGeometry(1, 1, 3, 3, 1, 5, 5).Validate());
        Assert.Contains("LocallyConnected2d kernel 5×5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Forward_ShortBias_ThrowsNamingIt()
    {
        var g = new LocallyConnected2dGeometry(1, 1, 4, 4, 2, 3, 3);
        var ex = Assert.Throws<ArgumentException>(() => LocallyConnected2dKernel.Forward(g, new float[16], new float[72], new float[2], new float[8], 1));
        Assert.Equal("bias", ex.ParamName);
    }
}
