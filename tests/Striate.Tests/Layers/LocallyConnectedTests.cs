// LocallyConnected1d/2d layers: parameter shapes and counts (the chapter's 86,400-weight example),
// PyTorch-style initialisation bounds, the summary row, and constructor errors.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class LocallyConnectedTests
{
    [Fact]
    public void LocallyConnected2d_OneToSixFiveByFiveOn28_Holds86400WeightsAndShowsThemInSummary()
    {
        var layer = new LocallyConnected2d(1, 6, inputSize: (28, 28), kernelSize: 5, rng: new Rng(1));
        Assert.Equal([6, 24, 24, 1, 5, 5], layer.Weight.Shape);
        Assert.Equal([6, 24, 24], layer.Bias!.Shape);
        Assert.Equal((24, 24), layer.OutputSize);
        Assert.Equal(6L * 24 * 24 * 1 * 5 * 5 + 6 * 24 * 24, layer.ParameterCount());

        var summary = new Sequential(layer, new ReLU()).Summarize(1, 28, 28);
        Assert.Equal("LocallyConnected2d", summary.Rows[0].Type);
        Assert.Equal([1, 6, 24, 24], summary.Rows[0].OutputShape);
        Assert.Equal(89_856, summary.Rows[0].Parameters);
        Assert.Equal("1→6, 5×5, stride 1, pad 0, unshared over 24×24", summary.Rows[0].Description);
        Assert.Contains("89,856", summary.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void LocallyConnected2d_Initialisation_IsUniformWithinOneOverRootFanIn()
    {
        var layer = new LocallyConnected2d(3, 4, (9, 8), 3, stride: 2, padding: 1, rng: new Rng(2));
        float bound = 1f / MathF.Sqrt(3 * 3 * 3);
        Assert.All(layer.Weight.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
        Assert.True(layer.Weight.ToArray().Max() > 0.8f * bound);
        Assert.Equal([4, 5, 4, 3, 3, 3], layer.Weight.Shape);
    }

    [Fact]
    public void LocallyConnected2d_Forward_EqualsFunctionalWithItsParameters()
    {
        var layer = new LocallyConnected2d(2, 3, (6, 7), 3, stride: 2, padding: 1, rng: new Rng(3));
        var x = Tensor.Normal(new Rng(4), 0f, 1f, 2, 2, 6, 7);
        Assert.Equal(Functional.LocallyConnected2d(x, layer.Weight, layer.Bias, 2, 1).ToArray(), layer.Forward(x).ToArray());
    }

    [Fact]
    public void LocallyConnected2d_NoBias_HasOnlyWeight()
    {
        var layer = new LocallyConnected2d(1, 2, (5, 5), 3, bias: false, rng: new Rng(5));
        Assert.Null(layer.Bias);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Key));
        Assert.EndsWith(", no bias", layer.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void LocallyConnected1d_ShapesCountAndForward()
    {
        var layer = new LocallyConnected1d(3, 4, inputLength: 11, kernelSize: 3, stride: 2, padding: 1, rng: new Rng(6));
        Assert.Equal(6, layer.OutputLength);
        Assert.Equal([4, 6, 3, 3], layer.Weight.Shape);
        Assert.Equal([4, 6], layer.Bias!.Shape);
        var x = Tensor.Normal(new Rng(7), 0f, 1f, 2, 3, 11);
        Assert.Equal([2, 4, 6], layer.Forward(x).Shape);
        Assert.Equal("3→4, 3, stride 2, pad 1, unshared over 6", layer.Description);
    }

    [Fact]
    public void LocallyConnected2d_InputOfAnotherSize_IsRejectedNamingTheLayerInSequential()
    {
        var model = new Sequential(new LocallyConnected2d(1, 2, (8, 8), 3, rng: new Rng(8)));
        var ex = Assert.Throws<LayerInputException>(() => model.Forward(Tensor.Zeros(1, 1, 10, 10)));
        Assert.Contains("LocallyConnected2d", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructors_BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocallyConnected2d(0, 1, (5, 5), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocallyConnected2d(1, 1, (0, 5), 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocallyConnected2d(1, 1, (5, 5), 3, stride: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocallyConnected2d(1, 1, (5, 5), 3, padding: -1));
        Assert.Equal("kernelSize", Assert.Throws<ArgumentException>(() => new LocallyConnected2d(1, 1, (5, 5), 7)).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentException>(() => new LocallyConnected1d(1, 1, 5, 7)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocallyConnected1d(1, 1, 0, 1));
    }
}
