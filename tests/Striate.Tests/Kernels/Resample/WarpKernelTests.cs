// The warp kernel against the naive reference (run in double) over affine maps and displacement
// fields of odd and prime sizes, one and several channels, shrinking and enlarging outputs, fills,
// points far outside and NaN; bit-identical results at 1, 2 and 5 threads; tap rules; bad arguments.
using Striate.Kernels.Reference;
using Striate.Kernels.Resample;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Resample;

public class WarpKernelTests
{
    public static TheoryData<WarpGeometry, double[], float> AffineCases => new()
    {
        { new(1, 1, 1, 1, 1), [1, 0, 0, 0, 1, 0], 0f },
        { new(3, 5, 7, 5, 7), [0.866, -0.5, 1.4, 0.5, 0.866, -1.2], 0f },
        { new(2, 13, 11, 7, 17), [0.7, 0.2, -0.5, -0.1, 1.3, 0.25], 0.5f },
        { new(5, 8, 8, 8, 8), [0, -1, 7, 1, 0, 0], 0f },
        { new(1, 4, 9, 3, 3), [2.5, 0, -1, 0, 1.5, 0.5], -1f },
        { new(9, 3, 2, 6, 5), [0.31, 0.12, 0.05, -0.2, 0.44, 0.3], 0.25f },
        { new(2, 6, 6, 6, 6), [1, 0, 100, 0, 1, -100], 0.75f },
    };

    [Theory]
    [MemberData(nameof(AffineCases))]
    public void Affine_Sweep_MatchesReference(WarpGeometry g, double[] matrix, float fill)
    {
        float[] x = Random(new Rng(1), g.InputLength);
        var y = new float[g.OutputLength];
        Array.Fill(y, float.NaN); // the kernel must overwrite every output
        WarpKernel.Affine(g, matrix, fill, x, y, threads: 2);
        var expected = new double[g.OutputLength];
        WarpReference.Affine<double>(g, matrix, fill, x.Select(v => (double)v).ToArray(), expected);
        AssertTensor.Close(y, expected, [g.Channels, g.OutH, g.OutW], Tolerances.Bilinear, $"affine {g}");
    }

    public static TheoryData<WarpGeometry, float, float> DisplaceCases => new()
    {
        { new(1, 1, 1, 1, 1), 0.3f, 0f },
        { new(1, 5, 5, 5, 5), 0.9f, 0f },
        { new(3, 7, 11, 7, 11), 3f, 0.5f },
        { new(2, 13, 3, 4, 6), 6f, -0.5f },
        { new(4, 2, 17, 2, 17), 1.5f, 0f },
    };

    [Theory]
    [MemberData(nameof(DisplaceCases))]
    public void Displace_Sweep_MatchesReference(WarpGeometry g, float magnitude, float fill)
    {
        var rng = new Rng(2);
        float[] x = Random(rng, g.InputLength);
        var dx = new float[g.FieldLength];
        var dy = new float[g.FieldLength];
        rng.FillUniform(dx, -magnitude, magnitude);
        rng.FillUniform(dy, -magnitude, magnitude);
        var y = new float[g.OutputLength];
        Array.Fill(y, float.NaN);
        WarpKernel.Displace(g, dx, dy, fill, x, y, threads: 2);
        var expected = new double[g.OutputLength];
        WarpReference.Displace<double>(g, Doubles(dx), Doubles(dy), fill, Doubles(x), expected);
        AssertTensor.Close(y, expected, [g.Channels, g.OutH, g.OutW], Tolerances.Bilinear, $"displace {g}");
    }

    [Fact]
    public void Displace_NonFiniteDisplacement_ReadsFill()
    {
        var g = new WarpGeometry(1, 2, 2, 2, 2);
        float[] dx = [float.NaN, float.PositiveInfinity, 0, 0], dy = [0, 0, float.NegativeInfinity, 0];
        var y = new float[4];
        WarpKernel.Displace(g, dx, dy, 9f, [1f, 2f, 3f, 4f], y, threads: 1);
        Assert.Equal([9f, 9f, 9f, 4f], y);
    }

    [Fact]
    public void Affine_IntegerShift_MovesPixelsExactly()
    {
        // u = j + 1, v = i − 1: y[i, j] = x[i − 1, j + 1], fill where that is outside.
        var g = new WarpGeometry(1, 3, 3, 3, 3);
        var y = new float[9];
        WarpKernel.Affine(g, [1, 0, 1, 0, 1, -1], -1f, [1, 2, 3, 4, 5, 6, 7, 8, 9], y, threads: 1);
        Assert.Equal([-1f, -1, -1, 2, 3, -1, 5, 6, -1], y);
    }

    [Fact]
    public void Affine_AnyThreadCount_BitIdentical()
    {
        var g = new WarpGeometry(3, 31, 29, 37, 23);
        double[] m = [0.9, -0.3, 2, 0.35, 0.8, -1];
        float[] x = Random(new Rng(3), g.InputLength);
        var one = new float[g.OutputLength];
        WarpKernel.Affine(g, m, 0.1f, x, one, threads: 1);
        foreach (int threads in new[] { 2, 5 })
        {
            var many = new float[g.OutputLength];
            WarpKernel.Affine(g, m, 0.1f, x, many, threads);
            AssertTensor.BitIdentical(one, many, $"{threads} threads");
        }
    }

    [Fact]
    public void Taps_WeightsSumToOneAndOutsideNeighboursAreMarked()
    {
        Span<int> offsets = stackalloc int[4];
        Span<float> weights = stackalloc float[4];
        WarpKernel.Taps(1.25, 0.5, 3, 4, offsets, weights);
        Assert.Equal([1, 2, 5, 6], offsets.ToArray());
        Assert.Equal([0.375f, 0.125f, 0.375f, 0.125f], weights.ToArray());
        WarpKernel.Taps(-0.5, 2.5, 3, 4, offsets, weights);
        Assert.Equal([-1, 8, -1, -1], offsets.ToArray());
        Assert.Equal(1f, weights[0] + weights[1] + weights[2] + weights[3]);
        WarpKernel.Taps(double.NaN, 0, 3, 4, offsets, weights);
        Assert.Equal([-1, -1, -1, -1], offsets.ToArray());
    }

    [Fact]
    public void BadArguments_Throw()
    {
        var g = new WarpGeometry(1, 2, 2, 2, 2);
        var y = new float[4];
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => WarpKernel.Affine(g, [1, 0, 0, 0, 1], 0, new float[4], y, 1)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => WarpKernel.Affine(g, [1, 0, double.NaN, 0, 1, 0], 0, new float[4], y, 1)).ParamName);
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => WarpKernel.Affine(g, [1, 0, 0, 0, 1, 0], 0, new float[3], y, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => WarpKernel.Affine(g, [1, 0, 0, 0, 1, 0], 0, new float[4], new float[3], 1)).ParamName);
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => WarpKernel.Displace(g, new float[4], new float[2], 0, new float[4], y, 1)).ParamName);
        Assert.Throws<ArgumentException>(() => new WarpGeometry(0, 2, 2, 2, 2).Validate());
        Assert.Throws<ArgumentException>(() => new WarpGeometry(1, 2, 2, 0, 2).Validate());
    }

    private static float[] Random(Rng rng, long length)
    {
        var x = new float[length];
        rng.FillUniform(x, -1, 1);
        return x;
    }

    private static double[] Doubles(float[] values) => values.Select(v => (double)v).ToArray();
}
