// The C# examples of docs/interop.md's ONNX and torchvision sections, verbatim, each followed by
// assertions on the numbers the page shows. onnxPath is a temporary file; resnetPtPath is a random-
// weight torchvision ResNet-18 state dict that Fixtures/generate_onnx.py saves with torch.save when
// python3 with torchvision is present (that example is skipped, with the reason, otherwise).
using Striate.Layers;
using Striate.Models;
using Striate.Onnx;
using Striate.Serialization;
using Striate.Tests.Serialization;

namespace Striate.Tests.Onnx;

public sealed class OnnxDocExamplesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-onnx-doc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ExportImportExample()
    {
        string onnxPath = Path.Combine(_dir, "tiny.onnx");

        var model = new Sequential(new Linear(2, 1), new ReLU());
        var linear = (Linear)model[0];
        linear.Weight.AsSpan()[0] = 2f;
        linear.Weight.AsSpan()[1] = -1f;
        linear.Bias!.AsSpan()[0] = 0.5f;
        model.ExportOnnx(onnxPath, inputShape: [2]);   // Gemm(transB = 1) → Relu, input (batch, 2)

        var imported = OnnxModel.Load(onnxPath);
        imported.Eval();
        var y = imported.Forward(Tensor.FromArray(new float[] { 1, 3, 3, 1 }, 2, 2));   // [0, 5.5]
        var names = imported.NamedParameters().Select(p => p.Key).ToArray();             // ["0.weight", "0.bias"]

        Assert.Equal([2, 1], y.Shape);
        Assert.Equal([0f, 5.5f], y.ToArray());
        Assert.Equal(["0.weight", "0.bias"], names);
        Assert.Equal(13, imported.Opset);
    }

    [Fact]
    public void TorchvisionNameMapLookupExample()
    {
        string name = TorchNameMaps.ResNet18["layer2.0.downsample.0.weight"];   // "5.0.0.shortcut.0.weight"

        Assert.Equal("5.0.0.shortcut.0.weight", name);
        Assert.Equal("5.0.0.body.0.weight", TorchNameMaps.ResNet18["layer2.0.conv1.weight"]);
    }

    [TorchVisionFact]
    public void TorchvisionLoadIntoExample()
    {
        string resnetPtPath = Path.Combine(TorchVisionPeer.ResNet18Directory, "resnet18.pt");

        var resnet = ResNet.Create(18, classes: 10);
        TorchCheckpoint.LoadInto(resnet, resnetPtPath, TorchNameMaps.ResNet18);

        var stored = TorchCheckpoint.LoadStateDict(resnetPtPath);
        var state = resnet.NamedState().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(stored["layer2.0.downsample.0.weight"].ToArray(), state["5.0.0.shortcut.0.weight"].ToArray());
        Assert.Equal(stored["fc.bias"].ToArray(), state["10.bias"].ToArray());
    }
}
