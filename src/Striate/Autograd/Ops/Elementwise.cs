// Binary elementwise arithmetic with broadcasting (PyTorch rules).
//   Add: z = x + y      dx += Σ_bcast dz          dy += Σ_bcast dz
//   Sub: z = x − y      dx += Σ_bcast dz          dy −= Σ_bcast dz
//   Mul: z = x · y      dx += Σ_bcast dz · y      dy += Σ_bcast dz · x
//   Div: z = x / y      dx += Σ_bcast dz / y      dy −= Σ_bcast dz · x / y²
// Σ_bcast sums the gradient over the dimensions the input was broadcast along.
using Striate.Kernels.Elementwise;

namespace Striate.Autograd.Ops;

/// <summary>The four broadcasting arithmetic ops.</summary>
public enum BinaryKind
{
    /// <summary>x + y</summary>
    Add,
    /// <summary>x − y</summary>
    Subtract,
    /// <summary>x · y</summary>
    Multiply,
    /// <summary>x / y</summary>
    Divide,
}

/// <summary>Autograd node for broadcasting arithmetic.</summary>
internal sealed class BinaryNode(BinaryKind kind, Tensor x, Tensor y) : Node(x, y)
{
    public override string Name => kind.ToString();

    public static Tensor Forward(BinaryKind kind, Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        var shape = BroadcastKernel.BroadcastShape(x.Dims, y.Dims)
            ?? throw new ArgumentException($"Shapes {Tensor.ShapeText(x.Dims)} and {Tensor.ShapeText(y.Dims)} cannot be broadcast together for {kind}.", nameof(y));
        var z = Tensor.Uninitialized(shape);
        switch (kind)
        {
            case BinaryKind.Add: BroadcastKernel.Binary<AddOperator>(x.Data, x.Dims, y.Data, y.Dims, shape, z.Data); break;
            case BinaryKind.Subtract: BroadcastKernel.Binary<SubtractOperator>(x.Data, x.Dims, y.Data, y.Dims, shape, z.Data); break;
            case BinaryKind.Multiply: BroadcastKernel.Binary<MultiplyOperator>(x.Data, x.Dims, y.Data, y.Dims, shape, z.Data); break;
            default: BroadcastKernel.Binary<DivideOperator>(x.Data, x.Dims, y.Data, y.Dims, shape, z.Data); break;
        }
        if (ShouldRecord(x, y)) z.SetGradFn(new BinaryNode(kind, x, y));
        return z;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], y = Inputs[1];
        var outShape = output.Dims;
        if (NeedsGrad(0))
        {
            // Add/Sub: dx += dz;  Mul: dx += dz·y;  Div: dx += dz/y
            ReadOnlySpan<float> g = kind switch
            {
                BinaryKind.Multiply => Scaled<MultiplyOperator>(gradOutput, outShape, y),
                BinaryKind.Divide => Scaled<DivideOperator>(gradOutput, outShape, y),
                _ => gradOutput,
            };
            BroadcastKernel.SumToShapeAccumulate(g, outShape, GradOf(0), x.Dims);
        }
        if (NeedsGrad(1))
        {
            float[] g;
            switch (kind)
            {
                case BinaryKind.Add:
                    BroadcastKernel.SumToShapeAccumulate(gradOutput, outShape, GradOf(1), y.Dims);
                    return;
                case BinaryKind.Subtract:
                    g = new float[gradOutput.Length];
                    for (int i = 0; i < g.Length; i++) g[i] = -gradOutput[i];
                    break;
                case BinaryKind.Multiply:
                    g = Scaled<MultiplyOperator>(gradOutput, outShape, x);
                    break;
                default:
                    // dy −= dz·x/y² = dz · (−z / y), with z = x / y the forward output
                    var zOverY = new float[output.Length];
                    BroadcastKernel.Binary<DivideOperator>(output.Data, outShape, y.Data, y.Dims, outShape, zOverY);
                    g = new float[gradOutput.Length];
                    for (int i = 0; i < g.Length; i++) g[i] = -gradOutput[i] * zOverY[i];
                    break;
            }
            BroadcastKernel.SumToShapeAccumulate(g, outShape, GradOf(1), y.Dims);
        }
    }

    private static float[] Scaled<TOp>(ReadOnlySpan<float> gradOutput, ReadOnlySpan<int> outShape, Tensor other)
        where TOp : struct, IBinaryOperator
    {
        var g = new float[gradOutput.Length];
        BroadcastKernel.Binary<TOp>(gradOutput, outShape, other.Data, other.Dims, outShape, g);
        return g;
    }
}
