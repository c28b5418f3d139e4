// Tiled convolution layers: t×t kernels (t in 1-D) cycled over the output grid, bias shared with
// the tiling pattern.
//   2-D: x (N, C, H, W)  W (K, t, t, C, R, R)  b (K, t, t)  y (N, K, P, Q)
//   1-D: x (N, C, L)     W (K, t, C, R)        b (K, t)     y (N, K, Lout)
namespace Striate.Layers;

/// <summary>
/// A 2-D tiled convolution layer, the chapter's compromise between convolution and a locally connected layer:
/// y[n,k,p,q] = b[k,a,b] + Σ_{c,r,s} W[k,a,b,c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s],
/// a = p mod t, b = q mod t. Neighbouring outputs use different kernels; outputs t apart share one.
/// Unlike a locally connected layer it accepts any input size. Initialised U(−1/√(C·R²), +1/√(C·R²)).
/// </summary>
public sealed class TiledConv2d : Module
{
    /// <summary>Creates a tiled convolution layer.</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, channels of the output.</param>
    /// <param name="kernelSize">Side of the square R×R kernels.</param>
    /// <param name="tileSize">t: t×t kernels per output channel, cycled over the rows and columns (1 is an ordinary convolution).</param>
    /// <param name="stride">Step between output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns added on every side of the input.</param>
    /// <param name="bias">Whether to add a learned bias per output channel and tile position.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the tile size or the stride is not positive, or the padding is negative.</exception>
    public TiledConv2d(int inChannels, int outChannels, int kernelSize, int tileSize, int stride = 1, int padding = 0, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        TileSize = tileSize;
        Stride = stride;
        Padding = padding;
        var r = RngOrRandom(rng);
        float bound = DefaultInitBound(inChannels * kernelSize * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, outChannels, tileSize, tileSize, inChannels, kernelSize, kernelSize));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels, tileSize, tileSize)) : null;
    }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>Side of the square kernels.</summary>
    public int KernelSize { get; }

    /// <summary>t, kernels cycled along each direction.</summary>
    public int TileSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>(K, t, t, C, R, R) tiled kernels.</summary>
    public Tensor Weight { get; }

    /// <summary>(K, t, t) tiled bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description =>
        $"{InChannels}→{OutChannels}, {KernelSize}×{KernelSize}, tiles {TileSize}×{TileSize}, stride {Stride}, pad {Padding}" + (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.TiledConv2d(input, Weight, Bias, Stride, Padding);
}

/// <summary>
/// A 1-D tiled convolution layer: y[n,k,q] = b[k, q mod t] + Σ_{c,s} W[k, q mod t, c, s] · x[n, c, q·stride − padding + s].
/// Initialised U(−1/√(C·R), +1/√(C·R)).
/// </summary>
public sealed class TiledConv1d : Module
{
    /// <summary>Creates a 1-D tiled convolution layer.</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="outChannels">K, channels of the output.</param>
    /// <param name="kernelSize">Length R of the kernels.</param>
    /// <param name="tileSize">t: kernels per output channel, cycled along the output (1 is an ordinary convolution).</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">Zeros added at both ends of the input.</param>
    /// <param name="bias">Whether to add a learned bias per output channel and tile position.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A channel count, the kernel size, the tile size or the stride is not positive, or the padding is negative.</exception>
    public TiledConv1d(int inChannels, int outChannels, int kernelSize, int tileSize, int stride = 1, int padding = 0, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tileSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        TileSize = tileSize;
        Stride = stride;
        Padding = padding;
        var r = RngOrRandom(rng);
        float bound = DefaultInitBound(inChannels * kernelSize);
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, outChannels, tileSize, inChannels, kernelSize));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outChannels, tileSize)) : null;
    }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, channels of the output.</summary>
    public int OutChannels { get; }

    /// <summary>Length of the kernels.</summary>
    public int KernelSize { get; }

    /// <summary>t, kernels cycled along the output.</summary>
    public int TileSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding at each end.</summary>
    public int Padding { get; }

    /// <summary>(K, t, C, R) tiled kernels.</summary>
    public Tensor Weight { get; }

    /// <summary>(K, t) tiled bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description =>
        $"{InChannels}→{OutChannels}, {KernelSize}, tiles {TileSize}, stride {Stride}, pad {Padding}" + (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.TiledConv1d(input, Weight, Bias, Stride, Padding);
}
