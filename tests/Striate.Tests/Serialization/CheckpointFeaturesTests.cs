// Checkpoint entries of the feature layers: GaborConv2d (frozen or not, with or without bias),
// GaborComplexCell2d and the k-means encoder survive save/load with the same bank, settings, frozen
// state and output; a malformed bank in the architecture is a clear error.
using Striate.Autograd;
using Striate.Features;
using Striate.Layers;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class CheckpointFeaturesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-ckpt-features-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static GaborBank Bank() =>
        new(7, [new GaborParameters(1.5, 0.1, 0.05, 0.9, Math.PI / 3, 0.5, -1, Math.PI / 7), new GaborParameters(0.3, 0.02, 0.2, 1.7, 0, Tau: 2.1)]);

    private Module RoundTrip(Module model, int[] inputShape)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
        Checkpoint.Save(path, model);
        var loaded = Checkpoint.Load(path).Model;
        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        var x = Tensor.Uniform(new Rng(3), 0, 1, inputShape);
        using (GradMode.NoGrad())
            AssertTensor.BitIdentical(model.Eval().Forward(x).AsSpan(), loaded.Eval().Forward(x).AsSpan(), model.Children[0].Value.TypeName);
        return loaded;
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void GaborConv2d_SaveAndLoad_SameBankFrozenStateAndOutput(bool freeze, bool bias)
    {
        var layer = new GaborConv2d(Bank(), inChannels: 3, padding: 2, stride: 2, freeze: freeze, bias: bias);
        if (bias) layer.Bias!.AsSpan()[1] = 0.25f;           // a trained bias must come back from the tensors
        layer.Weight.AsSpan()[4] += 0.125f;                  // so must refined weights (not the bank's)

        var loaded = (GaborConv2d)RoundTrip(new Sequential(layer), [2, 3, 11, 10]).Children[0].Value;

        Assert.Equal(layer.Bank.Filters, loaded.Bank.Filters);
        Assert.Equal(freeze, loaded.IsFrozen);
        Assert.Equal((3, 2, 2, 7), (loaded.InChannels, loaded.Padding, loaded.Stride, loaded.Bank.Size));
    }

    [Fact]
    public void GaborComplexCell2d_SaveAndLoad_SameBankAndOutput()
    {
        var layer = new GaborComplexCell2d(Bank(), inChannels: 2, padding: 1, stride: 3);

        var loaded = (GaborComplexCell2d)RoundTrip(new Sequential(layer, new ReLU()), [1, 2, 13, 9]).Children[0].Value;

        Assert.Equal(layer.Bank.Filters, loaded.Bank.Filters);
        Assert.All(loaded.Parameters(), p => Assert.False(p.RequiresGrad));
    }

    [Theory]
    [InlineData(KMeansEncoding.Triangle)]
    [InlineData(KMeansEncoding.SoftThreshold)]
    public void KMeansEncoder2d_SaveAndLoad_SameStateAndOutput(KMeansEncoding encoding)
    {
        var images = Tensor.Uniform(new Rng(4), 0, 1, 4, 2, 9, 9);
        var encoder = KMeansFeatures.Fit(images, new Rng(5), new KMeansFeatureOptions { PatchSize = 3, Centroids = 5, Patches = 200, Encoding = encoding, Threshold = 0.3f, NormalizationEpsilon = 0.05f });

        var loaded = (KMeansEncoder2d)RoundTrip(KMeansFeatures.Extractor(encoder), [2, 2, 9, 9]).Children[0].Value;

        Assert.Equal((encoding, 0.3f, 0.05f, 5, 3), (loaded.Encoding, loaded.Threshold, loaded.NormalizationEpsilon, loaded.CentroidCount, loaded.PatchSize));
        Assert.Equal(encoder.CentroidWeights.ToArray(), loaded.CentroidWeights.ToArray());
        Assert.Equal(encoder.Whitening.ToArray(), loaded.Whitening.ToArray());
    }

    [Fact]
    public void MalformedBank_IsAnInvalidDataErrorNamingTheField()
    {
        string path = Path.Combine(_dir, "gabor.safetensors");
        Checkpoint.Save(path, new Sequential(new GaborConv2d(Bank())));
        // Rewrite the architecture's bank text in place (same length: the header size stays valid).
        var bytes = File.ReadAllBytes(path);
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        int at = text.IndexOf("1.5 0.1", StringComparison.Ordinal);
        Assert.True(at > 0);
        System.Text.Encoding.UTF8.GetBytes("x.5 0.1").CopyTo(bytes, System.Text.Encoding.UTF8.GetByteCount(text[..at]));
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));

        Assert.Contains("GaborConv2d", error.Message, StringComparison.Ordinal);
        Assert.Contains("eight numbers", error.Message, StringComparison.Ordinal);
    }
}
