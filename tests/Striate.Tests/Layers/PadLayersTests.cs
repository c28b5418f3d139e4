// The padding layers: each family pads as its Functional mode does, one int pads every side,
// unbatched input works, descriptions and summaries, and the argument checks.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class PadLayersTests
{
    public static TheoryData<Module, PadMode, float, int[]> Layers => new()
    {
        { new ConstantPad1d(2, 1.5f), PadMode.Constant, 1.5f, [2, 2] },
        { new ConstantPad2d(1, 0, 2, 1, -1f), PadMode.Constant, -1f, [1, 0, 2, 1] },
        { new ConstantPad3d(1, 2, 0, 1, 1, 0, 3f), PadMode.Constant, 3f, [1, 2, 0, 1, 1, 0] },
        { new ZeroPad1d(0, 3), PadMode.Constant, 0f, [0, 3] },
        { new ZeroPad2d(1), PadMode.Constant, 0f, [1, 1, 1, 1] },
        { new ZeroPad3d(1, 0, 1, 0, 1, 0), PadMode.Constant, 0f, [1, 0, 1, 0, 1, 0] },
        { new ReflectionPad1d(2), PadMode.Reflect, 0f, [2, 2] },
        { new ReflectionPad2d(1, 2, 2, 1), PadMode.Reflect, 0f, [1, 2, 2, 1] },
        { new ReflectionPad3d(1), PadMode.Reflect, 0f, [1, 1, 1, 1, 1, 1] },
        { new ReplicationPad1d(3, 0), PadMode.Replicate, 0f, [3, 0] },
        { new ReplicationPad2d(4), PadMode.Replicate, 0f, [4, 4, 4, 4] },
        { new ReplicationPad3d(0, 1, 2, 0, 1, 3), PadMode.Replicate, 0f, [0, 1, 2, 0, 1, 3] },
        { new CircularPad1d(1, 3), PadMode.Circular, 0f, [1, 3] },
        { new CircularPad2d(2), PadMode.Circular, 0f, [2, 2, 2, 2] },
        { new CircularPad3d(1, 1, 0, 2, 2, 1), PadMode.Circular, 0f, [1, 1, 0, 2, 2, 1] },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void Forward_EqualsFunctionalPad_BatchedAndUnbatched(Module layer, PadMode mode, float value, int[] pads)
    {
        var pad = Assert.IsAssignableFrom<PadNd>(layer);
        Assert.Equal(pads, pad.Padding);
        Assert.Equal(mode, pad.Mode);
        Assert.Equal(0, layer.ParameterCount());
        var rng = new Rng(51);
        int[] spatial = pad.SpatialRank switch { 1 => [5], 2 => [4, 5], _ => [3, 4, 5] };
        var batched = Tensor.Normal(rng, 0f, 1f, [2, 3, .. spatial]);
        Assert.Equal(Functional.Pad(batched, pads, mode, value).ToArray(), layer.Forward(batched).ToArray());
        var single = Tensor.Normal(rng, 0f, 1f, [3, .. spatial]);
        Assert.Equal(Functional.Pad(single, pads, mode, value).ToArray(), layer.Forward(single).ToArray());
    }

    [Fact]
    public void ZeroPad2d_OnTheChaptersFourByFour_GivesTheSamePaddingPicture()
    {
        // The chapter's "same" picture: a 4×4 image inside a frame of zeros, 6×6.
        var x = Tensor.FromArray([.. Enumerable.Range(1, 16).Select(v => (float)v)], 1, 1, 4, 4);
        var y = new ZeroPad2d(1).Forward(x);
        Assert.Equal([1, 1, 6, 6], y.Shape);
        Assert.Equal(0f, y[0, 0, 0, 0]);
        Assert.Equal(1f, y[0, 0, 1, 1]);
        Assert.Equal(16f, y[0, 0, 4, 4]);
        Assert.Equal(136f, y.ToArray().Sum());
    }

    [Fact]
    public void Descriptions_AndSummary()
    {
        Assert.Equal("(1, 0, 2, 1), value -1", new ConstantPad2d(1, 0, 2, 1, -1f).Description);
        Assert.Equal("(2, 2, 2, 2)", new ReflectionPad2d(2).Description);
        var summary = new Sequential(new ReflectionPad2d(1), new Conv2d(1, 2, 3, rng: new Rng(52))).Summarize(1, 5, 5);
        Assert.Equal(["ReflectionPad2d", "Conv2d"], summary.Rows.Select(r => r.Type));
        Assert.Equal(["(1, 1, 7, 7)", "(1, 2, 5, 5)"], summary.Rows.Select(r => Tensor.ShapeText([.. r.OutputShape])));
    }

    [Fact]
    public void BadInput_ThrowsNamingInputOrPads()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new ReflectionPad2d(1).Forward(Tensor.Zeros(5)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("ReflectionPad2d", ex.Message, StringComparison.Ordinal);
        ex = Assert.ThrowsAny<ArgumentException>(() => new ReflectionPad1d(3).Forward(Tensor.Zeros(1, 3)));
        Assert.Equal("pads", ex.ParamName);
        ex = Assert.ThrowsAny<ArgumentException>(() => new CircularPad2d(0, 0, 3, 0).Forward(Tensor.Zeros(1, 2, 2)));
        Assert.Equal("pads", ex.ParamName);
    }
}
