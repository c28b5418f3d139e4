// GoogLeNet and its auxiliary classifiers: inception modules concatenate four branches to the paper's
// widths; the auxiliary heads run in training mode only, their logits reach the loss with weight 0.3
// and their gradient reaches the lower layers; the container checks its arguments and round-trips.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Models;

public sealed class GoogLeNetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-googlenet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Inception_ConcatenatesItsFourBranches()
    {
        var module = GoogLeNet.Inception(192, 64, 96, 128, 16, 32, 32, 3, new Rng(1));
        var summary = module.Summarize(192, 28, 28);
        var block = Assert.Single(summary.Rows);
        Assert.Equal([1, 256, 28, 28], block.OutputShape); // 64 + 128 + 32 + 32, paper Table 1 (3a)
        Assert.Equal(["0.0", "1.0.0", "1.1.0", "2.0.0", "2.1.0", "3.0", "3.1.0"],
            block.Children.Where(r => r.Type is "Conv2d" or "MaxPool2d").Select(r => r.Name));
        // 1×1: 192·64, 1×1→3×3: 192·96 + 96·128·9, 1×1→3×3: 192·16 + 16·32·9, pool→1×1: 192·32; BN: 2 per channel of every conv.
        long weights = 192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 9 + 192 * 32;
        long batchNorm = 2 * (64 + 96 + 128 + 16 + 32 + 32);
        Assert.Equal(weights + batchNorm, module.ParameterCount());
        Assert.Equal(weights * 28 * 28, block.MultiplyAccumulates);
        // The paper's 5×5 in the third branch adds 16·32·(25 − 9) weights.
        Assert.Equal(weights + 16 * 32 * (25 - 9) + batchNorm, GoogLeNet.Inception(192, 64, 96, 128, 16, 32, 32, 5, new Rng(1)).ParameterCount());
    }

    [Fact]
    public void AuxiliaryClassifiers_RunInTrainingModeOnly()
    {
        var model = Assert.IsType<AuxiliaryClassifierNet>(GoogLeNet.Create(classes: 7, rng: new Rng(2)));
        Assert.Equal([8, 11], model.Taps); // after inception 4a and 4d
        var x = Tensor.Normal(new Rng(3), 0, 1, 2, 3, 32, 32);

        model.Train();
        var logits = model.Forward(x);
        Assert.Equal([2, 7], logits.Shape);
        Assert.Equal(2, model.AuxiliaryOutputs.Count);
        Assert.All(model.AuxiliaryOutputs, a => Assert.Equal([2, 7], a.Shape));

        model.Eval();
        using (GradMode.NoGrad()) model.Forward(x);
        Assert.Empty(model.AuxiliaryOutputs);
        Assert.Equal(6_624_904 - 1025 * 1000 + 1025 * 7, model.Main.ParameterCount());
        Assert.IsType<Sequential>(GoogLeNet.Create(classes: 7, auxiliaryClassifiers: false, rng: new Rng(2)));
    }

    private static AuxiliaryClassifierNet Tiny(Rng rng) => new(
        new Sequential(new Conv2d(1, 3, 3, rng: rng), new ReLU(), new Flatten(), new Linear(3 * 4 * 4, 2, rng: rng)),
        [1], [new Sequential(new Flatten(), new Linear(3 * 4 * 4, 2, rng: rng))], auxiliaryLossWeight: 0.3f);

    [Fact]
    public void Loss_IsCrossEntropyPlusWeightedAuxiliaryCrossEntropy()
    {
        var model = Tiny(new Rng(4));
        var x = Tensor.Normal(new Rng(5), 0, 1, 3, 1, 6, 6);
        int[] labels = [0, 1, 1];

        var logits = model.Forward(x);
        var loss = model.Loss(logits, labels);

        double expected = Functional.CrossEntropy(logits, labels).Item() + 0.3 * Functional.CrossEntropy(model.AuxiliaryOutputs[0], labels).Item();
        Assert.Equal(expected, loss.Item(), 1e-6);
        loss.Backward();
        // The head's gradient flows into the shared convolution too: compare with the main loss alone.
        Assert.NotNull(model.Heads[0].Parameters().First().Grad);
        var both = model.Main[0].Parameters().First().Grad!.ToArray();
        model.ZeroGrad();
        Functional.CrossEntropy(model.Forward(x), labels).Backward();
        Assert.NotEqual(both, model.Main[0].Parameters().First().Grad!.ToArray());
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var rng = new Rng(6);
        var main = new Sequential(new ReLU(), new ReLU());
        Assert.Equal("taps", Assert.Throws<ArgumentException>(() => new AuxiliaryClassifierNet(main, [0, 1], [new ReLU()])).ParamName);
        Assert.Equal("taps", Assert.Throws<ArgumentException>(() => new AuxiliaryClassifierNet(main, [2], [new ReLU()])).ParamName);
        Assert.Equal("auxiliaryLossWeight", Assert.Throws<ArgumentException>(() => new AuxiliaryClassifierNet(main, [0], [new ReLU()], -1f)).ParamName);
        var model = Tiny(rng);
        var e = Assert.Throws<LayerInputException>(() => model.Forward(Tensor.Zeros(1, 2, 6, 6)));
        Assert.StartsWith("Layer main.0 (Conv2d)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Checkpoint_RoundTrip_KeepsTapsWeightAndHeads()
    {
        var model = Tiny(new Rng(7));
        string path = Path.Combine(_dir, "tiny.safetensors");
        Checkpoint.Save(path, model);

        var loaded = Assert.IsType<AuxiliaryClassifierNet>(Checkpoint.Load(path).Model);

        Assert.Equal([1], loaded.Taps);
        Assert.Equal(0.3f, loaded.AuxiliaryLossWeight);
        Assert.Equal(model.NamedParameters().Select(p => p.Key), loaded.NamedParameters().Select(p => p.Key));
        var x = Tensor.Normal(new Rng(8), 0, 1, 2, 1, 6, 6);
        var y0 = model.Forward(x);
        var y1 = loaded.Forward(x);
        AssertTensor.BitIdentical(y0.AsSpan(), y1.AsSpan(), "main logits after reload");
        AssertTensor.BitIdentical(model.AuxiliaryOutputs[0].AsSpan(), loaded.AuxiliaryOutputs[0].AsSpan(), "auxiliary logits after reload");
    }
}
