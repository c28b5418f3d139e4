// Adaptive and global pooling through Functional: PyTorch's floor/ceil windows by hand, variable
// input sizes reaching one output grid, gradient checks over every batch item, accumulation, and
// argument errors.
namespace Striate.Tests.Autograd.Ops;

public class AdaptivePoolTests
{
    [Fact]
    public void AdaptiveAvgPool1d_UnevenWindows_FollowFloorAndCeil()
    {
        // L = 5 to 3 windows: [0, 2), [1, 4), [3, 5).
        var x = Tensor.FromArray([1f, 2, 3, 4, 5], 1, 1, 5);
        Assert.Equal([1.5f, 3f, 4.5f], Functional.AdaptiveAvgPool1d(x, 3).ToArray());
        Assert.Equal([2f, 4f, 5f], Functional.AdaptiveMaxPool1d(x, 3).ToArray());
    }

    [Fact]
    public void AdaptiveAvgPool2d_VariableInputSizes_ReachTheSameGrid()
    {
        var rng = new Rng(91);
        foreach (var (h, w) in new[] { (7, 7), (13, 9), (6, 6), (3, 5) })
        {
            var x = Tensor.Normal(rng, 0f, 1f, 2, 4, h, w);
            Assert.Equal([2, 4, 6, 6], Functional.AdaptiveAvgPool2d(x, 6).Shape);
            Assert.Equal([2, 4, 2, 3], Functional.AdaptiveMaxPool2d(x, (2, 3)).Shape);
        }
    }

    [Fact]
    public void AdaptiveAvgPool2d_DivisibleSize_EqualsAvgPool()
    {
        var x = Tensor.Normal(new Rng(92), 0f, 1f, 2, 3, 8, 6);
        Assert.Equal(Functional.AvgPool2d(x, 2).ToArray(), Functional.AdaptiveAvgPool2d(x, (4, 3)).ToArray());
        Assert.Equal(Functional.MaxPool2d(x, 2).ToArray(), Functional.AdaptiveMaxPool2d(x, (4, 3)).ToArray());
    }

    [Fact]
    public void GlobalPools_AreMeanAndMaxOfEachFeatureMap()
    {
        var x = Tensor.Normal(new Rng(93), 0f, 1f, 2, 3, 4, 5);
        var avg = Functional.GlobalAvgPool(x);
        var max = Functional.GlobalMaxPool(x);
        Assert.Equal([2, 3], avg.Shape);
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
            {
                var plane = x.ToArray().Skip((n * 3 + c) * 20).Take(20).ToArray();
                Assert.Equal(plane.Average(), avg[n, c], 5);
                Assert.Equal(plane.Max(), max[n, c]);
            }
        Assert.Equal(Functional.AdaptiveAvgPool2d(x, 1).ToArray(), avg.ToArray());
    }

    [Fact]
    public void AdaptiveMaxPool2dWithIndices_ArePerPlaneFlatPositions()
    {
        var x = Tensor.FromArray([1f, 9, 2, 3, 4, 8, 5, 6, 7], 1, 1, 3, 3);
        // 3 → 2 windows per axis: rows/columns [0, 2) and [1, 3).
        var (y, indices) = Functional.AdaptiveMaxPool2dWithIndices(x, (2, 2));
        Assert.Equal([9f, 9, 6, 8], y.ToArray());
        Assert.Equal([1L, 1, 7, 5], indices);
    }

    [Fact]
    public void AdaptivePools_GradCheck_OverlappingWindows()
    {
        var rng = new Rng(94);
        var x = MaxPoolTests.Distinct(rng, 3, 2, 7, 5);
        MaxPoolTests.AssertGradCheck(t => Functional.AdaptiveMaxPool2d(t[0], (3, 4)), x, rng);
        MaxPoolTests.AssertGradCheck(t => Functional.AdaptiveAvgPool2d(t[0], (3, 4)), x, rng);
        var v = MaxPoolTests.Distinct(rng, 2, 2, 5, 4, 3);
        MaxPoolTests.AssertGradCheck(t => Functional.AdaptiveAvgPool3d(t[0], (2, 3, 2)), v, rng);
        MaxPoolTests.AssertGradCheck(t => Functional.AdaptiveMaxPool3d(t[0], 2), v, rng);
        var s = MaxPoolTests.Distinct(rng, 3, 2, 7);
        MaxPoolTests.AssertGradCheck(t => Functional.AdaptiveAvgPool1d(t[0], 9), s, rng);
        MaxPoolTests.AssertGradCheck(t => Functional.AdaptiveMaxPool1d(t[0], 3), s, rng);
        MaxPoolTests.AssertGradCheck(t => Functional.GlobalAvgPool(t[0]), v, rng);
        MaxPoolTests.AssertGradCheck(t => Functional.GlobalMaxPool(t[0]), v, rng);
    }

    [Fact]
    public void AdaptiveAvgPool2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(95);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 5);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 3, 3);
        Functional.AdaptiveAvgPool2d(x, 3).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.AdaptiveAvgPool2d(x, 3).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void AdaptivePool_BadArguments_ThrowNamingThem()
    {
        Assert.Equal("outputSize", Assert.Throws<ArgumentException>(() => Functional.AdaptiveAvgPool2d(Tensor.Zeros(1, 1, 4, 4), (2, 0))).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentException>(() => Functional.AdaptiveMaxPool1d(Tensor.Zeros(1, 1, 4), -1)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.AdaptiveMaxPool3d(Tensor.Zeros(1, 4, 4), 2)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.GlobalAvgPool(Tensor.Zeros(2, 3))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.GlobalMaxPool(Tensor.Zeros(2, 3, 0))).ParamName);
    }
}
