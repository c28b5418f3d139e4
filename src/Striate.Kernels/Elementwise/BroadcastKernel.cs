// Binary elementwise ops with NumPy/PyTorch broadcasting, and the reduction that undoes a
// broadcast in backward (sum the gradient over every broadcast dimension). The loop machinery
// is written once; the op is a struct with a static abstract Apply (no delegate per element).
//   z[i] = op(x[bx(i)], y[by(i)])   where bx, by map an output index to the broadcast source.
// Shapes are aligned at the trailing dimension; a source dimension of 1 repeats.
using System.Numerics.Tensors;

namespace Striate.Kernels.Elementwise;

/// <summary>A binary elementwise operation.</summary>
public interface IBinaryOperator
{
    /// <summary>op(x, y).</summary>
    static abstract float Apply(float x, float y);
}

/// <summary>x + y.</summary>
public readonly struct AddOperator : IBinaryOperator { /// <inheritdoc/>
    public static float Apply(float x, float y) => x + y; }

/// <summary>x − y.</summary>
public readonly struct SubtractOperator : IBinaryOperator { /// <inheritdoc/>
    public static float Apply(float x, float y) => x - y; }

/// <summary>x · y.</summary>
public readonly struct MultiplyOperator : IBinaryOperator { /// <inheritdoc/>
    public static float Apply(float x, float y) => x * y; }

/// <summary>x / y.</summary>
public readonly struct DivideOperator : IBinaryOperator { /// <inheritdoc/>
    public static float Apply(float x, float y) => x / y; }

/// <summary>Broadcasting elementwise kernels.</summary>
public static class BroadcastKernel
{
    /// <summary>Maximum rank the broadcasting machinery handles.</summary>
    public const int MaxRank = 8;

    /// <summary>The broadcast shape of <paramref name="x"/> and <paramref name="y"/>, or null when they do not broadcast.</summary>
    public static int[]? BroadcastShape(ReadOnlySpan<int> x, ReadOnlySpan<int> y)
    {
        int rank = Math.Max(x.Length, y.Length);
        var result = new int[rank];
        for (int d = 0; d < rank; d++)
        {
            int xd = d - (rank - x.Length) >= 0 ? x[d - (rank - x.Length)] : 1;
            int yd = d - (rank - y.Length) >= 0 ? y[d - (rank - y.Length)] : 1;
            if (xd != yd && xd != 1 && yd != 1) return null;
            result[d] = xd == 1 ? yd : xd;
        }
        return result;
    }

    /// <summary>
    /// destination = op(x, y) with broadcasting. <paramref name="outShape"/> must be the broadcast shape.
    /// </summary>
    public static void Binary<TOp>(ReadOnlySpan<float> x, ReadOnlySpan<int> xShape,
        ReadOnlySpan<float> y, ReadOnlySpan<int> yShape, ReadOnlySpan<int> outShape, Span<float> destination)
        where TOp : struct, IBinaryOperator
    {
        if (x.Length == destination.Length && y.Length == destination.Length)
        {
            if (typeof(TOp) == typeof(AddOperator)) { TensorPrimitives.Add(x, y, destination); return; }
            if (typeof(TOp) == typeof(MultiplyOperator)) { TensorPrimitives.Multiply(x, y, destination); return; }
            for (int i = 0; i < destination.Length; i++) destination[i] = TOp.Apply(x[i], y[i]);
            return;
        }
        if (y.Length == 1)
        {
            float s = y[0];
            for (int i = 0; i < destination.Length; i++) destination[i] = TOp.Apply(x[i % x.Length], s);
            return;
        }
        int rank = outShape.Length;
        Span<int> xs = stackalloc int[MaxRank], ys = stackalloc int[MaxRank], idx = stackalloc int[MaxRank];
        BroadcastStrides(xShape, outShape, xs);
        BroadcastStrides(yShape, outShape, ys);
        idx.Clear();
        int inner = rank == 0 ? 1 : outShape[rank - 1];
        int xi = rank == 0 ? 0 : xs[rank - 1], yi = rank == 0 ? 0 : ys[rank - 1];
        int xo = 0, yo = 0;
        for (int o = 0; o < destination.Length; o += inner)
        {
            for (int j = 0; j < inner; j++) destination[o + j] = TOp.Apply(x[xo + j * xi], y[yo + j * yi]);
            // advance the odometer over the outer dimensions
            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++; xo += xs[d]; yo += ys[d];
                if (idx[d] < outShape[d]) break;
                xo -= xs[d] * idx[d]; yo -= ys[d] * idx[d]; idx[d] = 0;
            }
        }
    }

    /// <summary>
    /// Undoes a broadcast: destination[t] += Σ source[i] over every output index i that reads source element t.
    /// <paramref name="destinationShape"/> must broadcast to <paramref name="sourceShape"/>.
    /// </summary>
    public static void SumToShapeAccumulate(ReadOnlySpan<float> source, ReadOnlySpan<int> sourceShape,
        Span<float> destination, ReadOnlySpan<int> destinationShape)
    {
        if (source.Length == destination.Length)
        {
            TensorPrimitives.Add(destination, source, destination);
            return;
        }
        if (destination.Length == 1)
        {
            destination[0] += TensorPrimitives.Sum(source);
            return;
        }
        int rank = sourceShape.Length;
        Span<int> ds = stackalloc int[MaxRank], idx = stackalloc int[MaxRank];
        BroadcastStrides(destinationShape, sourceShape, ds);
        idx.Clear();
        int inner = sourceShape[rank - 1];
        int di = ds[rank - 1];
        int dof = 0;
        for (int o = 0; o < source.Length; o += inner)
        {
            for (int j = 0; j < inner; j++) destination[dof + j * di] += source[o + j];
            for (int d = rank - 2; d >= 0; d--)
            {
                idx[d]++; dof += ds[d];
                if (idx[d] < sourceShape[d]) break;
                dof -= ds[d] * idx[d]; idx[d] = 0;
            }
        }
    }

    /// <summary>Strides of <paramref name="shape"/> aligned to <paramref name="outShape"/>, 0 where it broadcasts.</summary>
    private static void BroadcastStrides(ReadOnlySpan<int> shape, ReadOnlySpan<int> outShape, Span<int> strides)
    {
        int rank = outShape.Length, offset = rank - shape.Length, stride = 1;
        for (int d = rank - 1; d >= 0; d--)
        {
            int sd = d - offset >= 0 ? shape[d - offset] : 1;
            strides[d] = sd == 1 ? 0 : stride;
            stride *= sd;
        }
    }
}
