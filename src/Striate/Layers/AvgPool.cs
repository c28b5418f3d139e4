// Average- and sum-pooling layers for (N, C, L), (N, C, H, W) and (N, C, D, H, W) inputs: the mean
// (or sum) of each window. No parameters. Sum pooling is average pooling with divisor 1, as
// PyTorch spells it (divisor_override=1); the SumPool layers name it for the chapter's y = Σ x.
namespace Striate.Layers;

/// <summary>Options shared by the average-pooling layers: those of <see cref="PoolLayer"/> and the divisor rule.</summary>
public abstract class AvgPoolLayer : PoolLayer
{
    /// <summary>Checks and stores the options.</summary>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
    /// <param name="padding">Zero cells added on every side, at most half the window.</param>
    /// <param name="ceilMode">Round output sizes up.</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor.</param>
    /// <param name="divisorOverride">A fixed positive divisor, or null for the window count.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, the padding is negative or more than half the window, or divisorOverride is not positive.</exception>
    private protected AvgPoolLayer(int kernelSize, int? stride, int padding, bool ceilMode, bool countIncludePad, int? divisorOverride)
        : base(kernelSize, stride, padding, ceilMode)
    {
        if (divisorOverride is int d) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(d, nameof(divisorOverride));
        CountIncludePad = countIncludePad;
        DivisorOverride = divisorOverride;
    }

    /// <summary>Whether padding cells count in the divisor.</summary>
    public bool CountIncludePad { get; }

    /// <summary>The fixed divisor, or null for the window count.</summary>
    public int? DivisorOverride { get; }

    /// <summary>The summary text for <paramref name="dims"/> axes.</summary>
    private protected string Describe(int dims) =>
        Describe(dims, (CountIncludePad ? "" : ", exclude pad") + (DivisorOverride is int d ? $", divisor {d}" : ""));
}

/// <summary>1-D average pooling over (N, C, L) signals: y[n,c,l] = Σ_j x[n, c, l·stride − padding + j] / divisor.</summary>
/// <param name="kernelSize">Window length.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Zero cells added at each end, at most half the window.</param>
/// <param name="ceilMode">Round the output length up.</param>
/// <param name="countIncludePad">Whether padding cells count in the divisor (PyTorch's default).</param>
/// <param name="divisorOverride">A fixed positive divisor, or null for the window count.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, the padding is negative or more than half the window, or divisorOverride is not positive.</exception>
public sealed class AvgPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    : AvgPoolLayer(kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool1d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);
}

/// <summary>2-D average pooling over square windows of (N, C, H, W) feature maps.</summary>
/// <param name="kernelSize">Window side.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Zero cells added on every side, at most half the window.</param>
/// <param name="ceilMode">Round the output size up.</param>
/// <param name="countIncludePad">Whether padding cells count in the divisor (PyTorch's default).</param>
/// <param name="divisorOverride">A fixed positive divisor, or null for the window count.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, the padding is negative or more than half the window, or divisorOverride is not positive.</exception>
public sealed class AvgPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    : AvgPoolLayer(kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);
}

/// <summary>3-D average pooling over cubic windows of (N, C, D, H, W) volumes or clips.</summary>
/// <param name="kernelSize">Window side along every axis.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Zero cells added on every side, at most half the window.</param>
/// <param name="ceilMode">Round the output sizes up.</param>
/// <param name="countIncludePad">Whether padding cells count in the divisor (PyTorch's default).</param>
/// <param name="divisorOverride">A fixed positive divisor, or null for the window count.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, the padding is negative or more than half the window, or divisorOverride is not positive.</exception>
public sealed class AvgPool3d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null)
    : AvgPoolLayer(kernelSize, stride, padding, ceilMode, countIncludePad, divisorOverride)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.AvgPool3d(input, KernelSize, Stride, Padding, CeilMode, CountIncludePad, DivisorOverride);
}

/// <summary>1-D sum pooling, y[n,c,l] = Σ_j x[n, c, l·stride − padding + j] (average pooling with divisor 1).</summary>
/// <param name="kernelSize">Window length.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Zero cells added at each end, at most half the window.</param>
/// <param name="ceilMode">Round the output length up.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative or more than half the window.</exception>
public sealed class SumPool1d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false) : PoolLayer(kernelSize, stride, padding, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.SumPool1d(input, KernelSize, Stride, Padding, CeilMode);
}

/// <summary>2-D sum pooling over square windows, y = Σ x_uv (the chapter's sum pooling; average pooling with divisor 1).</summary>
/// <param name="kernelSize">Window side.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Zero cells added on every side, at most half the window.</param>
/// <param name="ceilMode">Round the output size up.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative or more than half the window.</exception>
public sealed class SumPool2d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false) : PoolLayer(kernelSize, stride, padding, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.SumPool2d(input, KernelSize, Stride, Padding, CeilMode);
}

/// <summary>3-D sum pooling over cubic windows (average pooling with divisor 1).</summary>
/// <param name="kernelSize">Window side along every axis.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">Zero cells added on every side, at most half the window.</param>
/// <param name="ceilMode">Round the output sizes up.</param>
/// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative or more than half the window.</exception>
public sealed class SumPool3d(int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false) : PoolLayer(kernelSize, stride, padding, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.SumPool3d(input, KernelSize, Stride, Padding, CeilMode);
}
