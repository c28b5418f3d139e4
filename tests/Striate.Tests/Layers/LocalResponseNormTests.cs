// The LocalResponseNorm layer: PyTorch defaults, Forward = Functional.LocalResponseNorm with the
// layer's arguments, the summary row, and constructor checks naming the argument.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class LocalResponseNormTests
{
    [Fact]
    public void Defaults_FollowPyTorch()
    {
        var layer = new LocalResponseNorm(5);
        Assert.Equal((5, 1e-4f, 0.75f, 1f), (layer.Size, layer.Alpha, layer.Beta, layer.K));
        Assert.Empty(layer.Parameters());
    }

    [Fact]
    public void Forward_IsTheFunctionalOp()
    {
        var x = Tensor.Uniform(new Rng(91), -2f, 2f, 2, 6, 3, 3);
        var layer = new LocalResponseNorm(5, 1e-4f, 0.75f, 2f); // AlexNet
        Assert.Equal(Functional.LocalResponseNorm(x, 5, 1e-4f, 0.75f, 2f).ToArray(), layer.Forward(x).ToArray());
    }

    [Fact]
    public void Summary_ShowsTheConstants()
    {
        var row = Assert.Single(new LocalResponseNorm(5, 1e-4f, 0.75f, 2f).Summarize(8, 4, 4).Rows);
        Assert.Equal("size 5, α 0.0001, β 0.75, k 2", row.Description);
        Assert.Equal([1, 8, 4, 4], row.OutputShape);
        Assert.Equal(0, row.Parameters);
    }

    [Fact]
    public void Constructor_RejectsBadArgumentsNamingThem()
    {
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => new LocalResponseNorm(0)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => new LocalResponseNorm(5, -1e-4f)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => new LocalResponseNorm(5, beta: float.NaN)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => new LocalResponseNorm(5, k: -2f)).ParamName);
    }
}
