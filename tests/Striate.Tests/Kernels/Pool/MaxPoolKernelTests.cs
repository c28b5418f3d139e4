// The max-pooling kernels against the naive reference over an edge-case sweep of 1-D, 2-D and
// 3-D geometries (padding, dilation, ceil mode, adaptive windows) with ties and NaN, plus
// thread-count determinism and the textbook examples.
using Striate.Kernels.Pool;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Pool.PoolCases;

namespace Striate.Tests.Kernels.Pool;

public class MaxPoolKernelTests
{
    // Max pooling only selects and scatters values, so the fast kernel must match the reference
    // exactly: no tolerance anywhere in this class.

    public static TheoryData<PoolGeometry> Cases
    {
        get
        {
            var data = new TheoryData<PoolGeometry>();
            foreach (var g in All(PoolCases.Sliding).Concat(All(Dilated)).Concat(All(PoolCases.Adaptive))) data.Add(g);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_EdgeCaseSweep_MatchReferenceExactly(PoolGeometry g)
    {
        var rng = new Rng(7);
        var x = Coarse(rng, g.InputLength); // ties: the first maximum must win
        var y = new float[g.OutputLength];
        var indices = new int[g.OutputLength];
        Array.Fill(y, float.NaN);
        MaxPoolKernel.Forward(g, x, y, indices, threads: 2);

        var expectedY = new double[g.OutputLength];
        var expectedIndices = new int[g.OutputLength];
        MaxPoolReference.Forward<double>(g, Array.ConvertAll(x, v => (double)v), expectedY, expectedIndices);
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] != expectedY[i] || indices[i] != expectedIndices[i])
                Assert.Fail($"Forward {g}: index {i}, expected {expectedY[i]} at {expectedIndices[i]}, actual {y[i]} at {indices[i]}");
        }

        var dy = new float[g.OutputLength];
        rng.FillUniform(dy, -1f, 1f);
        var gradient = new float[g.InputLength];
        MaxPoolKernel.Backward(g, dy, indices, gradient, threads: 2);
        // From a zero destination the reference's naive scatter adds in the same output order, so
        // in float it agrees bit for bit even where overlapping windows share a winning cell.
        var expectedGradient = new float[g.InputLength];
        MaxPoolReference.Backward<float>(g, dy, expectedIndices, expectedGradient);
        AssertTensor.BitIdentical(expectedGradient, gradient, $"Backward {g}");

