using Striate.Layers;

namespace Striate.Tests.Layers;

public class LpPoolTests
{
    [Fact]
    public void LpPoolLayers_Forward_EqualFunctional_AndDescribe()
    {
        var rng = new Rng(81);
        var x1 = Tensor.Uniform(rng, 0f, 1f, 2, 3, 9);
        var x2 = Tensor.Uniform(rng, 0f, 1f, 2, 3, 7, 6);
        var x3 = Tensor.Uniform(rng, 0f, 1f, 1, 2, 4, 5, 5);
        Assert.Equal(Functional.LpPool1d(x1, 2f, 3, 2, true).ToArray(), new LpPool1d(2f, 3, 2, true).Forward(x1).ToArray());
        Assert.Equal(Functional.LpPool2d(x2, 1.5f, 2).ToArray(), new LpPool2d(1.5f, 2).Forward(x2).ToArray());
        Assert.Equal(Functional.LpPool3d(x3, 3f, 2, 1).ToArray(), new LpPool3d(3f, 2, 1).Forward(x3).ToArray());
        Assert.Equal("p=2, 3×3, stride 2, ceil", new LpPool2d(2f, 3, 2, true).Description);
        Assert.Equal("p=1.5, 2, stride 2", new LpPool1d(1.5f, 2).Description);
    }

    [Fact]
    public void LpPool_BadConstructorArgument_ThrowsNamingIt()
    {
        Assert.Equal("normType", Assert.ThrowsAny<ArgumentException>(() => new LpPool2d(0f, 2)).ParamName);
        Assert.Equal("kernelSize", Assert.ThrowsAny<ArgumentException>(() => new LpPool1d(2f, 0)).ParamName);
        Assert.Equal("stride", Assert.ThrowsAny<ArgumentException>(() => new LpPool3d(2f, 2, 0)).ParamName);
    }
}
