using Striate.Layers;

namespace Striate.Tests.Layers;

public class MaxUnpoolTests
{
    [Fact]
    public void MaxUnpoolLayers_ForwardWithIndices_EqualFunctional()
    {
        var rng = new Rng(121);
        var (p1, i1) = Functional.MaxPool1dWithIndices(Tensor.Normal(rng, 0f, 1f, 2, 3, 9), 3, 2, 1);
        Assert.Equal(Functional.MaxUnpool1d(p1, i1, 3, 2, 1, 9).ToArray(), new MaxUnpool1d(3, 2, 1).Forward(p1, i1, 9).ToArray());
        var (p2, i2) = Functional.MaxPool2dWithIndices(Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6), 2);
        Assert.Equal(Functional.MaxUnpool2d(p2, i2, 2).ToArray(), new MaxUnpool2d(2).Forward(p2, i2).ToArray());
        var (p3, i3) = Functional.MaxPool3dWithIndices(Tensor.Normal(rng, 0f, 1f, 1, 2, 4, 4, 5), 2);
        Assert.Equal(Functional.MaxUnpool3d(p3, i3, 2, outputSize: (4, 4, 5)).ToArray(), new MaxUnpool3d(2).Forward(p3, i3, (4, 4, 5)).ToArray());
        Assert.Equal("2×2, stride 2, pad 0", new MaxUnpool2d(2).Description);
    }

    [Fact]
    public void MaxUnpool_ForwardWithoutIndices_ThrowsExplaining()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new MaxUnpool2d(2).Forward(Tensor.Zeros(1, 1, 2, 2)));
        Assert.Contains("indices", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxUnpool_BadConstructorArgument_ThrowsNamingIt()
    {
        Assert.Equal("kernelSize", Assert.ThrowsAny<ArgumentException>(() => new MaxUnpool1d(0)).ParamName);
        Assert.Equal("stride", Assert.ThrowsAny<ArgumentException>(() => new MaxUnpool2d(2, 0)).ParamName);
        Assert.Equal("padding", Assert.ThrowsAny<ArgumentException>(() => new MaxUnpool3d(2, 2, -1)).ParamName);
    }
}
