// Greedy layer-wise pretraining: each convolution of a stack, trained as a convolutional autoencoder on
// the fixed output of the layers below, reconstructs it better epoch by epoch; only the convolutions
// change (pooling has no weights; the stack's frozen flags and mode come back as they were); the
// pretrained features carry the classes of synthetic shapes well above chance; bad stacks are refused.
using Striate.Data.Synthetic;
using Striate.Features;
using Striate.Layers;

namespace Striate.Tests.Features;

public sealed class LayerwisePretrainingTests
{
    private static readonly ShapesOptions Shapes = new() { Size = 16, MinRadius = 3, MaxRadius = 6 };

    [Fact]
    public void Pretrain_ReconstructionImproves_AndThePretrainedFeaturesClassifyShapes()
    {
        var train = SyntheticShapes.Generate(480, new Rng(1), Shapes).ToClassification();
        var test = SyntheticShapes.Generate(240, new Rng(2), Shapes).ToClassification();
        var stack = RandomFeatures.ConvStack(1, 8, 5, new Rng(3));
        var before = stack.Parameters().Select(p => p.ToArray()).ToList();
        stack.Train();

        var losses = LayerwisePretraining.Pretrain(stack, train.Images, new Rng(4), new LayerwisePretrainingOptions { Epochs = 3, BatchSize = 32 });

        Assert.Equal(2, losses.Count);
        foreach (var layer in losses)
        {
            Assert.Equal(3, layer.Length);
            Assert.True(layer[^1] < 0.8f * layer[0], $"reconstruction should improve: {string.Join(", ", layer)}");
        }
        Assert.True(stack.IsTraining);
        Assert.All(stack.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.All(stack.Parameters().Zip(before), t => Assert.NotEqual(t.Second, t.First.ToArray()));

        var classifier = RandomFeatures.TrainClassifier(stack, train, new Rng(5));
        double accuracy = LinearProbe.Accuracy(new Sequential(stack, new Flatten(), classifier), test.Images, test.Labels);
        Assert.True(accuracy > 0.7, $"pretrained features reach only {accuracy:P1} on shapes (chance 33%)");
    }

    [Fact]
    public void Pretrain_IsDeterministicForASeed()
    {
        var images = SyntheticShapes.Generate(64, new Rng(6), Shapes).Images;
        var first = RandomFeatures.ConvStack(1, 4, 3, new Rng(7));
        var second = RandomFeatures.ConvStack(1, 4, 3, new Rng(7));
        var options = new LayerwisePretrainingOptions { Epochs = 1, BatchSize = 16 };

        var a = LayerwisePretraining.Pretrain(first, images, new Rng(8), options);
        var b = LayerwisePretraining.Pretrain(second, images, new Rng(8), options);

        Assert.Equal(a, b);
        Assert.Equal(first.Parameters().Select(p => p.ToArray()), second.Parameters().Select(p => p.ToArray()));
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var images = Tensor.Zeros(4, 1, 8, 8);
        Assert.Equal("stack", Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(new Sequential(new ReLU()), images, new Rng(0))).ParamName);
        Assert.Equal("stack", Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(new Sequential(new Conv2d(1, 2, 3, stride: 2, padding: 1)), images, new Rng(0))).ParamName);
        Assert.Equal("stack", Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(new Sequential(new Conv2d(1, 2, 3)), images, new Rng(0))).ParamName);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(RandomFeatures.ConvStack(1, 2, 3, new Rng(0)), Tensor.Zeros(8, 8), new Rng(0))).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => LayerwisePretraining.Pretrain(RandomFeatures.ConvStack(1, 2, 3, new Rng(0)), images, new Rng(0), new LayerwisePretrainingOptions { Epochs = 0 })).ParamName);
    }
}
