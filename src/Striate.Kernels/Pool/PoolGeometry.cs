// The geometry shared by every pooling kernel: 1-D, 2-D and 3-D pooling are all 3-D pooling
// over (D, H, W) with unit axes (size 1, window 1) where the input has fewer spatial dimensions,
// so one kernel per op serves NCL, NCHW and NCDHW.
//   x: (N, C, D, H, W)  y: (N, C, OD, OH, OW)
// Each axis is either sliding (window k, stride s, padding p, dilation d) or adaptive (output o):
//   sliding:  window o covers cells o·s − p + j·d for j < k (cells outside [0, n) are padding)
//             output = ⌊(n + 2p − d(k−1) − 1 + (ceil ? s − 1 : 0)) / s⌋ + 1, and in ceil mode one
//             fewer when the last window would start in the right padding, (O − 1)·s − p ≥ n
//             (PyTorch's rule: the last window starts inside the input or the left padding)
//   adaptive: window o covers [⌊o·n/O⌋, ⌈(o+1)·n/O⌉)   (PyTorch's adaptive pooling)
// A window of a multi-axis pooling is the product of its per-axis windows, so per-axis cell
// ranges are all the kernels need.
namespace Striate.Kernels.Pool;

/// <summary>
/// One spatial axis of a pooling: input extent, output extent and how output positions map to
/// windows of input cells. Build with <see cref="Sliding"/>, <see cref="Adaptive"/> or <see cref="Unit"/>.
/// </summary>
/// <param name="Size">n, the input extent along this axis.</param>
/// <param name="Output">The output extent along this axis.</param>
/// <param name="Kernel">k, window cells along this axis (sliding); 0 for an adaptive axis.</param>
/// <param name="Stride">s, step between window starts (sliding); 0 for an adaptive axis.</param>
/// <param name="Padding">p, padding cells before the first and after the last input cell (sliding).</param>
/// <param name="Dilation">d, step between the cells of one window (sliding); 1 for an adaptive axis.</param>
/// <param name="IsAdaptive">Whether windows follow the adaptive rule instead of kernel and stride.</param>
public readonly record struct PoolAxis(int Size, int Output, int Kernel, int Stride, int Padding, int Dilation, bool IsAdaptive)
{
    /// <summary>The axis of a lower-dimensional pooling: one input cell, one output cell, a window of one.</summary>
    public static PoolAxis Unit => new(1, 1, 1, 1, 0, 1, false);

    /// <summary>
    /// A sliding-window axis; its output extent is <see cref="OutputSize"/> of the arguments (which
    /// <see cref="Validate"/> rejects when below 1).
    /// </summary>
    /// <param name="size">n, input extent.</param>
    /// <param name="kernel">k, window cells.</param>
    /// <param name="stride">s, step between windows.</param>
    /// <param name="padding">p, padding on each side.</param>
    /// <param name="dilation">d, step between the cells of a window.</param>
    /// <param name="ceilMode">Round the output extent up instead of down (PyTorch's ceil_mode).</param>
    public static PoolAxis Sliding(int size, int kernel, int stride, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        new(size, OutputSize(size, kernel, stride, padding, dilation, ceilMode), kernel, stride, padding, dilation, false);

    /// <summary>An adaptive axis: <paramref name="output"/> windows [⌊o·n/O⌋, ⌈(o+1)·n/O⌉) over <paramref name="size"/> cells.</summary>
    /// <param name="size">n, input extent.</param>
    /// <param name="output">O, output extent.</param>
    public static PoolAxis Adaptive(int size, int output) => new(size, output, 0, 0, 0, 1, true);

    /// <summary>
    /// PyTorch's pooling output extent ⌊(n + 2p − d(k−1) − 1 + (ceilMode ? s − 1 : 0)) / s⌋ + 1, less one in
    /// ceil mode when the last window would start in the right padding ((O − 1)·s − p ≥ n). Floor division, so the result is ≤ 0
    /// when the dilated window is larger than the padded input.
    /// </summary>
    /// <param name="size">n, input extent.</param>
    /// <param name="kernel">k, window cells.</param>
    /// <param name="stride">s, step between windows (positive).</param>
    /// <param name="padding">p, padding on each side.</param>
    /// <param name="dilation">d, step between the cells of a window.</param>
    /// <param name="ceilMode">Round up instead of down.</param>
    public static int OutputSize(int size, int kernel, int stride, int padding, int dilation, bool ceilMode)
    {
        long span = (long)size + 2L * padding - (long)dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0);
        long output = FloorDiv(span, Math.Max(stride, 1)) + 1;
        if (ceilMode && output > 0 && (output - 1) * stride >= (long)size + padding) output--;
        return (int)Math.Clamp(output, int.MinValue, int.MaxValue);
    }

    /// <summary>
    /// The real (non-padding) cells of window <paramref name="o"/>: <c>first</c>, <c>first + d</c>, …,
    /// <c>count</c> of them, all inside [0, <see cref="Size"/>).
    /// </summary>
    /// <param name="o">Output position, in [0, <see cref="Output"/>).</param>
    public (int First, int Count) Cells(int o)
    {
        if (IsAdaptive)
        {
            int start = (int)((long)o * Size / Output);
            int end = (int)((((long)o + 1) * Size + Output - 1) / Output);
            return (start, end - start);
        }
        int first = o * Stride - Padding;
        int end1 = Math.Min(first + (Kernel - 1) * Dilation + 1, Size);
        if (first < 0) first += (-first + Dilation - 1) / Dilation * Dilation;
        return (first, first < end1 ? (end1 - first + Dilation - 1) / Dilation : 0);
    }

    /// <summary>
    /// Window <paramref name="o"/>'s extent counting padding but not cells past the padding, PyTorch's
    /// average-pooling divisor factor min(start + k, n + p) − start; the real cell count on an adaptive axis.
    /// </summary>
    /// <param name="o">Output position, in [0, <see cref="Output"/>).</param>
    public int PaddedCount(int o)
    {
        if (IsAdaptive) return Cells(o).Count;
        int start = o * Stride - Padding;
        return Math.Min(start + Kernel, Size + Padding) - start;
    }

    /// <summary>
    /// Writes (first, count, padded count) of every window into <paramref name="destination"/> (3·Output values),
    /// for kernels that revisit the same windows row after row.
    /// </summary>
    internal void FillWindows(Span<int> destination)
    {
        for (int o = 0; o < Output; o++)
        {
            (destination[3 * o], destination[3 * o + 1]) = Cells(o);
            destination[3 * o + 2] = PaddedCount(o);
        }
    }

    /// <summary>Whether two windows may share a cell (then backward scatters must accumulate per cell).</summary>
    public bool WindowsMayOverlap => IsAdaptive ? Size % Output != 0 : Stride < (Kernel - 1) * Dilation + 1;

    /// <summary>Throws unless the axis describes a pooling whose every window holds at least one input cell.</summary>
    /// <exception cref="ArgumentException">
    /// The size or output is not positive; a sliding axis has a non-positive kernel, stride or dilation, a padding
    /// outside [0, k/2], or an output extent that is neither the floor- nor the ceil-mode extent; or a window holds no input cell.
    /// </exception>
    public void Validate()
    {
        if (Size < 1 || Output < 1) throw new ArgumentException($"Pooling axis must have positive input and output extents: {this}.");
        if (!IsAdaptive)
        {
            if (Kernel < 1 || Stride < 1 || Dilation < 1) throw new ArgumentException($"Pooling axis must have positive kernel, stride and dilation: {this}.");
            if (Padding < 0 || Padding > Kernel / 2) throw new ArgumentException($"Pooling axis padding must be between 0 and half the kernel: {this}.");
            if (Output != OutputSize(Size, Kernel, Stride, Padding, Dilation, false) && Output != OutputSize(Size, Kernel, Stride, Padding, Dilation, true))
                throw new ArgumentException($"Pooling axis output extent does not follow from its window: {this}.");
        }
        for (int o = 0; o < Output; o++)
            if (Cells(o).Count == 0) throw new ArgumentException($"Pooling window {o} holds no input cell: {this}.");
    }

    private static long FloorDiv(long a, long b) => a >= 0 ? a / b : -((-a + b - 1) / b);
}

