using Striate.Layers;
using Striate.Training;

namespace Striate.Tests.Training;

public class GradientClippingTests
{
    private static Tensor WithGrad(float[] values, float[] grad)
    {
        var p = Tensor.FromArray(values, values.Length);
        p.RequiresGrad = true;
        (p * Tensor.FromArray(grad, grad.Length)).Sum().Backward(); // dL/dp = grad
        return p;
    }

    [Fact]
    public void ClipGradNorm_AboveMax_ScalesToMaxAndReturnsOriginalNorm()
    {
        // ‖(3, 4)‖ = 5, ‖(12)‖ = 12 → joint norm 13 (a 5-12-13 triangle): clipped to 6.5 halves everything.
        var a = WithGrad([0f, 0f], [3f, 4f]);
        var b = WithGrad([0f], [12f]);

        double norm = GradientClipping.ClipGradNorm([a, b], maxNorm: 6.5f);

        Assert.Equal(13.0, norm, 5);
        Assert.Equal([1.5f, 2f], a.Grad!.ToArray().Select(v => MathF.Round(v, 5)));
        Assert.Equal(6f, b.Grad!.ToArray()[0], 4);
    }

    [Fact]
    public void ClipGradNorm_BelowMax_LeavesGradients()
    {
        var a = WithGrad([0f, 0f], [3f, 4f]);

        Assert.Equal(5.0, GradientClipping.ClipGradNorm([a], maxNorm: 10f), 5);
        Assert.Equal([3f, 4f], a.Grad!.ToArray());
    }

    [Fact]
    public void ClipGradNorm_InfinityNorm_UsesLargestMagnitude()
    {
        var a = WithGrad([0f, 0f, 0f], [1f, -8f, 2f]);

        Assert.Equal(8.0, GradientClipping.ClipGradNorm([a], maxNorm: 4f, normType: float.PositiveInfinity), 5);
        Assert.Equal(-4f, a.Grad!.ToArray()[1], 4);
    }

    [Fact]
    public void ClipGradValue_ClampsEachElement()
    {
        var a = WithGrad([0f, 0f, 0f], [0.5f, -3f, 7f]);

        GradientClipping.ClipGradValue([a], 1f);

        Assert.Equal([0.5f, -1f, 1f], a.Grad!.ToArray());
    }

    [Fact]
    public void FindNonFiniteGradient_NamesTheFirstBadParameter()
    {
        var model = new Sequential(new Linear(2, 2, rng: new Rng(1)), new Linear(2, 1, rng: new Rng(2)));
        model.Forward(Tensor.Ones(1, 2)).Sum().Backward();
        Assert.Null(GradientClipping.FindNonFiniteGradient(model));

        model.NamedParameters().First(p => p.Key == "1.weight").Value.Grad!.AsSpan()[1] = float.NaN;

        var found = GradientClipping.FindNonFiniteGradient(model);
        Assert.NotNull(found);
        Assert.Equal("1.weight", found.Value.Name);
        Assert.True(float.IsNaN(found.Value.Value));
    }

    [Theory]
    [InlineData(-1f, 2f)]
    [InlineData(1f, 0f)]
    public void ClipGradNorm_BadArguments_Throw(float maxNorm, float normType)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGradNorm([], maxNorm, normType));
    }
}
