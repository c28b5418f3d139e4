// The C# examples of docs/features.md, verbatim, each followed by assertions on the numbers the page
// shows, so the page never shows code that does not compile or results that are not true.
using Striate.Data.Synthetic;
using Striate.Features;

namespace Striate.Tests.Docs;

public class FeaturesDocExamplesTests
{
    [Fact]
    public void VerticalEdgeExample_Chapter()
    {
        var image = Tensor.FromArray(new float[,]
        {
            { 10, 10, 10, 0, 0, 0 }, { 10, 10, 10, 0, 0, 0 }, { 10, 10, 10, 0, 0, 0 },
            { 10, 10, 10, 0, 0, 0 }, { 10, 10, 10, 0, 0, 0 }, { 10, 10, 10, 0, 0, 0 },
        }).Reshape(1, 1, 6, 6);
        var edges = ClassicKernels.ToFrozenConv2d([ClassicKernels.VerticalEdge()]);
        var y = edges.Forward(image);
        // every row of y: [0, 30, 30, 0]

        Assert.Equal([1, 1, 4, 4], y.Shape);
        Assert.Equal(Enumerable.Repeat(new[] { 0f, 30f, 30f, 0f }, 4).SelectMany(r => r).ToArray(), y.ToArray());
        Assert.False(edges.Weight.RequiresGrad);
    }

    [Fact]
    public void GaborFormulaExample()
    {
        var p = new GaborParameters(Alpha: 2, BetaX: 0.5, BetaY: 0.25, Frequency: 1, Phase: 0, X0: 1, Y0: -1, Tau: Math.PI / 2);
        double atCentre = Gabor.Evaluate(p, 1, -1);   // α·cos φ = 2
        double nearby = Gabor.Evaluate(p, 1, 0);      // 2·e^−0.5·cos 1 ≈ 0.655420

        Assert.Equal(2.0, atCentre, 12);
        Assert.Equal(0.655420, nearby, 6);
    }

    [Fact]
    public void ComplexCellExample()
    {
        var s0 = Tensor.FromArray([3f, 0f], 2);
        var s1 = Tensor.FromArray([4f, 0f], 2);
        var c = Gabor.ComplexCell(s0, s1);   // [5, 0]

        Assert.Equal([5f, 0f], c.ToArray());
    }

    [Fact]
    public void RandomFeatureSweepExample()
    {
        var shapes = new ShapesOptions { Size = 16, MinRadius = 3, MaxRadius = 6 };
        var train = SyntheticShapes.Generate(450, new Rng(1), shapes).ToClassification();
        var validation = SyntheticShapes.Generate(150, new Rng(2), shapes).ToClassification();
        FeatureArchitecture[] candidates = [new("conv8-k5", (c, rng) => RandomFeatures.ConvStack(c, 8, 5, rng))];
        var ranked = RandomFeatures.Sweep(train, validation, candidates, seedsPerArchitecture: 3, new Rng(3));
        var best = ranked[0];                  // the random network whose trained classifier scored best
        var network = best.ToNetwork();        // (N, 1, 16, 16) → (N, 3); its convolutions are still random
        // best.ValidationAccuracy is well above chance (1/3)

        Assert.Equal(3, ranked.Count);
        Assert.Equal(ranked.Max(c => c.ValidationAccuracy), best.ValidationAccuracy);
        Assert.True(best.ValidationAccuracy > 0.6, $"best random network: {best.ValidationAccuracy:P1}");
        Assert.Equal([2, 3], network.Forward(Tensor.Zeros(2, 1, 16, 16)).Shape);
        Assert.All(best.Features.Parameters(), p => Assert.False(p.RequiresGrad));
    }

    [Fact]
    public void KMeansStepsExample()
    {
        float[] patch = [1, 2, 3, 4];
        KMeansFeatures.NormalizePatches(patch, dim: 4, epsilon: 0.01f);
        // mean 2.5, var 5/3: patch = (x − 2.5)/√(5/3 + 0.01) = [−1.158424, −0.386141, 0.386141, 1.158424]

        float[] points = [0f, 0.2f, 10f, 10.2f];             // four 1-D points, two clusters
        var clusters = KMeansFeatures.KMeans(points, dim: 1, clusters: 2, iterations: 5, new Rng(0));
        // clusters.Centroids, sorted: [0.1, 10.1]

        float[] expected = [-1.158424f, -0.386141f, 0.386141f, 1.158424f];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], patch[i], 5);
        var sorted = clusters.Centroids.Order().ToArray();
        Assert.Equal(0.1f, sorted[0], 5);
        Assert.Equal(10.1f, sorted[1], 5);
    }

    [Fact]
    public void KMeansPipelineExample()
    {
        var shapeOptions = new ShapesOptions { Size = 16, MinRadius = 3, MaxRadius = 6 };
        var shapes = SyntheticShapes.Generate(600, new Rng(8), shapeOptions);
        var unseen = SyntheticShapes.Generate(300, new Rng(9), shapeOptions);
        var encoder = KMeansFeatures.Fit(shapes.Images, new Rng(10), new KMeansFeatureOptions { PatchSize = 5, Centroids = 32, Patches = 5000 });
        var extractor = KMeansFeatures.Extractor(encoder);                      // (N, 1, 16, 16) → (N, 32·4)
        var classifier = LinearProbe.Train(LinearProbe.ExtractFeatures(extractor, shapes.Images), shapes.Labels, 3, new Rng(11));
        double accuracy = LinearProbe.Accuracy(classifier, LinearProbe.ExtractFeatures(extractor, unseen.Images), unseen.Labels);
        // accuracy > 0.8: far above chance (1/3), with no gradient ever reaching the 32 kernels

        Assert.True(accuracy > 0.8, $"k-means pipeline: {accuracy:P1}");
        Assert.Equal([1, 128], extractor.Forward(Tensor.Zeros(1, 1, 16, 16)).Shape);
        Assert.Equal([32, 25], encoder.CentroidWeights.Shape);
    }
}
