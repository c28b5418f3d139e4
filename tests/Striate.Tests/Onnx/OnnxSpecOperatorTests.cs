// ConvTranspose (asymmetric pads, output_shape, auto_pad), LRN with odd sizes (ONNX Runtime) and even sizes
// (the specification's window, which ONNX Runtime refuses), and Dropout in training and evaluation mode, as the ONNX operator specification
// defines them: ONNX Runtime is the oracle; gradients through the cropped transposed convolution and the
// reversed-channel LRN are checked by finite differences.
using Striate.Autograd;
using Striate.Onnx;
using Striate.Tests.TestSupport;
using static Striate.Tests.Onnx.OnnxAttributes;

namespace Striate.Tests.Onnx;

public sealed class OnnxSpecOperatorTests
{
    private static readonly Dictionary<string, Func<(byte[] Model, int[] Shape)>> Cases = new(StringComparer.Ordinal)
    {
        ["convtranspose_asymmetric_pads"] = () => One(new GraphBuilder(2, 3, 4, 5), g => g.Node("ConvTranspose", ["x", g.Weight("w", 3, 2, 3, 3), g.Weight("b", 2)],
            Is("strides", 2, 2), Is("pads", 0, 1, 2, 0))),
        ["convtranspose_asymmetric_1d_dilation"] = () => One(new GraphBuilder(1, 2, 6), g => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 3, 3)],
            Is("strides", 3), Is("dilations", 2), Is("pads", 3, 1))),
        ["convtranspose_output_shape_odd_total"] = () => One(new GraphBuilder(1, 2, 3, 4), g => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 3, 3, 3), g.Weight("b", 3)],
            Is("strides", 2, 2), Is("output_shape", 6, 8))),
        ["convtranspose_output_shape_output_padding"] = () => One(new GraphBuilder(1, 2, 3), g => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 2, 3), g.Weight("b", 2)],
            Is("strides", 2), Is("output_padding", 1), Is("output_shape", 4))),
        ["convtranspose_same_upper"] = () => One(new GraphBuilder(1, 2, 3, 4), g => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 2, 4, 5), g.Weight("b", 2)],
            Is("strides", 2, 3), S("auto_pad", "SAME_UPPER"))),
        ["convtranspose_same_lower"] = () => One(new GraphBuilder(1, 2, 3, 4), g => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 2, 4, 5), g.Weight("b", 2)],
            Is("strides", 2, 3), S("auto_pad", "SAME_LOWER"))),
        ["convtranspose_same_kernel_below_stride"] = () => One(new GraphBuilder(1, 2, 3, 4), g => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 2, 3, 2), g.Weight("b", 2)],
            Is("strides", 2, 3), S("auto_pad", "SAME_UPPER"))),
        ["convtranspose_valid_groups"] = () => One(new GraphBuilder(1, 4, 3, 3), g => g.Node("ConvTranspose", ["x", g.Weight("w", 4, 1, 2, 3), g.Weight("b", 2)],
            Is("strides", 2, 1), S("auto_pad", "VALID"), I("group", 2))),
        ["convtranspose_3d_asymmetric"] = () => One(new GraphBuilder(1, 1, 2, 3, 3), g => g.Node("ConvTranspose", ["x", g.Weight("w", 1, 2, 2, 2, 3), g.Weight("b", 2)],
            Is("strides", 2, 1, 2), Is("pads", 1, 0, 0, 0, 1, 2))),
        ["lrn_size3"] = () => One(new GraphBuilder(2, 7, 3, 2), g => g.Node("LRN", ["x"], I("size", 3), F("alpha", 0.2f), F("beta", 0.75f), F("bias", 1.5f))),
        ["lrn_size5_wider_than_half_the_channels"] = () => One(new GraphBuilder(2, 4, 5, 1), g => g.Node("LRN", ["x"], I("size", 5), F("alpha", 0.4f), F("beta", 0.75f), F("bias", 1f))),
        ["dropout_opset13_inference"] = () => One(new GraphBuilder(2, 6), g => g.Node("Dropout", ["x", g.FloatScalar("ratio", 0.3f)])),
    };

    private static (byte[], int[]) One(GraphBuilder g, Func<GraphBuilder, string> body, int opset = 13) => OnnxCases.One(g, body, opset);

    public static TheoryData<string> CaseNames() => OnnxCases.Names(Cases);

    [OnnxRuntimeTheory]
    [MemberData(nameof(CaseNames))]
    public void Operator_MatchesOnnxRuntime(string name)
    {
        var (bytes, shape) = Cases[name]();
        OnnxCases.AssertMatchesOnnxRuntime(bytes, shape, name);
    }

    public static TheoryData<string> GradientCases() =>
        ["convtranspose_asymmetric_pads", "convtranspose_output_shape_odd_total", "convtranspose_same_lower", "convtranspose_3d_asymmetric"];

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void GradCheck_InputAndInitializers(string name)
    {
        var (bytes, shape) = Cases[name]();
        var model = OnnxModel.Load(bytes);
        var x = Tensor.Uniform(new Rng(12), -1f, 1f, shape);
        x.RequiresGrad = true;
        Tensor[] inputs = [x, .. model.Parameters()];
        var result = GradCheck.Check(t => model.Forward(t[0]), inputs, new Rng(13),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, $"{name}: {result.Message}");
    }

    [Fact]
    public void ConvTranspose_SymmetricOutputShape_EqualsExplicitPads()
    {
        // output_shape 7 from input 4, stride 2, kernel 3: total = 2·3 + 3 − 7 = 2, pads (1, 1).
        var a = new GraphBuilder(1, 2, 4);
        var byShape = OnnxModel.Load(a.Build(a.Node("ConvTranspose", ["x", a.Weight("w", 2, 3, 3)], Is("strides", 2), Is("output_shape", 7))));
        var b = new GraphBuilder(1, 2, 4);
        var byPads = OnnxModel.Load(b.Build(b.Node("ConvTranspose", ["x", b.Weight("w", 2, 3, 3)], Is("strides", 2), Is("pads", 1, 1))));
        var x = Tensor.Uniform(new Rng(3), -1f, 1f, 1, 2, 4);
        AssertTensor.BitIdentical(byPads.Forward(x).AsSpan(), byShape.Forward(x).AsSpan(), "output_shape vs pads");
    }

    [Fact]
    public void ConvTranspose_OutputShapeWithBatchAndChannels_EqualsSpatialOutputShape()
    {
        // The specification lists spatial sizes only; a leading (N, C) is accepted as some exporters write it.
        var a = new GraphBuilder(1, 2, 3, 4);
        var spatial = OnnxModel.Load(a.Build(a.Node("ConvTranspose", ["x", a.Weight("w", 2, 3, 3, 3)], Is("strides", 2, 3), Is("output_shape", 5, 10))));
        var b = new GraphBuilder(1, 2, 3, 4);
        var full = OnnxModel.Load(b.Build(b.Node("ConvTranspose", ["x", b.Weight("w", 2, 3, 3, 3)], Is("strides", 2, 3), Is("output_shape", 1, 3, 5, 10))));
        var x = Tensor.Uniform(new Rng(4), -1f, 1f, 1, 2, 3, 4);
        var y = spatial.Forward(x);
        Assert.Equal([1, 3, 5, 10], y.Shape);
        AssertTensor.BitIdentical(y.AsSpan(), full.Forward(x).AsSpan(), "output_shape with and without (N, C)");
    }

    [Fact]
    public void ConvTranspose_OutputPaddingNotBelowStrideOrDilation_Refused()
    {
        var g = new GraphBuilder(1, 2, 3);
        var model = OnnxModel.Load(g.Build(g.Node("ConvTranspose", ["x", g.Weight("w", 2, 1, 2)], Is("strides", 1), Is("output_padding", 2))));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 2, 3)));
        Assert.Contains("output_padding", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<int, int> EvenLrnCases() => new() { { 2, 5 }, { 4, 6 }, { 6, 4 }, { 8, 3 } };

    [Theory]
    [MemberData(nameof(EvenLrnCases))]
    public void Lrn_EvenSize_MatchesTheSpecificationsWindow_AndPassesGradients(int size, int channels)
    {
        // ONNX Runtime refuses even sizes, so the oracle is the specification's formula in double:
        // y = x / (bias + α/size · Σ_{i = max(0, c − ⌊(size−1)/2⌋)}^{min(C−1, c + ⌈(size−1)/2⌉)} x_i²)^β.
        const float Alpha = 0.3f, Beta = 0.6f, Bias = 1.2f;
        var g = new GraphBuilder(2, channels, 3, 2);
        var model = OnnxModel.Load(g.Build(g.Node("LRN", ["x"], I("size", size), F("alpha", Alpha), F("beta", Beta), F("bias", Bias))));
        var x = Tensor.Uniform(new Rng(17), -2f, 2f, 2, channels, 3, 2);
        var xs = x.ToArray();
        var expected = new double[xs.Length];
        int before = (size - 1) / 2, after = size / 2; // ⌊(size−1)/2⌋ and ⌈(size−1)/2⌉
        for (int n = 0; n < 2; n++)
        for (int c = 0; c < channels; c++)
        for (int p = 0; p < 6; p++)
        {
            double sum = 0;
            for (int i = Math.Max(0, c - before); i <= Math.Min(channels - 1, c + after); i++) sum += (double)xs[(n * channels + i) * 6 + p] * xs[(n * channels + i) * 6 + p];
            int k = (n * channels + c) * 6 + p;
            expected[k] = xs[k] / Math.Pow(Bias + (double)Alpha / size * sum, Beta);
        }
        AssertTensor.Close(model.Forward(x), [2, channels, 3, 2], expected, Tolerances.OnnxModel, $"LRN size {size}");

        x.RequiresGrad = true;
        var result = GradCheck.Check(t => model.Forward(t[0]), [x], new Rng(18),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void ConvTranspose_UnreachableOutputShape_RefusedNamingTheNode()
    {
        // At most 2·2 + 3 = 7 outputs: 9 would need negative padding (ONNX Runtime refuses it too).
        var g = new GraphBuilder(1, 1, 3);
        var model = OnnxModel.Load(g.Build(g.Node("ConvTranspose", ["x", g.Weight("w", 1, 1, 3)], Is("strides", 2), Is("output_shape", 9))));
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 1, 3)));
        Assert.Contains("ConvTranspose", e.Message, StringComparison.Ordinal);
        Assert.Contains("not reachable", e.Message, StringComparison.Ordinal);
    }

    private static byte[] DropoutGraph(int opset, out int[] shape)
    {
        var g = new GraphBuilder(4, 250);
        shape = g.InputShape;
        string output = opset >= 12
            ? g.Node("Dropout", ["x", g.FloatScalar("ratio", 0.3f)])
            : g.Node("Dropout", ["x"], F("ratio", 0.3f));
        return g.Build(output, opset);
    }

    [Theory]
    [InlineData(13)]
    [InlineData(10)]
    public void Dropout_TrainingMode_DropsAtTheRatioAndScales_EvalModeIsTheIdentity(int opset)
    {
        var bytes = DropoutGraph(opset, out var shape);
        var model = OnnxModel.Load(bytes, new Rng(5));
        Assert.True(model.IsTraining);
        Assert.Empty(model.Parameters()); // the ratio is an operand, not a parameter
        var x = Tensor.Full(1f, shape);
        var y = model.Forward(x).ToArray();
        int dropped = y.Count(v => v == 0f);
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / 0.7f, v, 6));
        // 1,000 elements at p = 0.3: 300 ± 5 standard deviations (√(1000·0.3·0.7) ≈ 14.5).
        Assert.InRange(dropped, 300 - 73, 300 + 73);

        model.Eval();
        Assert.Same(x, model.Forward(x));
    }

    [Fact]
    public void Dropout_SameSeed_SameMasks_AndTheGeneratorIsANamedRandomSource()
    {
        var bytes = DropoutGraph(13, out var shape);
        var x = Tensor.Uniform(new Rng(1), -1f, 1f, shape);
        var a = OnnxModel.Load(bytes, new Rng(9));
        var b = OnnxModel.Load(bytes, new Rng(9));
        Assert.Equal(a.Forward(x).ToArray(), b.Forward(x).ToArray());
        Assert.NotEqual(a.Forward(x).ToArray(), a.Forward(x).ToArray()); // each call draws a new mask
        var source = Assert.Single(a.NamedRandomSources());
        Assert.Equal("", source.Key);
    }

    [Fact]
    public void Dropout_TrainingModeInputFalse_StaysTheIdentity_AndGradientUsesTheMask()
    {
        var g = new GraphBuilder(3, 40);
        var pinned = OnnxModel.Load(g.Build(g.Node("Dropout", ["x", g.FloatScalar("ratio", 0.5f), g.Bool("mode", false)])));
        var x = Tensor.Uniform(new Rng(2), -1f, 1f, 3, 40);
        Assert.Equal(x.ToArray(), pinned.Forward(x).ToArray());

        var h = new GraphBuilder(3, 40);
        var active = OnnxModel.Load(h.Build(h.Node("Dropout", ["x", h.FloatScalar("ratio", 0.5f), h.Bool("mode", true)])), new Rng(4));
        var leaf = x.Clone();
        leaf.RequiresGrad = true;
        var y = active.Forward(leaf);
        y.Sum().Backward();
        // dy/dx is the mask: 0 where dropped, 2 where kept.
        var values = y.ToArray();
        var grads = leaf.Grad!.ToArray();
        for (int i = 0; i < values.Length; i++) Assert.Equal(values[i] == 0f ? 0f : 2f, grads[i]);
        Assert.Contains(grads, v => v == 0f);
    }
}
