// Reductions over one dimension (or all). A tensor is seen as (outer, n, inner) around the
// reduced dimension.
//   Sum:  y[o, i] = Σ_j x[o, j, i]             dx[o, j, i] += dy[o, i]
//   Mean: y[o, i] = (1/n) Σ_j x[o, j, i]       dx[o, j, i] += dy[o, i] / n
//   Max:  y[o, i] = max_j x[o, j, i]           dx[o, j*, i] += dy[o, i]  (j* = first argmax)
// Sums run in double: a 60,000-term float sum loses digits.
namespace Striate.Autograd.Ops;

/// <summary>The differentiable reductions.</summary>
public enum ReductionKind
{
    /// <summary>Σ</summary>
    Sum,
    /// <summary>Σ / n</summary>
    Mean,
    /// <summary>max (gradient to the first maximum)</summary>
    Max,
}

/// <summary>Autograd node for Sum/Mean/Max over one dimension or the whole tensor.</summary>
internal sealed class ReductionNode(ReductionKind kind, Tensor x, int dim, int[]? argMax) : Node(x)
{
    public override string Name => kind.ToString();

    /// <summary>Reduces over <paramref name="dim"/>, or over everything when <paramref name="dim"/> is null.</summary>
    public static Tensor Forward(ReductionKind kind, Tensor x, int? dim, bool keepDim)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Length == 0 && kind != ReductionKind.Sum)
            throw new ArgumentException($"{kind} of an empty tensor {Tensor.ShapeText(x.Dims)} is undefined.", nameof(x));
        int d = dim is null ? -1 : NormalizeDim(dim.Value, x.Rank, nameof(dim));
        var (outer, n, inner) = Split(x.Dims, d);
        var shape = ReducedShape(x.Dims, d, keepDim);
        var y = Tensor.Wrap(new float[outer * inner], shape);
        int[]? argMax = kind == ReductionKind.Max ? new int[outer * inner] : null;
        var xs = x.Data;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner + i;
                if (kind == ReductionKind.Max)
                {
                    int best = 0;
                    float bestValue = xs[baseIndex];
                    for (int j = 1; j < n; j++)
                    {
                        float v = xs[baseIndex + j * inner];
                        if (v > bestValue || (float.IsNaN(v) && !float.IsNaN(bestValue))) { bestValue = v; best = j; }
                    }
                    y.Data[o * inner + i] = bestValue;
                    argMax![o * inner + i] = best;
                }
                else
                {
                    double sum = 0;
                    for (int j = 0; j < n; j++) sum += xs[baseIndex + j * inner];
                    y.Data[o * inner + i] = (float)(kind == ReductionKind.Mean ? sum / n : sum);
                }
            }
        }
        if (ShouldRecord(x)) y.SetGradFn(new ReductionNode(kind, x, d, argMax));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        var (outer, n, inner) = Split(Inputs[0].Dims, dim);
        float scale = kind == ReductionKind.Mean ? 1f / n : 1f;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                float g = gradOutput[o * inner + i];
                int baseIndex = o * n * inner + i;
                if (kind == ReductionKind.Max) dx[baseIndex + argMax![o * inner + i] * inner] += g; // y = x[j*]
                else for (int j = 0; j < n; j++) dx[baseIndex + j * inner] += g * scale;           // y = (1/n?) Σ x
            }
        }
    }

    /// <summary>Index of the largest value along <paramref name="dim"/> (first on ties), as float indices.</summary>
    public static Tensor ArgMax(Tensor x, int dim, bool keepDim)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = NormalizeDim(dim, x.Rank, nameof(dim));
        if (x.Dims[d] == 0) throw new ArgumentException($"ArgMax over an empty dimension {d} of {Tensor.ShapeText(x.Dims)}.", nameof(dim));
        using (GradMode.NoGrad())
        {
            var (outer, n, inner) = Split(x.Dims, d);
            var y = Tensor.Wrap(new float[outer * inner], ReducedShape(x.Dims, d, keepDim));
            for (int o = 0; o < outer; o++)
                for (int i = 0; i < inner; i++)
                {
                    int baseIndex = o * n * inner + i, best = 0;
                    for (int j = 1; j < n; j++)
                        if (x.Data[baseIndex + j * inner] > x.Data[baseIndex + best * inner]) best = j;
                    y.Data[o * inner + i] = best;
                }
            return y;
        }
    }

    internal static int NormalizeDim(int dim, int rank, string paramName)
    {
        int d = dim < 0 ? dim + rank : dim;
        if ((uint)d >= (uint)rank)
            throw new ArgumentOutOfRangeException(paramName, dim, $"Dimension {dim} is out of range for a tensor of rank {rank}.");
        return d;
    }

    private static (int Outer, int N, int Inner) Split(ReadOnlySpan<int> shape, int dim)
    {
        if (dim < 0)
        {
            int total = 1;
            foreach (int s in shape) total *= s;
            return (1, total, 1);
        }
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[dim], inner);
    }

    private static int[] ReducedShape(ReadOnlySpan<int> shape, int dim, bool keepDim)
    {
        if (dim < 0)
        {
            if (!keepDim) return [];
            var ones = new int[shape.Length];
            Array.Fill(ones, 1);
            return ones;
        }
        var list = new List<int>(shape.Length);
        for (int i = 0; i < shape.Length; i++)
        {
            if (i != dim) list.Add(shape[i]);
            else if (keepDim) list.Add(1);
        }
        return [.. list];
    }
}
