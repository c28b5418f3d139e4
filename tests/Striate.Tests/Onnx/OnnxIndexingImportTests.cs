// Float Transpose, Slice and Gather in imported graphs run through Striate's differentiable indexing ops
// (Functional.Permute, Slice, IndexSelect): gradients reach the graph input and the initializers through
// them (finite differences, and the same graph written with Striate ops gives bit-identical gradients),
// and hand-built graphs covering ONNX's slice clamping, negative steps, multi-axis slices and N-D gather
// indices give ONNX Runtime's outputs.
using Striate.Autograd;
using Striate.Layers;
using Striate.Onnx;
using Striate.Tests.TestSupport;
using static Striate.Tests.Onnx.OnnxAttributes;

namespace Striate.Tests.Onnx;

public sealed class OnnxIndexingImportTests
{
    /// <summary>x (2, 4, 5, 6) → Conv(w) → Transpose(0, 2, 3, 1) → Slice rows 1:-1, columns ::2 → Gather channels (2, 0, 2) → Gemm with a transposed initializer.</summary>
    private static (byte[] Bytes, int[] Shape) IndexingGraph()
    {
        var g = new GraphBuilder(2, 4, 5, 6);
        var conv = g.Node("Conv", ["x", g.Weight("w", 3, 4, 1, 1), g.Weight("b", 3)]);               // (2, 3, 5, 6)
        var nhwc = g.Node("Transpose", [conv], Is("perm", 0, 2, 3, 1));                              // (2, 5, 6, 3)
        var sliced = g.Node("Slice", [nhwc, g.Ints("st", 1, 0), g.Ints("en", -1, long.MaxValue), g.Ints("ax", 1, 2), g.Ints("sp", 1, 2)]); // (2, 3, 3, 3)
        var picked = g.Node("Gather", [sliced, g.Ints("idx", 2, 0, 2)], I("axis", 3));                 // (2, 3, 3, 3)
        var flat = g.Node("Flatten", [picked]);                                                       // (2, 27)
        var wt = g.Node("Transpose", [g.Weight("fc", 4, 27)]);                                        // (27, 4), a gradient-carrying initializer
        return (g.Build(g.Node("MatMul", [flat, wt])), g.InputShape);
    }

