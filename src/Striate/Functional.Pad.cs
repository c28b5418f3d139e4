// Functional padding: torch.nn.functional.pad in .NET naming.
//   pads = (left, right[, top, bottom[, front, back]]), the last dimension first; negative pads crop.
//   Constant: the border holds value.  Reflect: mirrored without the edge.  Replicate: the edge repeated.
//   Circular: wrapped around from the other end.
using Striate.Autograd.Ops;

namespace Striate;

/// <summary>How <see cref="Functional.Pad"/> fills the border (PyTorch's <c>mode</c> of <c>F.pad</c>).</summary>
public enum PadMode
{
    /// <summary>A constant value (0 unless given): 0 0 | 1 2 3 | 0 0.</summary>
    Constant,

    /// <summary>Mirrored at the edge without repeating it: 3 2 | 1 2 3 | 2 1. Each pad must be smaller than the dimension.</summary>
    Reflect,

    /// <summary>The edge value repeated: 1 1 | 1 2 3 | 3 3.</summary>
    Replicate,

    /// <summary>Wrapped around from the other end: 2 3 | 1 2 3 | 1 2. Each pad must be at most the dimension.</summary>
    Circular,
}

public static partial class Functional
{
    /// <summary>
    /// Pads the last one, two or three dimensions of <paramref name="input"/>, as PyTorch's <c>F.pad</c>:
    /// <paramref name="pads"/> = (left, right) for the last dimension, then (top, bottom) for the one before,
    /// then (front, back). Along a padded axis, output j reads input j − before (negative pads crop);
    /// positions outside the input take <paramref name="value"/> (constant) or the border rule of <paramref name="mode"/>.
    /// The gradient of every border element flows back to the element it copied.
    /// </summary>
    /// <param name="input">Any tensor with at least as many dimensions as are padded, e.g. (N, C, H, W).</param>
    /// <param name="pads">2, 4 or 6 pads, last dimension first: (left, right, top, bottom, front, back).</param>
    /// <param name="mode">Border rule; constant by default.</param>
    /// <param name="value">Fill value of constant padding.</param>
    /// <returns>The padded tensor: each padded dimension grows by its two pads.</returns>
    /// <exception cref="ArgumentException">
    /// pads is not 2, 4 or 6 long (<c>pads</c>); input has fewer dimensions than are padded (<c>input</c>);
    /// a crop removes more than the dimension holds, a reflect pad is not smaller than the dimension, a
    /// replicate or circular pad meets an empty dimension, or a circular pad exceeds the dimension (<c>pads</c>);
    /// mode is not a <see cref="PadMode"/> (<c>mode</c>).
    /// </exception>
    public static Tensor Pad(Tensor input, ReadOnlySpan<int> pads, PadMode mode = PadMode.Constant, float value = 0f) =>
        PadNode.Forward(input, pads, mode, value);
}
