// The zoo against torchvision (Fixtures/zoo_shapes.json, written by Fixtures/generate_zoo.py with
// Debian's python3-torchvision): at 3×224×224 and 1000 classes, the exact parameter count, the output
// shape of every convolution, batch norm, pooling, LRN and linear layer in execution order, and the
// multiply-accumulates (K·P·Q·(C/G)·R·S per convolution, in·out per linear layer); the commonly cited
// totals within 2%. Each model is built once (building is the slow part: its random weights) and then
// also runs forward and backward once at a small input, every parameter receiving a finite, non-zero
// gradient (ResNet-34/101 excepted: their blocks are ResNet-18/152's), and describes itself for a
// checkpoint. One class, so the big models are built one at a time.
using System.Text.Json;
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;

namespace Striate.Tests.Models;

public class ZooTorchvisionTests
{
    private sealed record TorchModel(string Name, long Parameters, long? ParametersWithAux, long Macs, (string Type, string Shape)[] Layers);

    private static readonly Lazy<Dictionary<string, TorchModel>> Reference = new(() =>
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "zoo_shapes.json")));
        var root = doc.RootElement;
        Assert.Equal("[3,224,224]", root.GetProperty("input").GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(1000, root.GetProperty("classes").GetInt32());
        return root.GetProperty("models").EnumerateArray().Select(m => new TorchModel(
            m.GetProperty("name").GetString()!,
            m.GetProperty("parameters").GetInt64(),
            m.TryGetProperty("parameters_with_aux", out var aux) ? aux.GetInt64() : null,
            m.GetProperty("macs").GetInt64(),
            [.. m.GetProperty("layers").EnumerateArray().Select(l => (l[0].GetString()!, string.Join(',', l[1].EnumerateArray().Select(d => d.GetInt32()))))]))
            .ToDictionary(m => m.Name);
    });

    // The module types torchvision's hooks recorded (activations, dropout and flatten are functions in some of its models).
    private static readonly HashSet<string> Recorded = ["Conv2d", "BatchNorm2d", "MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d", "LocalResponseNorm", "Linear"];

    private static (string Type, string Shape)[] Comparable(ModelSummary summary) =>
        [.. summary.Layers.Where(r => Recorded.Contains(r.Type)).Select(r => (r.Type, string.Join(',', r.OutputShape.Skip(1))))];

    private static void AssertSameLayers((string Type, string Shape)[] expected, (string Type, string Shape)[] actual, string model)
    {
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
            Assert.True(expected[i] == actual[i], $"{model}: recorded layer {i} is {actual[i]}, torchvision has {expected[i]}.");
        Assert.True(expected.Length == actual.Length, $"{model}: {actual.Length} recorded layers, torchvision has {expected.Length}.");
    }

    // smallSize 0: no forward and backward pass (ResNet-34 and 101 are built from the same blocks as 18, 50 and 152).
    [Theory]
    [InlineData("alexnet", 64)]
    [InlineData("vgg16", 32)]
    [InlineData("googlenet", 32)]
    [InlineData("resnet18", 16)]
    [InlineData("resnet34", 0)]
    [InlineData("resnet50", 16)]
    [InlineData("resnet101", 0)]
    [InlineData("resnet152", 16)]
    public void Model_MatchesTorchvision_AndTrainsAtASmallInput(string name, int smallSize)
    {
        var expected = Reference.Value[name];
        var model = ModelZoo.Create(name, new Rng(1), 1000);

        if (model is AuxiliaryClassifierNet googLeNet)
        {
            Assert.Equal(expected.ParametersWithAux, model.ParameterCount());
            Assert.Equal(expected.Parameters, googLeNet.Main.ParameterCount()); // torchvision without auxiliary heads: 6,624,904
        }
        else
        {
            Assert.Equal(expected.Parameters, model.ParameterCount());
        }
        var summary = model.Summarize(3, 224, 224);
        AssertSameLayers(expected.Layers, Comparable(summary), name);
        Assert.Equal(expected.Macs, summary.TotalMultiplyAccumulates);
        Assert.Equal([1, 1000], summary.OutputShape);
        Assert.Contains("\"type\":\"Sequential\"", Checkpoint.DescribeArchitecture(model), StringComparison.Ordinal);

        if (smallSize > 0) ZooTraining.ForwardBackwardOnce(model, 3, smallSize, 1000, name);
    }

    [Theory]
    [InlineData("resnet18", 1.82e9)]
    [InlineData("vgg16", 15.5e9)]
    [InlineData("alexnet", 0.71e9)]
    public void MultiplyAccumulates_WithinTwoPercentOfTheCitedFigures(string name, double cited)
    {
        // The fixture's count equals the summary's exactly (previous test); here the count against the literature.
        double macs = Reference.Value[name].Macs;
        Assert.InRange(macs / cited, 0.98, 1.02);
    }

    [Theory]
    [InlineData("vgg11", 11, false)]
    [InlineData("vgg11-bn", 11, true)]
    [InlineData("vgg13", 13, false)]
    [InlineData("vgg13-bn", 13, true)]
    [InlineData("vgg16-bn", 16, true)]
    [InlineData("vgg19", 19, false)]
    [InlineData("vgg19-bn", 19, true)]
    public void VggVariant_FeaturesAndTheSharedClassifier_MatchTorchvision(string name, int depth, bool batchNorm)
    {
        // Vgg.Create = Sequential(Features, AdaptiveAvgPool2d(7), Flatten, Classifier), checked whole for vgg16 above. The
        // classifier (123.6 M of the parameters, and most of the build time) is the same for every depth, so the other variants
        // are checked as their own features plus the classifier's closed-form count, shapes and multiply-accumulates.
        var expected = Reference.Value[name];
        var features = Vgg.Features(depth, batchNorm, rng: new Rng(1));
        const long classifierParameters = (25_088L * 4096 + 4096) + (4096L * 4096 + 4096) + (4096L * 1000 + 1000);
        const long classifierMacs = 25_088L * 4096 + 4096L * 4096 + 4096L * 1000;

        Assert.Equal(expected.Parameters, features.ParameterCount() + classifierParameters);
        var summary = features.Summarize(3, 224, 224);
        Assert.Equal([1, 512, 7, 7], summary.OutputShape);
        AssertSameLayers(expected.Layers, [.. Comparable(summary), ("AdaptiveAvgPool2d", "512,7,7"), ("Linear", "4096"), ("Linear", "4096"), ("Linear", "1000")], name);
        Assert.Equal(expected.Macs, summary.TotalMultiplyAccumulates + classifierMacs);
        Assert.Contains(batchNorm ? "with batch norm" : "VGG-", ModelZoo.Describe(name), StringComparison.Ordinal);
        if (batchNorm) // the features without batch norm are what vgg16 runs forward and backward above
            ZooTraining.ForwardBackwardOnce(new Sequential(features, new GlobalAvgPool(), new Linear(512, 5, rng: new Rng(2))), 3, 32, 5, name);
    }
}
