// The zoo models torchvision does not have, against their papers: parameter counts derived by hand
// from the layer tables, the feature-map sizes of the papers' figures, multiply-accumulates, and one
// forward and backward pass at a small input (built once per test: the weights are the slow part).
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;

namespace Striate.Tests.Models;

public class PaperModelsTests
{
    // (out, in, kernel) → weights + biases
    private static long Conv(long k, long c, long r) => k * c * r * r + k;

    private static long Fc(long inFeatures, long outFeatures) => inFeatures * outFeatures + outFeatures;

    private static string[] Shapes(ModelSummary summary, params string[] types) =>
        [.. summary.Layers.Where(r => types.Contains(r.Type)).Select(r => string.Join(',', r.OutputShape.Skip(1)))];

    [Fact]
    public void ZfNet_Wide_HasTheChaptersVolumes()
    {
        var model = ModelZoo.Create("zfnet", new Rng(1), 1000);
        long expected = Conv(96, 3, 7) + Conv(256, 96, 5) + Conv(512, 256, 3) + Conv(1024, 512, 3) + Conv(512, 1024, 3)
            + Fc(512 * 36, 4096) + Fc(4096, 4096) + Fc(4096, 1000);
        Assert.Equal(107_627_624, expected);
        Assert.Equal(expected, model.ParameterCount());

        var summary = model.Summarize(3, 224, 224);
        // The chapter's table: 55×55×96 after conv 7×7/2 + pool, 13×13×256 after conv 5×5/2 + pool, 13×13×512, ×1024, ×512.
        Assert.Equal(["96,110,110", "96,55,55", "256,26,26", "256,13,13", "512,13,13", "1024,13,13", "512,13,13", "512,6,6", "512,6,6"],
            Shapes(summary, "Conv2d", "MaxPool2d", "AdaptiveAvgPool2d"));
        Assert.Equal(2, summary.Layers.Count(r => r.Type == "LocalResponseNorm"));
        Assert.Equal([1, 1000], summary.OutputShape);
        ZooTraining.ForwardBackwardOnce(model, 3, 64, 1000, "zfnet");
    }

    [Fact]
    public void ZfNet_PaperWidths_Are384_384_256()
    {
        var model = ZfNet.Create(classes: 10, wide: false, rng: new Rng(1));
        long expected = Conv(96, 3, 7) + Conv(256, 96, 5) + Conv(384, 256, 3) + Conv(384, 384, 3) + Conv(256, 384, 3)
            + Fc(256 * 36, 4096) + Fc(4096, 4096) + Fc(4096, 10);
        Assert.Equal(expected, model.ParameterCount());
        Assert.Equal(62_357_608 - Fc(4096, 1000) + Fc(4096, 10), expected);
        var summary = model.Summarize(3, 224, 224);
        Assert.Equal(["96,110,110", "256,26,26", "384,13,13", "384,13,13", "256,13,13"], Shapes(summary, "Conv2d"));
        ZooTraining.ForwardBackwardOnce(model, 3, 64, 10, "zfnet-384");
    }

    [Fact]
    public void AlexNetTwoTower_HasThePapersGroupedLayersAndCount()
    {
        var model = ModelZoo.Create("alexnet-two-tower", new Rng(1), 1000);
        // conv2, conv4, conv5 read only their own tower's half of the maps (groups 2); conv3 reads both.
        long expected = Conv(96, 3, 11) + Conv(256, 48, 5) + Conv(384, 256, 3) + Conv(384, 192, 3) + Conv(256, 192, 3)
            + Fc(9216, 4096) + Fc(4096, 4096) + Fc(4096, 1000);
        Assert.Equal(60_965_224, expected);
        Assert.Equal(expected, model.ParameterCount());

        var summary = model.Summarize(3, 224, 224);
        Assert.Equal(["96,55,55", "96,27,27", "256,27,27", "256,13,13", "384,13,13", "384,13,13", "256,13,13", "256,6,6"],
            Shapes(summary, "Conv2d", "MaxPool2d"));
        Assert.Equal([1, 2, 1, 2, 2], summary.Layers.Where(r => r.Type == "Conv2d").Select(r => r.Description.Contains("groups 2", StringComparison.Ordinal) ? 2 : 1));
        Assert.Equal(2, summary.Layers.Count(r => r.Type == "LocalResponseNorm"));
        // Half the multiply-accumulates of the grouped layers go away: 105.4 M + 223.9 M + 149.5 M + 112.1 M + 74.8 M + 58.6 M.
        Assert.Equal(96L * 55 * 55 * 3 * 121 + 256L * 27 * 27 * 48 * 25 + 384L * 169 * 256 * 9 + 384L * 169 * 192 * 9 + 256L * 169 * 192 * 9
            + 9216L * 4096 + 4096L * 4096 + 4096L * 1000, summary.TotalMultiplyAccumulates);
        ZooTraining.ForwardBackwardOnce(model, 3, 64, 1000, "alexnet-two-tower");
    }

