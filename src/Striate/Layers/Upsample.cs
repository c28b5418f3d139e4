// Upsampling layer: Functional.Upsample with fixed size or scale factor and mode (PyTorch's nn.Upsample).
using System.Globalization;

namespace Striate.Layers;

/// <summary>
/// Resizes the spatial dimensions of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input by nearest or (bi/tri)linear
/// interpolation, as PyTorch's nn.Upsample; formulas at <see cref="Functional.Upsample"/>. Give exactly one of
/// <c>size</c> and <c>scaleFactor</c>.
/// </summary>
public sealed class Upsample : Module
{
    private readonly int[]? _size;
    private readonly double[]? _scaleFactor;

    /// <summary>Creates an upsampling layer.</summary>
    /// <param name="size">Output spatial size: one value for every axis, or one per axis; null when <paramref name="scaleFactor"/> is given.</param>
    /// <param name="scaleFactor">Multiplier of each spatial size: one value for every axis, or one per axis; null when <paramref name="size"/> is given.</param>
    /// <param name="mode">Nearest, or Linear / Bilinear / Trilinear for 3-D / 4-D / 5-D input.</param>
    /// <param name="alignCorners">Linear modes only: the corner samples of input and output coincide.</param>
    /// <exception cref="ArgumentException">
    /// Neither or both of size and scaleFactor are given, or one is empty (size); a size is not positive (size); a factor is
    /// not positive and finite (scaleFactor); alignCorners is set with Nearest (alignCorners); the mode is undefined (mode).
    /// </exception>
    public Upsample(int[]? size = null, double[]? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false)
    {
        if ((size is null) == (scaleFactor is null))
            throw new ArgumentException("Upsample needs exactly one of size and scaleFactor.", nameof(size));
        if (size is not null && (size.Length == 0 || size.Any(s => s < 1)))
            throw new ArgumentException($"Upsample size must hold positive values, got ({string.Join(", ", size)}).", nameof(size));
        if (scaleFactor is not null && (scaleFactor.Length == 0 || scaleFactor.Any(f => !(f > 0 && double.IsFinite(f)))))
            throw new ArgumentException($"Upsample scaleFactor must hold positive finite values, got ({string.Join(", ", scaleFactor.Select(f => f.ToString(CultureInfo.InvariantCulture)))}).", nameof(scaleFactor));
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"Upsample mode {mode} is not defined.", nameof(mode));
        if (alignCorners && mode == UpsampleMode.Nearest)
            throw new ArgumentException("Upsample alignCorners can only be set with the interpolating modes (Linear, Bilinear, Trilinear), as in PyTorch.", nameof(alignCorners));
        _size = size is null ? null : (int[])size.Clone();
        _scaleFactor = scaleFactor is null ? null : (double[])scaleFactor.Clone();
        Mode = mode;
        AlignCorners = alignCorners;
    }

    /// <summary>The output spatial size, or null when a scale factor is used.</summary>
    public IReadOnlyList<int>? Size => _size;

    /// <summary>The scale factors, or null when a size is used.</summary>
    public IReadOnlyList<double>? ScaleFactor => _scaleFactor;

    /// <summary>The interpolation mode.</summary>
    public UpsampleMode Mode { get; }

    /// <summary>Whether corner samples are aligned (linear modes).</summary>
    public bool AlignCorners { get; }

    /// <inheritdoc/>
    public override string Description =>
        (_size is not null ? "→ " + string.Join("×", _size) : "×" + string.Join("×", _scaleFactor!.Select(f => f.ToString(CultureInfo.InvariantCulture)))) +
        ", " + Mode.ToString().ToLowerInvariant() + (AlignCorners ? ", align corners" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Upsample(input, _size, _scaleFactor, Mode, AlignCorners);
}
