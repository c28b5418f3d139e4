// Functional convolution: torch.nn.functional.conv2d in .NET naming.
using Striate.Autograd.Ops;

namespace Striate;

public static partial class Functional
{
    /// <summary>
    /// 2-D convolution (cross-correlation, as in PyTorch) with the same stride and zero padding in
    /// both directions: y[n,k,p,q] = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s].
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, C, R, S) filters: K output channels, each C×R×S.</param>
    /// <param name="bias">(K) bias added to each output channel, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns added on every side of the input.</param>
    /// <returns>(N, K, P, Q) with P = (H + 2·padding − R)/stride + 1 and Q = (W + 2·padding − S)/stride + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight is not 4-D; weight's C differs from input's; bias is not (K); stride is not
    /// positive; padding is negative; the kernel is larger than the padded input.
    /// </exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        Conv2dNode.Forward(input, weight, bias, (stride, stride), (padding, padding));

    /// <summary>
    /// 2-D convolution with separate vertical and horizontal stride and padding:
    /// y[n,k,p,q] = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·stride.Height − padding.Height + r, q·stride.Width − padding.Width + s].
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, C, R, S) filters.</param>
    /// <param name="bias">(K) bias, or null for none.</param>
    /// <param name="stride">(vertical, horizontal) step between output positions.</param>
    /// <param name="padding">Zero rows above and below, zero columns left and right; none by default.</param>
    /// <returns>(N, K, P, Q) with P = (H + 2·padding.Height − R)/stride.Height + 1 and Q = (W + 2·padding.Width − S)/stride.Width + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight is not 4-D; weight's C differs from input's; bias is not (K); a stride is not
    /// positive; a padding is negative; the kernel is larger than the padded input.
    /// </exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding = default) =>
        Conv2dNode.Forward(input, weight, bias, stride, padding);
}
