// Functional unshared convolutions: the locally connected layer and tiled convolution of the
// chapter, which no major framework ships. Formulas in Autograd/Ops/LocallyConnected.cs and TiledConv.cs.
using Striate.Autograd.Ops;

namespace Striate;

public static partial class Functional
{
    /// <summary>
    /// 2-D locally connected layer (unshared convolution): the connections of a convolution, but each
    /// output unit (k, p, q) has its own kernel and bias, the chapter's Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · w[i,j,k,l,m,n]:
    /// y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s].
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, P, Q, C, R, S): one C×R×S kernel per output channel and position.</param>
    /// <param name="bias">(K, P, Q): one bias per output unit, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns added on every side of the input.</param>
    /// <returns>(N, K, P, Q); P = (H + 2·padding − R)/stride + 1 and Q = (W + 2·padding − S)/stride + 1 must equal the weight's P and Q.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D, weight is not 6-D (ParamName says which); the input's channels differ from the
    /// weight's, or the input's size does not give the weight's P×Q output (input); bias is not (K, P, Q) (bias);
    /// stride is not positive (stride); padding is negative (padding); the kernel is larger than the padded input (weight).
    /// </exception>
    public static Tensor LocallyConnected2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        LocallyConnectedNode.Forward2d(input, weight, bias, (stride, stride), (padding, padding));

    /// <summary>
    /// 2-D locally connected layer with separate vertical and horizontal stride and padding:
    /// y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·stride.Height − padding.Height + r, q·stride.Width − padding.Width + s].
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, P, Q, C, R, S) per-unit kernels.</param>
    /// <param name="bias">(K, P, Q) per-unit bias, or null for none.</param>
    /// <param name="stride">(vertical, horizontal) step between output positions.</param>
    /// <param name="padding">Zero rows above and below, zero columns left and right; none by default.</param>
    /// <returns>(N, K, P, Q) with P = (H + 2·padding.Height − R)/stride.Height + 1 and Q = (W + 2·padding.Width − S)/stride.Width + 1, which must equal the weight's.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D, weight is not 6-D; channels or output grid do not match the weight (input); bias is
    /// not (K, P, Q) (bias); a stride is not positive (stride); a padding is negative (padding); the kernel is
    /// larger than the padded input (weight).
    /// </exception>
    public static Tensor LocallyConnected2d(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding = default) =>
        LocallyConnectedNode.Forward2d(input, weight, bias, stride, padding);

    /// <summary>
    /// 1-D locally connected layer: y[n,k,q] = b[k,q] + Σ_{c,s} w[k,q,c,s] · x[n, c, q·stride − padding + s],
    /// each output position q with its own kernel and bias.
    /// </summary>
    /// <param name="input">(N, C, L) sequences.</param>
    /// <param name="weight">(K, Lout, C, S): one C×S kernel per output channel and position.</param>
    /// <param name="bias">(K, Lout) per-unit bias, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions.</param>
    /// <param name="padding">Zeros added at both ends of the input.</param>
    /// <returns>(N, K, Lout); Lout = (L + 2·padding − S)/stride + 1 must equal the weight's.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 3-D, weight is not 4-D; channels or output length do not match the weight (input); bias
    /// is not (K, Lout) (bias); stride is not positive (stride); padding is negative (padding); the kernel is
    /// longer than the padded input (weight).
    /// </exception>
    public static Tensor LocallyConnected1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        LocallyConnectedNode.Forward1d(input, weight, bias, stride, padding);

    /// <summary>
    /// 2-D tiled convolution: tH×tW kernels cycled over the output grid, the chapter's
    /// Z[i,j,k] = Σ_{l,m,n} V[l, j+m−1, k+n−1] · K[i, l, m, n, j%t+1, k%t+1]:
    /// y[n,k,p,q] = b[k,a,b] + Σ_{c,r,s} w[k,a,b,c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s]
    /// with a = p mod tH and b = q mod tW. tH = tW = 1 is an ordinary convolution; tiles equal to the output
    /// size give a locally connected layer.
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, tH, tW, C, R, S): the chapter's K[i,l,m,n,a,b] stored at [i,a,b,l,m,n], one contiguous kernel per tile position.</param>
    /// <param name="bias">(K, tH, tW): a bias shared with the tiling pattern, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions, in both directions.</param>
    /// <param name="padding">Zero rows and columns added on every side of the input.</param>
    /// <returns>(N, K, P, Q) with P = (H + 2·padding − R)/stride + 1 and Q = (W + 2·padding − S)/stride + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D, weight is not 6-D or has an empty dimension (ParamName says which); the input's
    /// channels differ from the weight's (input); bias is not (K, tH, tW) (bias); stride is not positive
    /// (stride); padding is negative (padding); the kernel is larger than the padded input (weight).
    /// </exception>
    public static Tensor TiledConv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        TiledConvNode.Forward2d(input, weight, bias, (stride, stride), (padding, padding));

    /// <summary>
    /// 2-D tiled convolution with separate vertical and horizontal stride and padding:
    /// y[n,k,p,q] = b[k,a,b] + Σ_{c,r,s} w[k,a,b,c,r,s] · x[n, c, p·stride.Height − padding.Height + r, q·stride.Width − padding.Width + s],
    /// a = p mod tH, b = q mod tW.
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, tH, tW, C, R, S) tiled kernels.</param>
    /// <param name="bias">(K, tH, tW) tiled bias, or null for none.</param>
    /// <param name="stride">(vertical, horizontal) step between output positions.</param>
    /// <param name="padding">Zero rows above and below, zero columns left and right; none by default.</param>
    /// <returns>(N, K, P, Q) with P = (H + 2·padding.Height − R)/stride.Height + 1 and Q = (W + 2·padding.Width − S)/stride.Width + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 4-D, weight is not 6-D; channels differ (input); bias is not (K, tH, tW) (bias); a stride
    /// is not positive (stride); a padding is negative (padding); the kernel is larger than the padded input (weight).
    /// </exception>
    public static Tensor TiledConv2d(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding = default) =>
        TiledConvNode.Forward2d(input, weight, bias, stride, padding);

    /// <summary>
    /// 1-D tiled convolution: t kernels cycled along the output, y[n,k,q] = b[k, q mod t] + Σ_{c,s} w[k, q mod t, c, s] · x[n, c, q·stride − padding + s].
    /// </summary>
    /// <param name="input">(N, C, L) sequences.</param>
    /// <param name="weight">(K, t, C, S): t kernels of C×S per output channel.</param>
    /// <param name="bias">(K, t) tiled bias, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions.</param>
    /// <param name="padding">Zeros added at both ends of the input.</param>
    /// <returns>(N, K, Lout) with Lout = (L + 2·padding − S)/stride + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 3-D, weight is not 4-D; channels differ (input); bias is not (K, t) (bias); stride is not
    /// positive (stride); padding is negative (padding); the kernel is longer than the padded input (weight).
    /// </exception>
    public static Tensor TiledConv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0) =>
        TiledConvNode.Forward1d(input, weight, bias, stride, padding);
}
