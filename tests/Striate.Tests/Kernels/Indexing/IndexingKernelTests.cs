// The permute and gather kernels against the naive reference: ranks 0 to 5, odd and prime sizes,
// size-1 and empty axes, every permutation of a 4-D tensor; gathers with repeated, unordered and
// strided (slice) index lists, outer and inner of 1; thread-count determinism; backward adds the
// per-element sum once; hand-written values; and the argument checks.
using Striate.Kernels.Indexing;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Indexing;

public class IndexingKernelTests
{
    public static TheoryData<int[], int[]> PermuteCases
    {
        get
        {
            var data = new TheoryData<int[], int[]>
            {
                { [], [] },
                { [7], [0] },
                { [3, 5], [1, 0] },
                { [2, 3, 5], [2, 0, 1] },
                { [1, 7, 1, 3], [3, 1, 0, 2] },
                { [2, 3, 0, 4], [0, 2, 3, 1] },
                { [3, 2, 5, 1, 3], [4, 2, 0, 3, 1] },
                { [1, 13, 11], [0, 2, 1] },
            };
            foreach (var perm in Permutations([0, 1, 2, 3])) data.Add([2, 3, 5, 7], perm);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(PermuteCases))]
    public void Permute_MatchesReference_AndThreadCountsAgree(int[] dims, int[] perm)
    {
        var rng = new Rng(5);
        int length = dims.Aggregate(1, (a, b) => a * b);
        float[] x = Random(rng, length), dy = Random(rng, length), dx0 = Random(rng, length);
        float[] y1 = Filled(length), y3 = Filled(length), expected = new float[length];
        PermuteKernel.Forward(dims, perm, x, y1, 1);
        PermuteKernel.Forward(dims, perm, x, y3, 3);
        IndexingReference.PermuteForward<float>(dims, perm, x, expected);
        AssertTensor.BitIdentical(expected, y1, $"permute ({string.Join(",", dims)}) by ({string.Join(",", perm)})");
        AssertTensor.BitIdentical(y1, y3, "permute 1 vs 3 threads");

        float[] dx1 = (float[])dx0.Clone(), dx3 = (float[])dx0.Clone(), dxRef = (float[])dx0.Clone();
        PermuteKernel.Backward(dims, perm, dy, dx1, 1);
        PermuteKernel.Backward(dims, perm, dy, dx3, 3);
        IndexingReference.PermuteBackward<float>(dims, perm, dy, dxRef);
        // A bijection: each dx element receives exactly one dy, one rounding in both.
        AssertTensor.BitIdentical(dxRef, dx1, "permute backward");
        AssertTensor.BitIdentical(dx1, dx3, "permute backward 1 vs 3 threads");
    }

    [Fact]
    public void Permute_Backward_UndoesForward()
    {
        int[] dims = [2, 3, 4], perm = [1, 2, 0];
        var x = Random(new Rng(6), 24);
        var y = new float[24];
        PermuteKernel.Forward(dims, perm, x, y, 2);
        var back = new float[24];
        PermuteKernel.Backward(dims, perm, y, back, 2);
        Assert.Equal(x, back);
    }

    [Fact]
    public void Permute_Transpose_HandValues()
    {
        // (2, 3) → (3, 2): [[1 2 3] [4 5 6]]ᵀ = [[1 4] [2 5] [3 6]].
        var y = new float[6];
        PermuteKernel.Forward([2, 3], [1, 0], [1f, 2, 3, 4, 5, 6], y, 1);
        Assert.Equal([1f, 4, 2, 5, 3, 6], y);
    }

    public static TheoryData<int, int, int, int[]> GatherCases => new()
    {
        { 2, 5, 3, [4, 0, 2] },
        { 3, 4, 1, [1, 1, 3, 1, 0] },      // repeats, inner 1
        { 1, 7, 9, [6, 5, 0, 6, 6] },      // outer 1
        { 2, 9, 5, [1, 4, 7] },            // slice 1::3
        { 5, 8, 3, [7, 5, 3, 1] },         // slice ::-2
        { 3, 6, 17, [] },                  // empty selection
        { 2, 3, 0, [0, 2] },               // empty inner
        { 13, 11, 1, [10, 0, 5, 5, 5, 5] },
        { 2, 1, 4, [0, 0, 0] },
    };

