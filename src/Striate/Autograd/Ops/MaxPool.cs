// Max pooling (1-D, 2-D, 3-D; sliding with padding, dilation and ceil mode, adaptive, global),
// kernels in Striate.Kernels/Pool/MaxPoolKernel.cs.
//   y[n,c,o] = max over window o of x[n,c,·]   (padded cells are −∞)
//   x: (N, C, spatial…)  y: (N, C, outputs…)
//   dx[n, c, argmax[n,c,o]] += dy[n,c,o]
// The node saves the argmax index of every window, so backward is a scatter and never searches
// again (nor needs x).
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for max pooling; saves the argmax position of every output.</summary>
internal sealed class MaxPoolNode(Tensor input, int[] indices, PoolGeometry geometry, string name) : Node(input)
{
    public override string Name => name;

    /// <summary>Sliding-window max pooling over the last kernelSize.Length axes of input.</summary>
    public static (Tensor Output, int[] Indices) Sliding(string op, Tensor input, int[] kernelSize, int[]? stride, int[] padding, int[] dilation, bool ceilMode)
    {
        var axes = PoolArguments.Sliding(op, input, kernelSize, stride ?? kernelSize, padding, dilation, ceilMode);
        return Forward(op, input, PoolArguments.Geometry(input, axes), PoolArguments.OutputShape(input, axes));
    }

    /// <summary>Adaptive max pooling to <paramref name="outputSize"/> over the last outputSize.Length axes of input.</summary>
    public static (Tensor Output, int[] Indices) Adaptive(string op, Tensor input, int[] outputSize)
    {
        var axes = PoolArguments.Adaptive(op, input, outputSize);
        return Forward(op, input, PoolArguments.Geometry(input, axes), PoolArguments.OutputShape(input, axes));
    }

    /// <summary>Max over all spatial positions of each (n, c): (N, C, spatial…) → (N, C).</summary>
    public static Tensor Global(string op, Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 3)
            throw new ArgumentException($"{op} expects input of shape (N, C, spatial…) with at least one spatial axis, got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        long plane = 1;
        for (int i = 2; i < input.Rank; i++) plane *= input.Dims[i];
        if (plane < 1)
            throw new ArgumentException($"{op} expects non-empty feature maps, got input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        var g = new PoolGeometry(input.Dims[0], input.Dims[1], PoolAxis.Unit, PoolAxis.Unit, PoolAxis.Adaptive((int)plane, 1));
        return Forward(op, input, g, [input.Dims[0], input.Dims[1]]).Output;
    }

    private static (Tensor Output, int[] Indices) Forward(string op, Tensor input, PoolGeometry g, int[] outputShape)
    {
        var y = Tensor.Uninitialized(outputShape); // MaxPoolKernel.Forward overwrites every element
        // In a trainer's step the indices live exactly as long as the graph, so the step's arena lends them.
        var indices = TensorArena.Active is { } arena ? arena.NewIndices(y.Length, y) : GC.AllocateUninitializedArray<int>(y.Length);
        MaxPoolKernel.Forward(g, input.Data, y.Data, indices, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new MaxPoolNode(input, indices, g, op));
        return (y, indices);
    }

    /// <summary>The per-plane indices widened to PyTorch's int64, as a copy the node does not share.</summary>
    public static long[] Widen(int[] indices) => Array.ConvertAll(indices, i => (long)i);

    /// <summary>
    /// TensorFlow max_pool_with_argmax indices from per-plane ones: the position the maximum would have in
    /// the same tensor laid out (N, H, W, C), ((n·H + h)·W + w)·C + c, or (h·W + w)·C + c without the batch.
    /// </summary>
    public static long[] ChannelsLastIndices(int[] indices, Tensor input, bool includeBatchInIndex)
    {
        int n = input.Dims[0], c = input.Dims[1];
        int plane = input.Length / Math.Max(1, n * c);
        int outputs = indices.Length / Math.Max(1, n * c);
        var result = new long[indices.Length];
        for (int b = 0; b < n; b++)
            for (int ch = 0; ch < c; ch++)
                for (int o = 0; o < outputs; o++)
                {
                    int i = (b * c + ch) * outputs + o;
                    long cell = includeBatchInIndex ? (long)b * plane + indices[i] : indices[i];
                    result[i] = cell * c + ch;
                }
        return result;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[n,c,o] = x[n, c, argmax[n,c,o]]: the gradient flows only to the window's winner.
        MaxPoolKernel.Backward(geometry, gradOutput, indices, dx, Compute.Threads);
    }
}
