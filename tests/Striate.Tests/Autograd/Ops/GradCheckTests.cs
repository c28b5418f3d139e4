// Finite-difference gradient checks of every core op, with batch ≥ 2 (every batch item is
// probed) and a random upstream gradient (GradCheck draws it), plus a check that GradCheck
// itself catches a wrong backward.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class GradCheckTests
{
    private static Tensor Param(Tensor t)
    {
        t.RequiresGrad = true;
        return t;
    }

    private static Tensor Normal(Rng rng, params int[] shape) => Param(Tensor.Normal(rng, 0f, 1f, shape));

    /// <summary>Values with |x| in [0.2, 1.5) and random sign: every ±h probe stays on one side of ReLU's kink and away from division's pole.</summary>
    private static Tensor AwayFromZero(Rng rng, params int[] shape)
    {
        var t = Tensor.Uniform(rng, 0.2f, 1.5f, shape);
        var s = t.AsSpan();
        for (int i = 0; i < s.Length; i++) if (rng.NextInt(2) == 0) s[i] = -s[i];
        return Param(t);
    }

    /// <summary>Distinct values spaced 0.1 apart (≫ 2h) in random order: a max never switches under a probe.</summary>
    private static Tensor Distinct(Rng rng, params int[] shape)
    {
        int count = 1;
        foreach (int d in shape) count *= d;
        var p = rng.Permutation(count);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (p[i] - count / 2f) * 0.1f;
        return Param(Tensor.FromArray(values, shape));
    }

    private static void AssertPasses(Func<Tensor[], Tensor> function, Tensor[] inputs, ulong seed = 7)
    {
        var result = GradCheck.Check(function, inputs, new Rng(seed), Tolerances.GradCheckEpsilon,
            Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Probes > 0, "GradCheck probed nothing.");
        Assert.True(result.Passed, $"GradCheck failed: worst ratio {result.MaxError:G4} at {result.Message} ({result.Probes} probes).");
    }

    public static TheoryData<string> BinaryCases => new()
    {
        "add_2x3x4_3x1", "sub_2x3x4_3x1", "mul_2x3x4_3x1", "div_2x3x4_3x1",
        "add_4_2x3x4", "sub_2x1x4_3x1", "mul_scalar", "div_scalar_left",
    };

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Elementwise_WithBroadcasting_GradientsMatchFiniteDifferences(string name)
    {
        var rng = new Rng(1);
        Tensor x, y;
        switch (name)
        {
            case "add_4_2x3x4": x = Normal(rng, 4); y = Normal(rng, 2, 3, 4); break;
            case "sub_2x1x4_3x1": x = Normal(rng, 2, 1, 4); y = Normal(rng, 3, 1); break;
            case "mul_scalar": x = Normal(rng, 2, 3, 4); y = Normal(rng); break;
            case "div_scalar_left": x = Normal(rng); y = AwayFromZero(rng, 2, 3); break;
            default: x = Normal(rng, 2, 3, 4); y = name.StartsWith("div", StringComparison.Ordinal) ? AwayFromZero(rng, 3, 1) : Normal(rng, 3, 1); break;
        }
        Func<Tensor[], Tensor> op = name[..3] switch
        {
            "add" => t => t[0] + t[1],
            "sub" => t => t[0] - t[1],
            "mul" => t => t[0] * t[1],
            _ => t => t[0] / t[1],
        };
        AssertPasses(op, [x, y]);
    }

    [Theory]
    [InlineData("sum", null, false)]
    [InlineData("sum", 1, false)]
    [InlineData("sum", 0, true)]
    [InlineData("mean", null, false)]
    [InlineData("mean", 2, true)]
    [InlineData("mean", -1, false)]
    [InlineData("max", null, false)]
    [InlineData("max", 1, false)]
    [InlineData("max", 2, true)]
    public void Reduction_GradientMatchesFiniteDifferences(string op, int? dim, bool keepDim)
    {
        var x = Distinct(new Rng(2), 2, 3, 4);
        Func<Tensor[], Tensor> f = op switch
        {
            "sum" => t => dim is int d ? t[0].Sum(d, keepDim) : t[0].Sum(),
            "mean" => t => dim is int d ? t[0].Mean(d, keepDim) : t[0].Mean(),
            _ => t => dim is int d ? t[0].Max(d, keepDim) : t[0].Max(),
        };
        AssertPasses(f, [x]);
    }

    [Fact]
    public void MatMul_GradientMatchesFiniteDifferences()
    {
        var rng = new Rng(3);
        AssertPasses(t => t[0].MatMul(t[1]), [Normal(rng, 5, 7), Normal(rng, 7, 18)]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear_GradientMatchesFiniteDifferences(bool bias)
    {
        var rng = new Rng(4);
        Tensor[] inputs = bias ? [Normal(rng, 3, 6), Normal(rng, 5, 6), Normal(rng, 5)] : [Normal(rng, 3, 6), Normal(rng, 5, 6)];
        AssertPasses(t => Functional.Linear(t[0], t[1], t.Length > 2 ? t[2] : null), inputs);
    }

    [Theory]
    [InlineData("relu")]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    public void Activation_GradientMatchesFiniteDifferences(string op)
    {
        var x = AwayFromZero(new Rng(5), 2, 3, 4);
        Func<Tensor[], Tensor> f = op switch
        {
            "relu" => t => Functional.Relu(t[0]),
            "tanh" => t => Functional.Tanh(t[0]),
            _ => t => Functional.Sigmoid(t[0]),
        };
        AssertPasses(f, [x]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-1)]
    public void LogSoftmax_GradientMatchesFiniteDifferences(int dim)
    {
        var x = Normal(new Rng(6), 3, 4, 5);
        AssertPasses(t => Functional.LogSoftmax(t[0], dim), [x]);
    }

    [Fact]
    public void CrossEntropy_GradientMatchesFiniteDifferences()
    {
        var logits = Normal(new Rng(8), 4, 6);
        int[] targets = [5, 0, 3, 3];
        AssertPasses(t => Functional.CrossEntropy(t[0], targets), [logits]);
    }

    [Fact]
    public void NllLoss_GradientMatchesFiniteDifferences()
    {
        var logProbs = Normal(new Rng(9), 3, 4);
        int[] targets = [1, 3, 0];
        AssertPasses(t => Functional.NllLoss(t[0], targets), [logProbs]);
    }

    [Fact]
    public void SmallNetwork_GradientMatchesFiniteDifferences()
    {
        // Linear → tanh → Linear → cross-entropy: the composition a training step differentiates.
        var rng = new Rng(10);
        Tensor x = Normal(rng, 3, 4), w1 = Normal(rng, 5, 4), b1 = Normal(rng, 5), w2 = Normal(rng, 3, 5), b2 = Normal(rng, 3);
        int[] targets = [2, 0, 1];
        AssertPasses(t => Functional.CrossEntropy(Functional.Linear(Functional.Tanh(Functional.Linear(t[0], t[1], t[2])), t[3], t[4]), targets),
            [x, w1, b1, w2, b2]);
    }

    [Fact]
    public void Reshape_GradientMatchesFiniteDifferences()
    {
        var x = Normal(new Rng(11), 2, 3, 4);
        AssertPasses(t => t[0].Reshape(4, -1) * t[0].Reshape(4, 6), [x]);
    }

    [Fact]
    public void GradCheck_WrongBackward_Fails()
    {
        var x = Normal(new Rng(12), 2, 5);
        var result = GradCheck.Check(t => WrongDoubleNode.Forward(t[0]), [x], new Rng(13), Tolerances.GradCheckEpsilon,
            Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.False(result.Passed, "GradCheck accepted a backward that is 1.5× the true gradient.");
        Assert.True(result.MaxError > 1, $"Worst ratio {result.MaxError} should exceed 1.");
        Assert.Contains("input 0", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_NoInputRequiresGrad_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => GradCheck.Check(t => t[0] * 2f, [Tensor.Ones(2)], new Rng(1)));
        Assert.Equal("inputs", e.ParamName);
    }

    /// <summary>y = 2x with a deliberately wrong backward (dx += 3·dy): GradCheck must reject it.</summary>
    private sealed class WrongDoubleNode(Tensor x) : Node(x)
    {
        public override string Name => "WrongDouble";

        public static Tensor Forward(Tensor x)
        {
            var y = Tensor.FromArray(x.ToArray(), [.. x.Shape]);
            var ys = y.AsSpan();
            for (int i = 0; i < ys.Length; i++) ys[i] *= 2f;
            if (GradMode.IsEnabled && x.RequiresGrad) y.SetGradFn(new WrongDoubleNode(x));
            return y;
        }

        protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
        {
            var dx = GradOf(0);
            for (int i = 0; i < dx.Length; i++) dx[i] += 3f * gradOutput[i]; // wrong: y = 2x ⇒ dx = 2·dy
        }
    }
}
