// Power-average pooling layers (PyTorch's LPPool1d/2d/3d): y = (Σ_window x^p)^(1/p), p = 2 being
// L2 pooling. No parameters, no padding (as in PyTorch).
using System.Globalization;

namespace Striate.Layers;

/// <summary>Options shared by the Lp-pooling layers: p, a square (cubic) window, stride and ceil mode.</summary>
public abstract class LpPoolLayer : Module
{
    /// <summary>Checks and stores the options; the stride defaults to the window side.</summary>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
    /// <param name="ceilMode">Round output sizes up.</param>
    /// <exception cref="ArgumentOutOfRangeException">p is not positive and finite, or the window or the stride is not positive.</exception>
    private protected LpPoolLayer(float normType, int kernelSize, int? stride, bool ceilMode)
    {
        if (!(normType > 0f) || !float.IsFinite(normType))
            throw new ArgumentOutOfRangeException(nameof(normType), normType, "p must be positive and finite.");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        if (stride is int s) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(s, nameof(stride));
        NormType = normType;
        KernelSize = kernelSize;
        Stride = stride ?? kernelSize;
        CeilMode = ceilMode;
    }

    /// <summary>p.</summary>
    public float NormType { get; }

    /// <summary>Window side.</summary>
    public int KernelSize { get; }

    /// <summary>Step between windows.</summary>
    public int Stride { get; }

    /// <summary>Whether output sizes are rounded up.</summary>
    public bool CeilMode { get; }

    /// <summary>"p=2, 3×3, stride 2" for <paramref name="dims"/> axes, and ", ceil" in ceil mode.</summary>
    private protected string Describe(int dims) =>
        string.Create(CultureInfo.InvariantCulture, $"p={NormType}, ") + string.Join("×", Enumerable.Repeat(KernelSize.ToString(CultureInfo.InvariantCulture), dims))
        + $", stride {Stride}" + (CeilMode ? ", ceil" : "");
}

/// <summary>1-D power-average pooling over (N, C, L) signals: y[n,c,l] = (Σ_j x[n, c, l·stride + j]^p)^(1/p).</summary>
/// <param name="normType">p, positive and finite (2: L2 pooling).</param>
/// <param name="kernelSize">Window length.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="ceilMode">Round the output length up.</param>
/// <exception cref="ArgumentOutOfRangeException">p is not positive and finite, or the window or the stride is not positive.</exception>
public sealed class LpPool1d(float normType, int kernelSize, int? stride = null, bool ceilMode = false) : LpPoolLayer(normType, kernelSize, stride, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(1);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LpPool1d(input, NormType, KernelSize, Stride, CeilMode);
}

/// <summary>2-D power-average pooling over square windows of (N, C, H, W) feature maps: y = (Σ_window x^p)^(1/p).</summary>
/// <param name="normType">p, positive and finite (2: L2 pooling √(Σ x²)).</param>
/// <param name="kernelSize">Window side.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="ceilMode">Round the output size up.</param>
/// <exception cref="ArgumentOutOfRangeException">p is not positive and finite, or the window or the stride is not positive.</exception>
public sealed class LpPool2d(float normType, int kernelSize, int? stride = null, bool ceilMode = false) : LpPoolLayer(normType, kernelSize, stride, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(2);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LpPool2d(input, NormType, KernelSize, Stride, CeilMode);
}

/// <summary>3-D power-average pooling over cubic windows of (N, C, D, H, W) volumes: y = (Σ_window x^p)^(1/p).</summary>
/// <param name="normType">p, positive and finite.</param>
/// <param name="kernelSize">Window side along every axis.</param>
/// <param name="stride">Step between windows; <paramref name="kernelSize"/> when null.</param>
/// <param name="ceilMode">Round the output sizes up.</param>
/// <exception cref="ArgumentOutOfRangeException">p is not positive and finite, or the window or the stride is not positive.</exception>
public sealed class LpPool3d(float normType, int kernelSize, int? stride = null, bool ceilMode = false) : LpPoolLayer(normType, kernelSize, stride, ceilMode)
{
    /// <inheritdoc/>
    public override string Description => Describe(3);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LpPool3d(input, NormType, KernelSize, Stride, CeilMode);
}
