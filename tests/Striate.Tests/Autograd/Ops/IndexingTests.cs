// Functional.Permute, Slice and IndexSelect: hand-computed values, Python slice semantics (negative and
// out-of-range bounds, negative steps, the count formula over many combinations), gradient checks with a
// random upstream gradient over every batch item, backward twice, repeated indices, thread-count
// determinism, and the bad-argument checks.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class IndexingTests
{
    private static Tensor Arange(params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        return Tensor.FromArray([.. Enumerable.Range(0, n).Select(i => (float)i)], shape);
    }

    [Fact]
    public void Permute_NchwToNhwc_MovesChannelsLast()
    {
        var x = Arange(1, 2, 2, 3); // channel 0: 0…5, channel 1: 6…11
        var y = Functional.Permute(x, 0, 2, 3, 1);
        Assert.Equal([1, 2, 3, 2], y.Shape);
        Assert.Equal([0f, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11], y.ToArray());
        Assert.Equal(y.ToArray(), Functional.Permute(x, 0, -2, -1, 1).ToArray());
    }

    [Fact]
    public void Slice_PythonSemantics_OverManyBounds()
    {
        // Every (start, end, step) against a direct transcription of CPython's slice.indices.
        var x = Arange(7);
        for (int start = -10; start <= 10; start++)
        for (int end = -10; end <= 10; end++)
        foreach (int step in new[] { -3, -2, -1, 1, 2, 3 })
        {
            var expected = PythonSlice(7, start, end, step);
            var y = Functional.Slice(x, 0, start, end, step);
            Assert.True(expected.SequenceEqual(y.ToArray().Select(v => (int)v)),
                $"x[{start}:{end}:{step}] of 0…6: expected ({string.Join(",", expected)}), got ({string.Join(",", y.ToArray())})");
        }
        Assert.Equal([6f, 5, 4, 3, 2, 1, 0], Functional.Slice(x, 0, -1, int.MinValue, -1).ToArray());
        Assert.Equal([1f, 3, 5], Functional.Slice(x, 0, 1, int.MaxValue, 2).ToArray());
    }

    /// <summary>CPython's PySlice_AdjustIndices, then the elements it walks.</summary>
    private static List<int> PythonSlice(int length, int start, int stop, int step)
    {
        static int Adjust(int v, int length, int step)
        {
            if (v < 0)
            {
                v += length;
                if (v < 0) v = step < 0 ? -1 : 0;
            }
            else if (v >= length) v = step < 0 ? length - 1 : length;
            return v;
        }
        int s = Adjust(start, length, step), e = Adjust(stop, length, step);
        var result = new List<int>();
        for (int i = s; step > 0 ? i < e : i > e; i += step) result.Add(i);
        return result;
    }

    [Fact]
    public void Slice_InnerDimension_KeepsOtherDimensions()
    {
        // x[:, :, 1:-1, ::2] of (1, 1, 4, 5).
        var x = Arange(1, 1, 4, 5);
        var y = Functional.Slice(Functional.Slice(x, 2, 1, -1), 3, 0, int.MaxValue, 2);
        Assert.Equal([1, 1, 2, 3], y.Shape);
        Assert.Equal([5f, 7, 9, 10, 12, 14], y.ToArray());
        Assert.Equal([2, 0], Functional.Slice(Arange(2, 5), 1, 4, 2).Shape);
    }

    [Fact]
    public void IndexSelect_RepeatedIndices_GradientAddsUp()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 2, 3);
        x.RequiresGrad = true;
        var y = Functional.IndexSelect(x, 1, [2, 0, 2]);
        Assert.Equal([3f, 1, 3, 6, 4, 6], y.ToArray());
        y.Backward(Tensor.FromArray([1f, 10, 100, 1000, 10000, 100000], 2, 3));
        Assert.Equal([10f, 0, 101, 10000, 0, 101000], x.Grad!.ToArray());
    }

    public static TheoryData<string, Func<Tensor, Tensor>, int[]> GradCases => new()
    {
        { "permute nchw→nhwc", t => Functional.Permute(t, 0, 2, 3, 1), [3, 4, 5, 2] },
        { "permute transpose(1, 2)", t => Functional.Permute(t, 0, 2, 1, 3), [3, 5, 4, 2] },
        { "slice rows 1:-1", t => Functional.Slice(t, 2, 1, -1), [3, 4, 5, 2] },
        { "slice ::2 last dim", t => Functional.Slice(t, 3, 0, int.MaxValue, 2), [3, 4, 5, 3] },
        { "slice 3 stride", t => Functional.Slice(t, 1, 0, 7, 3), [3, 7, 2, 2] },
        { "slice negative step", t => Functional.Slice(t, 2, -1, 0, -2), [3, 2, 7, 3] },
        { "slice batch", t => Functional.Slice(t, 0, 1, 3), [3, 2, 2, 3] },
        { "index_select channels", t => Functional.IndexSelect(t, 1, [4, 0, 2, 0]), [3, 5, 2, 3] },
        { "index_select repeated last", t => Functional.IndexSelect(t, -1, [1, 1, 0, 2, 1]), [3, 2, 2, 3] },
        { "index_select batch", t => Functional.IndexSelect(t, 0, [2, 0, 2, 1]), [3, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(GradCases))]
    public void GradCheck_EveryOp(string name, Func<Tensor, Tensor> op, int[] shape)
    {
        var rng = new Rng(71);
        var x = Tensor.Normal(rng, 0f, 1f, shape);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => op(t[0]), [x], rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, $"{name}: {result.Message}");
    }

    [Theory]
    [MemberData(nameof(GradCases))]
    public void Backward_Twice_AccumulatesTwice(string name, Func<Tensor, Tensor> op, int[] shape)
    {
        var rng = new Rng(72);
        var x = Tensor.Normal(rng, 0f, 1f, shape);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, [.. op(x).Shape]);
        op(x).Backward(upstream);
        var once = x.Grad!.ToArray();
        op(x).Backward(upstream);
        Assert.Contains(once, v => v != 0f);
        Assert.True(once.Select(v => 2f * v).SequenceEqual(x.Grad!.ToArray()), name);
    }

    [Theory]
    [MemberData(nameof(GradCases))]
    public void Threads_OneVersusThree_BitIdentical(string name, Func<Tensor, Tensor> op, int[] shape)
    {
        var rng = new Rng(73);
        var x = Tensor.Normal(rng, 0f, 1f, shape);
        var upstream = Tensor.Normal(rng, 0f, 1f, [.. op(x).Shape]);
        float[] Run(int threads)
        {
            using var scope = Compute.UseThreads(threads);
            var leaf = x.Clone();
            leaf.RequiresGrad = true;
            var y = op(leaf);
            y.Backward(upstream);
            return [.. y.ToArray(), .. leaf.Grad!.ToArray()];
        }
        AssertTensor.BitIdentical(Run(1), Run(3), name);
    }

    [Fact]
    public void NoGrad_RecordsNothing()
    {
        var x = Arange(2, 3);
        x.RequiresGrad = true;
        using (GradMode.NoGrad())
        {
            Assert.Null(Functional.Permute(x, 1, 0).GradFn);
            Assert.Null(Functional.Slice(x, 1, 0, 2).GradFn);
            Assert.Null(Functional.IndexSelect(x, 0, [1]).GradFn);
        }
        Assert.Equal("Permute", Functional.Permute(x, 1, 0).GradFn!.Name);
        Assert.Equal("Slice", Functional.Slice(x, 1, 0, 2).GradFn!.Name);
        Assert.Equal("IndexSelect", Functional.IndexSelect(x, 0, [1]).GradFn!.Name);
    }

    public static TheoryData<string, Func<Tensor>> BadArguments => new()
    {
        { "dims", () => Functional.Permute(Tensor.Zeros(2, 3), 0) },
        { "dims", () => Functional.Permute(Tensor.Zeros(2, 3), 1, 1) },
        { "dims", () => Functional.Permute(Tensor.Zeros(2, 3), 0, 2) },
        { "dims", () => Functional.Permute(Tensor.Zeros(2, 3), -3, 0) },
        { "dims", () => Functional.Permute(Tensor.Zeros(2, 3), 1, -1) },
        { "dim", () => Functional.Slice(Tensor.Zeros(2, 3), 2, 0, 1) },
        { "dim", () => Functional.Slice(Tensor.Zeros(2, 3), -3, 0, 1) },
        { "step", () => Functional.Slice(Tensor.Zeros(2, 3), 1, 0, 1, 0) },
        { "input", () => Functional.Slice(Tensor.Scalar(1f), 0, 0, 1) },
        { "indices", () => Functional.IndexSelect(Tensor.Zeros(2, 3), 1, [-1]) },
        { "indices", () => Functional.IndexSelect(Tensor.Zeros(2, 3), 1, [0, 3]) },
        { "dim", () => Functional.IndexSelect(Tensor.Zeros(2, 3), 2, [0]) },
        { "input", () => Functional.IndexSelect(Tensor.Scalar(1f), 0, [0]) },
    };

    [Theory]
    [MemberData(nameof(BadArguments))]
    public void BadArgument_ThrowsNamingIt(string parameter, Func<Tensor> call)
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => call());
        Assert.Equal(parameter, ex.ParamName);
    }

    [Fact]
    public void IndexSelect_NegativeIndex_MessageExplains()
    {
        var ex = Assert.Throws<ArgumentException>(() => Functional.IndexSelect(Tensor.Zeros(2, 3), 1, [0, -1]));
        Assert.Contains("negative indices are not accepted", ex.Message);
    }
}
