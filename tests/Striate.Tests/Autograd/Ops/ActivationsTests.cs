// The activation ops through autograd: hand-computed values, finite-difference gradient checks
// with a random upstream gradient over every batch item, backward twice accumulating twice, PReLU's
// slope gradient, softmax's stability on huge logits, and argument checks naming the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class ActivationsTests
{
    public static TheoryData<string> Ops => ["leaky_relu", "elu", "selu", "gelu", "gelu_tanh", "silu", "softplus", "softsign", "hardtanh", "softmax0", "softmax1", "softmax_last"];

    private static Tensor Apply(string op, Tensor x) => op switch
    {
        "leaky_relu" => Functional.LeakyRelu(x, 0.1f),
        "elu" => Functional.Elu(x, 0.7f),
        "selu" => Functional.Selu(x),
        "gelu" => Functional.Gelu(x),
        "gelu_tanh" => Functional.Gelu(x, GeluApproximation.Tanh),
        "silu" => Functional.Silu(x),
        "softplus" => Functional.Softplus(x, 2f, 3f),
        "softsign" => Functional.Softsign(x),
        "hardtanh" => Functional.Hardtanh(x, -0.8f, 1.3f),
        "softmax0" => Functional.Softmax(x, 0),
        "softmax1" => Functional.Softmax(x, 1),
        "softmax_last" => Functional.Softmax(x, -1),
        _ => throw new ArgumentException(op, nameof(op)),
    };

    /// <summary>(3, 4, 5) values at least 0.05 away from every kink and bound (0, −0.8, 1.3, and βx = 3 ⇔ x = 1.5).</summary>
    private static Tensor SmoothInput(ulong seed)
    {
        var x = Tensor.Uniform(new Rng(seed), -3f, 3f, 3, 4, 5);
        var data = x.AsSpan();
        float[] kinks = [0f, -0.8f, 1.3f, 1.5f];
        for (int i = 0; i < data.Length; i++)
            foreach (float k in kinks)
                if (MathF.Abs(data[i] - k) < 0.05f) data[i] = k + 0.1f;
        x.RequiresGrad = true;
        return x;
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void GradCheck_RandomUpstreamEveryBatchItem(string op)
    {
        var x = SmoothInput(31);
        var result = GradCheck.Check(t => Apply(op, t[0]), [x], new Rng(32),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, $"{op}: {result.Message}");
        Assert.Equal(x.Length, result.Probes);
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void BackwardTwice_AccumulatesExactlyTwice(string op)
    {
        var x = SmoothInput(33);
        var upstream = Tensor.Normal(new Rng(34), 0f, 1f, 3, 4, 5);
        Apply(op, x).Backward(upstream);
        var once = x.Grad!.ToArray();
        Apply(op, x).Backward(upstream);
        Assert.Contains(once, v => v != 0f);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Theory]
    [MemberData(nameof(Ops))]
    public void UnderNoGrad_RecordsNothing(string op)
    {
        var x = SmoothInput(35);
        using (GradMode.NoGrad())
        {
            Assert.Null(Apply(op, x).GradFn);
        }
        Assert.NotNull(Apply(op, x).GradFn);
    }

    [Fact]
    public void HandComputedValues()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 1f, 3f], 5);
        Assert.Equal([-0.02f, -0.005f, 0f, 1f, 3f], Functional.LeakyRelu(x).ToArray());
        Assert.Equal([-1f, -0.5f, 0f, 1f, 1f], Functional.Hardtanh(x).ToArray());
        Assert.Equal([-2f, -0.5f, 0f, 0.5f, 0.5f], Functional.Hardtanh(x, -3f, 0.5f).ToArray());
        Assert.Equal([-2f / 3f, -0.5f / 1.5f, 0f, 0.5f, 0.75f], Functional.Softsign(x).ToArray());
        var elu = Functional.Elu(x).ToArray();
        Assert.Equal(Math.Exp(-2) - 1, elu[0], 6);
        Assert.Equal(3f, elu[4]);
        // GELU(1) = Φ(1) = 0.8413447460685429; GELU(−2) = −2·Φ(−2) = −2·0.022750131948179195.
        var gelu = Functional.Gelu(x).ToArray();
        Assert.Equal(0.8413447460685429, gelu[3], 6);
        Assert.Equal(-2 * 0.022750131948179195, gelu[0], 6);
        // SiLU(1) = 1/(1 + e^−1); softplus(0) = log 2.
        Assert.Equal(1 / (1 + Math.Exp(-1)), Functional.Silu(x).ToArray()[3], 6);
        Assert.Equal(Math.Log(2), Functional.Softplus(x).ToArray()[2], 6);
        // SELU(1) = λ; SELU(x → −∞) → −λα.
        Assert.Equal(1.0507009873554805, Functional.Selu(x).ToArray()[3], 6);
        Assert.Equal(-1.0507009873554805 * 1.6732632423543772, Functional.Selu(Tensor.FromArray([-40f], 1)).Item(), 5);
    }

    [Fact]
    public void KinkDerivatives_FollowPyTorch()
    {
        // At x = 0: LeakyReLU and PReLU take the negative slope, ELU takes α; at the clamp bounds Hardtanh passes nothing.
        var x = Tensor.FromArray([0f, -1f, 1f], 3);
        x.RequiresGrad = true;
        Functional.LeakyRelu(x, 0.2f).Backward(Tensor.Ones(3));
        Assert.Equal([0.2f, 0.2f, 1f], x.Grad!.ToArray());
        x.ZeroGrad();
        Functional.Elu(x, 0.5f).Backward(Tensor.Ones(3));
        Assert.Equal(0.5f, x.Grad!.ToArray()[0]);
        x.ZeroGrad();
        Functional.Hardtanh(x).Backward(Tensor.Ones(3));
        Assert.Equal([1f, 0f, 0f], x.Grad!.ToArray());
        x.ZeroGrad();
        Functional.Softsign(x).Backward(Tensor.Ones(3));
        Assert.Equal(1f, x.Grad!.ToArray()[0]);
    }

    [Fact]
    public void Softplus_AboveThreshold_IsTheIdentity()
    {
        var x = Tensor.FromArray([25f, 10.5f, 30f], 3);
        x.RequiresGrad = true;
        var y = Functional.Softplus(x, beta: 2f, threshold: 20f);
        Assert.Equal([25f, 10.5f, 30f], y.ToArray());
        y.Backward(Tensor.Ones(3));
        Assert.Equal([1f, 1f, 1f], x.Grad!.ToArray());
        // Far below 0 it keeps its tiny value instead of rounding to 0.
        Assert.Equal(Math.Exp(-30), Functional.Softplus(Tensor.FromArray([-30f], 1)).Item(), 1e-19);
    }

    [Fact]
    public void Softmax_SumsToOneAlongTheDimension()
    {
        var x = Tensor.Uniform(new Rng(36), -5f, 5f, 2, 3, 4);
        foreach (int dim in new[] { 0, 1, 2, -1 })
        {
            var sums = Functional.Softmax(x, dim).Sum(dim).ToArray();
            Assert.All(sums, s => Assert.Equal(1f, s, 5e-7f));
        }
    }

    [Fact]
    public void Softmax_HugeLogits_StayFiniteAndExact()
    {
        // Without subtracting the maximum, exp(1000) overflows to ∞ and every probability is NaN.
        var y = Functional.Softmax(Tensor.FromArray([1000f, 1001f, 999f, -1000f, 88.8f, -88.8f], 2, 3), 1).ToArray();
        double e1 = Math.Exp(-1), e2 = Math.Exp(-2), total = e1 + 1 + e2;
        Assert.Equal(e1 / total, y[0], 6);
        Assert.Equal(1 / total, y[1], 6);
        Assert.Equal(e2 / total, y[2], 6);
        Assert.Equal(0f, y[3]);
        Assert.Equal(1f, y[4], 6);
        Assert.All(y, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Softmax_EqualsExpOfLogSoftmax()
    {
        var x = Tensor.Uniform(new Rng(37), -8f, 8f, 4, 7);
        var softmax = Functional.Softmax(x, 1).ToArray();
        var viaLog = Functional.LogSoftmax(x, 1).ToArray().Select(MathF.Exp).Select(v => (double)v).ToArray();
        AssertTensor.Close(softmax, viaLog, [4, 7], Tolerances.Pointwise, "softmax vs exp(log_softmax)");
    }

    [Fact]
    public void PRelu_GradCheck_InputAndSlopes()
    {
        foreach (int slopes in new[] { 1, 4 })
        {
            var x = SmoothInput(38);
            var w = Tensor.Uniform(new Rng(39), -0.5f, 0.5f, slopes);
            w.RequiresGrad = true;
            var result = GradCheck.Check(t => Functional.PRelu(t[0], t[1]), [x, w], new Rng(40),
                Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
            Assert.True(result.Passed, $"{slopes} slopes: {result.Message}");
        }
    }

    [Fact]
    public void PRelu_BackwardTwice_AccumulatesExactlyTwice()
    {
        var x = SmoothInput(41);
        var w = Tensor.Full(0.25f, 4);
        w.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(42), 0f, 1f, 3, 4, 5);
        Functional.PRelu(x, w).Backward(upstream);
        var dx = x.Grad!.ToArray();
        var dw = w.Grad!.ToArray();
        Functional.PRelu(x, w).Backward(upstream);
        Assert.Equal(dx.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
        Assert.Equal(dw.Select(v => 2f * v).ToArray(), w.Grad!.ToArray());
    }

    [Fact]
    public void PRelu_HandComputed()
    {
        // Channel 0 slope 0.5, channel 1 slope −1: y = x for x > 0, a_c·x otherwise.
        var x = Tensor.FromArray([-2f, 3f, -4f, 5f], 1, 2, 2);
        x.RequiresGrad = true;
        var w = Tensor.FromArray([0.5f, -1f], 2);
        w.RequiresGrad = true;
        var y = Functional.PRelu(x, w);
        Assert.Equal([-1f, 3f, 4f, 5f], y.ToArray());
        y.Backward(Tensor.FromArray([1f, 1f, 2f, 2f], 1, 2, 2));
        Assert.Equal([0.5f, 1f, -2f, 2f], x.Grad!.ToArray());
        Assert.Equal([-2f, -8f], w.Grad!.ToArray()); // Σ dy·x over x ≤ 0: 1·(−2); 2·(−4)
    }

    [Fact]
    public void PRelu_WrongSlopeCount_ThrowsNamingWeight()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.PRelu(Tensor.Zeros(2, 3, 4), Tensor.Zeros(2)));
        Assert.Equal("weight", ex.ParamName);
        Assert.Contains("(2, 3, 4)", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Functional.PRelu(Tensor.Zeros(2, 3), Tensor.Zeros(1, 3)));
        Assert.Equal("weight", ex.ParamName);
        Assert.Equal([0f, 0f, 0f], Functional.PRelu(Tensor.Zeros(3), Tensor.Zeros(1)).ToArray()); // a vector is one channel
    }

    [Fact]
    public void BadParameters_ThrowNamingTheParameter()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Equal("negativeSlope", Assert.Throws<ArgumentException>(() => Functional.LeakyRelu(x, float.NaN)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => Functional.Elu(x, float.PositiveInfinity)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => Functional.Softplus(x, 0f)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => Functional.Softplus(x, -1f)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentException>(() => Functional.Softplus(x, 1f, float.NaN)).ParamName);
        Assert.Equal("maxVal", Assert.Throws<ArgumentException>(() => Functional.Hardtanh(x, 1f, 1f)).ParamName);
        Assert.Equal("maxVal", Assert.Throws<ArgumentException>(() => Functional.Hardtanh(x, 1f, -1f)).ParamName);
        Assert.Equal("minVal", Assert.Throws<ArgumentException>(() => Functional.Hardtanh(x, float.NaN, 1f)).ParamName);
        Assert.Equal("approximate", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Gelu(x, (GeluApproximation)7)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Softmax(x, 2)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Softmax(x, -3)).ParamName);
    }

    [Fact]
    public void Activations_AreBitIdenticalForAnyThreadCount()
    {
        var x = Tensor.Uniform(new Rng(43), -4f, 4f, 8, 16, 33, 33);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(44), 0f, 1f, 8, 16, 33, 33);
        float[] Run(int threads, string op)
        {
            using var scope = Compute.UseThreads(threads);
            x.ZeroGrad();
            var y = Apply(op, x);
            y.Backward(upstream);
            return [.. y.ToArray(), .. x.Grad!.ToArray()];
        }
        foreach (var op in new[] { "gelu", "softmax1", "elu" })
            AssertTensor.BitIdentical(Run(1, op), Run(3, op), op);
    }
}
