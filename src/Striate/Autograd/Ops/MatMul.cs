// Matrix multiply of 2-D tensors on the shared GEMM kernel.
//   C = A·B               A: (M, K)  B: (K, N)  C: (M, N)
//   dA += dC·Bᵀ           dB += Aᵀ·dC
using Striate.Kernels.Gemm;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for 2-D matrix multiplication.</summary>
internal sealed class MatMulNode(Tensor a, Tensor b) : Node(a, b)
{
    public override string Name => "MatMul";

    public static Tensor Forward(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank != 2) throw new ArgumentException($"MatMul needs a 2-D left operand, got shape {Tensor.ShapeText(a.Dims)}.", nameof(a));
        if (b.Rank != 2) throw new ArgumentException($"MatMul needs a 2-D right operand, got shape {Tensor.ShapeText(b.Dims)}.", nameof(b));
        if (a.Dims[1] != b.Dims[0])
            throw new ArgumentException($"MatMul shapes {Tensor.ShapeText(a.Dims)} and {Tensor.ShapeText(b.Dims)} do not chain: {a.Dims[1]} ≠ {b.Dims[0]}.", nameof(b));
        int m = a.Dims[0], k = a.Dims[1], n = b.Dims[1];
        var c = Tensor.Uninitialized(m, n);
        GemmKernel.Gemm(false, false, m, n, k, 1f, a.Data, b.Data, 0f, c.Data, Compute.Threads);
        if (ShouldRecord(a, b)) c.SetGradFn(new MatMulNode(a, b));
        return c;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor a = Inputs[0], b = Inputs[1];
        int m = a.Dims[0], k = a.Dims[1], n = b.Dims[1];
        // C = A·B  ⇒  dA += dC·Bᵀ (M×N · N×K),  dB += Aᵀ·dC (K×M · M×N)
        if (NeedsGrad(0)) GemmKernel.Gemm(false, true, m, k, n, 1f, gradOutput, b.Data, 1f, GradOf(0), Compute.Threads);
        if (NeedsGrad(1)) GemmKernel.Gemm(true, false, k, n, m, 1f, a.Data, gradOutput, 1f, GradOf(1), Compute.Threads);
    }
}
