// Functional pooling: torch.nn.functional.max_pool2d in .NET naming.
using Striate.Autograd.Ops;

namespace Striate;

public static partial class Functional
{
    /// <summary>
    /// 2-D max pooling over square windows: y[n,c,p,q] = max_{r,s &lt; kernelSize} x[n, c, p·stride − padding + r, q·stride − padding + s],
    /// with padded cells counting as −∞. The gradient flows to the first maximum of each window.
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">Window side.</param>
    /// <param name="stride">Step between windows; defaults to <paramref name="kernelSize"/> (non-overlapping windows), as in PyTorch.</param>
    /// <param name="padding">−∞ cells added on every side; at most kernelSize / 2.</param>
    /// <returns>(N, C, P, Q) with P = (H + 2·padding − kernelSize)/stride + 1 and Q likewise from W.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D or has an empty image; kernelSize or stride is not positive; padding is negative
    /// or more than half the kernel; the window is larger than the padded input.
    /// </exception>
    public static Tensor MaxPool2d(Tensor input, int kernelSize, int? stride = null, int padding = 0) =>
        MaxPool2dNode.Forward(input, (kernelSize, kernelSize), stride is int s ? (s, s) : null, (padding, padding));

    /// <summary>
    /// 2-D max pooling over rectangular windows with separate vertical and horizontal stride and padding:
    /// y[n,c,p,q] = max_{r &lt; kernelSize.Height, s &lt; kernelSize.Width} x[n, c, p·stride.Height − padding.Height + r, q·stride.Width − padding.Width + s].
    /// </summary>
    /// <param name="input">(N, C, H, W) feature maps.</param>
    /// <param name="kernelSize">(height, width) of the window.</param>
    /// <param name="stride">(vertical, horizontal) step between windows; defaults to <paramref name="kernelSize"/>.</param>
    /// <param name="padding">−∞ rows above and below, columns left and right; none by default, at most half the window.</param>
    /// <returns>(N, C, P, Q) with P = (H + 2·padding.Height − kernelSize.Height)/stride.Height + 1 and Q likewise from W.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D or has an empty image; a kernel side or stride is not positive; a padding is
    /// negative or more than half the window; the window is larger than the padded input.
    /// </exception>
    public static Tensor MaxPool2d(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride = null, (int Height, int Width) padding = default) =>
        MaxPool2dNode.Forward(input, kernelSize, stride, padding);
}
