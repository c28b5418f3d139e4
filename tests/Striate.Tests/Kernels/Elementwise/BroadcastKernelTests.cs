// BroadcastKernel against a naive index-by-index oracle: broadcast shapes, the four binary
// operators over a sweep of shape pairs (the fast paths and the general odometer), and the
// gradient reduction SumToShapeAccumulate (which must add, not overwrite).
using Striate.Kernels.Elementwise;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Elementwise;

public class BroadcastKernelTests
{
    // Pairs that exercise: equal shapes, scalar on either side, rank extension, a 1 on either side,
    // both sides broadcasting, rank 0, and empty dimensions.
    public static TheoryData<int[], int[]> ShapePairs => new()
    {
        { [2, 3], [2, 3] },
        { [2, 3, 4], [] },
        { [], [2, 3] },
        { [2, 3, 4], [3, 1] },
        { [4], [2, 3, 4] },
        { [2, 1, 4], [3, 1] },
        { [1, 3], [2, 1] },
        { [5, 1, 1, 2], [1, 3, 2, 1] },
        { [17], [1] },
        { [1], [17] },
        { [3, 1], [1] },
        { [], [] },
        { [0, 3], [3] },
        { [2, 1, 3, 1, 2], [4, 3, 1, 1] },
    };

    private static int Count(int[] shape) => shape.Aggregate(1, (a, b) => a * b);

    private static float[] Values(int count, ulong seed)
    {
        var v = new float[count];
        new Rng(seed).FillUniform(v, 0.5f, 2f); // positive and away from 0: division is safe
        return v;
    }

    /// <summary>The flat source index that output index <paramref name="outFlat"/> reads from an input of <paramref name="shape"/>.</summary>
    private static int SourceIndex(int outFlat, int[] outShape, int[] shape)
    {
        int offset = outShape.Length - shape.Length, src = 0, stride = 1;
        for (int d = outShape.Length - 1; d >= 0; d--)
        {
            int coord = outFlat % outShape[d];
            outFlat /= outShape[d];
            if (d < offset) continue;
            int size = shape[d - offset];
            if (size != 1) src += coord * stride;
            stride *= size;
        }
        return src;
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 3 }, new[] { 2, 3 })]
    [InlineData(new[] { 2, 1, 4 }, new[] { 3, 1 }, new[] { 2, 3, 4 })]
    [InlineData(new int[0], new[] { 5 }, new[] { 5 })]
    [InlineData(new[] { 1 }, new[] { 0 }, new[] { 0 })]
    [InlineData(new[] { 4, 1 }, new[] { 1, 1, 7 }, new[] { 1, 4, 7 })]
    public void BroadcastShape_Compatible_ReturnsPyTorchShape(int[] x, int[] y, int[] expected)
    {
        Assert.Equal(expected, BroadcastKernel.BroadcastShape(x, y));
        Assert.Equal(expected, BroadcastKernel.BroadcastShape(y, x));
    }

    [Theory]
    [InlineData(new[] { 2, 3 }, new[] { 2 })]
    [InlineData(new[] { 3, 4 }, new[] { 2, 4 })]
    [InlineData(new[] { 0 }, new[] { 2 })]
    public void BroadcastShape_Incompatible_ReturnsNull(int[] x, int[] y)
    {
        Assert.Null(BroadcastKernel.BroadcastShape(x, y));
    }

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void Binary_AllOperators_MatchNaiveBroadcast(int[] xShape, int[] yShape)
    {
        var outShape = BroadcastKernel.BroadcastShape(xShape, yShape) ?? throw new ArgumentException($"Test data: {Tensor.ShapeText(xShape)} and {Tensor.ShapeText(yShape)} do not broadcast.", nameof(yShape));
        float[] x = Values(Count(xShape), 1), y = Values(Count(yShape), 2);
        int n = Count(outShape);
        var cases = new (string Name, Func<float, float, float> Op, Action<float[]> Run)[]
        {
            ("Add", (a, b) => a + b, d => BroadcastKernel.Binary<AddOperator>(x, xShape, y, yShape, outShape, d)),
            ("Subtract", (a, b) => a - b, d => BroadcastKernel.Binary<SubtractOperator>(x, xShape, y, yShape, outShape, d)),
            ("Multiply", (a, b) => a * b, d => BroadcastKernel.Binary<MultiplyOperator>(x, xShape, y, yShape, outShape, d)),
            ("Divide", (a, b) => a / b, d => BroadcastKernel.Binary<DivideOperator>(x, xShape, y, yShape, outShape, d)),
        };
        foreach (var (name, op, run) in cases)
        {
            var destination = new float[n];
            run(destination);
            var expected = new double[n];
            for (int i = 0; i < n; i++) expected[i] = op(x[SourceIndex(i, outShape, xShape)], y[SourceIndex(i, outShape, yShape)]);
            // The same single float32 operation on the same operands: any difference is a wrong index.
            AssertTensor.Close(destination, expected, outShape, Tolerances.Selection,
                $"BroadcastKernel.Binary<{name}Operator> {Tensor.ShapeText(xShape)} ∘ {Tensor.ShapeText(yShape)}");
        }
    }

    [Theory]
    [MemberData(nameof(ShapePairs))]
    public void SumToShapeAccumulate_MatchesNaiveSum_AndAccumulates(int[] xShape, int[] yShape)
    {
        var outShape = BroadcastKernel.BroadcastShape(xShape, yShape) ?? throw new ArgumentException($"Test data: {Tensor.ShapeText(xShape)} and {Tensor.ShapeText(yShape)} do not broadcast.", nameof(yShape));
        int n = Count(outShape);
        var source = Values(n, 3);
        foreach (var shape in new[] { xShape, yShape })
        {
            int m = Count(shape);
            var destination = Values(m, 4); // pre-filled: the kernel must add to it
            var expected = destination.Select(v => (double)v).ToArray();
            for (int i = 0; i < n; i++) expected[SourceIndex(i, outShape, shape)] += source[i];
            BroadcastKernel.SumToShapeAccumulate(source, outShape, destination, shape);
            AssertTensor.Close(destination, expected, shape, Tolerances.Accumulation,
                $"BroadcastKernel.SumToShapeAccumulate {Tensor.ShapeText(outShape)} → {Tensor.ShapeText(shape)}");
        }
    }

    [Fact]
    public void Binary_LongSameShape_UsesEveryElement()
    {
        // Lengths 0..64 cover the vectorized fast path's remainders.
        for (int length = 0; length <= 64; length++)
        {
            float[] x = Values(length, 5), y = Values(length, 6), d = new float[length];
            BroadcastKernel.Binary<MultiplyOperator>(x, [length], y, [length], [length], d);
            for (int i = 0; i < length; i++)
                Assert.True(d[i] == x[i] * y[i], $"length {length} index {i}: expected {x[i] * y[i]}, actual {d[i]}");
        }
    }
}
