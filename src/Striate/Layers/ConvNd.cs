// Shared body of the convolution layers Conv1d, Conv2d and Conv3d: y = conv(x, W) + b with cubic
// kernels, stride, padding (a number, "valid", "same", "full" or per side), dilation, groups,
// padding mode and cross-correlation or true convolution.
//   x: (N, C, *in)  W: (K, C/G, k, …, k)  b: (K)  y: (N, K, *out),  out = ⌊(in + p_before + p_after − d(k−1) − 1)/s⌋ + 1
// Initialised as PyTorch does: W and b from U(−1/√fanIn, +1/√fanIn) with fanIn = (C/G)·k^rank.
using System.Globalization;
using Striate.Autograd.Ops;
using Striate.Kernels.Conv;

namespace Striate.Layers;

/// <summary>
/// A convolution layer over 1, 2 or 3 spatial axes (the base of <see cref="Conv1d"/>, <see cref="Conv2d"/> and
/// <see cref="Conv3d"/>): y[n,k,o] = b[k] + Σ_{c',t} W[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation].
/// </summary>
public abstract class ConvNd : Module
{
    /// <summary>Checks the options, creates the parameters and draws their initial values (see the derived constructors).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the stride, the dilation or the groups is not positive.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts (<c>groups</c>); padding is negative, has the wrong number of axes or is "same" with a stride above 1 (<c>padding</c>); a mode is undefined.</exception>
    private protected ConvNd(int spatialRank, int inChannels, int outChannels, int kernelSize, int stride, ConvPadding padding, bool bias,
        Rng? rng, int dilation, int groups, PaddingMode paddingMode, ConvolutionMode convolutionMode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide both inChannels ({inChannels}) and outChannels ({outChannels}).", nameof(groups));
        if (!Enum.IsDefined(paddingMode)) throw new ArgumentException($"{paddingMode} is not a padding mode.", nameof(paddingMode));
        if (!Enum.IsDefined(convolutionMode)) throw new ArgumentException($"{convolutionMode} is not a convolution mode.", nameof(convolutionMode));
        ConvArguments.CheckPadding(GetType().Name, padding, spatialRank, [stride]);
        SpatialRank = spatialRank;
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Dilation = dilation;
        Groups = groups;
        PaddingMode = paddingMode;
        ConvolutionMode = convolutionMode;
        var r = RngOrRandom(rng);
        int taps = 1;
        for (int i = 0; i < spatialRank; i++) taps *= kernelSize;
        float bound = DefaultInitBound(inChannels / groups * taps);
        int[] shape = [outChannels, inChannels / groups, .. Enumerable.Repeat(kernelSize, spatialRank)];
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, shape));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels)) : null;
    }

    /// <summary>Number of spatial axes: 1, 2 or 3.</summary>
    public int SpatialRank { get; }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, number of filters (channels of the output).</summary>
    public int OutChannels { get; }

    /// <summary>Side of the square (cubic) filters.</summary>
    public int KernelSize { get; }

    /// <summary>Step between output positions along every axis.</summary>
    public int Stride { get; }

    /// <summary>Padding of the spatial axes.</summary>
    public ConvPadding Padding { get; }

    /// <summary>Step between kernel taps along every axis.</summary>
    public int Dilation { get; }

    /// <summary>Channel groups G.</summary>
    public int Groups { get; }

    /// <summary>What the padding holds.</summary>
    public PaddingMode PaddingMode { get; }

    /// <summary>Cross-correlation (default) or true convolution.</summary>
    public ConvolutionMode ConvolutionMode { get; }

    /// <summary>
    /// How the layer computes its convolution: Auto (default: chosen per pass by shape), Benchmark (timed on first use per shape,
    /// the winner cached for the process), or a forced algorithm, which must be able to compute the layer's shapes (checked at
    /// each forward). Every algorithm gives the same result up to its documented float32 error.
    /// </summary>
    /// <exception cref="ArgumentException">Set to a value that is not a <see cref="ConvAlgorithm"/> member.</exception>
    public ConvAlgorithm Algorithm
    {
        get;
        set => field = Enum.IsDefined(value) ? value : throw new ArgumentException($"{value} is not a convolution algorithm.", nameof(value));
    }

    /// <summary>(K, C/G, k, …) filters.</summary>
    public Tensor Weight { get; }

    /// <summary>(K) bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description
    {
        get
        {
            string kernel = string.Join("×", Enumerable.Repeat(KernelSize.ToString(CultureInfo.InvariantCulture), SpatialRank));
            var text = string.Create(CultureInfo.InvariantCulture, $"{InChannels}→{OutChannels}, {kernel}, stride {Stride}, pad {Padding}");
            if (Dilation != 1) text += string.Create(CultureInfo.InvariantCulture, $", dilation {Dilation}");
            if (Groups != 1) text += string.Create(CultureInfo.InvariantCulture, $", groups {Groups}");
            if (PaddingMode != PaddingMode.Zeros) text += $", {PaddingMode.ToString().ToLowerInvariant()} padding";
            if (ConvolutionMode == ConvolutionMode.TrueConvolution) text += ", true convolution";
            if (Algorithm != ConvAlgorithm.Auto) text += $", {Algorithm.ToString().ToLowerInvariant()}";
            return Bias is null ? text + ", no bias" : text;
        }
    }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) =>
        ConvNode.Forward(TypeName, SpatialRank, input, Weight, Bias, [Stride], Padding, [Dilation], Groups, PaddingMode, ConvolutionMode, Algorithm);

    /// <summary>
    /// max(Forward(input), 0) in one pass (the ReLU fused into the convolution's epilogue, and its backward into the
    /// convolution's): the same values and gradients as <see cref="Forward"/> followed by <see cref="ReLU"/>, one
    /// activation written instead of two. <see cref="Sequential"/> uses it for a convolution directly followed by a ReLU.
    /// </summary>
    /// <param name="input">As <see cref="Forward"/>.</param>
    /// <returns>As <see cref="Forward"/>, every value ≥ 0 (or NaN where the convolution is NaN).</returns>
    /// <exception cref="ArgumentException">As <see cref="Forward"/>.</exception>
    public Tensor ForwardRelu(Tensor input) =>
        ConvNode.Forward(TypeName, SpatialRank, input, Weight, Bias, [Stride], Padding, [Dilation], Groups, PaddingMode, ConvolutionMode, Algorithm,
            ConvEpilogue.Relu);
}
