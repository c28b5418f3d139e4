// Argument checking shared by the pooling ops: input shapes (NCL, NCHW, NCDHW) and the per-axis
// window options, each rejected with an ArgumentException naming the offending parameter, then
// turned into the kernels' PoolGeometry (lower-dimensional poolings get unit leading axes).
using System.Globalization;
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Validation and geometry building for the pooling ops.</summary>
internal static class PoolArguments
{
    /// <summary>Throws unless <paramref name="input"/> is (N, C, spatial…) with <paramref name="dims"/> non-empty spatial axes.</summary>
    public static void CheckInput(Tensor input, int dims, string op)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != dims + 2)
            throw new ArgumentException($"{op} expects input of shape {Layout(dims)}, got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single {Item(dims)}.", nameof(input));
        for (int i = 2; i < input.Rank; i++)
            if (input.Dims[i] < 1)
                throw new ArgumentException($"{op} expects a non-empty {Item(dims)}, got input {Tensor.ShapeText(input.Dims)}.", nameof(input));
    }

    /// <summary>The input layout for <paramref name="dims"/> spatial axes, e.g. (N, C, H, W).</summary>
    public static string Layout(int dims) => dims switch { 1 => "(N, C, L)", 2 => "(N, C, H, W)", _ => "(N, C, D, H, W)" };

    private static string Item(int dims) => dims switch { 1 => "signal", 2 => "image", _ => "volume" };

    /// <summary>One value per axis as the user wrote it: 3 for one axis, (2, 3) for two.</summary>
    public static string Text(int[] values) =>
        values.Length == 1 ? values[0].ToString(CultureInfo.InvariantCulture) : "(" + string.Join(", ", values) + ")";

    /// <summary>A window size as 3 or 3×3 or 2×3×3.</summary>
    public static string Extent(ReadOnlySpan<int> values) => string.Join("×", values.ToArray());

    /// <summary>
    /// Checks sliding-window options (kernel, stride, padding at most half the kernel, dilation, an output
    /// extent of at least 1, no window without an input cell) and returns one axis per spatial dimension.
    /// </summary>
    public static PoolAxis[] Sliding(string op, Tensor input, int[] kernelSize, int[] stride, int[] padding, int[] dilation, bool ceilMode)
    {
        int dims = kernelSize.Length;
        CheckInput(input, dims, op);
        if (kernelSize.Any(k => k < 1))
            throw new ArgumentException($"{op} kernelSize must be positive, got {Text(kernelSize)}.", nameof(kernelSize));
        if (stride.Any(s => s < 1))
            throw new ArgumentException($"{op} stride must be positive, got {Text(stride)}.", nameof(stride));
        if (padding.Any(p => p < 0))
            throw new ArgumentException($"{op} padding must be non-negative, got {Text(padding)}.", nameof(padding));
        if (dilation.Any(d => d < 1))
            throw new ArgumentException($"{op} dilation must be positive, got {Text(dilation)}.", nameof(dilation));
        for (int i = 0; i < dims; i++)
            if (padding[i] > kernelSize[i] / 2)
                throw new ArgumentException($"{op} padding {Text(padding)} must be at most half the kernel size {Text(kernelSize)}, as in PyTorch.", nameof(padding));
        var axes = new PoolAxis[dims];
        for (int i = 0; i < dims; i++)
        {
            int size = input.Dims[2 + i];
            axes[i] = PoolAxis.Sliding(size, kernelSize[i], stride[i], padding[i], dilation[i], ceilMode);
            if (axes[i].Output < 1)
            {
                var padded = input.Dims[2..].ToArray().Select((n, j) => n + 2L * padding[j]);
                var window = kernelSize.Select((k, j) => (k - 1) * dilation[j] + 1).ToArray();
                string what = dilation.All(d => d == 1) ? $"kernel {Extent(kernelSize)}" : $"dilated kernel {Extent(window)} (kernel {Extent(kernelSize)}, dilation {Text(dilation)})";
                throw new ArgumentException($"{op} {what} is larger than the padded input {string.Join("×", padded)} (input {Tensor.ShapeText(input.Dims)}, padding {Text(padding)}).", nameof(kernelSize));
            }
            for (int o = 0; o < axes[i].Output; o++)
                if (axes[i].Cells(o).Count == 0)
                    throw new ArgumentException($"{op} window {o} along spatial axis {i} holds only padding (input {Tensor.ShapeText(input.Dims)}, kernel {Text(kernelSize)}, padding {Text(padding)}, dilation {Text(dilation)}); PyTorch would return −∞ there. Use a smaller dilation or padding.", nameof(dilation));
        }
        return axes;
    }

    /// <summary>Checks adaptive output sizes and returns one adaptive axis per spatial dimension.</summary>
    public static PoolAxis[] Adaptive(string op, Tensor input, int[] outputSize)
    {
        CheckInput(input, outputSize.Length, op);
        if (outputSize.Any(o => o < 1))
            throw new ArgumentException($"{op} outputSize must be positive, got {Text(outputSize)}.", nameof(outputSize));
        return [.. outputSize.Select((o, i) => PoolAxis.Adaptive(input.Dims[2 + i], o))];
    }

    /// <summary>The kernel geometry for an (N, C, spatial…) input: unit axes in front of the given ones.</summary>
    public static PoolGeometry Geometry(Tensor input, PoolAxis[] axes) => axes.Length switch
    {
        1 => new PoolGeometry(input.Dims[0], input.Dims[1], PoolAxis.Unit, PoolAxis.Unit, axes[0]),
        2 => new PoolGeometry(input.Dims[0], input.Dims[1], PoolAxis.Unit, axes[0], axes[1]),
        3 => new PoolGeometry(input.Dims[0], input.Dims[1], axes[0], axes[1], axes[2]),
        _ => throw new ArgumentOutOfRangeException(nameof(axes), axes.Length, "Pooling has 1 to 3 spatial axes."),
    };

    /// <summary>(N, C, outputs of <paramref name="axes"/>…).</summary>
    public static int[] OutputShape(Tensor input, PoolAxis[] axes) => [input.Dims[0], input.Dims[1], .. axes.Select(a => a.Output)];

    /// <summary><paramref name="value"/> repeated for each of <paramref name="dims"/> axes.</summary>
    public static int[] Repeat(int value, int dims) => [.. Enumerable.Repeat(value, dims)];
}