    [Fact]
    public void Nin_ImageNet_MlpconvBlocksAndGlobalAveragePooling()
    {
        var model = ModelZoo.Create("nin", new Rng(1), 1000);
        long expected = Conv(96, 3, 11) + 2 * Conv(96, 96, 1) + Conv(256, 96, 5) + 2 * Conv(256, 256, 1) + Conv(384, 256, 3) + 2 * Conv(384, 384, 1)
            + Conv(1024, 384, 3) + Conv(1024, 1024, 1) + Conv(1000, 1024, 1);
        Assert.Equal(7_595_176, expected);
        Assert.Equal(expected, model.ParameterCount());

        var summary = model.Summarize(3, 224, 224);
        Assert.Equal(["96,54,54", "96,27,27", "256,27,27", "256,13,13", "384,13,13", "384,6,6", "1000,6,6"],
            Shapes(summary, "MaxPool2d", "Conv2d").Where((_, i) => i is 0 or 3 or 4 or 7 or 8 or 11 or 14).ToArray());
        Assert.DoesNotContain(summary.Layers, r => r.Type == "Linear");
        Assert.Equal([1, 1000], summary.OutputShape);
        ZooTraining.ForwardBackwardOnce(model, 3, 64, 1000, "nin");
    }

    [Fact]
    public void Nin_Cifar_ThePapersCifarModel()
    {
        var model = ModelZoo.Create("nin-cifar", new Rng(1), 10);
        long expected = Conv(192, 3, 5) + Conv(160, 192, 1) + Conv(96, 160, 1) + Conv(192, 96, 5) + 2 * Conv(192, 192, 1)
            + Conv(192, 192, 3) + Conv(192, 192, 1) + Conv(10, 192, 1);
        Assert.Equal(966_986, expected);
        Assert.Equal(expected, model.ParameterCount());
        var summary = model.Summarize(3, 32, 32);
        Assert.Equal(["96,16,16", "192,8,8"], Shapes(summary, "MaxPool2d", "AvgPool2d"));
        Assert.Equal([1, 10], summary.OutputShape);
        Assert.Equal([1, 10], ModelZoo.Create("nin-cifar", new Rng(1), 10, [1, 28, 28]).Summarize(1, 28, 28).OutputShape);
        ZooTraining.ForwardBackwardOnce(model, 3, 32, 10, "nin-cifar");
    }

    [Theory]
    [InlineData(20, 3, 269_722, 40_551_040)]
    [InlineData(56, 9, 853_018, 125_485_696)]
    public void CifarResNet_6nPlus2Layers(int depth, int n, long parameters, long macs)
    {
        var model = ResNet.Cifar(depth, rng: new Rng(1));
        // conv 3×3 16 + BN; per stage n blocks of two 3×3 convs + BNs; option A shortcuts have no parameters; linear 64→10.
        long expected = 3 * 16 * 9 + 32
            + n * 2 * (16 * 16 * 9 + 32)
            + (16 * 32 * 9 + 32 * 32 * 9 + 128) + (n - 1) * 2 * (32 * 32 * 9 + 64)
            + (32 * 64 * 9 + 64 * 64 * 9 + 256) + (n - 1) * 2 * (64 * 64 * 9 + 128)
            + Fc(64, 10);
        Assert.Equal(parameters, expected);
        Assert.Equal(expected, model.ParameterCount());
        Assert.Equal(6 * n + 2, model.Layers.Sum(l => ModelInit.Descendants(l).Count(m => m is Conv2d or Linear)));

        var summary = model.Summarize(3, 32, 32);
        Assert.Equal(macs, summary.TotalMultiplyAccumulates);
        Assert.Equal(["16,32,32", "32,16,16", "64,8,8"], Shapes(summary, "ReLU").Distinct().ToArray());
        Assert.Equal([1, 10], summary.OutputShape);
        ZooTraining.ForwardBackwardOnce(model, 3, 16, 10, $"resnet{depth}");
    }

