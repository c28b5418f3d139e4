// The C# examples of docs/features.md, verbatim, each followed by assertions on the numbers the page
// shows, so the page never shows code that does not compile or results that are not true.
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
}
