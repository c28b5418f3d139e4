// Conv1d/Conv2d/Conv3d through Functional: hand-computed values for the chapter's 1-D and 3-D cases,
// the padding rules (valid, same with odd and even kernels, full, per side), padding modes, true
// convolution (flipped kernel, commutative), finite-difference gradient checks over every batch
// item, backward-twice accumulation, the output-size formula and every bad argument.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class ConvTests
{
    private static GradCheckResult Check(Func<Tensor[], Tensor> f, Tensor[] inputs, Rng rng) =>
        GradCheck.Check(f, inputs, rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);

    private static Tensor Signal(params float[] values) => Tensor.FromArray(values, 1, 1, values.Length);

    [Fact]
    public void Conv1d_DifferenceKernel_DetectsEdgesInASignal()
    {
        // The chapter's efficient edge detector in 1-D: each output is a pixel minus its right neighbour.
        var y = Functional.Conv1d(Signal(1, 1, 1, 5, 5, 5, 2), Signal(1, -1));
        Assert.Equal([1, 1, 6], y.Shape);
        Assert.Equal([0f, 0, -4, 0, 0, 3], y.ToArray());
    }

    [Fact]
    public void Conv1d_ValidSameFull_GiveMMinusKPlusOneThenMThenMPlusKMinusOne()
    {
        // m = 6, k = 3: valid 4, same 6, full 8; with ones, each output counts the input samples under the kernel.
        var x = Signal(1, 1, 1, 1, 1, 1);
        var w = Signal(1, 1, 1);
        Assert.Equal([3f, 3, 3, 3], Functional.Conv1d(x, w, padding: "valid").ToArray());
        Assert.Equal([2f, 3, 3, 3, 3, 2], Functional.Conv1d(x, w, padding: "same").ToArray());
        Assert.Equal([1f, 2, 3, 3, 3, 3, 2, 1], Functional.Conv1d(x, w, padding: "full").ToArray());
    }

    [Fact]
    public void Conv1d_SameWithEvenKernel_PutsTheExtraPadAfter()
    {
        // k = 4: 3 pads in total, 1 before and 2 after (PyTorch): y[o] = x[o − 1] + x[o] + x[o + 1] + x[o + 2].
        var y = Functional.Conv1d(Signal(1, 2, 3, 4, 5), Signal(1, 1, 1, 1), padding: "same");
        Assert.Equal([6f, 10, 14, 12, 9], y.ToArray());
    }

    [Fact]
    public void Conv1d_SameWithDilation_PadsHalfTheDilatedSpan()
    {
        // k = 2, d = 3: the span is 4, 3 pads: 1 before, 2 after; y[o] = x[o − 1] + x[o + 2].
        var y = Functional.Conv1d(Signal(1, 2, 3, 4, 5), Signal(1, 1), padding: "same", dilation: 3);
        Assert.Equal([3f, 5, 7, 3, 4], y.ToArray());
    }

    [Fact]
    public void Conv1d_PerSidePadding_EqualsPadThenValidConvolution()
    {
        var rng = new Rng(21);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 9);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3);
        var y = Functional.Conv1d(x, w, stride: 2, padding: ConvPadding.Explicit((0, 3)));
        var expected = Functional.Conv1d(Functional.Pad(x, [0, 3]), w, stride: 2);
        Assert.Equal([2, 4, 5], y.Shape); // (9 + 0 + 3 − 3)/2 + 1
        Assert.Equal(expected.ToArray(), y.ToArray());
    }

    [Fact]
    public void Conv2d_SameWithEvenKernel_KeepsTheSizeAndPadsBelowAndRight()
    {
        // 2×2 ones on a 3×4 ramp: 1 pad in total per axis, after the input: y[p,q] = Σ x[p..p+1, q..q+1].
        var x = Tensor.FromArray([0f, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 1, 1, 3, 4);
        var y = Functional.Conv2d(x, Tensor.Ones(1, 1, 2, 2), padding: "same");
        Assert.Equal([1, 1, 3, 4], y.Shape);
        Assert.Equal([10f, 14, 18, 10, 26, 30, 34, 18, 17, 19, 21, 11], y.ToArray());
    }

    [Fact]
    public void Conv2d_FullPadding_TheChaptersFourByFourWithThreeByThree_IsSixBySix()
    {
        // "Full" zero-pads so every pixel is visited k times: 4×4 with k = 3 gives (4 + 3 − 1)² = 6×6.
        var x = Tensor.FromArray([.. Enumerable.Range(1, 16).Select(v => (float)v)], 1, 1, 4, 4);
        var y = Functional.Conv2d(x, Tensor.Ones(1, 1, 3, 3), padding: "full");
        Assert.Equal([1, 1, 6, 6], y.Shape);
        Assert.Equal(1f, y[0, 0, 0, 0]);             // only pixel 1 under the kernel
        Assert.Equal(1f + 2 + 5 + 6, y[0, 0, 1, 1]); // the top-left 2×2
        Assert.Equal(16f, y[0, 0, 5, 5]);
        Assert.Equal(6f + 7 + 8 + 10 + 11 + 12 + 14 + 15 + 16, y[0, 0, 3, 3]); // a window wholly inside
    }

    [Fact]
    public void Conv2d_PaddingModes_EqualPadInThatModeThenConvolution()
    {
        var rng = new Rng(22);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 7);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 3);
        foreach (var (mode, padMode) in new[] { (PaddingMode.Reflect, PadMode.Reflect), (PaddingMode.Replicate, PadMode.Replicate), (PaddingMode.Circular, PadMode.Circular) })
        {
            var y = Functional.Conv2d(x, w, padding: 2, paddingMode: mode);
            var expected = Functional.Conv2d(Functional.Pad(x, [2, 2, 2, 2], padMode), w);
            Assert.Equal(expected.Shape, y.Shape);
            Assert.Equal(expected.ToArray(), y.ToArray());
        }
    }

    [Fact]
    public void Conv2d_ReflectPadding_ValuesMirrorTheBorder()
    {
        // A 1×3 identity kernel (the middle tap) with reflect padding 1 shows the padded row itself: 2 | 1 2 3 | 2.
        var x = Tensor.FromArray([1f, 2, 3], 1, 1, 1, 3);
        var w = Tensor.FromArray([1f], 1, 1, 1, 1);
        var y = Functional.Conv2d(x, w, padding: ConvPadding.Symmetric(0, 1), paddingMode: PaddingMode.Reflect);
        Assert.Equal([2f, 1, 2, 3, 2], y.ToArray());
        y = Functional.Conv2d(x, w, padding: ConvPadding.Symmetric(0, 2), paddingMode: PaddingMode.Circular);
        Assert.Equal([2f, 3, 1, 2, 3, 1, 2], y.ToArray());
        y = Functional.Conv2d(x, w, padding: ConvPadding.Symmetric(0, 2), paddingMode: PaddingMode.Replicate);
        Assert.Equal([1f, 1, 1, 2, 3, 3, 3], y.ToArray());
    }

    [Fact]
    public void TrueConvolution_EqualsCrossCorrelationWithTheFlippedKernel()
    {
        var rng = new Rng(23);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 6, 5);
        var w = Tensor.Normal(rng, 0f, 1f, 3, 2, 3, 2);
        var flipped = w.Clone();
        for (int k = 0; k < 3; k++)
            for (int c = 0; c < 2; c++)
                for (int r = 0; r < 3; r++)
                    for (int s = 0; s < 2; s++)
                        flipped[k, c, r, s] = w[k, c, 2 - r, 1 - s];
        var y = Functional.Conv2d(x, w, stride: 2, padding: 1, convolutionMode: ConvolutionMode.TrueConvolution);
        Assert.Equal(Functional.Conv2d(x, flipped, stride: 2, padding: 1).ToArray(), y.ToArray());
    }

    [Fact]
    public void TrueConvolution_FullPadding_IsCommutative()
    {
        // The chapter: flipping the kernel makes convolution commutative, (x ∗ w) = (w ∗ x).
        float[] a = [1, 2, 3, 4, 5], b = [2, -1, 3];
        var xw = Functional.Conv1d(Signal(a), Signal(b), padding: "full", convolutionMode: ConvolutionMode.TrueConvolution);
        var wx = Functional.Conv1d(Signal(b), Signal(a), padding: "full", convolutionMode: ConvolutionMode.TrueConvolution);
        Assert.Equal([2f, 3, 7, 11, 15, 7, 15], xw.ToArray()); // polynomial product (1 + 2z + …)(2 − z + 3z²)
        Assert.Equal(xw.ToArray(), wx.ToArray());
        var cross = Functional.Conv1d(Signal(a), Signal(b), padding: "full");
        Assert.NotEqual(xw.ToArray(), cross.ToArray()); // cross-correlation is not commutative
    }

    [Fact]
    public void Conv3d_SmallVolume_MatchesHandComputedSum()
    {
        // A 2×2×2 ones kernel over a 2×2×3 ramp sums 8 neighbours: outputs 0+1+3+4+6+7+9+10 = 40 and 48.
        var x = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(v => (float)v)], 1, 1, 2, 2, 3);
        var y = Functional.Conv3d(x, Tensor.Ones(1, 1, 2, 2, 2), Tensor.FromArray([0.5f], 1));
        Assert.Equal([1, 1, 1, 1, 2], y.Shape);
        Assert.Equal([40.5f, 48.5f], y.ToArray());
    }

    [Fact]
    public void Depthwise_EachChannelSeesOnlyItself()
    {
        // groups = C = 2, one filter per channel: channel 0 is doubled, channel 1 negated.
        var x = Tensor.FromArray([1f, 2, 3, 10, 20, 30], 1, 2, 3);
        var w = Tensor.FromArray([2f, -1f], 2, 1, 1);
        Assert.Equal([2f, 4, 6, -10, -20, -30], Functional.Conv1d(x, w, groups: 2).ToArray());
    }

    [Fact]
    public void Convolution_PerAxisOptions_MatchTheSquareOverloadWhenUniform()
    {
        var rng = new Rng(24);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 4, 9, 8);
        var w = Tensor.Normal(rng, 0f, 1f, 6, 2, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 6);
        var viaOptions = Functional.Convolution(x, w, b, new ConvOptions { Stride = [2, 2], Dilation = [2], Padding = 2, Groups = 2 });
        Assert.Equal(Functional.Conv2d(x, w, b, stride: 2, padding: 2, dilation: 2, groups: 2).ToArray(), viaOptions.ToArray());
        var rect = Functional.Convolution(x, w, b, new ConvOptions { Stride = [1, 3], Dilation = [2, 1], Padding = ConvPadding.Symmetric(0, 1), Groups = 2 });
        Assert.Equal([2, 6, 5, 3], rect.Shape); // (9 − 4 − 1)/1 + 1 = 5, (8 + 2 − 2 − 1)/3 + 1 = 3
    }

    [Fact]
    public void Conv1d_OutputSize_EveryPaddingStrideDilationCombination_FollowsTheFormula()
    {
        foreach (int n in new[] { 1, 2, 5, 7, 10 })
        foreach (int k in new[] { 1, 2, 3, 4 })
        foreach (int s in new[] { 1, 2, 3 })
        foreach (int p in new[] { 0, 1, 2 })
        foreach (int d in new[] { 1, 2, 3 })
        {
            if (n + 2 * p < d * (k - 1) + 1) continue;
            var y = Functional.Conv1d(Tensor.Zeros(1, 1, n), Tensor.Zeros(1, 1, k), stride: s, padding: p, dilation: d);
            Assert.Equal([1, 1, (n + 2 * p - d * (k - 1) - 1) / s + 1], y.Shape);
        }
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void Conv1d_GradCheck_StrideDilationGroupsReflect(int stride, int reflect)
    {
        var rng = new Rng(25);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 4, 11);
        var w = Tensor.Normal(rng, 0f, 0.5f, 6, 2, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 6);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var mode = reflect == 1 ? PaddingMode.Reflect : PaddingMode.Zeros;
        var result = Check(t => Functional.Conv1d(t[0], t[1], t[2], stride, 2, dilation: 2, groups: 2, paddingMode: mode), [x, w, b], rng);
        Assert.True(result.Passed, result.Message);
    }

    [Theory]
    [InlineData(PaddingMode.Zeros, ConvolutionMode.TrueConvolution)]
    [InlineData(PaddingMode.Circular, ConvolutionMode.CrossCorrelation)]
    [InlineData(PaddingMode.Replicate, ConvolutionMode.TrueConvolution)]
    public void Conv2d_GradCheck_SameEvenKernelGroupsModes(PaddingMode paddingMode, ConvolutionMode convolutionMode)
    {
        var rng = new Rng(26);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 4, 6, 5);
        var w = Tensor.Normal(rng, 0f, 0.5f, 4, 2, 2, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 4);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var result = Check(t => Functional.Conv2d(t[0], t[1], t[2], padding: "same", groups: 2, paddingMode: paddingMode, convolutionMode: convolutionMode),
            [x, w, b], rng);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Conv2d_GradCheck_DepthwiseDilatedPerSide()
    {
        var rng = new Rng(27);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 3, 7, 6);
        var w = Tensor.Normal(rng, 0f, 0.5f, 3, 1, 3, 3);
        x.RequiresGrad = w.RequiresGrad = true;
        var result = Check(t => Functional.Conv2d(t[0], t[1], null, stride: 2, padding: ConvPadding.Explicit((0, 2), (1, 0)), dilation: 2, groups: 3),
            [x, w], rng);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Conv3d_GradCheck_StrideReplicateTrueConvolution()
    {
        var rng = new Rng(28);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 4, 5, 4);
        var w = Tensor.Normal(rng, 0f, 0.5f, 3, 2, 2, 3, 2);
        var b = Tensor.Normal(rng, 0f, 1f, 3);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var result = Check(t => Functional.Conv3d(t[0], t[1], t[2], stride: 2, padding: 1, paddingMode: PaddingMode.Replicate,
            convolutionMode: ConvolutionMode.TrueConvolution), [x, w, b], rng);
        Assert.True(result.Passed, result.Message);
    }

    [Theory]
    [InlineData(PaddingMode.Zeros, ConvolutionMode.CrossCorrelation)]
    [InlineData(PaddingMode.Reflect, ConvolutionMode.TrueConvolution)]
    public void Conv3d_BackwardTwice_AccumulatesExactlyTwice(PaddingMode paddingMode, ConvolutionMode convolutionMode)
    {
        var rng = new Rng(29);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 4, 4, 5, 3);
        var w = Tensor.Normal(rng, 0f, 1f, 2, 2, 3, 3, 2);
        var b = Tensor.Normal(rng, 0f, 1f, 2);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        Tensor Run() => Functional.Conv3d(x, w, b, padding: 1, groups: 2, paddingMode: paddingMode, convolutionMode: convolutionMode);
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

    [Fact]
    public void Conv1d_OneVersusTwoThreads_BitIdenticalForwardAndGradients()
    {
        var rng = new Rng(30);
        var x = Tensor.Normal(rng, 0f, 1f, 5, 4, 23);
        var w = Tensor.Normal(rng, 0f, 1f, 6, 2, 4);
        var upstream = Tensor.Normal(rng, 0f, 1f, 5, 6, 23);
        float[][] Run(int threads)
        {
            using (Compute.UseThreads(threads))
            {
                var xi = x.Clone();
                var wi = w.Clone();
                xi.RequiresGrad = wi.RequiresGrad = true;
                var y = Functional.Conv1d(xi, wi, padding: "same", groups: 2, paddingMode: PaddingMode.Circular, convolutionMode: ConvolutionMode.TrueConvolution);
                y.Backward(upstream);
                return [y.ToArray(), xi.Grad!.ToArray(), wi.Grad!.ToArray()];
            }
        }
        var one = Run(1);
        var two = Run(2);
        for (int i = 0; i < one.Length; i++) AssertTensor.BitIdentical(one[i], two[i], $"tensor {i}, 1 vs 2 threads");
    }

    public static TheoryData<string, Func<Tensor>> BadArguments => new()
    {
        { "input", () => Functional.Conv1d(Tensor.Zeros(3, 8), Tensor.Zeros(2, 3, 3)) },
        { "weight", () => Functional.Conv1d(Tensor.Zeros(1, 3, 8), Tensor.Zeros(2, 3)) },
        { "input", () => Functional.Conv3d(Tensor.Zeros(1, 2, 4, 4, 4), Tensor.Zeros(2, 3, 2, 2, 2)) },
        { "groups", () => Functional.Conv1d(Tensor.Zeros(1, 3, 8), Tensor.Zeros(2, 1, 3), groups: 2) },
        { "groups", () => Functional.Conv1d(Tensor.Zeros(1, 4, 8), Tensor.Zeros(3, 2, 3), groups: 2) },
        { "groups", () => Functional.Conv1d(Tensor.Zeros(1, 4, 8), Tensor.Zeros(4, 4, 3), groups: 0) },
        { "input", () => Functional.Conv1d(Tensor.Zeros(1, 4, 8), Tensor.Zeros(4, 1, 3), groups: 2) },
        { "bias", () => Functional.Conv1d(Tensor.Zeros(1, 1, 8), Tensor.Zeros(2, 1, 3), Tensor.Zeros(3)) },
        { "stride", () => Functional.Conv1d(Tensor.Zeros(1, 1, 8), Tensor.Zeros(2, 1, 3), stride: -1) },
        { "dilation", () => Functional.Conv2d(Tensor.Zeros(1, 1, 8, 8), Tensor.Zeros(2, 1, 3, 3), dilation: 0) },
        { "padding", () => Functional.Conv3d(Tensor.Zeros(1, 1, 4, 4, 4), Tensor.Zeros(1, 1, 3, 3, 3), padding: -1) },
        { "padding", () => Functional.Conv2d(Tensor.Zeros(1, 1, 8, 8), Tensor.Zeros(2, 1, 3, 3), stride: 2, padding: "same") },
        { "padding", () => Functional.Conv2d(Tensor.Zeros(1, 1, 8, 8), Tensor.Zeros(2, 1, 3, 3), padding: ConvPadding.Explicit((1, 1), (1, 1), (1, 1))) },
        { "padding", () => Functional.Conv1d(Tensor.Zeros(1, 1, 3), Tensor.Zeros(1, 1, 5), padding: 3, paddingMode: PaddingMode.Reflect) },
        { "padding", () => Functional.Conv1d(Tensor.Zeros(1, 1, 3), Tensor.Zeros(1, 1, 3), padding: 4, paddingMode: PaddingMode.Circular) },
        { "weight", () => Functional.Conv1d(Tensor.Zeros(1, 1, 5), Tensor.Zeros(1, 1, 3), dilation: 3) },
        { "weight", () => Functional.Conv3d(Tensor.Zeros(1, 1, 2, 5, 5), Tensor.Zeros(1, 1, 3, 3, 3)) },
        { "paddingMode", () => Functional.Conv1d(Tensor.Zeros(1, 1, 5), Tensor.Zeros(1, 1, 3), paddingMode: (PaddingMode)7) },
        { "convolutionMode", () => Functional.Conv1d(Tensor.Zeros(1, 1, 5), Tensor.Zeros(1, 1, 3), convolutionMode: (ConvolutionMode)7) },
        { "stride", () => Functional.Convolution(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), null, new ConvOptions { Stride = [1, 1, 1] }) },
        { "input", () => Functional.Convolution(Tensor.Zeros(1, 5), Tensor.Zeros(1, 1, 3), null, new ConvOptions()) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgument_ThrowsArgumentExceptionNamingIt(string parameter, Func<Tensor> call)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void Padding_UnknownRuleName_ThrowsNamingPadding()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv1d(Tensor.Zeros(1, 1, 5), Tensor.Zeros(1, 1, 3), padding: "half"));
        Assert.Equal("padding", ex.ParamName);
        Assert.Contains("\"half\"", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_SameWithStrideTwo_MessageSaysWhy()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 8, 8), Tensor.Zeros(2, 1, 3, 3), stride: 2, padding: "same"));
        Assert.Contains("not supported for strided convolutions", ex.Message, StringComparison.Ordinal);
    }
}
