// Hand-designed convolution kernels: the "design kernel parameters by hand" option of the chapter,
// as (R, S) tensors to use as fixed weights of a cross-correlation (Conv2d):
//   y[p, q] = Σ_{r,s} K[r, s] · x[p + r − pad, q + s − pad]
// Signs follow that convention: SobelX responds positively where brightness increases to the right,
// the chapter's VerticalEdge [1 0 −1] positively where it decreases (its 10|0 example gives 30).
using Striate.Layers;

namespace Striate.Features;

/// <summary>
/// Named hand-designed kernels (identity, blurs, sharpen, gradient and edge detectors) and a helper that
/// turns them into a frozen <see cref="Conv2d"/> layer.
/// </summary>
public static class ClassicKernels
{
    /// <summary>[[0,0,0],[0,1,0],[0,0,0]]: leaves the image unchanged.</summary>
    public static Tensor Identity() => Make(3, [0, 0, 0, 0, 1, 0, 0, 0, 0]);

    /// <summary>The mean over a size×size window: K[r, s] = 1/size².</summary>
    /// <param name="size">Side of the window, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    public static Tensor BoxBlur(int size = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return Tensor.Full(1f / (size * size), size, size);
    }

    /// <summary>
    /// A normalised Gaussian: K[r, s] = exp(−(u² + v²)/(2σ²)) / Σ exp(…), with u = r − (size−1)/2 and
    /// v = s − (size−1)/2; the weights sum to 1.
    /// </summary>
    /// <param name="size">Side of the kernel, odd and at least 1.</param>
    /// <param name="sigma">Standard deviation σ in pixels, positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not a positive odd number.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="sigma"/> is not positive and finite.</exception>
    public static Tensor GaussianBlur(int size = 5, float sigma = 1f)
    {
        if (size < 1 || size % 2 == 0) throw new ArgumentOutOfRangeException(nameof(size), size, "The Gaussian kernel's size must be a positive odd number.");
        if (!(sigma > 0) || !float.IsFinite(sigma)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "sigma must be positive and finite.");
        var values = new double[size * size];
        double centre = (size - 1) / 2.0, sum = 0;
        for (int r = 0; r < size; r++)
            for (int s = 0; s < size; s++)
            {
                double u = r - centre, v = s - centre;
                sum += values[r * size + s] = Math.Exp(-(u * u + v * v) / (2.0 * sigma * sigma));
            }
        return Make(size, [.. values.Select(v => (float)(v / sum))]);
    }

    /// <summary>[[0,−1,0],[−1,5,−1],[0,−1,0]]: the image plus its negated 4-neighbour Laplacian.</summary>
    public static Tensor Sharpen() => Make(3, [0, -1, 0, -1, 5, -1, 0, -1, 0]);

    /// <summary>Sobel ∂/∂x: [[−1,0,1],[−2,0,2],[−1,0,1]]; positive where brightness increases to the right.</summary>
    public static Tensor SobelX() => Make(3, [-1, 0, 1, -2, 0, 2, -1, 0, 1]);

    /// <summary>Sobel ∂/∂y: [[−1,−2,−1],[0,0,0],[1,2,1]]; positive where brightness increases downwards.</summary>
    public static Tensor SobelY() => Make(3, [-1, -2, -1, 0, 0, 0, 1, 2, 1]);

    /// <summary>Prewitt ∂/∂x: [[−1,0,1],[−1,0,1],[−1,0,1]].</summary>
    public static Tensor PrewittX() => Make(3, [-1, 0, 1, -1, 0, 1, -1, 0, 1]);

    /// <summary>Prewitt ∂/∂y: [[−1,−1,−1],[0,0,0],[1,1,1]].</summary>
    public static Tensor PrewittY() => Make(3, [-1, -1, -1, 0, 0, 0, 1, 1, 1]);

    /// <summary>Scharr ∂/∂x: [[−3,0,3],[−10,0,10],[−3,0,3]] (better rotational symmetry than Sobel).</summary>
    public static Tensor ScharrX() => Make(3, [-3, 0, 3, -10, 0, 10, -3, 0, 3]);

    /// <summary>Scharr ∂/∂y: [[−3,−10,−3],[0,0,0],[3,10,3]].</summary>
    public static Tensor ScharrY() => Make(3, [-3, -10, -3, 0, 0, 0, 3, 10, 3]);

    /// <summary>The 4-neighbour Laplacian [[0,1,0],[1,−4,1],[0,1,0]] (the chapter's second edge detector).</summary>
    public static Tensor Laplacian() => Make(3, [0, 1, 0, 1, -4, 1, 0, 1, 0]);

    /// <summary>The 8-neighbour Laplacian [[−1,−1,−1],[−1,8,−1],[−1,−1,−1]] (the chapter's third edge detector).</summary>
    public static Tensor Laplacian8() => Make(3, [-1, -1, -1, -1, 8, -1, -1, -1, -1]);

    /// <summary>
    /// The chapter's vertical edge detector [[1,0,−1],[1,0,−1],[1,0,−1]]: on a 6×6 image whose left half
    /// is 10 and right half 0 it gives 30 in the two middle columns and 0 elsewhere.
    /// </summary>
    public static Tensor VerticalEdge() => Make(3, [1, 0, -1, 1, 0, -1, 1, 0, -1]);

    /// <summary>The horizontal edge detector [[1,1,1],[0,0,0],[−1,−1,−1]] (the vertical one transposed).</summary>
    public static Tensor HorizontalEdge() => Make(3, [1, 1, 1, 0, 0, 0, -1, -1, -1]);

    /// <summary>The chapter's first edge detector [[1,0,−1],[0,0,0],[−1,0,1]] (responds to diagonal structure).</summary>
    public static Tensor DiagonalEdge() => Make(3, [1, 0, -1, 0, 0, 0, -1, 0, 1]);

    /// <summary>
    /// The 1×2 kernel [−1, 1]: each pixel minus its left neighbour, the chapter's "efficient edge
    /// detection" (a 320×280 image gives 319×280 outputs for 2 multiplications and 1 addition each).
    /// Not square: use it as a (1, 1, 1, 2) weight of <c>Functional.Conv2d</c>, not with <see cref="ToFrozenConv2d"/>.
    /// </summary>
    public static Tensor NeighbourDifference() => Tensor.FromArray([-1f, 1f], 1, 2);

    /// <summary>The names <see cref="ByName"/> knows, in a stable order.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "identity", "box-blur", "gaussian-blur", "sharpen", "sobel-x", "sobel-y", "prewitt-x", "prewitt-y",
        "scharr-x", "scharr-y", "laplacian", "laplacian-8", "vertical-edge", "horizontal-edge", "diagonal-edge",
    ];

    /// <summary>The 3×3 (blurs: default size) kernel called <paramref name="name"/> (one of <see cref="Names"/>, case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static Tensor ByName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.ToLowerInvariant() switch
        {
            "identity" => Identity(),
            "box-blur" => BoxBlur(),
            "gaussian-blur" => GaussianBlur(),
            "sharpen" => Sharpen(),
            "sobel-x" => SobelX(),
            "sobel-y" => SobelY(),
            "prewitt-x" => PrewittX(),
            "prewitt-y" => PrewittY(),
            "scharr-x" => ScharrX(),
            "scharr-y" => ScharrY(),
            "laplacian" => Laplacian(),
            "laplacian-8" => Laplacian8(),
            "vertical-edge" => VerticalEdge(),
            "horizontal-edge" => HorizontalEdge(),
            "diagonal-edge" => DiagonalEdge(),
            _ => throw new ArgumentException($"Unknown kernel '{name}'. Known kernels: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>
    /// A convolution layer whose K filters are the given square kernels, frozen (its weight does not
    /// require a gradient, so training leaves it alone) and without bias. Each kernel is applied to the
    /// mean of the input channels: W[k, c] = kernels[k] / C, so an RGB image is filtered by its average intensity.
    /// </summary>
    /// <param name="kernels">K kernels, each (R, R) with the same R.</param>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="padding">Zero padding on every side (R/2 keeps the size for odd R).</param>
    /// <param name="stride">Step between output positions.</param>
    /// <returns>A <see cref="Conv2d"/> mapping (N, C, H, W) to (N, K, P, Q).</returns>
    /// <exception cref="ArgumentException">No kernels, or a kernel is not square or differs in size from the first (<c>kernels</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">inChannels or stride is not positive, or padding is negative.</exception>
    public static Conv2d ToFrozenConv2d(IReadOnlyList<Tensor> kernels, int inChannels = 1, int padding = 0, int stride = 1)
    {
        ArgumentNullException.ThrowIfNull(kernels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (kernels.Count == 0) throw new ArgumentException("At least one kernel is needed.", nameof(kernels));
        int size = kernels[0].Rank == 2 ? kernels[0].Dims[0] : 0;
        for (int k = 0; k < kernels.Count; k++)
        {
            var kernel = kernels[k] ?? throw new ArgumentException($"Kernel {k} is null.", nameof(kernels));
            if (kernel.Rank != 2 || kernel.Dims[0] != kernel.Dims[1] || kernel.Dims[0] != size)
                throw new ArgumentException($"Kernel {k} has shape {Tensor.ShapeText(kernel.Dims)}; every kernel must be square and of the first one's size ({size}×{size}).", nameof(kernels));
        }
        var conv = new Conv2d(inChannels, kernels.Count, size, stride, padding, bias: false, rng: new Rng(0));
        var w = conv.Weight.AsSpan();
        int taps = size * size;
        for (int k = 0; k < kernels.Count; k++)
        {
            var src = kernels[k].AsSpan();
            for (int c = 0; c < inChannels; c++)
                for (int t = 0; t < taps; t++) w[(k * inChannels + c) * taps + t] = src[t] / inChannels;
        }
        Freeze(conv);
        return conv;
    }

    /// <summary>Marks every parameter of <paramref name="module"/> (and its children) as not requiring a gradient.</summary>
    /// <param name="module">The module to freeze.</param>
    /// <returns>The same module.</returns>
    public static T Freeze<T>(T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var p in module.Parameters()) p.RequiresGrad = false;
        return module;
    }

    private static Tensor Make(int size, float[] values) => Tensor.FromArray(values, size, size);
}
