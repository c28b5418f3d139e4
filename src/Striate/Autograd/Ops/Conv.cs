// N-d convolution (Conv1d/2d/3d), kernels in Striate.Kernels/Conv/ConvNdKernel.cs.
//   y[n,k,o] = b[k] + Σ_{c' < C/G, t} w[k,c',t] · x[n, g(k)·C/G + c', o·s − p + t·d]     (per spatial axis)
//   x: (N, C, *in)  w: (K, C/G, *kernel)  b: (K)  y: (N, K, *out),  out = ⌊(in + p_before + p_after − d(k−1) − 1)/s⌋ + 1
//   dx += wᵀ-scatter of dy (BackwardData)    dw += dy ⋆ x,  db += Σ_{n,o} dy (BackwardWeights)
// True convolution is cross-correlation with every filter flipped along its spatial axes: the node
// flips w before the kernels and flips the weight gradient back (∂L/∂w[t] = ∂L/∂w_flipped[T − 1 − t]).
// Reflect/replicate/circular padding is a PadNode in front (its backward folds the border gradient
// back); zero padding stays inside im2col. The node saves only its inputs and the geometry: backward
// recomputes im2col rather than keep a column matrix per image alive between forward and backward.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Conv;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for y = conv(x, w) + b in 1, 2 or 3 spatial dimensions.</summary>
internal sealed class ConvNode(string name, Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, bool flipped)
    : Node(bias is null ? [input, weight] : [input, weight, bias])
{
    public override string Name => name;

    /// <summary>
    /// The whole convolution op: checks the arguments, pads for a non-zero padding mode, then convolves.
    /// <paramref name="name"/> (Conv1d, Conv2d, Conv3d) prefixes error messages.
    /// </summary>
    public static Tensor Forward(string name, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        IReadOnlyList<int> stride, ConvPadding padding, IReadOnlyList<int> dilation, int groups,
        PaddingMode paddingMode, ConvolutionMode convolutionMode)
    {
        if (!Enum.IsDefined(paddingMode))
            throw new ArgumentException($"{name} paddingMode {paddingMode} is not a padding mode.", nameof(paddingMode));
        if (!Enum.IsDefined(convolutionMode))
            throw new ArgumentException($"{name} convolutionMode {convolutionMode} is not a convolution mode.", nameof(convolutionMode));
        var plan = ConvArguments.Resolve(name, spatialRank, input, weight, bias, stride, padding, dilation, groups, paddingMode);
        var x = plan.ModePadding is { } pad ? PadNode.Forward(input, pad, 0f, plan.PaddedShape!) : input;
        return Convolve(name, x, weight, bias, plan.Geometry, plan.OutputShape, convolutionMode == ConvolutionMode.TrueConvolution);
    }

    /// <summary>y = conv(x, w) + b on an already checked geometry (x may be a padded copy).</summary>
    private static Tensor Convolve(string name, Tensor x, Tensor weight, Tensor? bias, ConvGeometry g, int[] outputShape, bool flipped)
    {
        var y = Tensor.Uninitialized(outputShape); // ConvNdKernel.Forward overwrites every element
        ReadOnlySpan<float> b = bias is null ? default : bias.Data;
        if (flipped)
        {
            float[] w = RentFlipped(weight, g);
            try
            {
                ConvNdKernel.Forward(g, x.Data, w.AsSpan(0, weight.Length), b, y.Data, Compute.Threads);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(w);
            }
        }
        else
        {
            ConvNdKernel.Forward(g, x.Data, weight.Data, b, y.Data, Compute.Threads);
        }
        if (ShouldRecord(x, weight, bias)) y.SetGradFn(new ConvNode(name, x, weight, bias, g, flipped));
        return y;
    }

    /// <summary>The filters reversed along every spatial axis, in a pooled array the caller returns.</summary>
    private static float[] RentFlipped(Tensor weight, in ConvGeometry g)
    {
        float[] flipped = ArrayPool<float>.Shared.Rent(Math.Max(1, weight.Length));
        ConvNdKernel.FlipKernels(g.KernelVolume, weight.Data, flipped.AsSpan(0, weight.Length));
        return flipped;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        // y[n,k,o] = b[k] + Σ_{c',t} w[k,c',t] · x[n, g(k)·C/G + c', o·s − p + t·d]   (w flipped for true convolution)
        Span<float> dw = GradOf(1);
        Span<float> db = Inputs.Count == 3 ? GradOf(2) : default;
        if (!flipped)
        {
            if (NeedsGrad(0)) ConvNdKernel.BackwardData(geometry, gradOutput, w.Data, GradOf(0), Compute.Threads);
            if (!dw.IsEmpty || !db.IsEmpty) ConvNdKernel.BackwardWeights(geometry, x.Data, gradOutput, dw, db, Compute.Threads);
            return;
        }
        int length = w.Length;
        float[] wf = RentFlipped(w, geometry);
        float[] dwf = ArrayPool<float>.Shared.Rent(Math.Max(1, length));
        try
        {
            if (NeedsGrad(0)) ConvNdKernel.BackwardData(geometry, gradOutput, wf.AsSpan(0, length), GradOf(0), Compute.Threads);
            if (dw.IsEmpty && db.IsEmpty) return;
            // The kernel's weight gradient is for the flipped filters; flipping it back gives ∂L/∂w.
            var flippedGrad = dwf.AsSpan(0, length);
            flippedGrad.Clear();
            ConvNdKernel.BackwardWeights(geometry, x.Data, gradOutput, dw.IsEmpty ? default : flippedGrad, db, Compute.Threads);
            if (dw.IsEmpty) return;
            ConvNdKernel.FlipKernels(geometry.KernelVolume, flippedGrad, wf.AsSpan(0, length));
            TensorPrimitives.Add(dw, wf.AsSpan(0, length), dw);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(dwf);
            ArrayPool<float>.Shared.Return(wf);
        }
    }
}
