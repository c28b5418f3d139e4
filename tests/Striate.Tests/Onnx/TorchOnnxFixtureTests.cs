// ONNX import against PyTorch: models exported by torch.onnx.export (Fixtures/generate_onnx.py) load
// into OnnxModel and reproduce PyTorch's float64 outputs; initializers become trainable parameters.
using System.Text.Json;
using Striate.Autograd;
using Striate.Onnx;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Onnx;

public sealed class TorchOnnxFixtureTests
{
    internal sealed record OnnxCase(string Name, string File, int Opset, int[] InputShape, float[] Input, int[] OutputShape, double[] Output)
    {
        public string Path => System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", File);

        public Tensor InputTensor() => Tensor.FromArray((float[])Input.Clone(), InputShape);
    }

    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "onnx_models.json"))));

    internal static IReadOnlyList<OnnxCase> Cases() =>
    [
        .. Document.Value.RootElement.GetProperty("cases").EnumerateArray().Select(c => new OnnxCase(
            c.GetProperty("name").GetString()!, c.GetProperty("file").GetString()!, c.GetProperty("opset").GetInt32(),
            Fixture.ReadInts(c.GetProperty("input").GetProperty("shape")), Fixture.ReadFloats(c.GetProperty("input").GetProperty("values")),
            Fixture.ReadInts(c.GetProperty("output").GetProperty("shape")), Fixture.ReadDoubles(c.GetProperty("output").GetProperty("values")))),
    ];

    internal static OnnxCase Case(string name) => Cases().First(c => c.Name == name);

    /// <summary>torchvision state_dict names and shapes per architecture, from the generator.</summary>
    internal static IReadOnlyList<(string Name, int[] Shape)> TorchvisionNames(string arch) =>
    [
        .. Document.Value.RootElement.GetProperty("torchvision_names").GetProperty(arch).EnumerateArray()
            .Select(e => (e[0].GetString()!, Fixture.ReadInts(e[1]))),
    ];

    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases()) data.Add(c.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Load_TorchExport_ReproducesTorchOutput(string name)
    {
        var c = Case(name);
        var model = OnnxModel.Load(c.Path);
        model.Eval();
        Assert.Equal("pytorch", model.ProducerName);
        Assert.Equal(c.Opset, model.Opset);
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(c.InputTensor());
        AssertTensor.Close(y, c.OutputShape, c.Output, Tolerances.OnnxModel, $"ONNX {name}");
    }

    [Fact]
    public void Load_DynamicBatch_RunsOtherBatchSizes()
    {
        var c = Case("lenet");
        var model = OnnxModel.Load(c.Path);
        model.Eval();
        // The second image of the batch alone must give the second row of the batch's output.
        int per = c.Input.Length / c.InputShape[0];
        var second = Tensor.FromArray(c.Input[per..], [1, .. c.InputShape[1..]]);
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(second);
        int classes = c.OutputShape[1];
        AssertTensor.Close(y, [1, classes], c.Output[classes..], Tolerances.OnnxModel, "lenet, batch of one");
    }

    [Fact]
    public void Load_Initializers_BecomeNamedParametersAndBuffers()
    {
        var model = OnnxModel.Load(Case("norms").Path);
        var names = model.NamedParameters().Select(p => p.Key).ToList();
        // PyTorch folds the eval-mode Conv + BatchNorm2d into one Conv with generated names ("onnx::Conv_22").
        Assert.Contains(names, n => n.StartsWith("onnx::Conv_", StringComparison.Ordinal));
        Assert.Contains("bn1.weight", names);
        Assert.Contains("fc.bias", names);
        var buffers = model.NamedBuffers().Select(b => b.Key).ToList();
        Assert.Equal(["bn1.running_mean", "bn1.running_var"], buffers);
        Assert.DoesNotContain("bn1.running_mean", names);
        Assert.All(model.Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void FineTune_ImportedLeNet_LossFallsAndEveryParameterGetsAGradient()
    {
        var c = Case("lenet");
        var model = OnnxModel.Load(c.Path);
        var x = c.InputTensor();
        int[] targets = [3, 7];
        var optimizer = new Striate.Training.Sgd(model.Parameters(), lr: 0.05f);
        float first = 0, last = 0;
        for (int step = 0; step < 8; step++)
        {
            model.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(x), targets);
            loss.Backward();
            if (step == 0)
                foreach (var (name, p) in model.NamedParameters())
                    Assert.True(p.Grad is not null && p.Grad.ToArray().Any(g => g != 0), $"parameter {name} got no gradient");
            optimizer.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first * 0.5f, $"fine-tuning the imported LeNet did not lower the loss: {first} → {last}");
    }

    [Fact]
    public void Save_AfterChangingWeights_ReloadsWithTheNewWeights()
    {
        var c = Case("inception");
        var model = OnnxModel.Load(c.Path);
        model.Eval();
        foreach (var p in model.Parameters())
        {
            var span = p.AsSpan();
            for (int i = 0; i < span.Length; i++) span[i] *= 1.5f;
        }
        Tensor expected;
        using (GradMode.NoGrad()) expected = model.Forward(c.InputTensor());
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"striate-resave-{Guid.NewGuid():N}.onnx");
        try
        {
            model.Save(path);
            var reloaded = OnnxModel.Load(path);
            reloaded.Eval();
            Assert.Equal(model.NamedParameters().Select(p => p.Key), reloaded.NamedParameters().Select(p => p.Key));
            Tensor y;
            using (GradMode.NoGrad()) y = reloaded.Forward(c.InputTensor());
            AssertTensor.BitIdentical(expected.AsSpan(), y.AsSpan(), "re-saved ONNX model");
            Assert.NotEqual(c.Output[0], (double)y.AsSpan()[0], 3);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Run_NamedInputs_GivesEveryOutput()
    {
        var c = Case("activations");
        var model = OnnxModel.Load(c.Path);
        model.Eval();
        Assert.Equal(["input"], model.InputNames);
        Assert.Equal(["output"], model.OutputNames);
        Assert.Null(model.InputShapes["input"][0]);
        Assert.Equal(c.InputShape[1..], model.InputShapes["input"][1..].Select(d => d!.Value));
        IReadOnlyDictionary<string, Tensor> outputs;
        using (GradMode.NoGrad()) outputs = model.Run(new Dictionary<string, Tensor> { ["input"] = c.InputTensor() });
        AssertTensor.Close(outputs["output"], c.OutputShape, c.Output, Tolerances.OnnxModel, "activations via Run");
        var e = Assert.Throws<ArgumentException>(() => model.Run(new Dictionary<string, Tensor>()));
        Assert.Equal("inputs", e.ParamName);
    }

    [OnnxRuntimeFact]
    public void Indexing_TorchExport_MatchesOnnxRuntime_AndEveryParameterGetsAGradient()
    {
        // Channel shuffle (Reshape/Transpose), x[:, :, 1:-1, ::2] (Slice), index_select and p[..., 1] (Gather), permute
        // (Transpose) on activations: PyTorch's outputs are checked by Load_TorchExport_ReproducesTorchOutput; here
        // ONNX Runtime gives the same, and training reaches the convolution before them.
        var c = Case("indexing");
        var model = OnnxModel.Load(c.Path);
        model.Eval();
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(c.InputTensor());
        var ort = OnnxRuntimePeer.Run(c.Path, new Dictionary<string, Tensor> { ["input"] = c.InputTensor() })["output"];
        Assert.Equal(ort.Shape, y.Shape);
        AssertTensor.Close(y.AsSpan(), [.. ort.Values.Select(v => (double)v)], ort.Shape, Tolerances.OnnxModel, "indexing: Striate vs ONNX Runtime");

        model.Train();
        Functional.CrossEntropy(model.Forward(c.InputTensor()), [1, 4]).Backward();
        foreach (var (name, p) in model.NamedParameters())
            Assert.True(p.Grad is not null && p.Grad.ToArray().Any(g => g != 0), $"parameter {name} got no gradient");
        Assert.Contains(model.NamedParameters(), p => p.Key == "conv.weight");
    }

    [Fact]
    public void Forward_WrongInputShape_NamesTheNodeAndOperator()
    {
        var model = OnnxModel.Load(Case("lenet").Path);
        var e = Assert.ThrowsAny<ArgumentException>(() => model.Forward(Tensor.Zeros(1, 3, 28, 28)));
        Assert.Contains("Conv", e.Message, StringComparison.Ordinal);
        Assert.Contains("ONNX node", e.Message, StringComparison.Ordinal);
    }
}
