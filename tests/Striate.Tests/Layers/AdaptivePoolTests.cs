using Striate.Layers;

namespace Striate.Tests.Layers;

public class AdaptivePoolTests
{
    [Fact]
    public void AdaptiveAndGlobalLayers_Forward_EqualFunctional()
    {
        var rng = new Rng(101);
        var x1 = Tensor.Normal(rng, 0f, 1f, 2, 3, 9);
        var x2 = Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 6);
        var x3 = Tensor.Normal(rng, 0f, 1f, 1, 2, 4, 5, 5);
        Assert.Equal(Functional.AdaptiveAvgPool1d(x1, 4).ToArray(), new AdaptiveAvgPool1d(4).Forward(x1).ToArray());
        Assert.Equal(Functional.AdaptiveAvgPool2d(x2, 3).ToArray(), new AdaptiveAvgPool2d(3).Forward(x2).ToArray());
        Assert.Equal(Functional.AdaptiveAvgPool3d(x3, 2).ToArray(), new AdaptiveAvgPool3d(2).Forward(x3).ToArray());
        Assert.Equal(Functional.AdaptiveMaxPool1d(x1, 4).ToArray(), new AdaptiveMaxPool1d(4).Forward(x1).ToArray());
        Assert.Equal(Functional.AdaptiveMaxPool2d(x2, 3).ToArray(), new AdaptiveMaxPool2d(3).Forward(x2).ToArray());
        Assert.Equal(Functional.AdaptiveMaxPool3d(x3, 2).ToArray(), new AdaptiveMaxPool3d(2).Forward(x3).ToArray());
        Assert.Equal(Functional.GlobalAvgPool(x3).ToArray(), new GlobalAvgPool().Forward(x3).ToArray());
        Assert.Equal(Functional.GlobalMaxPool(x2).ToArray(), new GlobalMaxPool().Forward(x2).ToArray());
    }

    [Fact]
    public void AdaptivePool_DescriptionAndBadSize()
    {
        Assert.Equal("output 6×6", new AdaptiveAvgPool2d(6).Description);
        Assert.Equal("output 2×2×2", new AdaptiveMaxPool3d(2).Description);
        Assert.Equal("outputSize", Assert.ThrowsAny<ArgumentException>(() => new AdaptiveMaxPool1d(0)).ParamName);
    }

    [Fact]
    public void GlobalAvgPool_InSequential_FeedsAClassifier()
    {
        var rng = new Rng(102);
        var model = new Sequential(new Conv2d(3, 8, 3, rng: rng), new ReLU(), new GlobalAvgPool(), new Linear(8, 5, rng: rng));
        foreach (int size in new[] { 9, 16 })
            Assert.Equal([2, 5], model.Forward(Tensor.Normal(rng, 0f, 1f, 2, 3, size, size)).Shape);
    }
}
