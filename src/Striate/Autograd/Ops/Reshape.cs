// Reshape: a view with a new shape over the same contiguous storage.
//   y = reshape(x)      dx += reshape⁻¹(dy)  (same row-major order, so element by element)
using System.Numerics.Tensors;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for reshape/flatten.</summary>
internal sealed class ReshapeNode(Tensor x) : Node(x)
{
    public override string Name => "Reshape";

    public static Tensor Forward(Tensor x, ReadOnlySpan<int> shape)
    {
        ArgumentNullException.ThrowIfNull(x);
        var resolved = shape.ToArray();
        int infer = -1;
        long known = 1;
        for (int d = 0; d < resolved.Length; d++)
        {
            if (resolved[d] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"Reshape to {Tensor.ShapeText(shape)}: only one dimension may be -1.", nameof(shape));
                infer = d;
            }
            else if (resolved[d] < 0) throw new ArgumentException($"Reshape to {Tensor.ShapeText(shape)}: dimensions must be positive or -1.", nameof(shape));
            else known *= resolved[d];
        }
        if (infer >= 0)
        {
            if (known == 0 || x.Length % known != 0)
                throw new ArgumentException($"Cannot reshape {Tensor.ShapeText(x.Dims)} ({x.Length} elements) to {Tensor.ShapeText(shape)}.", nameof(shape));
            resolved[infer] = (int)(x.Length / known);
            known *= resolved[infer];
        }
        if (known != x.Length)
            throw new ArgumentException($"Cannot reshape {Tensor.ShapeText(x.Dims)} ({x.Length} elements) to {Tensor.ShapeText(shape)} ({known} elements).", nameof(shape));
        var y = Tensor.Wrap(x.Data, resolved);
        if (ShouldRecord(x)) y.SetGradFn(new ReshapeNode(x));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (!dx.IsEmpty) TensorPrimitives.Add(dx, gradOutput, dx);
    }
}
