// TiledConv1d/2d layers: parameter shapes and counts, any input size, the summary row and constructor errors.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class TiledConvTests
{
    [Fact]
    public void TiledConv2d_ShapesAndParameterCount()
    {
        var layer = new TiledConv2d(3, 8, kernelSize: 3, tileSize: 2, padding: 1, rng: new Rng(1));
        Assert.Equal([8, 2, 2, 3, 3, 3], layer.Weight.Shape);
        Assert.Equal([8, 2, 2], layer.Bias!.Shape);
        Assert.Equal(8L * 4 * 27 + 8 * 4, layer.ParameterCount());
        var summary = new Sequential(layer).Summarize(3, 10, 9);
        Assert.Equal([1, 8, 10, 9], summary.Rows[0].OutputShape);
        Assert.Equal("3→8, 3×3, tiles 2×2, stride 1, pad 1", summary.Rows[0].Description);
        Assert.Equal(896, summary.Rows[0].Parameters);
    }

    [Fact]
    public void TiledConv2d_AcceptsAnyInputSize()
    {
        var layer = new TiledConv2d(1, 2, 3, 3, rng: new Rng(2));
        Assert.Equal([1, 2, 3, 3], layer.Forward(Tensor.Zeros(1, 1, 5, 5)).Shape);
        Assert.Equal([2, 2, 10, 6], layer.Forward(Tensor.Zeros(2, 1, 12, 8)).Shape);
    }

    [Fact]
    public void TiledConv2d_Forward_EqualsFunctionalWithItsParameters()
    {
        var layer = new TiledConv2d(2, 3, 3, 2, stride: 2, padding: 1, rng: new Rng(3));
        var x = Tensor.Normal(new Rng(4), 0f, 1f, 2, 2, 7, 6);
        Assert.Equal(Functional.TiledConv2d(x, layer.Weight, layer.Bias, 2, 1).ToArray(), layer.Forward(x).ToArray());
        float bound = 1f / MathF.Sqrt(2 * 9);
        Assert.All(layer.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
    }

    [Fact]
    public void TiledConv1d_ShapesAndForward()
    {
        var layer = new TiledConv1d(3, 4, kernelSize: 5, tileSize: 3, stride: 2, bias: false, rng: new Rng(5));
        Assert.Equal([4, 3, 3, 5], layer.Weight.Shape);
        Assert.Null(layer.Bias);
        Assert.Equal([2, 4, 4], layer.Forward(Tensor.Zeros(2, 3, 12)).Shape);
        Assert.Equal("3→4, 5, tiles 3, stride 2, pad 0, no bias", layer.Description);
    }

    [Fact]
    public void Constructors_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiledConv2d(1, 1, 3, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiledConv2d(1, 0, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiledConv2d(1, 1, 3, 1, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiledConv1d(1, 1, 3, 1, padding: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TiledConv1d(1, 1, 0, 1));
    }
}
