// Checkpoint entries of Checkpoint.Structure.cs: every layer round-trips (same architecture JSON,
// same parameters, bit-identical output) and malformed fields are reported with their location.
using Striate.Autograd;
using Striate.Layers;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class CheckpointStructureTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-structure-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Saves, loads, and checks architecture, parameter names and values, and the output on <paramref name="input"/>.</summary>
    private Module RoundTrip(Module model, Tensor input)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
        Checkpoint.Save(path, model);
        var loaded = Checkpoint.Load(path).Model;
        Assert.Equal(model.GetType(), loaded.GetType());
        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        Assert.Equal(model.NamedState().Select(p => p.Key), loaded.NamedState().Select(p => p.Key));
        Tensor expected, actual;
        using (GradMode.NoGrad())
        {
            expected = model.Forward(input);
            actual = loaded.Forward(input);
        }
        Assert.Equal(expected.Shape, actual.Shape);
        AssertTensor.BitIdentical(expected.AsSpan(), actual.AsSpan(), $"output of reloaded {model.TypeName}");
        return loaded;
    }

    [Fact]
    public void LocallyConnected2d_RoundTrip()
    {
        var model = new Sequential(new LocallyConnected2d(2, 3, (7, 6), 3, stride: 2, padding: 1, rng: new Rng(1)), new ReLU(),
            new LocallyConnected2d(3, 1, (4, 3), 2, bias: false, rng: new Rng(2)));
        RoundTrip(model, Tensor.Normal(new Rng(3), 0f, 1f, 2, 2, 7, 6));
        Assert.Contains("\"inputSize\":[7,6]", Checkpoint.DescribeArchitecture(model), StringComparison.Ordinal);
    }

    [Fact]
    public void LocallyConnected1d_RoundTrip()
    {
        var layer = new LocallyConnected1d(3, 2, 9, 3, stride: 2, padding: 1, rng: new Rng(4));
        var loaded = Assert.IsType<LocallyConnected1d>(RoundTrip(layer, Tensor.Normal(new Rng(5), 0f, 1f, 2, 3, 9)));
        Assert.Equal((9, 5), (loaded.InputLength, loaded.OutputLength));
    }

    [Fact]
    public void TiledConv2d_And1d_RoundTrip()
    {
        var two = new TiledConv2d(2, 3, 3, 2, stride: 1, padding: 1, rng: new Rng(6));
        var loaded = Assert.IsType<TiledConv2d>(RoundTrip(two, Tensor.Normal(new Rng(7), 0f, 1f, 1, 2, 5, 6)));
        Assert.Equal(2, loaded.TileSize);
        var one = new TiledConv1d(2, 3, 3, 4, stride: 2, bias: false, rng: new Rng(8));
        RoundTrip(one, Tensor.Normal(new Rng(9), 0f, 1f, 2, 2, 13));
    }

    [Fact]
    public void LocallyConnected2d_InputSizeNotAPair_IsInvalidData()
    {
        string json = Checkpoint.DescribeArchitecture(new LocallyConnected2d(1, 1, (5, 5), 3, rng: new Rng(1))).Replace("[5,5]", "[5,5,5]", StringComparison.Ordinal);
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture(json));
        Assert.Contains("inputSize", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Containers_NestedInSequential_RoundTripWithDottedParameterNames()
    {
        var rng = new Rng(10);
        var model = new Sequential(
            new Conv2d(1, 4, 3, padding: 1, rng: rng),
            new Residual(new Sequential(new Conv2d(4, 4, 3, padding: 1, rng: rng), new ReLU())),
            new Residual(new Conv2d(4, 6, 3, stride: 2, padding: 1, rng: rng), new Conv2d(4, 6, 1, stride: 2, rng: rng)),
            new Branches(new Conv2d(6, 2, 1, rng: rng), new Sequential(new MaxPool2d(2), new Upsample(scaleFactor: [2]))),
            new Upsample(size: [5, 7], mode: UpsampleMode.Bilinear, alignCorners: true),
            new Reshape(8, -1));
        var loaded = Assert.IsType<Sequential>(RoundTrip(model, Tensor.Normal(new Rng(11), 0f, 1f, 2, 1, 8, 8)));
        Assert.Contains("1.body.0.weight", loaded.NamedParameters().Select(p => p.Key));
        Assert.Contains("2.shortcut.weight", loaded.NamedParameters().Select(p => p.Key));
        Assert.Contains("3.0.weight", loaded.NamedParameters().Select(p => p.Key));
        var upsample = Assert.IsType<Upsample>(loaded[4]);
        Assert.Equal((UpsampleMode.Bilinear, true), (upsample.Mode, upsample.AlignCorners));
        Assert.Equal(1, Assert.IsType<Branches>(loaded[3]).Dim);
    }

    [Fact]
    public void Upsample_ScaleFactorNotRepresentableInFloat_RoundTripsExactly()
    {
        // 1/3 and 1.7 are not float32 values; a lossy round trip would move the sampling positions.
        var layer = new Upsample(scaleFactor: [1.7, 1.0 / 3 + 2], mode: UpsampleMode.Bilinear);
        var loaded = Assert.IsType<Upsample>(RoundTrip(layer, Tensor.Normal(new Rng(12), 0f, 1f, 1, 2, 5, 6)));
        Assert.Equal([1.7, 1.0 / 3 + 2], loaded.ScaleFactor!);
    }

    [Fact]
    public void Branches_WithOtherDim_RoundTrips()
    {
        var layer = new Branches(-1, new Linear(3, 2, rng: new Rng(13)), new Linear(3, 4, rng: new Rng(14)));
        var loaded = Assert.IsType<Branches>(RoundTrip(layer, Tensor.Normal(new Rng(15), 0f, 1f, 2, 3)));
        Assert.Equal((-1, 2), (loaded.Dim, loaded.Count));
    }

    [Theory]
    [InlineData("{\"type\":\"Residual\",\"layers\":[]}", "Residual")]
    [InlineData("{\"type\":\"Upsample\",\"scaleFactor\":\"2,x\",\"mode\":\"Nearest\",\"alignCorners\":false}", "scaleFactor")]
    [InlineData("{\"type\":\"Upsample\",\"size\":[4],\"mode\":\"Bicubic\",\"alignCorners\":false}", "mode")]
    [InlineData("{\"type\":\"Upsample\",\"mode\":\"Nearest\",\"alignCorners\":false}", "size")]
    [InlineData("{\"type\":\"Branches\",\"dim\":1,\"branches\":[]}", "branch")]
    [InlineData("{\"type\":\"Reshape\",\"shape\":[-1,-1]}", "shape")]
    public void MalformedEntries_AreInvalidDataNamingTheProblem(string json, string mentioned)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture(json));
        Assert.Contains(mentioned, ex.Message, StringComparison.Ordinal);
    }
}
