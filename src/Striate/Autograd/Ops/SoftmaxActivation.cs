// Softmax along one dimension (kernel in Striate.Kernels/Elementwise/SoftmaxKernel.cs).
//   y[j] = exp(x[j] − m) / Σ_k exp(x[k] − m),  m = max_k x[k]      (max-subtracted: logits of 1000 are fine)
//   dx[j] += y[j] · (dy[j] − Σ_k dy[k]·y[k])
// The node saves nothing but the dimension: backward needs only the output y.
// (Log-softmax, the form losses use, lives in Softmax.cs.)
using Striate.Kernels.Elementwise;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for softmax along a dimension.</summary>
internal sealed class SoftmaxNode(Tensor x, int outer, int n, int inner) : Node(x)
{
    public override string Name => "Softmax";

    public static Tensor Forward(Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = ReductionNode.NormalizeDim(dim, x.Rank, nameof(dim));
        int outer = 1, inner = 1;
        for (int i = 0; i < d; i++) outer *= x.Dims[i];
        for (int i = d + 1; i < x.Rank; i++) inner *= x.Dims[i];
        int n = x.Dims[d];
        var y = x.UninitializedLike(); // SoftmaxKernel.Forward writes every element
        SoftmaxKernel.Forward(x.Data, outer, n, inner, y.Data, Compute.Threads);
        if (ShouldRecord(x)) y.SetGradFn(new SoftmaxNode(x, outer, n, inner));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y = exp(x − m) / Σ exp(x − m)  ⇒  dx = y·(dy − Σ dy·y)
        SoftmaxKernel.Backward(output.Data, gradOutput, outer, n, inner, dx, Compute.Threads);
    }
}
