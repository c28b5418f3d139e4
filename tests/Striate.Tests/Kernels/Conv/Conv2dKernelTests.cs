// The im2col + GEMM convolution kernels against the naive reference (run in double as the
// oracle) over an edge-case sweep of shapes, plus thread-count determinism and the textbook example.
using Striate.Kernels.Conv;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Conv;

public class Conv2dKernelTests
{
    // Error model: every output element is a float32 sum of at most `terms` products (plus the
    // value accumulated into), so |fast − exact| ≤ (terms + 2)·u·Σ|terms|, the dot-product bound of
    // Tolerances.GemmPerTermRelative. Σ|terms| comes from running the reference on |inputs|.

    // (N, C, H, W, K, R, S, sh, sw, ph, pw): around the GEMM's 4×16 tiles (C·R·S and K below, at
    // and above 4 and 16), 1×1 filters, filter == input, strides 2 and 3, padding 0..2, odd and
    // rectangular sizes, and LeNet's two layers.
    public static TheoryData<Conv2dGeometry> Cases => new(
    [
        new(1, 1, 6, 6, 1, 3, 3, 1, 1, 0, 0),
        new(2, 3, 5, 7, 4, 1, 1, 1, 1, 0, 0),
        new(3, 2, 4, 4, 5, 4, 4, 1, 1, 0, 0),
        new(1, 1, 4, 4, 1, 4, 4, 1, 1, 1, 1),
        new(2, 3, 9, 9, 16, 3, 3, 2, 2, 1, 1),
        new(2, 17, 7, 5, 17, 3, 3, 1, 1, 1, 1),
        new(3, 4, 11, 10, 15, 3, 2, 3, 3, 2, 2),
        new(1, 5, 8, 8, 3, 5, 5, 3, 2, 2, 0),
        new(2, 1, 3, 3, 2, 5, 5, 1, 1, 2, 2),
        new(1, 2, 1, 1, 3, 3, 3, 1, 1, 1, 1),
        new(2, 6, 13, 13, 7, 2, 3, 2, 1, 0, 2),
        new(3, 16, 6, 6, 4, 1, 1, 2, 2, 0, 0),
        new(2, 7, 12, 9, 33, 4, 4, 3, 2, 1, 0),
        new(2, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2),
        new(3, 6, 14, 14, 16, 5, 5, 1, 1, 0, 0),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(Conv2dGeometry g)
    {
        var rng = new Rng(1);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.K);
        foreach (bool withBias in new[] { false, true })
        {
            float[] bias = withBias ? b : [];
            var y = Filled((int)g.OutputLength, float.NaN); // forward must overwrite, NaN included
            Conv2dKernel.Forward(g, x, wt, bias, y, threads: 2);

            var expected = new double[g.OutputLength];
            var magnitude = new double[g.OutputLength];
            Conv2dReference.Forward<double>(g, ToDouble(x), ToDouble(wt), ToDouble(bias), expected);
            Conv2dReference.Forward<double>(g, Abs(x), Abs(wt), Abs(bias), magnitude);
            AssertClose(expected, magnitude, y, g.C * g.R * g.S + 1, [g.N, g.K, g.P, g.Q], $"Forward (bias {withBias}) {g}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(Conv2dGeometry g)
    {
        var rng = new Rng(2);
        float[] dy = Random(rng, g.OutputLength), wt = Random(rng, g.WeightLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        Conv2dKernel.BackwardData(g, dy, wt, dx, threads: 2);

        var expected = ToDouble(dx0);
        var magnitude = Abs(dx0);
        Conv2dReference.BackwardData<double>(g, ToDouble(dy), ToDouble(wt), expected);
        Conv2dReference.BackwardData<double>(g, Abs(dy), Abs(wt), magnitude);
        AssertClose(expected, magnitude, dx, g.K * g.R * g.S + 1, [g.N, g.C, g.H, g.W], $"BackwardData {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(Conv2dGeometry g)
    {
        var rng = new Rng(3);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        float[] dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.K);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        Conv2dKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);

        double[] expectedW = ToDouble(dw0), expectedB = ToDouble(db0), magnitudeW = Abs(dw0), magnitudeB = Abs(db0);
        Conv2dReference.BackwardWeights<double>(g, ToDouble(x), ToDouble(dy), expectedW, expectedB);
        Conv2dReference.BackwardWeights<double>(g, Abs(x), Abs(dy), magnitudeW, magnitudeB);
        AssertClose(expectedW, magnitudeW, dw, g.N * g.P * g.Q + 1, [g.K, g.C, g.R, g.S], $"BackwardWeights dw {g}");
        AssertClose(expectedB, magnitudeB, db, g.N * g.P * g.Q + 1, [g.K], $"BackwardWeights db {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllKernels_OneVersusTwoVersusFiveThreads_BitIdentical(Conv2dGeometry g)
    {
        var rng = new Rng(4);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.K), dy = Random(rng, g.OutputLength);
        float[][] Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            var dw = new float[g.WeightLength];
            var db = new float[g.K];
            Conv2dKernel.Forward(g, x, wt, b, y, threads);
            Conv2dKernel.BackwardData(g, dy, wt, dx, threads);
            Conv2dKernel.BackwardWeights(g, x, dy, dw, db, threads);
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
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(Conv2dGeometry g)
    {
        // dx, dw and db receive this call's gradient G in one addition, dest + G, so backward twice
        // adds exactly 2·G and the result never depends on what the destination held.
        var rng = new Rng(6);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), dy = Random(rng, g.OutputLength);
        float[] dx0 = Random(rng, g.InputLength), dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.K);
        float[] gx = new float[g.InputLength], gw = new float[g.WeightLength], gb = new float[g.K];
        Conv2dKernel.BackwardData(g, dy, wt, gx, threads: 2);
        Conv2dKernel.BackwardWeights(g, x, dy, gw, gb, threads: 2);
        float[] dx = (float[])dx0.Clone(), dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        Conv2dKernel.BackwardData(g, dy, wt, dx, threads: 2);
        Conv2dKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gx, (a, b) => a + b)], dx, $"dx {g}");
        AssertTensor.BitIdentical([.. dw0.Zip(gw, (a, b) => a + b)], dw, $"dw {g}");
        AssertTensor.BitIdentical([.. db0.Zip(gb, (a, b) => a + b)], db, $"db {g}");
    }

    [Fact]
    public void BackwardWeights_BatchLargerThanPartialChunk_MatchesOneImageAtATime()
    {
        // K·C·R·S = 64·64·9 = 36,864 floats per image: the 1 Mi-float partial budget holds 28 images,
        // so a batch of 30 takes two chunks; the result must equal the one-image-at-a-time path bit for bit.
        var g = new Conv2dGeometry(30, 64, 3, 3, 64, 3, 3, 1, 1, 1, 1);
        var rng = new Rng(5);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength), start = Random(rng, g.WeightLength);
        float[] serial = (float[])start.Clone(), chunked = (float[])start.Clone();
        Conv2dKernel.BackwardWeights(g, x, dy, serial, [], threads: 1);
        Conv2dKernel.BackwardWeights(g, x, dy, chunked, [], threads: 2);
        AssertTensor.BitIdentical(serial, chunked, "dw serial (1 thread) vs chunked partials (2 threads)");
    }

    [Fact]
    public void Forward_TextbookVerticalEdgeFilter_MatchesHandComputed()
    {
        // The classic 6×6 image cross-correlated with a vertical-edge filter (no padding, stride 1).
        float[] x =
        [
            3, 0, 1, 2, 7, 4,
            1, 5, 8, 9, 3, 1,
            2, 7, 2, 5, 1, 3,
            0, 1, 3, 1, 7, 8,
            4, 2, 1, 6, 2, 8,
            2, 4, 5, 2, 3, 9,
        ];
        float[] w = [1, 0, -1, 1, 0, -1, 1, 0, -1];
        var y = new float[16];
        Conv2dKernel.Forward(new Conv2dGeometry(1, 1, 6, 6, 1, 3, 3), x, w, [], y, threads: 1);
        Assert.Equal([-5f, -4, 0, 8, -10, -2, 2, 3, 0, -2, -4, -7, -3, -2, -3, -16], y);
    }

    [Theory]
    [InlineData(28, 5, 1, 2, 28)]
    [InlineData(28, 5, 1, 0, 24)]
    [InlineData(14, 5, 1, 0, 10)]
    [InlineData(7, 3, 2, 1, 4)]
    [InlineData(224, 11, 4, 2, 55)]
    [InlineData(5, 5, 3, 0, 1)]
    public void Geometry_OutputSize_IsFloorOfPaddedSpanOverStridePlusOne(int h, int r, int stride, int pad, int expected)
    {
        var g = new Conv2dGeometry(1, 1, h, h, 1, r, r, stride, stride, pad, pad);
        Assert.Equal(expected, g.P);
        Assert.Equal(expected, g.Q);
    }

    [Fact]
    public void Forward_ShortDestination_ThrowsNamingIt()
    {
        var g = new Conv2dGeometry(1, 1, 4, 4, 2, 3, 3);
        var ex = Assert.Throws<ArgumentException>(() => Conv2dKernel.Forward(g, new float[16], new float[18], [], new float[7], 1));
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void Geometry_FilterLargerThanPaddedInput_Throws()
    {
        var g = new Conv2dGeometry(1, 1, 3, 3, 1, 5, 5);
        Assert.Throws<ArgumentException>(() => g.Validate());
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

    private static void AssertClose(double[] expected, double[] magnitude, float[] actual, int terms, int[] shape, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double perTerm = (terms + 2) * Tolerances.GemmPerTermRelative;
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = perTerm * magnitude[i] + 1e-30;
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= allowed))
                throw new XunitException($"{what}: index {AssertTensor.MultiIndex(i, shape)} of {Tensor.ShapeText(shape)}: expected {expected[i]:G9}, " +
                    $"actual {actual[i]:G9}, |diff| {diff:G3} > allowed {allowed:G3} ((terms + 2)·u·Σ|terms|, terms = {terms}).");
        }
    }
}
