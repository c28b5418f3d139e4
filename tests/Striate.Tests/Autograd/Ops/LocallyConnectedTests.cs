// Functional.LocallyConnected1d/2d: the chapter's 6-D-kernel formula evaluated literally, the
// difference from a convolution (no sharing), finite-difference gradients over every batch item,
// accumulation, the output-size formula and argument errors that name the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class LocallyConnectedTests
{
    [Fact]
    public void LocallyConnected2d_ChapterFormula_EvaluatedLiterally()
    {
        // Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · w[i,j,k,l,m,n] with 1-based indices, stride 1, no padding, plus bias.
        var rng = new Rng(31);
        int c = 3, h = 5, wd = 6, kOut = 2, r = 2, s = 3, p = h - r + 1, q = wd - s + 1;
        var x = Tensor.Normal(rng, 0f, 1f, 1, c, h, wd);
        var w = Tensor.Normal(rng, 0f, 1f, kOut, p, q, c, r, s);
        var b = Tensor.Normal(rng, 0f, 1f, kOut, p, q);
        var y = Functional.LocallyConnected2d(x, w, b);
        Assert.Equal([1, kOut, p, q], y.Shape);
        for (int i = 1; i <= kOut; i++)
            for (int j = 1; j <= p; j++)
                for (int k = 1; k <= q; k++)
                {
                    double z = b[i - 1, j - 1, k - 1];
                    for (int l = 1; l <= c; l++)
                        for (int m = 1; m <= r; m++)
                            for (int n = 1; n <= s; n++)
                                z += (double)x[0, l - 1, j + m - 2, k + n - 2] * w[i - 1, j - 1, k - 1, l - 1, m - 1, n - 1];
                    Assert.Equal(z, y[0, i - 1, j - 1, k - 1], 4);
                }
    }

    [Fact]
    public void LocallyConnected2d_SameKernelEverywhere_EqualsConv2d()
    {
        // Copying one (K, C, R, S) kernel to every position turns the layer back into a convolution.
        var rng = new Rng(32);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 8, 7);
        var kernel = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 3);
        int p = (8 + 2 - 3) / 2 + 1, q = (7 + 2 - 3) / 2 + 1;
        var w = Tensor.Zeros(4, p, q, 3, 3, 3);
        var wd = w.AsSpan();
        for (int k = 0; k < 4; k++)
            for (int pos = 0; pos < p * q; pos++)
                kernel.AsSpan().Slice(k * 27, 27).CopyTo(wd.Slice((k * p * q + pos) * 27, 27));
        var conv = Functional.Conv2d(x, kernel, null, 2, 1);
        var local = Functional.LocallyConnected2d(x, w, null, 2, 1);
        AssertTensor.Close(local, [.. conv.Shape], [.. conv.ToArray().Select(v => (double)v)], Tolerances.Accumulation, "locally connected with shared kernels vs conv");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LocallyConnected2d_GradCheck_InputWeightAndBias(bool rectangular)
    {
        var rng = new Rng(33);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 2, 7, 6);
        (int sh, int sw, int ph, int pw, int r, int s) = rectangular ? (2, 1, 1, 0, 3, 2) : (2, 2, 1, 1, 3, 3);
        int p = (7 + 2 * ph - r) / sh + 1, q = (6 + 2 * pw - s) / sw + 1;
        var w = Tensor.Normal(rng, 0f, 0.5f, 3, p, q, 2, r, s);
        var b = Tensor.Normal(rng, 0f, 1f, 3, p, q);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.LocallyConnected2d(t[0], t[1], t[2], (sh, sw), (ph, pw)), [x, w, b], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.True(result.Probes > 0);
    }

    [Fact]
    public void LocallyConnected1d_GradCheck_InputWeightAndBias()
    {
        var rng = new Rng(34);
        var x = Tensor.Normal(rng, 0f, 1f, 3, 3, 10);
        var w = Tensor.Normal(rng, 0f, 0.5f, 2, 5, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 2, 5);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.LocallyConnected1d(t[0], t[1], t[2], 2, 1), [x, w, b], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void LocallyConnected1d_EqualsLocallyConnected2dOnARow()
    {
        var rng = new Rng(35);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 13);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 7, 3, 5);
        var b = Tensor.Normal(rng, 0f, 1f, 4, 7);
        var y1 = Functional.LocallyConnected1d(x, w, b, 2, 2);
        var y2 = Functional.LocallyConnected2d(x.Reshape(2, 3, 1, 13), w.Reshape(4, 1, 7, 3, 1, 5), b.Reshape(4, 1, 7), (1, 2), (0, 2));
        Assert.Equal([2, 4, 7], y1.Shape);
        AssertTensor.BitIdentical(y2.AsSpan(), y1.AsSpan(), "1-D vs 2-D on a row");
    }

    [Fact]
    public void LocallyConnected2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(36);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6);
        var w = Tensor.Normal(rng, 0f, 1f, 4, 3, 3, 3, 3, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 4, 3, 3);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 4, 3, 3);
        Functional.LocallyConnected2d(x, w, b, 2, 1).Backward(upstream);
        float[][] once = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        Functional.LocallyConnected2d(x, w, b, 2, 1).Backward(upstream);
        float[][] twice = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        for (int t = 0; t < 3; t++)
        {
            Assert.Contains(once[t], v => v != 0f);
            Assert.Equal(once[t].Select(v => 2f * v).ToArray(), twice[t]);
        }
    }

    [Fact]
    public void LocallyConnected2d_InputWithoutGrad_WeightGradientIsDyTimesItsOwnField()
    {
        // Unshared: dw[k,p,q,c,r,s] = Σ_n dy[n,k,p,q] · x[n, c, p + r, q + s], no sum over positions.
        var rng = new Rng(37);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 1, 4, 4);
        var w = Tensor.Normal(rng, 0f, 1f, 2, 2, 2, 1, 3, 3);
        w.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 2, 2, 2);
        Functional.LocallyConnected2d(x, w).Backward(upstream);
        Assert.Null(x.Grad);
        double expected = 0;
        for (int n = 0; n < 2; n++) expected += (double)upstream[n, 1, 0, 1] * x[n, 0, 0 + 2, 1 + 1];
        Assert.Equal(expected, w.Grad![1, 0, 1, 0, 2, 1], 5);
    }

    [Fact]
    public void LocallyConnected2d_OutputSize_FollowsTheFormulaForEveryCombination()
    {
        // ⌊(n + 2p − k)/s⌋ + 1: the weight is built for that grid and accepted.
        foreach (int n in new[] { 1, 2, 5, 7, 8 })
            foreach (int k in new[] { 1, 2, 3 })
                foreach (int s in new[] { 1, 2, 3 })
                    foreach (int p in new[] { 0, 1, 2 })
                    {
                        if (n + 2 * p < k) continue;
                        int outH = (n + 2 * p - k) / s + 1, outW = (n + 3 + 2 * p - k) / s + 1;
                        var y2 = Functional.LocallyConnected2d(Tensor.Zeros(1, 1, n, n + 3), Tensor.Zeros(2, outH, outW, 1, k, k), null, s, p);
                        Assert.Equal([1, 2, outH, outW], y2.Shape);
                        var y1 = Functional.LocallyConnected1d(Tensor.Zeros(1, 1, n), Tensor.Zeros(2, outH, 1, k), null, s, p);
                        Assert.Equal([1, 2, outH], y1.Shape);
                    }
    }

    [Fact]
    public void LocallyConnected2d_InputOfAnotherSize_ThrowsNamingInputWithBothGrids()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(Tensor.Zeros(1, 1, 30, 30), Tensor.Zeros(6, 24, 24, 1, 5, 5)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("24×24", ex.Message, StringComparison.Ordinal);
        Assert.Contains("26×26", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LocallyConnected2d_BadArguments_ThrowNamingTheParameter()
    {
        var x = Tensor.Zeros(1, 2, 6, 6);
        var w = Tensor.Zeros(3, 4, 4, 2, 3, 3);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(Tensor.Zeros(2, 6, 6), w)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(x, Tensor.Zeros(3, 2, 3, 3))).ParamName);
        var channels = Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(Tensor.Zeros(1, 3, 6, 6), w));
        Assert.Equal("input", channels.ParamName);
        Assert.Contains("expected 2 input channels, got 3", channels.Message, StringComparison.Ordinal);
        var bias = Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(x, w, Tensor.Zeros(3)));
        Assert.Equal("bias", bias.ParamName);
        Assert.Contains("(3, 4, 4)", bias.Message, StringComparison.Ordinal);
        Assert.Equal("stride", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(x, w, null, stride: 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(x, w, null, padding: -1)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected2d(Tensor.Zeros(1, 2, 2, 2), w)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected1d(x, Tensor.Zeros(3, 4, 2, 3))).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected1d(Tensor.Zeros(1, 2, 6), Tensor.Zeros(3, 4, 2, 3), Tensor.Zeros(3, 3))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.LocallyConnected1d(Tensor.Zeros(1, 2, 7), Tensor.Zeros(3, 4, 2, 3))).ParamName);
    }
}
