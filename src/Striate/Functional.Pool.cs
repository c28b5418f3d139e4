// Functional pooling: torch.nn.functional's max/avg/lp/adaptive pooling and max_unpool in .NET
// naming, plus global pooling, TensorFlow-style argmax indices and maxout. Layouts: (N, C, L) for
// 1-D, (N, C, H, W) for 2-D, (N, C, D, H, W) for 3-D. Sliding windows: output extent
// ⌊(n + 2p − d(k−1) − 1)/s⌋ + 1 (rounded up in ceil mode, PyTorch's rule). Formulas and worked
// examples: docs/ops/pooling.md.
using Striate.Autograd.Ops;

namespace Striate;

public static partial class Functional
{
    // ---- Max pooling ----

    /// <summary>
    /// 1-D max pooling: y[n,c,l] = max_{j &lt; kernelSize} x[n, c, l·stride − padding + j·dilation], padded cells −∞.
    /// The gradient flows to the first maximum of each window.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="kernelSize">Window length k.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>, as in PyTorch.</param>
    /// <param name="padding">−∞ cells added at each end; at most kernelSize / 2.</param>
    /// <param name="dilation">Step between the cells of a window.</param>
    /// <param name="ceilMode">Round the output length up, so a partial last window (starting inside the input or the left padding) is kept.</param>
    /// <returns>(N, C, L') with L' = ⌊(L + 2·padding − dilation·(kernelSize − 1) − 1)/stride⌋ + 1 (⌈⌉ in ceil mode).</returns>
    /// <exception cref="ArgumentException">input is not 3-D or is empty (input); kernelSize is not positive or the dilated window is larger than the padded input (kernelSize); stride is not positive (stride); padding is negative or more than half the kernel (padding); dilation is not positive or leaves a window with only padding (dilation).</exception>
    public static Tensor MaxPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNode.Sliding("MaxPool1d", input, [kernelSize], stride is int s ? [s] : null, [padding], [dilation], ceilMode).Output;

    /// <summary>
    /// 2-D max pooling over square windows: y[n,c,p,q] = max_{r,s &lt; kernelSize} x[n, c, p·stride − padding + r·dilation, q·stride − padding + s·dilation],
    /// with padded cells counting as −∞. The gradient flows to the first maximum of each window.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/> (non-overlapping windows), as in PyTorch.</param>
    /// <param name="padding">−∞ cells added on every side; at most kernelSize / 2.</param>
    /// <param name="dilation">Step between the cells of a window, in both directions.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch's ceil_mode): a partial last window is kept when it starts inside the input or the left padding.</param>
    /// <returns>(N, C, P, Q) with P = ⌊(H + 2·padding − dilation·(kernelSize − 1) − 1)/stride⌋ + 1 (⌈⌉ in ceil mode) and Q likewise from W.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D or has an empty image (input); kernelSize is not positive or the window is larger than the padded input (kernelSize);
    /// stride is not positive (stride); padding is negative or more than half the kernel (padding); dilation is not positive or leaves a window with only padding (dilation).
    /// </exception>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNode.Sliding("MaxPool2d", input, [kernelSize, kernelSize], stride is int s ? [s, s] : null, [padding, padding], [dilation, dilation], ceilMode).Output;

    /// <summary>
    /// 2-D max pooling over rectangular windows with separate vertical and horizontal options:
    /// y[n,c,p,q] = max_{r &lt; kernelSize.Height, s &lt; kernelSize.Width} x[n, c, p·stride.Height − padding.Height + r·dilation.Height, q·stride.Width − padding.Width + s·dilation.Width].
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="stride">(vertical, horizontal) step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ rows above and below, columns left and right; none by default, at most half the window.</param>
    /// <param name="dilation">(vertical, horizontal) step between window cells; (1, 1) when null.</param>
    /// <param name="ceilMode">Round both output sizes up (PyTorch's ceil_mode).</param>
    /// <returns>(N, C, P, Q) with P = ⌊(H + 2·padding.Height − dilation.Height·(kernelSize.Height − 1) − 1)/stride.Height⌋ + 1 and Q likewise from W.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D or has an empty image (input); a kernel side is not positive or the window is larger than the padded input (kernelSize);
    /// a stride is not positive (stride); a padding is negative or more than half the window (padding); a dilation is not positive or leaves a window with only padding (dilation).
    /// </exception>
    public static Tensor MaxPool2d(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default, (int Height, int Width)? dilation = null, bool ceilMode = false) =>
        MaxPoolNode.Sliding("MaxPool2d", input, [kernelSize.Height, kernelSize.Width], stride is (int sh, int sw) ? [sh, sw] : null,
            [padding.Height, padding.Width], dilation is (int dh, int dw) ? [dh, dw] : [1, 1], ceilMode).Output;

