// The convolution layers Conv1d/Conv2d/Conv3d with the options beyond the foundation's Conv2d:
// parameter shapes and counts (the chapter's worked examples), PyTorch's initialisation with groups,
// descriptions, summaries, forward equal to Functional, and constructor argument checks.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class ConvNdTests
{
    [Fact]
    public void Conv2d_ChaptersExample_TenFiveByFiveFiltersOnThirtyTwoCubedByThree_Has760Parameters()
    {
        // Input 32×32×3, 10 filters 5×5, stride 1, pad 2: output (32 + 4 − 5)/1 + 1 = 32, so 32×32×10;
        // each filter has 5·5·3 + 1 = 76 parameters, 760 in all.
        var layer = new Conv2d(3, 10, 5, padding: 2, rng: new Rng(1));
        Assert.Equal(760, layer.ParameterCount());
        var summary = layer.Summarize(3, 32, 32);
        Assert.Equal([1, 10, 32, 32], summary.OutputShape);
    }

    [Fact]
    public void Conv2d_ThirtyTwoFiveByFiveFiltersOnAColourImage_Has2432Parameters()
    {
        // (F·F·Cin + 1)·Cout = (5·5·3 + 1)·32 = 2432.
        Assert.Equal(2432, new Conv2d(3, 32, 5, rng: new Rng(2)).ParameterCount());
    }

    [Fact]
    public void Groups_DivideTheWeightsPerFilter()
    {
        // Depthwise 32→32 3×3: 32 filters of 1×3×3 plus 32 biases = 320; groups 4: 64·(32/4)·9 + 64.
        Assert.Equal(32 * 9 + 32, new Conv2d(32, 32, 3, groups: 32, rng: new Rng(3)).ParameterCount());
        var grouped = new Conv2d(32, 64, 3, groups: 4, rng: new Rng(4));
        Assert.Equal([64, 8, 3, 3], grouped.Weight.Shape);
        Assert.Equal(64 * 8 * 9 + 64, grouped.ParameterCount());
    }

    [Fact]
    public void Conv1d_And_Conv3d_ParameterShapes()
    {
        var c1 = new Conv1d(4, 6, 5, bias: false, rng: new Rng(5));
        Assert.Equal([6, 4, 5], c1.Weight.Shape);
        Assert.Null(c1.Bias);
        var c3 = new Conv3d(2, 3, 3, rng: new Rng(6));
        Assert.Equal([3, 2, 3, 3, 3], c3.Weight.Shape);
        Assert.Equal([3], c3.Bias!.Shape);
        Assert.Equal(3 * 2 * 27 + 3, c3.ParameterCount());
    }

    [Fact]
    public void DefaultInit_UsesFanInOfOneGroup()
    {
        // fanIn = (C/G)·k³ = (8/4)·27 = 54: values in ±1/√54, and the range is used.
        var layer = new Conv3d(8, 8, 3, groups: 4, rng: new Rng(7));
        float bound = 1f / MathF.Sqrt(54f);
        var w = layer.Weight.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Min() < -0.9f * bound && w.Max() > 0.9f * bound, $"weights span [{w.Min()}, {w.Max()}], bound {bound}");
        Assert.All(layer.Bias!.ToArray(), v => Assert.InRange(v, -bound, bound));
    }

    [Fact]
    public void Descriptions_NameEveryNonDefaultOption()
    {
        Assert.Equal("2→4, 3, stride 1, pad same", new Conv1d(2, 4, 3, padding: "same", rng: new Rng(8)).Description);
        Assert.Equal("4→4, 3×3, stride 1, pad 1, dilation 2, groups 4, reflect padding, true convolution, no bias",
            new Conv2d(4, 4, 3, padding: 1, bias: false, rng: new Rng(9), dilation: 2, groups: 4, paddingMode: PaddingMode.Reflect,
                convolutionMode: ConvolutionMode.TrueConvolution).Description);
        Assert.Equal("1→2, 3×3×3, stride 2, pad ((0, 1), (1, 1), (2, 0))",
            new Conv3d(1, 2, 3, stride: 2, padding: ConvPadding.Explicit((0, 1), (1, 1), (2, 0)), rng: new Rng(10)).Description);
        Assert.Equal("1→1, 5×5, stride 1, pad full", new Conv2d(1, 1, 5, padding: "full", rng: new Rng(11)).Description);
    }

    [Fact]
    public void Forward_EqualsFunctionalWithItsParametersAndOptions()
    {
        var rng = new Rng(12);
        var c1 = new Conv1d(4, 6, 4, padding: "same", rng: rng, dilation: 2, groups: 2, paddingMode: PaddingMode.Circular);
        var x1 = Tensor.Normal(rng, 0f, 1f, 3, 4, 10);
        Assert.Equal(Functional.Conv1d(x1, c1.Weight, c1.Bias, 1, "same", 2, 2, PaddingMode.Circular).ToArray(), c1.Forward(x1).ToArray());
        var c3 = new Conv3d(2, 3, 2, stride: 2, padding: 1, rng: rng, convolutionMode: ConvolutionMode.TrueConvolution);
        var x3 = Tensor.Normal(rng, 0f, 1f, 2, 2, 5, 4, 5);
        var y3 = c3.Forward(x3);
        Assert.Equal([2, 3, 3, 3, 3], y3.Shape);
        Assert.Equal(Functional.Conv3d(x3, c3.Weight, c3.Bias, 2, 1, convolutionMode: ConvolutionMode.TrueConvolution).ToArray(), y3.ToArray());
    }

    [Fact]
    public void Summary_ShowsOutputShapesAndParameterCountsOfEachConvolution()
    {
        var model = new Sequential(
            new Conv1d(1, 4, 5, padding: "same", rng: new Rng(13)),
            new ReLU(),
            new Conv1d(4, 8, 3, stride: 2, groups: 4, rng: new Rng(14)));
        var summary = model.Summarize(1, 100);
        Assert.Equal(["Conv1d", "ReLU", "Conv1d"], summary.Rows.Select(r => r.Type));
        Assert.Equal(["(1, 4, 100)", "(1, 4, 100)", "(1, 8, 49)"], summary.Rows.Select(r => Tensor.ShapeText([.. r.OutputShape])));
        Assert.Equal([4L * 5 + 4, 0, 8 * 1 * 3 + 8], summary.Rows.Select(r => r.Parameters));
    }

    [Fact]
    public void WrongInputRank_SummaryNamesTheLayer()
    {
        var model = new Sequential(new Conv3d(1, 2, 3, rng: new Rng(15)));
        var ex = Assert.ThrowsAny<ArgumentException>(() => model.Summarize(1, 8, 8));
        Assert.Contains("Conv3d", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, Func<Module>> BadConstructors => new()
    {
        { "inChannels", () => new Conv1d(0, 2, 3) },
        { "outChannels", () => new Conv3d(2, -1, 3) },
        { "kernelSize", () => new Conv1d(2, 2, 0) },
        { "stride", () => new Conv3d(2, 2, 3, stride: 0) },
        { "dilation", () => new Conv2d(2, 2, 3, dilation: 0) },
        { "groups", () => new Conv2d(2, 2, 3, groups: 0) },
        { "groups", () => new Conv2d(4, 6, 3, groups: 4) },
        { "groups", () => new Conv1d(3, 6, 3, groups: 2) },
        { "padding", () => new Conv1d(2, 2, 3, padding: -2) },
        { "padding", () => new Conv2d(2, 2, 3, stride: 2, padding: "same") },
        { "padding", () => new Conv1d(2, 2, 3, padding: ConvPadding.Explicit((1, 1), (1, 1))) },
        { "paddingMode", () => new Conv2d(2, 2, 3, paddingMode: (PaddingMode)9) },
        { "convolutionMode", () => new Conv2d(2, 2, 3, convolutionMode: (ConvolutionMode)9) },
    };

    [Theory]
    [MemberData(nameof(BadConstructors))]
    public void BadConstructorArgument_ThrowsNamingIt(string parameter, Func<Module> create)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => create());
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void ConvPadding_ConversionsEqualityAndText()
    {
        ConvPadding two = 2, same = "same", full = "FULL";
        Assert.Equal(ConvPadding.Uniform(2), two);
        Assert.Equal(2, two.AsUniform);
        Assert.Equal(ConvPaddingKind.Same, same.Kind);
        Assert.Equal(ConvPaddingKind.Full, full.Kind);
        Assert.Null(same.AsUniform);
        Assert.Equal("(1, 2)", ConvPadding.Symmetric(1, 2).ToString());
        Assert.Equal(ConvPadding.Explicit((1, 1), (2, 2)), ConvPadding.Symmetric(1, 2));
        Assert.Equal("0", default(ConvPadding).ToString());
        Assert.Equal((1, 2), same.Resolve(0, kernel: 4, dilation: 1));  // 3 in total, the odd one after
        Assert.Equal((3, 3), same.Resolve(0, kernel: 4, dilation: 2));  // span 7
        Assert.Equal((4, 4), full.Resolve(1, kernel: 5, dilation: 1));
        Assert.Equal((0, 3), ConvPadding.Explicit((1, 1), (0, 3)).Resolve(1, 3, 1));
        Assert.Throws<ArgumentException>(() => ConvPadding.Explicit());
        Assert.Throws<ArgumentException>(() => ConvPadding.Parse("half"));
    }
}
