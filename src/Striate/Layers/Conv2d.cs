// 2-D convolution layer: y = conv2d(x, W) + b.  x: (N, C, H, W)  W: (K, C, R, R)  b: (K)  y: (N, K, P, Q)
namespace Striate.Layers;

/// <summary>
/// A 2-D convolution layer with square kernels (cross-correlation, as in PyTorch), initialised as
/// PyTorch does: weight and bias drawn from U(−1/√(C·R·S), +1/√(C·R·S)).
/// </summary>
public sealed class Conv2d : Module
{
    /// <summary>Creates a convolution layer.</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, number of filters (channels of the output).</param>
    /// <param name="kernelSize">Side of the square R×R filters.</param>
    /// <param name="stride">Step between output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns added on every side of the input.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size or the stride is not positive, or the padding is negative.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        var r = RngOrRandom(rng);
        float bound = DefaultInitBound(inChannels * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, outChannels, inChannels, kernelSize, kernelSize));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels)) : null;
    }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, number of filters.</summary>
    public int OutChannels { get; }

    /// <summary>Side of the square filters.</summary>
    public int KernelSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>(K, C, R, R) filters.</summary>
    public Tensor Weight { get; }

    /// <summary>(K) bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description =>
        $"{InChannels}→{OutChannels}, {KernelSize}×{KernelSize}, stride {Stride}, pad {Padding}" + (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding);
}