        // Into a non-zero destination the plane's gradient is added once: dx0 + gradient exactly.
        var dx0 = new float[g.InputLength];
        rng.FillUniform(dx0, -1f, 1f);
        var dx = (float[])dx0.Clone();
        MaxPoolKernel.Backward(g, dy, indices, dx, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gradient, (a, b) => a + b)], dx, $"Backward accumulation {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_OneVersusThreeThreads_BitIdentical(PoolGeometry g)
    {
        var rng = new Rng(8);
        var x = new float[g.InputLength];
        var dy = new float[g.OutputLength];
        rng.FillUniform(x, -1f, 1f);
        rng.FillUniform(dy, -1f, 1f);
        (float[] Y, int[] Indices, float[] Dx) Run(int threads)
        {
            var y = new float[g.OutputLength];
            var idx = new int[g.OutputLength];
            var dx = new float[g.InputLength];
            MaxPoolKernel.Forward(g, x, y, idx, threads);
            MaxPoolKernel.Backward(g, dy, idx, dx, threads);
            return (y, idx, dx);
        }
        var one = Run(1);
        var three = Run(3);
        AssertTensor.BitIdentical(one.Y, three.Y, $"y with 1 vs 3 threads, {g}");
        Assert.Equal(one.Indices, three.Indices);
        AssertTensor.BitIdentical(one.Dx, three.Dx, $"dx with 1 vs 3 threads, {g}");
    }

    [Theory]
    [InlineData(1, 1, 2, 2)]
    [InlineData(3, 5, 4, 16)]
    [InlineData(2, 6, 28, 28)]
    [InlineData(1, 16, 10, 10)]
    [InlineData(5, 3, 6, 34)]
    [InlineData(2, 7, 8, 18)]
    [InlineData(1, 2, 4, 32)]
    public void Forward_TwoByTwoStrideTwoFastPath_MatchesReferenceExactly(int n, int c, int h, int w)
    {
        // The 2×2 stride-2 windows take a vectorised branch-free path (8 windows per step, a scalar tail); ties
        // (coarse values), NaN and −∞ must resolve as in the general loop: the first maximum wins, NaN beats everything.
        var g = G2(n, c, S(h, 2, 2), S(w, 2, 2));
        var rng = new Rng(11);
        var x = Coarse(rng, g.InputLength);
        for (int i = 0; i < x.Length; i += 7) x[i] = float.NegativeInfinity;
        for (int i = 3; i < x.Length; i += 29) x[i] = float.NaN;
        foreach (int threads in new[] { 1, 2 })
        {
            var y = new float[g.OutputLength];
            var indices = new int[g.OutputLength];
            MaxPoolKernel.Forward(g, x, y, indices, threads);
            var expectedY = new double[g.OutputLength];
            var expectedIndices = new int[g.OutputLength];
            MaxPoolReference.Forward<double>(g, Array.ConvertAll(x, v => (double)v), expectedY, expectedIndices);
            for (int i = 0; i < y.Length; i++)
            {
                bool same = (double.IsNaN(expectedY[i]) ? float.IsNaN(y[i]) : y[i] == expectedY[i]) && indices[i] == expectedIndices[i];
                if (!same)
                    Assert.Fail($"2×2 fast path {g}, {threads} threads: index {i}, expected {expectedY[i]} at {expectedIndices[i]}, actual {y[i]} at {indices[i]}");
            }
        }
    }

    [Theory]
    [InlineData(1, 3, 2, 1, 1, 112, 112)] // ResNet's stem pool
    [InlineData(2, 3, 2, 0, 1, 27, 41)]   // AlexNet's overlapping pool, odd sizes
    [InlineData(1, 3, 1, 1, 1, 14, 29)]   // GoogLeNet's branch pool (stride 1)
    [InlineData(3, 5, 2, 2, 1, 9, 40)]
    [InlineData(2, 3, 2, 1, 2, 11, 37)]   // dilation 2
    [InlineData(1, 2, 1, 0, 1, 5, 8)]     // exactly one block of 8
    public void Forward_WholeWindowVectorPath_MatchesReferenceExactly(int n, int k, int stride, int pad, int dilation, int h, int w)
    {
        // Rows of whole windows at width stride 1 or 2 take 8 windows per step (a block moved back to end at the last
        // output); ties, NaN and −∞ must resolve as in the general loop, and the clipped edge windows stay scalar.
        var g = G2(n, 3, S(h, k, stride, pad, dilation), S(w, k, stride, pad, dilation));
        var rng = new Rng(12);
        var x = Coarse(rng, g.InputLength);
        for (int i = 0; i < x.Length; i += 7) x[i] = float.NegativeInfinity;
        for (int i = 3; i < x.Length; i += 31) x[i] = float.NaN;
        var y = new float[g.OutputLength];
        var indices = new int[g.OutputLength];
        MaxPoolKernel.Forward(g, x, y, indices, 2);
        var expectedY = new double[g.OutputLength];
        var expectedIndices = new int[g.OutputLength];
        MaxPoolReference.Forward<double>(g, Array.ConvertAll(x, v => (double)v), expectedY, expectedIndices);
        for (int i = 0; i < y.Length; i++)
        {
            bool same = (double.IsNaN(expectedY[i]) ? float.IsNaN(y[i]) : y[i] == expectedY[i]) && indices[i] == expectedIndices[i];
            if (!same)
                Assert.Fail($"Vector path {g}: index {i}, expected {expectedY[i]} at {expectedIndices[i]}, actual {y[i]} at {indices[i]}");
        }
    }

    [Fact]
    public void Forward_TextbookTwoByTwoStrideTwo_MatchesHandComputed()
    {
        float[] x = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];
        var y = new float[4];
        var indices = new int[4];
        MaxPoolKernel.Forward(G2(1, 1, S(4, 2, 2), S(4, 2, 2)), x, y, indices, threads: 1);
        Assert.Equal([6f, 8, 3, 4], y);
        Assert.Equal([5, 7, 8, 15], indices);
    }

    [Fact]
    public void Forward_AllNegativeWithPadding_PaddingNeverWins()
    {
        // PyTorch pads with −∞, not 0: a padded window over negative values still returns the largest real value.
        float[] x = [-3, -2, -5, -1];
        // 2×2 windows at stride 1 over the 4×4 padded image give a 3×3 output.
        var y = new float[9];
        var indices = new int[9];
        MaxPoolKernel.Forward(G2(1, 1, S(2, 2, 1, 1), S(2, 2, 1, 1)), x, y, indices, threads: 1);
        Assert.Equal([-3f, -2, -2, -3, -1, -1, -5, -1, -1], y);
        Assert.Equal([0, 1, 1, 0, 3, 3, 2, 3, 3], indices);
    }

    [Fact]
    public void Forward_NaNInWindow_PropagatesNaN()
    {
        float[] x = [1, float.NaN, 3, 2];
        var y = new float[1];
        var indices = new int[1];
        MaxPoolKernel.Forward(G2(1, 1, S(2, 2, 2), S(2, 2, 2)), x, y, indices, threads: 1);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1, indices[0]);
    }

    [Fact]
    public void Forward_DilationTwo_SkipsEveryOtherCell()
    {
        // Window of 3 cells at dilation 2 covers x[0], x[2], x[4]; the next (stride 1) x[1], x[3], x[5].
        float[] x = [1, 9, 2, 8, 3, 7];
        var y = new float[2];
        var indices = new int[2];
        MaxPoolKernel.Forward(G1(1, 1, S(6, 3, 1, 0, 2)), x, y, indices, threads: 1);
        Assert.Equal([3f, 9], y);
        Assert.Equal([4, 1], indices);
    }

    [Fact]
    public void Backward_IndexOutsidePlane_ThrowsNamingIndices()
    {
        var g = G2(1, 1, S(2, 2, 2), S(2, 2, 2));
        var ex = Assert.Throws<ArgumentException>(() => MaxPoolKernel.Backward(g, new float[1], [4], new float[4], 1));
        Assert.Equal("indices", ex.ParamName);
    }

    [Fact]
    public void Forward_ShortOutput_ThrowsNamingY()
    {
        var g = G2(1, 1, S(4, 2, 2), S(4, 2, 2));
        var ex = Assert.Throws<ArgumentException>(() => MaxPoolKernel.Forward(g, new float[16], new float[3], new int[4], 1));
        Assert.Equal("y", ex.ParamName);
    }

    [Fact]
    public void Geometry_PaddingMoreThanHalfWindow_Throws()
    {
        var g = G2(1, 1, S(4, 2, 2, 2), S(4, 2, 2, 2));
        Assert.Throws<ArgumentException>(() => g.Validate());
    }

    [Fact]
    public void Geometry_WindowOfPaddingOnly_Throws()
    {
        // Cells −1 and 2 of a 2-cell input: the single window holds no input cell.
        var axis = S(2, 2, 1, 1, 3);
        Assert.Equal(1, axis.Output);
        Assert.Throws<ArgumentException>(() => G1(1, 1, axis).Validate());
    }
}
