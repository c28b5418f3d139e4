// Local response normalization across channels (kernel in Striate.Kernels/Normalization/LocalResponseNormKernel.cs).
//   s[n,c,…] = k + α′·Σ_{c′ = c − before}^{c + after} x[n,c′,…]²      y = x · s^(−β)
//   x, y: (N, C, …) with at least one dimension after C (NCL, NCHW, NCDHW)
// The node saves s (one float per element): backward needs s^(−β) and s^(−β−1) at every position.
using Striate.Kernels.Normalization;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for local response normalization; saves the divisor base s.</summary>
internal sealed class LocalResponseNormNode(Tensor x, LrnWindow window, float[] scale, int n, int c, int inner) : Node(x)
{
    public override string Name => "LocalResponseNorm";

    /// <summary>Runs the normalization; <paramref name="window"/> must already be validated.</summary>
    public static Tensor Forward(Tensor input, LrnWindow window)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 3)
            throw new ArgumentException($"Local response normalization expects input of shape (N, C, …) with at least 3 dimensions (NCL, NCHW or NCDHW), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int n = input.Dims[0], c = input.Dims[1], inner = 1;
        for (int d = 2; d < input.Rank; d++) inner *= input.Dims[d];
        var y = input.UninitializedLike(); // the kernel writes every element of y and of the scale
        var scale = GC.AllocateUninitializedArray<float>(input.Length);
        LocalResponseNormKernel.Forward(input.Data, n, c, inner, window, y.Data, scale, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new LocalResponseNormNode(input, window, scale, n, c, inner));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y_c = x_c · (k + α′·Σ_{window(c)} x²)^(−β): the direct term and one term per window holding x_j
        LocalResponseNormKernel.Backward(Inputs[0].Data, scale, gradOutput, n, c, inner, window, dx, Compute.Threads);
    }
}
