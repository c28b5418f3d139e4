// Functional.Pad: values of each mode on a small image, gradient checks over every batch item in
// every mode, backward-twice accumulation, and the bad-argument checks.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class PadTests
{
    [Fact]
    public void Pad_TwoDimensions_EachModeFillsRowsAndColumns()
    {
        // x = [[1, 2], [3, 4]] padded by (left 1, right 0, top 0, bottom 1).
        var x = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);
        Assert.Equal([7f, 1, 2, 7, 3, 4, 7, 7, 7], Functional.Pad(x, [1, 0, 0, 1], PadMode.Constant, 7f).ToArray());
        Assert.Equal([2f, 1, 2, 4, 3, 4, 2, 1, 2], Functional.Pad(x, [1, 0, 0, 1], PadMode.Reflect).ToArray());
        Assert.Equal([1f, 1, 2, 3, 3, 4, 3, 3, 4], Functional.Pad(x, [1, 0, 0, 1], PadMode.Replicate).ToArray());
        Assert.Equal([2f, 1, 2, 4, 3, 4, 2, 1, 2], Functional.Pad(x, [1, 0, 0, 1], PadMode.Circular).ToArray());
        Assert.Equal([1, 1, 3, 3], Functional.Pad(x, [1, 0, 0, 1]).Shape);
    }

    [Fact]
    public void Pad_NegativeConstant_Crops()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4, 5], 1, 5);
        Assert.Equal([2f, 3, 4, 5], Functional.Pad(x, [-1, 0]).ToArray());
        Assert.Equal([2f, 3, 4, 5, 9], Functional.Pad(x, [-1, 1], value: 9f).ToArray());
        Assert.Equal([3f], Functional.Pad(x, [-2, -2]).ToArray());
    }

    [Theory]
    [InlineData(PadMode.Constant)]
    [InlineData(PadMode.Reflect)]
    [InlineData(PadMode.Replicate)]
    [InlineData(PadMode.Circular)]
    public void Pad_GradCheck_EveryMode(PadMode mode)
    {
        var rng = new Rng(41);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 2, 4, 5);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.Pad(t[0], [2, 1, 3, 0], mode, 0.5f), [x], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Pad_ThreeDimensions_GradCheckAndBackwardTwice()
    {
        var rng = new Rng(42);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 3, 3, 4);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.Pad(t[0], [1, 2, 2, 0, 1, 1], PadMode.Reflect), [x], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);

        x.ZeroGrad();
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 2, 5, 5, 7);
        Functional.Pad(x, [1, 2, 2, 0, 1, 1], PadMode.Circular).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.Pad(x, [1, 2, 2, 0, 1, 1], PadMode.Circular).Backward(upstream);
        Assert.Contains(once, v => v != 0f);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void Pad_Gradient_IsTheSumOfEveryCopy()
    {
        // Replicate (2, 2) on a length-1 signal: all five outputs copy x0, so dx0 = Σ dy.
        var x = Tensor.FromArray([3f], 1, 1, 1);
        x.RequiresGrad = true;
        Functional.Pad(x, [2, 2], PadMode.Replicate).Backward(Tensor.FromArray([1f, 2, 3, 4, 5], 1, 1, 5));
        Assert.Equal([15f], x.Grad!.ToArray());
    }

    public static TheoryData<string, Func<Tensor>> BadArguments => new()
    {
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 4), [1]) },
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 4), []) },
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 2, 2, 2, 2), [1, 1, 1, 1, 1, 1, 1, 1]) },
        { "input", () => Functional.Pad(Tensor.Zeros(4), [1, 1, 1, 1]) },
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 4), [4, 0], PadMode.Reflect) },
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 4), [0, 5], PadMode.Circular) },
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 0), [1, 1], PadMode.Replicate) },
        { "pads", () => Functional.Pad(Tensor.Zeros(1, 4), [-3, -2]) },
        { "mode", () => Functional.Pad(Tensor.Zeros(1, 4), [1, 1], (PadMode)11) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void Pad_BadArgument_ThrowsNamingIt(string parameter, Func<Tensor> call)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.Equal(parameter, ex.ParamName);
    }
}