    [Fact]
    public void GradCheck_ThroughTransposeSliceGather_InputAndEveryInitializer()
    {
        var (bytes, shape) = IndexingGraph();
        var model = OnnxModel.Load(bytes);
        var x = Tensor.Uniform(new Rng(21), -1f, 1f, shape);
        x.RequiresGrad = true;
        Tensor[] inputs = [x, .. model.Parameters()];
        Assert.Equal(4, inputs.Length); // x, w, b, fc
        var result = GradCheck.Check(t => model.Forward(t[0]), inputs, new Rng(22),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Gradients_EqualTheSameGraphWrittenWithStriateOps()
    {
        var (bytes, shape) = IndexingGraph();
        var model = OnnxModel.Load(bytes);
        var p = model.NamedParameters().ToDictionary(kv => kv.Key, kv => kv.Value);
        var x = Tensor.Uniform(new Rng(23), -1f, 1f, shape);
        var upstream = Tensor.Uniform(new Rng(24), -1f, 1f, 2, 4);
        model.Forward(x).Backward(upstream);
        var imported = p.ToDictionary(kv => kv.Key, kv => kv.Value.Grad!.ToArray());

        var copies = p.ToDictionary(kv => kv.Key, kv => { var c = kv.Value.Clone(); c.RequiresGrad = true; return c; });
        var conv = Functional.Convolution(x, copies["w"], copies["b"], new ConvOptions { Stride = [1, 1], Dilation = [1, 1], Groups = 1, Padding = ConvPadding.Explicit(new (int, int)[2]) });
        var nhwc = Functional.Permute(conv, 0, 2, 3, 1);
        var sliced = Functional.Slice(Functional.Slice(nhwc, 1, 1, -1), 2, 0, int.MaxValue, 2);
        var picked = Functional.IndexSelect(sliced, 3, [2, 0, 2]);
        var y = Functional.MatMul(picked.Reshape(2, 27), Functional.Permute(copies["fc"], 1, 0));
        y.Backward(upstream);
        foreach (var (name, grad) in imported)
        {
            Assert.Contains(grad, v => v != 0f);
            AssertTensor.BitIdentical(copies[name].Grad!.AsSpan(), grad, $"gradient of {name}");
        }
    }

    [Fact]
    public void FineTune_GraphWithIndexing_LossFalls()
    {
        var (bytes, shape) = IndexingGraph();
        var model = OnnxModel.Load(bytes);
        var x = Tensor.Uniform(new Rng(25), -1f, 1f, shape);
        var optimizer = new Striate.Training.Sgd(model.Parameters(), lr: 0.1f);
        float first = 0, last = 0;
        for (int step = 0; step < 10; step++)
        {
            model.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(x), [1, 3]);
            loss.Backward();
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first * 0.7f, $"loss {first} → {last}");
    }

    private static readonly Dictionary<string, Func<(byte[] Model, int[] Shape)>> Cases = new(StringComparer.Ordinal)
    {
        ["transpose_default_perm"] = () => One(new GraphBuilder(2, 3, 4), g => g.Node("Transpose", ["x"])),
        ["transpose_channel_shuffle"] = () => One(new GraphBuilder(1, 6, 2, 3), g =>
            g.Node("Reshape", [g.Node("Transpose", [g.Node("Reshape", ["x", g.Ints("s1", 1, 2, 3, 2, 3)])], Is("perm", 0, 2, 1, 3, 4)), g.Ints("s2", 1, 6, 2, 3)])),
        ["slice_multi_axis_steps"] = () => One(new GraphBuilder(2, 5, 7, 6), g => g.Node("Slice", ["x", g.Ints("st", 1, -6, 0), g.Ints("en", 4, 100, -1), g.Ints("ax", 1, 2, -1), g.Ints("sp", 2, 3, 2)])),
        ["slice_negative_step_clamps_start"] = () => One(new GraphBuilder(2, 6), g => g.Node("Slice", ["x", g.Ints("st", -10), g.Ints("en", long.MinValue), g.Ints("ax", 1), g.Ints("sp", -1)])),
        ["slice_negative_step_whole"] = () => One(new GraphBuilder(2, 3, 5), g => g.Node("Slice", ["x", g.Ints("st", long.MaxValue), g.Ints("en", long.MinValue), g.Ints("ax", 2), g.Ints("sp", -2)])),
        ["slice_opset9_attributes"] = () => One(new GraphBuilder(3, 4, 5), g => g.Node("Slice", ["x"], Is("starts", 1, -4), Is("ends", 3, -1), Is("axes", 0, 2)), opset: 9),
        ["gather_2d_indices"] = () => One(new GraphBuilder(2, 5, 3), g => g.Node("Gather", ["x", g.Ints2d("idx", [2, 2], 4, -1, 0, 1)], I("axis", 1))),
        ["gather_scalar_index"] = () => One(new GraphBuilder(2, 5, 3), g => g.Node("Gather", ["x", g.IntScalar("i", -2)], I("axis", 2))),
        ["gemm_transA_activation"] = () => One(new GraphBuilder(4, 3), g => g.Node("Gemm", [g.Node("Tanh", ["x"]), g.Weight("b", 4, 5)], I("transA", 1))),
    };

    private static (byte[], int[]) One(GraphBuilder g, Func<GraphBuilder, string> body, int opset = 13) => OnnxCases.One(g, body, opset);

    public static TheoryData<string> CaseNames() => OnnxCases.Names(Cases);

    [OnnxRuntimeTheory]
    [MemberData(nameof(CaseNames))]
    public void Indexing_MatchesOnnxRuntime_AndPassesGradients(string name)
    {
        var (bytes, shape) = Cases[name]();
        var x = Tensor.Uniform(new Rng(7), -1f, 1f, shape);
        var model = OnnxModel.Load(bytes);
        var leaf = x.Clone();
        leaf.RequiresGrad = true;
        var y = model.Forward(leaf);
        var ort = OnnxRuntimePeer.RunBytes(bytes, name, x)["y"];
        Assert.Equal(ort.Shape, y.Shape);
        AssertTensor.Close(y.AsSpan(), [.. ort.Values.Select(v => (double)v)], ort.Shape, Tolerances.OnnxModel, $"{name}: Striate vs ONNX Runtime");
        if (y.Length == 0) return;
        y.Sum().Backward();
        Assert.NotNull(leaf.Grad);
        Assert.Contains(leaf.Grad!.ToArray(), v => v != 0f);
    }
}
