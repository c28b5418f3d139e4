// Checkpoint: weights + architecture round trips, the architecture JSON, name/shape checks that
// name every offending tensor, and clear errors for files that are not (valid) checkpoints.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static readonly Dictionary<string, string> LeNetMetadata = new()
    {
        ["model"] = "lenet5",
        ["input_shape"] = "1,28,28",
        ["epoch"] = "12",
        ["test_accuracy"] = "0.9071",
        ["classes"] = "T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot",
    };

    private static Tensor Run(Module model, Tensor input)
    {
        using (GradMode.NoGrad()) return model.Forward(input);
    }

    [Fact]
    public void SaveLoad_LeNet5_SameParametersSameOutputAndMetadata()
    {
        var original = LeNet5.Create(rng: new Rng(2024));
        string path = PathOf("lenet5.safetensors");

        Checkpoint.Save(path, original, LeNetMetadata);
        var loaded = Checkpoint.Load(path);

        var model = Assert.IsType<Sequential>(loaded.Model);
        Assert.Equal(12, model.Count);
        var expected = original.NamedParameters().ToList();
        var actual = model.NamedParameters().ToList();
        Assert.Equal(expected.Select(p => p.Key), actual.Select(p => p.Key));
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Value.Shape, actual[i].Value.Shape);
            AssertTensor.BitIdentical(expected[i].Value.AsSpan(), actual[i].Value.AsSpan(), expected[i].Key);
            Assert.True(actual[i].Value.RequiresGrad, $"{expected[i].Key} should be trainable after loading");
        }

        var input = Tensor.Normal(new Rng(7), 0, 1, 3, 1, 28, 28);
        var y0 = Run(original, input);
        var y1 = Run(model, input);
        Assert.Equal([3, 10], y1.Shape);
        AssertTensor.BitIdentical(y0.AsSpan(), y1.AsSpan(), "LeNet-5 logits after reload");

        Assert.Equal(LeNetMetadata.OrderBy(p => p.Key), loaded.Metadata.OrderBy(p => p.Key));
        Assert.Equal(Checkpoint.FormatVersion, loaded.FormatVersion);
    }

    [Fact]
    public void Save_LeNet5_WritesFormatVersionAndArchitectureJson()
    {
        string path = PathOf("meta.safetensors");
        Checkpoint.Save(path, LeNet5.Create(rng: new Rng(1)));

        var raw = SafeTensors.Load(path);

        Assert.Equal("striate", raw.Metadata["format"]);
        Assert.Equal("1", raw.Metadata["format_version"]);
        Assert.Equal(
            "{\"type\":\"Sequential\",\"layers\":[" +
            "{\"type\":\"Conv2d\",\"inChannels\":1,\"outChannels\":6,\"kernelSize\":5,\"stride\":1,\"padding\":2,\"bias\":true}," +
            "{\"type\":\"ReLU\"}," +
            "{\"type\":\"MaxPool2d\",\"kernelSize\":2,\"stride\":2,\"padding\":0}," +
            "{\"type\":\"Conv2d\",\"inChannels\":6,\"outChannels\":16,\"kernelSize\":5,\"stride\":1,\"padding\":0,\"bias\":true}," +
            "{\"type\":\"ReLU\"}," +
            "{\"type\":\"MaxPool2d\",\"kernelSize\":2,\"stride\":2,\"padding\":0}," +
            "{\"type\":\"Flatten\",\"startDim\":1}," +
            "{\"type\":\"Linear\",\"inFeatures\":400,\"outFeatures\":120,\"bias\":true}," +
            "{\"type\":\"ReLU\"}," +
            "{\"type\":\"Linear\",\"inFeatures\":120,\"outFeatures\":84,\"bias\":true}," +
            "{\"type\":\"ReLU\"}," +
            "{\"type\":\"Linear\",\"inFeatures\":84,\"outFeatures\":10,\"bias\":true}]}",
            raw.Metadata["architecture"]);
        Assert.Equal(10, raw.Tensors.Count);
        Assert.Equal([6, 1, 5, 5], raw.Tensors["0.weight"].Shape);
    }

    [Fact]
    public void Architecture_NestedSequentialAndEveryLayerType_RoundTrips()
    {
        var rng = new Rng(3);
        var model = new Sequential(
            new Conv2d(3, 4, kernelSize: 3, stride: 2, padding: 1, bias: false, rng: rng),
            new Sequential(new Tanh(), new MaxPool2d(3, stride: 1, padding: 1)),
            new Sigmoid(),
            new Flatten(startDim: 1),
            new Sequential(new Sequential(new Linear(4 * 4 * 4, 5, bias: false, rng: rng)), new ReLU()));

        string json = Checkpoint.DescribeArchitecture(model);
        var rebuilt = Checkpoint.BuildArchitecture(json);

        Assert.Equal(json, Checkpoint.DescribeArchitecture(rebuilt));
        Assert.Equal(
            model.NamedParameters().Select(p => (p.Key, Tensor.ShapeText(p.Value.Dims))),
            rebuilt.NamedParameters().Select(p => (p.Key, Tensor.ShapeText(p.Value.Dims))));
        Assert.Equal(["0.weight", "4.0.0.weight"], rebuilt.NamedParameters().Select(p => p.Key));

        string path = PathOf("nested.safetensors");
        Checkpoint.Save(path, model);
        var loaded = Checkpoint.Load(path).Model;
        var input = Tensor.Normal(new Rng(4), 0, 1, 2, 3, 8, 8);
        AssertTensor.BitIdentical(Run(model, input).AsSpan(), Run(loaded, input).AsSpan(), "nested model output after reload");
    }

    private sealed class Unregistered : Module
    {
        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void Save_UnknownLayerType_ThrowsNotSupportedNamingItAndLeavesTargetUntouched()
    {
        string path = PathOf("target.safetensors");
        File.WriteAllText(path, "previous checkpoint");
        var model = new Sequential(new Linear(2, 2, rng: new Rng(1)), new Sequential(new ReLU(), new Unregistered()));

        var e = Assert.Throws<NotSupportedException>(() => Checkpoint.Save(path, model));

        Assert.Contains("layer '1.1'", e.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Unregistered).FullName!, e.Message, StringComparison.Ordinal);
        Assert.Equal("previous checkpoint", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Save_ReservedMetadataKey_ThrowsArgumentException()
    {
        var e = Assert.Throws<ArgumentException>(() => Checkpoint.Save(PathOf("r.safetensors"), new Sequential(new ReLU()), new Dictionary<string, string> { ["architecture"] = "x" }));
        Assert.Contains("'architecture' is reserved", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("r.safetensors")));
    }

    [Fact]
    public void LoadWeights_MissingUnexpectedAndMisshaped_NamesEachAndChangesNothing()
    {
        // Saved: 0.weight (3, 4), 0.bias (3), 2.weight (2, 3), 2.bias (2).
        string path = PathOf("small.safetensors");
        Checkpoint.Save(path, new Sequential(new Linear(4, 3, rng: new Rng(1)), new ReLU(), new Linear(3, 2, rng: new Rng(2))));
        // Target: 0.* match; 2.weight is (5, 3); 2 has no bias; 3.weight and 3.bias are new.
        var target = new Sequential(new Linear(4, 3, rng: new Rng(9)), new ReLU(), new Linear(3, 5, bias: false, rng: new Rng(9)), new Linear(5, 2, rng: new Rng(9)));
        var before = target.Parameters().Select(p => p.ToArray()).ToList();

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.LoadWeights(target, path));

        Assert.Equal(["3.weight", "3.bias"], e.Missing);
        Assert.Equal(["2.bias"], e.Unexpected);
        Assert.Equal(["2.weight: model (5, 3), file (2, 3)"], e.ShapeMismatches);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("missing from the file: 3.weight, 3.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected in the file: 2.bias", e.Message, StringComparison.Ordinal);
        Assert.Contains("shape mismatch: 2.weight: model (5, 3), file (2, 3)", e.Message, StringComparison.Ordinal);
        var after = target.Parameters().Select(p => p.ToArray()).ToList();
        Assert.Equal(before, after); // the matching 0.* were not loaded either
    }

    [Fact]
    public void LoadWeights_MatchingModel_CopiesValuesAndReturnsMetadata()
    {
        var source = LeNet5.Create(rng: new Rng(5));
        string path = PathOf("w.safetensors");
        Checkpoint.Save(path, source, LeNetMetadata);
        var target = LeNet5.Create(rng: new Rng(6));

        var metadata = Checkpoint.LoadWeights(target, path);

        foreach (var ((name, s), (_, t)) in source.NamedParameters().Zip(target.NamedParameters()))
            AssertTensor.BitIdentical(s.AsSpan(), t.AsSpan(), name);
        Assert.Equal("lenet5", metadata["model"]);
        Assert.False(metadata.ContainsKey("architecture"));
    }

    [Fact]
    public void Load_CheckpointLackingATensor_NamesTheMissingParameter()
    {
        var model = LeNet5.Create(rng: new Rng(1));
        string path = PathOf("partial.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "striate",
            ["format_version"] = "1",
            ["architecture"] = Checkpoint.DescribeArchitecture(model),
        };
        SafeTensors.Save(path, model.NamedParameters().Where(p => p.Key != "3.bias"), metadata);

        var e = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.Load(path));

        Assert.Equal(["3.bias"], e.Missing);
        Assert.Empty(e.Unexpected);
        Assert.Empty(e.ShapeMismatches);
    }

    [Fact]
    public void Load_PlainSafeTensorsFile_ThrowsNotACheckpointButLoadWeightsWorks()
    {
        var model = new Sequential(new Linear(2, 2, rng: new Rng(1)));
        string path = PathOf("plain.safetensors");
        SafeTensors.Save(path, model.NamedParameters());

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("not a Striate checkpoint", e.Message, StringComparison.Ordinal);
        Assert.Contains(path, e.Message, StringComparison.Ordinal);

        var target = new Sequential(new Linear(2, 2, rng: new Rng(2)));
        Assert.Empty(Checkpoint.LoadWeights(target, path));
        AssertTensor.BitIdentical(model[0].OwnParameters[0].Value.AsSpan(), target[0].OwnParameters[0].Value.AsSpan(), "0.weight");
    }

    [Fact]
    public void Load_NewerFormatVersion_Throws()
    {
        string path = PathOf("future.safetensors");
        SafeTensors.Save(path, [], new Dictionary<string, string> { ["format"] = "striate", ["format_version"] = "2", ["architecture"] = "{\"type\":\"ReLU\"}" });
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("format version 2; this Striate reads versions up to 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"type\":\"Sequential\",\"layers\":[{\"type\":\"Conv4d\"}]}", "architecture.layers[0] has unknown layer type 'Conv4d'")]
    [InlineData("{\"type\":\"Sequential\",\"layers\":[{\"type\":\"ReLU\"},{\"type\":\"Conv2d\",\"inChannels\":1,\"outChannels\":6,\"kernelSize\":5,\"stride\":1,\"padding\":0,\"bias\":true,\"futureOption\":2}]}", "architecture.layers[1] (Conv2d) has unknown field \"futureOption\"")]
    [InlineData("{\"type\":\"Linear\",\"inFeatures\":4,\"bias\":true}", "architecture has no integer field \"outFeatures\"")]
    [InlineData("{\"type\":\"Linear\",\"inFeatures\":4.5,\"outFeatures\":2,\"bias\":true}", "architecture.inFeatures must be a 32-bit integer, not 4.5")]
    [InlineData("{\"type\":\"Linear\",\"inFeatures\":4,\"outFeatures\":2,\"bias\":\"yes\"}", "architecture.bias must be true or false")]
    [InlineData("{\"type\":\"Linear\",\"inFeatures\":-4,\"outFeatures\":2,\"bias\":true}", "architecture (Linear) has invalid hyper-parameters")]
    [InlineData("{\"type\":\"Sequential\",\"layers\":{}}", "architecture.layers must be an array of layers")]
    [InlineData("[1]", "architecture must be a JSON object with a \"type\"")]
    [InlineData("{\"layers\":[]}", "architecture has no string field \"type\"")]
    [InlineData("{\"type\":", "the architecture is not valid JSON")]
    public void Load_BadArchitecture_ThrowsInvalidDataNamingFileAndLocation(string architecture, string expected)
    {
        string path = PathOf("arch.safetensors");
        SafeTensors.Save(path, [], new Dictionary<string, string> { ["format"] = "striate", ["format_version"] = "1", ["architecture"] = architecture });

        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture(architecture));
    }

    [Fact]
    public void Load_CorruptCheckpoint_ThrowsInvalidData()
    {
        string path = PathOf("corrupt.safetensors");
        Checkpoint.Save(path, LeNet5.Create(rng: new Rng(1)));
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }
}
