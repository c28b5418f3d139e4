// The C# examples of docs/visualization.md, verbatim, each followed by assertions on the numbers the
// page shows, so the page never shows code that does not compile or results that are not true.
using Striate.Layers;
using Striate.Visualization;

namespace Striate.Tests.Docs;

public class VisualizationDocExamplesTests
{
    [Fact]
    public void ImageGridExample()
    {
        var a = Tensor.FromArray([0f, 1f, 2f, 3f], 2, 2);
        var b = Tensor.FromArray([5f, 5f, 5f, 9f], 2, 2);
        var grid = ImageGrid.Tile([a, b], new GridOptions { Padding = 1 });
        // 2 columns: width 2·(2 + 1) + 1 = 7, height 2 + 2·1 = 4
        // a sits at (1, 1): [[0, 85], [170, 255]];  b at (1, 4): [[0, 0], [0, 255]]

        Assert.Equal((7, 4), (grid.Width, grid.Height));
        Assert.Equal([0, 85, 170, 255], new[] { grid[1, 1, 0], grid[1, 2, 0], grid[2, 1, 0], grid[2, 2, 0] });
        Assert.Equal([0, 0, 0, 255], new[] { grid[1, 4, 0], grid[1, 5, 0], grid[2, 4, 0], grid[2, 5, 0] });
    }

    [Fact]
    public void SaliencyExample_LinearModel()
    {
        var model = new Sequential(new Flatten(), new Linear(4, 2, bias: false));
        ((Linear)model[1]).Weight.AsSpan().Clear();
        ((Linear)model[1]).Weight[1, 2] = -3f;           // class 1 looks at pixel (1, 0) with weight −3
        var image = Tensor.FromArray([0.1f, 0.2f, 0.3f, 0.4f], 1, 2, 2);
        var map = Saliency.Map(model, image, classIndex: 1);
        // map = [[0, 0], [3, 0]]

        Assert.Equal([2, 2], map.Shape);
        Assert.Equal([0f, 0f, 3f, 0f], map.ToArray());
    }

    [Fact]
    public void OcclusionExample_OnePixelModel()
    {
        var net = new Sequential(new Flatten(), new Linear(16, 2, bias: false));
        var w = ((Linear)net[1]).Weight;
        w.AsSpan().Clear();
        w[0, 5] = 1f;                                    // class 0's score is pixel (1, 1)
        var occlusion = Occlusion.Compute(net, Tensor.Ones(1, 4, 4), classIndex: 0, patchSize: 2, stride: 2, fill: 0f);
        // baseline σ(1) ≈ 0.7311; probabilities [[0.5, 0.7311], [0.7311, 0.7311]]: only the patch over (1, 1) matters

        Assert.Equal(0.7311f, occlusion.BaselineProbability, 4);
        Assert.Equal([0.5f, 0.7311f, 0.7311f, 0.7311f], occlusion.Probabilities.ToArray().Select(v => MathF.Round(v, 4)).ToArray());
    }

    [Fact]
    public void GuidedBackpropExample_ThreeRules()
    {
        var identity = new Linear(3, 3, bias: false);
        identity.Weight.AsSpan().Clear();
        for (int i = 0; i < 3; i++) identity.Weight[i, i] = 1f;
        var score = new Linear(3, 1, bias: false);
        new[] { 2f, 3f, -4f }.CopyTo(score.Weight.AsSpan());
        var net = new Sequential(new Flatten(), identity, new ReLU(), score);
        var x = Tensor.FromArray([1f, -1f, 2f], 1, 1, 3);
        var gradient = GuidedBackprop.Compute(net, x, 0, ReluBackwardRule.Gradient);    // [2, 0, −4]
        var deconvnet = GuidedBackprop.Compute(net, x, 0, ReluBackwardRule.Deconvnet);  // [2, 3, 0]
        var guided = GuidedBackprop.Compute(net, x, 0, ReluBackwardRule.Guided);        // [2, 0, 0]

        Assert.Equal([2f, 0f, -4f], gradient.ToArray());
        Assert.Equal([2f, 3f, 0f], deconvnet.ToArray());
        Assert.Equal([2f, 0f, 0f], guided.ToArray());
    }
}
