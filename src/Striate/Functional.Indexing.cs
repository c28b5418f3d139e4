// Functional indexing: torch.permute, Python slicing along one dimension, torch.index_select.
// Each returns a new contiguous tensor and passes the gradient back to the elements it copied
// (repeated selections add up).
using Striate.Autograd.Ops;

namespace Striate;

public static partial class Functional
{
    /// <summary>
    /// Reorders the dimensions of <paramref name="input"/> (torch.permute): output dimension k is input
    /// dimension dims[k], y[i₀, …, i_{r−1}] = x[a] with a_{dims[k]} = i_k. The gradient is dy permuted back:
    /// dx[a] += dy[i]. A transpose of two dimensions is the permutation that swaps them.
    /// </summary>
    /// <param name="input">Any tensor of rank r, e.g. (N, C, H, W).</param>
    /// <param name="dims">A permutation of the r dimensions; negative values count from the end (−1 is the last). (N, C, H, W) with (0, 2, 3, 1) gives (N, H, W, C).</param>
    /// <returns>A tensor of shape (d_{dims[0]}, …, d_{dims[r−1]}).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="dims"/> is null.</exception>
    /// <exception cref="ArgumentException">dims has the wrong length, names a dimension twice or one the input does not have (ParamName <c>dims</c>), or the input has more than 64 dimensions (<c>input</c>).</exception>
    public static Tensor Permute(Tensor input, params int[] dims) => PermuteNode.Forward(input, dims);

    /// <summary>
    /// Python's x[start:end:step] along <paramref name="dim"/> (as torch slicing, which also accepts out-of-range
    /// bounds): y[…, j, …] = x[…, start + j·step, …] for j = 0 … count − 1. Negative <paramref name="start"/> and
    /// <paramref name="end"/> count from the end (n + bound); bounds are then clamped to [0, n] for a positive step
    /// and to [−1, n − 1] for a negative one, and count = max(0, ⌈(end − start)/step⌉). A negative step walks
    /// backwards (x[::-1] is start = −1, end = int.MinValue, step = −1); PyTorch itself refuses negative steps, ONNX's
    /// Slice allows them. The gradient goes back to the sliced elements: dx[…, start + j·step, …] += dy[…, j, …].
    /// </summary>
    /// <param name="input">Any tensor with at least one dimension.</param>
    /// <param name="dim">The dimension to slice; negative counts from the end.</param>
    /// <param name="start">First position (inclusive).</param>
    /// <param name="end">Stop position (exclusive); <see cref="int.MaxValue"/> for "to the end" with a positive step.</param>
    /// <param name="step">Distance between kept positions, not 0.</param>
    /// <returns>The input's shape with <paramref name="dim"/> of size count (possibly 0).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is 0-D (ParamName <c>input</c>) or step is 0 (<c>step</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension of the input.</exception>
    public static Tensor Slice(Tensor input, int dim, int start, int end, int step = 1) => GatherNode.Slice(input, dim, start, end, step);

    /// <summary>
    /// Selects the entries <paramref name="indices"/> along <paramref name="dim"/> (torch.index_select):
    /// y[…, j, …] = x[…, indices[j], …]. Indices may repeat and come in any order; the gradient of a repeated
    /// index adds up: dx[…, s, …] += Σ_{j : indices[j] = s} dy[…, j, …].
    /// </summary>
    /// <param name="input">Any tensor with at least one dimension.</param>
    /// <param name="dim">The dimension to select along; negative counts from the end.</param>
    /// <param name="indices">Positions along <paramref name="dim"/>, each in [0, size); negative indices are refused (unlike Python, they are not read from the end).</param>
    /// <returns>The input's shape with <paramref name="dim"/> of size indices.Length.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> or <paramref name="indices"/> is null.</exception>
    /// <exception cref="ArgumentException">The input is 0-D (ParamName <c>input</c>), or an index is negative or not below the size of <paramref name="dim"/> (<c>indices</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension of the input.</exception>
    public static Tensor IndexSelect(Tensor input, int dim, int[] indices) => GatherNode.IndexSelect(input, dim, indices);
}
