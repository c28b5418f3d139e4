// SGD against torch.optim.SGD (Fixtures/sgd.json: parameters after each of three steps for
// plain, momentum, weight decay and Nesterov) and against hand-computed momentum updates.
using Striate.Tests.TestSupport;
using Striate.Training;

namespace Striate.Tests.Training;

public class SgdTests
{
    /// <summary>Gives <paramref name="p"/> the gradient <paramref name="g"/> through autograd: d(Σ p·g)/dp = g.</summary>
    private static void SetGradient(Tensor p, float[] g)
    {
        p.ZeroGrad();
        (p * Tensor.FromArray(g, [.. p.Shape])).Sum().Backward();
    }

    public static TheoryData<string> SgdCases => Fixture.Names("sgd.json");

    [Theory]
    [MemberData(nameof(SgdCases))]
    public void Step_MatchesTorchOptimSgd(string name)
    {
        var c = Fixture.Case("sgd.json", name);
        var shape = Fixture.ReadInts(c.Raw.GetProperty("shape"));
        var p = Tensor.FromArray(Fixture.ReadFloats(c.Raw.GetProperty("initial")), shape);
        p.RequiresGrad = true;
        var sgd = new Sgd([p], c.Float("lr"), c.Float("momentum"), c.Float("weight_decay"), c.Bool("nesterov"));
        var grads = c.Raw.GetProperty("grads").EnumerateArray().Select(Fixture.ReadFloats).ToList();
        var after = c.Raw.GetProperty("after_each_step").EnumerateArray().Select(Fixture.ReadDoubles).ToList();
        for (int step = 0; step < grads.Count; step++)
        {
            SetGradient(p, grads[step]);
            sgd.Step();
            AssertTensor.Close(p.AsSpan(), after[step], shape, Tolerances.Optimizer, $"{c} parameters after step {step + 1}");
        }
    }

    [Fact]
    public void Step_Momentum_HandComputed()
    {
        // PyTorch: b₁ = g₁; b_t = μ·b_{t−1} + g_t; p ← p − lr·b_t.  lr = 0.5, μ = 0.5, p₀ = 1.
        // g = 1 → b = 1,    p = 0.5
        // g = 2 → b = 2.5,  p = −0.75
        // g = 0 → b = 1.25, p = −1.375
        var p = Tensor.FromArray([1f], 1);
        p.RequiresGrad = true;
        var sgd = new Sgd([p], lr: 0.5f, momentum: 0.5f);
        float[] expected = [0.5f, -0.75f, -1.375f];
        float[] grads = [1f, 2f, 0f];
        for (int i = 0; i < 3; i++)
        {
            SetGradient(p, [grads[i]]);
            sgd.Step();
            Assert.Equal(expected[i], p[0]);
        }
    }

    [Fact]
    public void Step_ParameterWithoutGradient_IsLeftAlone()
    {
        var used = Tensor.FromArray([1f, 2f], 2);
        var unused = Tensor.FromArray([3f, 4f], 2);
        var frozen = Tensor.FromArray([5f], 1);
        used.RequiresGrad = unused.RequiresGrad = true;
        var sgd = new Sgd([used, unused, frozen], lr: 0.1f, momentum: 0.9f);
        SetGradient(used, [1f, -1f]);
        sgd.Step();
        Assert.Equal([0.9f, 2.1f], used.ToArray());
        Assert.Equal([3f, 4f], unused.ToArray());
        Assert.Equal([5f], frozen.ToArray());
    }

    [Fact]
    public void ZeroGrad_ClearsEveryParameter()
    {
        var p = Tensor.FromArray([1f], 1);
        p.RequiresGrad = true;
        SetGradient(p, [2f]);
        var sgd = new Sgd([p], lr: 0.1f);
        sgd.ZeroGrad();
        Assert.Null(p.Grad);
    }

    [Theory]
    [InlineData(-0.1f, 0f, 0f, "lr")]
    [InlineData(float.NaN, 0f, 0f, "lr")]
    [InlineData(float.PositiveInfinity, 0f, 0f, "lr")]
    [InlineData(0.1f, -0.5f, 0f, "momentum")]
    [InlineData(0.1f, 1f, 0f, "momentum")]
    [InlineData(0.1f, 0f, -1f, "weightDecay")]
    public void Constructor_BadHyperParameter_ThrowsNamingIt(float lr, float momentum, float weightDecay, string name)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd([Tensor.Zeros(1)], lr, momentum, weightDecay));
        Assert.Equal(name, e.ParamName);
    }

    [Fact]
    public void Step_LeavesGradientUnchanged()
    {
        var p = Tensor.FromArray([1f, 2f], 2);
        p.RequiresGrad = true;
        var sgd = new Sgd([p], lr: 0.1f, momentum: 0.9f, weightDecay: 0.5f);
        SetGradient(p, [1f, 1f]);
        sgd.Step();
        SetGradient(p, [1f, 1f]);
        sgd.Step();
        Assert.Equal([1f, 1f], p.Grad!.ToArray());
    }
}
