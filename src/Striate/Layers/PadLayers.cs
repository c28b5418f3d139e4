// Padding layers, PyTorch's nn.ConstantPad/ZeroPad/ReflectionPad/ReplicationPad/CircularPad 1d, 2d
// and 3d: y = pad(x) on the last 1, 2 or 3 dimensions (see Functional.Pad for the border rules).
//   padding = (left, right[, top, bottom[, front, back]]), last dimension first, as in PyTorch; one
//   int pads every side. The input is (C, *spatial) or (N, C, *spatial), as PyTorch's layers accept.
using System.Globalization;
using Striate.Autograd.Ops;

namespace Striate.Layers;

/// <summary>
/// The base of the padding layers: pads the last <see cref="SpatialRank"/> dimensions of a (C, *spatial) or
/// (N, C, *spatial) input by <see cref="Padding"/> (PyTorch's order, last dimension first) with <see cref="Mode"/>.
/// Along each axis output j reads input j − before; the border holds <see cref="Value"/> or the mode's copy of the input.
/// </summary>
public abstract class PadNd : Module
{
    private readonly int[] _padding;

    /// <summary>Checks and stores the pads.</summary>
    /// <exception cref="ArgumentException">padding does not hold one value or two per padded dimension.</exception>
    private protected PadNd(int spatialRank, int[] padding, PadMode mode, float value)
    {
        ArgumentNullException.ThrowIfNull(padding);
        if (padding.Length == 1) padding = [.. Enumerable.Repeat(padding[0], 2 * spatialRank)];
        if (padding.Length != 2 * spatialRank)
            throw new ArgumentException($"{GetType().Name} needs one pad or {2 * spatialRank} (left, right{(spatialRank > 1 ? ", top, bottom" : "")}{(spatialRank > 2 ? ", front, back" : "")}), got {padding.Length}.", nameof(padding));
        SpatialRank = spatialRank;
        _padding = padding;
        Mode = mode;
        Value = value;
    }

    /// <summary>Number of padded (trailing) dimensions.</summary>
    public int SpatialRank { get; }

    /// <summary>Pads in PyTorch's order: (left, right[, top, bottom[, front, back]]).</summary>
    public IReadOnlyList<int> Padding => _padding;

    /// <summary>How the border is filled.</summary>
    public PadMode Mode { get; }

    /// <summary>The fill value of constant padding (0 for the other modes).</summary>
    public float Value { get; }

    /// <inheritdoc/>
    public override string Description =>
        "(" + string.Join(", ", _padding) + ")" + (Mode == PadMode.Constant && Value != 0f ? string.Create(CultureInfo.InvariantCulture, $", value {Value:G6}") : "");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not (C, *spatial) or (N, C, *spatial), or the pads do not fit it (names the layer).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != SpatialRank + 1 && input.Rank != SpatialRank + 2)
            throw new ArgumentException($"{TypeName} expects input of rank {SpatialRank + 1} or {SpatialRank + 2} ((C, ...) or (N, C, ...)), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        return PadNode.Forward(input, _padding, Mode, Value);
    }
}

/// <summary>Pads with a constant value: 0 0 | 1 2 3 | 0 0 (PyTorch's nn.ConstantPad1d). Input (N, C, L) or without N; pads (left, right).</summary>
public sealed class ConstantPad1d : PadNd
{
    /// <summary>Pads every side of the last 1 dimension by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    /// <param name="value">Fill value of the border.</param>
    public ConstantPad1d(int padding, float value)
        : base(1, [padding], PadMode.Constant, value)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="value">Fill value of the border.</param>
    public ConstantPad1d(int left, int right, float value)
        : base(1, [left, right], PadMode.Constant, value)
    {
    }
}

/// <summary>Pads with a constant value: 0 0 | 1 2 3 | 0 0 (PyTorch's nn.ConstantPad2d). Input (N, C, H, W) or without N; pads (left, right, top, bottom).</summary>
public sealed class ConstantPad2d : PadNd
{
    /// <summary>Pads every side of the last 2 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    /// <param name="value">Fill value of the border.</param>
    public ConstantPad2d(int padding, float value)
        : base(2, [padding], PadMode.Constant, value)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    /// <param name="value">Fill value of the border.</param>
    public ConstantPad2d(int left, int right, int top, int bottom, float value)
        : base(2, [left, right, top, bottom], PadMode.Constant, value)
    {
    }
}

