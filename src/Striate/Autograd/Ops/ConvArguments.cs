// Checks the tensors and options of a 1-D/2-D/3-D convolution and turns them into the kernel's
// ConvGeometry, so every error names the parameter a user passed (input, weight, bias, stride,
// padding, dilation, groups) before any kernel runs.
//   x: (N, C, *spatial)  w: (K, C/G, *kernel)  b: (K)  y: (N, K, *out)
//   per axis: (before, after) = padding.Resolve(k, d);  out = ⌊(n + before + after − d(k−1) − 1)/s⌋ + 1
// Zero padding stays in the geometry (im2col reads zeros). Any other padding mode is materialised:
// the plan carries a PadGeometry for a padded copy, and the convolution itself then has no padding.
using Striate.Kernels.Conv;
using Striate.Kernels.Pad;

namespace Striate.Autograd.Ops;

/// <summary>A checked convolution: its geometry, the padded copy non-zero padding modes need, and the output shape.</summary>
/// <param name="Geometry">The convolution the kernels run (after any padded copy).</param>
/// <param name="ModePadding">The padding to apply first (reflect, replicate, circular), or null.</param>
/// <param name="PaddedShape">Shape of the padded copy, or null.</param>
/// <param name="OutputShape">(N, K, *out).</param>
internal sealed record ConvPlan(ConvGeometry Geometry, PadGeometry? ModePadding, int[]? PaddedShape, int[] OutputShape);

/// <summary>Argument checks shared by Conv1d/2d/3d and the transposed convolutions.</summary>
internal static class ConvArguments
{
    /// <summary>Names of the spatial axes for each rank, for messages.</summary>
    public static string InputLayout(int spatialRank) => spatialRank switch
    {
        1 => "(N, C, L)",
        2 => "(N, C, H, W)",
        _ => "(N, C, D, H, W)",
    };

    /// <summary>Kernel sizes as "5×5".</summary>
    public static string KernelText(ReadOnlySpan<int> kernel) => string.Join("×", kernel.ToArray());

    /// <summary>Checks and resolves a convolution (formulas in the file header).</summary>
    /// <exception cref="ArgumentException">A tensor has the wrong rank or shape, or an option is out of range; the exception names the parameter.</exception>
    public static ConvPlan Resolve(string name, int spatialRank, Tensor input, Tensor weight, Tensor? bias,
        IReadOnlyList<int> stride, ConvPadding padding, IReadOnlyList<int> dilation, int groups, PaddingMode paddingMode)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(stride);
        ArgumentNullException.ThrowIfNull(dilation);
        if (input.Rank != spatialRank + 2)
            throw new ArgumentException($"{name} expects input of shape {InputLayout(spatialRank)}, got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single {(spatialRank == 1 ? "signal" : spatialRank == 2 ? "image" : "volume")}.", nameof(input));
        if (weight.Rank != spatialRank + 2)
            throw new ArgumentException($"{name} expects weight of shape (outChannels, inChannels/groups, {string.Join(", ", KernelAxisNames(spatialRank))}), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (groups < 1) throw new ArgumentException($"{name} groups must be positive, got {groups}.", nameof(groups));
        int n = input.Dims[0], c = input.Dims[1], k = weight.Dims[0];
        if (c % groups != 0)
            throw new ArgumentException($"{name} groups ({groups}) must divide the input channels ({c}) of input {Tensor.ShapeText(input.Dims)}.", nameof(groups));
        if (k % groups != 0)
            throw new ArgumentException($"{name} groups ({groups}) must divide the output channels ({k}) of weight {Tensor.ShapeText(weight.Dims)}.", nameof(groups));
        if ((long)weight.Dims[1] * groups != c)
        {
            int expected = weight.Dims[1] * groups;
            throw new ArgumentException($"{name} expected {expected} input channel{(expected == 1 ? "" : "s")}, got {c}: weight {Tensor.ShapeText(weight.Dims)}, input {Tensor.ShapeText(input.Dims)}{(groups > 1 ? $", groups {groups}" : "")}.", nameof(input));
        }
        var kernel = weight.Dims[2..];
        foreach (int size in kernel)
            if (size < 1)
                throw new ArgumentException($"{name} weight must have a kernel of at least {string.Join("×", Enumerable.Repeat(1, spatialRank))}, got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != k))
            throw new ArgumentException($"{name} bias must have shape ({k},) to match weight {Tensor.ShapeText(weight.Dims)}, got {Tensor.ShapeText(bias.Dims)}.", nameof(bias));
        int[] strides = PerAxis(name, stride, spatialRank, nameof(stride), 1);
        int[] dilations = PerAxis(name, dilation, spatialRank, nameof(dilation), 1);
        CheckPadding(name, padding, spatialRank, strides);

        var axes = new ConvAxis[3];
        var padAxes = new PadAxis[3];
        var pads = new (int Before, int After)[spatialRank];
        bool modePadding = false;
        for (int i = 0; i < spatialRank; i++)
        {
            pads[i] = padding.Resolve(i, kernel[i], dilations[i]);
            modePadding |= paddingMode != PaddingMode.Zeros && (pads[i].Before != 0 || pads[i].After != 0);
        }
        for (int i = 0; i < spatialRank; i++)
        {
            int size = input.Dims[2 + i], slot = 3 - spatialRank + i;
            var (before, after) = pads[i];
            long padded = (long)size + before + after, span = (long)dilations[i] * (kernel[i] - 1) + 1;
            if (padded < span)
                throw new ArgumentException($"{name} kernel {KernelText(kernel)} (weight {Tensor.ShapeText(weight.Dims)}{(dilations[i] > 1 ? $", dilation {dilations[i]}: spans {span}" : "")}) is larger than the padded input along axis {i} ({padded}: input {Tensor.ShapeText(input.Dims)}, padding {padding}).", nameof(weight));
            if (modePadding)
            {
                padAxes[slot] = new PadAxis(size, before, after);
                axes[slot] = new ConvAxis((int)padded, kernel[i], strides[i], dilations[i]);
            }
            else
            {
                axes[slot] = new ConvAxis(size, kernel[i], strides[i], dilations[i], before, after);
            }
        }
        for (int slot = 0; slot < 3 - spatialRank; slot++)
        {
            axes[slot] = ConvAxis.Unit;
            padAxes[slot] = new PadAxis(1);
        }

        PadGeometry? modePad = null;
        int[]? paddedShape = null;
        if (modePadding)
        {
            var border = paddingMode switch
            {
                PaddingMode.Reflect => BorderMode.Reflect,
                PaddingMode.Replicate => BorderMode.Replicate,
                _ => BorderMode.Circular,
            };
            var pg = new PadGeometry(n * c, padAxes[0], padAxes[1], padAxes[2], border);
            try
            {
                pg.Validate();
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"{name} padding {padding} with padding mode {paddingMode} does not fit input {Tensor.ShapeText(input.Dims)}: {e.Message}", nameof(padding), e);
            }
            modePad = pg;
            paddedShape = [n, c, .. Enumerable.Range(0, spatialRank).Select(i => axes[3 - spatialRank + i].Input)];
        }

        var g = new ConvGeometry(n, c, k, axes[0], axes[1], axes[2], groups);
        if ((long)c * g.KernelVolume * ((long)axes[0].Output * axes[1].Output * axes[2].Output) > Array.MaxLength)
            throw new ArgumentException($"{name} of input {Tensor.ShapeText(input.Dims)} with weight {Tensor.ShapeText(weight.Dims)} needs an im2col workspace larger than an array can hold.", nameof(input));
        int[] output = [n, k, .. Enumerable.Range(0, spatialRank).Select(i => axes[3 - spatialRank + i].Output)];
        return new ConvPlan(g, modePad, paddedShape, output);
    }

