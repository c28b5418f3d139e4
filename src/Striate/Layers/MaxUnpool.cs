// Max-unpooling layers (PyTorch's MaxUnpool1d/2d/3d): put pooled values back at their argmax
// positions, zeros elsewhere. They need the indices of the matching max pooling, so they are
// called with Forward(input, indices), not the one-argument Forward of Module.
using System.Globalization;

namespace Striate.Layers;

/// <summary>Base of the max-unpooling layers: the window, stride and padding of the pooling being inverted.</summary>
public abstract class MaxUnpoolLayer : Module
{
    /// <summary>Checks and stores the options; the stride defaults to the window side.</summary>
    /// <param name="kernelSize">Window side of the pooling being inverted.</param>
    /// <param name="stride">Its stride; <paramref name="kernelSize"/> when null.</param>
    /// <param name="padding">Its padding.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative.</exception>
    private protected MaxUnpoolLayer(int kernelSize, int? stride, int padding)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (stride is int s) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    /// <summary>Window side.</summary>
    public int KernelSize { get; }

    /// <summary>Stride.</summary>
    public int Stride { get; }

    /// <summary>Padding.</summary>
    public int Padding { get; }

    /// <summary>Unpooling needs indices: use the layer's <c>Forward(input, indices, outputSize)</c>.</summary>
    /// <param name="input">The pooled values.</param>
    /// <exception cref="InvalidOperationException">Always: the indices of the matching max pooling are required.</exception>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{TypeName} needs the argmax indices of the matching max pooling: call Forward(input, indices) with the indices from Functional.MaxPool*WithIndices.");

    /// <summary>"2×2, stride 2, pad 0" for <paramref name="dims"/> axes.</summary>
    private protected string Describe(int dims) =>
        string.Join("×", Enumerable.Repeat(KernelSize.ToString(CultureInfo.InvariantCulture), dims)) + $", stride {Stride}, pad {Padding}";
}

/// <summary>1-D max unpooling of (N, C, L) pooled signals.</summary>
/// <param name="kernelSize">Window length of the pooling being inverted.</param>
/// <param name="stride">Its stride; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Its padding.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative.</exception>
public sealed class MaxUnpool1d(int kernelSize, int? stride = null, int padding = 0) : MaxUnpoolLayer(kernelSize, stride, padding)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <summary>Unpools <paramref name="input"/> (see <see cref="Functional.MaxUnpool1d"/>).</summary>
    /// <param name="input">(N, C, L) pooled values.</param>
    /// <param name="indices">Their positions, from <see cref="Functional.MaxPool1dWithIndices"/>.</param>
    /// <param name="outputSize">The unpooled length; the default when null.</param>
    /// <returns>(N, C, L_out).</returns>
    /// <exception cref="ArgumentException">As <see cref="Functional.MaxUnpool1d"/>.</exception>
    public Tensor Forward(Tensor input, long[] indices, int? outputSize = null) => Functional.MaxUnpool1d(input, indices, KernelSize, Stride, Padding, outputSize);
}

/// <summary>2-D max unpooling of (N, C, P, Q) pooled maps (SegNet-style decoders, deconvnet visualisations).</summary>
/// <param name="kernelSize">Window side of the pooling being inverted.</param>
/// <param name="stride">Its stride; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Its padding.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative.</exception>
public sealed class MaxUnpool2d(int kernelSize, int? stride = null, int padding = 0) : MaxUnpoolLayer(kernelSize, stride, padding)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <summary>Unpools <paramref name="input"/> (see <see cref="Functional.MaxUnpool2d"/>).</summary>
    /// <param name="input">(N, C, P, Q) pooled values.</param>
    /// <param name="indices">Their positions, from <see cref="Functional.MaxPool2dWithIndices"/>.</param>
    /// <param name="outputSize">The unpooled (H, W); the default when null.</param>
    /// <returns>(N, C, H, W).</returns>
    /// <exception cref="ArgumentException">As <see cref="Functional.MaxUnpool2d"/>.</exception>
    public Tensor Forward(Tensor input, long[] indices, (int Height, int Width)? outputSize = null) => Functional.MaxUnpool2d(input, indices, KernelSize, Stride, Padding, outputSize);
}

/// <summary>3-D max unpooling of (N, C, D', H', W') pooled volumes.</summary>
/// <param name="kernelSize">Window side of the pooling being inverted.</param>
/// <param name="stride">Its stride; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Its padding.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative.</exception>
public sealed class MaxUnpool3d(int kernelSize, int? stride = null, int padding = 0) : MaxUnpoolLayer(kernelSize, stride, padding)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <summary>Unpools <paramref name="input"/> (see <see cref="Functional.MaxUnpool3d"/>).</summary>
    /// <param name="input">(N, C, D', H', W') pooled values.</param>
    /// <param name="indices">Their positions, from <see cref="Functional.MaxPool3dWithIndices"/>.</param>
    /// <param name="outputSize">The unpooled (D, H, W); the default when null.</param>
    /// <returns>(N, C, D, H, W).</returns>
    /// <exception cref="ArgumentException">As <see cref="Functional.MaxUnpool3d"/>.</exception>
    public Tensor Forward(Tensor input, long[] indices, (int Depth, int Height, int Width)? outputSize = null) => Functional.MaxUnpool3d(input, indices, KernelSize, Stride, Padding, outputSize);
}
