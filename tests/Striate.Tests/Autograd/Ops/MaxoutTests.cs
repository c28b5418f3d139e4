// Maxout through Functional: groups of consecutive channels, 2-D and 4-D inputs, the chapter's
// learned-invariance example, gradient checks, accumulation and argument errors.
namespace Striate.Tests.Autograd.Ops;

public class MaxoutTests
{
    [Fact]
    public void Maxout_GroupsConsecutiveChannels()
    {
        // (1, 4, 2): channels {0, 1} and {2, 3} are pooled.
        var x = Tensor.FromArray([1f, 8, 5, 2, -1, 0, -3, 4], 1, 4, 2);
        var y = Functional.Maxout(x, 2);
        Assert.Equal([1, 2, 2], y.Shape);
        Assert.Equal([5f, 8, -1, 4], y.ToArray());
    }

    [Fact]
    public void Maxout_AfterLinear_PoolsFeatures()
    {
        var x = Tensor.FromArray([0.5f, -1, 2, 3, 1, 0], 2, 3);
        Assert.Equal([2f, 3f], Functional.Maxout(x, 3).ToArray());
    }

    [Fact]
    public void Maxout_DetectorsOfShiftedPatterns_RespondTheSameToEither()
    {
        // The chapter's learned invariance: two detector maps respond to a pattern and to its shifted
        // version; pooling across them gives the same response whichever version is present.
        var pattern = Tensor.FromArray([0f, 0.9f, 0.1f, 0.1f, 0.2f, 0f], 1, 2, 3); // detector 0 fires
        var shifted = Tensor.FromArray([0.1f, 0.2f, 0f, 0f, 0.9f, 0.1f], 1, 2, 3); // detector 1 fires
        Assert.Equal(Functional.Maxout(pattern, 2).ToArray().Max(), Functional.Maxout(shifted, 2).ToArray().Max());
    }

    [Fact]
    public void Maxout_GradCheck_FourDimensional()
    {
        var rng = new Rng(131);
        var x = MaxPoolTests.Distinct(rng, 3, 6, 3, 4);
        MaxPoolTests.AssertGradCheck(t => Functional.Maxout(t[0], 3), x, rng);
        var f = MaxPoolTests.Distinct(rng, 4, 10);
        MaxPoolTests.AssertGradCheck(t => Functional.Maxout(t[0], 5), f, rng);
    }

    [Fact]
    public void Maxout_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(132);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 6, 5);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 5);
        Functional.Maxout(x, 2).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.Maxout(x, 2).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void Maxout_BadArguments_ThrowNamingThem()
    {
        Assert.Equal("poolSize", Assert.Throws<ArgumentException>(() => Functional.Maxout(Tensor.Zeros(1, 6, 2), 4)).ParamName);
        Assert.Equal("poolSize", Assert.Throws<ArgumentException>(() => Functional.Maxout(Tensor.Zeros(1, 6, 2), 0)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.Maxout(Tensor.Zeros(6), 2)).ParamName);
    }
}
