using Striate.Layers;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class OcclusionTests
{
    /// <summary>Class 0's score is the mean of rows 1–2, columns 3–4 of a 6×6 image; class 1's is 0.</summary>
    private static Sequential RegionModel()
    {
        var linear = new Linear(36, 2, rng: new Rng(1));
        linear.Weight.AsSpan().Clear();
        linear.Bias!.AsSpan().Clear();
        foreach (int r in new[] { 1, 2 })
            foreach (int c in new[] { 3, 4 }) linear.Weight[0, r * 6 + c] = 0.25f;
        return new Sequential(new Flatten(), linear);
    }

    [Fact]
    public void Compute_RegionModel_DropsExactlyWhereThePatchCoversTheRegion()
    {
        var image = Tensor.Ones(1, 6, 6);
        var map = Occlusion.Compute(RegionModel(), image, classIndex: 0, patchSize: 2, stride: 1, fill: 0f, batchSize: 7);

        Assert.Equal(1 / (1 + MathF.Exp(-1)), map.BaselineProbability, 6);
        Assert.Equal([5, 5], map.Probabilities.Shape);
        var drop = map.Drop();
        for (int p = 0; p < 5; p++)
            for (int q = 0; q < 5; q++)
            {
                // The patch rows p..p+1 and columns q..q+1 overlap rows 1–2 and columns 3–4?
                int covered = Enumerable.Range(p, 2).Count(r => r is 1 or 2) * Enumerable.Range(q, 2).Count(c => c is 3 or 4);
                float expected = 1 / (1 + MathF.Exp(-(1 - covered * 0.25f)));
                Assert.Equal(expected, map.Probabilities[p, q], 6);
                Assert.Equal(covered > 0, drop[p, q] > 0);
            }
        // Fully covered at (1, 3): the score falls to 0, probability to one half.
        Assert.Equal(0.5f, map.Probabilities[1, 3], 6);
    }

    [Theory]
    [InlineData(6, 6, 2, 1)]
    [InlineData(7, 5, 3, 2)]
    [InlineData(9, 8, 4, 3)]
    [InlineData(5, 5, 5, 1)]
    [InlineData(8, 6, 1, 4)]
    public void Compute_OutputSize_IsFloorOfRemainingOverStridePlusOne(int h, int w, int k, int s)
    {
        var model = new Sequential(new Flatten(), new Linear(h * w, 3, rng: new Rng(2)));
        var map = Occlusion.Compute(model, Tensor.Zeros(1, h, w), 1, patchSize: k, stride: s);
        Assert.Equal([(h - k) / s + 1, (w - k) / s + 1], map.Probabilities.Shape);
    }

    [Fact]
    public void Compute_BadArguments_ThrowNamingTheParameter()
    {
        var model = RegionModel();
        var image = Tensor.Ones(1, 6, 6);
        Assert.Equal("patchSize", Assert.Throws<ArgumentOutOfRangeException>(() => Occlusion.Compute(model, image, 0, patchSize: 7)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentOutOfRangeException>(() => Occlusion.Compute(model, image, 0, stride: 0)).ParamName);
        Assert.Equal("classIndex", Assert.Throws<ArgumentOutOfRangeException>(() => Occlusion.Compute(model, image, 2)).ParamName);
        Assert.Equal("image", Assert.Throws<ArgumentException>(() => Occlusion.Compute(model, Tensor.Ones(6, 6), 0)).ParamName);
    }
}
