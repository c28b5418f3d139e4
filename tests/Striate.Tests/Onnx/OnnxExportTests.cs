// ONNX export against a real peer: models exported by Striate run in ONNX Runtime (onnxruntime-node)
// and give Striate's outputs within 1e-4 relative; they also load back into OnnxModel with the same
// outputs and parameter names. Layers ONNX cannot express are refused naming the layer.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Onnx;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Onnx;

public sealed class OnnxExportTests
{
    /// <summary>Named test models with their sample input shape (no batch).</summary>
    internal static readonly Dictionary<string, Func<(Module Model, int[] InputShape)>> Models = new(StringComparer.Ordinal)
    {
        ["lenet5"] = () => (LeNet5.Create(rng: new Rng(1)), [1, 28, 28]),
        ["resnet18"] = () => (ResNet.Create(18, classes: 10, rng: new Rng(2)), [3, 32, 32]),
        ["resnet20_cifar"] = () => (ResNet.Cifar(20, rng: new Rng(3)), [3, 16, 16]),
        ["inception"] = () => (new Sequential(GoogLeNet.Inception(8, 4, 3, 5, 2, 3, 3, fifthKernel: 5, new Rng(4)), new ReLU()), [8, 7, 9]),
        ["pooling"] = () => (new Sequential(
            new Conv2d(3, 6, 3, padding: 1, rng: new Rng(5)),
            new Branches(
                new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true),
                new AvgPool2d(3, stride: 2, padding: 1, countIncludePad: false),
                new AvgPool2d(3, stride: 2, padding: 1, divisorOverride: 5),
                new SumPool2d(2, stride: 2, padding: 1),
                new Sequential(new ZeroPad2d(0, 1, 0, 1), new LpPool2d(2f, 2, stride: 2)),
                new Sequential(new ZeroPad2d(0, 1, 0, 1), new AdaptiveAvgPool2d(6)),
                new Sequential(new ZeroPad2d(0, 1, 0, 1), new AdaptiveMaxPool2d(6))),
            new MaxPool2d(2, stride: 1, dilation: 2),
            new AdaptiveAvgPool2d(1),
            new Flatten()), [3, 11, 11]),
        ["normalization"] = () => (new Sequential(
            new Conv2d(3, 8, 3, rng: new Rng(6)),
            new BatchNorm2d(8),
            new LocalResponseNorm(5, alpha: 1e-2f, beta: 0.75f, k: 2f),
            new Dropout2d(0.3f),
            new GlobalMaxPool(),
            new Linear(8, 6, rng: new Rng(7)),
            new BatchNorm1d(6),
            new Dropout(0.5f),
            new Softmax(1)), [3, 9, 8]),
        ["activations"] = () => (new Sequential(
            new Conv2d(2, 4, 1, rng: new Rng(8)),
            new Branches(new LeakyReLU(0.2f), new ELU(0.7f), new SELU(), new Sigmoid(), new Tanh(), new Softplus(), new Softplus(beta: 2f),
                new Softsign(), new Hardtanh(-0.5f, 0.75f), new SiLU(), new GELU(), new GELU(GeluApproximation.Tanh), new PReLU(4, 0.1f), new PReLU()),
            new LogSoftmax(1)), [2, 3, 5]),
        ["convolution"] = () => (new Sequential(
            new Conv2d(3, 4, 3, stride: 2, padding: 1, rng: new Rng(9)),
            new Conv2d(4, 6, 3, padding: ConvPadding.Same, dilation: 2, groups: 2, bias: false, rng: new Rng(10)),
            new Conv2d(6, 4, 3, padding: 1, paddingMode: PaddingMode.Reflect, rng: new Rng(11)),
            new Conv2d(4, 4, 3, padding: 1, paddingMode: PaddingMode.Replicate, convolutionMode: ConvolutionMode.TrueConvolution, rng: new Rng(12)),
            new ConvTranspose2d(4, 3, 3, stride: 2, padding: 1, outputPadding: 1, rng: new Rng(13)),
            new ReflectionPad2d(1, 2, 0, 1),
            new ConstantPad2d(1, 0.5f),
            new Upsample(scaleFactor: [2.0], mode: UpsampleMode.Nearest),
            new Upsample(size: [17, 15], mode: UpsampleMode.Bilinear),
            new Upsample(scaleFactor: [1.5], mode: UpsampleMode.Bilinear, alignCorners: true),
            new Conv2d(3, 2, 5, stride: 3, rng: new Rng(14)),
            new Flatten(2),
            new Reshape(2, -1)), [3, 9, 7]),
        ["sequence1d"] = () => (new Sequential(
            new Conv1d(2, 4, 3, stride: 2, padding: 1, rng: new Rng(15)),
            new BatchNorm1d(4),
            new ReLU(),
            new MaxPool1d(2),
            new ConvTranspose1d(4, 2, 4, stride: 2, padding: 1, rng: new Rng(16)),
            new AvgPool1d(3, stride: 1, padding: 1),
            new ReplicationPad1d(2, 1)), [2, 17]),
        ["volume3d"] = () => (new Sequential(
            new Conv3d(1, 3, 3, padding: 1, rng: new Rng(17)),
            new ReLU(),
            new MaxPool3d(2),
            new AvgPool3d(2, ceilMode: true),
            new Upsample(scaleFactor: [2.0], mode: UpsampleMode.Trilinear)), [1, 6, 7, 5]),
    };

    public static TheoryData<string> ModelNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Models.Keys) data.Add(name);
        return data;
    }

    /// <summary>Random running statistics and affine parameters, so inference-form batch norm is not near the identity.</summary>
    internal static Module Prepare(Module model, int seed)
    {
        var rng = new Rng((ulong)seed);
        foreach (var bn in ModelInit.Descendants(model).OfType<BatchNormLayer>())
        {
            Fill(bn.RunningMean!, rng, -0.5f, 0.5f);
            Fill(bn.RunningVar!, rng, 0.5f, 1.5f);
            Fill(bn.Weight!, rng, 0.5f, 1.5f);
            Fill(bn.Bias!, rng, -0.5f, 0.5f);
        }
        return model.Eval();
    }

    private static void Fill(Tensor t, Rng rng, float low, float high) => Tensor.Uniform(rng, low, high, [.. t.Dims]).AsSpan().CopyTo(t.AsSpan());

    internal static Tensor Input(int[] sampleShape, int batch, int seed) => Tensor.Uniform(new Rng((ulong)seed), -1f, 1f, [batch, .. sampleShape]);

    private static Tensor StriateOutput(Module model, Tensor x)
    {
        using (GradMode.NoGrad()) return model.Forward(x);
    }

    [OnnxRuntimeTheory]
    [MemberData(nameof(ModelNames))]
    public void Export_RunsInOnnxRuntime_MatchesStriate(string name)
    {
        var (model, shape) = Models[name]();
        Prepare(model, 100);
        var x = Input(shape, batch: 2, seed: 200);
        string path = Path.Combine(Path.GetTempPath(), $"striate-export-{name}-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path, shape);
            var expected = StriateOutput(model, x);
            var ort = OnnxRuntimePeer.Run(path, new Dictionary<string, Tensor> { ["input"] = x })["output"];
            AssertTensor.Close(ort.Values, [.. expected.ToArray().Select(v => (double)v)], ort.Shape, Tolerances.OnnxModel, $"ONNX Runtime on exported {name}");
            Assert.Equal(expected.Shape, ort.Shape);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [OnnxRuntimeTheory]
    [InlineData("convolution")]
    [InlineData("activations")]
    [InlineData("normalization")]
    public void Export_Opset17_RunsInOnnxRuntime(string name)
    {
        var (model, shape) = Models[name]();
        Prepare(model, 102);
        var x = Input(shape, batch: 2, seed: 202);
        string path = Path.Combine(Path.GetTempPath(), $"striate-export17-{name}-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path, shape, new OnnxExportOptions { Opset = 17 });
            Assert.Equal(17, OnnxModel.Load(path).Opset);
            var expected = StriateOutput(model, x);
            var ort = OnnxRuntimePeer.Run(path, new Dictionary<string, Tensor> { ["input"] = x })["output"];
            Assert.Equal(expected.Shape, ort.Shape);
            AssertTensor.Close(ort.Values, [.. expected.ToArray().Select(v => (double)v)], ort.Shape, Tolerances.OnnxModel, $"ONNX Runtime on {name} at opset 17");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [OnnxRuntimeFact]
    public void Export_DynamicBatch_OnnxRuntimeRunsAnyBatchSize()
    {
        var (model, shape) = Models["lenet5"]();
        model.Eval();
        string path = Path.Combine(Path.GetTempPath(), $"striate-export-batch-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path, shape);
            foreach (int batch in new[] { 1, 5 })
            {
                var x = Input(shape, batch, seed: 300 + batch);
                var ort = OnnxRuntimePeer.Run(path, new Dictionary<string, Tensor> { ["input"] = x })["output"];
                var expected = StriateOutput(model, x);
                Assert.Equal(expected.Shape, ort.Shape);
                AssertTensor.Close(ort.Values, [.. expected.ToArray().Select(v => (double)v)], ort.Shape, Tolerances.OnnxModel, $"batch {batch}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [MemberData(nameof(ModelNames))]
    public void Export_ThenImport_SameOutputsAndParameterNames(string name)
    {
        var (model, shape) = Models[name]();
        Prepare(model, 101);
        var x = Input(shape, batch: 2, seed: 201);
        var bytes = OnnxExport.ToBytes(model, shape, new OnnxExportOptions { Metadata = new Dictionary<string, string> { ["input_shape"] = string.Join(",", shape) } });
        // GELU exports as ½x(1 + erf(x/√2)), which the importer fuses back into one Gelu node.
        var imported = OnnxModel.Load(bytes);
        imported.Eval();
        Assert.Equal("striate", imported.ProducerName);
        Assert.Equal(string.Join(",", shape), imported.Metadata["input_shape"]);
        var expected = StriateOutput(model, x);
        // Weights travel under the Striate names ("0.weight"), so the imported model's parameters line up with the original's.
        if (name is "lenet5" or "inception")
            Assert.Equal(model.NamedParameters().Select(p => p.Key).Order(), imported.NamedParameters().Select(p => p.Key).Order());
        AssertTensor.Close(StriateOutput(imported, x), [.. expected.Dims], [.. expected.ToArray().Select(v => (double)v)], Tolerances.OnnxModel, $"re-imported {name}");
    }

    [Fact]
    public void Export_LocallyConnected_RefusedNamingTheLayer()
    {
        var model = new Sequential(new Conv2d(1, 2, 3, rng: new Rng(1)), new Sequential(new ReLU(), new LocallyConnected2d(2, 3, (6, 6), 3, rng: new Rng(2))));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, [1, 8, 8]));
        Assert.Contains("'1.1'", e.Message, StringComparison.Ordinal);
        Assert.Contains("LocallyConnected2d", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_LpPoolOddNorm_RefusedBecauseOnnxTakesAbsoluteValues()
    {
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(new Sequential(new LpPool2d(3f, 2)), [1, 4, 4]));
        Assert.Contains("'0' (LpPool2d)", e.Message, StringComparison.Ordinal);
        Assert.Contains("even p", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_AdaptivePoolWithUnevenWindows_RefusedNamingTheLayer()
    {
        var model = new Sequential(new AdaptiveAvgPool2d(3));
        var e = Assert.Throws<NotSupportedException>(() => OnnxExport.ToBytes(model, [1, 7, 7]));
        Assert.Contains("'0' (AdaptiveAvgPool2d)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(12)]
    [InlineData(18)]
    public void Export_UnsupportedOpset_ThrowsNamingOptions(int opset)
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(new ReLU(), [3], new OnnxExportOptions { Opset = opset }));
        Assert.Equal("options", e.ParamName);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1, 0, 3 })]
    public void Export_BadInputShape_ThrowsNamingInputShape(int[] shape)
    {
        var e = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(new ReLU(), shape));
        Assert.Equal("inputShape", e.ParamName);
    }

    [Fact]
    public void Export_RestoresTrainingMode()
    {
        var model = LeNet5.Create(rng: new Rng(3));
        Assert.True(model.IsTraining);
        OnnxExport.ToBytes(model, [1, 28, 28]);
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void Export_WritesFileAtomically_LoadableFromPath()
    {
        var model = LeNet5.Create(rng: new Rng(4)).Eval();
        string path = Path.Combine(Path.GetTempPath(), $"striate-lenet-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path, LeNet5.InputShape);
            Assert.False(File.Exists(path + ".tmp"));
            var imported = OnnxModel.Load(path);
            Assert.Equal(model.ParameterCount(), imported.ParameterCount());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