    /// <summary>
    /// 3-D max pooling over cubic windows: y[n,c,t,p,q] = max over the kernelSize³ cells x[n, c, t·stride − padding + a·dilation, p·stride − padding + b·dilation, q·stride − padding + e·dilation],
    /// padded cells −∞. The gradient flows to the first maximum of each window.
    /// </summary>
    /// <param name="input">(N, C, D, H, W) volumes or clips.</param>
    /// <param name="kernelSize">Window side along every axis.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ cells added on every side; at most kernelSize / 2.</param>
    /// <param name="dilation">Step between the cells of a window along every axis.</param>
    /// <param name="ceilMode">Round the output sizes up (PyTorch's ceil_mode).</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n + 2·padding − dilation·(kernelSize − 1) − 1)/stride⌋ + 1 (⌈⌉ in ceil mode).</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); kernelSize is not positive or the window is larger than the padded input (kernelSize); stride is not positive (stride); padding is negative or more than half the kernel (padding); dilation is not positive or leaves a window with only padding (dilation).</exception>
    public static Tensor MaxPool3d(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false) =>
        MaxPoolNode.Sliding("MaxPool3d", input, PoolArguments.Repeat(kernelSize, 3), stride is int s ? PoolArguments.Repeat(s, 3) : null,
            PoolArguments.Repeat(padding, 3), PoolArguments.Repeat(dilation, 3), ceilMode).Output;

    /// <summary>3-D max pooling with separate (depth, height, width) options; otherwise as the cubic overload.</summary>
    /// <param name="input">(N, C, D, H, W) volumes or clips.</param>
    /// <param name="kernelSize">(depth, height, width) of the window.</param>
    /// <param name="stride">Per-axis step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Per-axis −∞ padding on both sides; at most half the window.</param>
    /// <param name="dilation">Per-axis step between window cells; (1, 1, 1) when null.</param>
    /// <param name="ceilMode">Round the output sizes up (PyTorch's ceil_mode).</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1 with that axis's options.</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); a kernel side is not positive or the window is larger than the padded input (kernelSize); a stride is not positive (stride); a padding is negative or more than half the window (padding); a dilation is not positive or leaves a window with only padding (dilation).</exception>
    public static Tensor MaxPool3d(Tensor input, (int Depth, int Height, int Width) kernelSize, (int Depth, int Height, int Width)? stride = null,
        (int Depth, int Height, int Width) padding = default, (int Depth, int Height, int Width)? dilation = null, bool ceilMode = false) =>
        MaxPoolNode.Sliding("MaxPool3d", input, [kernelSize.Depth, kernelSize.Height, kernelSize.Width], stride is (int sd, int sh, int sw) ? [sd, sh, sw] : null,
            [padding.Depth, padding.Height, padding.Width], dilation is (int dd, int dh, int dw) ? [dd, dh, dw] : [1, 1, 1], ceilMode).Output;

