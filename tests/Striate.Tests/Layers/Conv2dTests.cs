using Striate.Layers;

namespace Striate.Tests.Layers;

public class Conv2dTests
{
    [Fact]
    public void Conv2d_LeNetC1_ParameterShapesNamesAndDescription()
    {
        var layer = new Conv2d(1, 6, 5, padding: 2, rng: new Rng(31));
        Assert.Equal([6, 1, 5, 5], layer.Weight.Shape);
        Assert.Equal([6], layer.Bias!.Shape);
        Assert.Equal(["weight", "bias"], layer.NamedParameters().Select(p => p.Key));
        Assert.Same(layer.Weight, layer.OwnParameters[0].Value);
        Assert.True(layer.Weight.RequiresGrad && layer.Bias.RequiresGrad);
        Assert.Equal(156, layer.ParameterCount()); // 6·1·5·5 + 6, LeNet's C1
        Assert.Equal((1, 6, 5, 1, 2), (layer.InChannels, layer.OutChannels, layer.KernelSize, layer.Stride, layer.Padding));
        Assert.Equal("1→6, 5×5, stride 1, pad 2", layer.Description);
    }

    [Fact]
    public void Conv2d_DefaultInit_UniformWithinOneOverSqrtFanIn()
    {
        // fanIn = C·R·S = 6·5·5 = 150: weight and bias lie in [−1/√150, 1/√150) and fill it.
        var layer = new Conv2d(6, 16, 5, rng: new Rng(32));
        float bound = 1f / MathF.Sqrt(150f);
        foreach (var p in new[] { layer.Weight, layer.Bias! })
        {
            var values = p.ToArray();
            Assert.All(values, v => Assert.InRange(v, -bound, bound));
        }
        var w = layer.Weight.ToArray();
        Assert.True(w.Min() < -0.9f * bound && w.Max() > 0.9f * bound, $"weights span [{w.Min()}, {w.Max()}], bound {bound}");
        Assert.InRange(w.Average(), -0.1f * bound, 0.1f * bound);
    }

    [Fact]
    public void Conv2d_SameSeed_SameWeights()
    {
        var a = new Conv2d(3, 4, 3, rng: new Rng(33));
        var b = new Conv2d(3, 4, 3, rng: new Rng(33));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        Assert.Equal(a.Bias!.ToArray(), b.Bias!.ToArray());
    }

    [Fact]
    public void Conv2d_WithoutBias_HasOnlyWeight()
    {
        var layer = new Conv2d(3, 8, 3, stride: 2, padding: 1, bias: false, rng: new Rng(34));
        Assert.Null(layer.Bias);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Key));
        Assert.Equal("3→8, 3×3, stride 2, pad 1, no bias", layer.Description);
    }

    [Fact]
    public void Conv2d_Forward_EqualsFunctionalWithItsParameters()
    {
        var rng = new Rng(35);
        var layer = new Conv2d(2, 3, 3, stride: 2, padding: 1, rng: rng);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 7, 7);
        var y = layer.Forward(x);
        Assert.Equal([2, 3, 4, 4], y.Shape);
        Assert.Equal(Functional.Conv2d(x, layer.Weight, layer.Bias, 2, 1).ToArray(), y.ToArray());
    }

    [Theory]
    [InlineData(0, 6, 5, 1, 0, "inChannels")]
    [InlineData(1, 0, 5, 1, 0, "outChannels")]
    [InlineData(1, 6, 0, 1, 0, "kernelSize")]
    [InlineData(1, 6, 5, 0, 0, "stride")]
    [InlineData(1, 6, 5, 1, -1, "padding")]
    public void Conv2d_BadConstructorArgument_ThrowsNamingIt(int inChannels, int outChannels, int kernelSize, int stride, int padding, string name)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new Conv2d(inChannels, outChannels, kernelSize, stride, padding));
        Assert.Equal(name, ex.ParamName);
    }
}
