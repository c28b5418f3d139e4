// Adaptive and global pooling layers: a fixed output grid whatever the input size (window o of an
// axis of n cells covers [⌊o·n/O⌋, ⌈(o+1)·n/O⌉)), so variable-size inputs reach a fixed-size
// classifier. No parameters. Square (cubic) grids; rectangular ones through Functional.
using System.Globalization;

namespace Striate.Layers;

/// <summary>Base of the adaptive pooling layers: the output grid side.</summary>
public abstract class AdaptivePoolLayer : Module
{
    /// <summary>Checks and stores the output grid side.</summary>
    /// <param name="outputSize">Side of the output grid.</param>
    /// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
    private protected AdaptivePoolLayer(int outputSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputSize);
        OutputSize = outputSize;
    }

    /// <summary>Side of the output grid.</summary>
    public int OutputSize { get; }

    /// <summary>"output 6×6" for <paramref name="dims"/> axes.</summary>
    private protected string Describe(int dims) => "output " + string.Join("×", Enumerable.Repeat(OutputSize.ToString(CultureInfo.InvariantCulture), dims));
}

/// <summary>Adaptive average pooling of (N, C, L) signals to (N, C, outputSize).</summary>
/// <param name="outputSize">Output length.</param>
/// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
public sealed class AdaptiveAvgPool1d(int outputSize) : AdaptivePoolLayer(outputSize)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool1d(input, OutputSize);
}

/// <summary>Adaptive average pooling of (N, C, H, W) feature maps to (N, C, outputSize, outputSize), e.g. AlexNet's 6×6 before its classifier.</summary>
/// <param name="outputSize">Side of the output grid (1: global average pooling keeping 1×1 axes).</param>
/// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
public sealed class AdaptiveAvgPool2d(int outputSize) : AdaptivePoolLayer(outputSize)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputSize);
}

/// <summary>Adaptive average pooling of (N, C, D, H, W) volumes to an outputSize³ grid.</summary>
/// <param name="outputSize">Side of the output grid.</param>
/// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
public sealed class AdaptiveAvgPool3d(int outputSize) : AdaptivePoolLayer(outputSize)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool3d(input, OutputSize);
}

/// <summary>Adaptive max pooling of (N, C, L) signals to (N, C, outputSize).</summary>
/// <param name="outputSize">Output length.</param>
/// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
public sealed class AdaptiveMaxPool1d(int outputSize) : AdaptivePoolLayer(outputSize)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveMaxPool1d(input, OutputSize);
}

/// <summary>Adaptive max pooling of (N, C, H, W) feature maps to (N, C, outputSize, outputSize).</summary>
/// <param name="outputSize">Side of the output grid.</param>
/// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
public sealed class AdaptiveMaxPool2d(int outputSize) : AdaptivePoolLayer(outputSize)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveMaxPool2d(input, OutputSize);
}

/// <summary>Adaptive max pooling of (N, C, D, H, W) volumes to an outputSize³ grid.</summary>
/// <param name="outputSize">Side of the output grid.</param>
/// <exception cref="ArgumentOutOfRangeException">outputSize is not positive.</exception>
public sealed class AdaptiveMaxPool3d(int outputSize) : AdaptivePoolLayer(outputSize)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AdaptiveMaxPool3d(input, OutputSize);
}

/// <summary>Global average pooling: (N, C, spatial…) → (N, C), the mean of each feature map (1-D, 2-D or 3-D inputs).</summary>
public sealed class GlobalAvgPool : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.GlobalAvgPool(input);
}

/// <summary>Global max pooling: (N, C, spatial…) → (N, C), the maximum of each feature map (1-D, 2-D or 3-D inputs).</summary>
public sealed class GlobalMaxPool : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.GlobalMaxPool(input);
}