    /// <summary>
    /// <see cref="MaxPool1d"/> that also returns PyTorch's return_indices: for each output, the position l of its
    /// maximum within the (L) signal of its (n, c). Feed them to <see cref="MaxUnpool1d"/>.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="kernelSize">Window length.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ cells at each end; at most kernelSize / 2.</param>
    /// <param name="dilation">Step between the cells of a window.</param>
    /// <param name="ceilMode">Round the output length up.</param>
    /// <returns>The pooled (N, C, L') tensor and, in the same row-major order, its argmax indices in [0, L).</returns>
    /// <exception cref="ArgumentException">As <see cref="MaxPool1d"/>: each bad argument is named.</exception>
    public static (Tensor Output, long[] Indices) MaxPool1dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        var (y, indices) = MaxPoolNode.Sliding("MaxPool1d", input, [kernelSize], stride is int s ? [s] : null, [padding], [dilation], ceilMode);
        return (y, MaxPoolNode.Widen(indices));
    }

    /// <summary>
    /// <see cref="MaxPool2d(Tensor, int, int?, int, int, bool)"/> that also returns PyTorch's return_indices: for each output,
    /// the flat position h·W + w of its maximum within the (H, W) plane of its (n, c). Feed them to <see cref="MaxUnpool2d"/>.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ cells on every side; at most kernelSize / 2.</param>
    /// <param name="dilation">Step between the cells of a window.</param>
    /// <param name="ceilMode">Round the output size up.</param>
    /// <returns>The pooled (N, C, P, Q) tensor and, in the same row-major order, its argmax indices in [0, H·W).</returns>
    /// <exception cref="ArgumentException">As <see cref="MaxPool2d(Tensor, int, int?, int, int, bool)"/>: each bad argument is named.</exception>
    public static (Tensor Output, long[] Indices) MaxPool2dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        var (y, indices) = MaxPoolNode.Sliding("MaxPool2d", input, [kernelSize, kernelSize], stride is int s ? [s, s] : null, [padding, padding], [dilation, dilation], ceilMode);
        return (y, MaxPoolNode.Widen(indices));
    }

    /// <summary>
    /// <see cref="MaxPool3d(Tensor, int, int?, int, int, bool)"/> that also returns PyTorch's return_indices: the flat position
    /// (d·H + h)·W + w of each maximum within the (D, H, W) volume of its (n, c). Feed them to <see cref="MaxUnpool3d"/>.
    /// </summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ cells on every side; at most kernelSize / 2.</param>
    /// <param name="dilation">Step between the cells of a window.</param>
    /// <param name="ceilMode">Round the output sizes up.</param>
    /// <returns>The pooled (N, C, D', H', W') tensor and, in the same row-major order, its argmax indices in [0, D·H·W).</returns>
    /// <exception cref="ArgumentException">As <see cref="MaxPool3d(Tensor, int, int?, int, int, bool)"/>: each bad argument is named.</exception>
    public static (Tensor Output, long[] Indices) MaxPool3dWithIndices(Tensor input, int kernelSize, int? stride = null, int padding = 0, int dilation = 1, bool ceilMode = false)
    {
        var (y, indices) = MaxPoolNode.Sliding("MaxPool3d", input, PoolArguments.Repeat(kernelSize, 3), stride is int s ? PoolArguments.Repeat(s, 3) : null,
            PoolArguments.Repeat(padding, 3), PoolArguments.Repeat(dilation, 3), ceilMode);
        return (y, MaxPoolNode.Widen(indices));
    }

    /// <summary>
    /// 2-D max pooling with TensorFlow's <c>tf.nn.max_pool_with_argmax</c> indices. Striate tensors are (N, C, H, W),
    /// but the argmax is the flat position the maximum would have in the same data laid out (N, H, W, C), as TensorFlow's
    /// NHWC tensors are: ((n·H + h)·W + w)·C + c with <paramref name="includeBatchInIndex"/>, (h·W + w)·C + c without
    /// (TensorFlow's default). Values and gradient are those of <see cref="MaxPool2d(Tensor, int, int?, int, int, bool)"/>.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">Window side (TensorFlow's ksize).</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ cells on every side (0 is TensorFlow's "VALID"); at most kernelSize / 2.</param>
    /// <param name="includeBatchInIndex">Whether the index counts whole images before its own, as TensorFlow's include_batch_in_index.</param>
    /// <returns>The pooled (N, C, P, Q) tensor and its channels-last argmax indices, in the output's (N, C, P, Q) order.</returns>
    /// <exception cref="ArgumentException">As <see cref="MaxPool2d(Tensor, int, int?, int, int, bool)"/>: each bad argument is named.</exception>
    public static (Tensor Output, long[] Argmax) MaxPool2dWithArgmax(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool includeBatchInIndex = false)
    {
        var (y, indices) = MaxPoolNode.Sliding("MaxPool2d", input, [kernelSize, kernelSize], stride is int s ? [s, s] : null, [padding, padding], [1, 1], false);
        return (y, MaxPoolNode.ChannelsLastIndices(indices, input, includeBatchInIndex));
    }

    // ---- Average and sum pooling ----

    /// <summary>
    /// 1-D average pooling: y[n,c,l] = Σ_{j &lt; kernelSize} x[n, c, l·stride − padding + j] / divisor, padded cells 0.
    /// The divisor is <paramref name="divisorOverride"/> when given, else the window length counting padding
    /// (<paramref name="countIncludePad"/>) or only real cells; cells past the right padding (ceil mode) never count.
    /// Backward spreads dy / divisor over the window.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="kernelSize">Window length k.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero cells added at each end; at most kernelSize / 2.</param>
    /// <param name="ceilMode">Round the output length up (PyTorch's ceil_mode).</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor (PyTorch's default, true).</param>
    /// <param name="divisorOverride">A fixed positive divisor (1 gives sum pooling); PyTorch's avg_pool1d lacks it, avg_pool2d has it.</param>
    /// <returns>(N, C, L') with L' = ⌊(L + 2·padding − kernelSize)/stride⌋ + 1 (⌈⌉ in ceil mode).</returns>
    /// <exception cref="ArgumentException">input is not 3-D or is empty (input); kernelSize is not positive or larger than the padded input (kernelSize); stride is not positive (stride); padding is negative or more than half the kernel (padding); divisorOverride is not positive (divisorOverride).</exception>
    public static Tensor AvgPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNode.Sliding("AvgPool1d", input, [kernelSize], stride is int s ? [s] : null, [padding], ceilMode, countIncludePad, divisorOverride);

    /// <summary>
    /// 2-D average pooling over square windows: y[n,c,p,q] = Σ_{r,s &lt; kernelSize} x[n, c, p·stride − padding + r, q·stride − padding + s] / divisor,
    /// padded cells 0, divisor as in <see cref="AvgPool1d"/> (per window: the product of its per-axis counts). Backward spreads dy / divisor over the window.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero cells added on every side; at most kernelSize / 2.</param>
    /// <param name="ceilMode">Round the output size up (PyTorch's ceil_mode).</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor (PyTorch's default, true).</param>
    /// <param name="divisorOverride">A fixed positive divisor; 1 gives sum pooling.</param>
    /// <returns>(N, C, P, Q) with P = ⌊(H + 2·padding − kernelSize)/stride⌋ + 1 (⌈⌉ in ceil mode) and Q likewise from W.</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); kernelSize is not positive or larger than the padded input (kernelSize); stride is not positive (stride); padding is negative or more than half the kernel (padding); divisorOverride is not positive (divisorOverride).</exception>
    public static Tensor AvgPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNode.Sliding("AvgPool2d", input, [kernelSize, kernelSize], stride is int s ? [s, s] : null, [padding, padding], ceilMode, countIncludePad, divisorOverride);

    /// <summary>2-D average pooling with separate (height, width) window, stride and padding; otherwise as the square overload.</summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="stride">(vertical, horizontal) step; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero rows above and below, columns left and right; at most half the window.</param>
    /// <param name="ceilMode">Round both output sizes up.</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor.</param>
    /// <param name="divisorOverride">A fixed positive divisor; 1 gives sum pooling.</param>
    /// <returns>(N, C, P, Q), each extent ⌊(n + 2p − k)/s⌋ + 1 with that axis's options.</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); a kernel side is not positive or larger than the padded input (kernelSize); a stride is not positive (stride); a padding is negative or more than half the window (padding); divisorOverride is not positive (divisorOverride).</exception>
    public static Tensor AvgPool2d(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default,
        bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNode.Sliding("AvgPool2d", input, [kernelSize.Height, kernelSize.Width], stride is (int sh, int sw) ? [sh, sw] : null,
            [padding.Height, padding.Width], ceilMode, countIncludePad, divisorOverride);

    /// <summary>
    /// 3-D average pooling over cubic windows of (N, C, D, H, W) volumes: the mean (or Σ / <paramref name="divisorOverride"/>) of each
    /// kernelSize³ window, padded cells 0, divisor as in <see cref="AvgPool1d"/>. Backward spreads dy / divisor over the window.
    /// </summary>
    /// <param name="input">(N, C, D, H, W) volumes or clips.</param>
    /// <param name="kernelSize">Window side along every axis.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero cells added on every side; at most kernelSize / 2.</param>
    /// <param name="ceilMode">Round the output sizes up.</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor.</param>
    /// <param name="divisorOverride">A fixed positive divisor; 1 gives sum pooling.</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n + 2·padding − kernelSize)/stride⌋ + 1 (⌈⌉ in ceil mode).</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); kernelSize is not positive or larger than the padded input (kernelSize); stride is not positive (stride); padding is negative or more than half the kernel (padding); divisorOverride is not positive (divisorOverride).</exception>
    public static Tensor AvgPool3d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNode.Sliding("AvgPool3d", input, PoolArguments.Repeat(kernelSize, 3), stride is int s ? PoolArguments.Repeat(s, 3) : null,
            PoolArguments.Repeat(padding, 3), ceilMode, countIncludePad, divisorOverride);

    /// <summary>3-D average pooling with separate (depth, height, width) options; otherwise as the cubic overload.</summary>
    /// <param name="input">(N, C, D, H, W) volumes or clips.</param>
    /// <param name="kernelSize">(depth, height, width) of the window.</param>
    /// <param name="stride">Per-axis step; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Per-axis zero padding on both sides; at most half the window.</param>
    /// <param name="ceilMode">Round the output sizes up.</param>
    /// <param name="countIncludePad">Whether padding cells count in the divisor.</param>
    /// <param name="divisorOverride">A fixed positive divisor; 1 gives sum pooling.</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n + 2p − k)/s⌋ + 1 with that axis's options.</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); a kernel side is not positive or larger than the padded input (kernelSize); a stride is not positive (stride); a padding is negative or more than half the window (padding); divisorOverride is not positive (divisorOverride).</exception>
    public static Tensor AvgPool3d(Tensor input, (int Depth, int Height, int Width) kernelSize, (int Depth, int Height, int Width)? stride = null,
        (int Depth, int Height, int Width) padding = default, bool ceilMode = false, bool countIncludePad = true, int? divisorOverride = null) =>
        AvgPoolNode.Sliding("AvgPool3d", input, [kernelSize.Depth, kernelSize.Height, kernelSize.Width], stride is (int sd, int sh, int sw) ? [sd, sh, sw] : null,
            [padding.Depth, padding.Height, padding.Width], ceilMode, countIncludePad, divisorOverride);

    /// <summary>
    /// 1-D sum pooling, the chapter's y = Σ x_u over each window: <see cref="AvgPool1d"/> with divisor 1 (padded cells add 0).
    /// Backward copies dy to every cell of the window.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="kernelSize">Window length.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero cells at each end; at most kernelSize / 2.</param>
    /// <param name="ceilMode">Round the output length up.</param>
    /// <returns>(N, C, L') with L' = ⌊(L + 2·padding − kernelSize)/stride⌋ + 1.</returns>
    /// <exception cref="ArgumentException">As <see cref="AvgPool1d"/>: each bad argument is named.</exception>
    public static Tensor SumPool1d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false) =>
        AvgPoolNode.Sliding("SumPool1d", input, [kernelSize], stride is int s ? [s] : null, [padding], ceilMode, true, 1);

    /// <summary>2-D sum pooling, y = Σ x_uv over each square window: <see cref="AvgPool2d(Tensor, int, int?, int, bool, bool, int?)"/> with divisor 1.</summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero cells on every side; at most kernelSize / 2.</param>
    /// <param name="ceilMode">Round the output size up.</param>
    /// <returns>(N, C, P, Q) with P = ⌊(H + 2·padding − kernelSize)/stride⌋ + 1 and Q likewise.</returns>
    /// <exception cref="ArgumentException">As <see cref="AvgPool2d(Tensor, int, int?, int, bool, bool, int?)"/>: each bad argument is named.</exception>
    public static Tensor SumPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false) =>
        AvgPoolNode.Sliding("SumPool2d", input, [kernelSize, kernelSize], stride is int s ? [s, s] : null, [padding, padding], ceilMode, true, 1);

    /// <summary>3-D sum pooling over cubic windows: <see cref="AvgPool3d(Tensor, int, int?, int, bool, bool, int?)"/> with divisor 1.</summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Zero cells on every side; at most kernelSize / 2.</param>
    /// <param name="ceilMode">Round the output sizes up.</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n + 2·padding − kernelSize)/stride⌋ + 1.</returns>
    /// <exception cref="ArgumentException">As <see cref="AvgPool3d(Tensor, int, int?, int, bool, bool, int?)"/>: each bad argument is named.</exception>
    public static Tensor SumPool3d(Tensor input, int kernelSize, int? stride = null, int padding = 0, bool ceilMode = false) =>
        AvgPoolNode.Sliding("SumPool3d", input, PoolArguments.Repeat(kernelSize, 3), stride is int s ? PoolArguments.Repeat(s, 3) : null,
            PoolArguments.Repeat(padding, 3), ceilMode, true, 1);

    // ---- Power-average (Lp) pooling ----

    /// <summary>
    /// 1-D power-average pooling, PyTorch's lp_pool1d: y[n,c,l] = (Σ_{j &lt; kernelSize} x[n, c, l·stride + j]^p)^(1/p).
    /// p = 2 is L2 pooling √(Σ x²), p = 1 sum pooling; large p approaches max pooling. As in PyTorch, x^p is not |x|^p:
    /// for odd p a negative window sum gives NaN, and non-integer p needs non-negative inputs. In ceil mode the
    /// partial last window's sum is scaled by kernelSize / (its cells), as PyTorch's avg_pool-based formula does.
    /// Backward: dx = dy · x^(p−1) · y^(1−p), and 0 for windows whose Σ x^p is 0.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="kernelSize">Window length.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="ceilMode">Round the output length up.</param>
    /// <returns>(N, C, L') with L' = ⌊(L − kernelSize)/stride⌋ + 1 (⌈⌉ in ceil mode).</returns>
    /// <exception cref="ArgumentException">normType is not positive and finite (normType); input is not 3-D or is empty (input); kernelSize is not positive or larger than the input (kernelSize); stride is not positive (stride).</exception>
    public static Tensor LpPool1d(Tensor input, float normType, int kernelSize, int? stride = null, bool ceilMode = false) =>
        LpPoolNode.Forward("LpPool1d", input, normType, [kernelSize], stride is int s ? [s] : null, ceilMode);

    /// <summary>
    /// 2-D power-average pooling over square windows, PyTorch's lp_pool2d: y = (Σ_{window} x^p)^(1/p); p = 2 is the chapter's
    /// L2 pooling √(Σ x_uv²). Sign, ceil-mode and gradient rules as <see cref="LpPool1d"/>.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="ceilMode">Round the output size up.</param>
    /// <returns>(N, C, P, Q) with P = ⌊(H − kernelSize)/stride⌋ + 1 (⌈⌉ in ceil mode) and Q likewise.</returns>
    /// <exception cref="ArgumentException">normType is not positive and finite (normType); input is not 4-D or is empty (input); kernelSize is not positive or larger than the input (kernelSize); stride is not positive (stride).</exception>
    public static Tensor LpPool2d(Tensor input, float normType, int kernelSize, int? stride = null, bool ceilMode = false) =>
        LpPoolNode.Forward("LpPool2d", input, normType, [kernelSize, kernelSize], stride is int s ? [s, s] : null, ceilMode);

    /// <summary>2-D power-average pooling with separate (height, width) window and stride; otherwise as the square overload.</summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="stride">(vertical, horizontal) step; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="ceilMode">Round both output sizes up.</param>
    /// <returns>(N, C, P, Q), each extent ⌊(n − k)/s⌋ + 1 with that axis's options.</returns>
    /// <exception cref="ArgumentException">normType is not positive and finite (normType); input is not 4-D or is empty (input); a kernel side is not positive or larger than the input (kernelSize); a stride is not positive (stride).</exception>
    public static Tensor LpPool2d(Tensor input, float normType, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null, bool ceilMode = false) =>
        LpPoolNode.Forward("LpPool2d", input, normType, [kernelSize.Height, kernelSize.Width], stride is (int sh, int sw) ? [sh, sw] : null, ceilMode);

    /// <summary>
    /// 3-D power-average pooling over cubic windows (PyTorch 2.2's lp_pool3d): y = (Σ_{window} x^p)^(1/p). Sign, ceil-mode and
    /// gradient rules as <see cref="LpPool1d"/>.
    /// </summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="kernelSize">Window side along every axis.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="ceilMode">Round the output sizes up.</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n − kernelSize)/stride⌋ + 1 (⌈⌉ in ceil mode).</returns>
    /// <exception cref="ArgumentException">normType is not positive and finite (normType); input is not 5-D or is empty (input); kernelSize is not positive or larger than the input (kernelSize); stride is not positive (stride).</exception>
    public static Tensor LpPool3d(Tensor input, float normType, int kernelSize, int? stride = null, bool ceilMode = false) =>
        LpPoolNode.Forward("LpPool3d", input, normType, PoolArguments.Repeat(kernelSize, 3), stride is int s ? PoolArguments.Repeat(s, 3) : null, ceilMode);

    /// <summary>3-D power-average pooling with separate (depth, height, width) window and stride; otherwise as the cubic overload.</summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="normType">p, positive and finite.</param>
    /// <param name="kernelSize">(depth, height, width) of the window.</param>
    /// <param name="stride">Per-axis step; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="ceilMode">Round the output sizes up.</param>
    /// <returns>(N, C, D', H', W'), each extent ⌊(n − k)/s⌋ + 1 with that axis's options.</returns>
    /// <exception cref="ArgumentException">normType is not positive and finite (normType); input is not 5-D or is empty (input); a kernel side is not positive or larger than the input (kernelSize); a stride is not positive (stride).</exception>
    public static Tensor LpPool3d(Tensor input, float normType, (int Depth, int Height, int Width) kernelSize, (int Depth, int Height, int Width)? stride = null, bool ceilMode = false) =>
        LpPoolNode.Forward("LpPool3d", input, normType, [kernelSize.Depth, kernelSize.Height, kernelSize.Width], stride is (int sd, int sh, int sw) ? [sd, sh, sw] : null, ceilMode);

    // ---- Adaptive and global pooling ----

    /// <summary>
    /// 1-D adaptive average pooling to a fixed length (PyTorch's adaptive_avg_pool1d): output l averages input cells
    /// [⌊l·L/outputSize⌋, ⌈(l+1)·L/outputSize⌉), so any input length reaches the same output length.
    /// Backward spreads dy / (window length) over each window.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="outputSize">L', the output length; may exceed L (windows then repeat cells).</param>
    /// <returns>(N, C, L').</returns>
    /// <exception cref="ArgumentException">input is not 3-D or is empty (input); outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveAvgPool1d(Tensor input, int outputSize) => AvgPoolNode.Adaptive("AdaptiveAvgPool1d", input, [outputSize]);

    /// <summary>
    /// 2-D adaptive average pooling to an outputSize × outputSize grid (PyTorch's adaptive_avg_pool2d): output (p, q)
    /// averages rows [⌊p·H/P⌋, ⌈(p+1)·H/P⌉) and columns [⌊q·W/Q⌋, ⌈(q+1)·W/Q⌉), so images of any size reach a fixed-size
    /// classifier; outputSize 1 is global average pooling (keeping the 1×1 spatial axes).
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="outputSize">Side of the square output grid.</param>
    /// <returns>(N, C, outputSize, outputSize).</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, int outputSize) => AvgPoolNode.Adaptive("AdaptiveAvgPool2d", input, [outputSize, outputSize]);

    /// <summary>2-D adaptive average pooling to a (height, width) grid; otherwise as the square overload.</summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="outputSize">(P, Q), the output grid.</param>
    /// <returns>(N, C, P, Q).</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); a side of outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveAvgPool2d(Tensor input, (int Height, int Width) outputSize) =>
        AvgPoolNode.Adaptive("AdaptiveAvgPool2d", input, [outputSize.Height, outputSize.Width]);

    /// <summary>3-D adaptive average pooling to an outputSize³ grid (PyTorch's adaptive_avg_pool3d), windows as in <see cref="AdaptiveAvgPool1d"/> along each axis.</summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="outputSize">Side of the cubic output grid.</param>
    /// <returns>(N, C, outputSize, outputSize, outputSize).</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveAvgPool3d(Tensor input, int outputSize) => AvgPoolNode.Adaptive("AdaptiveAvgPool3d", input, PoolArguments.Repeat(outputSize, 3));

    /// <summary>3-D adaptive average pooling to a (depth, height, width) grid; otherwise as the cubic overload.</summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="outputSize">(D', H', W'), the output grid.</param>
    /// <returns>(N, C, D', H', W').</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); a side of outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveAvgPool3d(Tensor input, (int Depth, int Height, int Width) outputSize) =>
        AvgPoolNode.Adaptive("AdaptiveAvgPool3d", input, [outputSize.Depth, outputSize.Height, outputSize.Width]);

    /// <summary>
    /// 1-D adaptive max pooling to a fixed length (PyTorch's adaptive_max_pool1d): output l is the maximum of input cells
    /// [⌊l·L/outputSize⌋, ⌈(l+1)·L/outputSize⌉). The gradient flows to the first maximum of each window.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="outputSize">L', the output length.</param>
    /// <returns>(N, C, L').</returns>
    /// <exception cref="ArgumentException">input is not 3-D or is empty (input); outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveMaxPool1d(Tensor input, int outputSize) => MaxPoolNode.Adaptive("AdaptiveMaxPool1d", input, [outputSize]).Output;

    /// <summary>2-D adaptive max pooling to an outputSize × outputSize grid, windows as in <see cref="AdaptiveAvgPool2d(Tensor, int)"/>.</summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="outputSize">Side of the square output grid.</param>
    /// <returns>(N, C, outputSize, outputSize).</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveMaxPool2d(Tensor input, int outputSize) => MaxPoolNode.Adaptive("AdaptiveMaxPool2d", input, [outputSize, outputSize]).Output;

    /// <summary>2-D adaptive max pooling to a (height, width) grid; otherwise as the square overload.</summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="outputSize">(P, Q), the output grid.</param>
    /// <returns>(N, C, P, Q).</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); a side of outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveMaxPool2d(Tensor input, (int Height, int Width) outputSize) =>
        MaxPoolNode.Adaptive("AdaptiveMaxPool2d", input, [outputSize.Height, outputSize.Width]).Output;

    /// <summary>3-D adaptive max pooling to an outputSize³ grid.</summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="outputSize">Side of the cubic output grid.</param>
    /// <returns>(N, C, outputSize, outputSize, outputSize).</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveMaxPool3d(Tensor input, int outputSize) => MaxPoolNode.Adaptive("AdaptiveMaxPool3d", input, PoolArguments.Repeat(outputSize, 3)).Output;

    /// <summary>3-D adaptive max pooling to a (depth, height, width) grid; otherwise as the cubic overload.</summary>
    /// <param name="input">(N, C, D, H, W) volumes.</param>
    /// <param name="outputSize">(D', H', W'), the output grid.</param>
    /// <returns>(N, C, D', H', W').</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); a side of outputSize is not positive (outputSize).</exception>
    public static Tensor AdaptiveMaxPool3d(Tensor input, (int Depth, int Height, int Width) outputSize) =>
        MaxPoolNode.Adaptive("AdaptiveMaxPool3d", input, [outputSize.Depth, outputSize.Height, outputSize.Width]).Output;

    /// <summary>
    /// 2-D adaptive max pooling to a (height, width) grid (as <see cref="AdaptiveMaxPool2d(Tensor, int)"/>) that also returns PyTorch's return_indices: the flat
    /// position h·W + w of each maximum within its (H, W) plane.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="outputSize">(P, Q), the output grid.</param>
    /// <returns>The pooled (N, C, P, Q) tensor and, in the same order, its argmax indices in [0, H·W).</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); a side of outputSize is not positive (outputSize).</exception>
    public static (Tensor Output, long[] Indices) AdaptiveMaxPool2dWithIndices(Tensor input, (int Height, int Width) outputSize)
    {
        var (y, indices) = MaxPoolNode.Adaptive("AdaptiveMaxPool2d", input, [outputSize.Height, outputSize.Width]);
        return (y, MaxPoolNode.Widen(indices));
    }

    /// <summary>
    /// Global average pooling (Network-in-Network, GoogLeNet): y[n,c] = mean of x[n,c,…] over every spatial position, for
    /// 1-D, 2-D or 3-D feature maps. Returns (N, C), ready for a classifier; AdaptiveAvgPool2d(x, 1) keeps the 1×1 axes instead.
    /// </summary>
    /// <param name="input">(N, C, spatial…) with at least one spatial axis.</param>
    /// <returns>(N, C).</returns>
    /// <exception cref="ArgumentException">input has fewer than 3 dimensions or an empty spatial axis (input).</exception>
    public static Tensor GlobalAvgPool(Tensor input) => AvgPoolNode.Global("GlobalAvgPool", input);

    /// <summary>
    /// Global max pooling: y[n,c] = max of x[n,c,…] over every spatial position (1-D, 2-D or 3-D). The gradient flows to the
    /// first maximum of each feature map.
    /// </summary>
    /// <param name="input">(N, C, spatial…) with at least one spatial axis.</param>
    /// <returns>(N, C).</returns>
    /// <exception cref="ArgumentException">input has fewer than 3 dimensions or an empty spatial axis (input).</exception>
    public static Tensor GlobalMaxPool(Tensor input) => MaxPoolNode.Global("GlobalMaxPool", input);

    // ---- Max unpooling ----

    /// <summary>
    /// 1-D max unpooling (PyTorch's max_unpool1d), the partial inverse of <see cref="MaxPool1dWithIndices"/>: a zero signal
    /// with each pooled value put back at its argmax, y[n, c, indices[n,c,l]] = x[n,c,l]. Backward gathers
    /// dx[n,c,l] = dy[n, c, indices[n,c,l]].
    /// </summary>
    /// <param name="input">(N, C, L) pooled values.</param>
    /// <param name="indices">Positions in the unpooled signal, one per input element in row-major order (from MaxPool1dWithIndices).</param>
    /// <param name="kernelSize">Window length of the pooling being inverted.</param>
    /// <param name="stride">Its stride; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Its padding.</param>
    /// <param name="outputSize">The unpooled length, to recover an odd input length; default (L − 1)·stride − 2·padding + kernelSize.</param>
    /// <returns>(N, C, L_out).</returns>
    /// <exception cref="ArgumentException">input is not 3-D or is empty (input); kernelSize, stride or padding is out of range (each named); outputSize is not within the default ± stride (outputSize); indices has the wrong length or an index outside [0, L_out) (indices).</exception>
    public static Tensor MaxUnpool1d(Tensor input, long[] indices, int kernelSize, int? stride = null, int padding = 0, int? outputSize = null) =>
        MaxUnpoolNode.Forward("MaxUnpool1d", input, indices, [kernelSize], stride is int s ? [s] : null, [padding], outputSize is int o ? [o] : null);

    /// <summary>
    /// 2-D max unpooling (PyTorch's max_unpool2d), the partial inverse of <see cref="MaxPool2dWithIndices"/>: a zero map with each
    /// pooled value put back at its argmax, y[n, c, indices[n,c,p,q]] = x[n,c,p,q] (flat h·W + w positions). Backward gathers
    /// dx = dy at the same positions.
    /// </summary>
    /// <param name="input">(N, C, P, Q) pooled values.</param>
    /// <param name="indices">Flat positions in the unpooled (H, W) plane, one per input element (from MaxPool2dWithIndices).</param>
    /// <param name="kernelSize">Window side of the pooling being inverted.</param>
    /// <param name="stride">Its stride; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Its padding.</param>
    /// <param name="outputSize">The unpooled (H, W), to recover odd sizes; default ((P − 1)·stride − 2·padding + kernelSize, likewise for Q).</param>
    /// <returns>(N, C, H, W).</returns>
    /// <exception cref="ArgumentException">input is not 4-D or is empty (input); kernelSize, stride or padding is out of range (each named); outputSize is not within the default ± stride (outputSize); indices has the wrong length or an index outside the plane (indices).</exception>
    public static Tensor MaxUnpool2d(Tensor input, long[] indices, int kernelSize, int? stride = null, int padding = 0, (int Height, int Width)? outputSize = null) =>
        MaxUnpoolNode.Forward("MaxUnpool2d", input, indices, [kernelSize, kernelSize], stride is int s ? [s, s] : null, [padding, padding],
            outputSize is (int h, int w) ? [h, w] : null);

    /// <summary>
    /// 3-D max unpooling (PyTorch's max_unpool3d), the partial inverse of <see cref="MaxPool3dWithIndices"/>: y[n, c, indices[n,c,t,p,q]] = x[n,c,t,p,q]
    /// with flat (d·H + h)·W + w positions, zeros elsewhere. Backward gathers dx = dy at the same positions.
    /// </summary>
    /// <param name="input">(N, C, D', H', W') pooled values.</param>
    /// <param name="indices">Flat positions in the unpooled (D, H, W) volume, one per input element.</param>
    /// <param name="kernelSize">Window side of the pooling being inverted.</param>
    /// <param name="stride">Its stride; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">Its padding.</param>
    /// <param name="outputSize">The unpooled (D, H, W); default (n − 1)·stride − 2·padding + kernelSize per axis.</param>
    /// <returns>(N, C, D, H, W).</returns>
    /// <exception cref="ArgumentException">input is not 5-D or is empty (input); kernelSize, stride or padding is out of range (each named); outputSize is not within the default ± stride (outputSize); indices has the wrong length or an index outside the volume (indices).</exception>
    public static Tensor MaxUnpool3d(Tensor input, long[] indices, int kernelSize, int? stride = null, int padding = 0, (int Depth, int Height, int Width)? outputSize = null) =>
        MaxUnpoolNode.Forward("MaxUnpool3d", input, indices, PoolArguments.Repeat(kernelSize, 3), stride is int s ? PoolArguments.Repeat(s, 3) : null,
            PoolArguments.Repeat(padding, 3), outputSize is (int d, int h, int w) ? [d, h, w] : null);

    // ---- Cross-channel pooling ----

    /// <summary>
    /// Maxout / cross-channel max pooling: y[n,c,…] = max_{j &lt; poolSize} x[n, c·poolSize + j, …], the maximum over each group of
    /// poolSize consecutive feature maps (or features, for an (N, F) input after a linear layer). The gradient flows to the
    /// winning channel; ties go to the first.
    /// </summary>
    /// <param name="input">(N, C·poolSize, …) with any number of trailing axes.</param>
    /// <param name="poolSize">k, channels per group.</param>
    /// <returns>(N, C, …).</returns>
    /// <exception cref="ArgumentException">input has fewer than 2 dimensions (input); poolSize is not positive or does not divide the channel count (poolSize).</exception>
    public static Tensor Maxout(Tensor input, int poolSize) => MaxoutNode.Forward(input, poolSize);
}
