// Average and sum pooling (1-D, 2-D, 3-D; sliding with padding and ceil mode, adaptive, global),
// kernels in Striate.Kernels/Pool/AvgPoolKernel.cs.
//   y[n,c,o] = Σ_{cells of window o} x[n,c,cell] / divisor(o)
//   divisor(o) = divisorOverride, or the window's cell count with or without padding (PyTorch's count_include_pad)
//   dx[n,c,cell] += dy[n,c,o] / divisor(o)
// The op is linear, so backward needs only the geometry: nothing of x is saved.
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for average pooling; saves the geometry and divisor options.</summary>
internal sealed class AvgPoolNode(Tensor input, PoolGeometry geometry, bool countIncludePad, int divisorOverride, string name) : Node(input)
{
    public override string Name => name;

    /// <summary>Sliding-window average pooling over the last kernelSize.Length axes of input; divisorOverride null for none.</summary>
    public static Tensor Sliding(string op, Tensor input, int[] kernelSize, int[]? stride, int[] padding, bool ceilMode, bool countIncludePad, int? divisorOverride)
    {
        if (divisorOverride is int d && d < 1)
            throw new ArgumentException($"{op} divisorOverride must be positive, got {d}.", nameof(divisorOverride));
        var axes = PoolArguments.Sliding(op, input, kernelSize, stride ?? kernelSize, padding, PoolArguments.Repeat(1, kernelSize.Length), ceilMode);
        return Forward(op, input, PoolArguments.Geometry(input, axes), PoolArguments.OutputShape(input, axes), countIncludePad, divisorOverride ?? 0);
    }

    /// <summary>Adaptive average pooling to <paramref name="outputSize"/> over the last outputSize.Length axes of input.</summary>
    public static Tensor Adaptive(string op, Tensor input, int[] outputSize)
    {
        var axes = PoolArguments.Adaptive(op, input, outputSize);
        return Forward(op, input, PoolArguments.Geometry(input, axes), PoolArguments.OutputShape(input, axes), false, 0);
    }

    /// <summary>Mean over all spatial positions of each (n, c): (N, C, spatial…) → (N, C).</summary>
    public static Tensor Global(string op, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 3)
            throw new ArgumentException($"{op} expects input of shape (N, C, spatial…) with at least one spatial axis, got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        long plane = 1;
        for (int i = 2; i < input.Rank; i++) plane *= input.Dims[i];
        if (plane < 1 || plane > int.MaxValue)
            throw new ArgumentException($"{op} expects non-empty feature maps of fewer than 2^31 cells, got input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        var g = new PoolGeometry(input.Dims[0], input.Dims[1], PoolAxis.Unit, PoolAxis.Unit, PoolAxis.Adaptive((int)plane, 1));
        return Forward(op, input, g, [input.Dims[0], input.Dims[1]], false, 0);
    }

    private static Tensor Forward(string op, Tensor input, PoolGeometry g, int[] outputShape, bool countIncludePad, int divisorOverride)
    {
        var y = Tensor.Uninitialized(outputShape); // AvgPoolKernel.Forward overwrites every element
        AvgPoolKernel.Forward(g, countIncludePad, divisorOverride, input.Data, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new AvgPoolNode(input, g, countIncludePad, divisorOverride, op));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[n,c,o] = Σ_window x / divisor(o): every cell of the window receives dy / divisor(o).
        AvgPoolKernel.Backward(geometry, countIncludePad, divisorOverride, gradOutput, dx, Compute.Threads);
    }
}
