// Max pooling beyond the 2-D basics of MaxPool2dTests: 1-D and 3-D, dilation, ceil mode,
// PyTorch-style and TensorFlow-style argmax indices, gradient checks over every batch item,
// accumulation, the output-size formula over option combinations, and argument errors.
using Striate.Autograd;
using Striate.Kernels.Pool;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class MaxPoolTests
{
    /// <summary>A permutation of values 0.05 apart (more than 2·epsilon), so a probe never changes a window's winner.</summary>
    internal static Tensor Distinct(Rng rng, params int[] shape)
    {
        int count = shape.Aggregate(1, (a, b) => a * b);
        var order = rng.Permutation(count);
        var x = Tensor.FromArray(Array.ConvertAll(order, i => (i - count / 2) * 0.05f), shape);
        x.RequiresGrad = true;
        return x;
    }

    internal static void AssertGradCheck(Func<Tensor[], Tensor> f, Tensor x, Rng rng)
    {
        var result = GradCheck.Check(f, [x], rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.True(result.Probes >= x.Dims[0]);
    }

    [Fact]
    public void MaxPool1d_StrideTwoPaddingOne_MatchesHandComputed()
    {
        // Windows over [−∞, 1, 5, 2, 0, 3, −∞]: {−∞,1,5}, {5,2,0}, {0,3,−∞}.
        var y = Functional.MaxPool1d(Tensor.FromArray([1f, 5, 2, 0, 3], 1, 1, 5), 3, 2, 1);
        Assert.Equal([1, 1, 3], y.Shape);
        Assert.Equal([5f, 5, 3], y.ToArray());
    }

    [Fact]
    public void MaxPool1d_CeilMode_KeepsThePartialLastWindow()
    {
        var x = Tensor.FromArray([1f, 5, 2, 0, 3], 1, 1, 5);
        Assert.Equal([5f, 2], Functional.MaxPool1d(x, 2).ToArray());
        Assert.Equal([5f, 2, 3], Functional.MaxPool1d(x, 2, ceilMode: true).ToArray());
    }

    [Fact]
    public void MaxPool3d_EqualsReference()
    {
        var rng = new Rng(31);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 5, 6, 7);
        var y = Functional.MaxPool3d(x, (3, 2, 3), (2, 1, 2), (1, 0, 1), (1, 2, 1), ceilMode: true);
        var g = new PoolGeometry(2, 3, PoolAxis.Sliding(5, 3, 2, 1, 1, true), PoolAxis.Sliding(6, 2, 1, 0, 2, true), PoolAxis.Sliding(7, 3, 2, 1, 1, true));
        Assert.Equal([2, 3, g.Depth.Output, g.Height.Output, g.Width.Output], y.Shape);
        var expected = new float[g.OutputLength];
        Striate.Kernels.Reference.MaxPoolReference.Forward<float>(g, x.ToArray(), expected, new int[g.OutputLength]);
        Assert.Equal(expected, y.ToArray());
    }

    [Fact]
    public void MaxPool2dWithIndices_ArePerPlaneFlatPositions()
    {
        float[] values = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];
        var (y, indices) = Functional.MaxPool2dWithIndices(Tensor.FromArray([.. values, .. values.Select(v => -v)], 1, 2, 4, 4), 2);
        Assert.Equal([6f, 8, 3, 4, -1, -2, -1, 0], y.ToArray());
        // Second plane (negated): the first maximum in row-major window order wins: −1 at (0,0) over −1 at (0,1), −2 at (0,2), −1 at (3,0), 0 at (2,3).
        Assert.Equal([5L, 7, 8, 15, 0, 2, 12, 11], indices);
    }

    [Fact]
    public void MaxPool2dWithArgmax_ChannelsLastIndices_FollowTensorFlowFormula()
    {
        // N = 2, C = 3, H = 2, W = 2, one 2×2 window per plane: the maximum of plane (n, c) sits at
        // (h, w) = (c % 2, (c + n) % 2); TensorFlow's index is ((n·H + h)·W + w)·C + c.
        var data = new float[2 * 3 * 4];
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
                data[(n * 3 + c) * 4 + (c % 2) * 2 + (c + n) % 2] = 1f;
        var x = Tensor.FromArray(data, 2, 3, 2, 2);
        var (y, withBatch) = Functional.MaxPool2dWithArgmax(x, 2, includeBatchInIndex: true);
        var (_, withoutBatch) = Functional.MaxPool2dWithArgmax(x, 2);
        Assert.All(y.ToArray(), v => Assert.Equal(1f, v));
        for (int n = 0; n < 2; n++)
            for (int c = 0; c < 3; c++)
            {
                int h = c % 2, w = (c + n) % 2;
                Assert.Equal(((n * 2 + h) * 2 + w) * 3 + c, withBatch[n * 3 + c]);
                Assert.Equal((h * 2 + w) * 3 + c, withoutBatch[n * 3 + c]);
            }
    }

    [Fact]
    public void MaxPool1d_GradCheck_DilationPaddingCeil()
    {
        var rng = new Rng(32);
        var x = Distinct(rng, 3, 2, 13);
        AssertGradCheck(t => Functional.MaxPool1d(t[0], 3, 2, 1, 2, ceilMode: true), x, rng);
    }

    [Fact]
    public void MaxPool2d_GradCheck_DilationCeilRectangular()
    {
        var rng = new Rng(33);
        var x = Distinct(rng, 3, 2, 7, 8);
        AssertGradCheck(t => Functional.MaxPool2d(t[0], (3, 2), (2, 1), (1, 1), (2, 1), ceilMode: true), x, rng);
    }

    [Fact]
    public void MaxPool3d_GradCheck_OverlappingPadded()
    {
        var rng = new Rng(34);
        var x = Distinct(rng, 3, 2, 4, 5, 4);
        AssertGradCheck(t => Functional.MaxPool3d(t[0], 3, 2, 1), x, rng);
    }

    [Fact]
    public void MaxPool3d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(35);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 5, 4, 5);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 2, 3, 2, 3);
        Functional.MaxPool3d(x, 3, 2, 1).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.MaxPool3d(x, 3, 2, 1).Backward(upstream);
        Assert.Contains(once, v => v != 0f);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void MaxPool_OutputSize_FollowsFormulaForEveryCombination()
    {
        int cases = 0;
        for (int n = 3; n <= 8; n++)
        for (int k = 1; k <= 4; k++)
        for (int s = 1; s <= 3; s++)
        for (int p = 0; p <= k / 2; p++)
        for (int d = 1; d <= 2; d++)
        foreach (bool ceil in new[] { false, true })
        {
            int expected = PoolAxis.OutputSize(n, k, s, p, d, ceil);
            int floor = (n + 2 * p - d * (k - 1) - 1) / s + 1;
            if (n + 2 * p - d * (k - 1) - 1 < 0) continue;
            if (!ceil) Assert.Equal(floor, expected);
            Tensor y;
            try
            {
                y = Functional.MaxPool2d(Tensor.Zeros(1, 1, n, n + 1), k, s, p, d, ceil);
            }
            catch (ArgumentException ex) when (ex.ParamName == "dilation")
            {
                continue; // a window of padding only (checked separately)
            }
            Assert.Equal([1, 1, expected, PoolAxis.OutputSize(n + 1, k, s, p, d, ceil)], y.Shape);
            Assert.Equal([1, 1, expected], Functional.MaxPool1d(Tensor.Zeros(1, 1, n), k, s, p, d, ceil).Shape);
            cases++;
        }
        Assert.True(cases > 300, $"{cases} combinations checked");
    }

    [Fact]
    public void MaxPool_DilatedWindowOfPaddingOnly_ThrowsNamingDilation()
    {
        // Length 2, kernel 2, padding 1, dilation 3: the one window covers cells −1 and 2, both padding.
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool1d(Tensor.Zeros(1, 1, 2), 2, 1, 1, 3));
        Assert.Equal("dilation", ex.ParamName);
    }

    [Theory]
    [InlineData(0, 1, 0, 1, "kernelSize")]
    [InlineData(2, 0, 0, 1, "stride")]
    [InlineData(2, 1, -1, 1, "padding")]
    [InlineData(3, 1, 2, 1, "padding")]
    [InlineData(2, 1, 0, 0, "dilation")]
    [InlineData(3, 1, 0, 4, "kernelSize")] // dilated window 9 > 7
    public void MaxPool1d_BadArgument_ThrowsNamingIt(int kernelSize, int stride, int padding, int dilation, string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool1d(Tensor.Zeros(1, 2, 7), kernelSize, stride, padding, dilation));
        Assert.Equal(name, ex.ParamName);
    }

    [Fact]
    public void MaxPool_WrongRank_ThrowsNamingInputWithExpectedLayout()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool1d(Tensor.Zeros(2, 8), 2));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("(N, C, L)", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool3d(Tensor.Zeros(1, 2, 4, 4), 2));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("(N, C, D, H, W)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxPool3d_KernelLargerThanPaddedInput_ThrowsNamingKernelSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool3d(Tensor.Zeros(1, 1, 2, 5, 5), 3));
        Assert.Equal("kernelSize", ex.ParamName);
        Assert.Contains("3×3×3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxPool1d_ThreadCount_DoesNotChangeResults()
    {
        var rng = new Rng(36);
        var x = Tensor.Normal(rng, 0f, 1f, 4, 9, 50);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 4, 9, 25);
        Tensor y1, y5;
        using (Compute.UseThreads(1))
        {
            y1 = Functional.MaxPool1d(x, 3, 2, 1);
            y1.Backward(upstream);
        }
        var g1 = x.Grad!.ToArray();
        x.ZeroGrad();
        using (Compute.UseThreads(5))
        {
            y5 = Functional.MaxPool1d(x, 3, 2, 1);
            y5.Backward(upstream);
        }
        AssertTensor.BitIdentical(y1.ToArray(), y5.ToArray(), "MaxPool1d forward, 1 vs 5 threads");
        AssertTensor.BitIdentical(g1, x.Grad!.ToArray(), "MaxPool1d backward, 1 vs 5 threads");
    }
}
