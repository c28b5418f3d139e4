// Locally connected layers (unshared convolution): the connections of a convolution, but a kernel
// and a bias per output unit.
//   2-D: x (N, C, H, W)  W (K, P, Q, C, R, R)  b (K, P, Q)  y (N, K, P, Q)
//   1-D: x (N, C, L)     W (K, Lout, C, R)     b (K, Lout)  y (N, K, Lout)
// The weights depend on the output grid, so the layer is built for one input size.
namespace Striate.Layers;

/// <summary>
/// A 2-D locally connected layer (unshared convolution, the chapter's 6-D kernel):
/// y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} W[k,p,q,c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s].
/// Every output unit has its own R×R×C kernel and bias, so it holds K·P·Q·C·R² weights (1→6 channels,
/// 5×5 kernels on 28×28: 6·24·24·1·5·5 = 86,400). Initialised like a convolution: U(−1/√(C·R²), +1/√(C·R²)).
/// </summary>
public sealed class LocallyConnected2d : Module
{
    /// <summary>Creates a locally connected layer for inputs of size <paramref name="inputSize"/>.</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, channels of the output.</param>
    /// <param name="inputSize">(H, W) of the inputs the layer will see; it fixes the output grid P×Q.</param>
    /// <param name="kernelSize">Side of the square R×R kernels.</param>
    /// <param name="stride">Step between output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns added on every side of the input.</param>
    /// <param name="bias">Whether to add a learned bias per output unit (k, p, q).</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, an input side, the kernel size or the stride is not positive, or the padding is negative.</exception>
    /// <exception cref="ArgumentException">The kernel is larger than the padded input (<paramref name="kernelSize"/>), or the weights would not fit in an array.</exception>
    public LocallyConnected2d(int inChannels, int outChannels, (int Height, int Width) inputSize, int kernelSize,
        int stride = 1, int padding = 0, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize.Height, nameof(inputSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize.Width, nameof(inputSize));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (inputSize.Height + 2L * padding < kernelSize || inputSize.Width + 2L * padding < kernelSize)
            throw new ArgumentException($"LocallyConnected2d kernel {kernelSize}×{kernelSize} is larger than the padded input {inputSize.Height + 2L * padding}×{inputSize.Width + 2L * padding}.", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        InputSize = inputSize;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputSize = ((inputSize.Height + 2 * padding - kernelSize) / stride + 1, (inputSize.Width + 2 * padding - kernelSize) / stride + 1);
        long weights = (long)outChannels * OutputSize.Height * OutputSize.Width * inChannels * kernelSize * kernelSize;
        if (weights > Array.MaxLength)
            throw new ArgumentException($"LocallyConnected2d needs {weights} weights, more than an array can hold.", nameof(inputSize));
        var r = RngOrRandom(rng);
        float bound = DefaultInitBound(inChannels * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound,
            outChannels, OutputSize.Height, OutputSize.Width, inChannels, kernelSize, kernelSize));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels, OutputSize.Height, OutputSize.Width)) : null;
    }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>(H, W) of the inputs the layer accepts.</summary>
    public (int Height, int Width) InputSize { get; }

    /// <summary>(P, Q), the output grid: one kernel per position.</summary>
    public (int Height, int Width) OutputSize { get; }

    /// <summary>Side of the square kernels.</summary>
    public int KernelSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>(K, P, Q, C, R, R) per-unit kernels.</summary>
    public Tensor Weight { get; }

    /// <summary>(K, P, Q) per-unit bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description =>
        $"{InChannels}→{OutChannels}, {KernelSize}×{KernelSize}, stride {Stride}, pad {Padding}, unshared over {OutputSize.Height}×{OutputSize.Width}" +
        (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LocallyConnected2d(input, Weight, Bias, Stride, Padding);
}

/// <summary>
/// A 1-D locally connected layer: y[n,k,q] = b[k,q] + Σ_{c,s} W[k,q,c,s] · x[n, c, q·stride − padding + s], a kernel
/// and bias per output position. Initialised U(−1/√(C·R), +1/√(C·R)).
/// </summary>
public sealed class LocallyConnected1d : Module
{
    /// <summary>Creates a locally connected layer for sequences of length <paramref name="inputLength"/>.</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, channels of the output.</param>
    /// <param name="inputLength">L of the inputs the layer will see; it fixes the output length.</param>
    /// <param name="kernelSize">Length R of the kernels.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">Zeros added at both ends of the input.</param>
    /// <param name="bias">Whether to add a learned bias per output unit (k, q).</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the input length, the kernel size or the stride is not positive, or the padding is negative.</exception>
    /// <exception cref="ArgumentException">The kernel is longer than the padded input (<paramref name="kernelSize"/>), or the weights would not fit in an array.</exception>
    public LocallyConnected1d(int inChannels, int outChannels, int inputLength, int kernelSize,
        int stride = 1, int padding = 0, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (inputLength + 2L * padding < kernelSize)
            throw new ArgumentException($"LocallyConnected1d kernel of {kernelSize} is longer than the padded input of {inputLength + 2L * padding}.", nameof(kernelSize));
        InChannels = inChannels;
        OutChannels = outChannels;
        InputLength = inputLength;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputLength = (inputLength + 2 * padding - kernelSize) / stride + 1;
        long weights = (long)outChannels * OutputLength * inChannels * kernelSize;
        if (weights > Array.MaxLength)
            throw new ArgumentException($"LocallyConnected1d needs {weights} weights, more than an array can hold.", nameof(inputLength));
        var r = RngOrRandom(rng);
        float bound = DefaultInitBound(inChannels * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, outChannels, OutputLength, inChannels, kernelSize));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels, OutputLength)) : null;
    }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>L of the inputs the layer accepts.</summary>
    public int InputLength { get; }

    /// <summary>Output length: one kernel per position.</summary>
    public int OutputLength { get; }

    /// <summary>Length of the kernels.</summary>
    public int KernelSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding at each end.</summary>
    public int Padding { get; }

    /// <summary>(K, Lout, C, R) per-unit kernels.</summary>
    public Tensor Weight { get; }

    /// <summary>(K, Lout) per-unit bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description =>
        $"{InChannels}→{OutChannels}, {KernelSize}, stride {Stride}, pad {Padding}, unshared over {OutputLength}" + (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LocallyConnected1d(input, Weight, Bias, Stride, Padding);
}
