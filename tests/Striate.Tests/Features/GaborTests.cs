using Striate.Autograd;
using Striate.Features;

namespace Striate.Tests.Features;

public sealed class GaborTests
{
    private const int Size = 21;

    /// <summary>A Size×Size grating cos(f·(x cos τ + y sin τ) + shift) centred like a kernel, as (1, 1, Size, Size).</summary>
    private static Tensor Grating(double f, double tau, double shift = 0)
    {
        var v = new float[Size * Size];
        double centre = (Size - 1) / 2.0;
        for (int r = 0; r < Size; r++)
            for (int c = 0; c < Size; c++)
                v[r * Size + c] = (float)Math.Cos(f * ((c - centre) * Math.Cos(tau) + (r - centre) * Math.Sin(tau)) + shift);
        return Tensor.FromArray(v, 1, 1, Size, Size);
    }

    [Fact]
    public void Evaluate_KnownPoints_MatchTheFormula()
    {
        var p = new GaborParameters(Alpha: 2, BetaX: 0.5, BetaY: 0.25, Frequency: 1, Phase: 0, X0: 1, Y0: -1, Tau: Math.PI / 2);
        // At the centre x' = y' = 0: w = α·cos φ.
        Assert.Equal(2.0, Gabor.Evaluate(p, 1, -1), 12);
        // (1, 0): dx = 0, dy = 1 → x' = sin τ = 1, y' = cos τ = 0 → 2·e^−0.5·cos 1 = 0.655420…
        Assert.Equal(2 * Math.Exp(-0.5) * Math.Cos(1), Gabor.Evaluate(p, 1, 0), 12);
        Assert.Equal(0.6554198, Gabor.Evaluate(p, 1, 0), 6);
        // (2, −1): dx = 1, dy = 0 → x' = 0, y' = −1 → 2·e^−0.25·cos 0 = 1.557602…
        Assert.Equal(2 * Math.Exp(-0.25), Gabor.Evaluate(p, 2, -1), 12);
        // Phase π/2 at the centre: cos(π/2) = 0.
        Assert.Equal(0.0, Gabor.Evaluate(p with { Phase = Math.PI / 2 }, 1, -1), 12);
    }

    [Fact]
    public void Kernel_SamplesTheFunctionAroundTheCentre()
    {
        var p = new GaborParameters(1.5, 0.1, 0.2, 0.8, 0.3, X0: 0.5, Y0: 0, Tau: 0.7);
        var k = Gabor.Kernel(p, 5);
        Assert.Equal([5, 5], k.Shape);
        for (int r = 0; r < 5; r++)
            for (int c = 0; c < 5; c++)
                Assert.Equal((float)Gabor.Evaluate(p, c - 2, r - 2), k[r, c]);
    }

    [Fact]
    public void Bank_OrdersFrequencyOrientationPhase()
    {
        var bank = Gabor.Bank(7, orientations: 4, frequencies: [0.5, 1.0], phases: [0, Math.PI / 2], betaX: 0.1, betaY: 0.1);
        Assert.Equal(16, bank.Count);
        Assert.Equal(new GaborParameters(1, 0.1, 0.1, 1.0, Math.PI / 2, Tau: 3 * Math.PI / 4), bank.Filters[15]);
        Assert.Equal(Math.PI / 4, bank.Filters[2].Tau);
        Assert.Equal([16, 3, 7, 7], bank.ToWeight(3).Shape);
        Assert.Equal(Gabor.Kernel(bank.Filters[5], 7)[3, 4] / 3, bank.ToWeight(3)[5, 2, 3, 4]);
    }

    [Fact]
    public void OrientationSelectivity_MatchingGratingBeatsOrthogonalOne()
    {
        const double f = 1.0;
        foreach (double tau in new[] { 0, Math.PI / 6, Math.PI / 4, 1.2 })
        {
            var cell = new GaborComplexCell2d(new GaborBank(Size, [new GaborParameters(1, 0.05, 0.05, f, 0, Tau: tau)]));
            float matching = cell.Forward(Grating(f, tau)).Item();
            float orthogonal = cell.Forward(Grating(f, tau + Math.PI / 2)).Item();
            Assert.True(matching > 10 * orthogonal, $"τ = {tau}: matching {matching}, orthogonal {orthogonal}");
        }
    }

    [Fact]
    public void ComplexCell_ShiftedGratings_NearlyConstant_WhileTheSimpleCellSwings()
    {
        var even = new GaborParameters(1, 0.05, 0.05, 1.2, 0, Tau: 0.4);
        var cell = new GaborComplexCell2d(new GaborBank(Size, [even]));
        var simple = new GaborConv2d(new GaborBank(Size, [even]));
        var complexResponses = new List<float>();
        var simpleResponses = new List<float>();
        for (int i = 0; i < 8; i++)
        {
            var g = Grating(1.2, 0.4, shift: i * Math.PI / 4);
            complexResponses.Add(cell.Forward(g).Item());
            simpleResponses.Add(simple.Forward(g).Item());
        }
        float mean = complexResponses.Average();
        Assert.True((complexResponses.Max() - complexResponses.Min()) / mean < 0.01, string.Join(", ", complexResponses));
        Assert.True(simpleResponses.Min() < -0.9 * mean && simpleResponses.Max() > 0.9 * mean, string.Join(", ", simpleResponses));
    }

