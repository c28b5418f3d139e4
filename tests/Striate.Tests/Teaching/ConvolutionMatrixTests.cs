// ConvolutionMatrix: C·vec(x) equals the fast convolution and Cᵀ·vec(dy) equals its autograd input
// gradient, for 1-D and 2-D, single- and multi-channel layers with stride and zero padding; circular
// padding against a convolution of the wrapped input; the Toeplitz and doubly-block-circulant
// structure; the CSR form against the dense one; and argument errors.
using Striate.Teaching;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Teaching;

public class ConvolutionMatrixTests
{
    // (C, H, W, K, R, S, stride, padding)
    public static TheoryData<int, int, int, int, int, int, int, int> Layers2d => new()
    {
        { 1, 3, 3, 1, 2, 2, 1, 0 },
        { 1, 5, 4, 1, 3, 3, 1, 1 },
        { 2, 5, 6, 3, 3, 2, 2, 1 },
        { 3, 7, 7, 2, 3, 3, 3, 2 },
        { 2, 4, 4, 2, 1, 1, 2, 0 },
    };

    [Theory]
    [MemberData(nameof(Layers2d))]
    public void Conv2d_MatrixTimesInput_EqualsConvolution_TransposeGivesInputGradient(int c, int h, int w, int k, int r, int s, int stride, int padding)
    {
        var rng = new Rng(81);
        var weight = Tensor.Normal(rng, 0f, 1f, k, c, r, s);
        var x = Tensor.Normal(rng, 0f, 1f, 2, c, h, w);
        var m = ConvolutionMatrix.Build(weight, [c, h, w], stride, padding);

        var xLeaf = x.Clone();
        xLeaf.RequiresGrad = true;
        var conv = Functional.Conv2d(xLeaf, weight, null, (stride, stride), (padding, padding));
        Assert.Equal([k, conv.Shape[2], conv.Shape[3]], m.OutputShape);
        Assert.Equal([k * conv.Shape[2] * conv.Shape[3], c * h * w], m.Dense.Shape);
        Close(conv, m.Multiply(x), "C·vec(x) vs Conv2d");

        var dy = Tensor.Normal(rng, 0f, 1f, [.. conv.Shape]);
        conv.Backward(dy);
        Close(xLeaf.Grad!, m.MultiplyTransposed(dy), "Cᵀ·vec(dy) vs Conv2d backward");
    }

    [Theory]
    [InlineData(1, 6, 1, 3, 1, 0)]
    [InlineData(2, 9, 3, 2, 2, 1)]
    [InlineData(3, 8, 2, 4, 3, 2)]
    public void Conv1d_MatrixTimesInput_EqualsConvolution_TransposeGivesInputGradient(int c, int length, int k, int s, int stride, int padding)
    {
        var rng = new Rng(82);
        var weight = Tensor.Normal(rng, 0f, 1f, k, c, s);
        var x = Tensor.Normal(rng, 0f, 1f, 3, c, length);
        var m = ConvolutionMatrix.Build(weight, [c, length], stride, padding);

        // The 1-D convolution is a 2-D one over a single row.
        var xLeaf = x.Reshape(3, c, 1, length).Clone();
        xLeaf.RequiresGrad = true;
        var conv = Functional.Conv2d(xLeaf, weight.Reshape(k, c, 1, s), null, (1, stride), (0, padding));
        int outLength = conv.Shape[3];
        Assert.Equal([k, outLength], m.OutputShape);
        Close(conv.Reshape(3, k, outLength), m.Multiply(x), "C·vec(x) vs 1-D convolution");
        var dy = Tensor.Normal(rng, 0f, 1f, 3, k, outLength);
        conv.Backward(dy.Reshape(3, k, 1, outLength));
        Close(xLeaf.Grad!.Reshape(3, c, length), m.MultiplyTransposed(dy), "Cᵀ·vec(dy) vs 1-D backward");
    }

    [Theory]
    [InlineData(1, 4, 4, 1, 3, 1, 1)]
    [InlineData(2, 5, 6, 3, 3, 1, 1)]
    [InlineData(1, 6, 5, 2, 3, 2, 2)]
    [InlineData(1, 3, 3, 1, 3, 1, 3)]
    public void Circular_MatrixTimesInput_EqualsConvolutionOfTheWrappedInput(int c, int h, int w, int k, int r, int stride, int padding)
    {
        var rng = new Rng(83);
        var weight = Tensor.Normal(rng, 0f, 1f, k, c, r, r);
        var x = Tensor.Normal(rng, 0f, 1f, 1, c, h, w);
        var m = ConvolutionMatrix.Build(weight, [c, h, w], stride, padding, ConvolutionPadding.Circular);

        // Pad by hand: padded[i, j] = x[(i − padding) mod H, (j − padding) mod W], then a valid convolution.
        var padded = Tensor.Zeros(1, c, h + 2 * padding, w + 2 * padding);
        for (int ci = 0; ci < c; ci++)
            for (int i = 0; i < h + 2 * padding; i++)
                for (int j = 0; j < w + 2 * padding; j++)
                    padded[0, ci, i, j] = x[0, ci, ((i - padding) % h + h) % h, ((j - padding) % w + w) % w];
        var conv = Functional.Conv2d(padded, weight, null, (stride, stride), (0, 0));
        Close(conv, m.Multiply(x), "circular C·vec(x) vs convolution of the wrapped input");
    }

