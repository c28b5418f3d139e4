using Striate.Layers;

namespace Striate.Tests.Layers;

public class MaxPoolTests
{
    [Fact]
    public void MaxPool1d_Forward_EqualsFunctional_AndDescribesOptions()
    {
        var layer = new MaxPool1d(3, stride: 2, padding: 1, dilation: 2, ceilMode: true);
        Assert.Equal("3, stride 2, pad 1, dilation 2, ceil", layer.Description);
        Assert.Empty(layer.Parameters());
        var x = Tensor.Normal(new Rng(42), 0f, 1f, 2, 3, 11);
        Assert.Equal(Functional.MaxPool1d(x, 3, 2, 1, 2, true).ToArray(), layer.Forward(x).ToArray());
    }

    [Fact]
    public void MaxPool3d_Forward_EqualsFunctional()
    {
        var layer = new MaxPool3d(2);
        Assert.Equal("2×2×2, stride 2, pad 0", layer.Description);
        var x = Tensor.Normal(new Rng(43), 0f, 1f, 1, 2, 4, 5, 6);
        var y = layer.Forward(x);
        Assert.Equal([1, 2, 2, 2, 3], y.Shape);
        Assert.Equal(Functional.MaxPool3d(x, 2).ToArray(), y.ToArray());
    }

    [Fact]
    public void MaxPool2d_DilationAndCeil_EqualFunctional()
    {
        var layer = new MaxPool2d(3, stride: 2, padding: 1, dilation: 2, ceilMode: true);
        Assert.Equal("3×3, stride 2, pad 1, dilation 2, ceil", layer.Description);
        var x = Tensor.Normal(new Rng(44), 0f, 1f, 2, 2, 9, 8);
        Assert.Equal(Functional.MaxPool2d(x, 3, 2, 1, 2, true).ToArray(), layer.Forward(x).ToArray());
    }

    [Theory]
    [InlineData(1, 0, "kernelSize")]
    [InlineData(3, 0, "dilation")]
    public void MaxPool_BadConstructorArgument_ThrowsNamingIt(int kernelSize, int dilation, string name)
    {
        Assert.Equal(name, Assert.ThrowsAny<ArgumentException>(() => new MaxPool1d(kernelSize == 1 ? 0 : kernelSize, dilation: dilation)).ParamName);
        Assert.Equal(name, Assert.ThrowsAny<ArgumentException>(() => new MaxPool3d(kernelSize == 1 ? 0 : kernelSize, dilation: dilation)).ParamName);
    }
}
