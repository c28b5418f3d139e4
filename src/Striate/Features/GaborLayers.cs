// Layers built on a Gabor bank.
//   GaborConv2d:        y = conv2d(x, W) (+ b),  W[k, c] = gabor_k / C   x: (N, C, H, W)  y: (N, K, P, Q)
//   GaborComplexCell2d: y = √(conv2d(x, W0)² + conv2d(x, W1)²), W1 the quadrature partner of W0 (phase + π/2)
// P = ⌊(H + 2·padding − R)/stride⌋ + 1, Q likewise. Frozen weights do not require a gradient, so
// optimizers leave them alone while gradients still flow through to the input (saliency, earlier layers).
using System.Globalization;
using Striate.Layers;

namespace Striate.Features;

/// <summary>
/// A 2-D convolution whose filters start as a Gabor bank: y[n,k] = b[k] + Σ_c W[k,c] ⋆ x[n,c] with
/// W[k,c] = gabor_k / C. Frozen (the default), the weights stay the bank; unfrozen, training refines them.
/// </summary>
public sealed class GaborConv2d : Module
{
    /// <summary>Creates the layer from a bank.</summary>
    /// <param name="bank">The K filters, all Size×Size.</param>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="padding">Zero rows and columns on every side.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="freeze">Whether the weights (and bias) stay fixed: no gradient is computed for them.</param>
    /// <param name="bias">Whether to add a per-filter bias, initialised to 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">inChannels or stride is not positive, or padding is negative.</exception>
    public GaborConv2d(GaborBank bank, int inChannels = 1, int padding = 0, int stride = 1, bool freeze = true, bool bias = false)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        Bank = bank;
        InChannels = inChannels;
        Padding = padding;
        Stride = stride;
        Weight = RegisterParameter("weight", bank.ToWeight(inChannels));
        Bias = bias ? RegisterParameter("bias", Tensor.Zeros(bank.Count)) : null;
        if (freeze) ClassicKernels.Freeze(this);
    }

    /// <summary>The bank the weights were initialised from.</summary>
    public GaborBank Bank { get; }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, number of filters.</summary>
    public int OutChannels => Bank.Count;

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Whether the weights are fixed.</summary>
    public bool IsFrozen => !Weight.RequiresGrad;

    /// <summary>(K, C, R, R) filters.</summary>
    public Tensor Weight { get; }

    /// <summary>(K) bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"{InChannels}→{OutChannels}, {Bank.Size}×{Bank.Size} Gabor, stride {Stride}, pad {Padding}{(IsFrozen ? ", frozen" : "")}{(Bias is null ? ", no bias" : "")}");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not (N, C, H, W) with this layer's C, or is smaller than the kernel.</exception>
    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, Stride, Padding);
}

/// <summary>
/// Complex cells over a Gabor bank: y[n,k] = √(s0[n,k]² + s1[n,k]²) with s0 = conv2d(x, W0) from the bank
/// and s1 = conv2d(x, W1) from its quadrature partner (every phase + π/2). The response to a grating
/// barely depends on where the grating's stripes fall: the chapter's model of V1 complex cells.
/// </summary>
public sealed class GaborComplexCell2d : Module
{
    /// <summary>Creates the layer; the weights are fixed (they do not require a gradient).</summary>
    /// <param name="bank">The even filters (usually phase 0); their quadrature partners are derived.</param>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="padding">Zero rows and columns on every side.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <exception cref="ArgumentOutOfRangeException">inChannels or stride is not positive, or padding is negative.</exception>
    public GaborComplexCell2d(GaborBank bank, int inChannels = 1, int padding = 0, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(bank);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        Bank = bank;
        InChannels = inChannels;
        Padding = padding;
        Stride = stride;
        EvenWeight = RegisterParameter("weight0", bank.ToWeight(inChannels));
        OddWeight = RegisterParameter("weight1", bank.Quadrature().ToWeight(inChannels));
        ClassicKernels.Freeze(this);
    }

    /// <summary>The bank of the even (s0) filters.</summary>
    public GaborBank Bank { get; }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>(K, C, R, R) filters giving s0.</summary>
    public Tensor EvenWeight { get; }

    /// <summary>(K, C, R, R) quadrature filters giving s1.</summary>
    public Tensor OddWeight { get; }

    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"{InChannels}→{Bank.Count}, {Bank.Size}×{Bank.Size} Gabor quadrature pairs, stride {Stride}, pad {Padding}");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not (N, C, H, W) with this layer's C, or is smaller than the kernel.</exception>
    public override Tensor Forward(Tensor input) =>
        Gabor.ComplexCell(Functional.Conv2d(input, EvenWeight, null, Stride, Padding), Functional.Conv2d(input, OddWeight, null, Stride, Padding));
}
