// The N-d im2col + GEMM convolution kernels against the naive N-d reference (run in double as the
// oracle) over an edge-case sweep of 1-D, 2-D and 3-D geometries with stride, dilation, groups
// (depthwise too) and asymmetric (also negative trailing) padding; thread-count determinism;
// accumulate-once backwards; the output-size formula; and the 2-D reference as a second oracle.
using Striate.Kernels.Conv;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Conv;

public class ConvNdKernelTests
{
    private static ConvAxis A(int input, int kernel, int stride = 1, int dilation = 1, int before = 0, int after = 0) =>
        new(input, kernel, stride, dilation, before, after);

    // Error model as in Conv2dKernelTests: |fast − exact| ≤ (terms + 2)·u·Σ|terms| per output element.
    public static TheoryData<ConvGeometry> Cases => new(
    [
        // 1-D: odd and prime lengths, stride 2/3, dilation, groups, depthwise, asymmetric and "same" pads.
        ConvGeometry.OneD(1, 1, 1, A(7, 3)),
        ConvGeometry.OneD(3, 5, 7, A(13, 3, 2, 2, 2, 2)),
        ConvGeometry.OneD(2, 4, 6, A(11, 4, 1, 1, 1, 2), groups: 2),
        ConvGeometry.OneD(2, 3, 6, A(17, 5, 3, 1, 0, 4), groups: 3),
        ConvGeometry.OneD(3, 9, 9, A(8, 2, 1, 3, 1, 2), groups: 9),
        ConvGeometry.OneD(1, 2, 3, A(5, 5, 1, 1, 4, 4)),
        // 2-D: per-axis stride/dilation, asymmetric pads, groups, depthwise, a negative trailing pad.
        ConvGeometry.TwoD(2, 3, 4, A(9, 3, 1, 2, 2, 2), A(8, 3, 1, 2, 2, 2)),
        ConvGeometry.TwoD(1, 2, 3, A(11, 3, 2, 1, 1, 1), A(10, 2, 1, 2)),
        ConvGeometry.TwoD(3, 6, 9, A(7, 3, 2, 1, 1, 1), A(7, 3, 2, 1, 1, 1), groups: 3),
        ConvGeometry.TwoD(3, 5, 5, A(8, 3, 1, 1, 1, 1), A(7, 3, 1, 1, 1, 1), groups: 5),
        ConvGeometry.TwoD(2, 2, 3, A(6, 3, 1, 1, 0, 1), A(5, 3, 1, 1, 2, 0)),
        ConvGeometry.TwoD(2, 2, 3, A(7, 2, 1, 1, 0, 1), A(6, 4, 1, 1, 1, 2)),
        ConvGeometry.TwoD(2, 3, 2, A(9, 4, 2, 1, 1, -1), A(8, 3, 2, 1, 1, 0)),
        ConvGeometry.TwoD(2, 17, 17, A(5, 3, 1, 1, 1, 1), A(5, 3, 1, 1, 1, 1)),
        ConvGeometry.TwoD(2, 16, 12, A(6, 1, 2), A(6, 1, 2), groups: 4),
        ConvGeometry.TwoD(2, 1, 6, A(28, 5, 1, 1, 2, 2), A(28, 5, 1, 1, 2, 2)),
        // Pointwise (1×1, stride 1, unpadded: the input is the column matrix) at N = 1 and 3, also grouped; one image
        // large enough (16·9·64·64 floats) that its im2col is split across threads.
        ConvGeometry.TwoD(1, 7, 5, A(6, 1), A(9, 1)),
        ConvGeometry.TwoD(3, 8, 6, A(5, 1), A(7, 1), groups: 2),
        ConvGeometry.TwoD(1, 16, 3, A(64, 3, 1, 1, 1, 1), A(64, 3, 1, 1, 1, 1)),
        // 3-D: cubes and boxes, stride, dilation, groups, asymmetric.
        new(2, 2, 3, A(5, 3, 1, 1, 1, 1), A(6, 3, 1, 1, 1, 1), A(4, 2, 1, 1, 1, 1)),
        new(1, 3, 4, A(7, 2, 2, 2), A(6, 3, 2, 2), A(7, 3, 2, 2)),
        new(2, 4, 4, A(3, 3, 1, 1, 1, 1), A(4, 3, 1, 1, 1, 1), A(3, 3, 1, 1, 1, 1), Groups: 2),
        new(3, 3, 3, A(4, 2, 1, 1, 0, 1), A(5, 3, 3, 1, 2, 0), A(3, 1), Groups: 3),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(ConvGeometry g)
    {
        var rng = new Rng(1);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.K);
        foreach (bool withBias in new[] { false, true })
        {
            float[] bias = withBias ? b : [];
            var y = Filled((int)g.OutputLength, float.NaN); // forward must overwrite, NaN included
            ConvNdKernel.Forward(g, x, wt, bias, y, threads: 2);

            var expected = new double[g.OutputLength];
            var magnitude = new double[g.OutputLength];
            ConvReference.Forward<double>(g, ToDouble(x), ToDouble(wt), ToDouble(bias), expected);
            ConvReference.Forward<double>(g, Abs(x), Abs(wt), Abs(bias), magnitude);
            AssertClose(expected, magnitude, y, g.GroupRows + 1, $"Forward (bias {withBias}) {g}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(ConvGeometry g)
    {
        var rng = new Rng(2);
        float[] dy = Random(rng, g.OutputLength), wt = Random(rng, g.WeightLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        ConvNdKernel.BackwardData(g, dy, wt, dx, threads: 2);

        var expected = ToDouble(dx0);
        var magnitude = Abs(dx0);
        ConvReference.BackwardData<double>(g, ToDouble(dy), ToDouble(wt), expected);
        ConvReference.BackwardData<double>(g, Abs(dy), Abs(wt), magnitude);
        AssertClose(expected, magnitude, dx, g.KPerGroup * g.KernelVolume + 1, $"BackwardData {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(ConvGeometry g)
    {
        var rng = new Rng(3);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        float[] dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.K);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        ConvNdKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);

        double[] expectedW = ToDouble(dw0), expectedB = ToDouble(db0), magnitudeW = Abs(dw0), magnitudeB = Abs(db0);
        ConvReference.BackwardWeights<double>(g, ToDouble(x), ToDouble(dy), expectedW, expectedB);
        ConvReference.BackwardWeights<double>(g, Abs(x), Abs(dy), magnitudeW, magnitudeB);
        AssertClose(expectedW, magnitudeW, dw, g.N * g.OutputVolume + 1, $"BackwardWeights dw {g}");
        AssertClose(expectedB, magnitudeB, db, g.N * g.OutputVolume + 1, $"BackwardWeights db {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllKernels_OneVersusTwoVersusFiveThreads_BitIdentical(ConvGeometry g)
    {
        var rng = new Rng(4);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.K), dy = Random(rng, g.OutputLength);
        float[][] Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            var dw = new float[g.WeightLength];
            var db = new float[g.K];
            ConvNdKernel.Forward(g, x, wt, b, y, threads);
            ConvNdKernel.BackwardData(g, dy, wt, dx, threads);
            ConvNdKernel.BackwardWeights(g, x, dy, dw, db, threads);
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
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(ConvGeometry g)
    {
        var rng = new Rng(6);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), dy = Random(rng, g.OutputLength);
        float[] dx0 = Random(rng, g.InputLength), dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.K);
        float[] gx = new float[g.InputLength], gw = new float[g.WeightLength], gb = new float[g.K];
        ConvNdKernel.BackwardData(g, dy, wt, gx, threads: 2);
        ConvNdKernel.BackwardWeights(g, x, dy, gw, gb, threads: 2);
        float[] dx = (float[])dx0.Clone(), dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        ConvNdKernel.BackwardData(g, dy, wt, dx, threads: 2);
        ConvNdKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gx, (a, b) => a + b)], dx, $"dx {g}");
        AssertTensor.BitIdentical([.. dw0.Zip(gw, (a, b) => a + b)], dw, $"dw {g}");
        AssertTensor.BitIdentical([.. db0.Zip(gb, (a, b) => a + b)], db, $"db {g}");
    }

    public static TheoryData<Conv2dGeometry> TwoDCases => Conv2dKernelTests.Cases;

    [Theory]
    [MemberData(nameof(TwoDCases))]
    public void Reference_TwoDimensional_AgreesWithConv2dReference(Conv2dGeometry g2)
    {
        // Two oracles written independently must agree (in double, to rounding of the summation order).
        var g = g2.ToNd();
        var rng = new Rng(7);
        double[] x = ToDouble(Random(rng, g.InputLength)), w = ToDouble(Random(rng, g.WeightLength)), dy = ToDouble(Random(rng, g.OutputLength));
        double[] y1 = new double[g.OutputLength], y2 = new double[g.OutputLength];
        ConvReference.Forward<double>(g, x, w, [], y1);
        Conv2dReference.Forward<double>(g2, x, w, [], y2);
        double[] dx1 = new double[g.InputLength], dx2 = new double[g.InputLength];
        ConvReference.BackwardData<double>(g, dy, w, dx1);
        Conv2dReference.BackwardData<double>(g2, dy, w, dx2);
        double[] dw1 = new double[g.WeightLength], dw2 = new double[g.WeightLength];
        ConvReference.BackwardWeights<double>(g, x, dy, dw1, []);
        Conv2dReference.BackwardWeights<double>(g2, x, dy, dw2, []);
        foreach (var (a, b, what) in new[] { (y1, y2, "y"), (dx1, dx2, "dx"), (dw1, dw2, "dw") })
            for (int i = 0; i < a.Length; i++)
                Assert.True(Math.Abs(a[i] - b[i]) <= 1e-12 * (1 + Math.Abs(b[i])), $"{what}[{i}]: N-d {a[i]}, 2-D {b[i]}, {g2}");
    }

    [Fact]
    public void Forward_GroupsAreIndependent_EachGroupEqualsItsOwnConvolution()
    {
        // Groups = 2: output channels 0..1 see input channels 0..1 only, 2..3 see 2..3 only.
        var g = ConvGeometry.TwoD(2, 4, 4, A(5, 3, 1, 1, 1, 1), A(6, 3, 1, 1, 1, 1), groups: 2);
        var half = ConvGeometry.TwoD(1, 2, 2, A(5, 3, 1, 1, 1, 1), A(6, 3, 1, 1, 1, 1));
        var rng = new Rng(8);
        float[] x = Random(rng, g.InputLength), w = Random(rng, g.WeightLength);
        var y = new float[g.OutputLength];
        ConvNdKernel.Forward(g, x, w, [], y, 1);
        int inPlane = 2 * 30, outPlane = 2 * g.OutputVolume, wHalf = (int)half.WeightLength;
        for (int n = 0; n < 2; n++)
            for (int grp = 0; grp < 2; grp++)
            {
                var part = new float[outPlane];
                ConvNdKernel.Forward(half, x.AsSpan((2 * n + grp) * inPlane, inPlane), w.AsSpan(grp * wHalf, wHalf), [], part, 1);
                AssertTensor.BitIdentical(part, y.AsSpan((2 * n + grp) * outPlane, outPlane), $"image {n} group {grp}");
            }
    }

    [Fact]
    public void Forward_DilatedKernel_EqualsDenseKernelWithZeroHoles()
    {
        // A 3-tap kernel at dilation 2 is the 5-tap kernel (w0, 0, w1, 0, w2) at dilation 1.
        var rng = new Rng(9);
        float[] x = Random(rng, 2 * 3 * 12), w = Random(rng, 4 * 3 * 3);
        var dense = new float[4 * 3 * 5];
        for (int i = 0; i < 12; i++)
            for (int t = 0; t < 3; t++) dense[i * 5 + 2 * t] = w[i * 3 + t];
        var dilated = ConvGeometry.OneD(2, 3, 4, A(12, 3, 2, 2, 1, 1));
        var holes = ConvGeometry.OneD(2, 3, 4, A(12, 5, 2, 1, 1, 1));
        float[] y1 = new float[dilated.OutputLength], y2 = new float[holes.OutputLength];
        ConvNdKernel.Forward(dilated, x, w, [], y1, 1);
        ConvNdKernel.Forward(holes, x, dense, [], y2, 1);
        for (int i = 0; i < y1.Length; i++) Assert.Equal(y2[i], y1[i], 5);
    }

    [Fact]
    public void FlipKernels_ReversesEveryAxisOfEachFilter()
    {
        // A 2×3 filter [[1,2,3],[4,5,6]] flipped along both axes is [[6,5,4],[3,2,1]]; filters stay in place.
        float[] w = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60];
        var flipped = new float[12];
        ConvNdKernel.FlipKernels(6, w, flipped);
        Assert.Equal([6f, 5, 4, 3, 2, 1, 60, 50, 40, 30, 20, 10], flipped);
        Assert.Throws<ArgumentException>(() => ConvNdKernel.FlipKernels(5, w, flipped));
        Assert.Throws<ArgumentException>(() => ConvNdKernel.FlipKernels(6, w, w));
    }

    [Fact]
    public void BiasHelpers_AddAndSumPerChannel()
    {
        float[] y = new float[2 * 3 * 2];
        ConvNdKernel.AddBias(2, 3, 2, [1f, 2f, 3f], y);
        Assert.Equal([1f, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3], y);
        float[] db = [10f, 20f, 30f];
        ConvNdKernel.BiasGradient(2, 3, 2, y, db);
        Assert.Equal([14f, 28f, 42f], db);
    }

    [Fact]
    public void OutputSize_EveryPaddingStrideDilationCombination_IsFloorFormulaAndCountsFittingWindows()
    {
        // out = ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 must equal the number of window starts o·s that keep the
        // whole dilated window inside the padded input: o·s + d(k − 1) ≤ n + 2p − 1.
        int checkedCount = 0;
        for (int n = 1; n <= 12; n++)
        for (int k = 1; k <= 5; k++)
        for (int s = 1; s <= 3; s++)
        for (int p = 0; p <= 2; p++)
        for (int d = 1; d <= 3; d++)
        {
            var axis = A(n, k, s, d, p, p);
            long span = (long)d * (k - 1) + 1;
            if (n + 2 * p < span)
            {
                Assert.Throws<ArgumentException>(() => ConvGeometry.OneD(1, 1, 1, axis).Validate());
                continue;
            }
            int fitting = 0;
            for (int o = 0; o * s + d * (k - 1) <= n + 2 * p - 1; o++) fitting++;
            Assert.Equal((n + 2 * p - d * (k - 1) - 1) / s + 1, axis.Output);
            Assert.Equal(fitting, axis.Output);
            checkedCount++;
        }
        Assert.True(checkedCount > 1000, $"only {checkedCount} combinations were valid");
    }

    [Theory]
    [InlineData(5, 3, 1, 1, -1, 0, "stride")]
    [InlineData(5, 0, 1, 1, 1, 1, "kernel")]
    [InlineData(5, 3, 0, 1, 1, 1, "dilation")]
    [InlineData(5, 3, 1, -1, 1, 1, "padding before")]
    [InlineData(3, 5, 1, 0, 0, 1, "kernel spans")]
    [InlineData(4, 3, 2, 0, 0, 1, "kernel spans")]
    public void Validate_BadAxis_ThrowsWithReason(int input, int kernel, int dilation, int before, int after, int stride, string reason)
    {
        var g = ConvGeometry.OneD(1, 1, 1, new ConvAxis(input, kernel, stride, dilation, before, after));
        var ex = Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GroupsNotDividingChannels_Throws()
    {
        Assert.Throws<ArgumentException>(() => ConvGeometry.OneD(1, 4, 6, A(5, 3), groups: 4).Validate());
        Assert.Throws<ArgumentException>(() => ConvGeometry.OneD(1, 3, 6, A(5, 3), groups: 2).Validate());
        Assert.Throws<ArgumentException>(() => ConvGeometry.OneD(1, 3, 6, A(5, 3), groups: 0).Validate());
    }

    [Fact]
    public void Forward_ShortDestination_ThrowsNamingIt()
    {
        var g = ConvGeometry.OneD(1, 1, 2, A(6, 3));
        var ex = Assert.Throws<ArgumentException>(() => ConvNdKernel.Forward(g, new float[6], new float[6], [], new float[7], 1));
        Assert.Equal("y", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => ConvNdKernel.Forward(g, new float[6], new float[6], [1f], new float[8], 1));
        Assert.Equal("bias", ex.ParamName);
    }

    private static float[] Random(Rng rng, long length)
    {
        var a = new float[length];
        rng.FillUniform(a, -1f, 1f);
        return a;
    }

    private static float[] Filled(int length, float value)
    {
        var a = new float[length];
        Array.Fill(a, value);
        return a;
    }

    private static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    private static double[] Abs(float[] a) => Array.ConvertAll(a, v => Math.Abs((double)v));

    private static void AssertClose(double[] expected, double[] magnitude, float[] actual, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double perTerm = (terms + 2) * Tolerances.GemmPerTermRelative;
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = perTerm * magnitude[i] + 1e-30;
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= allowed))
                throw new XunitException($"{what}: flat index {i}: expected {expected[i]:G9}, actual {actual[i]:G9}, " +
                    $"|diff| {diff:G3} > allowed {allowed:G3} ((terms + 2)·u·Σ|terms|, terms = {terms}).");
        }
    }
}
