// The upsampling kernels against the naive reference (run in double) over a sweep of modes, sizes,
// scale factors and align-corners settings, plus determinism, one-rounding accumulation and the
// sampling-position rules (PyTorch's nearest_idx and area_pixel_compute_source_index).
using Striate.Kernels.Reference;
using Striate.Kernels.Resample;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Resample;

public class UpsampleKernelTests
{
    private const UpsampleInterpolation Nearest = UpsampleInterpolation.Nearest, Linear = UpsampleInterpolation.Linear;

    // (planes, in D×H×W, out D×H×W, mode, align corners, scale factors): 1-D, 2-D and 3-D, up and
    // down, exact doubling, identity, odd and prime sizes, scale factors that are not out/in, size 1.
    public static TheoryData<UpsampleGeometry> Cases => new(
    [
        new(3, 1, 1, 5, 1, 1, 10, Nearest, ScaleW: 2),
        new(2, 1, 1, 3, 1, 1, 7, Nearest),
        new(2, 1, 1, 7, 1, 1, 3, Nearest),
        new(5, 1, 3, 4, 1, 6, 8, Nearest),
        new(1, 1, 5, 5, 1, 8, 8, Nearest, ScaleH: 1.7, ScaleW: 1.7),
        new(3, 1, 5, 7, 1, 2, 3, Nearest),
        new(2, 2, 3, 2, 1, 6, 4, Nearest),
        new(2, 2, 3, 2, 4, 6, 4, Nearest, ScaleD: 2, ScaleH: 2, ScaleW: 2),
        new(3, 1, 1, 5, 1, 1, 10, Linear, ScaleW: 2),
        new(3, 1, 1, 5, 1, 1, 10, Linear, AlignCorners: true, ScaleW: 2),
        new(2, 1, 1, 9, 1, 1, 4, Linear),
        new(1, 1, 1, 4, 1, 1, 1, Linear, AlignCorners: true),
        new(6, 1, 3, 4, 1, 6, 8, Linear, ScaleH: 2, ScaleW: 2),
        new(6, 1, 3, 4, 1, 5, 7, Linear, AlignCorners: true),
        new(2, 1, 4, 5, 1, 6, 7, Linear, ScaleH: 1.5, ScaleW: 1.5),
        new(2, 1, 5, 7, 1, 2, 3, Linear),
        new(2, 1, 1, 4, 1, 1, 8, Linear),
        new(2, 1, 1, 1, 1, 3, 3, Linear),
        new(2, 2, 3, 2, 4, 6, 4, Linear, ScaleD: 2, ScaleH: 2, ScaleW: 2),
        new(1, 2, 3, 3, 3, 4, 5, Linear, AlignCorners: true),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_Sweep_MatchesReference(UpsampleGeometry g)
    {
        var rng = new Rng(1);
        float[] x = Random(rng, g.InputLength);
        var y = new float[g.OutputLength];
        Array.Fill(y, float.NaN); // forward must overwrite
        UpsampleKernel.Forward(g, x, y, threads: 2);
        var expected = new double[g.OutputLength];
        var magnitude = new double[g.OutputLength];
        UpsampleReference.Forward<double>(g, ToDouble(x), expected);
        UpsampleReference.Forward<double>(g, Abs(x), magnitude);
        AssertClose(expected, magnitude, y, 8, $"Forward {g}");
        if (g.Interpolation == Nearest) AssertTensor.BitIdentical([.. expected.Select(v => (float)v)], y, $"Nearest forward copies {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_Sweep_AccumulatesReference(UpsampleGeometry g)
    {
        var rng = new Rng(2);
        float[] dy = Random(rng, g.OutputLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        UpsampleKernel.Backward(g, dy, dx, threads: 2);
        double[] expected = ToDouble(dx0), magnitude = Abs(dx0);
        UpsampleReference.Backward<double>(g, ToDouble(dy), expected);
        UpsampleReference.Backward<double>(g, Abs(dy), magnitude);
        // Every output reaches at most 8 inputs; an input receives from at most ⌈out/in⌉ + 1 outputs per axis.
        int terms = 8 * (g.OutD / g.InD + 2) * (g.OutH / g.InH + 2) * (g.OutW / g.InW + 2);
        AssertClose(expected, magnitude, dx, terms, $"Backward {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Both_OneVersusTwoVersusFiveThreads_BitIdentical(UpsampleGeometry g)
    {
        var rng = new Rng(3);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        (float[] Y, float[] Dx) Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            UpsampleKernel.Forward(g, x, y, threads);
            UpsampleKernel.Backward(g, dy, dx, threads);
            return (y, dx);
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 5 })
        {
            var many = Run(threads);
            AssertTensor.BitIdentical(one.Y, many.Y, $"y, 1 vs {threads} threads, {g}");
            AssertTensor.BitIdentical(one.Dx, many.Dx, $"dx, 1 vs {threads} threads, {g}");
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_IntoNonZeroDestination_AddsTheFreshGradientOnce(UpsampleGeometry g)
    {
        var rng = new Rng(4);
        float[] dy = Random(rng, g.OutputLength), dx0 = Random(rng, g.InputLength);
        var fresh = new float[g.InputLength];
        UpsampleKernel.Backward(g, dy, fresh, threads: 2);
        var dx = (float[])dx0.Clone();
        UpsampleKernel.Backward(g, dy, dx, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(fresh, (a, b) => a + b)], dx, $"dx {g}");
    }

    [Theory]
    [InlineData(5, 10, null, new[] { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4 })]           // out = 2·in: o >> 1
    [InlineData(4, 4, null, new[] { 0, 1, 2, 3 })]                               // out = in: identity
    [InlineData(3, 7, null, new[] { 0, 0, 0, 1, 1, 2, 2 })]                      // ⌊o · 3/7⌋
    [InlineData(7, 3, null, new[] { 0, 2, 4 })]                                  // ⌊o · 7/3⌋
    [InlineData(5, 8, 1.7, new[] { 0, 0, 1, 1, 2, 2, 3, 4 })]                    // ⌊o / 1.7⌋, not ⌊o · 5/8⌋ = 0,0,1,1,2,3,3,4
    public void NearestIndex_FollowsPyTorch(int inSize, int outSize, double? scale, int[] expected)
    {
        Assert.Equal(expected, Enumerable.Range(0, outSize).Select(o => UpsampleKernel.NearestIndex(o, inSize, outSize, scale)));
    }

    [Fact]
    public void LinearTaps_HalfPixelCentres_AndAlignedCorners()
    {
        // in 2 → out 4 without align corners: src = (o + ½)/2 − ½ = −¼ (clamped to 0), ¼, ¾, 1¼ (last sample repeated).
        Assert.Equal((0, 1, 0f), UpsampleKernel.LinearTaps(0, 2, 4, false, null));
        Assert.Equal((0, 1, 0.25f), UpsampleKernel.LinearTaps(1, 2, 4, false, null));
        Assert.Equal((0, 1, 0.75f), UpsampleKernel.LinearTaps(2, 2, 4, false, null));
        Assert.Equal((1, 1, 0.25f), UpsampleKernel.LinearTaps(3, 2, 4, false, null));
        // With align corners: src = o · (2 − 1)/(4 − 1) = 0, ⅓, ⅔, 1.
        Assert.Equal((0, 1, 0f), UpsampleKernel.LinearTaps(0, 2, 4, true, null));
        var (i0, i1, lambda) = UpsampleKernel.LinearTaps(2, 2, 4, true, null);
        Assert.Equal((0, 1), (i0, i1));
        Assert.Equal(2f / 3f, lambda, 6);
        Assert.Equal((1, 1, 0f), UpsampleKernel.LinearTaps(3, 2, 4, true, null));
    }

    [Fact]
    public void Forward_Bilinear2x2AlignCorners_HandComputed()
    {
        // [[0, 3], [6, 9]] to 3×3 with aligned corners: the centre is the mean 4.5, edges are midpoints.
        var g = new UpsampleGeometry(1, 1, 2, 2, 1, 3, 3, Linear, AlignCorners: true);
        var y = new float[9];
        UpsampleKernel.Forward(g, [0f, 3, 6, 9], y, threads: 1);
        Assert.Equal([0f, 1.5f, 3, 3, 4.5f, 6, 6, 7.5f, 9], y);
    }

    [Fact]
    public void Geometry_BadValues_Throw()
    {
        Assert.Throws<ArgumentException>(() => new UpsampleGeometry(1, 1, 1, 0, 1, 1, 2, Nearest).Validate());
        Assert.Throws<ArgumentException>(() => new UpsampleGeometry(1, 1, 1, 2, 1, 1, 4, Nearest, AlignCorners: true).Validate());
        Assert.Throws<ArgumentException>(() => new UpsampleGeometry(1, 1, 1, 2, 1, 1, 4, Linear, ScaleW: -2).Validate());
        Assert.Throws<ArgumentException>(() => new UpsampleGeometry(-1, 1, 1, 2, 1, 1, 4, Linear).Validate());
        var ex = Assert.Throws<ArgumentException>(() => UpsampleKernel.Forward(new UpsampleGeometry(1, 1, 1, 2, 1, 1, 4, Linear), new float[2], new float[3], 1));
        Assert.Equal("y", ex.ParamName);
    }

    private static float[] Random(Rng rng, long length)
    {
        var a = new float[length];
        rng.FillUniform(a, -1f, 1f);
        return a;
    }

    private static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    private static double[] Abs(float[] a) => Array.ConvertAll(a, v => Math.Abs((double)v));

    /// <summary>|fast − exact| ≤ (terms + 2)·u·Σ|terms|: a float32 sum of at most <paramref name="terms"/> products.</summary>
    private static void AssertClose(double[] expected, double[] magnitude, float[] actual, int terms, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double perTerm = (terms + 2) * Tolerances.GemmPerTermRelative;
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = perTerm * magnitude[i] + 1e-30;
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= allowed))
                throw new XunitException($"{what}: flat index {i}: expected {expected[i]:G9}, actual {actual[i]:G9}, |diff| {diff:G3} > allowed {allowed:G3} (terms = {terms}).");
        }
    }
}
