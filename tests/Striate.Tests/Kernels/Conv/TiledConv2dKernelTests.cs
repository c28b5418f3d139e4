// The tiled-convolution kernels against the naive reference written from the chapter's formula (run
// in double as the oracle) over an edge-case sweep, plus thread-count determinism, one-rounding
// accumulation and the special cases t = 1 (ordinary convolution) and t = output size.
using Striate.Kernels.Conv;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Conv;

public class TiledConv2dKernelTests
{
    // Error model: every element is a float32 sum of at most `terms` products (plus the value
    // accumulated into), so |fast − exact| ≤ (terms + 2)·u·Σ|terms|; Σ|terms| comes from running the
    // reference on |inputs|.

    // (N, C, H, W, K, R, S, tH, tW, sh, sw, ph, pw): N = 1 and odd N, channels not a multiple of 8,
    // prime and rectangular sizes, 1×1 kernels, kernel = input, strides 2 and 3, padding 0..2, tiles 1,
    // 2, 3, non-square tiles, tiles that do not divide the output, tiles larger than the output, and
    // tiles equal to the output (locally connected).
    public static TheoryData<TiledConv2dGeometry> Cases => new(
    [
        new(1, 1, 6, 6, 1, 3, 3, 2, 2, 1, 1, 0, 0),
        new(2, 3, 5, 7, 4, 1, 1, 3, 2, 1, 1, 0, 0),
        new(3, 2, 4, 4, 5, 4, 4, 1, 1, 1, 1, 0, 0),
        new(1, 1, 4, 4, 1, 4, 4, 2, 2, 1, 1, 1, 1),
        new(2, 3, 9, 9, 9, 3, 3, 2, 3, 2, 2, 1, 1),
        new(3, 11, 7, 5, 5, 3, 3, 4, 4, 1, 1, 1, 1),
        new(3, 4, 11, 10, 6, 3, 2, 2, 2, 3, 3, 2, 2),
        new(1, 5, 8, 8, 3, 5, 5, 5, 2, 3, 2, 2, 0),
        new(2, 1, 3, 3, 2, 5, 5, 3, 3, 1, 1, 2, 2),
        new(1, 2, 1, 1, 3, 3, 3, 2, 2, 1, 1, 1, 1),
        new(2, 6, 13, 13, 7, 2, 3, 3, 1, 2, 1, 0, 2),
        new(3, 9, 6, 6, 4, 1, 1, 2, 2, 2, 2, 0, 0),
        new(1, 1, 1, 17, 3, 1, 4, 1, 3, 1, 2, 0, 1),
        new(2, 3, 7, 7, 2, 3, 3, 5, 5, 1, 1, 0, 0),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(TiledConv2dGeometry g)
    {
        var rng = new Rng(1);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.BiasLength);
        foreach (bool withBias in new[] { false, true })
        {
            float[] bias = withBias ? b : [];
            var y = Filled(g.OutputLength, float.NaN); // forward must overwrite, NaN included
            TiledConv2dKernel.Forward(g, x, wt, bias, y, threads: 2);

            var expected = new double[g.OutputLength];
            var magnitude = new double[g.OutputLength];
            TiledConv2dReference.Forward<double>(g, ToDouble(x), ToDouble(wt), ToDouble(bias), expected);
            TiledConv2dReference.Forward<double>(g, Abs(x), Abs(wt), Abs(bias), magnitude);
            AssertClose(expected, magnitude, y, g.C * g.R * g.S + 1, [g.N, g.K, g.P, g.Q], $"Forward (bias {withBias}) {g}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(TiledConv2dGeometry g)
    {
        var rng = new Rng(2);
        float[] dy = Random(rng, g.OutputLength), wt = Random(rng, g.WeightLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        TiledConv2dKernel.BackwardData(g, dy, wt, dx, threads: 2);

        var expected = ToDouble(dx0);
        var magnitude = Abs(dx0);
        TiledConv2dReference.BackwardData<double>(g, ToDouble(dy), ToDouble(wt), expected);
        TiledConv2dReference.BackwardData<double>(g, Abs(dy), Abs(wt), magnitude);
        AssertClose(expected, magnitude, dx, g.K * g.R * g.S + 1, [g.N, g.C, g.H, g.W], $"BackwardData {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(TiledConv2dGeometry g)
    {
        var rng = new Rng(3);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        float[] dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.BiasLength);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        TiledConv2dKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);

        double[] expectedW = ToDouble(dw0), expectedB = ToDouble(db0), magnitudeW = Abs(dw0), magnitudeB = Abs(db0);
        TiledConv2dReference.BackwardWeights<double>(g, ToDouble(x), ToDouble(dy), expectedW, expectedB);
        TiledConv2dReference.BackwardWeights<double>(g, Abs(x), Abs(dy), magnitudeW, magnitudeB);
        int terms = g.N * ((g.P + g.TileH - 1) / g.TileH) * ((g.Q + g.TileW - 1) / g.TileW) + 1;
        AssertClose(expectedW, magnitudeW, dw, terms, [g.K, g.TileH, g.TileW, g.C, g.R, g.S], $"BackwardWeights dw {g}");
        AssertClose(expectedB, magnitudeB, db, terms, [g.K, g.TileH, g.TileW], $"BackwardWeights db {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllKernels_OneVersusTwoVersusFiveThreads_BitIdentical(TiledConv2dGeometry g)
    {
        var rng = new Rng(4);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.BiasLength), dy = Random(rng, g.OutputLength);
        float[][] Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            var dw = new float[g.WeightLength];
            var db = new float[g.BiasLength];
            TiledConv2dKernel.Forward(g, x, wt, b, y, threads);
            TiledConv2dKernel.BackwardData(g, dy, wt, dx, threads);
            TiledConv2dKernel.BackwardWeights(g, x, dy, dw, db, threads);
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
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(TiledConv2dGeometry g)
    {
        // dx, dw and db receive this call's gradient G in one addition, dest + G, so backward twice
        // adds exactly 2·G and the result never depends on what the destination held.
        var rng = new Rng(6);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), dy = Random(rng, g.OutputLength);
        float[] dx0 = Random(rng, g.InputLength), dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.BiasLength);
        float[] gx = new float[g.InputLength], gw = new float[g.WeightLength], gb = new float[g.BiasLength];
        TiledConv2dKernel.BackwardData(g, dy, wt, gx, threads: 2);
        TiledConv2dKernel.BackwardWeights(g, x, dy, gw, gb, threads: 2);
        float[] dx = (float[])dx0.Clone(), dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        TiledConv2dKernel.BackwardData(g, dy, wt, dx, threads: 2);
        TiledConv2dKernel.BackwardWeights(g, x, dy, dw, db, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gx, (a, b) => a + b)], dx, $"dx {g}");
        AssertTensor.BitIdentical([.. dw0.Zip(gw, (a, b) => a + b)], dw, $"dw {g}");
        AssertTensor.BitIdentical([.. db0.Zip(gb, (a, b) => a + b)], db, $"db {g}");
    }

    [Fact]
    public void BackwardWeights_OnlyBias_LeavesNoKernelGradientAndMatchesReference()
    {
        var g = new TiledConv2dGeometry(2, 3, 6, 5, 4, 3, 2, 2, 3, 1, 1, 1, 0);
        var rng = new Rng(7);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        var db = new float[g.BiasLength];
        TiledConv2dKernel.BackwardWeights(g, x, dy, [], db, threads: 2);
        var expected = new double[g.BiasLength];
        var magnitude = new double[g.BiasLength];
        TiledConv2dReference.BackwardWeights<double>(g, ToDouble(x), ToDouble(dy), [], expected);
        TiledConv2dReference.BackwardWeights<double>(g, Abs(x), Abs(dy), [], magnitude);
        AssertClose(expected, magnitude, db, g.N * g.P * g.Q, [g.K, g.TileH, g.TileW], "db only");
    }

    [Fact]
    public void Forward_TileOne_EqualsConv2dKernel()
    {
        // With one tile the (K, 1, 1, C, R, S) kernel is a convolution's (K, C, R, S), element for element.
        var t = new TiledConv2dGeometry(3, 5, 9, 8, 7, 3, 2, 1, 1, 2, 1, 1, 2);
        var c = new Conv2dGeometry(3, 5, 9, 8, 7, 3, 2, 2, 1, 1, 2);
        var rng = new Rng(8);
        float[] x = Random(rng, t.InputLength), wt = Random(rng, t.WeightLength), b = Random(rng, t.BiasLength);
        var tiled = new float[t.OutputLength];
        var conv = new float[c.OutputLength];
        TiledConv2dKernel.Forward(t, x, wt, b, tiled, threads: 1);
        Conv2dKernel.Forward(c, x, wt, b, conv, threads: 1);
        var magnitude = new double[c.OutputLength];
        Conv2dReference.Forward<double>(c, Abs(x), Abs(wt), Abs(b), magnitude);
        // Both are float32 dot products of C·R·S terms summed in different orders.
        AssertClose(Array.ConvertAll(conv, v => (double)v), magnitude, tiled, 2 * (t.C * t.R * t.S + 1), [t.N, t.K, t.P, t.Q], "tiled t = 1 vs conv");
    }

    [Fact]
    public void Forward_ChapterExample_TwoKernelsAlternateAlongTheRow()
    {
        // A 1×6 row with 1×2 kernels and t = 2: even outputs use kernel (1, 1), odd outputs use (1, −1),
        // as in the chapter's figure where neighbouring units have different weights.
        var g = new TiledConv2dGeometry(1, 1, 1, 6, 1, 1, 2, 1, 2);
        float[] x = [1, 2, 4, 8, 16, 32];
        float[] w = [1, 1, 1, -1];
        var y = new float[5];
        TiledConv2dKernel.Forward(g, x, w, [], y, threads: 1);
        Assert.Equal([3f, -2, 12, -8, 48], y);
    }

    [Theory]
    [InlineData(28, 5, 1, 2, 28)]
    [InlineData(28, 5, 1, 0, 24)]
    [InlineData(7, 3, 2, 1, 4)]
    [InlineData(8, 3, 3, 0, 2)]
    [InlineData(5, 5, 3, 0, 1)]
    public void Geometry_OutputSize_IsFloorOfPaddedSpanOverStridePlusOne(int h, int r, int stride, int pad, int expected)
    {
        var g = new TiledConv2dGeometry(1, 1, h, h, 1, r, r, 2, 2, stride, stride, pad, pad);
        Assert.Equal(expected, g.P);
        Assert.Equal(expected, g.Q);
    }

    [Fact]
    public void Forward_ShortDestination_ThrowsNamingIt()
    {
        var g = new TiledConv2dGeometry(1, 1, 4, 4, 2, 3, 3, 2, 2);
        var ex = Assert.Throws<ArgumentException>(() => TiledConv2dKernel.Forward(g, new float[16], new float[72], [], new float[7], 1));
        Assert.Equal("y", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => TiledConv2dKernel.Forward(g, new float[16], new float[72], new float[2], new float[8], 1));
        Assert.Equal("bias", ex.ParamName);
    }

    [Theory]
    [InlineData(0, 2)]
    [InlineData(2, 0)]
    public void Geometry_NonPositiveTile_Throws(int tileH, int tileW)
    {
        var g = new TiledConv2dGeometry(1, 1, 4, 4, 1, 3, 3, tileH, tileW);
        var ex = Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.Contains("tile", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Geometry_KernelLargerThanPaddedInput_Throws()
    {
        var g = new TiledConv2dGeometry(1, 1, 3, 3, 1, 5, 5, 1, 1);
        Assert.Throws<ArgumentException>(() => g.Validate());
    }

    internal static float[] Random(Rng rng, long length)
    {
        var a = new float[length];
        rng.FillUniform(a, -1f, 1f);
        return a;
    }

    internal static float[] Filled(long length, float value)
    {
        var a = new float[length];
        Array.Fill(a, value);
        return a;
    }

    internal static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    internal static double[] Abs(float[] a) => Array.ConvertAll(a, v => Math.Abs((double)v));

    internal static void AssertClose(double[] expected, double[] magnitude, float[] actual, int terms, int[] shape, string what)
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