/// <summary>Pads with a constant value: 0 0 | 1 2 3 | 0 0 (PyTorch's nn.ConstantPad3d). Input (N, C, D, H, W) or without N; pads (left, right, top, bottom, front, back).</summary>
public sealed class ConstantPad3d : PadNd
{
    /// <summary>Pads every side of the last 3 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    /// <param name="value">Fill value of the border.</param>
    public ConstantPad3d(int padding, float value)
        : base(3, [padding], PadMode.Constant, value)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom, front, back).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    /// <param name="front">Elements added on the front (negative: removed).</param>
    /// <param name="back">Elements added on the back (negative: removed).</param>
    /// <param name="value">Fill value of the border.</param>
    public ConstantPad3d(int left, int right, int top, int bottom, int front, int back, float value)
        : base(3, [left, right, top, bottom, front, back], PadMode.Constant, value)
    {
    }
}

/// <summary>Pads with zeros: 0 0 | 1 2 3 | 0 0 (PyTorch's nn.ZeroPad1d). Input (N, C, L) or without N; pads (left, right).</summary>
public sealed class ZeroPad1d : PadNd
{
    /// <summary>Pads every side of the last 1 dimension by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ZeroPad1d(int padding)
        : base(1, [padding], PadMode.Constant, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    public ZeroPad1d(int left, int right)
        : base(1, [left, right], PadMode.Constant, 0f)
    {
    }
}

/// <summary>Pads with zeros: 0 0 | 1 2 3 | 0 0 (PyTorch's nn.ZeroPad2d). Input (N, C, H, W) or without N; pads (left, right, top, bottom).</summary>
public sealed class ZeroPad2d : PadNd
{
    /// <summary>Pads every side of the last 2 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ZeroPad2d(int padding)
        : base(2, [padding], PadMode.Constant, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    public ZeroPad2d(int left, int right, int top, int bottom)
        : base(2, [left, right, top, bottom], PadMode.Constant, 0f)
    {
    }
}

/// <summary>Pads with zeros: 0 0 | 1 2 3 | 0 0 (PyTorch's nn.ZeroPad3d). Input (N, C, D, H, W) or without N; pads (left, right, top, bottom, front, back).</summary>
public sealed class ZeroPad3d : PadNd
{
    /// <summary>Pads every side of the last 3 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ZeroPad3d(int padding)
        : base(3, [padding], PadMode.Constant, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom, front, back).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    /// <param name="front">Elements added on the front (negative: removed).</param>
    /// <param name="back">Elements added on the back (negative: removed).</param>
    public ZeroPad3d(int left, int right, int top, int bottom, int front, int back)
        : base(3, [left, right, top, bottom, front, back], PadMode.Constant, 0f)
    {
    }
}

/// <summary>Pads with the input mirrored at its edge, the edge not repeated: 3 2 | 1 2 3 | 2 1 (PyTorch's nn.ReflectionPad1d). Each pad must be smaller than its dimension. Input (N, C, L) or without N; pads (left, right).</summary>
public sealed class ReflectionPad1d : PadNd
{
    /// <summary>Pads every side of the last 1 dimension by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ReflectionPad1d(int padding)
        : base(1, [padding], PadMode.Reflect, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    public ReflectionPad1d(int left, int right)
        : base(1, [left, right], PadMode.Reflect, 0f)
    {
    }
}

/// <summary>Pads with the input mirrored at its edge, the edge not repeated: 3 2 | 1 2 3 | 2 1 (PyTorch's nn.ReflectionPad2d). Each pad must be smaller than its dimension. Input (N, C, H, W) or without N; pads (left, right, top, bottom).</summary>
public sealed class ReflectionPad2d : PadNd
{
    /// <summary>Pads every side of the last 2 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ReflectionPad2d(int padding)
        : base(2, [padding], PadMode.Reflect, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    public ReflectionPad2d(int left, int right, int top, int bottom)
        : base(2, [left, right, top, bottom], PadMode.Reflect, 0f)
    {
    }
}

/// <summary>Pads with the input mirrored at its edge, the edge not repeated: 3 2 | 1 2 3 | 2 1 (PyTorch's nn.ReflectionPad3d). Each pad must be smaller than its dimension. Input (N, C, D, H, W) or without N; pads (left, right, top, bottom, front, back).</summary>
public sealed class ReflectionPad3d : PadNd
{
    /// <summary>Pads every side of the last 3 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ReflectionPad3d(int padding)
        : base(3, [padding], PadMode.Reflect, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom, front, back).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    /// <param name="front">Elements added on the front (negative: removed).</param>
    /// <param name="back">Elements added on the back (negative: removed).</param>
    public ReflectionPad3d(int left, int right, int top, int bottom, int front, int back)
        : base(3, [left, right, top, bottom, front, back], PadMode.Reflect, 0f)
    {
    }
}

/// <summary>Pads with the edge value repeated: 1 1 | 1 2 3 | 3 3 (PyTorch's nn.ReplicationPad1d). Input (N, C, L) or without N; pads (left, right).</summary>
public sealed class ReplicationPad1d : PadNd
{
    /// <summary>Pads every side of the last 1 dimension by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ReplicationPad1d(int padding)
        : base(1, [padding], PadMode.Replicate, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    public ReplicationPad1d(int left, int right)
        : base(1, [left, right], PadMode.Replicate, 0f)
    {
    }
}

/// <summary>Pads with the edge value repeated: 1 1 | 1 2 3 | 3 3 (PyTorch's nn.ReplicationPad2d). Input (N, C, H, W) or without N; pads (left, right, top, bottom).</summary>
public sealed class ReplicationPad2d : PadNd
{
    /// <summary>Pads every side of the last 2 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ReplicationPad2d(int padding)
        : base(2, [padding], PadMode.Replicate, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    public ReplicationPad2d(int left, int right, int top, int bottom)
        : base(2, [left, right, top, bottom], PadMode.Replicate, 0f)
    {
    }
}

/// <summary>Pads with the edge value repeated: 1 1 | 1 2 3 | 3 3 (PyTorch's nn.ReplicationPad3d). Input (N, C, D, H, W) or without N; pads (left, right, top, bottom, front, back).</summary>
public sealed class ReplicationPad3d : PadNd
{
    /// <summary>Pads every side of the last 3 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public ReplicationPad3d(int padding)
        : base(3, [padding], PadMode.Replicate, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom, front, back).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    /// <param name="front">Elements added on the front (negative: removed).</param>
    /// <param name="back">Elements added on the back (negative: removed).</param>
    public ReplicationPad3d(int left, int right, int top, int bottom, int front, int back)
        : base(3, [left, right, top, bottom, front, back], PadMode.Replicate, 0f)
    {
    }
}

/// <summary>Pads with the input wrapped around from the other end: 2 3 | 1 2 3 | 1 2 (PyTorch's nn.CircularPad1d). Each pad must be at most its dimension. Input (N, C, L) or without N; pads (left, right).</summary>
public sealed class CircularPad1d : PadNd
{
    /// <summary>Pads every side of the last 1 dimension by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public CircularPad1d(int padding)
        : base(1, [padding], PadMode.Circular, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    public CircularPad1d(int left, int right)
        : base(1, [left, right], PadMode.Circular, 0f)
    {
    }
}

/// <summary>Pads with the input wrapped around from the other end: 2 3 | 1 2 3 | 1 2 (PyTorch's nn.CircularPad2d). Each pad must be at most its dimension. Input (N, C, H, W) or without N; pads (left, right, top, bottom).</summary>
public sealed class CircularPad2d : PadNd
{
    /// <summary>Pads every side of the last 2 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public CircularPad2d(int padding)
        : base(2, [padding], PadMode.Circular, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    public CircularPad2d(int left, int right, int top, int bottom)
        : base(2, [left, right, top, bottom], PadMode.Circular, 0f)
    {
    }
}

/// <summary>Pads with the input wrapped around from the other end: 2 3 | 1 2 3 | 1 2 (PyTorch's nn.CircularPad3d). Each pad must be at most its dimension. Input (N, C, D, H, W) or without N; pads (left, right, top, bottom, front, back).</summary>
public sealed class CircularPad3d : PadNd
{
    /// <summary>Pads every side of the last 3 dimensions by <paramref name="padding"/>.</summary>
    /// <param name="padding">Elements added on every side; negative crops.</param>
    public CircularPad3d(int padding)
        : base(3, [padding], PadMode.Circular, 0f)
    {
    }

    /// <summary>Pads each side separately, in PyTorch's order (left, right, top, bottom, front, back).</summary>
    /// <param name="left">Elements added on the left (negative: removed).</param>
    /// <param name="right">Elements added on the right (negative: removed).</param>
    /// <param name="top">Elements added on the top (negative: removed).</param>
    /// <param name="bottom">Elements added on the bottom (negative: removed).</param>
    /// <param name="front">Elements added on the front (negative: removed).</param>
    /// <param name="back">Elements added on the back (negative: removed).</param>
    public CircularPad3d(int left, int right, int top, int bottom, int front, int back)
        : base(3, [left, right, top, bottom, front, back], PadMode.Circular, 0f)
    {
    }
}
