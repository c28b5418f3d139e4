// N-d convolution (Conv1d/2d/3d), kernels in Striate.Kernels/Conv (ConvAlgorithms chooses among
// im2col + GEMM, direct and the other algorithms, per pass, or runs the one the caller forces).
//   y[n,k,o] = b[k] + Σ_{c' < C/G, t} w[k,c',t] · x[n, g(k)·C/G + c', o·s − p + t·d]     (per spatial axis)
//   fused:  y = max(conv(x, w) + b, 0), with the ReLU applied while the output is in registers
//   x: (N, C, *in)  w: (K, C/G, *kernel)  b: (K)  y: (N, K, *out),  out = ⌊(in + p_before + p_after − d(k−1) − 1)/s⌋ + 1
//   dx += wᵀ-scatter of dy (BackwardData)    dw += dy ⋆ x,  db += Σ_{n,o} dy (BackwardWeights)
// True convolution is cross-correlation with every filter flipped along its spatial axes: the node
// flips w before the kernels and flips the weight gradient back (∂L/∂w[t] = ∂L/∂w_flipped[T − 1 − t]).
// Reflect/replicate/circular padding is a PadNode in front (its backward folds the border gradient
// back); zero padding stays inside im2col. The node saves only its inputs and the geometry: backward
// recomputes im2col rather than keep a column matrix per image alive between forward and backward.
// Frozen filters (RequiresGrad off) let Auto use the separable kernels when every filter is rank 1.
// With the fused ReLU, backward first masks the gradient with y > 0 (∂max(z, 0)/∂z), then runs the
// convolution's backward on the masked gradient.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Conv;
using Striate.Kernels.Elementwise;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for y = conv(x, w) + b in 1, 2 or 3 spatial dimensions.</summary>
internal sealed class ConvNode(string name, Tensor input, Tensor weight, Tensor? bias, ConvGeometry geometry, bool flipped,
    ConvAlgorithm algorithm, ConvEpilogue epilogue)
    : Node(bias is null ? [input, weight] : [input, weight, bias])
{
    public override string Name => epilogue == ConvEpilogue.Relu ? name + "Relu" : name;

    /// <summary>
    /// The whole convolution op: checks the arguments, pads for a non-zero padding mode, then convolves.
    /// <paramref name="name"/> (Conv1d, Conv2d, Conv3d) prefixes error messages. <paramref name="algorithm"/> is used for every
    /// pass (Auto: chosen per pass by shape); <paramref name="epilogue"/> fuses a ReLU into the forward.
    /// </summary>
    public static Tensor Forward(string name, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        IReadOnlyList<int> stride, ConvPadding padding, IReadOnlyList<int> dilation, int groups,
        PaddingMode paddingMode, ConvolutionMode convolutionMode,
        ConvAlgorithm algorithm = ConvAlgorithm.Auto, ConvEpilogue epilogue = ConvEpilogue.None)
    {
        if (!Enum.IsDefined(paddingMode))
            throw new ArgumentException($"{name} paddingMode {paddingMode} is not a padding mode.", nameof(paddingMode));
        if (!Enum.IsDefined(convolutionMode))
            throw new ArgumentException($"{name} convolutionMode {convolutionMode} is not a convolution mode.", nameof(convolutionMode));
        if (!Enum.IsDefined(algorithm))
            throw new ArgumentException($"{name} algorithm {algorithm} is not a convolution algorithm.", nameof(algorithm));
        var plan = ConvArguments.Resolve(name, spatialRank, input, weight, bias, stride, padding, dilation, groups, paddingMode);
        if (ConvAlgorithms.WhyNot(algorithm, plan.Geometry) is { } reason)
            throw new ArgumentException($"{name} algorithm {algorithm} cannot compute this convolution (input {Tensor.ShapeText(input.Dims)}, weight {Tensor.ShapeText(weight.Dims)}): {reason}.", nameof(algorithm));
        var x = plan.ModePadding is { } pad ? PadNode.Forward(input, pad, 0f, plan.PaddedShape!) : input;
        return Convolve(name, x, weight, bias, plan.Geometry, plan.OutputShape, convolutionMode == ConvolutionMode.TrueConvolution, algorithm, epilogue);
    }

    /// <summary>y = epilogue(conv(x, w) + b) on an already checked geometry (x may be a padded copy).</summary>
    private static Tensor Convolve(string name, Tensor x, Tensor weight, Tensor? bias, ConvGeometry g, int[] outputShape, bool flipped,
        ConvAlgorithm algorithm, ConvEpilogue epilogue)
    {
        var y = Tensor.Uninitialized(outputShape); // every algorithm's forward overwrites every element
        ReadOnlySpan<float> b = bias is null ? default : bias.Data;
        if (flipped)
        {
            float[] w = RentFlipped(weight, g);
            try
            {
                ConvAlgorithms.Forward(algorithm, g, x.Data, w.AsSpan(0, weight.Length), b, y.Data, Compute.Threads, epilogue, !weight.RequiresGrad);
            }
            finally
            {
                ArrayPool<float>.Shared.Return(w);
            }
        }
        else
        {
            ConvAlgorithms.Forward(algorithm, g, x.Data, weight.Data, b, y.Data, Compute.Threads, epilogue, !weight.RequiresGrad);
        }
        if (ShouldRecord(x, weight, bias)) y.SetGradFn(new ConvNode(name, x, weight, bias, g, flipped, algorithm, epilogue));
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
        if (epilogue != ConvEpilogue.Relu)
        {
            ConvBackward(gradOutput);
            return;
        }
        // y = max(z, 0): ∂L/∂z = ∂L/∂y where y > 0, else 0.
        float[] masked = ArrayPool<float>.Shared.Rent(Math.Max(1, gradOutput.Length));
        try
        {
            var dz = masked.AsSpan(0, gradOutput.Length);
            ActivationKernel.ReluMask(output.Data, gradOutput, dz);
            ConvBackward(dz);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(masked);
        }
    }

    private void ConvBackward(ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        // y[n,k,o] = b[k] + Σ_{c',t} w[k,c',t] · x[n, g(k)·C/G + c', o·s − p + t·d]   (w flipped for true convolution)
        Span<float> dw = GradOf(1);
        Span<float> db = Inputs.Count == 3 ? GradOf(2) : default;
        int threads = Compute.Threads;
        if (!flipped)
        {
            if (NeedsGrad(0)) ConvAlgorithms.BackwardData(algorithm, geometry, gradOutput, w.Data, GradOf(0), threads, !w.RequiresGrad);
            if (!dw.IsEmpty || !db.IsEmpty) ConvAlgorithms.BackwardWeights(algorithm, geometry, x.Data, gradOutput, dw, db, threads);
            return;
        }
        int length = w.Length;
        float[] wf = RentFlipped(w, geometry);
        float[] dwf = ArrayPool<float>.Shared.Rent(Math.Max(1, length));
        try
        {
            if (NeedsGrad(0)) ConvAlgorithms.BackwardData(algorithm, geometry, gradOutput, wf.AsSpan(0, length), GradOf(0), threads, !w.RequiresGrad);
            if (dw.IsEmpty && db.IsEmpty) return;
            // The kernel's weight gradient is for the flipped filters; flipping it back gives ∂L/∂w.
            var flippedGrad = dwf.AsSpan(0, length);
            flippedGrad.Clear();
            ConvAlgorithms.BackwardWeights(algorithm, geometry, x.Data, gradOutput, dw.IsEmpty ? default : flippedGrad, db, threads);
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
