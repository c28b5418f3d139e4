// Local response normalization through autograd: a hand-computed example, the two conventions
// agreeing when their alphas are related by the window size, finite-difference gradient checks
// over every batch item (strong alpha, so the cross-channel terms matter), accumulation, and
// argument checks naming the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class LocalResponseNormTests
{
    [Fact]
    public void HandComputed_SizeThree()
    {
        // One position, channels (1, 2, 3), size 3, alpha 3 (α′ = 1), beta 1, k 1:
        // s = 1 + (1 + 4) = 6, 1 + (1 + 4 + 9) = 15, 1 + (4 + 9) = 14  ⇒  y = 1/6, 2/15, 3/14.
        var y = Functional.LocalResponseNorm(Tensor.FromArray([1f, 2f, 3f], 1, 3, 1), size: 3, alpha: 3f, beta: 1f, k: 1f);
        Assert.Equal(1f / 6, y.AsSpan()[0], 1e-7f);
        Assert.Equal(2f / 15, y.AsSpan()[1], 1e-7f);
        Assert.Equal(3f / 14, y.AsSpan()[2], 1e-7f);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void TensorFlowForm_EqualsPyTorchFormWithAlphaTimesSize(int depthRadius)
    {
        var x = Tensor.Uniform(new Rng(81), -2f, 2f, 2, 6, 3, 3);
        int size = 2 * depthRadius + 1;
        var tf = Functional.LocalResponseNormalization(x, depthRadius, bias: 2f, alpha: 0.1f, beta: 0.75f);
        var torch = Functional.LocalResponseNorm(x, size, alpha: 0.1f * size, beta: 0.75f, k: 2f);
        AssertTensor.Close(tf.AsSpan(), torch.ToArray().Select(v => (double)v).ToArray(), [2, 6, 3, 3], Tolerances.Pointwise, "TF vs PyTorch form");
    }

    public static TheoryData<int[], int> Shapes => new()
    {
        { [3, 5, 2, 3], 3 },    // NCHW, odd batch
        { [2, 6, 4], 4 },       // NCL, even window
        { [1, 4, 2, 2, 3], 5 }, // NCDHW, window wider than the channels
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void GradCheck_RandomUpstreamEveryBatchItem(int[] shape, int size)
    {
        var x = Tensor.Uniform(new Rng(82), -1.5f, 1.5f, shape);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.LocalResponseNorm(t[0], size, alpha: 1.5f, beta: 0.75f, k: 1f), [x], new Rng(83),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.Equal(x.Length, result.Probes);
    }

    [Fact]
    public void GradCheck_TensorFlowForm()
    {
        var x = Tensor.Uniform(new Rng(84), -1.5f, 1.5f, 2, 7, 2, 2);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.LocalResponseNormalization(t[0], depthRadius: 2, bias: 1f, alpha: 0.3f, beta: 0.5f), [x], new Rng(85),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void BackwardTwice_AccumulatesExactlyTwice()
    {
        var x = Tensor.Uniform(new Rng(86), -2f, 2f, 2, 5, 3, 3);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(87), 0f, 1f, 2, 5, 3, 3);
        Functional.LocalResponseNorm(x, 3, 0.5f).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.LocalResponseNorm(x, 3, 0.5f).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void UnderNoGrad_RecordsNothing()
    {
        var x = Tensor.Ones(1, 3, 2, 2);
        x.RequiresGrad = true;
        using (GradMode.NoGrad()) Assert.Null(Functional.LocalResponseNorm(x, 3).GradFn);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var x = Tensor.Zeros(1, 3, 2, 2);
        var ex = Assert.Throws<ArgumentException>(() => Functional.LocalResponseNorm(Tensor.Zeros(2, 3), 3));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("(2, 3)", ex.Message, StringComparison.Ordinal);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNorm(x, 0)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNorm(x, 3, alpha: -1f)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNorm(x, 3, beta: float.NaN)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNorm(x, 3, k: 0f)).ParamName);
        Assert.Equal("depthRadius", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNormalization(x, -1)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNormalization(x, 2, bias: -1f)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => Functional.LocalResponseNormalization(x, 2, alpha: float.PositiveInfinity)).ParamName);
    }
}
