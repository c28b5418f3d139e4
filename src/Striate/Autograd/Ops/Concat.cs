// Concatenation along one dimension (torch.cat): the structural op of Inception blocks.
//   y = cat(x₀, x₁, …, dim)      every xᵢ has y's shape except along dim, where the sizes add up
//   dxᵢ += dy[…, offᵢ : offᵢ + dᵢ, …]   (the gradient is split back along dim)
// Row-major layout makes both a sequence of contiguous copies: with O = Π dims before dim and
// Iᵢ = dᵢ · Π dims after dim, y is O blocks of (I₀ | I₁ | …).
using System.Numerics.Tensors;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for concatenation; the same tensor may appear several times.</summary>
internal sealed class ConcatNode(Tensor[] inputs, int dim) : Node(inputs)
{
    public override string Name => "Concat";

    public static Tensor Forward(IReadOnlyList<Tensor> tensors, int dim)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Concat needs at least one tensor.", nameof(tensors));
        var inputs = new Tensor[tensors.Count];
        for (int i = 0; i < inputs.Length; i++)
            inputs[i] = tensors[i] ?? throw new ArgumentException($"Concat: tensor {i} is null.", nameof(tensors));
        var first = inputs[0];
        if (first.Rank == 0) throw new ArgumentException("Concat cannot join scalars (0-D tensors); reshape them to (1,) first.", nameof(tensors));
        if (dim < -first.Rank || dim >= first.Rank)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"Concat dim must be in [{-first.Rank}, {first.Rank - 1}] for {first.Rank}-D tensors.");
        int d = dim < 0 ? dim + first.Rank : dim;

        var shape = first.Dims.ToArray();
        long total = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            var t = inputs[i];
            bool fits = t.Rank == first.Rank;
            for (int j = 0; fits && j < t.Rank; j++) fits = j == d || t.Dims[j] == first.Dims[j];
            if (!fits)
                throw new ArgumentException($"Concat along dim {d}: tensor {i} has shape {Tensor.ShapeText(t.Dims)}, which differs from tensor 0's {Tensor.ShapeText(first.Dims)} outside dim {d}.", nameof(tensors));
            total += t.Dims[d];
        }
        long length = total;
        for (int j = 0; j < shape.Length; j++) if (j != d) length *= shape[j];
        if (length > Array.MaxLength) throw new ArgumentException($"Concat result of {length} elements does not fit in an array.", nameof(tensors));
        shape[d] = (int)total;

        var y = Tensor.Uninitialized(shape); // every element is copied from exactly one input
        int outer = Outer(shape, d), rowLength = y.Length / Math.Max(outer, 1);
        int offset = 0;
        foreach (var t in inputs)
        {
            int block = BlockLength(t, d);
            for (int o = 0; o < outer; o++)
                t.Data.AsSpan(o * block, block).CopyTo(y.Data.AsSpan(o * rowLength + offset, block));
            offset += block;
        }
        if (GradMode.IsEnabled && inputs.Any(t => t.RequiresGrad)) y.SetGradFn(new ConcatNode(inputs, d));
        return y;
    }

    /// <summary>Π dims before <paramref name="d"/>.</summary>
    private static int Outer(ReadOnlySpan<int> shape, int d)
    {
        int outer = 1;
        for (int j = 0; j < d; j++) outer *= shape[j];
        return outer;
    }

    /// <summary>dᵢ · Π dims after d: the contiguous run one input contributes per outer index.</summary>
    private static int BlockLength(Tensor t, int d)
    {
        int block = 1;
        for (int j = d; j < t.Rank; j++) block *= t.Dims[j];
        return block;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        // y = cat(x₀, x₁, …, dim): dxᵢ += dy[…, offᵢ : offᵢ + dᵢ, …]
        int outer = Outer(output.Dims, dim), rowLength = output.Length / Math.Max(outer, 1);
        int offset = 0;
        for (int i = 0; i < Inputs.Count; i++)
        {
            int block = BlockLength(Inputs[i], dim);
            var dx = GradOf(i);
            if (!dx.IsEmpty)
            {
                for (int o = 0; o < outer; o++)
                {
                    var dst = dx.Slice(o * block, block);
                    TensorPrimitives.Add(dst, gradOutput.Slice(o * rowLength + offset, block), dst);
                }
            }
            offset += block;
        }
    }
}
