using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class Conv2dTests
{
    private static readonly float[] TextbookImage =
    [
        3, 0, 1, 2, 7, 4,
        1, 5, 8, 9, 3, 1,
        2, 7, 2, 5, 1, 3,
        0, 1, 3, 1, 7, 8,
        4, 2, 1, 6, 2, 8,
        2, 4, 5, 2, 3, 9,
    ];

    private static readonly float[] VerticalEdgeFilter = [1, 0, -1, 1, 0, -1, 1, 0, -1];

    private static readonly float[] TextbookResult = [-5, -4, 0, 8, -10, -2, 2, 3, 0, -2, -4, -7, -3, -2, -3, -16];

    [Fact]
    public void Conv2d_TextbookVerticalEdgeFilter_MatchesHandComputed()
    {
        var x = Tensor.FromArray(TextbookImage, 1, 1, 6, 6);
        var w = Tensor.FromArray(VerticalEdgeFilter, 1, 1, 3, 3);
        var y = Functional.Conv2d(x, w);
        Assert.Equal([1, 1, 4, 4], y.Shape);
        Assert.Equal(TextbookResult, y.ToArray());
    }

    [Fact]
    public void Conv2d_WithBias_AddsBiasToEveryOutput()
    {
        var x = Tensor.FromArray(TextbookImage, 1, 1, 6, 6);
        var w = Tensor.FromArray(VerticalEdgeFilter, 1, 1, 3, 3);
        var y = Functional.Conv2d(x, w, Tensor.FromArray([0.5f], 1));
        Assert.Equal(TextbookResult.Select(v => v + 0.5f).ToArray(), y.ToArray());
    }

    [Fact]
    public void Conv2d_TwoFiltersTwoChannels_SumsOverChannelsPerFilter()
    {
        // Channel 1 is the textbook image, channel 2 is all ones. Filter 0 applies the edge filter to
        // channel 1 and 1s to channel 2 (adds 9); filter 1 sees only channel 2 with weight 2 (18 everywhere).
        var x = Tensor.FromArray([.. TextbookImage, .. Enumerable.Repeat(1f, 36)], 1, 2, 6, 6);
        var w = Tensor.FromArray([.. VerticalEdgeFilter, .. Enumerable.Repeat(1f, 9), .. new float[9], .. Enumerable.Repeat(2f, 9)], 2, 2, 3, 3);
        var y = Functional.Conv2d(x, w);
        Assert.Equal([.. TextbookResult.Select(v => v + 9f), .. Enumerable.Repeat(18f, 16)], y.ToArray());
    }

    [Fact]
    public void Conv2d_PaddingOne_ZeroBorderEntersTheSum()
    {
        // 3×3 of ones with a 3×3 ones filter and padding 1: each output counts the real pixels under the filter.
        var y = Functional.Conv2d(Tensor.Ones(1, 1, 3, 3), Tensor.Ones(1, 1, 3, 3), padding: 1);
        Assert.Equal([4f, 6, 4, 6, 9, 6, 4, 6, 4], y.ToArray());
    }

    [Fact]
    public void Conv2d_StrideTwo_SamplesEveryOtherPosition()
    {
        // The textbook image with stride 2: output positions (0,0), (0,2), (2,0), (2,2) of the stride-1 result.
        var x = Tensor.FromArray(TextbookImage, 1, 1, 6, 6);
        var w = Tensor.FromArray(VerticalEdgeFilter, 1, 1, 3, 3);
        var y = Functional.Conv2d(x, w, stride: 2);
        Assert.Equal([1, 1, 2, 2], y.Shape);
        Assert.Equal([-5f, 0, 0, -4], y.ToArray());
    }

    [Theory]
    [InlineData(28, 5, 1, 2, 28)] // LeNet C1 with "same" padding
    [InlineData(32, 5, 1, 0, 28)] // LeNet C1 on 32×32
    [InlineData(14, 5, 1, 0, 10)] // LeNet C3
    [InlineData(7, 3, 2, 1, 4)]   // (7 + 2 − 3)/2 + 1
    [InlineData(8, 3, 3, 0, 2)]   // floor((8 − 3)/3) + 1: the last partial window is dropped
    [InlineData(227, 11, 4, 0, 55)] // AlexNet conv1
    public void Conv2d_OutputSize_IsFloorOfPaddedSpanOverStridePlusOne(int size, int kernel, int stride, int padding, int expected)
    {
        var y = Functional.Conv2d(Tensor.Zeros(1, 1, size, size), Tensor.Zeros(2, 1, kernel, kernel), null, stride, padding);
        Assert.Equal([1, 2, expected, expected], y.Shape);
    }

    [Fact]
    public void Conv2d_TupleStrideAndPadding_UsesEachDirection()
    {
        // P = (5 + 0 − 3)/2 + 1 = 2, Q = (6 + 2 − 3)/1 + 1 = 6.
        var rng = new Rng(11);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 5, 6);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 3);
        var y = Functional.Conv2d(x, w, null, (2, 1), (0, 1));
        Assert.Equal([2, 4, 2, 6], y.Shape);
        // Spot check y[1, 2, 1, 0] = Σ w[2,c,r,s] · x[1, c, 2 + r, s − 1] (column −1 is padding).
        double expected = 0;
        for (int c = 0; c < 3; c++)
            for (int r = 0; r < 3; r++)
                for (int s = 1; s < 3; s++)
                    expected += (double)w[2, c, r, s] * x[1, c, 2 + r, s - 1];
        Assert.Equal(expected, y[1, 2, 1, 0], 4);
    }

    [Fact]
    public void Conv2d_SquareTupleOverload_EqualsIntOverload()
    {
        var rng = new Rng(12);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 7);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 4);
        Assert.Equal(Functional.Conv2d(x, w, b, 2, 1).ToArray(), Functional.Conv2d(x, w, b, (2, 2), (1, 1)).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Conv2d_GradCheck_InputWeightAndBiasStrideTwoPaddingOne(bool rectangular)
    {
        var rng = new Rng(13);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 2, 7, 6);
        var w = Tensor.Normal(rng, 0f, 0.5f, 4, 2, 3, rectangular ? 2 : 3);
        var b = Tensor.Normal(rng, 0f, 1f, 4);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        Func<Tensor[], Tensor> f = rectangular
            ? t => Functional.Conv2d(t[0], t[1], t[2], (2, 1), (1, 0))
            : t => Functional.Conv2d(t[0], t[1], t[2], stride: 2, padding: 1);
        var result = GradCheck.Check(f, [x, w, b], rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.True(result.Probes > 0);
    }

    [Fact]
    public void Conv2d_GradCheck_WithoutBias()
    {
        var rng = new Rng(14);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 5, 5);
        var w = Tensor.Normal(rng, 0f, 0.5f, 2, 3, 2, 2);
        x.RequiresGrad = w.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.Conv2d(t[0], t[1], null, 2, 1), [x, w], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Conv2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(15);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 4);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 4, 3, 3);
        Functional.Conv2d(x, w, b, 2, 1).Backward(upstream);
        float[][] once = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        Functional.Conv2d(x, w, b, 2, 1).Backward(upstream);
        float[][] twice = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        for (int t = 0; t < 3; t++)
        {
            Assert.Contains(once[t], v => v != 0f);
            Assert.Equal(once[t].Select(v => 2f * v).ToArray(), twice[t]);
        }
    }

    [Fact]
    public void Conv2d_InputWithoutGrad_OnlyParametersGetGradients()
    {
        var rng = new Rng(16);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 1, 5, 5);
        var w = Tensor.Normal(rng, 0f, 1f, 3, 1, 3, 3);
        w.RequiresGrad = true;
        var y = Functional.Conv2d(x, w);
        Assert.NotNull(y.GradFn);
        y.Backward(Tensor.Ones(2, 3, 3, 3));
        Assert.Null(x.Grad);
        // dw[k,0,r,s] = Σ_{n,p,q} x[n, 0, p + r, q + s] with an all-ones upstream gradient.
        double expected = 0;
        for (int n = 0; n < 2; n++)
            for (int p = 0; p < 3; p++)
                for (int q = 0; q < 3; q++)
                    expected += x[n, 0, p + 1, q + 2];
        Assert.Equal(expected, w.Grad![2, 0, 1, 2], 4);
    }

    [Fact]
    public void Conv2d_UnderNoGrad_RecordsNothing()
    {
        var w = Tensor.Ones(1, 1, 2, 2);
        w.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            Assert.Null(Functional.Conv2d(Tensor.Ones(1, 1, 3, 3), w).GradFn);
        }
    }

    [Fact]
    public void Conv2d_InputNotFourDimensional_ThrowsNamingInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 28, 28), Tensor.Zeros(6, 1, 5, 5)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("(1, 28, 28)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_WeightNotFourDimensional_ThrowsNamingWeight()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 28, 28), Tensor.Zeros(6, 5, 5)));
        Assert.Equal("weight", ex.ParamName);
    }

    [Fact]
    public void Conv2d_ChannelMismatch_ThrowsWithExpectedAndActualChannels()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(2, 3, 28, 28), Tensor.Zeros(6, 1, 5, 5)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("expected 1 input channel, got 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Conv2d_KernelLargerThanPaddedInput_ThrowsNamingWeight()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(1, 1, 5, 5)));
        Assert.Equal("weight", ex.ParamName);
        Assert.Contains("5×5", ex.Message, StringComparison.Ordinal);
        // With padding 1 the padded input is 5×5 and the same kernel fits.
        Assert.Equal([1, 1, 1, 1], Functional.Conv2d(Tensor.Zeros(1, 1, 3, 3), Tensor.Zeros(1, 1, 5, 5), padding: 1).Shape);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Conv2d_NonPositiveStride_ThrowsNamingStride(int stride)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), stride: stride));
        Assert.Equal("stride", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), null, (1, stride)));
        Assert.Equal("stride", ex.ParamName);
    }

    [Fact]
    public void Conv2d_NegativePadding_ThrowsNamingPadding()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(1, 1, 3, 3), padding: -1));
        Assert.Equal("padding", ex.ParamName);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6, 1)]
    public void Conv2d_BiasShapeWrong_ThrowsNamingBias(params int[] biasShape)
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 5, 5), Tensor.Zeros(6, 1, 3, 3), Tensor.Zeros(biasShape)));
        Assert.Equal("bias", ex.ParamName);
        Assert.Contains("(6,)", ex.Message, StringComparison.Ordinal);
    }
}
