// Max unpooling through Functional: pooling then unpooling puts each maximum back in place, the
// default and explicit output sizes, gradient checks, accumulation and argument errors.
namespace Striate.Tests.Autograd.Ops;

public class MaxUnpoolTests
{
    [Fact]
    public void MaxUnpool2d_AfterMaxPool_PutsEachMaximumBackAndZerosTheRest()
    {
        float[] values = [1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4];
        var (pooled, indices) = Functional.MaxPool2dWithIndices(Tensor.FromArray(values, 1, 1, 4, 4), 2);
        var y = Functional.MaxUnpool2d(pooled, indices, 2);
        Assert.Equal([1, 1, 4, 4], y.Shape);
        Assert.Equal([0f, 0, 0, 0, 0, 6, 0, 8, 3, 0, 0, 0, 0, 0, 0, 4], y.ToArray());
    }

    [Fact]
    public void MaxUnpool_OutputSize_RecoversOddSizes()
    {
        var rng = new Rng(111);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 5, 7);
        var (pooled, indices) = Functional.MaxPool2dWithIndices(x, 2);
        // The default (2·2, 2·3) = 4×6 plane cannot hold positions of the 5×7 input (as in PyTorch).
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(pooled, indices, 2)).ParamName);
        var y = Functional.MaxUnpool2d(pooled, indices, 2, outputSize: (5, 7));
        Assert.Equal([2, 3, 5, 7], y.Shape);
        // Every nonzero output is the input value at the same place.
        var xs = x.ToArray();
        var ys = y.ToArray();
        for (int i = 0; i < ys.Length; i++)
            if (ys[i] != 0f) Assert.Equal(xs[i], ys[i]);
        Assert.Equal(pooled.Length, ys.Count(v => v != 0f));

        var (p1, i1) = Functional.MaxPool1dWithIndices(Tensor.Normal(rng, 0f, 1f, 1, 2, 9), 3, 2, 1);
        Assert.Equal([1, 2, 9], Functional.MaxUnpool1d(p1, i1, 3, 2, 1, outputSize: 9).Shape);
        var (p3, i3) = Functional.MaxPool3dWithIndices(Tensor.Normal(rng, 0f, 1f, 1, 2, 5, 4, 7), 2);
        Assert.Equal([1, 2, 5, 4, 7], Functional.MaxUnpool3d(p3, i3, 2, outputSize: (5, 4, 7)).Shape);
    }

    [Fact]
    public void MaxUnpool_GradCheck_1d2d3d()
    {
        var rng = new Rng(112);
        var (_, i1) = Functional.MaxPool1dWithIndices(Tensor.Normal(rng, 0f, 1f, 3, 2, 10), 2);
        var x1 = Tensor.Normal(rng, 0f, 1f, 3, 2, 5);
        x1.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.MaxUnpool1d(t[0], i1, 2), x1, rng);
        // Non-overlapping pooling: every index distinct, so each input owns its output cell. (With repeated
        // indices the overwritten input still gathers a gradient, as in PyTorch, which finite differences do not see.)
        var (_, i2) = Functional.MaxPool2dWithIndices(Tensor.Normal(rng, 0f, 1f, 2, 3, 7, 6), 2);
        var x2 = Tensor.Normal(rng, 0f, 1f, 2, 3, 3, 3);
        x2.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.MaxUnpool2d(t[0], i2, 2, outputSize: (7, 6)), x2, rng);
        var (_, i3) = Functional.MaxPool3dWithIndices(Tensor.Normal(rng, 0f, 1f, 2, 1, 4, 4, 5), 2);
        var x3 = Tensor.Normal(rng, 0f, 1f, 2, 1, 2, 2, 2);
        x3.RequiresGrad = true;
        MaxPoolTests.AssertGradCheck(t => Functional.MaxUnpool3d(t[0], i3, 2, outputSize: (4, 4, 5)), x3, rng);
    }

    [Fact]
    public void MaxUnpool2d_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(113);
        var (pooled, indices) = Functional.MaxPool2dWithIndices(Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6), 2);
        var x = pooled.Detach();
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 6);
        Functional.MaxUnpool2d(x, indices, 2).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.MaxUnpool2d(x, indices, 2).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void MaxUnpool_BadArguments_ThrowNamingThem()
    {
        var x = Tensor.Zeros(1, 1, 2, 2);
        long[] ok = [0, 3, 8, 15];
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, [0, 3, 8], 2)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, [0, 3, 8, 16], 2)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, [0, -1, 8, 15], 2)).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, ok, 2, outputSize: (6, 4))).ParamName);
        Assert.Equal("outputSize", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, ok, 2, outputSize: (2, 4))).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, ok, 0)).ParamName);
        Assert.Equal("stride", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool2d(x, ok, 2, 0)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool1d(Tensor.Zeros(1, 1, 1), [0], 1, 1, 1)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.MaxUnpool3d(x, ok, 2)).ParamName);
    }
}
