// 3-D convolution layer: y = conv3d(x, W) + b.  x: (N, C, D, H, W)  W: (K, C/G, k, k, k)  b: (K)  y: (N, K, OD, OH, OW)
namespace Striate.Layers;

/// <summary>
/// A 3-D convolution layer for volumes and video clips (N, C, D, H, W), cross-correlation as in PyTorch:
/// y[n,k,o] = b[k] + Σ_{c',t} W[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation] along depth, height and width.
/// Initialised as PyTorch does: W and b from U(−1/√((C/G)·k³), +1/√((C/G)·k³)).
/// </summary>
public sealed class Conv3d : ConvNd
{
    /// <summary>Creates a 3-D convolution layer (PyTorch's defaults: stride 1, no padding, dilation 1, one group, zeros, bias).</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, number of filters.</param>
    /// <param name="kernelSize">Side of the cubic k×k×k filters.</param>
    /// <param name="stride">Step between output positions along every axis.</param>
    /// <param name="padding">A number per side, "valid", "same" (stride 1 only), "full", or per axis/side.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <param name="dilation">Step between kernel taps along every axis.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="paddingMode">What the padding holds.</param>
    /// <param name="convolutionMode">Cross-correlation, or true convolution (kernel flipped along all three axes).</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the stride, the dilation or the groups is not positive.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts; padding is negative, not one or three axes, or "same" with a stride above 1; a mode is undefined.</exception>
    public Conv3d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding padding = default, bool bias = true, Rng? rng = null,
        int dilation = 1, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros, ConvolutionMode convolutionMode = ConvolutionMode.CrossCorrelation)
        : base(3, inChannels, outChannels, kernelSize, stride, padding, bias, rng, dilation, groups, paddingMode, convolutionMode)
    {
    }
}
