// The transposed convolution layers: PyTorch's weight layout (Cin, Cout/G, k…) and initialisation
// (fan-in from the second dimension), upsampling shapes, descriptions, forward equal to Functional,
// and constructor argument checks.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class ConvTransposeTests
{
    [Fact]
    public void ConvTranspose2d_WeightLayoutAndParameterCount()
    {
        var layer = new ConvTranspose2d(16, 8, 4, stride: 2, padding: 1, groups: 2, rng: new Rng(81));
        Assert.Equal([16, 4, 4, 4], layer.Weight.Shape); // (Cin, Cout/G, k, k)
        Assert.Equal([8], layer.Bias!.Shape);
        Assert.Equal(16 * 4 * 16 + 8, layer.ParameterCount());
    }

    [Fact]
    public void ConvTranspose2d_KernelFourStrideTwoPadOne_DoublesTheSize()
    {
        // The classic upsampling block: (H − 1)·2 − 2 + 3 + 1 = 2H.
        var layer = new ConvTranspose2d(3, 2, 4, stride: 2, padding: 1, rng: new Rng(82));
        Assert.Equal([1, 2, 14, 10], layer.Summarize(3, 7, 5).OutputShape);
    }

    [Fact]
    public void DefaultInit_FanInFromTheSecondWeightDimension()
    {
        // PyTorch: fanIn = weight.size(1)·k³ = (6/3)·8 = 16, bound 1/4.
        var layer = new ConvTranspose3d(3, 6, 2, groups: 3, rng: new Rng(83));
        var w = layer.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -0.25f, 0.25f));
        Assert.True(w.Min() < -0.2f && w.Max() > 0.2f, $"weights span [{w.Min()}, {w.Max()}]");
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -0.25f, 0.25f));
    }

    [Fact]
    public void Forward_EqualsFunctional_AndDescriptionNamesTheOptions()
    {
        var rng = new Rng(84);
        var layer = new ConvTranspose1d(4, 2, 3, stride: 3, padding: 1, outputPadding: 2, groups: 2, bias: false, dilation: 2, rng: rng);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 4, 5);
        Assert.Equal(Functional.ConvTranspose1d(x, layer.Weight, null, 3, 1, 2, 2, 2).ToArray(), layer.Forward(x).ToArray());
        Assert.Equal("4→2, 3, stride 3, pad 1, output pad 2, dilation 2, groups 2, no bias", layer.Description);
        Assert.Equal("2→1, 2×2×2, stride 2, pad 0", new ConvTranspose3d(2, 1, 2, stride: 2, rng: rng).Description);
    }

    public static TheoryData<string, Func<Module>> BadConstructors => new()
    {
        { "inChannels", () => new ConvTranspose1d(0, 2, 3) },
        { "outChannels", () => new ConvTranspose2d(2, 0, 3) },
        { "kernelSize", () => new ConvTranspose3d(2, 2, 0) },
        { "stride", () => new ConvTranspose2d(2, 2, 3, stride: 0) },
        { "padding", () => new ConvTranspose2d(2, 2, 3, padding: -1) },
        { "outputPadding", () => new ConvTranspose2d(2, 2, 3, outputPadding: -1) },
        { "outputPadding", () => new ConvTranspose2d(2, 2, 3, stride: 2, outputPadding: 2) },
        { "groups", () => new ConvTranspose2d(4, 6, 3, groups: 4) },
        { "groups", () => new ConvTranspose2d(4, 4, 3, groups: 0) },
        { "dilation", () => new ConvTranspose1d(2, 2, 3, dilation: 0) },
    };

    [Theory]
    [MemberData(nameof(BadConstructors))]
    public void BadConstructorArgument_ThrowsNamingIt(string parameter, Func<Module> create)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => create());
        Assert.Equal(parameter, ex.ParamName);
    }
}
