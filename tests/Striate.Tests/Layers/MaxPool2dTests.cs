using Striate.Layers;

namespace Striate.Tests.Layers;

public class MaxPool2dTests
{
    [Fact]
    public void MaxPool2d_StrideDefaultsToKernelSize_AndHasNoParameters()
    {
        var layer = new MaxPool2d(2);
        Assert.Equal((2, 2, 0), (layer.KernelSize, layer.Stride, layer.Padding));
        Assert.Empty(layer.Parameters());
        Assert.Equal("2×2, stride 2, pad 0", layer.Description);
    }

    [Fact]
    public void MaxPool2d_Forward_EqualsFunctional()
    {
        var layer = new MaxPool2d(3, stride: 2, padding: 1);
        Assert.Equal("3×3, stride 2, pad 1", layer.Description);
        var x = Tensor.Normal(new Rng(41), 0f, 1f, 2, 3, 7, 7);
        var y = layer.Forward(x);
        Assert.Equal([2, 3, 4, 4], y.Shape);
        Assert.Equal(Functional.MaxPool2d(x, 3, 2, 1).ToArray(), y.ToArray());
    }

    [Theory]
    [InlineData(0, null, 0, "kernelSize")]
    [InlineData(2, 0, 0, "stride")]
    [InlineData(2, null, -1, "padding")]
    [InlineData(3, null, 2, "padding")]
    public void MaxPool2d_BadConstructorArgument_ThrowsNamingIt(int kernelSize, int? stride, int padding, string name)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new MaxPool2d(kernelSize, stride, padding));
        Assert.Equal(name, ex.ParamName);
    }
}