    [Fact]
    public void CifarResNet_OptionA_PadsChannelsWithZerosAndSubsamples()
    {
        var model = ResNet.Cifar(20, rng: new Rng(1));
        var firstOfStage2 = (Residual)((Sequential)((Sequential)model[4])[0])[0];
        var shortcut = Assert.IsType<Sequential>(firstOfStage2.Shortcut);
        Assert.Equal(0, shortcut.ParameterCount());
        var x = Tensor.Normal(new Rng(3), 0, 1, 1, 16, 4, 4);
        var y = shortcut.Forward(x);
        Assert.Equal([1, 32, 2, 2], y.Shape);
        Assert.Equal(x.ToArray()[0], y.ToArray()[0]);                 // channel 0, pixel (0, 0)
        Assert.Equal(x.ToArray()[2], y.ToArray()[1]);                 // pixel (0, 2) → (0, 1): every other pixel
        Assert.All(y.ToArray()[(16 * 4)..], v => Assert.Equal(0f, v)); // channels 16–31 are zeros

        var projected = ResNet.Cifar(20, shortcut: CifarShortcut.Projection, rng: new Rng(1));
        Assert.Equal(269_722 + (16 * 32 + 64) + (32 * 64 + 128), projected.ParameterCount());
        Assert.Equal("depth", Assert.Throws<ArgumentException>(() => ResNet.Cifar(21)).ParamName);
    }

    [Fact]
    public void ResNet_ImageNetDepths_AndBadArguments()
    {
        Assert.Equal([18, 34, 50, 101, 152], ResNet.Depths);
        Assert.Equal("depth", Assert.Throws<ArgumentException>(() => ResNet.Create(19)).ParamName);
        Assert.Equal("layers", Assert.Throws<ArgumentException>(() => ResNet.Create(ResNetBlock.Basic, [2, 0])).ParamName);
        Assert.Equal("depth", Assert.Throws<ArgumentException>(() => Vgg.Create(17)).ParamName);
        // A two-stage basic ResNet: stem 9,408 + 128, stage 1 two blocks of 2·(36,864 + 128), stage 2 (73,728 + 147,456 + 8,192 + 3·256)
        // + (2·147,456 + 2·256), linear 128·5 + 5.
        var small = ResNet.Create(ResNetBlock.Basic, [2, 2], classes: 5, rng: new Rng(1));
        Assert.Equal(9_408 + 128 + 2 * 2 * (36_864 + 128) + (73_728 + 147_456 + 8_192 + 3 * 256) + (2 * 147_456 + 2 * 256) + 128 * 5 + 5, small.ParameterCount());
        Assert.Equal([1, 5], small.Summarize(3, 64, 64).OutputShape);
    }

    [Fact]
    public void EveryZooModel_HasACheckpointArchitecture()
    {
        // The big ones are described in their own tests (building them is slow); here the small ones rebuild from their description.
        foreach (string name in (string[])["lenet5", "lenet5-classic", "nin-cifar", "resnet20", "resnet56"])
        {
            var model = ModelZoo.Create(name, new Rng(1));
            string architecture = Checkpoint.DescribeArchitecture(model);
            var rebuilt = Checkpoint.BuildArchitecture(architecture);
            Assert.Equal(architecture, Checkpoint.DescribeArchitecture(rebuilt));
            Assert.Equal(model.NamedParameters().Select(p => (p.Key, string.Join(',', p.Value.Shape))), rebuilt.NamedParameters().Select(p => (p.Key, string.Join(',', p.Value.Shape))));
        }
    }
}
