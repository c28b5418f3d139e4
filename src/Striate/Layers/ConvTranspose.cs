// Transposed convolution layers ConvTranspose1d/2d/3d (PyTorch's semantics, defaults and weight layout):
//   x: (N, Cin, *in)  W: (Cin, Cout/G, k, …, k)  b: (Cout)  y: (N, Cout, *out)
//   y[n, co, i·s − p + t·d] += x[n, ci, i] · W[ci, co − g·Cout/G, t],  out = (in − 1)·s − 2p + d(k − 1) + outputPadding + 1
// Initialised as PyTorch does: its fan-in is computed from W's second dimension, fanIn = (Cout/G)·k^rank,
// and W and b are drawn from U(−1/√fanIn, +1/√fanIn).
using System.Globalization;
using Striate.Autograd.Ops;

namespace Striate.Layers;

/// <summary>
/// A transposed convolution layer over 1, 2 or 3 spatial axes (the base of <see cref="ConvTranspose1d"/>,
/// <see cref="ConvTranspose2d"/> and <see cref="ConvTranspose3d"/>): the gradient of a convolution with
/// respect to its input, used to upsample. y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · W[ci, co', t] + b[co].
/// </summary>
public abstract class ConvTransposeNd : Module
{
    /// <summary>Checks the options, creates the parameters and draws their initial values.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the stride, the dilation or the groups is not positive, or padding or outputPadding is negative.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts (<c>groups</c>), or outputPadding is not smaller than stride or dilation (<c>outputPadding</c>).</exception>
    private protected ConvTransposeNd(int spatialRank, int inChannels, int outChannels, int kernelSize, int stride, int padding, int outputPadding,
        int groups, bool bias, int dilation, Rng? rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegative(outputPadding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide both inChannels ({inChannels}) and outChannels ({outChannels}).", nameof(groups));
        if (outputPadding >= Math.Max(stride, dilation))
            throw new ArgumentException($"outputPadding ({outputPadding}) must be smaller than either stride ({stride}) or dilation ({dilation}), as in PyTorch.", nameof(outputPadding));
        SpatialRank = spatialRank;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        OutputPadding = outputPadding;
        Groups = groups;
        Dilation = dilation;
        var r = RngOrRandom(rng);
        int taps = 1;
        for (int i = 0; i < spatialRank; i++) taps *= kernelSize;
        float bound = DefaultInitBound(outChannels / groups * taps);
        int[] shape = [inChannels, outChannels / groups, .. Enumerable.Repeat(kernelSize, spatialRank)];
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, shape));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels)) : null;
    }

    /// <summary>Number of spatial axes: 1, 2 or 3.</summary>
    public int SpatialRank { get; }

    /// <summary>Cin, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>Cout, channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>Side of the square (cubic) kernels.</summary>
    public int KernelSize { get; }

    /// <summary>Upsampling factor along every axis.</summary>
    public int Stride { get; }

    /// <summary>Outputs removed from both ends of every axis.</summary>
    public int Padding { get; }

    /// <summary>Outputs added at the end of every axis.</summary>
    public int OutputPadding { get; }

    /// <summary>Channel groups G.</summary>
    public int Groups { get; }

    /// <summary>Step between kernel taps.</summary>
    public int Dilation { get; }

    /// <summary>(Cin, Cout/G, k, …) kernels.</summary>
    public Tensor Weight { get; }

    /// <summary>(Cout) bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description
    {
        get
        {
            string kernel = string.Join("×", Enumerable.Repeat(KernelSize.ToString(CultureInfo.InvariantCulture), SpatialRank));
            var text = string.Create(CultureInfo.InvariantCulture, $"{InChannels}→{OutChannels}, {kernel}, stride {Stride}, pad {Padding}");
            if (OutputPadding != 0) text += string.Create(CultureInfo.InvariantCulture, $", output pad {OutputPadding}");
            if (Dilation != 1) text += string.Create(CultureInfo.InvariantCulture, $", dilation {Dilation}");
            if (Groups != 1) text += string.Create(CultureInfo.InvariantCulture, $", groups {Groups}");
            return Bias is null ? text + ", no bias" : text;
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        ConvTransposeNode.Forward(TypeName, SpatialRank, input, Weight, Bias, [Stride], [Padding], [OutputPadding], Groups, [Dilation]);
}

/// <summary>
/// A 1-D transposed convolution layer (N, Cin, L) → (N, Cout, (L − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1):
/// y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · W[ci, co', t] + b[co]. PyTorch's nn.ConvTranspose1d.
/// </summary>
public sealed class ConvTranspose1d : ConvTransposeNd
{
    /// <summary>Creates a 1-D transposed convolution layer (PyTorch's argument order and defaults, then the initialisation randomness).</summary>
    /// <param name="inChannels">Cin, channels of the input.</param>
    /// <param name="outChannels">Cout, channels of the output.</param>
    /// <param name="kernelSize">k, taps per kernel.</param>
    /// <param name="stride">Upsampling factor.</param>
    /// <param name="padding">Outputs removed from both ends.</param>
    /// <param name="outputPadding">Outputs added at the end, smaller than stride or dilation.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, the stride, the dilation or the groups is not positive, or a padding is negative.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts, or outputPadding is not smaller than stride or dilation.</exception>
    public ConvTranspose1d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, bool bias = true, int dilation = 1, Rng? rng = null)
        : base(1, inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation, rng)
    {
    }
}