    [Fact]
    public void ComplexCell_GradCheck_RandomUpstreamEveryBatchItem()
    {
        var rng = new Rng(5);
        var s0 = Tensor.Uniform(rng, 0.5f, 2f, 3, 2, 4);
        var s1 = Tensor.Uniform(rng, -2f, -0.5f, 3, 2, 4);
        s0.RequiresGrad = s1.RequiresGrad = true;
        var result = GradCheck.Check(t => Gabor.ComplexCell(t[0], t[1]), [s0, s1], rng, epsilon: 1e-3f, absoluteTolerance: 1e-3, relativeTolerance: 1e-3);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void ComplexCell_BackwardTwice_Accumulates_AndZeroEnergyHasZeroGradient()
    {
        var s0 = Tensor.FromArray([3f, 0f], 2);
        var s1 = Tensor.FromArray([4f, 0f], 2);
        s0.RequiresGrad = s1.RequiresGrad = true;
        var c = Gabor.ComplexCell(s0, s1);
        Assert.Equal([5f, 0f], c.ToArray());
        c.Sum().Backward();
        Gabor.ComplexCell(s0, s1).Sum().Backward();
        Assert.Equal([2 * 0.6f, 0f], s0.Grad!.ToArray());
        Assert.Equal([2 * 0.8f, 0f], s1.Grad!.ToArray());
    }

    [Fact]
    public void GaborConv2d_FrozenByDefault_ForwardIsConvWithBank_GradientReachesInput()
    {
        var bank = Gabor.Bank(5, 3, [0.9], [0], 0.2, 0.2);
        var layer = new GaborConv2d(bank, inChannels: 2, padding: 2);
        Assert.True(layer.IsFrozen);
        var x = Tensor.Uniform(new Rng(8), 0, 1, 2, 2, 9, 8);
        x.RequiresGrad = true;
        var y = layer.Forward(x);
        Assert.Equal([2, 3, 9, 8], y.Shape);
        Assert.Equal(Functional.Conv2d(x, bank.ToWeight(2), null, 1, 2).ToArray(), y.ToArray());
        y.Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.Null(layer.Weight.Grad);
        Assert.Contains("frozen", layer.Description, StringComparison.Ordinal);

        var trainable = new GaborConv2d(bank, freeze: false, bias: true);
        Assert.True(trainable.Weight.RequiresGrad && trainable.Bias!.RequiresGrad);
    }

    [Fact]
    public void GaborComplexCell2d_IsRootOfSquaredQuadratureConvolutions()
    {
        var bank = Gabor.Bank(5, 2, [1.1], [0], 0.15, 0.3);
        var layer = new GaborComplexCell2d(bank, padding: 1, stride: 2);
        var x = Tensor.Uniform(new Rng(9), 0, 1, 1, 1, 11, 10);
        var s0 = Functional.Conv2d(x, bank.ToWeight(), null, 2, 1).ToArray();
        var s1 = Functional.Conv2d(x, bank.Quadrature().ToWeight(), null, 2, 1).ToArray();
        var y = layer.Forward(x).ToArray();
        for (int i = 0; i < y.Length; i++) Assert.Equal(MathF.Sqrt(s0[i] * s0[i] + s1[i] * s1[i]), y[i]);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => Gabor.Kernel(new GaborParameters(1, -0.1, 0.1, 1, 0), 5)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => Gabor.Kernel(new GaborParameters(double.NaN, 0.1, 0.1, 1, 0), 5)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => Gabor.Kernel(new GaborParameters(1, 0.1, 0.1, 1, 0), 0)).ParamName);
        Assert.Equal("frequencies", Assert.Throws<ArgumentException>(() => Gabor.Bank(5, 2, [], [0], 0.1, 0.1)).ParamName);
        Assert.Equal("phases", Assert.Throws<ArgumentException>(() => Gabor.Bank(5, 2, [1], [], 0.1, 0.1)).ParamName);
        Assert.Equal("orientations", Assert.Throws<ArgumentOutOfRangeException>(() => Gabor.Bank(5, 0, [1], [0], 0.1, 0.1)).ParamName);
        Assert.Equal("filters", Assert.Throws<ArgumentException>(() => new GaborBank(5, [])).ParamName);
        Assert.Equal("s1", Assert.Throws<ArgumentException>(() => Gabor.ComplexCell(Tensor.Zeros(2), Tensor.Zeros(3))).ParamName);
        Assert.Equal("inChannels", Assert.Throws<ArgumentOutOfRangeException>(() => new GaborConv2d(Gabor.Bank(3, 1, [1], [0], 0.1, 0.1), inChannels: 0)).ParamName);
    }
}
