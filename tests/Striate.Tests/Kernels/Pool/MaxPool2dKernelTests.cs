// The max-pooling kernels against the naive reference over an edge-case sweep of shapes, with
// ties, padding and NaN, plus thread-count determinism and the textbook example.
using Striate.Kernels.Pool;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Pool;

public class MaxPool2dKernelTests
{
    // Max pooling only selects and scatters values, so the fast kernel must match the reference
    // exactly: no tolerance anywhere in this class.

    // (N, C, H, W, R, S, sh, sw, ph, pw): 1×1 windows, window == input, overlapping (stride <
    // window) and gapped (stride > window) windows, padding up to half the window, odd and
    // rectangular sizes, and LeNet's pools.
    public static TheoryData<Pool2dGeometry> Cases => new(
    [
        new(1, 1, 4, 4, 2, 2, 2, 2, 0, 0),
        new(2, 3, 5, 7, 1, 1, 1, 1, 0, 0),
        new(1, 2, 5, 5, 5, 5, 1, 1, 0, 0),
        new(3, 2, 7, 7, 3, 3, 2, 2, 1, 1),
        new(2, 17, 9, 8, 3, 3, 3, 3, 1, 0),
        new(1, 4, 11, 10, 4, 4, 3, 2, 2, 2),
        new(2, 3, 6, 9, 2, 3, 3, 1, 1, 1),
        new(3, 5, 13, 13, 3, 2, 1, 2, 0, 1),
        new(1, 1, 1, 1, 3, 3, 1, 1, 1, 1),
        new(2, 6, 28, 28, 2, 2, 2, 2, 0, 0),
        new(3, 16, 10, 10, 2, 2, 2, 2, 0, 0),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_EdgeCaseSweep_MatchReferenceExactly(Pool2dGeometry g)
    {
        var rng = new Rng(7);
        var x = new float[g.InputLength];
        // Coarse values (multiples of 1/4 in [-2, 2]) so windows hold ties: the first maximum must win.
        for (int i = 0; i < x.Length; i++) x[i] = (rng.NextInt(17) - 8) / 4f;
        var y = new float[g.OutputLength];
        var indices = new int[g.OutputLength];
        Array.Fill(y, float.NaN);
        MaxPool2dKernel.Forward(g, x, y, indices, threads: 2);

        var expectedY = new double[g.OutputLength];
        var expectedIndices = new int[g.OutputLength];
        MaxPool2dReference.Forward<double>(g, Array.ConvertAll(x, v => (double)v), expectedY, expectedIndices);
        for (int i = 0; i < y.Length; i++)
        {
            if (y[i] != expectedY[i] || indices[i] != expectedIndices[i])
                Assert.Fail($"Forward {g}: index {AssertTensor.MultiIndex(i, [g.N, g.C, g.P, g.Q])}, expected {expectedY[i]} at {expectedIndices[i]}, actual {y[i]} at {indices[i]}");
        }

        var dy = new float[g.OutputLength];
        rng.FillUniform(dy, -1f, 1f);
        var gradient = new float[g.InputLength];
        MaxPool2dKernel.Backward(g, dy, indices, gradient, threads: 2);
        // From a zero destination the reference's naive scatter adds in the same output order, so
        // in float it agrees bit for bit even where overlapping windows share a winning cell.
        var expectedGradient = new float[g.InputLength];
        MaxPool2dReference.Backward<float>(g, dy, expectedIndices, expectedGradient);
        AssertTensor.BitIdentical(expectedGradient, gradient, $"Backward {g}");

        // Into a non-zero destination the plane's gradient is added once: dx0 + gradient exactly.
        var dx0 = new float[g.InputLength];
        rng.FillUniform(dx0, -1f, 1f);
        var dx = (float[])dx0.Clone();
        MaxPool2dKernel.Backward(g, dy, indices, dx, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gradient, (a, b) => a + b)], dx, $"Backward accumulation {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_OneVersusThreeThreads_BitIdentical(Pool2dGeometry g)
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
            MaxPool2dKernel.Forward(g, x, y, idx, threads);
            MaxPool2dKernel.Backward(g, dy, idx, dx, threads);
            return (y, idx, dx);
        }
        var one = Run(1);
        var three = Run(3);
        AssertTensor.BitIdentical(one.Y, three.Y, $"y with 1 vs 3 threads, {g}");
        Assert.Equal(one.Indices, three.Indices);
        AssertTensor.BitIdentical(one.Dx, three.Dx, $"dx with 1 vs 3 threads, {g}");
    }

    [Fact]
    public void Forward_TextbookTwoByTwoStrideTwo_MatchesHandComputed()
    {
        float[] x = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];
        var y = new float[4];
        var indices = new int[4];
        MaxPool2dKernel.Forward(new Pool2dGeometry(1, 1, 4, 4, 2, 2, 2, 2), x, y, indices, threads: 1);
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
        MaxPool2dKernel.Forward(new Pool2dGeometry(1, 1, 2, 2, 2, 2, 1, 1, 1, 1), x, y, indices, threads: 1);
        Assert.Equal([-3f, -2, -2, -3, -1, -1, -5, -1, -1], y);
        Assert.Equal([0, 1, 1, 0, 3, 3, 2, 3, 3], indices);
    }

    [Fact]
    public void Forward_NaNInWindow_PropagatesNaN()
    {
        float[] x = [1, float.NaN, 3, 2];
        var y = new float[1];
        var indices = new int[1];
        MaxPool2dKernel.Forward(new Pool2dGeometry(1, 1, 2, 2, 2, 2, 2, 2), x, y, indices, threads: 1);
        Assert.True(float.IsNaN(y[0]));
        Assert.Equal(1, indices[0]);
    }

    [Fact]
    public void Backward_IndexOutsidePlane_ThrowsNamingIndices()
    {
        var g = new Pool2dGeometry(1, 1, 2, 2, 2, 2, 2, 2);
        var ex = Assert.Throws<ArgumentException>(() => MaxPool2dKernel.Backward(g, new float[1], [4], new float[4], 1));
        Assert.Equal("indices", ex.ParamName);
    }

    [Fact]
    public void Geometry_PaddingMoreThanHalfWindow_Throws()
    {
        var g = new Pool2dGeometry(1, 1, 4, 4, 2, 2, 2, 2, 2, 2);
        Assert.Throws<ArgumentException>(() => g.Validate());
    }
}
