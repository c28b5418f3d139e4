// torchvision name maps: every tensor name of torchvision's ResNet-18, VGG-16 and AlexNet state dicts
// (listed with their shapes by Fixtures/generate_onnx.py) maps onto a Striate zoo model's state entry
// of the same shape, and every Striate entry is covered. When python3 with torch and torchvision is
// present, a real random-weight ResNet-18 state dict saved by torch.save loads through the map and
// gives PyTorch's outputs, and the same network exported by torch.onnx loads into OnnxModel and does too.
using System.Diagnostics;
using System.Text.Json;
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Onnx;
using Striate.Serialization;
using Striate.Tests.Onnx;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

/// <summary>A fact that needs /usr/bin/python3 with torch and torchvision; skipped with the reason otherwise.</summary>
public sealed class TorchVisionFactAttribute : FactAttribute
{
    public TorchVisionFactAttribute()
    {
        if (TorchVisionPeer.MissingReason is { } reason) Skip = reason;
    }
}

internal static class TorchVisionPeer
{
    public const string Python = "/usr/bin/python3";

    public static string? MissingReason { get; } = Probe();

    private static string? Probe()
    {
        if (!File.Exists(Python)) return "torchvision peer skipped: /usr/bin/python3 is missing.";
        try
        {
            Run(["-c", "import torch, torchvision"], 120_000);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "torchvision peer skipped: python3 cannot import torch and torchvision (" + e.Message.Split('\n')[0] + ").";
        }
    }

    private static readonly Lazy<string> s_resnet18 = new(() =>
    {
        string dir = Path.Combine(Path.GetTempPath(), $"striate-resnet18-{Environment.ProcessId}");
        string script = Path.Combine(OnnxRuntimePeer.RepositoryRoot, "tests", "Striate.Tests", "Fixtures", "generate_onnx.py");
        Run([script, "--resnet18", dir], 300_000);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        };
        return dir;
    });

    /// <summary>
    /// A folder holding a random-weight torchvision ResNet-18 (10 classes): resnet18.pt (torch.save of its state dict),
    /// resnet18.onnx (torch.onnx.export) and resnet18.json (an input and PyTorch's float64 output); made once per test run.
    /// </summary>
    public static string ResNet18Directory => s_resnet18.Value;

    public static void Run(string[] args, int timeoutMs)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("python3 timed out");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"python3 failed ({process.ExitCode}): {stderr.Result}");
    }
}