    [Fact]
    public void Circular_SameSizeStrideOne_IsDoublyBlockCirculant()
    {
        // 1 channel, 3×3 kernel, circular padding 1 on 4×5: C[(p,q),(h,v)] depends only on ((h − p) mod 4, (v − q) mod 5).
        var weight = Tensor.Normal(new Rng(84), 0f, 1f, 1, 1, 3, 3);
        var m = ConvolutionMatrix.Build(weight, [1, 4, 5], 1, 1, ConvolutionPadding.Circular);
        Assert.Equal([20, 20], m.Dense.Shape);
        for (int p = 0; p < 4; p++)
            for (int q = 0; q < 5; q++)
                for (int h = 0; h < 4; h++)
                    for (int v = 0; v < 5; v++)
                    {
                        int dh = ((h - p) % 4 + 4) % 4, dv = ((v - q) % 5 + 5) % 5;
                        Assert.Equal(m.Dense[0, dh * 5 + dv], m.Dense[p * 5 + q, h * 5 + v]); // row (p, q) is row (0, 0) shifted
                    }
        // Every row holds the 9 kernel values once (no wrap collision at this size).
        Assert.All(Enumerable.Range(0, 20), row => Assert.Equal(9, m.Sparse.RowPointers[row + 1] - m.Sparse.RowPointers[row]));
    }

    [Fact]
    public void Zeros_StrideOne_1d_IsToeplitz()
    {
        var weight = Tensor.FromArray([1f, 2, 3], 1, 1, 3);
        var m = ConvolutionMatrix.Build(weight, [1, 6], padding: 1);
        Assert.Equal([6, 6], m.Dense.Shape);
        // C[i, j] = w[j − i + 1] when 0 ≤ j − i + 1 < 3, else 0: constant along every diagonal.
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 6; j++)
            {
                int t = j - i + 1;
                Assert.Equal(t is >= 0 and < 3 ? weight[0, 0, t] : 0f, m.Dense[i, j]);
            }
    }

    [Fact]
    public void Chapter_2x2KernelOn3x3Input_PrintsTheSparseMatrix()
    {
        var m = ConvolutionMatrix.Build(Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2), [1, 3, 3]);
        Assert.Equal(
            "1 2 0 3 4 0 0 0 0\n" +
            "0 1 2 0 3 4 0 0 0\n" +
            "0 0 0 1 2 0 3 4 0\n" +
            "0 0 0 0 1 2 0 3 4\n", m.ToText());
        Assert.Equal(16, m.Sparse.NonZeroCount);
        Assert.Equal([0, 4, 8, 12, 16], m.Sparse.RowPointers);
        Assert.Equal([0, 1, 3, 4, 1, 2, 4, 5, 3, 4, 6, 7, 4, 5, 7, 8], m.Sparse.ColumnIndices);
    }

    [Fact]
    public void Sparse_EqualsDense_AndKeepsZeroWeightsAsConnections()
    {
        var weight = Tensor.Normal(new Rng(85), 0f, 1f, 2, 3, 2, 3);
        weight[1, 2, 0, 1] = 0f; // a zero weight is still a connection
        var m = ConvolutionMatrix.Build(weight, [3, 5, 6], stride: 2, padding: 1);
        Assert.Equal(m.Dense.ToArray(), m.Sparse.ToDense().ToArray());
        // Valid taps only: every output reads C·R·S inputs minus those in the padding.
        int expected = 0;
        for (int k = 0; k < 2; k++)
            for (int p = 0; p < m.OutputShape[1]; p++)
                for (int q = 0; q < m.OutputShape[2]; q++)
                    for (int r = 0; r < 2; r++)
                        for (int s = 0; s < 3; s++)
                        {
                            int h = 2 * p - 1 + r, v = 2 * q - 1 + s;
                            if (h >= 0 && h < 5 && v >= 0 && v < 6) expected += 3;
                        }
        Assert.Equal(expected, m.Sparse.NonZeroCount);
        Assert.Contains(m.Sparse.Values, v => v == 0f);
    }

    [Fact]
    public void Multiply_SingleExample_HasNoBatchDimension()
    {
        var m = ConvolutionMatrix.Build(Tensor.Ones(2, 1, 2, 2), [1, 3, 3]);
        var y = m.Multiply(Tensor.Ones(1, 3, 3));
        Assert.Equal([2, 2, 2], y.Shape);
        Assert.All(y.ToArray(), v => Assert.Equal(4f, v));
        Assert.Equal([1, 3, 3], m.MultiplyTransposed(y).Shape);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => m.Multiply(Tensor.Ones(1, 3, 4))).ParamName);
        Assert.Equal("gradOutput", Assert.Throws<ArgumentException>(() => m.MultiplyTransposed(Tensor.Ones(3, 2, 2))).ParamName);
    }

    [Fact]
    public void Build_BadArguments_ThrowNamingTheParameter()
    {
        var w = Tensor.Ones(1, 2, 3, 3);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(Tensor.Ones(3, 3), [2, 5, 5])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 5])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [3, 5, 5])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 0, 5])).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 5, 5], stride: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 5, 5], padding: -1)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 2, 2], padding: 3, paddingMode: ConvolutionPadding.Circular)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 2, 2])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(Tensor.Ones(64, 64, 3, 3), [64, 64, 64])).ParamName);
        Assert.Equal("paddingMode", Assert.Throws<ArgumentException>(() => ConvolutionMatrix.Build(w, [2, 5, 5], paddingMode: (ConvolutionPadding)9)).ParamName);
    }

    private static void Close(Tensor expected, Tensor actual, string what) =>
        AssertTensor.Close(actual, [.. expected.Shape], [.. expected.ToArray().Select(v => (double)v)], Tolerances.Accumulation, what);
}
