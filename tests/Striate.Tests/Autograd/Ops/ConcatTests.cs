// Functional.Concat: values, the gradient split back to each input (including a tensor used twice
// and inputs without gradients), finite differences, accumulation and argument errors.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class ConcatTests
{
    [Fact]
    public void Concat_Channels_PlacesEachInputsChannelsInOrder()
    {
        var a = Tensor.FromArray([1f, 2, 3, 4, 5, 6, 7, 8], 2, 1, 2, 2);
        var b = Tensor.FromArray([10f, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 160], 2, 2, 2, 2);
        var y = Functional.Concat([a, b], dim: 1);
        Assert.Equal([2, 3, 2, 2], y.Shape);
        Assert.Equal([1f, 2, 3, 4, 10, 20, 30, 40, 50, 60, 70, 80, 5, 6, 7, 8, 90, 100, 110, 120, 130, 140, 150, 160], y.ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(-1)]
    [InlineData(-3)]
    public void Concat_ThenSlicingBack_RecoversEachInput(int dim)
    {
        var rng = new Rng(41);
        int[] baseShape = [2, 3, 4];
        int d = dim < 0 ? dim + 3 : dim;
        var parts = new[] { 1, 3, 2 }.Select(size => Tensor.Normal(rng, 0f, 1f, [.. baseShape.Select((s, i) => i == d ? size : s)])).ToArray();
        var y = Functional.Concat(parts, dim);
        Assert.Equal(6, y.Shape[d]);
        int offset = 0;
        foreach (var part in parts)
        {
            for (int i = 0; i < part.Length; i++)
            {
                var index = Unflatten(i, [.. part.Shape]);
                var at = (int[])index.Clone();
                at[d] += offset;
                Assert.Equal(part[index], y[at]);
            }
            offset += part.Shape[d];
        }
    }

    [Fact]
    public void Concat_Backward_SplitsTheGradient()
    {
        var a = Tensor.Zeros(1, 2);
        var b = Tensor.Zeros(1, 3);
        a.RequiresGrad = b.RequiresGrad = true;
        Functional.Concat([a, b], 1).Backward(Tensor.FromArray([1f, 2, 3, 4, 5], 1, 5));
        Assert.Equal([1f, 2], a.Grad!.ToArray());
        Assert.Equal([3f, 4, 5], b.Grad!.ToArray());
    }

    [Fact]
    public void Concat_SameTensorTwice_GradientAddsBothSlices()
    {
        var a = Tensor.FromArray([1f, 2], 2);
        a.RequiresGrad = true;
        var y = Functional.Concat([a, a]);
        Assert.Equal([1f, 2, 1, 2], y.ToArray());
        y.Backward(Tensor.FromArray([1f, 10, 100, 1000], 4));
        Assert.Equal([101f, 1010], a.Grad!.ToArray());
    }

    [Fact]
    public void Concat_InputWithoutGrad_GetsNone()
    {
        var a = Tensor.Ones(2, 2);
        var b = Tensor.Ones(2, 1);
        b.RequiresGrad = true;
        Functional.Concat([a, b], -1).Backward(Tensor.Ones(2, 3));
        Assert.Null(a.Grad);
        Assert.Equal([1f, 1], b.Grad!.ToArray());
    }

    [Fact]
    public void Concat_GradCheck_EveryInput()
    {
        var rng = new Rng(42);
        var a = Tensor.Normal(rng, 0f, 1f, 3, 2, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 3, 1, 3);
        var c = Tensor.Normal(rng, 0f, 1f, 3, 4, 3);
        a.RequiresGrad = b.RequiresGrad = c.RequiresGrad = true;
        // A product after the concat makes the gradient depend on where each slice went.
        var weight = Tensor.Normal(rng, 0f, 1f, 3, 7, 3);
        var result = GradCheck.Check(t => Functional.Concat(t, 1) * weight, [a, b, c], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Concat_BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(43);
        var a = Tensor.Normal(rng, 0f, 1f, 2, 3);
        var b = Tensor.Normal(rng, 0f, 1f, 2, 2);
        a.RequiresGrad = b.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 2, 5);
        Functional.Concat([a, b], 1).Backward(upstream);
        float[][] once = [a.Grad!.ToArray(), b.Grad!.ToArray()];
        Functional.Concat([a, b], 1).Backward(upstream);
        Assert.Equal(once[0].Select(v => 2 * v), a.Grad!.ToArray());
        Assert.Equal(once[1].Select(v => 2 * v), b.Grad!.ToArray());
    }

    [Fact]
    public void Concat_UnderNoGrad_RecordsNothing()
    {
        var a = Tensor.Ones(2);
        a.RequiresGrad = true;
        using (GradMode.NoGrad()) Assert.Null(Functional.Concat([a, a]).GradFn);
        Assert.Equal("Concat", Functional.Concat([a, a]).GradFn!.Name);
    }

    [Fact]
    public void Concat_BadArguments_Throw()
    {
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Functional.Concat([])).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Functional.Concat([Tensor.Ones(2), null!])).ParamName);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Functional.Concat([Tensor.Scalar(1f), Tensor.Scalar(2f)])).ParamName);
        var shape = Assert.Throws<ArgumentException>(() => Functional.Concat([Tensor.Ones(2, 3), Tensor.Ones(3, 3)], 1));
        Assert.Equal("tensors", shape.ParamName);
        Assert.Contains("(3, 3)", shape.Message, StringComparison.Ordinal);
        Assert.Equal("tensors", Assert.Throws<ArgumentException>(() => Functional.Concat([Tensor.Ones(2, 3), Tensor.Ones(2, 3, 1)])).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Concat([Tensor.Ones(2, 3)], 2)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Concat([Tensor.Ones(2, 3)], -3)).ParamName);
    }

    private static int[] Unflatten(int flat, int[] shape)
    {
        var index = new int[shape.Length];
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }
}
