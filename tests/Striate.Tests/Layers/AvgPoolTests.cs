using Striate.Layers;

namespace Striate.Tests.Layers;

public class AvgPoolTests
{
    [Fact]
    public void AvgPoolLayers_Forward_EqualFunctional()
    {
        var rng = new Rng(61);
        var x1 = Tensor.Normal(rng, 0f, 1f, 2, 3, 9);
        var x2 = Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 6);
        var x3 = Tensor.Normal(rng, 0f, 1f, 1, 2, 4, 5, 5);
        Assert.Equal(Functional.AvgPool1d(x1, 3, 2, 1, true, false).ToArray(), new AvgPool1d(3, 2, 1, true, false).Forward(x1).ToArray());
        Assert.Equal(Functional.AvgPool2d(x2, 3, 2, 1, divisorOverride: 4).ToArray(), new AvgPool2d(3, 2, 1, divisorOverride: 4).Forward(x2).ToArray());
        Assert.Equal(Functional.AvgPool3d(x3, 2).ToArray(), new AvgPool3d(2).Forward(x3).ToArray());
        Assert.Equal(Functional.SumPool1d(x1, 3).ToArray(), new SumPool1d(3).Forward(x1).ToArray());
        Assert.Equal(Functional.SumPool2d(x2, 2, 1).ToArray(), new SumPool2d(2, 1).Forward(x2).ToArray());
        Assert.Equal(Functional.SumPool3d(x3, 2, 1, 1, true).ToArray(), new SumPool3d(2, 1, 1, true).Forward(x3).ToArray());
    }

    [Fact]
    public void AvgPool_Description_ShowsNonDefaultOptions()
    {
        Assert.Equal("2×2, stride 2, pad 0", new AvgPool2d(2).Description);
        Assert.Equal("3, stride 2, pad 1, exclude pad, divisor 2, ceil", new AvgPool1d(3, 2, 1, true, false, 2).Description);
        Assert.Equal("2×2×2, stride 1, pad 0", new SumPool3d(2, 1).Description);
        Assert.Empty(new AvgPool3d(2).Parameters());
    }

    [Fact]
    public void AvgPool_BadConstructorArgument_ThrowsNamingIt()
    {
        Assert.Equal("divisorOverride", Assert.ThrowsAny<ArgumentException>(() => new AvgPool2d(2, divisorOverride: 0)).ParamName);
        Assert.Equal("padding", Assert.ThrowsAny<ArgumentException>(() => new SumPool1d(2, padding: 2)).ParamName);
        Assert.Equal("stride", Assert.ThrowsAny<ArgumentException>(() => new AvgPool3d(2, stride: 0)).ParamName);
    }
}
