// Max-pooling layers: y = max over each window of x, for (N, C, L), (N, C, H, W) and (N, C, D, H, W)
// inputs. No parameters. Square (cubic) windows; rectangular ones through Functional.MaxPool2d/3d.
namespace Striate.Layers;

/// <summary>Options shared by the sliding max-pooling layers: those of <see cref="PoolLayer"/> and a dilation.</summary>
public abstract class MaxPoolLayer : PoolLayer
{
    /// <summary>Checks and stores the options; the stride defaults to the window side, as in PyTorch.</summary>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
    /// <param name="padding">−∞ cells added on every side, at most half the window.</param>
    /// <param name="dilation">Step between the cells of a window.</param>
    /// <param name="ceilMode">Round output sizes up (PyTorch's ceil_mode).</param>
    /// <exception cref="ArgumentOutOfRangeException">The window, the stride or the dilation is not positive, or the padding is negative or more than half the window.</exception>
    private protected MaxPoolLayer(int kernelSize, int? stride, int padding, int dilation, bool ceilMode)
        : base(kernelSize, stride, padding, ceilMode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dilation);
        Dilation = dilation;
    }

    /// <summary>Step between the cells of a window (1: contiguous windows).</summary>
    public int Dilation { get; }

    /// <summary>The summary text for <paramref name="dims"/> axes.</summary>
    private protected string Describe(int dims) => Describe(dims, Dilation != 1 ? $", dilation {Dilation}" : "");
}

/// <summary>1-D max pooling over (N, C, L) signals: y[n,c,l] = max_j x[n, c, l·stride − padding + j·dilation].</summary>
/// <param name="kernelSize">Window length.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">−∞ cells added at each end, at most half the window.</param>
/// <param name="dilation">Step between the cells of a window.</param>
/// <param name="ceilMode">Round the output length up.</param>
/// <exception cref="ArgumentOutOfRangeException">The window, the stride or the dilation is not positive, or the padding is negative or more than half the window.</exception>
public sealed class MaxPool1d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    : MaxPoolLayer(kernelSize, stride, padding, dilation, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool1d(input, KernelSize, Stride, Padding, Dilation, CeilMode);
}

/// <summary>Max pooling over square windows of (N, C, H, W) feature maps; the stride defaults to the window side, as in PyTorch.</summary>
/// <param name="kernelSize">Window side.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">−∞ cells added on every side, at most half the window.</param>
/// <param name="dilation">Step between the cells of a window.</param>
/// <param name="ceilMode">Round the output size up.</param>
/// <exception cref="ArgumentOutOfRangeException">The window, the stride or the dilation is not positive, or the padding is negative or more than half the window.</exception>
public sealed class MaxPool2d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    : MaxPoolLayer(kernelSize, stride, padding, dilation, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding, Dilation, CeilMode);
}

/// <summary>Max pooling over cubic windows of (N, C, D, H, W) volumes or clips.</summary>
/// <param name="kernelSize">Window side along every axis.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="padding">−∞ cells added on every side, at most half the window.</param>
/// <param name="dilation">Step between the cells of a window.</param>
/// <param name="ceilMode">Round the output sizes up.</param>
/// <exception cref="ArgumentOutOfRangeException">The window, the stride or the dilation is not positive, or the padding is negative or more than half the window.</exception>
public sealed class MaxPool3d(int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    : MaxPoolLayer(kernelSize, stride, padding, dilation, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool3d(input, KernelSize, Stride, Padding, Dilation, CeilMode);
}
