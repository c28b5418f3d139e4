// 1-D convolution layer: y = conv1d(x, W) + b.  x: (N, C, L)  W: (K, C/G, k)  b: (K)  y: (N, K, OL)
namespace Striate.Layers;

/// <summary>
/// A 1-D convolution layer for signals, audio and text (N, C, L), cross-correlation as in PyTorch:
/// y[n,k,o] = b[k] + Σ_{c',t} W[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation],
/// OL = ⌊(L + padBefore + padAfter − dilation·(k − 1) − 1)/stride⌋ + 1. Initialised as PyTorch does:
/// W and b from U(−1/√((C/G)·k), +1/√((C/G)·k)).
/// </summary>
public sealed class Conv1d : ConvNd
{
    /// <summary>Creates a 1-D convolution layer (PyTorch's defaults: stride 1, no padding, dilation 1, one group, zeros, bias).</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, number of filters.</param>
    /// <param name="kernelSize">k, taps per filter.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">A number per side, "valid", "same" (stride 1 only), "full", or <see cref="ConvPadding.Explicit"/> (before, after).</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <param name="groups">G: channels split into G independent groups (G = C: depthwise).</param>
    /// <param name="paddingMode">What the padding holds.</param>
    /// <param name="convolutionMode">Cross-correlation, or true convolution (kernel flipped).</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the stride, the dilation or the groups is not positive.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts; padding is negative, not one axis, or "same" with a stride above 1; a mode is undefined.</exception>
    public Conv1d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding padding = default, bool bias = true, Rng? rng = null,
        int dilation = 1, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros, ConvolutionMode convolutionMode = ConvolutionMode.CrossCorrelation)
        : base(1, inChannels, outChannels, kernelSize, stride, padding, bias, rng, dilation, groups, paddingMode, convolutionMode)
    {
    }
}
