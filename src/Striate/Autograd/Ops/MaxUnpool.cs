// Max unpooling (PyTorch's max_unpool1d/2d/3d), kernels in Striate.Kernels/Pool/MaxUnpoolKernel.cs.
//   y = 0;  y[n, c, indices[n,c,i]] = x[n,c,i]      x, indices: (N, C, spatial…)  y: (N, C, outputs…)
//   output extent per axis: (n − 1)·s − 2p + k, or the caller's outputSize within (default − s, default + s)
//   dx[n,c,i] += dy[n, c, indices[n,c,i]]
// The node saves a validated int copy of the indices, so a caller changing its array afterwards
// cannot change the gradient.
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for max unpooling; saves the target position of every input.</summary>
internal sealed class MaxUnpoolNode(Tensor input, int[] indices, int planes, int inputPlane, int outputPlane, string name) : Node(input)
{
    public override string Name => name;

    /// <summary>Unpools the last kernelSize.Length axes of input to the default or the given output size.</summary>
    public static Tensor Forward(string op, Tensor input, long[] indices, int[] kernelSize, int[]? stride, int[] padding, int[]? outputSize)
    {
        int dims = kernelSize.Length;
        PoolArguments.CheckInput(input, dims, op);
        ArgumentNullException.ThrowIfNull(indices);
        stride ??= kernelSize;
        if (kernelSize.Any(k => k < 1))
            throw new ArgumentException($"{op} kernelSize must be positive, got {PoolArguments.Text(kernelSize)}.", nameof(kernelSize));
        if (stride.Any(s => s < 1))
            throw new ArgumentException($"{op} stride must be positive, got {PoolArguments.Text(stride)}.", nameof(stride));
        if (padding.Any(p => p < 0))
            throw new ArgumentException($"{op} padding must be non-negative, got {PoolArguments.Text(padding)}.", nameof(padding));
        var defaults = new int[dims];
        for (int i = 0; i < dims; i++) defaults[i] = (input.Dims[2 + i] - 1) * stride[i] - 2 * padding[i] + kernelSize[i];
        int[] size;
        if (outputSize is null)
        {
            if (defaults.Any(d => d < 1))
                throw new ArgumentException($"{op} output size {PoolArguments.Text(defaults)} = (input − 1)·stride − 2·padding + kernelSize is not positive (input {Tensor.ShapeText(input.Dims)}).", nameof(padding));
            size = defaults;
        }
        else
        {
            if (outputSize.Length != dims || outputSize.Any(o => o < 1))
                throw new ArgumentException($"{op} outputSize must hold {dims} positive sizes, got {PoolArguments.Text(outputSize)}.", nameof(outputSize));
            for (int i = 0; i < dims; i++)
                if (outputSize[i] <= defaults[i] - stride[i] || outputSize[i] >= defaults[i] + stride[i])
                    throw new ArgumentException($"{op} outputSize {PoolArguments.Text(outputSize)} must lie strictly between {PoolArguments.Text([.. defaults.Select((d, j) => d - stride[j])])} and {PoolArguments.Text([.. defaults.Select((d, j) => d + stride[j])])} (the default size ± stride, as in PyTorch).", nameof(outputSize));
            size = outputSize;
        }
        if (indices.Length != input.Length)
            throw new ArgumentException($"{op} needs one index per input element: input {Tensor.ShapeText(input.Dims)} has {input.Length}, indices {indices.Length}.", nameof(indices));
        long outputPlane = 1;
        foreach (int s in size) outputPlane *= s;
        if (outputPlane > int.MaxValue)
            throw new ArgumentException($"{op} output planes of {outputPlane} cells exceed 2^31.", nameof(outputSize));
        var narrow = new int[indices.Length];
        for (int i = 0; i < indices.Length; i++)
        {
            if ((ulong)indices[i] >= (ulong)outputPlane)
                throw new ArgumentException($"{op} found an invalid max index {indices[i]} at flat position {i}: output planes are {PoolArguments.Extent(size)} = {outputPlane} cells.", nameof(indices));
            narrow[i] = (int)indices[i];
        }
        int planes = input.Dims[0] * input.Dims[1];
        int inputPlane = planes == 0 ? 0 : input.Length / planes;
        var y = Tensor.Uninitialized([input.Dims[0], input.Dims[1], .. size]); // MaxUnpoolKernel.Forward clears and fills every plane
        MaxUnpoolKernel.Forward(planes, inputPlane, (int)outputPlane, input.Data, narrow, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new MaxUnpoolNode(input, narrow, planes, inputPlane, (int)outputPlane, op));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[n, c, indices[n,c,i]] = x[n,c,i]: each input reads the gradient of the cell it was written to.
        MaxUnpoolKernel.Backward(planes, inputPlane, outputPlane, gradOutput, indices, dx, Compute.Threads);
    }
}
