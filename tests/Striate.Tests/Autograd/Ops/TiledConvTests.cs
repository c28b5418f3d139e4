// Functional.TiledConv1d/2d: the special cases the chapter names (t = 1 is a convolution, t = the
// output size is a locally connected layer), finite-difference gradients over every batch item,
// accumulation, the output-size formula and argument errors that name the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TiledConvTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    public void TiledConv2d_TileOne_EqualsConv2dForwardAndBackward(int stride, int padding)
    {
        var rng = new Rng(21);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 5, 9, 8);
        var w = Tensor.Normal(rng, 0f, 0.5f, 7, 5, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 7);
        var up = Functional.Conv2d(x, w, b, stride, padding);
        var upstream = Tensor.Normal(rng, 0f, 1f, [.. up.Shape]);

        var (x1, w1, b1) = Leaves(x, w.Reshape(7, 1, 1, 5, 3, 3), b.Reshape(7, 1, 1));
        var tiled = Functional.TiledConv2d(x1, w1, b1, stride, padding);
        tiled.Backward(upstream);
        var (x2, w2, b2) = Leaves(x, w, b);
        var conv = Functional.Conv2d(x2, w2, b2, stride, padding);
        conv.Backward(upstream);

        Assert.Equal(conv.Shape, tiled.Shape);
        Close(conv, tiled, "output");
        Close(x2.Grad!, x1.Grad!, "input gradient");
        Close(w2.Grad!, w1.Grad!, "weight gradient");
        Close(b2.Grad!, b1.Grad!, "bias gradient");
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void TiledConv2d_TileEqualToOutput_EqualsLocallyConnected2d(int stride, int padding)
    {
        // With tH = P and tW = Q each position has its own kernel: the (K, P, Q, C, R, S) weights mean
        // the same in both layers, and so do the (K, P, Q) biases.
        var rng = new Rng(22);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 6);
        int p = (7 + 2 * padding - 3) / stride + 1, q = (6 + 2 * padding - 2) / stride + 1;
        var w = Tensor.Normal(rng, 0f, 0.5f, 4, p, q, 3, 3, 2);
        var b = Tensor.Normal(rng, 0f, 1f, 4, p, q);
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 4, p, q);

        var (x1, w1, b1) = Leaves(x, w, b);
        var tiled = Functional.TiledConv2d(x1, w1, b1, stride, padding);
        tiled.Backward(upstream);
        var (x2, w2, b2) = Leaves(x, w, b);
        var local = Functional.LocallyConnected2d(x2, w2, b2, stride, padding);
        local.Backward(upstream);

        AssertTensor.BitIdentical(local.AsSpan(), tiled.AsSpan(), "output");
        AssertTensor.BitIdentical(x2.Grad!.AsSpan(), x1.Grad!.AsSpan(), "input gradient");
        AssertTensor.BitIdentical(w2.Grad!.AsSpan(), w1.Grad!.AsSpan(), "weight gradient");
        AssertTensor.BitIdentical(b2.Grad!.AsSpan(), b1.Grad!.AsSpan(), "bias gradient");
    }

    [Fact]
    public void TiledConv2d_ChapterFormula_EvaluatedLiterally_MatchesUpToTheTileNumbering()
    {
        // Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · K[i, l, m, n, j%t+1, k%t+1], evaluated literally with
        // 1-based indices (stride 1, no padding). With 1-based j the chapter's tile j%t+1 cycles 2, 3, …, t, 1, …:
        // its first output uses kernel 2. Striate numbers tiles from the 0-based position, a = p mod t
        // (p = j − 1), the same cycle shifted by one. So the chapter's kernel α (1-based) is Striate's
        // kernel (α − 2) mod t, and with that renaming the two formulas agree everywhere.
        var rng = new Rng(23);
        int c = 2, h = 6, wd = 7, kOut = 2, r = 2, s = 3, t = 3;
        var x = Tensor.Normal(rng, 0f, 1f, 1, c, h, wd);
        var w = Tensor.Normal(rng, 0f, 1f, kOut, t, t, c, r, s);
        var y = Functional.TiledConv2d(x, w);
        double V(int l, int j, int k) => x[0, l - 1, j - 1, k - 1];
        int Striate(int alpha) => ((alpha - 2) % t + t) % t;
        double K(int i, int l, int m, int n, int alpha, int beta) => w[i - 1, Striate(alpha), Striate(beta), l - 1, m - 1, n - 1];
        for (int i = 1; i <= kOut; i++)
            for (int j = 1; j <= h - r + 1; j++)
                for (int k = 1; k <= wd - s + 1; k++)
                {
                    double z = 0;
                    for (int l = 1; l <= c; l++)
                        for (int m = 1; m <= r; m++)
                            for (int n = 1; n <= s; n++)
                                z += V(l, j + m - 1, k + n - 1) * K(i, l, m, n, j % t + 1, k % t + 1);
                    Assert.Equal(z, y[0, i - 1, j - 1, k - 1], 4);
                }
    }

    [Fact]
    public void TiledConv2d_NeighboursUseDifferentKernels_PositionsTApartShareOne()
    {
        // Constant input: each output is Σ of its kernel (plus bias), so the output grid shows the tiling pattern.
        var w = Tensor.Zeros(1, 2, 3, 1, 2, 2);
        for (int a = 0; a < 2; a++)
            for (int b = 0; b < 3; b++)
                w[0, a, b, 0, 0, 0] = 10 * a + b;
        var bias = Tensor.FromArray([0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f], 1, 2, 3);
        var y = Functional.TiledConv2d(Tensor.Ones(1, 1, 5, 8), w, bias);
        Assert.Equal([1, 1, 4, 7], y.Shape);
        for (int p = 0; p < 4; p++)
            for (int q = 0; q < 7; q++)
                Assert.Equal(10 * (p % 2) + q % 3 + 0.5f, y[0, 0, p, q]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TiledConv2d_GradCheck_InputWeightAndBias(bool rectangular)
    {
        var rng = new Rng(24);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 2, 7, 6);
        var w = Tensor.Normal(rng, 0f, 0.5f, 3, 2, rectangular ? 3 : 2, 2, 3, rectangular ? 2 : 3);
        var b = Tensor.Normal(rng, 0f, 1f, 3, 2, rectangular ? 3 : 2);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        Func<Tensor[], Tensor> f = rectangular
            ? t => Functional.TiledConv2d(t[0], t[1], t[2], (2, 1), (1, 0))
            : t => Functional.TiledConv2d(t[0], t[1], t[2], stride: 2, padding: 1);
        var result = GradCheck.Check(f, [x, w, b], rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.True(result.Probes > 0);
    }

    [Fact]
    public void TiledConv1d_GradCheck_WithoutBias()
    {
        var rng = new Rng(25);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 3, 11);
        var w = Tensor.Normal(rng, 0f, 0.5f, 2, 3, 3, 3);
        x.RequiresGrad = w.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.TiledConv1d(t[0], t[1], null, 2, 1), [x, w], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void TiledConv1d_EqualsTiledConv2dOnARow()
    {
        var rng = new Rng(26);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 13);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 5);
        var b = Tensor.Normal(rng, 0f, 1f, 4, 3);
        var y1 = Functional.TiledConv1d(x, w, b, 2, 2);
        var y2 = Functional.TiledConv2d(x.Reshape(2, 3, 1, 13), w.Reshape(4, 1, 3, 3, 1, 5), b.Reshape(4, 1, 3), (1, 2), (0, 2));
        Assert.Equal([2, 4, 7], y1.Shape);
        AssertTensor.BitIdentical(y2.AsSpan(), y1.AsSpan(), "1-D vs 2-D on a row");
    }

    [Fact]
    public void TiledConv2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(27);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 2, 2, 3, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 4, 2, 2);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 4, 3, 3);
        Functional.TiledConv2d(x, w, b, 2, 1).Backward(upstream);
        float[][] once = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        Functional.TiledConv2d(x, w, b, 2, 1).Backward(upstream);
        float[][] twice = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        for (int t = 0; t < 3; t++)
        {
            Assert.Contains(once[t], v => v != 0f);
            Assert.Equal(once[t].Select(v => 2f * v).ToArray(), twice[t]);
        }
    }

    [Fact]
    public void TiledConv2d_OutputSize_FollowsTheFormulaForEveryCombination()
    {
        // ⌊(n + 2p − k)/s⌋ + 1 (no dilation) over sizes, kernels, strides, paddings and tiles.
        foreach (int n in new[] { 1, 2, 5, 7, 8 })
            foreach (int k in new[] { 1, 2, 3 })
                foreach (int s in new[] { 1, 2, 3 })
                    foreach (int p in new[] { 0, 1, 2 })
                        foreach (int t in new[] { 1, 2 })
                        {
                            if (n + 2 * p < k) continue;
                            int expected = (n + 2 * p - k) / s + 1;
                            var y2 = Functional.TiledConv2d(Tensor.Zeros(1, 1, n, n + 1), Tensor.Zeros(2, t, t, 1, k, k), null, s, p);
                            Assert.Equal([1, 2, expected, (n + 1 + 2 * p - k) / s + 1], y2.Shape);
                            var y1 = Functional.TiledConv1d(Tensor.Zeros(1, 1, n), Tensor.Zeros(2, t, 1, k), null, s, p);
                            Assert.Equal([1, 2, expected], y1.Shape);
                        }
    }

    [Fact]
    public void TiledConv2d_BadArguments_ThrowNamingTheParameter()
    {
        var x = Tensor.Zeros(1, 2, 6, 6);
        var w = Tensor.Zeros(3, 2, 2, 2, 3, 3);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(Tensor.Zeros(2, 6, 6), w)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(x, Tensor.Zeros(3, 2, 3, 3))).ParamName);
        var channels = Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(Tensor.Zeros(1, 3, 6, 6), w));
        Assert.Equal("input", channels.ParamName);
        Assert.Contains("expected 2 input channels, got 3", channels.Message, StringComparison.Ordinal);
        var bias = Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(x, w, Tensor.Zeros(3)));
        Assert.Equal("bias", bias.ParamName);
        Assert.Contains("(3, 2, 2)", bias.Message, StringComparison.Ordinal);
        Assert.Equal("stride", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(x, w, null, stride: 0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(x, w, null, (1, -1))).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(x, w, null, padding: -1)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(Tensor.Zeros(1, 2, 2, 2), w)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Functional.TiledConv2d(x, Tensor.Zeros(3, 0, 2, 2, 3, 3))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.TiledConv1d(x, Tensor.Zeros(3, 2, 2, 3))).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Functional.TiledConv1d(Tensor.Zeros(1, 2, 6), Tensor.Zeros(3, 2, 2, 3), Tensor.Zeros(3, 3))).ParamName);
    }

    [Fact]
    public void TiledConv2d_UnderNoGrad_RecordsNothing()
    {
        var w = Tensor.Ones(1, 2, 2, 1, 2, 2);
        w.RequiresGrad = true;
        using (GradMode.NoGrad())
            Assert.Null(Functional.TiledConv2d(Tensor.Ones(1, 1, 3, 3), w).GradFn);
        Assert.Equal("TiledConv2d", Functional.TiledConv2d(Tensor.Ones(1, 1, 3, 3), w).GradFn!.Name);
    }

    private static (Tensor X, Tensor W, Tensor B) Leaves(Tensor x, Tensor w, Tensor b)
    {
        var (x1, w1, b1) = (x.Clone(), w.Clone(), b.Clone());
        x1.RequiresGrad = w1.RequiresGrad = b1.RequiresGrad = true;
        return (x1, w1, b1);
    }

    /// <summary>Same values in row-major order (the tiled weight (K, 1, 1, C, R, S) is the convolution's (K, C, R, S)).</summary>
    private static void Close(Tensor expected, Tensor actual, string what) =>
        AssertTensor.Close(actual.AsSpan(), [.. expected.ToArray().Select(v => (double)v)], [.. actual.Shape], Tolerances.Accumulation, what);
}
