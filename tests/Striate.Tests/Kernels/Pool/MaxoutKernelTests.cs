// The maxout kernels against the naive reference (exactly: they only select and scatter), with
// ties and NaN, odd sizes, thread-count determinism, accumulation and bad indices.
using Striate.Kernels.Pool;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Pool;

public class MaxoutKernelTests
{
    // (N, C, k, L): k = 1, 2, 3, 5; channel counts not multiples of 8; L = 1 (after a linear layer), odd and prime.
    public static TheoryData<int, int, int, int> Cases => new()
    {
        { 1, 3, 2, 7 }, { 3, 5, 3, 13 }, { 2, 1, 5, 1 }, { 2, 4, 1, 6 }, { 1, 7, 2, 1 }, { 4, 3, 4, 33 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_WithTies_MatchReferenceExactly(int n, int c, int k, int plane)
    {
        var rng = new Rng(16);
        var x = PoolCases.Coarse(rng, (long)n * c * k * plane);
        if (x.Length > 3) x[3] = float.NaN;
        int outputs = n * c * plane;
        var expectedY = new float[outputs];
        var expectedIdx = new int[outputs];
        MaxoutReference.Forward<float>(n, c, k, plane, x, expectedY, expectedIdx);
        var dy = new float[outputs];
        rng.FillUniform(dy, -1f, 1f);
        var expectedDx = new float[x.Length];
        MaxoutReference.Backward<float>(n, c, k, plane, dy, expectedIdx, expectedDx);
        foreach (int threads in new[] { 1, 3 })
        {
            var y = new float[outputs];
            var idx = new int[outputs];
            MaxoutKernel.Forward(n, c, k, plane, x, y, idx, threads);
            AssertTensor.BitIdentical(expectedY, y, $"Forward ({n}, {c}·{k}, {plane}), {threads} threads");
            Assert.Equal(expectedIdx, idx);
            var dx0 = new float[x.Length];
            rng.FillUniform(dx0, -1f, 1f);
            var dx = (float[])dx0.Clone();
            MaxoutKernel.Backward(n, c, k, plane, dy, idx, dx, threads);
            AssertTensor.BitIdentical([.. dx0.Zip(expectedDx, (a, b) => a + b)], dx, $"Backward ({n}, {c}·{k}, {plane}), {threads} threads");
        }
    }

    [Fact]
    public void Forward_TiesAndNaN_FirstMaximumWinsAndNaNPropagates()
    {
        // One group of 3 channels, L = 3: column 0 ties (2, 2, 1) → j = 0; column 1 has NaN at j = 1; column 2 peaks at j = 2.
        float[] x = [2, 0, 1, 2, float.NaN, 2, 1, 5, 3];
        var y = new float[3];
        var idx = new int[3];
        MaxoutKernel.Forward(1, 1, 3, 3, x, y, idx, 1);
        Assert.Equal(2f, y[0]);
        Assert.True(float.IsNaN(y[1]));
        Assert.Equal(3f, y[2]);
        Assert.Equal([0, 1, 2], idx);
    }

    [Fact]
    public void Backward_IndexOutsideGroup_ThrowsNamingIndices()
    {
        var ex = Assert.Throws<ArgumentException>(() => MaxoutKernel.Backward(1, 1, 2, 1, [1f], [2], new float[2], 1));
        Assert.Equal("indices", ex.ParamName);
    }
}
