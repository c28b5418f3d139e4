// The importer's operators against ONNX Runtime as the oracle for the ONNX specification: small
// hand-built graphs exercise the attribute combinations PyTorch's exporter rarely writes (auto_pad
// SAME_UPPER/SAME_LOWER, asymmetric pads, Gemm's alpha/beta/transA, Resize to sizes, negative Slice
// steps, Transpose, Flatten at other axes) and must give ONNX Runtime's outputs. Unsupported attribute
// values are refused naming the node.
using Striate.Autograd;
using Striate.Onnx;
using Striate.Onnx.Proto;
using Striate.Tests.TestSupport;
using static Striate.Tests.Onnx.OnnxAttributes;

namespace Striate.Tests.Onnx;

public sealed class OnnxOperatorTests
{
    private static readonly Dictionary<string, Func<(byte[] Model, int[] Shape)>> Cases = new(StringComparer.Ordinal)
    {
        ["conv_same_upper"] = () => One(new GraphBuilder(1, 2, 7, 6), g => g.Node("Conv", ["x", g.Weight("w", 3, 2, 3, 2), g.Weight("b", 3)], S("auto_pad", "SAME_UPPER"), Is("strides", 2, 2))),
        ["conv_same_lower"] = () => One(new GraphBuilder(1, 2, 7, 6), g => g.Node("Conv", ["x", g.Weight("w", 3, 2, 2, 3)], S("auto_pad", "SAME_LOWER"), Is("strides", 2, 3))),
        ["conv_asymmetric_groups_dilation"] = () => One(new GraphBuilder(2, 4, 8, 7), g => g.Node("Conv", ["x", g.Weight("w", 6, 2, 3, 3), g.Weight("b", 6)],
            Is("pads", 0, 1, 2, 1), I("group", 2), Is("dilations", 2, 1))),
        ["conv_valid_1d"] = () => One(new GraphBuilder(1, 3, 11), g => g.Node("Conv", ["x", g.Weight("w", 2, 3, 4)], S("auto_pad", "VALID"), Is("strides", 3))),
        ["maxpool_asymmetric"] = () => One(new GraphBuilder(1, 3, 7, 8), g => g.Node("MaxPool", ["x"], Is("kernel_shape", 3, 2), Is("strides", 2, 1), Is("pads", 1, 0, 0, 1))),
        ["maxpool_same_upper"] = () => One(new GraphBuilder(1, 2, 7, 7), g => g.Node("MaxPool", ["x"], Is("kernel_shape", 3, 3), Is("strides", 2, 2), S("auto_pad", "SAME_UPPER"))),
        ["avgpool_asymmetric_count_pad"] = () => One(new GraphBuilder(1, 2, 6, 7), g => g.Node("AveragePool", ["x"], Is("kernel_shape", 2, 3), Is("pads", 0, 1, 1, 2), I("count_include_pad", 1))),
        ["avgpool_ceil_exclude_pad"] = () => One(new GraphBuilder(1, 2, 8, 9), g => g.Node("AveragePool", ["x"], Is("kernel_shape", 3, 3), Is("strides", 2, 2), Is("pads", 1, 1, 1, 1), I("ceil_mode", 1))),
        ["lppool_p1"] = () => One(new GraphBuilder(1, 2, 6, 6), g => g.Node("LpPool", ["x"], Is("kernel_shape", 2, 2), Is("strides", 2, 2), I("p", 1))),
        ["gemm_alpha_beta"] = () => One(new GraphBuilder(3, 4), g => g.Node("Gemm", ["x", g.Weight("b", 4, 5), g.Weight("c", 1, 5)], F("alpha", 0.5f), F("beta", 2f))),
        ["gemm_transA"] = () => One(new GraphBuilder(4, 3), g => g.Node("Gemm", ["x", g.Weight("b", 5, 4), g.Weight("c", 5)], I("transA", 1), I("transB", 1))),
        ["matmul_add"] = () => One(new GraphBuilder(2, 3), g => g.Node("Add", [g.Node("MatMul", ["x", g.Weight("w", 3, 4)]), g.Weight("b", 4)])),
        ["flatten_axis2"] = () => One(new GraphBuilder(2, 3, 4, 5), g => g.Node("Flatten", ["x"], I("axis", 2))),
        ["reshape_zero_minus_one"] = () => One(new GraphBuilder(2, 3, 4), g => g.Node("Reshape", ["x", g.Ints("s", 0, -1, 2)])),
        ["softmax_axis1"] = () => One(new GraphBuilder(2, 3, 2, 2), g => g.Node("Softmax", ["x"], I("axis", 1))),
        ["logsoftmax_last"] = () => One(new GraphBuilder(2, 5), g => g.Node("LogSoftmax", ["x"])),
        ["resize_nearest_sizes"] = () => One(new GraphBuilder(1, 2, 3, 4), g => g.Node("Resize", ["x", "", "", g.Ints("sizes", 1, 2, 7, 9)],
            S("mode", "nearest"), S("coordinate_transformation_mode", "asymmetric"), S("nearest_mode", "floor"))),
        ["resize_linear_scales"] = () => One(new GraphBuilder(1, 2, 3, 4), g => g.Node("Resize", ["x", "", g.Floats("scales", 1, 1, 2, 1.5f)], S("mode", "linear"))),
        ["pad_reflect"] = () => One(new GraphBuilder(1, 2, 4, 5), g => g.Node("Pad", ["x", g.Ints("pads", 0, 0, 1, 2, 0, 0, 2, 1)], S("mode", "reflect"))),
        ["pad_edge_constant"] = () => One(new GraphBuilder(1, 2, 4, 5), g => g.Node("Pad", [g.Node("Pad", ["x", g.Ints("p1", 0, 0, 0, 1, 0, 0, 2, 0)], S("mode", "edge")),
            g.Ints("p2", 0, 0, 1, 1, 0, 0, 1, 1), g.Floats("v", 0.25f)])),
        ["slice_negative_step"] = () => One(new GraphBuilder(2, 3, 6), g => g.Node("Slice", ["x", g.Ints("st", -1, 1), g.Ints("en", -7, 3), g.Ints("ax", 2, 1), g.Ints("sp", -2, 1)])),
        ["transpose_then_flatten"] = () => One(new GraphBuilder(2, 3, 2, 2), g => g.Node("Flatten", [g.Node("Transpose", ["x"], Is("perm", 0, 2, 3, 1))])),
        ["convtranspose_groups_output_padding"] = () => One(new GraphBuilder(1, 4, 3, 4), g => g.Node("ConvTranspose", ["x", g.Weight("w", 4, 1, 3, 3), g.Weight("b", 2)],
            Is("strides", 2, 2), Is("pads", 1, 1, 1, 1), Is("output_padding", 1, 0), I("group", 2))),
        ["lrn"] = () => One(new GraphBuilder(1, 6, 3, 3), g => g.Node("LRN", ["x"], I("size", 3), F("alpha", 0.1f), F("beta", 0.6f), F("bias", 1.5f))),
        ["batchnorm"] = () => One(new GraphBuilder(2, 3, 2, 2), g => g.Node("BatchNormalization", ["x", g.Weight("s", 3), g.Weight("b", 3), g.Weight("m", 3), g.Floats("v", 0.5f, 1f, 2f)], F("epsilon", 1e-3f))),
        ["clip_min_only_and_abs"] = () => One(new GraphBuilder(2, 5), g => g.Node("Abs", [g.Node("Clip", ["x", g.Floats("lo", -0.25f)])])),
        ["prelu_per_channel"] = () => One(new GraphBuilder(1, 3, 2, 2), g => g.Node("PRelu", ["x", g.Weight("slope", 3, 1, 1)])),
        ["global_pools_sub_div"] = () => One(new GraphBuilder(2, 3, 4, 5), g => g.Node("Div", [g.Node("Sub", [g.Node("GlobalMaxPool", ["x"]), g.Node("GlobalAveragePool", ["x"])]), g.Floats("two", 2f)])),
        ["shape_gather_concat_reshape"] = () => One(new GraphBuilder(2, 3, 4), g =>
        {
            var batch = g.Node("Gather", [g.Node("Shape", ["x"]), g.Ints("zero", 0)], I("axis", 0));
            var shape = g.Node("Concat", [batch, g.Ints("rest", 4, 3)], I("axis", 0));
            return g.Node("Reshape", ["x", shape]);
        }),
        ["unsqueeze_squeeze_opset11"] = () => One(new GraphBuilder(2, 3), g => g.Node("Squeeze", [g.Node("Unsqueeze", ["x"], Is("axes", 0, 3))], Is("axes", 0)), opset: 11),
        ["constant_of_shape_add"] = () => One(new GraphBuilder(2, 3), g =>
        {
            var value = new AttributeProto { Name = "value", Type = AttributeProto.Types.AttributeType.Tensor, T = OnnxTensorCodec.Encode("", [0.5f], [1]) };
            return g.Node("Add", ["x", g.Node("ConstantOfShape", [g.Ints("shape", 2, 3)], value)]);
        }),
        ["gelu_opset20_tanh"] = () => One(new GraphBuilder(2, 7), g => g.Node("Gelu", ["x"], S("approximate", "tanh")), opset: 20),
        ["gelu_erf_chain_fused"] = () => One(new GraphBuilder(2, 7), g =>
        {
            var erf = g.Node("Erf", [g.Node("Div", ["x", g.Floats("sqrt2", MathF.Sqrt(2f))])]);
            return g.Node("Mul", [g.Floats("half", 0.5f), g.Node("Mul", [g.Node("Add", [g.Floats("one", 1f), erf]), "x"])]);
        }),
        ["erf_standalone"] = () => One(new GraphBuilder(3, 7), g => g.Node("Erf", [g.Node("Mul", ["x", g.Floats("three", 3f)])])),
        ["erf_outside_gelu_chain"] = () => One(new GraphBuilder(2, 5), g =>
        {
            var erf = g.Node("Erf", [g.Node("Div", ["x", g.Floats("sqrt2", MathF.Sqrt(2f))])]);
            var gelu = g.Node("Mul", [g.Node("Mul", ["x", g.Node("Add", [erf, g.Floats("one", 1f)])]), g.Floats("half", 0.5f)]);
            return g.Node("Add", [gelu, erf]);
        }),
        ["activations_chain"] = () => One(new GraphBuilder(2, 6), g => g.Node("Softsign", [g.Node("Softplus", [g.Node("Selu", [g.Node("Elu", [g.Node("LeakyRelu", ["x"], F("alpha", 0.3f))], F("alpha", 0.5f))])])])),
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

    [Fact]
    public void Operator_UnsupportedAttribute_RefusedNamingTheNode()
    {
        var g = new GraphBuilder(1, 2, 4, 4);
        var bytes = g.Build(g.Node("Resize", ["x", "", g.Floats("scales", 1, 1, 2, 2)], S("mode", "cubic")));
        var model = OnnxModel.Load(bytes);
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 2, 4, 4)));
        Assert.Contains("ONNX node 'Resize_0' (Resize)", e.Message, StringComparison.Ordinal);
        Assert.Contains("cubic", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Erf_OutsideTheGeluChain_RunsAsStandaloneErf()
    {
        // The Erf value also feeds a second node, so the chain is not fused into GELU: Div, Erf, Add, Mul, Mul, Add run as they are.
        var g = new GraphBuilder(2, 3);
        var erf = g.Node("Erf", [g.Node("Div", ["x", g.Floats("sqrt2", MathF.Sqrt(2f))])]);
        var gelu = g.Node("Mul", [g.Node("Mul", ["x", g.Node("Add", [erf, g.Floats("one", 1f)])]), g.Floats("half", 0.5f)]);
        var model = OnnxModel.Load(g.Build(g.Node("Add", [gelu, erf])));
        Assert.Equal("7 nodes, opset 13", model.Description);
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 0.3f, 1f, 3f], 2, 3);
        var expected = Functional.Gelu(x).ToArray().Zip(Functional.Erf(x / MathF.Sqrt(2f)).ToArray(), (a, b) => (double)a + b).ToArray();
        AssertTensor.Close(model.Forward(x), [2, 3], expected, Tolerances.OnnxModel, "GELU + erf, unfused");
    }

    [Fact]
    public void Erf_GeluChain_StillFusedIntoOneNode()
    {
        var (bytes, _) = Cases["gelu_erf_chain_fused"]();
        Assert.Equal("2 nodes, opset 13", OnnxModel.Load(bytes).Description); // Gelu and the output Identity
    }

    [Fact]
    public void Operator_ConstantOfShapeHuge_RefusedWithoutAllocating()
    {
        var g = new GraphBuilder(2, 3);
        var bytes = g.Build(g.Node("Add", ["x", g.Node("ConstantOfShape", [g.Ints("shape", 100_000, 100_000)])]));
        var model = OnnxModel.Load(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(2, 3)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
        Assert.Contains("ConstantOfShape", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> HostileCases() => ["pad", "conv_pads", "resize", "convtranspose_stride"];

    [Theory]
    [MemberData(nameof(HostileCases))]
    public void Operator_ImplausibleSizeAttributes_RefusedWithoutAllocating(string which)
    {
        var g = new GraphBuilder(1, 2, 4, 4);
        string output = which switch
        {
            "pad" => g.Node("Pad", ["x", g.Ints("pads", 0, 0, 1 << 30, 0, 0, 0, 1 << 30, 0)]),
            "conv_pads" => g.Node("Conv", ["x", g.Weight("w", 1, 2, 1, 1)], Is("pads", 1 << 20, 1 << 20, 1 << 20, 1 << 20)),
            "resize" => g.Node("Resize", ["x", "", g.Floats("scales", 1, 1, 1e5f, 1e5f)], S("mode", "nearest"), S("coordinate_transformation_mode", "asymmetric"), S("nearest_mode", "floor")),
            _ => g.Node("ConvTranspose", ["x", g.Weight("w", 2, 1, 2, 2)], Is("strides", 1 << 20, 1 << 20)),
        };
        var model = OnnxModel.Load(g.Build(output));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 2, 4, 4)));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, $"{which}: refusing allocated too much");
        Assert.Contains("implausible", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GradCheck_ImportedGraph_InputAndEveryInitializer()
    {
        // Conv (asymmetric pads) → Elu → AveragePool → Flatten → Gemm (α, β, transB = 0) → Softsign → LogSoftmax.
        var g = new GraphBuilder(2, 2, 5, 4);
        var conv = g.Node("Conv", ["x", g.Weight("w", 3, 2, 2, 2), g.Weight("b", 3)], Is("pads", 1, 0, 0, 1));
        var pooled = g.Node("AveragePool", [g.Node("Elu", [conv], F("alpha", 0.7f))], Is("kernel_shape", 2, 2), Is("strides", 1, 2));
        var gemm = g.Node("Gemm", [g.Node("Flatten", [pooled]), g.Weight("fc", 24, 4), g.Weight("c", 4)], F("alpha", 0.5f), F("beta", 1.5f));
        var model = OnnxModel.Load(g.Build(g.Node("LogSoftmax", [g.Node("Softsign", [gemm])], I("axis", 1))));
        model.Eval();
        var x = Tensor.Uniform(new Rng(9), -1f, 1f, 2, 2, 5, 4);
        x.RequiresGrad = true;
        Tensor[] inputs = [x, .. model.Parameters()];
        Assert.Equal(5, inputs.Length);
        var result = GradCheck.Check(t => model.Forward(t[0]), inputs, new Rng(10),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void BatchNormalization_TrainingMode_UsesBatchStatisticsAndUpdatesRunningOnes()
    {
        var g = new GraphBuilder(4, 2, 3);
        var bytes = g.Build(g.Node("BatchNormalization", ["x", g.Floats("s", 1f, 1f), g.Floats("b", 0f, 0f), g.Floats("m", 0.5f, -1f), g.Floats("v", 2f, 3f)],
            F("epsilon", 1e-5f), F("momentum", 0.9f)));
        var model = OnnxModel.Load(bytes);
        Assert.True(model.IsTraining);
        var x = Tensor.Uniform(new Rng(11), -1f, 1f, 4, 2, 3);
        var y = model.Forward(x);
        // Batch statistics: each channel of y has mean 0. Running mean: 0.9·m + 0.1·μ (ONNX momentum 0.9 = PyTorch's 0.1).
        var xs = x.ToArray();
        var ys = y.ToArray();
        var runningMean = model.NamedBuffers().Single(b => b.Key == "m").Value.ToArray();
        for (int c = 0; c < 2; c++)
        {
            var idx = Enumerable.Range(0, 4).SelectMany(n => Enumerable.Range(0, 3).Select(l => n * 6 + c * 3 + l)).ToArray();
            Assert.Equal(0.0, idx.Average(i => (double)ys[i]), 5);
            double mu = idx.Average(i => (double)xs[i]);
            Assert.Equal(0.9 * (c == 0 ? 0.5 : -1.0) + 0.1 * mu, runningMean[c], 5);
        }
    }

    [Fact]
    public void Backward_ThroughImportedGraph_AccumulatesIntoInitializers()
    {
        var g = new GraphBuilder(2, 3, 5, 5);
        var bytes = g.Build(g.Node("Gemm", [g.Node("Flatten", [g.Node("Relu", [g.Node("Conv", ["x", g.Weight("w", 2, 3, 3, 3), g.Weight("b", 2)], Is("pads", 1, 1, 1, 1))])]), g.Weight("fc", 50, 4)]));
        var model = OnnxModel.Load(bytes);
        var x = Tensor.Uniform(new Rng(8), -1f, 1f, 2, 3, 5, 5);
        model.Forward(x).Sum().Backward();
        var first = model.NamedParameters().ToDictionary(p => p.Key, p => p.Value.Grad!.ToArray());
        model.Forward(x).Sum().Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.Contains(first[name], v => v != 0);
            Assert.Equal(first[name].Select(v => 2 * v), p.Grad!.ToArray());
        }
    }
}
