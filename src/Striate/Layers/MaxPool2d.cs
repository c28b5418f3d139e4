// 2-D max pooling layer: y[n,c,p,q] = max over a kernelSize×kernelSize window of x. No parameters.
namespace Striate.Layers;

/// <summary>Max pooling over square windows; the stride defaults to the window side, as in PyTorch.</summary>
public sealed class MaxPool2d : Module
{
    /// <summary>Creates a max-pooling layer.</summary>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
    /// <param name="padding">−∞ cells added on every side, at most half the window.</param>
    /// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative or more than half the window.</exception>
    public MaxPool2d(int kernelSize, int? stride = null, int padding = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (stride is int s) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(padding, kernelSize / 2);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
    }

    /// <summary>Window side.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Padding { get; }

    /// <inheritdoc/>
    public override string Description => $"{KernelSize}×{KernelSize}, stride {Stride}, pad {Padding}";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, KernelSize, Stride, Padding);
}
