// Power-average (Lp) pooling, PyTorch's LPPool1d/2d (and LPPool3d of later PyTorch), kernels in
// Striate.Kernels/Pool/LpPoolKernel.cs.
//   y[n,c,o] = (Σ_{window o} x^p)^(1/p)    (rescaled by K/n on the partial windows of ceil mode)
//   x: (N, C, spatial…)  y: (N, C, outputs…)
//   dx[cell] += dy · x[cell]^(p−1) · y^(1−p), and 0 where the window's Σ x^p is 0
// Backward needs x and y: x is the node's input, y the output handed to Backward.
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for Lp pooling; reads its input and output in backward.</summary>
internal sealed class LpPoolNode(Tensor input, PoolGeometry geometry, float normType, string name) : Node(input)
{
    private readonly Tensor _input = input;

    public override string Name => name;

    /// <summary>Lp pooling over the last kernelSize.Length axes of input (no padding, no dilation, as PyTorch).</summary>
    public static Tensor Forward(string op, Tensor input, float normType, int[] kernelSize, int[]? stride, bool ceilMode)
    {
        if (!(normType > 0f) || !float.IsFinite(normType))
            throw new ArgumentException($"{op} normType must be positive and finite, got {normType}.", nameof(normType));
        int dims = kernelSize.Length;
        var axes = PoolArguments.Sliding(op, input, kernelSize, stride ?? kernelSize, PoolArguments.Repeat(0, dims), PoolArguments.Repeat(1, dims), ceilMode);
        var g = PoolArguments.Geometry(input, axes);
        var y = Tensor.Uninitialized(PoolArguments.OutputShape(input, axes)); // LpPoolKernel.Forward overwrites every element
        LpPoolKernel.Forward(g, normType, input.Data, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new LpPoolNode(input, g, normType, op));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y = (Σ x^p)^(1/p): dy/dx = x^(p−1) · y^(1−p) = x^(p−1) · y / Σ x^p (0 when the sum is 0).
        LpPoolKernel.Backward(geometry, normType, _input.Data, output.Data, gradOutput, dx, Compute.Threads);
    }
}