public sealed class TorchNameMapTests
{
    private static void AssertCovers(IReadOnlyDictionary<string, string> map, string arch, Module model)
    {
        var state = model.NamedState().ToDictionary(kv => kv.Key, kv => kv.Value.Dims.ToArray(), StringComparer.Ordinal);
        var covered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (torchName, shape) in TorchOnnxFixtureTests.TorchvisionNames(arch))
        {
            Assert.True(map.TryGetValue(torchName, out var striate), $"{arch}: torchvision name '{torchName}' is not in the map");
            Assert.True(state.TryGetValue(striate!, out var striateShape), $"{arch}: '{torchName}' maps to '{striate}', which the Striate model lacks");
            // num_batches_tracked is a 0-d tensor on both sides.
            Assert.True(shape.SequenceEqual(striateShape!), $"{arch}: '{torchName}' {Tensor.ShapeText(shape)} maps to '{striate}' {Tensor.ShapeText(striateShape!)}");
            Assert.True(covered.Add(striate!), $"{arch}: two torchvision names map to '{striate}'");
        }
        var uncovered = state.Keys.Where(k => !covered.Contains(k)).ToList();
        Assert.True(uncovered.Count == 0, $"{arch}: Striate entries no torchvision name maps to: {string.Join(", ", uncovered.Take(10))}");
        Assert.Equal(map.Count, covered.Count);
    }

    [Fact]
    public void ResNet18_MapsEveryTorchvisionName() =>
        AssertCovers(TorchNameMaps.ResNet18, "resnet18", ResNet.Create(18, classes: 1000, rng: new Rng(1)));

    [Fact]
    public void AlexNet_MapsEveryTorchvisionName() =>
        AssertCovers(TorchNameMaps.AlexNet, "alexnet", AlexNet.Create(classes: 1000, rng: new Rng(2)));

    [Fact]
    public void Vgg16_MapsEveryTorchvisionName() =>
        AssertCovers(TorchNameMaps.Vgg16, "vgg16", Vgg.Create(16, classes: 1000, rng: new Rng(3)));

    [Theory]
    [InlineData(50)]
    public void ResNet_OtherDepths_MapOntoTheStriateModel(int depth)
    {
        var model = ResNet.Create(depth, classes: 10, rng: new Rng(4));
        var names = model.NamedState().Select(kv => kv.Key).ToHashSet(StringComparer.Ordinal);
        var map = TorchNameMaps.ResNet(depth);
        Assert.Equal(names.Order(), map.Values.Order());
        // Bottleneck stages widen 64 → 256 at once, so their first block projects its shortcut; basic ones keep 64.
        Assert.Equal(depth >= 50, map.ContainsKey("layer1.0.downsample.0.weight"));
        Assert.Equal("4.0.0.body.0.weight", map["layer1.0.conv1.weight"]);
    }

    [Fact]
    public void Vgg16WithBatchNorm_MapsOntoTheStriateModel()
    {
        var features = Vgg.Features(16, batchNorm: true, rng: new Rng(5));
        var names = features.NamedState().Select(kv => "0." + kv.Key).ToHashSet(StringComparer.Ordinal);
        var map = TorchNameMaps.Vgg(16, batchNorm: true);
        Assert.Equal(names.Order(), map.Values.Where(v => v.StartsWith("0.", StringComparison.Ordinal)).Order());
        Assert.Equal("0.1.running_var", map["features.1.running_var"]);
        Assert.Equal("3.6.bias", map["classifier.6.bias"]);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(0)]
    public void ResNet_UnknownDepth_ThrowsNamingDepth(int depth) =>
        Assert.Equal("depth", Assert.Throws<ArgumentException>(() => TorchNameMaps.ResNet(depth)).ParamName);

    [Fact]
    public void Vgg_UnknownDepth_ThrowsNamingDepth() =>
        Assert.Equal("depth", Assert.Throws<ArgumentException>(() => TorchNameMaps.Vgg(15)).ParamName);

    [TorchVisionFact]
    public void TorchvisionResNet18_StateDictAndOnnx_ReproduceTorchOutputs()
    {
        string dir = TorchVisionPeer.ResNet18Directory;
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "resnet18.json")));
        var input = doc.RootElement.GetProperty("input");
        var x = Tensor.FromArray(Fixture.ReadFloats(input.GetProperty("values")), Fixture.ReadInts(input.GetProperty("shape")));
        var output = doc.RootElement.GetProperty("output");
        int[] shape = Fixture.ReadInts(output.GetProperty("shape"));
        double[] expected = Fixture.ReadDoubles(output.GetProperty("values"));

        var model = ResNet.Create(18, classes: 10, rng: new Rng(6));
        TorchCheckpoint.LoadInto(model, Path.Combine(dir, "resnet18.pt"), TorchNameMaps.ResNet18);
        model.Eval();
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(x);
        AssertTensor.Close(y, shape, expected, Tolerances.OnnxModel, "torchvision ResNet-18 state dict in Striate's ResNet-18");

        var onnx = OnnxModel.Load(Path.Combine(dir, "resnet18.onnx"));
        onnx.Eval();
        using (GradMode.NoGrad()) y = onnx.Forward(x);
        AssertTensor.Close(y, shape, expected, Tolerances.OnnxModel, "torchvision ResNet-18 exported by torch.onnx");
    }
}
