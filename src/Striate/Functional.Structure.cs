// Functional structural ops: concatenation (Inception) and upsampling (nearest, linear, bilinear,
// trilinear), torch.cat and torch.nn.functional.interpolate in .NET naming.
using Striate.Autograd.Ops;

namespace Striate;

/// <summary>How <see cref="Functional.Upsample"/> fills in values between input samples (PyTorch's <c>mode</c>).</summary>
public enum UpsampleMode
{
    /// <summary>Copy the nearest sample: source index ⌊o · in/out⌋ (PyTorch's legacy <c>'nearest'</c>); 3-D, 4-D or 5-D input.</summary>
    Nearest,

    /// <summary>Linear interpolation along the length of (N, C, L) input (<c>'linear'</c>).</summary>
    Linear,

    /// <summary>Linear interpolation along height and width of (N, C, H, W) input (<c>'bilinear'</c>).</summary>
    Bilinear,

    /// <summary>Linear interpolation along depth, height and width of (N, C, D, H, W) input (<c>'trilinear'</c>).</summary>
    Trilinear,
}

public static partial class Functional
{
    /// <summary>
    /// Concatenates tensors along <paramref name="dim"/> (torch.cat): y = [x₀ | x₁ | …], every input having
    /// the same shape outside <paramref name="dim"/>. The backward pass splits dL/dy back into the inputs:
    /// dxᵢ += dy[…, offᵢ : offᵢ + dᵢ, …].
    /// </summary>
    /// <param name="tensors">The tensors, in order; a tensor may appear more than once (its gradient then adds up).</param>
    /// <param name="dim">The dimension to join along; negative counts from the end (−1 is the last). Inception blocks join channels, dim 1.</param>
    /// <returns>A tensor whose size along <paramref name="dim"/> is the sum of the inputs'.</returns>
    /// <exception cref="ArgumentException">The list is empty, holds null or 0-D tensors, or the shapes differ outside <paramref name="dim"/> (ParamName <c>tensors</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension of the inputs.</exception>
    public static Tensor Concat(IReadOnlyList<Tensor> tensors, int dim = 0) => ConcatNode.Forward(tensors, dim);

    /// <summary>
    /// Resizes the spatial dimensions of (N, C, L), (N, C, H, W) or (N, C, D, H, W) input, as PyTorch's
    /// F.interpolate and nn.Upsample: y[n, c, o…] = Σ_taps Π_axis w_axis · x[n, c, i…], where along each axis
    /// <list type="bullet">
    /// <item><see cref="UpsampleMode.Nearest"/>: one tap i = min(⌊o · scale⌋, in − 1), scale = 1/scaleFactor or in/out;</item>
    /// <item>linear modes: taps i₀ = ⌊src⌋ and i₀ + 1 with weights 1 − λ and λ = src − i₀, where
    /// src = o · (in − 1)/(out − 1) with <paramref name="alignCorners"/>, else max(scale · (o + ½) − ½, 0).</item>
    /// </list>
    /// The gradient flows back along the same taps: dx[n, c, i…] += Π w · dy[n, c, o…].
    /// </summary>
    /// <param name="input">(N, C, L), (N, C, H, W) or (N, C, D, H, W).</param>
    /// <param name="size">Output spatial size: one value for every axis, or one per axis; null when <paramref name="scaleFactor"/> is given.</param>
    /// <param name="scaleFactor">Multiplier of each spatial size (output = ⌊in · factor⌋): one value for every axis or one per axis; null when <paramref name="size"/> is given. As in PyTorch, the factor (not out/in) sets the sampling positions.</param>
    /// <param name="mode">Nearest, or Linear / Bilinear / Trilinear for 3-D / 4-D / 5-D input.</param>
    /// <param name="alignCorners">Linear modes only: the corner samples of input and output coincide (PyTorch's align_corners=True).</param>
    /// <returns>(N, C, out…) with the input's rank.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 3-, 4- or 5-D or has an empty spatial dimension (input); the mode does not fit the input's rank (mode);
    /// alignCorners is set with Nearest (alignCorners); neither or both of size and scaleFactor are given, or size has the wrong
    /// length or a non-positive value (size); scaleFactor has the wrong length, a non-positive or non-finite value, or gives an
    /// empty or too large output (scaleFactor).
    /// </exception>
    public static Tensor Upsample(Tensor input, int[]? size = null, double[]? scaleFactor = null, UpsampleMode mode = UpsampleMode.Nearest, bool alignCorners = false) =>
        UpsampleNode.Forward(input, size, scaleFactor, mode, alignCorners);
}
