// Transposed convolution (ConvTranspose1d/2d/3d, PyTorch's semantics and weight layout): the
// backward-data pass of a convolution run as a forward, so it needs no kernel of its own.
//   x: (N, Cin, *in)  w: (Cin, Cout/G, *kernel)  b: (Cout)  y: (N, Cout, *out)
//   out = (in − 1)·s − 2p + d(k − 1) + outputPadding + 1                                  per spatial axis
//   y[n, co, i·s − p + t·d] += x[n, ci, i] · w[ci, co − g·Cout/G, t]   for ci in group g, then + b[co]
// The equivalent convolution maps y back to x: input size out, kernel k, stride s, dilation d, pads
// (p, p − outputPadding) (the output padding rows are read by no tap), K = Cin filters over C = Cout
// channels: the weight layout (Cin, Cout/G, *kernel) is exactly that convolution's (K, C/G, *kernel). So
//   Forward:  y  = ConvNdKernel.BackwardData(conv, dy = x, w) + b
//   Backward: dx += ConvNdKernel.Forward(conv, x = dy, w)            (the convolution itself)
//             dw += ConvNdKernel.BackwardWeights(conv, x = dy, dy = x) (roles of input and output swapped)
//             db += Σ_{n,o} dy[n, co, o]
// The kernels' oracle is ConvReference (BackwardData is the transposed formula above, loop for loop).
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Conv;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for y = conv_transpose(x, w) + b; saves its inputs and the equivalent convolution's geometry.</summary>
internal sealed class ConvTransposeNode(string name, Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry)
    : Node(bias is null ? [input, weight] : [input, weight, bias])
{
    public override string Name => name;

    /// <summary>Checks the arguments (each error names its parameter) and computes the transposed convolution.</summary>
    public static Tensor Forward(string name, int spatialRank, Tensor input, Tensor weight, Tensor? bias, IReadOnlyList<int> stride,
        IReadOnlyList<int> padding, IReadOnlyList<int> outputPadding, int groups, IReadOnlyList<int> dilation)
    {
        var (g, shape) = Resolve(name, spatialRank, input, weight, bias, stride, padding, outputPadding, groups, dilation);
        var y = Tensor.Zeros(shape); // BackwardData adds into it
        ConvNdKernel.BackwardData(g, input.Data, weight.Data, y.Data, Compute.Threads);
        if (bias is not null) ConvNdKernel.AddBias(g.N, g.C, g.InputVolume, bias.Data, y.Data);
        if (ShouldRecord(input, weight, bias)) y.SetGradFn(new ConvTransposeNode(name, input, weight, bias, g));
        return y;
    }

    /// <summary>The equivalent convolution's geometry (file header) and the output shape.</summary>
    private static (ConvGeometry Geometry, int[] Shape) Resolve(string name, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        IReadOnlyList<int> stride, IReadOnlyList<int> padding, IReadOnlyList<int> outputPadding, int groups, IReadOnlyList<int> dilation)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(stride);
        ArgumentNullException.ThrowIfNull(padding);
        ArgumentNullException.ThrowIfNull(outputPadding);
        ArgumentNullException.ThrowIfNull(dilation);
        if (input.Rank != spatialRank + 2)
            throw new ArgumentException($"{name} expects input of shape {ConvArguments.InputLayout(spatialRank)}, got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single sample.", nameof(input));
        if (weight.Rank != spatialRank + 2)
            throw new ArgumentException($"{name} expects weight of shape (inChannels, outChannels/groups, {string.Join(", ", Enumerable.Repeat("k", spatialRank))}), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (groups < 1) throw new ArgumentException($"{name} groups must be positive, got {groups}.", nameof(groups));
        int n = input.Dims[0], cin = input.Dims[1];
        if (weight.Dims[0] != cin)
            throw new ArgumentException($"{name} expected {weight.Dims[0]} input channel{(weight.Dims[0] == 1 ? "" : "s")} (weight {Tensor.ShapeText(weight.Dims)} is (inChannels, outChannels/groups, ...)), got {cin}: input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (cin % groups != 0)
            throw new ArgumentException($"{name} groups ({groups}) must divide the input channels ({cin}).", nameof(groups));
        long coutLong = (long)weight.Dims[1] * groups;
        if (coutLong > int.MaxValue) throw new ArgumentException($"{name} has too many output channels: {coutLong}.", nameof(weight));
        int cout = (int)coutLong;
        var kernel = weight.Dims[2..];
        foreach (int size in kernel)
            if (size < 1)
                throw new ArgumentException($"{name} weight must have a kernel of at least 1 per axis, got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != cout))
            throw new ArgumentException($"{name} bias must have shape ({cout},) (outChannels = weight.Dims[1]·groups), got {Tensor.ShapeText(bias.Dims)}.", nameof(bias));
        int[] s = ConvArguments.PerAxis(name, stride, spatialRank, nameof(stride), 1);
        int[] p = ConvArguments.PerAxis(name, padding, spatialRank, nameof(padding), 0);
        int[] op = ConvArguments.PerAxis(name, outputPadding, spatialRank, nameof(outputPadding), 0);
        int[] d = ConvArguments.PerAxis(name, dilation, spatialRank, nameof(dilation), 1);

        var axes = new ConvAxis[3];
        for (int slot = 0; slot < 3 - spatialRank; slot++) axes[slot] = ConvAxis.Unit;
        var shape = new int[spatialRank + 2];
        shape[0] = n;
        shape[1] = cout;
        for (int i = 0; i < spatialRank; i++)
        {
            if (op[i] >= Math.Max(s[i], d[i]))
                throw new ArgumentException($"{name} outputPadding ({string.Join(", ", op)}) must be smaller than either the stride ({string.Join(", ", s)}) or the dilation ({string.Join(", ", d)}) along each axis, as in PyTorch.", nameof(outputPadding));
            int size = input.Dims[2 + i];
            if (size < 1)
                throw new ArgumentException($"{name} expects a non-empty input, got {Tensor.ShapeText(input.Dims)}.", nameof(input));
            long output = (long)(size - 1) * s[i] - 2L * p[i] + (long)d[i] * (kernel[i] - 1) + op[i] + 1;
            if (output < 1 || output > int.MaxValue)
                throw new ArgumentException($"{name} output size along axis {i} would be (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 = ({size} − 1)·{s[i]} − 2·{p[i]} + {d[i]}·{kernel[i] - 1} + {op[i]} + 1 = {output}, which is not a positive size (input {Tensor.ShapeText(input.Dims)}, weight {Tensor.ShapeText(weight.Dims)}).", nameof(padding));
            shape[2 + i] = (int)output;
            axes[3 - spatialRank + i] = new ConvAxis((int)output, kernel[i], s[i], d[i], p[i], p[i] - op[i]);
        }
        var g = new ConvGeometry(n, cout, cin, axes[0], axes[1], axes[2], groups);
        if ((long)cout * g.KernelVolume * ((long)axes[0].Output * axes[1].Output * axes[2].Output) > Array.MaxLength || (long)n * cout * g.InputVolume > Array.MaxLength)
            throw new ArgumentException($"{name} of input {Tensor.ShapeText(input.Dims)} with weight {Tensor.ShapeText(weight.Dims)} needs a workspace larger than an array can hold.", nameof(input));
        return (g, shape);
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        // y[n, co, i·s − p + t·d] += x[n, ci, i] · w[ci, co', t] (+ b[co]): the data gradient is the convolution of dy with w.
        if (NeedsGrad(0))
        {
            float[] scratch = ArrayPool<float>.Shared.Rent(Math.Max(1, x.Length));
            try
            {
                var dxFresh = scratch.AsSpan(0, x.Length);
                ConvNdKernel.Forward(geometry, gradOutput, w.Data, default, dxFresh, Compute.Threads);
                var dx = GradOf(0);
                TensorPrimitives.Add(dx, dxFresh, dx);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }
        Span<float> dw = GradOf(1);
        if (!dw.IsEmpty) ConvNdKernel.BackwardWeights(geometry, gradOutput, x.Data, dw, default, Compute.Threads);
        if (Inputs.Count == 3 && NeedsGrad(2))
            ConvNdKernel.BiasGradient(geometry.N, geometry.C, geometry.InputVolume, gradOutput, GradOf(2));
    }
}
