// Average and sum pooling through Functional: hand-computed values, the divisor rules, gradient
// checks over every batch item, accumulation, and argument errors.
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class AvgPoolTests
{
    [Fact]
    public void AvgPool2d_TwoByTwoStrideTwo_MatchesHandComputed()
    {
        float[] x = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];
        var y = Functional.AvgPool2d(Tensor.FromArray(x, 1, 1, 4, 4), 2);
        Assert.Equal([1, 1, 2, 2], y.Shape);
        Assert.Equal([3.25f, 5.25f, 2f, 2f], y.ToArray());
    }

    [Fact]
    public void AvgPool2d_Backward_SpreadsGradientByOneOverN()
    {
        var x = Tensor.Zeros(1, 1, 4, 4);
        x.RequiresGrad = true;
        Functional.AvgPool2d(x, 2).Backward(Tensor.FromArray([4f, 8, 12, 16], 1, 1, 2, 2));
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], x.Grad!.ToArray());
    }

    [Fact]
    public void SumPool2d_EqualsAvgPoolWithDivisorOne_AndWindowSums()
    {
        var rng = new Rng(51);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 5);
        var sum = Functional.SumPool2d(x, 3, 2, 1, ceilMode: true);
        Assert.Equal(Functional.AvgPool2d(x, 3, 2, 1, ceilMode: true, divisorOverride: 1).ToArray(), sum.ToArray());
        // Window (0, 0) covers rows −1..1 and columns −1..1: the real cells are x[0..1, 0..1].
        float expected = x[0, 0, 0, 0] + x[0, 0, 0, 1] + x[0, 0, 1, 0] + x[0, 0, 1, 1];
        Assert.Equal(expected, sum[0, 0, 0, 0], 5);
    }

    [Fact]
    public void AvgPool1d_CountIncludePad_ChangesOnlyBorderWindows()
    {
        // Windows over [pad, 3, 6, 9, 12, 15, pad]: {pad, 3, 6}, {6, 9, 12}, {12, 15, pad}.
        var x = Tensor.FromArray([3f, 6, 9, 12, 15], 1, 1, 5);
        Assert.Equal([3f, 9, 9], Functional.AvgPool1d(x, 3, 2, 1, countIncludePad: true).ToArray());
        Assert.Equal([4.5f, 9, 13.5f], Functional.AvgPool1d(x, 3, 2, 1, countIncludePad: false).ToArray());
    }

    [Fact]
    public void AvgPool1d_GradCheck_PaddingCeilExcludePad()
    {
        var rng = new Rng(52);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 2, 11);
        x.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.AvgPool1d(t[0], 4, 3, 2, ceilMode: true, countIncludePad: false), x, rng);
    }

    [Fact]
    public void AvgPool2d_GradCheck_RectangularOverlapping()
    {
        var rng = new Rng(53);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 2, 6, 7);
        x.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.AvgPool2d(t[0], (3, 2), (1, 2), (1, 1), ceilMode: true), x, rng);
    }

    [Fact]
    public void AvgPool3d_GradCheck_DivisorOverride()
    {
        var rng = new Rng(54);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 4, 5, 3);
        x.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.AvgPool3d(t[0], 2, 1, 1, divisorOverride: 3), x, rng);
        MaxPoolTests.AssertGradCheck(t => Functional.SumPool3d(t[0], 2), x, rng);
    }

    [Fact]
    public void AvgPool2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(55);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 7);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 4, 4);
        Functional.AvgPool2d(x, 3, 2, 1).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.AvgPool2d(x, 3, 2, 1).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(0, 1, 0, null, "kernelSize")]
    [InlineData(2, -1, 0, null, "stride")]
    [InlineData(3, 1, 2, null, "padding")]
    [InlineData(2, 1, 0, 0, "divisorOverride")]
    [InlineData(9, 1, 0, null, "kernelSize")]
    public void AvgPool2d_BadArgument_ThrowsNamingIt(int kernelSize, int stride, int padding, int? divisor, string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.AvgPool2d(Tensor.Zeros(1, 1, 5, 5), kernelSize, stride, padding, divisorOverride: divisor));
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void AvgPool3d_WrongRank_ThrowsNamingInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.AvgPool3d(Tensor.Zeros(1, 4, 4, 4), 2));
        Assert.Equal("input", ex.ParamName);
    }
}
