// Functional.Upsample: hand-computed values, output sizes ⌊in · factor⌋, finite-difference gradients
// in every mode, accumulation, and argument errors that name the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class UpsampleTests
{
    [Fact]
    public void Upsample_Nearest2x_RepeatsEachPixelInA2x2Block()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);
        var y = Functional.Upsample(x, scaleFactor: [2]);
        Assert.Equal([1, 1, 4, 4], y.Shape);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], y.ToArray());
    }

    [Fact]
    public void Upsample_Nearest2x_GradientSumsEachBlock()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);
        x.RequiresGrad = true;
        Functional.Upsample(x, scaleFactor: [2]).Backward(Tensor.FromArray([.. Enumerable.Range(0, 16).Select(i => (float)i)], 1, 1, 4, 4));
        // Block sums: (0+1+4+5), (2+3+6+7), (8+9+12+13), (10+11+14+15).
        Assert.Equal([10f, 18, 42, 50], x.Grad!.ToArray());
    }

    [Fact]
    public void Upsample_Linear_HalfPixelCentresVersusAlignedCorners()
    {
        var x = Tensor.FromArray([0f, 4], 1, 1, 2);
        // Half-pixel centres: src = (o + ½)/2 − ½ → 0 (clamped), ¼, ¾, 1¼ (clamped to the last sample).
        Assert.Equal([0f, 1, 3, 4], Functional.Upsample(x, size: [4], mode: UpsampleMode.Linear).ToArray());
        // Aligned corners: src = o/3 → 0, 4/3, 8/3, 4.
        var aligned = Functional.Upsample(x, size: [4], mode: UpsampleMode.Linear, alignCorners: true).ToArray();
        Assert.Equal(0f, aligned[0]);
        Assert.Equal(4f / 3f, aligned[1], 6);
        Assert.Equal(8f / 3f, aligned[2], 6);
        Assert.Equal(4f, aligned[3]);
    }

    [Fact]
    public void Upsample_Bilinear_ConstantStaysConstantAndLinearRampStaysLinear()
    {
        var constant = Functional.Upsample(Tensor.Full(2.5f, 1, 2, 3, 4), size: [7, 9], mode: UpsampleMode.Bilinear);
        Assert.All(constant.ToArray(), v => Assert.Equal(2.5f, v, 6));
        // f(h, w) = h + 10w sampled on 3×4, aligned corners to 5×7: exact on the finer grid, f(h·2/4, w·3/6).
        var ramp = Tensor.Zeros(1, 1, 3, 4);
        for (int h = 0; h < 3; h++) for (int w = 0; w < 4; w++) ramp[0, 0, h, w] = h + 10 * w;
        var y = Functional.Upsample(ramp, size: [5, 7], mode: UpsampleMode.Bilinear, alignCorners: true);
        for (int h = 0; h < 5; h++) for (int w = 0; w < 7; w++) Assert.Equal(h * 0.5f + 10 * w * 0.5f, y[0, 0, h, w], 4);
    }

    [Theory]
    [InlineData(5, 2.0, 10)]
    [InlineData(5, 1.7, 8)]
    [InlineData(4, 1.5, 6)]
    [InlineData(7, 0.5, 3)]
    [InlineData(3, 1.0, 3)]
    public void Upsample_ScaleFactor_OutputIsFloorOfInputTimesFactor(int size, double factor, int expected)
    {
        Assert.Equal([1, 1, expected], Functional.Upsample(Tensor.Zeros(1, 1, size), scaleFactor: [factor]).Shape);
        Assert.Equal([1, 1, expected, expected], Functional.Upsample(Tensor.Zeros(1, 1, size, size), scaleFactor: [factor], mode: UpsampleMode.Bilinear).Shape);
        Assert.Equal([1, 1, expected, 2 * size, expected], Functional.Upsample(Tensor.Zeros(1, 1, size, size, size), scaleFactor: [factor, 2, factor]).Shape);
    }

    public static TheoryData<int[], int[]?, double[]?, UpsampleMode, bool> GradCases => new()
    {
        { [3, 2, 5], null, [2.0], UpsampleMode.Nearest, false },
        { [2, 2, 3, 4], [5, 7], null, UpsampleMode.Nearest, false },
        { [2, 1, 2, 3, 2], null, [2.0], UpsampleMode.Nearest, false },
        { [3, 2, 5], null, [1.7], UpsampleMode.Linear, false },
        { [3, 2, 5], [9], null, UpsampleMode.Linear, true },
        { [2, 2, 3, 4], null, [2.0, 1.5], UpsampleMode.Bilinear, false },
        { [2, 2, 4, 5], [3, 7], null, UpsampleMode.Bilinear, true },
        { [2, 1, 2, 3, 2], [3, 4, 5], null, UpsampleMode.Trilinear, false },
        { [2, 1, 2, 3, 2], null, [2.0], UpsampleMode.Trilinear, true },
    };

    [Theory]
    [MemberData(nameof(GradCases))]
    public void Upsample_GradCheck_EveryMode(int[] shape, int[]? size, double[]? scale, UpsampleMode mode, bool align)
    {
        var rng = new Rng(51);
        var x = Tensor.Normal(rng, 0f, 1f, shape);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.Upsample(t[0], size, scale, mode, align), [x], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Upsample_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(52);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 4, 5);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 7);
        Functional.Upsample(x, size: [6, 7], mode: UpsampleMode.Bilinear).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.Upsample(x, size: [6, 7], mode: UpsampleMode.Bilinear).Backward(upstream);
        Assert.Contains(once, v => v != 0f);
        Assert.Equal(once.Select(v => 2 * v), x.Grad!.ToArray());
    }

    [Fact]
    public void Upsample_BadArguments_ThrowNamingTheParameter()
    {
        var x = Tensor.Zeros(1, 2, 3, 4);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.Upsample(Tensor.Zeros(3, 4), scaleFactor: [2])).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.Upsample(Tensor.Zeros(1, 1, 0, 4), size: [2, 2])).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => Functional.Upsample(x)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, [4, 4], [2])).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, size: [4, 4, 4])).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, size: [0, 4])).ParamName);
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [2, 2, 2])).ParamName);
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [-1])).ParamName);
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [double.NaN])).ParamName);
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [0.1])).ParamName);
        var mode = Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [2], mode: UpsampleMode.Linear));
        Assert.Equal("mode", mode.ParamName);
        Assert.Contains("Bilinear", mode.Message, StringComparison.Ordinal);
        Assert.Equal("mode", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [2], mode: UpsampleMode.Trilinear)).ParamName);
        Assert.Equal("alignCorners", Assert.Throws<ArgumentException>(() => Functional.Upsample(x, scaleFactor: [2], alignCorners: true)).ParamName);
    }

    [Fact]
    public void Upsample_UnderNoGrad_RecordsNothing()
    {
        var x = Tensor.Ones(1, 1, 2);
        x.RequiresGrad = true;
        using (GradMode.NoGrad()) Assert.Null(Functional.Upsample(x, scaleFactor: [2]).GradFn);
        Assert.Equal("Upsample", Functional.Upsample(x, scaleFactor: [2]).GradFn!.Name);
    }
}