/// <summary>
/// Sizes of a pooling over x (N, C, D, H, W) to y (N, C, OD, OH, OW). 1-D pooling uses
/// <see cref="PoolAxis.Unit"/> for depth and height, 2-D pooling for depth.
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Channels.</param>
/// <param name="Depth">The D axis.</param>
/// <param name="Height">The H axis.</param>
/// <param name="Width">The W axis.</param>
public readonly record struct PoolGeometry(int N, int C, PoolAxis Depth, PoolAxis Height, PoolAxis Width)
{
    /// <summary>Cells of one input plane, D·H·W.</summary>
    public int InputPlane => Depth.Size * Height.Size * Width.Size;

    /// <summary>Cells of one output plane, OD·OH·OW.</summary>
    public int OutputPlane => Depth.Output * Height.Output * Width.Output;

    /// <summary>Number of planes, N·C.</summary>
    public int Planes => N * C;

    /// <summary>Elements of x: N·C·D·H·W.</summary>
    public long InputLength => (long)N * C * InputPlane;

    /// <summary>Elements of y: N·C·OD·OH·OW.</summary>
    public long OutputLength => (long)N * C * OutputPlane;

    /// <summary>Whether two windows may share a cell along some axis.</summary>
    public bool WindowsMayOverlap => Depth.WindowsMayOverlap || Height.WindowsMayOverlap || Width.WindowsMayOverlap;

    /// <summary>Throws unless every axis is valid and the sizes fit in 32-bit plane offsets.</summary>
    /// <exception cref="ArgumentException">N or C is negative, an axis is invalid (see <see cref="PoolAxis.Validate"/>), or a plane or the batch is too large.</exception>
    public void Validate()
    {
        if (N < 0 || C < 0) throw new ArgumentException($"Pooling sizes must be non-negative: N={N}, C={C}.");
        Depth.Validate();
        Height.Validate();
        Width.Validate();
        if ((long)Depth.Size * Height.Size * Width.Size > int.MaxValue || (long)Depth.Output * Height.Output * Width.Output > int.MaxValue || (long)N * C > int.MaxValue)
            throw new ArgumentException($"Pooling planes or batch exceed 2^31 elements: {this}.");
    }

    /// <summary>Throws unless <paramref name="actual"/> ≥ <paramref name="needed"/>; the message names <paramref name="name"/>.</summary>
    internal static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>Planes per thread so that a thread gets roughly 16k element visits; below that the planes run inline.</summary>
    internal int MinPlanesPerThread(long visitsPerPlane) => (int)Math.Clamp(16_384 / Math.Max(1L, visitsPerPlane), 1, int.MaxValue);
}
