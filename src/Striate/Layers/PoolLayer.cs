// The options every sliding-window pooling layer shares (window, stride, padding, ceil mode),
// validated once, and the summary text built from them.
using System.Globalization;

namespace Striate.Layers;

/// <summary>Base of the sliding-window pooling layers: square (cubic) windows with PyTorch's defaults.</summary>
public abstract class PoolLayer : Module
{
    /// <summary>Checks and stores the options; the stride defaults to the window side, as in PyTorch.</summary>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
    /// <param name="padding">Cells added on every side, at most half the window.</param>
    /// <param name="ceilMode">Round output sizes up (PyTorch's ceil_mode).</param>
    /// <exception cref="ArgumentOutOfRangeException">The window or the stride is not positive, or the padding is negative or more than half the window.</exception>
    private protected PoolLayer(int kernelSize, int? stride, int padding, bool ceilMode)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (stride is int s) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(stride));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(padding, kernelSize / 2);
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        Padding = padding;
        CeilMode = ceilMode;
    }

    /// <summary>Window side.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Padding on every side.</summary>
    public int Padding { get; }

    /// <summary>Whether output sizes are rounded up.</summary>
    public bool CeilMode { get; }

    /// <summary>"3×3, stride 2, pad 1" for <paramref name="dims"/> axes, then <paramref name="extra"/> and ", ceil" in ceil mode.</summary>
    private protected string Describe(int dims, string extra = "") =>
        string.Join("×", Enumerable.Repeat(KernelSize.ToString(CultureInfo.InvariantCulture), dims)) + $", stride {Stride}, pad {Padding}"
        + extra + (CeilMode ? ", ceil" : "");
}
