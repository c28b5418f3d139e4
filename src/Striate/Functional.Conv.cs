// Functional convolution: torch.nn.functional.conv1d/conv2d/conv3d in .NET naming, plus the padding
// rules ("valid", "same", "full", per side), padding modes and true convolution that PyTorch keeps
// in its modules or leaves out.
//   y[n,k,o] = b[k] + Σ_{c' < C/G, t} w[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation]   per spatial axis
//   out = ⌊(in + padBefore + padAfter − dilation·(k − 1) − 1) / stride⌋ + 1
// and the transposed convolutions conv_transpose1d/2d/3d (the gradient of a convolution with respect
// to its input, run forward):
//   y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · w[ci, co − g·Cout/G, t] (+ b[co])
//   out = (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1
// Every convolution takes an algorithm (Auto by default: chosen per pass by shape, see
// ConvAlgorithms.Choose); Conv2dRelu and ConvRelu fuse the ReLU that usually follows into the forward:
//   y = max(conv(x, w) + b, 0)
using Striate.Autograd.Ops;
using Striate.Kernels.Conv;

namespace Striate;

public static partial class Functional
{
    /// <summary>
    /// 1-D convolution (cross-correlation by default) of signals (N, C, L):
    /// y[n,k,o] = b[k] + Σ_{c' &lt; C/G, t} w[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation],
    /// g(k) = ⌊k / (K/G)⌋ the group of filter k.
    /// </summary>
    /// <param name="input">(N, C, L) signals.</param>
    /// <param name="weight">(K, C/groups, KL) filters.</param>
    /// <param name="bias">(K) bias, or null for none.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">A number per side, "valid", "same" (stride 1 only), "full", or <see cref="ConvPadding.Explicit"/> (before, after).</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <param name="groups">G: input and output channels split into G independent groups (G = C: depthwise).</param>
    /// <param name="paddingMode">What the padding holds: zeros, or the input reflected, replicated or wrapped.</param>
    /// <param name="convolutionMode">Cross-correlation, or true convolution with the kernel flipped.</param>
    /// <param name="algorithm">How to compute it (Auto: chosen by shape); every algorithm gives the same result up to float32 rounding.</param>
    /// <returns>(N, K, OL), OL = ⌊(L + padBefore + padAfter − dilation·(KL − 1) − 1) / stride⌋ + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight is not 3-D; weight's C/groups·groups differs from input's C (<c>input</c>); groups is not positive or does not
    /// divide C and K (<c>groups</c>); bias is not (K) (<c>bias</c>); stride or dilation is not positive; padding is negative,
    /// has the wrong number of axes, is "same" with a stride above 1, or does not fit the padding mode (<c>padding</c>);
    /// the (dilated) kernel is larger than the padded input (<c>weight</c>); the algorithm cannot compute this convolution (<c>algorithm</c>).
    /// </exception>
    public static Tensor Conv1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding padding = default,
        int dilation = 1, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros, ConvolutionMode convolutionMode = ConvolutionMode.CrossCorrelation,
        ConvAlgorithm algorithm = ConvAlgorithm.Auto) =>
        ConvNode.Forward("Conv1d", 1, input, weight, bias, [stride], padding, [dilation], groups, paddingMode, convolutionMode, algorithm);

    /// <summary>
    /// 2-D convolution (cross-correlation by default) of images (N, C, H, W) with the same stride and
    /// dilation in both directions:
    /// y[n,k,p,q] = b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, g(k)·C/G + c', p·stride − padTop + r·dilation, q·stride − padLeft + s·dilation].
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, C/groups, R, S) filters: K output channels, each C/groups×R×S.</param>
    /// <param name="bias">(K) bias added to each output channel, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions, in both directions.</param>
    /// <param name="padding">A number of zero rows and columns on every side, "valid", "same" (stride 1 only; an even kernel's extra row and column go below and right), "full", or per axis/side.</param>
    /// <param name="dilation">Step between kernel taps (atrous convolution), in both directions.</param>
    /// <param name="groups">G: input and output channels split into G independent groups (G = C: depthwise).</param>
    /// <param name="paddingMode">What the padding holds: zeros, or the input reflected, replicated or wrapped.</param>
    /// <param name="convolutionMode">Cross-correlation, or true convolution with the kernel flipped.</param>
    /// <param name="algorithm">How to compute it (Auto: chosen by shape; Benchmark: timed on first use); every algorithm gives the same result up to float32 rounding.</param>
    /// <returns>(N, K, P, Q) with P = ⌊(H + padTop + padBottom − dilation·(R − 1) − 1)/stride⌋ + 1 and Q likewise.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight is not 4-D; weight's C/groups·groups differs from input's C (<c>input</c>); groups is not positive or does not
    /// divide C and K (<c>groups</c>); bias is not (K) (<c>bias</c>); stride or dilation is not positive; padding is negative,
    /// has the wrong number of axes, is "same" with a stride above 1, or does not fit the padding mode (<c>padding</c>);
    /// the (dilated) kernel is larger than the padded input (<c>weight</c>); the algorithm cannot compute this convolution (<c>algorithm</c>).
    /// </exception>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding padding = default,
        int dilation = 1, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros, ConvolutionMode convolutionMode = ConvolutionMode.CrossCorrelation,
        ConvAlgorithm algorithm = ConvAlgorithm.Auto) =>
        ConvNode.Forward("Conv2d", 2, input, weight, bias, [stride], padding, [dilation], groups, paddingMode, convolutionMode, algorithm);

    /// <summary>
    /// 2-D convolution followed by ReLU in one pass: y[n,k,p,q] = max(b[k] + Σ_{c',r,s} w[k,c',r,s] · x[n, g(k)·C/G + c', p·stride − padTop + r·dilation,
    /// q·stride − padLeft + s·dilation], 0). The same values as <c>Relu(Conv2d(...))</c>, but the ReLU is applied while each output
    /// is still in registers (direct, Winograd) or in cache (per image, im2col), so y is written once and never re-read; the
    /// backward masks the gradient with y &gt; 0 and runs the convolution's backward.
    /// </summary>
    /// <param name="input">(N, C, H, W) images.</param>
    /// <param name="weight">(K, C/groups, R, S) filters.</param>
    /// <param name="bias">(K) bias, or null for none.</param>
    /// <param name="stride">Step between neighbouring output positions, in both directions.</param>
    /// <param name="padding">A number of zero rows and columns on every side, "valid", "same" (stride 1 only), "full", or per axis/side.</param>
    /// <param name="dilation">Step between kernel taps, in both directions.</param>
    /// <param name="groups">G: input and output channels split into G independent groups.</param>
    /// <param name="algorithm">How to compute the convolution (Auto: chosen by shape).</param>
    /// <returns>(N, K, P, Q), every value ≥ 0 (or NaN where the convolution is NaN).</returns>
    /// <exception cref="ArgumentException">As <see cref="Conv2d(Tensor, Tensor, Tensor?, int, ConvPadding, int, int, PaddingMode, ConvolutionMode, ConvAlgorithm)"/>.</exception>
    public static Tensor Conv2dRelu(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding padding = default,
        int dilation = 1, int groups = 1, ConvAlgorithm algorithm = ConvAlgorithm.Auto) =>
        ConvNode.Forward("Conv2d", 2, input, weight, bias, [stride], padding, [dilation], groups, PaddingMode.Zeros, ConvolutionMode.CrossCorrelation,
            algorithm, ConvEpilogue.Relu);

    /// <summary>
    /// 2-D convolution with separate vertical and horizontal stride and zero padding:
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
        ConvNode.Forward("Conv2d", 2, input, weight, bias, [stride.Height, stride.Width], ConvPadding.Symmetric(padding.Height, padding.Width),
            [1], 1, PaddingMode.Zeros, ConvolutionMode.CrossCorrelation);

    /// <summary>
    /// 3-D convolution (cross-correlation by default) of volumes or clips (N, C, D, H, W) with the same
    /// stride and dilation along every axis:
    /// y[n,k,o] = b[k] + Σ_{c',t} w[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation] for o, t ∈ (depth, height, width).
    /// </summary>
    /// <param name="input">(N, C, D, H, W) volumes (or video clips: D is time).</param>
    /// <param name="weight">(K, C/groups, KD, KH, KW) filters.</param>
    /// <param name="bias">(K) bias, or null for none.</param>
    /// <param name="stride">Step between output positions along every axis.</param>
    /// <param name="padding">A number per side, "valid", "same" (stride 1 only), "full", or per axis/side.</param>
    /// <param name="dilation">Step between kernel taps along every axis.</param>
    /// <param name="groups">G: input and output channels split into G independent groups.</param>
    /// <param name="paddingMode">What the padding holds: zeros, or the input reflected, replicated or wrapped.</param>
    /// <param name="convolutionMode">Cross-correlation, or true convolution with the kernel flipped along all three axes.</param>
    /// <param name="algorithm">How to compute it (Auto: chosen by shape); 3-D convolutions run im2col + GEMM.</param>
    /// <returns>(N, K, OD, OH, OW), each ⌊(n + padBefore + padAfter − dilation·(k − 1) − 1)/stride⌋ + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight is not 5-D; weight's C/groups·groups differs from input's C (<c>input</c>); groups is not positive or does not
    /// divide C and K (<c>groups</c>); bias is not (K) (<c>bias</c>); stride or dilation is not positive; padding is negative,
    /// has the wrong number of axes, is "same" with a stride above 1, or does not fit the padding mode (<c>padding</c>);
    /// the (dilated) kernel is larger than the padded input (<c>weight</c>); the algorithm cannot compute this convolution (<c>algorithm</c>).
    /// </exception>
    public static Tensor Conv3d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, ConvPadding padding = default,
        int dilation = 1, int groups = 1, PaddingMode paddingMode = PaddingMode.Zeros, ConvolutionMode convolutionMode = ConvolutionMode.CrossCorrelation,
        ConvAlgorithm algorithm = ConvAlgorithm.Auto) =>
        ConvNode.Forward("Conv3d", 3, input, weight, bias, [stride], padding, [dilation], groups, paddingMode, convolutionMode, algorithm);

    /// <summary>
    /// N-d convolution (1, 2 or 3 spatial axes, from the input's rank) with every option per axis:
    /// y[n,k,o] = b[k] + Σ_{c',t} w[k,c',t] · x[n, g(k)·C/G + c', o·stride_a − padBefore_a + t·dilation_a] along each axis a.
    /// Differs from <see cref="Conv2d(Tensor, Tensor, Tensor?, int, ConvPadding, int, int, PaddingMode, ConvolutionMode, ConvAlgorithm)"/> only in taking
    /// stride and dilation per axis (e.g. a 1×7 then 7×1 factorised kernel with stride (1, 2)).
    /// </summary>
    /// <param name="input">(N, C, L), (N, C, H, W) or (N, C, D, H, W).</param>
    /// <param name="weight">(K, C/groups, *kernel), the same rank as the input.</param>
    /// <param name="bias">(K) bias, or null for none.</param>
    /// <param name="options">Stride, padding, dilation, groups, padding mode, convolution mode and algorithm.</param>
    /// <returns>(N, K, *out), out = ⌊(in + padBefore + padAfter − dilation·(k − 1) − 1)/stride⌋ + 1 per axis.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 3-, 4- or 5-D (<c>input</c>); otherwise as <see cref="Conv2d(Tensor, Tensor, Tensor?, int, ConvPadding, int, int, PaddingMode, ConvolutionMode, ConvAlgorithm)"/>,
    /// with a stride or dilation list that is neither one value nor one per axis naming <c>stride</c> or <c>dilation</c>.
    /// </exception>
    public static Tensor Convolution(Tensor input, Tensor weight, Tensor? bias, ConvOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        if (input.Rank is < 3 or > 5)
            throw new ArgumentException($"Convolution expects input of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int spatialRank = input.Rank - 2;
        return ConvNode.Forward($"Conv{spatialRank}d", spatialRank, input, weight, bias, options.Stride, options.Padding, options.Dilation,
            options.Groups, options.PaddingMode, options.ConvolutionMode, options.Algorithm);
    }

    /// <summary>
    /// N-d convolution followed by ReLU in one pass: y = max(conv(x, w) + b, 0) with every option of
    /// <see cref="Convolution"/>; the same values as <c>Relu(Convolution(...))</c> with y written once (see <see cref="Conv2dRelu"/>).
    /// </summary>
    /// <param name="input">(N, C, L), (N, C, H, W) or (N, C, D, H, W).</param>
    /// <param name="weight">(K, C/groups, *kernel), the same rank as the input.</param>
    /// <param name="bias">(K) bias, or null for none.</param>
    /// <param name="options">Stride, padding, dilation, groups, padding mode, convolution mode and algorithm.</param>
    /// <returns>(N, K, *out), every value ≥ 0 (or NaN where the convolution is NaN).</returns>
    /// <exception cref="ArgumentException">As <see cref="Convolution"/>.</exception>
    public static Tensor ConvRelu(Tensor input, Tensor weight, Tensor? bias, ConvOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        if (input.Rank is < 3 or > 5)
            throw new ArgumentException($"ConvRelu expects input of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int spatialRank = input.Rank - 2;
        return ConvNode.Forward($"Conv{spatialRank}d", spatialRank, input, weight, bias, options.Stride, options.Padding, options.Dilation,
            options.Groups, options.PaddingMode, options.ConvolutionMode, options.Algorithm, ConvEpilogue.Relu);
    }

    /// <summary>
    /// Splits a 2-D filter into a column and a row when it is separable (rank 1): kernel[r,s] ≈ column[r]·row[s] with
    /// max|kernel − column·rowᵀ| ≤ tolerance·max|kernel|. Convolving with the column then the row equals convolving with the
    /// filter (associativity) at R + S instead of R·S multiply-adds per output; a Conv2d layer with frozen separable filters
    /// does this automatically. Gaussian, box and Sobel filters are separable; a Laplacian or a Gabor filter is not.
    /// </summary>
    /// <param name="kernel">(R, S) filter.</param>
    /// <param name="column">(R) vertical factor when separable, else null.</param>
    /// <param name="row">(S) horizontal factor when separable, else null.</param>
    /// <param name="tolerance">Largest accepted residual relative to the largest |tap| (default 1e-5).</param>
    /// <returns>True when the filter is rank 1 within the tolerance.</returns>
    /// <exception cref="ArgumentException">kernel is not 2-D (<c>kernel</c>), or the tolerance is negative or NaN (<c>tolerance</c>).</exception>
    public static bool TrySeparate(Tensor kernel, out Tensor? column, out Tensor? row, float tolerance = SeparableConvKernel.DefaultTolerance)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        if (kernel.Rank != 2) throw new ArgumentException($"TrySeparate expects a 2-D (R, S) filter, got {Tensor.ShapeText(kernel.Dims)}.", nameof(kernel));
        if (!(tolerance >= 0)) throw new ArgumentException($"tolerance must be non-negative, got {tolerance}.", nameof(tolerance));
        int r = kernel.Dims[0], s = kernel.Dims[1];
        var u = Tensor.Zeros(r);
        var v = Tensor.Zeros(s);
        if (SeparableConvKernel.TryDecompose(kernel.Data, r, s, u.Data, v.Data, tolerance))
        {
            (column, row) = (u, v);
            return true;
        }
        (column, row) = (null, null);
        return false;
    }

    /// <summary>
    /// 1-D transposed convolution (PyTorch's conv_transpose1d), the gradient of conv1d with respect to its input run as a forward:
    /// y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · w[ci, co − g·Cout/G, t] for every input position i and tap t, then + b[co].
    /// It upsamples: out = (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 per axis.
    /// </summary>
    /// <param name="input">(N, Cin, L) signals.</param>
    /// <param name="weight">(Cin, Cout/groups, K): PyTorch's layout, input channels first.</param>
    /// <param name="bias">(Cout) bias with Cout = weight.Dims[1]·groups, or null for none.</param>
    /// <param name="stride">Upsampling factor: neighbouring inputs land stride outputs apart.</param>
    /// <param name="padding">Outputs removed from both ends (the padding of the convolution this transposes).</param>
    /// <param name="outputPadding">Outputs added at the end, smaller than stride or dilation.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <returns>(N, Cout, (L − 1)·stride − 2·padding + dilation·(K − 1) + outputPadding + 1).</returns>
    /// <exception cref="ArgumentException">
    /// input or weight has the wrong rank, or weight's first dimension differs from input's channels (<c>input</c>/<c>weight</c>); groups is not
    /// positive or does not divide the input channels (<c>groups</c>); bias is not (Cout) (<c>bias</c>); stride or dilation is not positive;
    /// padding is negative or leaves no output (<c>padding</c>); outputPadding is negative or not smaller than stride or dilation (<c>outputPadding</c>).
    /// </exception>
    public static Tensor ConvTranspose1d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, int dilation = 1) =>
        ConvTransposeNode.Forward("ConvTranspose1d", 1, input, weight, bias, [stride], [padding], [outputPadding], groups, [dilation]);

    /// <summary>
    /// 2-D transposed convolution (PyTorch's conv_transpose2d), the gradient of conv2d with respect to its input run as a forward:
    /// y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · w[ci, co − g·Cout/G, t] for every input position i and tap t, then + b[co].
    /// It upsamples: out = (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 per axis.
    /// </summary>
    /// <param name="input">(N, Cin, H, W) images.</param>
    /// <param name="weight">(Cin, Cout/groups, R, S): PyTorch's layout, input channels first.</param>
    /// <param name="bias">(Cout) bias with Cout = weight.Dims[1]·groups, or null for none.</param>
    /// <param name="stride">Upsampling factor: neighbouring inputs land stride outputs apart.</param>
    /// <param name="padding">Outputs removed from both ends (the padding of the convolution this transposes).</param>
    /// <param name="outputPadding">Outputs added at the end, smaller than stride or dilation.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <returns>(N, Cout, P, Q), P = (H − 1)·stride − 2·padding + dilation·(R − 1) + outputPadding + 1 and Q likewise.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight has the wrong rank, or weight's first dimension differs from input's channels (<c>input</c>/<c>weight</c>); groups is not
    /// positive or does not divide the input channels (<c>groups</c>); bias is not (Cout) (<c>bias</c>); stride or dilation is not positive;
    /// padding is negative or leaves no output (<c>padding</c>); outputPadding is negative or not smaller than stride or dilation (<c>outputPadding</c>).
    /// </exception>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, int dilation = 1) =>
        ConvTransposeNode.Forward("ConvTranspose2d", 2, input, weight, bias, [stride], [padding], [outputPadding], groups, [dilation]);

    /// <summary>
    /// 3-D transposed convolution (PyTorch's conv_transpose3d), the gradient of conv3d with respect to its input run as a forward:
    /// y[n, co, i·stride − padding + t·dilation] += x[n, ci, i] · w[ci, co − g·Cout/G, t] for every input position i and tap t, then + b[co].
    /// It upsamples: out = (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 per axis.
    /// </summary>
    /// <param name="input">(N, Cin, D, H, W) volumes.</param>
    /// <param name="weight">(Cin, Cout/groups, KD, KH, KW): PyTorch's layout, input channels first.</param>
    /// <param name="bias">(Cout) bias with Cout = weight.Dims[1]·groups, or null for none.</param>
    /// <param name="stride">Upsampling factor: neighbouring inputs land stride outputs apart.</param>
    /// <param name="padding">Outputs removed from both ends (the padding of the convolution this transposes).</param>
    /// <param name="outputPadding">Outputs added at the end, smaller than stride or dilation.</param>
    /// <param name="groups">G: channels split into G independent groups.</param>
    /// <param name="dilation">Step between kernel taps.</param>
    /// <returns>(N, Cout, OD, OH, OW), each (n − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1.</returns>
    /// <exception cref="ArgumentException">
    /// input or weight has the wrong rank, or weight's first dimension differs from input's channels (<c>input</c>/<c>weight</c>); groups is not
    /// positive or does not divide the input channels (<c>groups</c>); bias is not (Cout) (<c>bias</c>); stride or dilation is not positive;
    /// padding is negative or leaves no output (<c>padding</c>); outputPadding is negative or not smaller than stride or dilation (<c>outputPadding</c>).
    /// </exception>
    public static Tensor ConvTranspose3d(Tensor input, Tensor weight, Tensor? bias = null, int stride = 1, int padding = 0, int outputPadding = 0,
        int groups = 1, int dilation = 1) =>
        ConvTransposeNode.Forward("ConvTranspose3d", 3, input, weight, bias, [stride], [padding], [outputPadding], groups, [dilation]);

    /// <summary>
    /// N-d transposed convolution (1, 2 or 3 spatial axes, from the input's rank) with every option per axis:
    /// y[n, co, i·stride_a − padding_a + t·dilation_a] += x[n, ci, i] · w[ci, co − g·Cout/G, t] along each axis a, then + b[co].
    /// Differs from <see cref="ConvTranspose2d"/> only in taking stride, padding, output padding and dilation per axis.
    /// </summary>
    /// <param name="input">(N, Cin, L), (N, Cin, H, W) or (N, Cin, D, H, W).</param>
    /// <param name="weight">(Cin, Cout/groups, *kernel), the same rank as the input.</param>
    /// <param name="bias">(Cout) bias, or null for none.</param>
    /// <param name="options">Stride, padding, output padding, dilation and groups.</param>
    /// <returns>(N, Cout, *out), out = (in − 1)·stride − 2·padding + dilation·(k − 1) + outputPadding + 1 per axis.</returns>
    /// <exception cref="ArgumentException">
    /// input is not 3-, 4- or 5-D (<c>input</c>); otherwise as <see cref="ConvTranspose2d"/>, with an option list that is neither one value
    /// nor one per axis naming that option.
    /// </exception>
    public static Tensor ConvTranspose(Tensor input, Tensor weight, Tensor? bias, ConvTransposeOptions options)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        if (input.Rank is < 3 or > 5)
            throw new ArgumentException($"ConvTranspose expects input of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int spatialRank = input.Rank - 2;
        return ConvTransposeNode.Forward($"ConvTranspose{spatialRank}d", spatialRank, input, weight, bias, options.Stride, options.Padding,
            options.OutputPadding, options.Groups, options.Dilation);
    }
}
