// Random features and the linear probe: the classifier trained on fixed features (standardisation
// folded into a plain Linear), random conv stacks whose weights stay at their initialisation while
// only the classifier learns, and the chapter's sweep that ranks several random networks on held-out
// data — all well above chance on synthetic shapes, and deterministic for a seed.
using Striate.Data;
using Striate.Data.Synthetic;
using Striate.Features;
using Striate.Layers;

namespace Striate.Tests.Features;

public sealed class RandomFeaturesTests
{
    private static readonly ShapesOptions Shapes = new() { Size = 16, MinRadius = 3, MaxRadius = 6 };

    private static ClassificationDataset ShapeSet(int count, ulong seed) => SyntheticShapes.Generate(count, new Rng(seed), Shapes).ToClassification();

    [Fact]
    public void LinearProbe_FoldedStandardisation_GivesTheSameLogitsAsStandardisedFeatures()
    {
        // Two well-separated classes along feature 0, on wildly different scales; feature 2 is constant.
        var rng = new Rng(1);
        const int n = 200;
        var x = new float[n * 3];
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            labels[i] = i % 2;
            x[3 * i] = 1000 + (labels[i] == 0 ? -50 : 50) + 10 * rng.NextSingle();
            x[3 * i + 1] = 0.001f * rng.NextSingle();
            x[3 * i + 2] = 7;
        }
        var features = Tensor.FromArray(x, n, 3);

        var classifier = LinearProbe.Train(features, labels, 2, new Rng(2), new LinearProbeOptions { Epochs = 30 });

        Assert.Equal(1.0, LinearProbe.Accuracy(classifier, features, labels));
        Assert.Equal(0f, classifier.Weight.AsSpan()[2]); // the constant feature is dropped, not divided by σ = 0
        Assert.Equal(0f, classifier.Weight.AsSpan()[5]);
    }

    [Fact]
    public void ConvStack_ShapesAndTheTrainedClassifier_LeaveTheConvolutionsAtTheirInitialisation()
    {
        var stack = RandomFeatures.ConvStack(1, 8, 5, new Rng(3));
        var before = stack.Parameters().Select(p => p.ToArray()).ToList();
        var train = ShapeSet(300, 4);

        var classifier = RandomFeatures.TrainClassifier(stack, train, new Rng(5));

        Assert.Equal([2, 16, 4, 4], stack.Forward(Tensor.Zeros(2, 1, 16, 16)).Shape);
        Assert.Equal((16 * 4 * 4, 3), (classifier.InFeatures, classifier.OutFeatures));
        Assert.All(stack.Parameters(), p => Assert.False(p.RequiresGrad));
        Assert.Equal(before, stack.Parameters().Select(p => p.ToArray()).ToList());
        Assert.All(RandomFeatures.Unfreeze(stack).Parameters(), p => Assert.True(p.RequiresGrad));
    }

    [Fact]
    public void Sweep_RanksRandomNetworksOnHeldOutData_AndTheBestIsWellAboveChance()
    {
        var train = ShapeSet(450, 6);
        var validation = ShapeSet(150, 7);
        var test = ShapeSet(300, 8);
        FeatureArchitecture[] architectures =
        [
            new("conv4-k3", (c, rng) => RandomFeatures.ConvStack(c, 4, 3, rng)),
            new("conv8-k5", (c, rng) => RandomFeatures.ConvStack(c, 8, 5, rng)),
        ];

        var candidates = RandomFeatures.Sweep(train, validation, architectures, seedsPerArchitecture: 2, new Rng(9));

        Assert.Equal(4, candidates.Count);
        Assert.Equal(2, candidates.Count(c => c.Architecture == "conv8-k5"));
        for (int i = 1; i < candidates.Count; i++) Assert.True(candidates[i - 1].ValidationAccuracy >= candidates[i].ValidationAccuracy);
        var best = candidates[0].ToNetwork();
        double accuracy = LinearProbe.Accuracy(best, test.Images, test.Labels);
        Assert.True(accuracy > 0.7, $"the best random network reaches only {accuracy:P1} on shapes (chance 33%)");

        var again = RandomFeatures.Sweep(train, validation, architectures, 2, new Rng(9));
        Assert.Equal(candidates.Select(c => (c.Architecture, c.Seed, c.ValidationAccuracy)), again.Select(c => (c.Architecture, c.Seed, c.ValidationAccuracy)));
    }

    [Fact]
    public void DefaultArchitectures_AreTheFourConvStacks()
    {
        Assert.Equal(["conv16-k3", "conv16-k5", "conv32-k3", "conv32-k5"], RandomFeatures.DefaultArchitectures.Select(a => a.Name));
        var stack = RandomFeatures.DefaultArchitectures[3].Build(1, new Rng(0));
        Assert.Equal([1, 64, 7, 7], stack.Forward(Tensor.Zeros(1, 1, 28, 28)).Shape);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var shapes = ShapeSet(12, 10);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => RandomFeatures.ConvStack(1, 4, 4, new Rng(0))).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => RandomFeatures.ConvStack(1, 0, 3, new Rng(0))).ParamName);
        Assert.Equal("seedsPerArchitecture", Assert.Throws<ArgumentOutOfRangeException>(() => RandomFeatures.Sweep(shapes, shapes, null, 0, new Rng(0))).ParamName);
        Assert.Equal("architectures", Assert.Throws<ArgumentException>(() => RandomFeatures.Sweep(shapes, shapes, [], 1, new Rng(0))).ParamName);
        var other = SyntheticShapes.Generate(3, new Rng(1), Shapes with { Size = 12, MaxRadius = 5 }).ToClassification();
        Assert.Equal("validation", Assert.Throws<ArgumentException>(() => RandomFeatures.Sweep(shapes, other, null, 1, new Rng(0))).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => LinearProbe.Train(Tensor.Zeros(3, 2), [0, 1], 2, new Rng(0))).ParamName);
        Assert.Equal("labels", Assert.Throws<ArgumentException>(() => LinearProbe.Train(Tensor.Zeros(2, 2), [0, 5], 2, new Rng(0))).ParamName);
        Assert.Equal("features", Assert.Throws<ArgumentException>(() => LinearProbe.Train(Tensor.Zeros(2), [0, 1], 2, new Rng(0))).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => LinearProbe.Train(Tensor.Zeros(2, 2), [0, 1], 2, new Rng(0), new LinearProbeOptions { Epochs = 0 })).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => LinearProbe.Train(Tensor.Zeros(2, 2), [0, 0], 1, new Rng(0))).ParamName);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => LinearProbe.ExtractFeatures(new ReLU(), Tensor.Zeros(4, 4))).ParamName);
    }
}
