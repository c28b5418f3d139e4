// Cross-channel pooling / maxout (Goodfellow et al. 2013), kernels in Striate.Kernels/Pool/MaxoutKernel.cs.
//   y[n,c,…] = max_{j < k} x[n, c·k + j, …]     x: (N, C·k, …)  y: (N, C, …)
//   dx[n, c·k + argmax_j, …] += dy[n,c,…]
// Pooling over feature maps (instead of positions) lets a unit become invariant to whichever
// transformation its k filters learn to detect, as the chapter explains.
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for maxout; saves the winning channel of every output.</summary>
internal sealed class MaxoutNode(Tensor input, int[] indices, int n, int channels, int poolSize, int plane) : Node(input)
{
    public override string Name => "Maxout";

    /// <summary>Max over groups of <paramref name="poolSize"/> consecutive channels of an (N, C·k, …) input.</summary>
    public static Tensor Forward(Tensor input, int poolSize)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2)
            throw new ArgumentException($"Maxout expects input of shape (N, C·k, …), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (poolSize < 1)
            throw new ArgumentException($"Maxout poolSize must be positive, got {poolSize}.", nameof(poolSize));
        int inChannels = input.Dims[1];
        if (inChannels % poolSize != 0)
            throw new ArgumentException($"Maxout poolSize {poolSize} must divide the {inChannels} channels of input {Tensor.ShapeText(input.Dims)}.", nameof(poolSize));
        int n = input.Dims[0], channels = inChannels / poolSize;
        int plane = 1;
        for (int i = 2; i < input.Rank; i++) plane *= input.Dims[i];
        int[] shape = [.. input.Dims];
        shape[1] = channels;
        var y = Tensor.Uninitialized(shape); // MaxoutKernel.Forward overwrites every element
        var indices = GC.AllocateUninitializedArray<int>(y.Length);
        MaxoutKernel.Forward(n, channels, poolSize, plane, input.Data, y.Data, indices, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new MaxoutNode(input, indices, n, channels, poolSize, plane));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[n,c,l] = x[n, c·k + argmax_j, l]: the gradient flows only to the winning channel.
        MaxoutKernel.Backward(n, channels, poolSize, plane, gradOutput, indices, dx, Compute.Threads);
    }
}