    /// <summary>Checks that explicit pads are non-negative and match the rank, and that "same" has stride 1 (as PyTorch).</summary>
    public static void CheckPadding(string name, ConvPadding padding, int spatialRank, int[] strides)
    {
        if (padding.Kind == ConvPaddingKind.Explicit)
        {
            if (padding.Rank != 0 && padding.Rank != spatialRank)
                throw new ArgumentException($"{name} padding {padding} gives {padding.Rank} axes, but the convolution has {spatialRank}.", nameof(padding));
            foreach (var (before, after) in padding.ExplicitPads(spatialRank)!)
                if (before < 0 || after < 0)
                    throw new ArgumentException($"{name} padding must be non-negative, got {padding}.", nameof(padding));
        }
        else if (padding.Kind == ConvPaddingKind.Same && strides.Any(s => s != 1))
        {
            throw new ArgumentException($"{name} padding \"same\" is not supported for strided convolutions (stride {string.Join(", ", strides)}), as in PyTorch: the output size would depend on more than the input size.", nameof(padding));
        }
    }

    /// <summary>Expands a per-axis option given as one value or one per axis, checking each is at least <paramref name="minimum"/>.</summary>
    public static int[] PerAxis(string name, IReadOnlyList<int> values, int spatialRank, string paramName, int minimum)
    {
        if (values.Count != 1 && values.Count != spatialRank)
            throw new ArgumentException($"{name} {paramName} needs one value or {spatialRank}, got {values.Count}.", paramName);
        var result = new int[spatialRank];
        for (int i = 0; i < spatialRank; i++)
        {
            result[i] = values.Count == 1 ? values[0] : values[i];
            if (result[i] < minimum)
                throw new ArgumentException($"{name} {paramName} must be {(minimum == 1 ? "positive" : $"at least {minimum}")}, got ({string.Join(", ", values)}).", paramName);
        }
        return result;
    }

    private static IEnumerable<string> KernelAxisNames(int spatialRank) => spatialRank switch
    {
        1 => ["kernelLength"],
        2 => ["kernelHeight", "kernelWidth"],
        _ => ["kernelDepth", "kernelHeight", "kernelWidth"],
    };
}
