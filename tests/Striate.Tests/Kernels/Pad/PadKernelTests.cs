// The padding kernel against the naive reference over every border mode, 1-D/2-D/3-D pads, crops,
// pads wider than the input (replicate) and exact wraps (circular); thread-count determinism;
// accumulate-once backward; hand-written rows for each mode; and the validity rules.
using Striate.Kernels.Pad;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Pad;

public class PadKernelTests
{
    private static PadGeometry G(int planes, PadAxis d, PadAxis h, PadAxis w, BorderMode mode) => new(planes, d, h, w, mode);

    private static readonly PadAxis One = new(1);

    public static TheoryData<PadGeometry> Cases
    {
        get
        {
            var data = new TheoryData<PadGeometry>();
            foreach (var mode in Enum.GetValues<BorderMode>())
            {
                data.Add(G(3, One, One, new PadAxis(7, 2, 3), mode));
                data.Add(G(2, One, new PadAxis(5, 1, 3), new PadAxis(4, 2, 0), mode));
                data.Add(G(1, new PadAxis(3, 1, 2), new PadAxis(4, 2, 1), new PadAxis(5, 0, 2), mode));
                data.Add(G(4, One, new PadAxis(6, -1, 2), new PadAxis(5, 2, -2), mode));
                data.Add(G(17, One, One, new PadAxis(3, 0, 0), mode));
            }
            data.Add(G(2, One, new PadAxis(2, 5, 4), new PadAxis(3, 6, 1), BorderMode.Replicate)); // wider than the input
            data.Add(G(2, One, new PadAxis(4, 4, 4), new PadAxis(3, 3, 2), BorderMode.Circular));  // wraps exactly once
            data.Add(G(2, One, new PadAxis(4, -4, 2), new PadAxis(3, 1, 1), BorderMode.Constant));  // crops to nothing, then pads
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_MatchesReference(PadGeometry g)
    {
        var rng = new Rng(1);
        var x = Random(rng, g.InputLength);
        var y = new float[g.OutputLength];
        Array.Fill(y, float.NaN); // forward must overwrite
        PadKernel.Forward(g, x, 0.75f, y, threads: 2);
        var expected = new float[g.OutputLength];
        PadReference.Forward<float>(g, x, 0.75f, expected);
        AssertTensor.BitIdentical(expected, y, $"Forward {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_AccumulatesReference(PadGeometry g)
    {
        var rng = new Rng(2);
        float[] dy = Random(rng, g.OutputLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        PadKernel.Backward(g, dy, dx, threads: 2);
        var expected = Array.ConvertAll(dx0, v => (double)v);
        PadReference.Backward<double>(g, Array.ConvertAll(dy, v => (double)v), expected);
        // Each dx element adds at most a handful of dy values (its copies): a few roundings.
        AssertTensor.Close(dx, expected, [(int)g.InputLength], Tolerances.Pointwise.ScaledBy(4), $"Backward {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_OneVersusThreeThreads_BitIdentical_AndBackwardAddsOnce(PadGeometry g)
    {
        var rng = new Rng(3);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength), dx0 = Random(rng, g.InputLength);
        float[] y1 = new float[g.OutputLength], y3 = new float[g.OutputLength];
        PadKernel.Forward(g, x, -2f, y1, 1);
        PadKernel.Forward(g, x, -2f, y3, 3);
        AssertTensor.BitIdentical(y1, y3, $"y 1 vs 3 threads {g}");
        float[] fresh1 = new float[g.InputLength], fresh3 = new float[g.InputLength];
        PadKernel.Backward(g, dy, fresh1, 1);
        PadKernel.Backward(g, dy, fresh3, 3);
        AssertTensor.BitIdentical(fresh1, fresh3, $"dx 1 vs 3 threads {g}");
        var dx = (float[])dx0.Clone();
        PadKernel.Backward(g, dy, dx, 2);
        AssertTensor.BitIdentical([.. dx0.Zip(fresh1, (a, b) => a + b)], dx, $"dx added once {g}");
    }

    [Theory]
    [InlineData(BorderMode.Constant, new float[] { 9, 9, 1, 2, 3, 4, 9 })]
    [InlineData(BorderMode.Reflect, new float[] { 3, 2, 1, 2, 3, 4, 3 })]
    [InlineData(BorderMode.Replicate, new float[] { 1, 1, 1, 2, 3, 4, 4 })]
    [InlineData(BorderMode.Circular, new float[] { 3, 4, 1, 2, 3, 4, 1 })]
    public void Forward_OneRow_EachModeFillsTheBorderAsDefined(BorderMode mode, float[] expected)
    {
        var g = G(1, One, One, new PadAxis(4, 2, 1), mode);
        var y = new float[7];
        PadKernel.Forward(g, [1f, 2, 3, 4], 9f, y, 1);
        Assert.Equal(expected, y);
    }

    [Fact]
    public void Backward_Reflect_FoldsBorderGradientsOntoTheMirroredElements()
    {
        // y = (x2, x1, x0, x1, x2, x3, x2): dx0 = dy2, dx1 = dy1 + dy3, dx2 = dy0 + dy4 + dy6, dx3 = dy5.
        var g = G(1, One, One, new PadAxis(4, 2, 1), BorderMode.Reflect);
        var dx = new float[4];
        PadKernel.Backward(g, [1f, 10, 100, 1000, 10000, 100000, 1000000], dx, 1);
        Assert.Equal([100f, 1010, 1010001, 100000], dx);
    }

    [Fact]
    public void Circular_CropThenWrap_WrapsTheKeptRange()
    {
        // As PyTorch: crop 1 from the left of (0 1 2 3), then wrap 2 on the right from the kept (1 2 3).
        var y = new float[5];
        PadKernel.Forward(G(1, One, One, new PadAxis(4, -1, 2), BorderMode.Circular), [0f, 1, 2, 3], 0f, y, 1);
        Assert.Equal([1f, 2, 3, 1, 2], y);
    }

    [Theory]
    [InlineData(BorderMode.Reflect, 4, 4, 0)]   // reflect pad must be below the size
    [InlineData(BorderMode.Circular, 3, 4, 0)]  // circular pad at most the size
    [InlineData(BorderMode.Replicate, 0, 1, 0)] // nothing to replicate
    [InlineData(BorderMode.Constant, 3, -2, -2)] // crops more than there is
    [InlineData(BorderMode.Reflect, 4, -1, 3)]  // after cropping one, 3 remain: pad 3 is too wide
    public void Validate_PadNotAllowed_Throws(BorderMode mode, int input, int before, int after)
    {
        var g = G(1, One, One, new PadAxis(input, before, after), mode);
        Assert.Throws<ArgumentException>(() => g.Validate());
        Assert.Throws<ArgumentException>(() => PadKernel.Forward(g, new float[Math.Max(input, 0)], 0f, new float[64], 1));
    }

    [Fact]
    public void Forward_ShortDestination_ThrowsNamingIt()
    {
        var g = G(2, One, One, new PadAxis(3, 1, 1), BorderMode.Constant);
        var ex = Assert.Throws<ArgumentException>(() => PadKernel.Forward(g, new float[6], 0f, new float[9], 1));
        Assert.Equal("y", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => PadKernel.Backward(g, new float[10], new float[5], 1));
        Assert.Equal("dx", ex.ParamName);
    }

    private static float[] Random(Rng rng, long length)
    {
        var a = new float[length];
        rng.FillUniform(a, -1f, 1f);
        return a;
    }
}
