// The max-unpooling kernels against the naive reference (bit for bit: they only move values),
// with repeated indices, thread-count determinism, accumulation and bad indices.
using Striate.Kernels.Pool;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Pool;

public class MaxUnpoolKernelTests
{
    // (planes, input plane, output plane): N·C = 1 and odd, indices into planes larger and smaller than the input.
    public static TheoryData<int, int, int> Cases => new() { { 1, 4, 16 }, { 6, 9, 36 }, { 15, 7, 20 }, { 3, 12, 5 }, { 2, 1, 1 } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_RandomIndicesWithRepeats_MatchReferenceAndThreadCounts(int planes, int inputPlane, int outputPlane)
    {
        var rng = new Rng(15);
        var x = new float[planes * inputPlane];
        rng.FillUniform(x, -1f, 1f);
        var indices = new int[x.Length];
        for (int i = 0; i < indices.Length; i++) indices[i] = rng.NextInt(outputPlane); // repeats included: the last write wins
        var dy = new float[planes * outputPlane];
        rng.FillUniform(dy, -1f, 1f);

        var expectedY = new float[dy.Length];
        MaxUnpoolReference.Forward<float>(planes, inputPlane, outputPlane, x, indices, expectedY);
        var expectedDx = new float[x.Length];
        MaxUnpoolReference.Backward<float>(planes, inputPlane, outputPlane, dy, indices, expectedDx);
        foreach (int threads in new[] { 1, 3 })
        {
            var y = Enumerable.Repeat(float.NaN, dy.Length).ToArray();
            MaxUnpoolKernel.Forward(planes, inputPlane, outputPlane, x, indices, y, threads);
            AssertTensor.BitIdentical(expectedY, y, $"Forward planes {planes}, {inputPlane} → {outputPlane}, {threads} threads");
            var dx0 = new float[x.Length];
            rng.FillUniform(dx0, -1f, 1f);
            var dx = (float[])dx0.Clone();
            MaxUnpoolKernel.Backward(planes, inputPlane, outputPlane, dy, indices, dx, threads);
            AssertTensor.BitIdentical([.. dx0.Zip(expectedDx, (a, b) => a + b)], dx, $"Backward planes {planes}, {threads} threads");
        }
    }

    [Fact]
    public void Forward_IndexOutsidePlane_ThrowsNamingIndices()
    {
        var ex = Assert.Throws<ArgumentException>(() => MaxUnpoolKernel.Forward(1, 2, 4, new float[2], [1, 4], new float[4], 1));
        Assert.Equal("indices", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => MaxUnpoolKernel.Backward(1, 2, 4, new float[4], [-1, 0], new float[2], 1));
        Assert.Equal("indices", ex.ParamName);
    }
}
