// Fully connected layer, fused so the bias add needs no broadcast pass.
//   y = x·Wᵀ + b          x: (N, in)  W: (out, in)  b: (out)  y: (N, out)
//   dx += dy·W            dW += dyᵀ·x            db += Σ_n dy[n, :]
using Striate.Kernels.Gemm;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for y = x·Wᵀ + b.</summary>
internal sealed class LinearNode(Tensor x, Tensor weight, Tensor? bias)
    : Node(bias is null ? [x, weight] : [x, weight, bias])
{
    public override string Name => "Linear";

    public static Tensor Forward(Tensor x, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2) throw new ArgumentException($"Linear weight must be (out, in), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        int outFeatures = weight.Dims[0], inFeatures = weight.Dims[1];
        if (x.Rank != 2 || x.Dims[1] != inFeatures)
            throw new ArgumentException($"Linear expects input of shape (N, {inFeatures}), got {Tensor.ShapeText(x.Dims)}. Flatten the input first if it comes from a convolution.", nameof(x));
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != outFeatures))
            throw new ArgumentException($"Linear bias must have shape ({outFeatures},), got {Tensor.ShapeText(bias.Dims)}.", nameof(bias));
        int n = x.Dims[0];
        var y = Tensor.Uninitialized(n, outFeatures);
        if (bias is not null)
            for (int i = 0; i < n; i++) bias.Data.AsSpan().CopyTo(y.Data.AsSpan(i * outFeatures, outFeatures));
        GemmKernel.Gemm(false, true, n, outFeatures, inFeatures, 1f, x.Data, weight.Data, bias is null ? 0f : 1f, y.Data, Compute.Threads);
        if (ShouldRecord(x, weight, bias)) y.SetGradFn(new LinearNode(x, weight, bias));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        int n = x.Dims[0], outFeatures = w.Dims[0], inFeatures = w.Dims[1];
        // y = x·Wᵀ + b
        if (NeedsGrad(0)) GemmKernel.Gemm(false, false, n, inFeatures, outFeatures, 1f, gradOutput, w.Data, 1f, GradOf(0), Compute.Threads);
        if (NeedsGrad(1)) GemmKernel.Gemm(true, false, outFeatures, inFeatures, n, 1f, gradOutput, x.Data, 1f, GradOf(1), Compute.Threads);
        if (Inputs.Count == 3 && NeedsGrad(2))
        {
            var db = GradOf(2);
            for (int j = 0; j < outFeatures; j++)
            {
                float sum = 0f;
                for (int i = 0; i < n; i++) sum += gradOutput[i * outFeatures + j];
                db[j] += sum;
            }
        }
    }
}
