// Transposed convolution through Functional: the chapter's "transpose of the convolution matrix"
// (the adjoint identity ⟨conv(a), b⟩ = ⟨a, convT(b)⟩ and the equality with conv's input gradient),
// hand-computed upsampling, the output-size formula, gradient checks over every batch item,
// backward-twice accumulation and bad arguments.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class ConvTransposeTests
{
    [Fact]
    public void ConvTranspose1d_StrideTwo_StampsTheKernelAtEveryOtherPosition()
    {
        // x = (1, 2), w = (1, 1, 1), stride 2: 1·w at 0..2 and 2·w at 2..4 overlap at 2: (1, 1, 3, 2, 2).
        var y = Functional.ConvTranspose1d(Tensor.FromArray([1f, 2], 1, 1, 2), Tensor.FromArray([1f, 1, 1], 1, 1, 3), stride: 2);
        Assert.Equal([1, 1, 5], y.Shape);
        Assert.Equal([1f, 1, 3, 2, 2], y.ToArray());
        // padding 1 removes one output at each end; output padding 1 adds one at the end.
        var cropped = Functional.ConvTranspose1d(Tensor.FromArray([1f, 2], 1, 1, 2), Tensor.FromArray([1f, 1, 1], 1, 1, 3), stride: 2, padding: 1, outputPadding: 1);
        Assert.Equal([1f, 3, 2, 2], cropped.ToArray());
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 1, 1)]
    [InlineData(2, 2, 1, 1, 1, 1)]
    [InlineData(3, 3, 2, 2, 2, 2)]
    [InlineData(2, 2, 0, 1, 2, 1)]
    [InlineData(2, 3, 2, 0, 1, 3)]
    public void ConvTranspose2d_IsTheAdjointOfConv2d(int stride, int kernel, int padding, int outputPadding, int dilation, int groups)
    {
        // ⟨conv(a, w), b⟩ = ⟨a, convT(b, w)⟩ for every a, b: convT multiplies by the transpose of conv's matrix.
        var rng = new Rng(71);
        int c = 3 * groups, k = 2 * groups;
        var w = Tensor.Normal(rng, 0f, 1f, k, c / groups, kernel, kernel);
        var b = Tensor.Normal(rng, 0f, 1f, 2, k, 4, 3);
        var convT = Functional.ConvTranspose2d(b, w, null, stride, padding, outputPadding, groups, dilation);
        var a = Tensor.Normal(rng, 0f, 1f, [.. convT.Shape]);
        var conv = Functional.Conv2d(a, w, null, stride, padding, dilation, groups);
        Assert.Equal(b.Shape, conv.Shape);
        double left = conv.ToArray().Zip(b.ToArray(), (p, q) => (double)p * q).Sum();
        double right = a.ToArray().Zip(convT.ToArray(), (p, q) => (double)p * q).Sum();
        Assert.True(Math.Abs(left - right) <= 1e-4 * (1 + Math.Abs(left)), $"⟨conv(a), b⟩ = {left}, ⟨a, convT(b)⟩ = {right}");
    }

    [Fact]
    public void ConvTranspose_EqualsTheInputGradientOfTheConvolution()
    {
        // convT(dy, w) is exactly what conv's backward sends to its input. The 8 rows map onto 4 at stride 2
        // and so would 7: output padding 1 picks 8 on the way back.
        var rng = new Rng(72);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 4, 8, 7);
        var w = Tensor.Normal(rng, 0f, 1f, 6, 2, 3, 3);
        x.RequiresGrad = true;
        var y = Functional.Conv2d(x, w, stride: 2, padding: 1, groups: 2);
        var dy = Tensor.Normal(rng, 0f, 1f, [.. y.Shape]);
        y.Backward(dy);
        var viaTranspose = Functional.ConvTranspose(dy, w, null, new ConvTransposeOptions { Stride = [2], Padding = [1], OutputPadding = [1, 0], Groups = 2 });
        Assert.Equal(x.Shape, viaTranspose.Shape);
        AssertTensor.BitIdentical(x.Grad!.AsSpan(), viaTranspose.AsSpan(), "conv input gradient vs transposed convolution");
    }

    [Fact]
    public void ConvTranspose_OutputSize_EveryCombination_FollowsTheFormula()
    {
        foreach (int n in new[] { 1, 2, 5 })
        foreach (int k in new[] { 1, 2, 3 })
        foreach (int s in new[] { 1, 2, 3 })
        foreach (int p in new[] { 0, 1, 2 })
        foreach (int d in new[] { 1, 2 })
        for (int op = 0; op < Math.Max(s, d); op++)
        {
            int expected = (n - 1) * s - 2 * p + d * (k - 1) + op + 1;
            if (expected < 1) continue;
            var y = Functional.ConvTranspose1d(Tensor.Zeros(1, 1, n), Tensor.Zeros(1, 2, k), null, s, p, op, 1, d);
            Assert.Equal([1, 2, expected], y.Shape);
        }
    }

    [Fact]
    public void ConvTranspose_PerAxisOptions_MatchTheSquareFunctionWhenUniform()
    {
        var rng = new Rng(73);
        var x = Tensor.Normal(rng, 0f, 1f, 1, 2, 3, 4, 3);
        var w = Tensor.Normal(rng, 0f, 1f, 2, 3, 2, 2, 2);
        var b = Tensor.Normal(rng, 0f, 1f, 3);
        var viaOptions = Functional.ConvTranspose(x, w, b, new ConvTransposeOptions { Stride = [2], Padding = [1, 1, 1], OutputPadding = [1] });
        Assert.Equal(Functional.ConvTranspose3d(x, w, b, 2, 1, 1).ToArray(), viaOptions.ToArray());
        var rect = Functional.ConvTranspose(x, w, b, new ConvTransposeOptions { Stride = [1, 2, 3], Padding = [0, 1, 0], Dilation = [2, 1, 1] });
        Assert.Equal([1, 3, 5, 6, 8], rect.Shape); // (3−1)·1 + 2 + 1, (4−1)·2 − 2 + 1 + 1, (3−1)·3 + 1 + 1
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ConvTranspose_GradCheck_StridePaddingOutputPaddingGroups(int dims)
    {
        var rng = new Rng((ulong)(74 + dims));
        int[] spatial = dims switch { 1 => [5], 2 => [3, 4], _ => [2, 3, 2] };
        int[] kernel = dims switch { 1 => [3], 2 => [3, 2], _ => [2, 2, 3] };
        var x = Tensor.Normal(rng, 0f, 1f, [3, 4, .. spatial]);
        var w = Tensor.Normal(rng, 0f, 0.5f, [4, 3, .. kernel]);
        var b = Tensor.Normal(rng, 0f, 1f, 6);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var options = new ConvTransposeOptions { Stride = [2], Padding = [1], OutputPadding = [1], Groups = 2 };
        var result = GradCheck.Check(t => Functional.ConvTranspose(t[0], t[1], t[2], options), [x, w, b], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void ConvTranspose2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(78);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 4, 4);
        var w = Tensor.Normal(rng, 0f, 1f, 3, 2, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 2);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        Tensor Run() => Functional.ConvTranspose2d(x, w, b, stride: 2, padding: 1, outputPadding: 1, dilation: 2);
        var upstream = Tensor.Normal(rng, 0f, 1f, [.. Run().Shape]);
        Run().Backward(upstream);
        float[][] once = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        Run().Backward(upstream);
        float[][] twice = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        for (int t = 0; t < 3; t++)
        {
            Assert.Contains(once[t], v => v != 0f);
            Assert.Equal(once[t].Select(v => 2f * v).ToArray(), twice[t]);
        }
    }

    public static TheoryData<string, Func<Tensor>> BadArguments => new()
    {
        { "input", () => Functional.ConvTranspose2d(Tensor.Zeros(2, 4, 4), Tensor.Zeros(2, 3, 3, 3)) },
        { "weight", () => Functional.ConvTranspose2d(Tensor.Zeros(1, 2, 4, 4), Tensor.Zeros(2, 3, 3)) },
        { "input", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 3, 4), Tensor.Zeros(2, 3, 3)) },
        { "groups", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 3, 4), Tensor.Zeros(3, 1, 3), groups: 2) },
        { "groups", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 3, 4), Tensor.Zeros(3, 1, 3), groups: 0) },
        { "bias", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 4, 4), Tensor.Zeros(4, 3, 3), Tensor.Zeros(3), groups: 2) },
        { "stride", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 1, 4), Tensor.Zeros(1, 1, 3), stride: 0) },
        { "padding", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 1, 4), Tensor.Zeros(1, 1, 3), padding: -1) },
        { "padding", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 1, 2), Tensor.Zeros(1, 1, 3), padding: 2) },
        { "outputPadding", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 1, 4), Tensor.Zeros(1, 1, 3), stride: 2, outputPadding: 2) },
        { "outputPadding", () => Functional.ConvTranspose1d(Tensor.Zeros(1, 1, 4), Tensor.Zeros(1, 1, 3), outputPadding: -1) },
        { "dilation", () => Functional.ConvTranspose3d(Tensor.Zeros(1, 1, 2, 2, 2), Tensor.Zeros(1, 1, 2, 2, 2), dilation: 0) },
        { "stride", () => Functional.ConvTranspose(Tensor.Zeros(1, 1, 4, 4), Tensor.Zeros(1, 1, 3, 3), null, new ConvTransposeOptions { Stride = [1, 2, 3] }) },
        { "input", () => Functional.ConvTranspose(Tensor.Zeros(1, 4), Tensor.Zeros(1, 1, 3), null, new ConvTransposeOptions()) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgument_ThrowsArgumentExceptionNamingIt(string parameter, Func<Tensor> call)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.Equal(parameter, ex.ParamName);
    }
}