    [Theory]
    [MemberData(nameof(GatherCases))]
    public void Gather_MatchesReference_AndThreadCountsAgree(int outer, int size, int inner, int[] indices)
    {
        var rng = new Rng(7);
        int xLength = outer * size * inner, yLength = outer * indices.Length * inner;
        float[] x = Random(rng, xLength), dy = Random(rng, yLength), dx0 = Random(rng, xLength);
        float[] y1 = Filled(yLength), y3 = Filled(yLength), expected = new float[yLength];
        GatherKernel.Forward(outer, size, inner, indices, x, y1, 1);
        GatherKernel.Forward(outer, size, inner, indices, x, y3, 3);
        IndexingReference.GatherForward<float>(outer, size, inner, indices, x, expected);
        AssertTensor.BitIdentical(expected, y1, $"gather ({outer}, {size}, {inner}) at ({string.Join(",", indices)})");
        AssertTensor.BitIdentical(y1, y3, "gather 1 vs 3 threads");

        float[] fresh1 = new float[xLength], fresh3 = new float[xLength];
        GatherKernel.Backward(outer, size, inner, indices, dy, fresh1, 1);
        GatherKernel.Backward(outer, size, inner, indices, dy, fresh3, 3);
        AssertTensor.BitIdentical(fresh1, fresh3, "gather backward 1 vs 3 threads");
        var reference = Array.ConvertAll(dx0, v => (double)v);
        IndexingReference.GatherBackward<double>(outer, size, inner, indices, Array.ConvertAll(dy, v => (double)v), reference);
        var dx = (float[])dx0.Clone();
        GatherKernel.Backward(outer, size, inner, indices, dy, dx, 2);
        // At most five dy values add into one element: a few float32 roundings.
        AssertTensor.Close(dx, reference, [xLength], Tolerances.Pointwise.ScaledBy(4), "gather backward");
        // The per-element sum is formed first and added once.
        AssertTensor.BitIdentical([.. dx0.Zip(fresh1, (a, b) => a + b)], dx, "gather backward adds once");
    }

    [Fact]
    public void Gather_Backward_RepeatedIndex_SumsItsGradients()
    {
        // indices (1, 1, 0) over a (1, 2, 1) input: dx0 = dy2, dx1 = dy0 + dy1.
        var dx = new float[2];
        GatherKernel.Backward(1, 2, 1, [1, 1, 0], [1f, 10, 100], dx, 1);
        Assert.Equal([100f, 11], dx);
    }

    [Fact]
    public void Gather_BadArguments_ThrowNamingThem()
    {
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => GatherKernel.Forward(1, 3, 1, [3], new float[3], new float[1], 1)).ParamName);
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => GatherKernel.Forward(1, 3, 1, [-1], new float[3], new float[1], 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => GatherKernel.Forward(2, 3, 1, [0, 1], new float[6], new float[3], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => GatherKernel.Backward(2, 3, 1, [0], new float[2], new float[5], 1)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => GatherKernel.Forward(1, -1, 1, [], new float[3], new float[1], 1)).ParamName);
    }

    [Fact]
    public void Permute_BadArguments_ThrowNamingThem()
    {
        Assert.Equal("perm", Assert.Throws<ArgumentException>(() => PermuteKernel.Forward([2, 3], [0, 0], new float[6], new float[6], 1)).ParamName);
        Assert.Equal("perm", Assert.Throws<ArgumentException>(() => PermuteKernel.Forward([2, 3], [0], new float[6], new float[6], 1)).ParamName);
        Assert.Equal("perm", Assert.Throws<ArgumentException>(() => PermuteKernel.Forward([2, 3], [0, 2], new float[6], new float[6], 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => PermuteKernel.Forward([2, 3], [1, 0], new float[6], new float[5], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => PermuteKernel.Backward([2, 3], [1, 0], new float[6], new float[5], 1)).ParamName);
        Assert.Equal("dims", Assert.Throws<ArgumentException>(() => PermuteKernel.Forward([-2, 3], [1, 0], new float[6], new float[6], 1)).ParamName);
    }

    private static IEnumerable<int[]> Permutations(int[] items)
    {
        if (items.Length <= 1)
        {
            yield return items;
            yield break;
        }
        for (int i = 0; i < items.Length; i++)
            foreach (var rest in Permutations([.. items[..i], .. items[(i + 1)..]]))
                yield return [items[i], .. rest];
    }

    private static float[] Filled(int length)
    {
        var a = new float[length];
        Array.Fill(a, float.NaN); // forward must overwrite
        return a;
    }

    private static float[] Random(Rng rng, int length)
    {
        var a = new float[length];
        rng.FillUniform(a, -1f, 1f);
        return a;
    }
}
