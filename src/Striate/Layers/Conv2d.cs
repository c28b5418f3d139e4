// 2-D convolution layer: y = conv2d(x, W) + b.  x: (N, C, H, W)  W: (K, C/G, R, R)  b: (K)  y: (N, K, P, Q)
namespace Striate.Layers;

/// <summary>
/// A 2-D convolution layer with square kernels (cross-correlation, as in PyTorch):
/// y[n,k,p,q] = b[k] + Σ_{c',r,s} W[k,c',r,s] · x[n, g(k)·C/G + c', p·stride − padTop + r·dilation, q·stride − padLeft + s·dilation].
/// Initialised as PyTorch does: weight and bias drawn from U(−1/√((C/G)·R·R), +1/√((C/G)·R·R)).
/// </summary>
public sealed class Conv2d : ConvNd
{
    /// <summary>Creates a convolution layer (PyTorch's defaults: stride 1, no padding, dilation 1, one group, zeros, bias).</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, number of filters (channels of the output).</param>
    /// <param name="kernelSize">Side of the square R×R filters.</param>
    /// <param name="stride">Step between output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns on every side, "valid", "same" (stride 1 only), "full", or per axis/side.</param>
    /// <param name="bias">Whether to add a learned bias per output channel.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <param name="dilation">Step between kernel taps (atrous convolution).</param>
    /// <param name="groups">G: channels split into G independent groups (G = C: depthwise).</param>
    /// <param name="paddingMode">What the padding holds.</param>
    /// <param name="convolutionMode">Cross-correlation, or true convolution (kernel flipped).</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the stride, the dilation or the groups is not positive.</exception>
    /// <exception cref="ArgumentException">groups does not divide both channel counts; padding is negative, not one or two axes, or "same" with a stride above 1; a mode is undefined.</exception>
    public Conv2d(int inChannels, int outChannels, int kernelSize, int stride = 1, ConvPadding padding = default, bool bias = true, Rng? rng = null,
        int dilation = 1, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros, ConvolutionMode convolutionMode = ConvolutionMode.CrossCorrelation)
        : base(2, inChannels, outChannels, kernelSize, stride, padding, bias, rng, dilation, groups, paddingMode, convolutionMode)
    {
    }
}
