// Every zoo model learns: a few SGD steps on one tiny batch of noisy images with a visible label drive the loss down (the
// ImageNet models at a reduced input; they also run forward and backward once in ZooTorchvisionTests and PaperModelsTests); with a
// fixed seed the losses are identical across runs; a trained model saves and loads to the same output.
using Striate.Autograd;
using Striate.Models;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Models;

public sealed class ZooTrainingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-zoo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("lenet5", 1, 28, 0.1f, false)]
    [InlineData("lenet5-classic", 1, 32, 0.2f, false)]
    [InlineData("nin-cifar", 3, 12, 0.01f, true)]
    [InlineData("resnet20", 1, 16, 0.05f, false)]
    [InlineData("resnet56", 3, 12, 0.05f, false)]
    public void SmallModel_LossFallsOnATinyBatch(string name, int channels, int size, float lr, bool withoutDropout)
    {
        var model = ModelZoo.Create(name, new Rng(3), 4, [channels, size, size]);

        float[] losses = ZooTraining.Overfit(model, channels, size, classes: 4, batch: 4, steps: 12, lr, withoutDropout);

        Assert.All(losses, l => Assert.True(float.IsFinite(l), $"{name}: losses {string.Join(", ", losses)}"));
        Assert.True(losses[^1] < 0.7f * losses[0], $"{name}: the loss should fall by 30% in 12 steps: {string.Join(", ", losses)}");
    }

    // The ImageNet models at a reduced input and 4 classes (VGG as its convolutional features with a small head: its 102 M-weight
    // first classifier layer, identical for every depth, would only make the step slow). Dropout stays off, as above. AlexNet and
    // ZFNet (eight plain layers at PyTorch's default init) barely move in 12 SGD steps (measured: −0.1% to −3%), so they use Adam.
    [Theory]
    [InlineData("alexnet", 64, 1e-4f, true)]
    [InlineData("alexnet-two-tower", 64, 1e-4f, true)]
    [InlineData("zfnet-384", 64, 1e-4f, true)]
    [InlineData("vgg11-bn", 32, 0.05f, false)]
    [InlineData("nin", 64, 0.002f, false)]
    [InlineData("resnet18", 32, 0.05f, false)]
    [InlineData("resnet50", 32, 0.01f, false)]
    public void LargeModel_LossFallsOnATinyBatchAtAReducedInput(string name, int size, float lr, bool adam)
    {
        var model = name == "vgg11-bn"
            ? new Striate.Layers.Sequential(Vgg.Features(11, batchNorm: true, rng: new Rng(3)), new Striate.Layers.GlobalAvgPool(), new Striate.Layers.Linear(512, 4, rng: new Rng(4)))
            : ModelZoo.Create(name, new Rng(3), 4, [3, size, size]);

        float[] losses = ZooTraining.Overfit(model, 3, size, classes: 4, batch: 4, steps: 12, lr, withoutDropout: true, adam);

        Assert.All(losses, l => Assert.True(float.IsFinite(l), $"{name}: losses {string.Join(", ", losses)}"));
        Assert.True(losses[^1] < 0.7f * losses[0], $"{name}: the loss should fall by 30% in 12 steps: {string.Join(", ", losses)}");
    }

    [Fact]
    public void GoogLeNet_AuxiliaryLossesTrainTheWholeNetwork()
    {
        var model = GoogLeNet.Create(classes: 4, rng: new Rng(3));

        float[] losses = ZooTraining.Overfit(model, 3, 24, classes: 2, batch: 2, steps: 4, lr: 0.02f);

        Assert.True(losses[^1] < losses[0], $"googlenet: {string.Join(", ", losses)}");
    }

    [Fact]
    public void Training_WithTheSameSeed_GivesBitIdenticalLosses()
    {
        float[] first = ZooTraining.Overfit(ModelZoo.Create("resnet20", new Rng(9), 4, [1, 12, 12]), 1, 12, 4, 4, 3, 0.05f);
        float[] second = ZooTraining.Overfit(ModelZoo.Create("resnet20", new Rng(9), 4, [1, 12, 12]), 1, 12, 4, 4, 3, 0.05f);
        Assert.Equal(first, second);
    }

    [Theory]
    [InlineData("lenet5-classic", 1, 32)]
    [InlineData("resnet20", 3, 16)]
    [InlineData("nin-cifar", 3, 16)]
    [InlineData("googlenet", 3, 24)]
    public void TrainedModel_SavesAndLoadsToTheSameOutput(string name, int channels, int size)
    {
        var model = ModelZoo.Create(name, new Rng(4), 5, [channels, size, size]);
        ZooTraining.Overfit(model, channels, size, 5, 2, 1, 0.01f); // moves the weights and the batch-norm statistics
        string path = Path.Combine(_dir, name + ".safetensors");
        Checkpoint.Save(path, model, new Dictionary<string, string> { ["model"] = name });

        var loaded = Checkpoint.Load(path);

        Assert.Equal(model.GetType(), loaded.Model.GetType());
        var x = Tensor.Normal(new Rng(5), 0, 1, 2, channels, size, size);
        using (GradMode.NoGrad())
            AssertTensor.BitIdentical(model.Eval().Forward(x).AsSpan(), loaded.Model.Eval().Forward(x).AsSpan(), $"{name} logits after reload");
    }
}
