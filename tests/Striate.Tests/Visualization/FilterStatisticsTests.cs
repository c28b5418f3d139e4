using Striate.Features;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class FilterStatisticsTests
{
    [Fact]
    public void NeighbourCorrelation_WhiteNoiseNearZero_SmoothFiltersHigh_CheckerboardMinusOne()
    {
        var noise = Tensor.Normal(new Rng(1), 0, 1, 100, 2, 5, 5);
        Assert.InRange(FilterStatistics.NeighbourCorrelation(noise), -0.12, 0.08);

        var smooth = Tensor.FromArray(ClassicKernels.GaussianBlur(5, 1.5f).ToArray(), 1, 1, 5, 5);
        Assert.True(FilterStatistics.NeighbourCorrelation(smooth) > 0.4);

        // A checkerboard: every neighbour has the opposite sign, ρ = −1 exactly (mean 1/25 shifts it slightly).
        var checker = Tensor.FromArray([.. Enumerable.Range(0, 25).Select(i => (i / 5 + i % 5) % 2 == 0 ? 1f : -1f)], 1, 1, 5, 5);
        Assert.InRange(FilterStatistics.NeighbourCorrelation(checker), -1.0, -0.9);
    }

    [Fact]
    public void BestGaborCorrelation_GaborFromTheGridIsOne_NoiseIsLower()
    {
        var gabor = Gabor.Kernel(new GaborParameters(3, 0.2, 0.2, 1.0, Math.PI / 2, Tau: Math.PI / 4), 5);
        Assert.Equal(1.0, FilterStatistics.BestGaborCorrelation(Tensor.FromArray(gabor.ToArray(), 1, 1, 5, 5)), 5);
        double noise = FilterStatistics.BestGaborCorrelation(Tensor.Normal(new Rng(2), 0, 1, 50, 1, 5, 5));
        Assert.InRange(noise, 0.3, 0.8);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => FilterStatistics.NeighbourCorrelation(Tensor.Zeros(2, 5, 5))).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => FilterStatistics.BestGaborCorrelation(Tensor.Zeros(1, 1, 3, 5))).ParamName);
    }
}
