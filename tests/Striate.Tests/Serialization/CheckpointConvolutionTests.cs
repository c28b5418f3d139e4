// Checkpoint entries of the convolution family: every layer type round-trips through save/load
// with its options and gives the same output; Conv2d keeps the foundation's exact JSON and loads
// files written before its new options existed; malformed options are rejected with the location.
using Striate.Layers;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class CheckpointConvolutionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-conv-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>Saves, loads, and checks the rebuilt model has the same architecture JSON and the same output bit for bit.</summary>
    private void AssertRoundTrip(Module model, params int[] inputShape)
    {
        string path = PathOf("model.safetensors");
        Checkpoint.Save(path, model);
        var loaded = Checkpoint.Load(path).Model;
        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        var x = Tensor.Normal(new Rng(61), 0f, 1f, inputShape);
        AssertTensor.BitIdentical(model.Forward(x).AsSpan(), loaded.Forward(x).AsSpan(), "output after save/load");
    }

    [Fact]
    public void Conv1d_EveryOption_RoundTrips()
    {
        var rng = new Rng(62);
        AssertRoundTrip(new Sequential(
            new Conv1d(4, 6, 4, padding: "same", rng: rng, dilation: 2, groups: 2, paddingMode: PaddingMode.Circular),
            new ReLU(),
            new Conv1d(6, 3, 3, stride: 2, padding: ConvPadding.Explicit((0, 2)), bias: false, rng: rng, convolutionMode: ConvolutionMode.TrueConvolution),
            new Conv1d(3, 3, 3, padding: "full", rng: rng, groups: 3, paddingMode: PaddingMode.Replicate)), 2, 4, 11);
    }

    [Fact]
    public void Conv2d_NewOptions_RoundTrip()
    {
        var rng = new Rng(63);
        AssertRoundTrip(new Sequential(
            new Conv2d(2, 4, 3, padding: "same", rng: rng, paddingMode: PaddingMode.Reflect),
            new Conv2d(4, 4, 2, padding: ConvPadding.Symmetric(1, 0), rng: rng, groups: 4, convolutionMode: ConvolutionMode.TrueConvolution),
            new Conv2d(4, 2, 3, padding: "valid", bias: false, rng: rng),
            new Conv2d(2, 2, 2, padding: ConvPadding.Explicit((0, 1), (1, 0)), rng: rng)), 2, 2, 7, 6);
    }

    [Fact]
    public void Conv2d_Dilation_RoundTripsAndIsWrittenOnlyWhenSet()
    {
        var rng = new Rng(67);
        var dilated = new Conv2d(2, 3, 3, padding: 2, rng: rng, dilation: 2);
        AssertRoundTrip(dilated, 1, 2, 7, 7);
        Assert.Contains("\"dilation\":2", Checkpoint.DescribeArchitecture(dilated), StringComparison.Ordinal);
        Assert.DoesNotContain("dilation", Checkpoint.DescribeArchitecture(new Conv2d(2, 3, 3, rng: rng)), StringComparison.Ordinal);
    }

    [Fact]
    public void Conv3d_EveryOption_RoundTrips()
    {
        var rng = new Rng(68);
        AssertRoundTrip(new Sequential(
            new Conv3d(2, 4, 3, padding: "same", rng: rng, dilation: 2, groups: 2, paddingMode: PaddingMode.Replicate),
            new Conv3d(4, 2, 2, stride: 2, padding: ConvPadding.Explicit((0, 1), (1, 0), (1, 1)), bias: false, rng: rng,
                convolutionMode: ConvolutionMode.TrueConvolution)), 1, 2, 5, 6, 5);
    }

    [Fact]
    public void Conv2d_DefaultOptions_WriteTheFoundationJson()
    {
        Assert.Equal("{\"type\":\"Conv2d\",\"inChannels\":1,\"outChannels\":6,\"kernelSize\":5,\"stride\":1,\"padding\":2,\"bias\":true}",
            Checkpoint.DescribeArchitecture(new Conv2d(1, 6, 5, padding: 2, rng: new Rng(64))));
        Assert.Equal("{\"type\":\"Conv2d\",\"inChannels\":2,\"outChannels\":2,\"kernelSize\":3,\"stride\":1,\"paddingRule\":\"same\",\"bias\":true,\"groups\":2,\"paddingMode\":\"circular\"}",
            Checkpoint.DescribeArchitecture(new Conv2d(2, 2, 3, padding: "same", rng: new Rng(65), groups: 2, paddingMode: PaddingMode.Circular)));
    }

    [Fact]
    public void Conv2d_FoundationJson_StillBuilds()
    {
        var model = Checkpoint.BuildArchitecture("{\"type\":\"Conv2d\",\"inChannels\":3,\"outChannels\":8,\"kernelSize\":3,\"stride\":2,\"padding\":1,\"bias\":false}");
        var conv = Assert.IsType<Conv2d>(model);
        Assert.Equal((3, 8, 3, 2, 1, 1, 1), (conv.InChannels, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding.AsUniform ?? -1, conv.Dilation, conv.Groups));
        Assert.Equal((PaddingMode.Zeros, ConvolutionMode.CrossCorrelation), (conv.PaddingMode, conv.ConvolutionMode));
        Assert.Null(conv.Bias);
    }

    [Fact]
    public void TransposedConvolutions_RoundTrip()
    {
        var rng = new Rng(66);
        AssertRoundTrip(new Sequential(new ConvTranspose1d(4, 6, 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, rng: rng),
            new ConvTranspose1d(6, 2, 2, bias: false, dilation: 2, rng: rng)), 2, 4, 5);
        AssertRoundTrip(new ConvTranspose2d(3, 2, 4, stride: 2, padding: 1, rng: rng), 2, 3, 4, 3);
        AssertRoundTrip(new ConvTranspose3d(2, 2, 2, stride: 2, groups: 2, bias: false, rng: rng), 1, 2, 2, 3, 2);
    }

    [Fact]
    public void PaddingLayers_RoundTrip()
    {
        AssertRoundTrip(new Sequential(new ConstantPad1d(1, 2, -0.5f), new ZeroPad1d(2), new ReflectionPad1d(1, 2), new ReplicationPad1d(3), new CircularPad1d(2, 1)), 2, 3, 5);
        AssertRoundTrip(new Sequential(new ConstantPad2d(1, 0.25f), new ZeroPad2d(1, 0, 0, 2), new ReflectionPad2d(2), new ReplicationPad2d(0, 1, 2, 3), new CircularPad2d(1)), 2, 3, 4, 5);
        AssertRoundTrip(new Sequential(new ConstantPad3d(1, 0, 0, 1, 1, 0, 2f), new ZeroPad3d(1), new ReflectionPad3d(1), new ReplicationPad3d(2), new CircularPad3d(1, 0, 1, 0, 1, 0)), 1, 2, 3, 3, 4);
    }

    [Theory]
    [InlineData("{\"type\":\"Conv1d\",\"inChannels\":1,\"outChannels\":1,\"kernelSize\":3,\"stride\":1,\"paddingRule\":\"half\",\"bias\":true,\"dilation\":1,\"groups\":1,\"paddingMode\":\"zeros\",\"convolutionMode\":\"crossCorrelation\"}", "invalid hyper-parameters")]
    [InlineData("{\"type\":\"Conv1d\",\"inChannels\":1,\"outChannels\":1,\"kernelSize\":3,\"stride\":1,\"padding\":0,\"bias\":true,\"dilation\":1,\"groups\":1,\"paddingMode\":\"mirror\",\"convolutionMode\":\"crossCorrelation\"}", "paddingMode must be one of zeros, reflect, replicate, circular")]
    [InlineData("{\"type\":\"Conv2d\",\"inChannels\":1,\"outChannels\":1,\"kernelSize\":3,\"stride\":1,\"paddingSides\":[1,1,1],\"bias\":true}", "paddingSides needs (before, after) pairs")]
    [InlineData("{\"type\":\"Conv1d\",\"inChannels\":1,\"outChannels\":1,\"kernelSize\":3,\"stride\":1,\"padding\":0,\"bias\":true}", "has no integer field \"dilation\"")]
    [InlineData("{\"type\":\"ReflectionPad2d\",\"padding\":[1,1]}", "padding needs 4 values")]
    [InlineData("{\"type\":\"ConstantPad1d\",\"padding\":[1,1]}", "has no number field \"value\"")]
    public void BadConvolutionArchitecture_ThrowsInvalidDataWithTheReason(string architecture, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture(architecture));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