/// <summary>
/// A 2-D transposed convolution layer (N, Cin, H, W) → (N, Cout, P, Q), P = (H − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1:
/// y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · W[ci, co', t] + b[co] per axis. PyTorch's nn.ConvTranspose2d.
/// </summary>
public sealed class ConvTranspose2d : ConvTransposeNd
{
    /// <summary>Creates a 2-D transposed convolution layer (PyTorch's argument order and defaults, then the initialisation randomness).</summary>
    /// <param name="inChannels">Cin, channels of the input.</param>
    /// <param name="outChannels">Cout, channels of the output.</param>
    /// <param name="kernelSize">Side of the square kernels.</param>
    /// <param name="stride">Upsampling factor in both directions.</param>
    /// <param name="padding">Rows and columns removed from every side of the output.</param>
    /// <param name="outputPadding">Rows and columns added below and right, smaller than stride or dilation.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, the stride, the dilation or the groups is not positive, or a padding is negative.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts, or outputPadding is not smaller than stride or dilation.</exception>
    public ConvTranspose2d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, bool bias = true, int dilation = 1, Rng? rng = null)
        : base(2, inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation, rng)
    {
    }
}

/// <summary>
/// A 3-D transposed convolution layer (N, Cin, D, H, W) → (N, Cout, OD, OH, OW), each (n − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1:
/// y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · W[ci, co', t] + b[co] per axis. PyTorch's nn.ConvTranspose3d.
/// </summary>
public sealed class ConvTranspose3d : ConvTransposeNd
{
    /// <summary>Creates a 3-D transposed convolution layer (PyTorch's argument order and defaults, then the initialisation randomness).</summary>
    /// <param name="inChannels">Cin, channels of the input.</param>
    /// <param name="outChannels">Cout, channels of the output.</param>
    /// <param name="kernelSize">Side of the cubic kernels.</param>
    /// <param name="stride">Upsampling factor along every axis.</param>
    /// <param name="padding">Outputs removed from both ends of every axis.</param>
    /// <param name="outputPadding">Outputs added at the end of every axis, smaller than stride or dilation.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, the stride, the dilation or the groups is not positive, or a padding is negative.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts, or outputPadding is not smaller than stride or dilation.</exception>
    public ConvTranspose3d(int inChannels, int outChannels, int kernelSize, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, bool bias = true, int dilation = 1, Rng? rng = null)
        : base(3, inChannels, outChannels, kernelSize, stride, padding, outputPadding, groups, bias, dilation, rng)
    {
    }
}
