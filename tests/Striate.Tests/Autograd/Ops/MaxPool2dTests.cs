using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class MaxPool2dTests
{
    private static readonly float[] TextbookInput = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];

    [Fact]
    public void MaxPool2d_TextbookTwoByTwoStrideTwo_MatchesHandComputed()
    {
        var y = Functional.MaxPool2d(Tensor.FromArray(TextbookInput, 1, 1, 4, 4), 2);
        Assert.Equal([1, 1, 2, 2], y.Shape);
        Assert.Equal([6f, 8, 3, 4], y.ToArray());
    }

    [Fact]
    public void MaxPool2d_Backward_RoutesGradientToEachWindowMaximum()
    {
        var x = Tensor.FromArray(TextbookInput, 1, 1, 4, 4);
        x.RequiresGrad = true;
        Functional.MaxPool2d(x, 2).Backward(Tensor.FromArray([10f, 20, 30, 40], 1, 1, 2, 2));
        // Maxima: 6 at (1,1), 8 at (1,3), 3 at (2,0), 4 at (3,3).
        Assert.Equal([0f, 0, 0, 0, 0, 10, 0, 20, 30, 0, 0, 0, 0, 0, 0, 40], x.Grad!.ToArray());
    }

    [Fact]
    public void MaxPool2d_StrideOneOverlappingWindows_SumsGradientsOnASharedMaximum()
    {
        // The four 3×3 windows at stride 1 over a 4×4 all cover (1,1), where the maximum 9 sits,
        // so its gradient is the sum of all four upstream values.
        float[] values = [0, 1, 2, 3, 4, 9, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6];
        var x = Tensor.FromArray(values, 1, 1, 4, 4);
        x.RequiresGrad = true;
        var y = Functional.MaxPool2d(x, 3, stride: 1);
        Assert.Equal([9f, 9, 9, 9], y.ToArray());
        y.Backward(Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2));
        Assert.Equal(10f, x.Grad![0, 0, 1, 1]);
        Assert.Equal(10f, x.Grad.ToArray().Sum());
    }

    [Fact]
    public void MaxPool2d_StrideDefaultsToKernelSize()
    {
        var x = Tensor.Normal(new Rng(21), 0f, 1f, 2, 3, 9, 9);
        Assert.Equal([2, 3, 3, 3], Functional.MaxPool2d(x, 3).Shape);
        Assert.Equal(Functional.MaxPool2d(x, 3, 3).ToArray(), Functional.MaxPool2d(x, 3).ToArray());
        Assert.Equal(Functional.MaxPool2d(x, 3).ToArray(), Functional.MaxPool2d(x, (3, 3)).ToArray());
    }

    [Theory]
    [InlineData(28, 2, 2, 0, 14)] // LeNet S2
    [InlineData(10, 2, 2, 0, 5)]  // LeNet S4
    [InlineData(5, 2, 2, 0, 2)]   // odd size: the last row and column are dropped
    [InlineData(55, 3, 2, 0, 27)] // AlexNet overlapping pooling
    [InlineData(7, 3, 2, 1, 4)]   // (7 + 2 − 3)/2 + 1
    public void MaxPool2d_OutputSize_IsFloorOfPaddedSpanOverStridePlusOne(int size, int kernel, int stride, int padding, int expected)
    {
        var y = Functional.MaxPool2d(Tensor.Zeros(1, 2, size, size), kernel, stride, padding);
        Assert.Equal([1, 2, expected, expected], y.Shape);
    }

    [Fact]
    public void MaxPool2d_TupleOverload_UsesEachDirection()
    {
        // 2×3 window, stride (2, 1), padding (1, 0) on a 4×5 input: P = (4 + 2 − 2)/2 + 1 = 3, Q = (5 − 3)/1 + 1 = 3.
        var x = Tensor.FromArray([.. Enumerable.Range(0, 20).Select(i => (float)i)], 1, 1, 4, 5);
        var y = Functional.MaxPool2d(x, (2, 3), (2, 1), (1, 0));
        Assert.Equal([1, 1, 3, 3], y.Shape);
        // Rows covered: {0}, {1, 2}, {3}; each window's maximum is its bottom-right cell.
        Assert.Equal([2f, 3, 4, 12, 13, 14, 17, 18, 19], y.ToArray());
    }

    [Fact]
    public void MaxPool2d_PaddingWithNegativeInput_PadsWithMinusInfinity()
    {
        var y = Functional.MaxPool2d(Tensor.Full(-5f, 1, 1, 3, 3), 3, 1, 1);
        Assert.All(y.ToArray(), v => Assert.Equal(-5f, v));
    }

    [Fact]
    public void MaxPool2d_GradCheck_DistinctValuesStrideTwoPaddingOne()
    {
        // A permutation of evenly spaced values: distinct and 0.05 apart, more than 2·epsilon, so a
        // ±epsilon probe never changes which cell wins a window and finite differences are exact.
        var rng = new Rng(22);
        int[] shape = [3, 2, 7, 6];
        int count = shape.Aggregate(1, (a, b) => a * b);
        var order = rng.Permutation(count);
        var x = Tensor.FromArray(Array.ConvertAll(order, i => (i - count / 2) * 0.05f), shape);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.MaxPool2d(t[0], 3, 2, 1), [x], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.True(result.Probes > 0);
    }

    [Fact]
    public void MaxPool2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(23);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 3, 3);
        // Overlapping 3×3 windows at stride 2: cells on shared edges receive several gradients.
        Functional.MaxPool2d(x, 3, 2, 1).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.MaxPool2d(x, 3, 2, 1).Backward(upstream);
        Assert.Contains(once, v => v != 0f);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void MaxPool2d_UnderNoGrad_RecordsNothing()
    {
        var x = Tensor.Ones(1, 1, 4, 4);
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            Assert.Null(Functional.MaxPool2d(x, 2).GradFn);
        }
    }

    [Fact]
    public void MaxPool2d_InputNotFourDimensional_ThrowsNamingInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(6, 28, 28), 2));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("(6, 28, 28)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-2)]
    public void MaxPool2d_NonPositiveKernelSize_ThrowsNamingKernelSize(int kernelSize)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), kernelSize));
        Assert.Equal("kernelSize", ex.ParamName);
    }

    [Fact]
    public void MaxPool2d_NonPositiveStride_ThrowsNamingStride()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), 2, 0));
        Assert.Equal("stride", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(1, 1, 4, 4), (2, 2), (2, -1)));
        Assert.Equal("stride", ex.ParamName);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(2)] // more than half of a 3-wide window
    public void MaxPool2d_BadPadding_ThrowsNamingPadding(int padding)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(1, 1, 6, 6), 3, 1, padding));
        Assert.Equal("padding", ex.ParamName);
    }

    [Fact]
    public void MaxPool2d_KernelLargerThanPaddedInput_ThrowsNamingKernelSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(1, 1, 2, 2), 3));
        Assert.Equal("kernelSize", ex.ParamName);
        Assert.Contains("3×3", ex.Message, StringComparison.Ordinal);
    }
}
