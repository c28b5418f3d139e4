// Lp pooling through Functional: the chapter's L2 pooling by hand, p = 1 as sum pooling, PyTorch's
// sign behaviour for odd p, gradient checks over every batch item, accumulation, argument errors.
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class LpPoolTests
{
    [Fact]
    public void LpPool2d_L2_IsSquareRootOfSumOfSquares()
    {
        // Windows {3, 4, 0, 0} and {1, 2, 2, 4}: √25 = 5 and √25 = 5.
        var x = Tensor.FromArray([3f, 4, 1, 2, 0, 0, 2, 4], 1, 1, 2, 4);
        Assert.Equal([5f, 5f], Functional.LpPool2d(x, 2f, 2).ToArray());
    }

    [Fact]
    public void LpPool1d_NormOne_EqualsSumPooling()
    {
        var x = Tensor.Normal(new Rng(71), 0f, 1f, 2, 3, 9);
        AssertTensor.BitIdentical(Functional.SumPool1d(x, 3).ToArray(), Functional.LpPool1d(x, 1f, 3).ToArray(), "LpPool1d p = 1 vs SumPool1d");
    }

    [Fact]
    public void LpPool1d_OddNormNegativeSum_IsNaNAsInPyTorch()
    {
        // PyTorch raises x to p without taking |x|: (−8)^(1/3) is NaN, not −2.
        var y = Functional.LpPool1d(Tensor.FromArray([-1f, -1], 1, 1, 2), 3f, 2);
        Assert.True(float.IsNaN(y[0, 0, 0]));
    }

    [Fact]
    public void LpPool1d_LargeNorm_ApproachesMaxOfPositiveInputs()
    {
        var y = Functional.LpPool1d(Tensor.FromArray([0.5f, 2f, 1f], 1, 1, 3), 40f, 3);
        Assert.Equal(2f, y[0, 0, 0], 3);
    }

    [Fact]
    public void LpPool1d_GradCheck_NormTwoCeil()
    {
        var rng = new Rng(72);
        var x = Tensor.Uniform(rng, 0.5f, 2f, 3, 2, 11);
        x.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.LpPool1d(t[0], 2f, 4, 3, ceilMode: true), x, rng);
    }

    [Fact]
    public void LpPool2d_GradCheck_FractionalNormOverlapping()
    {
        var rng = new Rng(73);
        var x = Tensor.Uniform(rng, 0.5f, 2f, 3, 2, 5, 6);
        x.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.LpPool2d(t[0], 1.5f, (2, 3), (1, 2)), x, rng);
    }

    [Fact]
    public void LpPool3d_GradCheck_NormThree()
    {
        var rng = new Rng(74);
        var x = Tensor.Uniform(rng, 0.5f, 2f, 2, 2, 4, 3, 5);
        x.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.LpPool3d(t[0], 3f, 2, 1), x, rng);
    }

    [Fact]
    public void LpPool2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(75);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 4, 4);
        Functional.LpPool2d(x, 2f, 3, 1).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.LpPool2d(x, 2f, 3, 1).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Theory]
    [InlineData(0f, 2, 1, "normType")]
    [InlineData(float.NaN, 2, 1, "normType")]
    [InlineData(2f, 0, 1, "kernelSize")]
    [InlineData(2f, 6, 1, "kernelSize")]
    [InlineData(2f, 2, 0, "stride")]
    public void LpPool2d_BadArgument_ThrowsNamingIt(float p, int kernelSize, int stride, string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.LpPool2d(Tensor.Zeros(1, 1, 5, 5), p, kernelSize, stride));
        Assert.Equal(name, ex.ParamName);
    }
}
