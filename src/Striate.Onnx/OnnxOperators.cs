// The ONNX operators Striate runs, each mapped onto Striate's differentiable ops (so gradients reach
// the initializers) following the operator specification (opset 7–17 forms):
//   Conv           y = b + Σ w ⋆ x  with pads [x1_begin, …, x1_end, …], strides, dilations, group, auto_pad
//   ConvTranspose  the adjoint of Conv: pads (asymmetric ones cropped after a symmetric run), output_padding,
//                  output_shape and auto_pad (total = s(in − 1) + output_padding + (k − 1)d + 1 − target, split by the spec)
//   MaxPool / AveragePool / LpPool (y = (Σ|x|^p)^(1/p)), GlobalAveragePool / GlobalMaxPool  (N, C, 1, 1 outputs)
//   BatchNormalization  y = γ (x − μ)/√(σ² + ε) + β  (running statistics; batch statistics in training mode)
//   LRN            y = x / (bias + α/size · Σ x²)^β  (odd sizes as PyTorch; even sizes on reversed channels)
//   Gemm           y = α A′B′ + β C;  MatMul;  Add/Sub/Mul/Div (broadcasting)
//   Relu, LeakyRelu, PRelu, Elu, Selu, Sigmoid, Tanh, Softplus, Softsign, Clip, Softmax, LogSoftmax,
//   Gelu (opset 20, or the ½x(1 + erf(x/√2)) chain of earlier opsets fused at load: OnnxFusion)
//   Flatten, Reshape, Concat, Dropout (training mode: Functional.Dropout with the model's generator; else identity),
//   Identity, Pad, Resize/Upsample, Erf
//   Abs (|x| = relu(x) + relu(−x), differentiable), Neg
//   Transpose, Slice, Gather of float tensors: Functional.Permute, Slice, IndexSelect (differentiable)
//   glue on integer shape values: Constant, ConstantOfShape, Shape, Gather, Slice, Unsqueeze, Squeeze, Transpose, Cast
// Integer values (shapes, indices) are computed on the host; float values always go through Striate's ops, so
// every float path from an input or initializer to an output carries gradients.
using Striate.Autograd;
using Striate.Layers;

namespace Striate.Onnx;

/// <summary>The ONNX operator set Striate can import.</summary>
internal static partial class OnnxOperators
{
    private delegate OnnxValue[] Op(OnnxNode node, OnnxValue?[] x, OnnxModel model);

    /// <summary>The most elements an op that builds a tensor from a shape value (ConstantOfShape) makes: 2²⁶ (256 MB of floats).</summary>
    private const long MaxComputedElements = 1L << 26;

    private static readonly Dictionary<string, Op> Table = new(StringComparer.Ordinal)
    {
        ["Conv"] = Conv,
        ["ConvTranspose"] = ConvTranspose,
        ["MaxPool"] = MaxPool,
        ["AveragePool"] = AveragePool,
        ["LpPool"] = LpPool,
        ["GlobalAveragePool"] = (n, x, _) => [F(KeepSpatial(Functional.GlobalAvgPool(T(x, 0, n)), T(x, 0, n)))],
        ["GlobalMaxPool"] = (n, x, _) => [F(KeepSpatial(Functional.GlobalMaxPool(T(x, 0, n)), T(x, 0, n)))],
        ["BatchNormalization"] = BatchNormalization,
        ["LRN"] = Lrn,
        ["Gemm"] = Gemm,
        ["MatMul"] = (n, x, _) => [F(Functional.MatMul(T(x, 0, n), T(x, 1, n)))],
        ["Add"] = (n, x, _) => Binary(n, x, (a, b) => a + b, (a, b) => a + b),
        ["Sub"] = (n, x, _) => Binary(n, x, (a, b) => a - b, (a, b) => a - b),
        ["Mul"] = (n, x, _) => Binary(n, x, (a, b) => a * b, (a, b) => a * b),
        ["Div"] = (n, x, _) => Binary(n, x, (a, b) => a / b, (a, b) => b == 0 ? throw new ArgumentException("integer division by zero") : a / b),
        ["Relu"] = (n, x, _) => [F(Functional.Relu(T(x, 0, n)))],
        ["Sigmoid"] = (n, x, _) => [F(Functional.Sigmoid(T(x, 0, n)))],
        ["Tanh"] = (n, x, _) => [F(Functional.Tanh(T(x, 0, n)))],
        ["LeakyRelu"] = (n, x, _) => [F(Functional.LeakyRelu(T(x, 0, n), n.Float("alpha", 0.01f)))],
        ["Elu"] = (n, x, _) => [F(Functional.Elu(T(x, 0, n), n.Float("alpha", 1f)))],
        ["Selu"] = Selu,
        ["PRelu"] = PRelu,
        ["Gelu"] = (n, x, _) => [F(Functional.Gelu(T(x, 0, n), n.String("approximate", "none") switch
        {
            "none" => GeluApproximation.None,
            "tanh" => GeluApproximation.Tanh,
            var other => throw new NotSupportedException($"approximate '{other}' is not one of none, tanh."),
        }))],
        ["Erf"] = (n, x, _) => [F(Functional.Erf(T(x, 0, n)))],
        ["Softplus"] = (n, x, _) => [F(Functional.Softplus(T(x, 0, n)))],
        ["Softsign"] = (n, x, _) => [F(Functional.Softsign(T(x, 0, n)))],
        ["Clip"] = Clip,
        ["Softmax"] = (n, x, m) => [F(Functional.Softmax(SoftmaxInput(n, x, m, out int dim), dim))],
        ["LogSoftmax"] = (n, x, m) => [F(Functional.LogSoftmax(SoftmaxInput(n, x, m, out int dim), dim))],
        ["Flatten"] = Flatten,
        ["Reshape"] = Reshape,
        ["Concat"] = Concat,
        ["Dropout"] = Dropout,
        ["Identity"] = (n, x, _) => [Arg(x, 0, n)],
        ["Pad"] = Pad,
        ["Resize"] = Resize,
        ["Upsample"] = Resize,
        ["Constant"] = Constant,
        ["Shape"] = Shape,
        ["Gather"] = Gather,
        ["Unsqueeze"] = Unsqueeze,
        ["Squeeze"] = Squeeze,
        ["Transpose"] = Transpose,
        ["Cast"] = Cast,
        ["ConstantOfShape"] = ConstantOfShape,
        ["Slice"] = Slice,
        ["Abs"] = Abs,
        ["Neg"] = (n, x, _) => [Arg(x, 0, n) is { IsFloat: true } v ? F(-v.Tensor!) : OnnxValue.Integers([.. Arg(x, 0, n).Ints!.Select(i => -i)], Arg(x, 0, n).Dims)],
    };

    /// <summary>The supported operator names, sorted.</summary>
    public static IEnumerable<string> Names => Table.Keys.Order(StringComparer.Ordinal);

    public static bool IsSupported(string opType) => Table.ContainsKey(opType);

    public static OnnxValue[] Run(OnnxNode node, OnnxValue?[] inputs, OnnxModel model) => Table[node.OpType](node, inputs, model);

    // ---- helpers -------------------------------------------------------------------------------

    private static OnnxValue F(Tensor t) => OnnxValue.Float(t);

    private static OnnxValue Arg(OnnxValue?[] x, int i, OnnxNode n) =>
        i < x.Length && x[i] is { } v ? v : throw new ArgumentException($"input {i} is required.");

    private static Tensor T(OnnxValue?[] x, int i, OnnxNode n) =>
        Arg(x, i, n).Tensor ?? throw new ArgumentException($"input {i} must be a float tensor, got {x[i]}.");

    private static Tensor? Optional(OnnxValue?[] x, int i) => i < x.Length && x[i] is { } v ? v.Tensor : null;

    private static long[] IntsOf(OnnxValue?[] x, int i, OnnxNode n) =>
        Arg(x, i, n).Ints ?? throw new ArgumentException($"input {i} must be an integer tensor, got {x[i]}.");

    private static int ToInt(long v, string what) =>
        v is >= int.MinValue and <= int.MaxValue ? (int)v : throw new ArgumentException($"{what} {v} is out of range.");

    private static int[] ToInts(long[] values, string what) => [.. values.Select(v => ToInt(v, what))];

    private static int Axis(long axis, int rank, string what)
    {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw new ArgumentException($"{what} {axis} is outside a rank-{rank} tensor.");
        return (int)a;
    }

    /// <summary>
    /// Refuses an output (or padded intermediate) that a corrupt or hostile file could make enormous through its
    /// attributes (pads of 2³⁰, a resize scale of 10⁶): at most 2²⁶ elements or 1,024 times the input, whichever is more.
    /// </summary>
    private static void Bound(Tensor input, IEnumerable<long> dims, string what)
    {
        double count = 1;
        foreach (long d in dims) count *= Math.Max(d, 0);
        double limit = Math.Max(MaxComputedElements, 1024.0 * input.Length);
        if (count > limit)
            throw new ArgumentException($"{what} would have {count:G3} elements, more than {limit:G3} (at most 2^26 or 1024 times the input); the file's attributes are implausible.");
    }

    /// <summary>Striate's global pools give (N, C); ONNX keeps the spatial axes as ones.</summary>
    private static Tensor KeepSpatial(Tensor pooled, Tensor input) =>
        pooled.Reshape([input.Shape[0], input.Shape[1], .. Enumerable.Repeat(1, input.Rank - 2)]);

    private static void Refuse(OnnxNode n, string attribute, string why) =>
        throw new NotSupportedException($"attribute {attribute}: {why}");

    /// <summary>Per-axis (before, after) pads from "pads" or "auto_pad", for a window of <paramref name="kernel"/> at <paramref name="strides"/>.</summary>
    private static (int Before, int After)[] Pads(OnnxNode n, ReadOnlySpan<int> spatial, int[] kernel, int[] strides, int[] dilations)
    {
        int r = kernel.Length;
        var result = new (int, int)[r];
        string autoPad = n.String("auto_pad", "NOTSET");
        switch (autoPad)
        {
            case "NOTSET":
                var pads = n.Ints("pads") ?? new long[2 * r];
                if (pads.Length != 2 * r) throw new ArgumentException($"pads has {pads.Length} values; a {r}-D window needs {2 * r}.");
                for (int i = 0; i < r; i++) result[i] = (ToInt(pads[i], "pad"), ToInt(pads[i + r], "pad"));
                break;
            case "VALID":
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                for (int i = 0; i < r; i++)
                {
                    int outSize = (spatial[i] + strides[i] - 1) / strides[i];
                    int total = Math.Max(0, (outSize - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - spatial[i]);
                    int small = total / 2;
                    result[i] = autoPad == "SAME_UPPER" ? (small, total - small) : (total - small, small);
                }
                break;
            default:
                throw new NotSupportedException($"auto_pad '{autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER.");
        }
        return result;
    }

    private static int[] PerAxis(OnnxNode n, string name, int rank, int fallback)
    {
        var v = n.Ints(name);
        if (v is null) return Enumerable.Repeat(fallback, rank).ToArray();
        if (v.Length != rank) throw new ArgumentException($"{name} has {v.Length} values; a {rank}-D operation needs {rank}.");
        return ToInts(v, name);
    }

    // ---- convolution ---------------------------------------------------------------------------

    private static OnnxValue[] Conv(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        var weight = T(x, 1, n);
        int r = weight.Rank - 2;
        if (r < 1) throw new ArgumentException($"weight must be (K, C/group, kernel…), got {Tensor.ShapeText(weight.Dims)}.");
        int[] kernel = weight.Dims[2..].ToArray();
        if (n.Ints("kernel_shape") is { } ks && !ToInts(ks, "kernel_shape").SequenceEqual(kernel))
            throw new ArgumentException($"kernel_shape ({string.Join(", ", ks)}) disagrees with the weight's {Tensor.ShapeText(weight.Dims)}.");
        int[] strides = PerAxis(n, "strides", r, 1), dilations = PerAxis(n, "dilations", r, 1);
        if (input.Rank != r + 2) throw new ArgumentException($"a {r}-D convolution needs a rank-{r + 2} input.");
        var pads = Pads(n, input.Dims[2..], kernel, strides, dilations);
        Bound(input, [input.Shape[0], input.Shape[1], .. pads.Select((p, i) => (long)input.Shape[i + 2] + p.Before + p.After)], "the padded input");
        var options = new ConvOptions
        {
            Stride = strides,
            Dilation = dilations,
            Groups = ToInt(n.Int("group", 1), "group"),
            Padding = ConvPadding.Explicit(pads),
        };
        return [F(Functional.Convolution(input, weight, Optional(x, 2), options))];
    }

    private static OnnxValue[] ConvTranspose(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        var weight = T(x, 1, n);
        var bias = Optional(x, 2);
        int r = weight.Rank - 2;
        if (r < 1) throw new ArgumentException($"weight must be (C, K/group, kernel…), got {Tensor.ShapeText(weight.Dims)}.");
        if (input.Rank != r + 2) throw new ArgumentException($"a {r}-D transposed convolution needs a rank-{r + 2} input.");
        int[] kernel = weight.Dims[2..].ToArray();
        if (n.Ints("kernel_shape") is { } ks && !ToInts(ks, "kernel_shape").SequenceEqual(kernel))
            throw new ArgumentException($"kernel_shape ({string.Join(", ", ks)}) disagrees with the weight's {Tensor.ShapeText(weight.Dims)}.");
        int[] strides = PerAxis(n, "strides", r, 1), dilations = PerAxis(n, "dilations", r, 1), outputPadding = PerAxis(n, "output_padding", r, 0);
        int groups = ToInt(n.Int("group", 1), "group");
        for (int i = 0; i < r; i++)
            if (outputPadding[i] < 0 || (outputPadding[i] > 0 && outputPadding[i] >= Math.Max(strides[i], dilations[i])))
                throw new ArgumentException($"output_padding ({string.Join(", ", outputPadding)}) must be non-negative and below max(stride, dilation) along each axis (stride {string.Join(", ", strides)}, dilation {string.Join(", ", dilations)}).");
        var pads = TransposedPads(n, input.Dims[2..], kernel, strides, dilations, outputPadding);
        // The full output before cropping: (in − 1)·s + d(k − 1) + 1 + output_padding.
        var full = Enumerable.Range(0, r).Select(i => ((long)input.Shape[i + 2] - 1) * strides[i] + (long)dilations[i] * (kernel[i] - 1) + 1 + outputPadding[i]).ToArray();
        Bound(input, [input.Shape[0], weight.Shape[1] * (long)groups, .. full], "the output");
        var options = new ConvTransposeOptions { Stride = strides, Dilation = dilations, Groups = groups };
        if (pads.All(p => p.Before == p.After))
            return [F(Functional.ConvTranspose(input, weight, bias, options with { Padding = [.. pads.Select(p => p.Before)], OutputPadding = outputPadding }))];
        // Asymmetric pads: the transposed convolution with the symmetric part of the pads, then the rest cropped (and the output padding added as zeros) by Functional.Pad,
        // then the bias: every step differentiable. Pad takes the last axis first; a negative pad crops.
        int[] common = [.. pads.Select(p => Math.Min(p.Before, p.After))];
        var y = Functional.ConvTranspose(input, weight, null, options with { Padding = common, OutputPadding = new int[r] });
        var crop = new int[2 * r];
        for (int i = 0; i < r; i++)
        {
            int axis = r - 1 - i;
            crop[2 * i] = -(pads[axis].Before - common[axis]);
            crop[2 * i + 1] = outputPadding[axis] - (pads[axis].After - common[axis]);
        }
        if (crop.Any(c => c != 0)) y = Functional.Pad(y, crop);
        if (bias is not null) y += bias.Reshape([bias.Length, .. Enumerable.Repeat(1, r)]);
        return [F(y)];
    }

    /// <summary>
    /// ConvTranspose's (begin, end) pads per spatial axis, as the operator specification defines them: explicit
    /// "pads" (NOTSET), none (VALID), or from a target size, either "output_shape" or in·stride (SAME_UPPER,
    /// SAME_LOWER): total = s(in − 1) + output_padding + ((k − 1)d + 1) − target, split as begin = total/2,
    /// end = total − total/2 for SAME_UPPER, begin = total − total/2, end = total/2 otherwise. A negative total is
    /// refused for an explicit output_shape and taken as 0 for SAME_* (both as ONNX Runtime does).
    /// </summary>
    private static (int Before, int After)[] TransposedPads(OnnxNode n, ReadOnlySpan<int> spatial, int[] kernel, int[] strides, int[] dilations, int[] outputPadding)
    {
        int r = kernel.Length;
        string autoPad = n.String("auto_pad", "NOTSET");
        if (autoPad is not ("NOTSET" or "VALID" or "SAME_UPPER" or "SAME_LOWER"))
            throw new NotSupportedException($"auto_pad '{autoPad}' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER.");
        var result = new (int Before, int After)[r];
        long[]? target = n.Ints("output_shape");
        bool explicitTarget = target is not null;
        if (target is not null)
        {
            // output_shape lists the spatial sizes (or, as some exporters write it, N and C first).
            if (target.Length == r + 2) target = target[2..];
            if (target.Length != r) throw new ArgumentException($"output_shape has {target.Length} values; a {r}-D transposed convolution needs {r}.");
        }
        else if (autoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            target = new long[r];
            for (int i = 0; i < r; i++) target[i] = (long)spatial[i] * strides[i];
        }
        else
        {
            if (autoPad == "VALID") return result;
            var pads = n.Ints("pads") ?? new long[2 * r];
            if (pads.Length != 2 * r) throw new ArgumentException($"pads has {pads.Length} values; a {r}-D window needs {2 * r}.");
            for (int i = 0; i < r; i++) result[i] = (ToInt(pads[i], "pad"), ToInt(pads[i + r], "pad"));
            if (result.Any(p => p.Before < 0 || p.After < 0)) throw new ArgumentException($"pads ({string.Join(", ", pads)}) must not be negative.");
            return result;
        }
        for (int i = 0; i < r; i++)
        {
            long total = (long)strides[i] * (spatial[i] - 1) + outputPadding[i] + ((long)(kernel[i] - 1) * dilations[i] + 1) - target[i];
            // in·stride can exceed what the kernel reaches (kernel < stride): ONNX Runtime then pads by 0, as here.
            if (!explicitTarget) total = Math.Max(0, total);
            if (total < 0 || target[i] < 1)
                throw new ArgumentException($"output size {target[i]} along axis {i} is not reachable: the transposed convolution gives at most {total + target[i]} (input {spatial[i]}, stride {strides[i]}, kernel {kernel[i]}, dilation {dilations[i]}, output_padding {outputPadding[i]}).");
            int small = ToInt(total / 2, "pad"), large = ToInt(total - total / 2, "pad");
            result[i] = autoPad == "SAME_UPPER" ? (small, large) : (large, small);
        }
        return result;
    }

    // ---- pooling -------------------------------------------------------------------------------

    private static OnnxValue[] MaxPool(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        if (n.Outputs.Length > 1 && n.Outputs[1].Length > 0) Refuse(n, "Indices", "the second (indices) output is not supported.");
        if (n.Int("storage_order", 0) != 0) Refuse(n, "storage_order", "only row-major (0) is supported.");
        var input = T(x, 0, n);
        var (kernel, strides, dilations, pads) = Window(n, input, withDilation: true);
        bool ceil = n.Int("ceil_mode", 0) != 0;
        // Asymmetric pads: pad with −∞ explicitly (never chosen by max), then pool without padding.
        if (pads.Any(p => p.Before != p.After))
        {
            input = PadSpatial(input, pads, float.NegativeInfinity);
            pads = new (int, int)[pads.Length];
        }
        int[] p = [.. pads.Select(q => q.Before)];
        return [F(kernel.Length switch
        {
            1 => Functional.MaxPool1d(input, kernel[0], strides[0], p[0], dilations[0], ceil),
            2 => Functional.MaxPool2d(input, (kernel[0], kernel[1]), (strides[0], strides[1]), (p[0], p[1]), (dilations[0], dilations[1]), ceil),
            3 => Functional.MaxPool3d(input, (kernel[0], kernel[1], kernel[2]), (strides[0], strides[1], strides[2]), (p[0], p[1], p[2]), (dilations[0], dilations[1], dilations[2]), ceil),
            _ => throw new NotSupportedException($"{kernel.Length}-D max pooling is not supported (1-D to 3-D are)."),
        })];
    }

    private static OnnxValue[] AveragePool(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        var (kernel, strides, _, pads) = Window(n, input, withDilation: false);
        bool ceil = n.Int("ceil_mode", 0) != 0;
        bool countPad = n.Int("count_include_pad", 0) != 0;
        if (pads.Any(p => p.Before != p.After))
        {
            if (!countPad || ceil) Refuse(n, "pads", "asymmetric pads are supported only with count_include_pad = 1 and ceil_mode = 0.");
            input = PadSpatial(input, pads, 0f);
            pads = new (int, int)[pads.Length];
        }
        int[] p = [.. pads.Select(q => q.Before)];
        return [F(kernel.Length switch
        {
            1 => Functional.AvgPool1d(input, kernel[0], strides[0], p[0], ceil, countPad),
            2 => Functional.AvgPool2d(input, (kernel[0], kernel[1]), (strides[0], strides[1]), (p[0], p[1]), ceil, countPad),
            3 => Functional.AvgPool3d(input, (kernel[0], kernel[1], kernel[2]), (strides[0], strides[1], strides[2]), (p[0], p[1], p[2]), ceil, countPad),
            _ => throw new NotSupportedException($"{kernel.Length}-D average pooling is not supported (1-D to 3-D are)."),
        })];
    }

    private static OnnxValue[] LpPool(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        var (kernel, strides, _, pads) = Window(n, input, withDilation: false);
        if (pads.Any(p => p != (0, 0))) Refuse(n, "pads", "LpPool with padding is not supported.");
        float norm = n.Int("p", 2);
        bool ceil = n.Int("ceil_mode", 0) != 0;
        // ONNX sums |x|^p; Striate (as PyTorch) sums x^p, the same for even p only: take |x| = relu(x) + relu(−x) first.
        if (norm % 2 != 0) input = Functional.Relu(input) + Functional.Relu(-input);
        return [F(kernel.Length switch
        {
            1 => Functional.LpPool1d(input, norm, kernel[0], strides[0], ceil),
            2 => Functional.LpPool2d(input, norm, (kernel[0], kernel[1]), (strides[0], strides[1]), ceil),
            3 => Functional.LpPool3d(input, norm, (kernel[0], kernel[1], kernel[2]), (strides[0], strides[1], strides[2]), ceil),
            _ => throw new NotSupportedException($"{kernel.Length}-D Lp pooling is not supported (1-D to 3-D are)."),
        })];
    }

    private static (int[] Kernel, int[] Strides, int[] Dilations, (int Before, int After)[] Pads) Window(OnnxNode n, Tensor input, bool withDilation)
    {
        var ks = n.Ints("kernel_shape") ?? throw new ArgumentException("kernel_shape is required.");
        int r = ks.Length;
        if (input.Rank != r + 2) throw new ArgumentException($"a {r}-D pooling needs a rank-{r + 2} input.");
        int[] kernel = ToInts(ks, "kernel_shape");
        int[] strides = PerAxis(n, "strides", r, 1);
        int[] dilations = withDilation ? PerAxis(n, "dilations", r, 1) : Enumerable.Repeat(1, r).ToArray();
        return (kernel, strides, dilations, Pads(n, input.Dims[2..], kernel, strides, dilations));
    }

    /// <summary>Pads the spatial axes (before, after) with a constant, through Functional.Pad (last axis first).</summary>
    private static Tensor PadSpatial(Tensor input, (int Before, int After)[] pads, float value)
    {
        var p = new int[2 * pads.Length];
        for (int i = 0; i < pads.Length; i++)
        {
            var (b, a) = pads[pads.Length - 1 - i];
            p[2 * i] = b;
            p[2 * i + 1] = a;
        }
        return Functional.Pad(input, p, PadMode.Constant, value);
    }

    // ---- normalization -------------------------------------------------------------------------

    private static OnnxValue[] BatchNormalization(OnnxNode n, OnnxValue?[] x, OnnxModel model)
    {
        if (n.Outputs.Count(o => o.Length > 0) > 1) Refuse(n, "outputs", "only the normalized output (inference form) is supported.");
        float eps = n.Float("epsilon", 1e-5f);
        // ONNX: running = running·momentum + batch·(1 − momentum); PyTorch's momentum is the batch's weight.
        float momentum = 1f - n.Float("momentum", 0.9f);
        var y = Functional.BatchNorm(T(x, 0, n), T(x, 3, n), T(x, 4, n), T(x, 1, n), T(x, 2, n), training: model.IsTraining, momentum: momentum, eps: eps);
        return [F(y)];
    }

    private static OnnxValue[] Lrn(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        int size = ToInt(n.Int("size", 0), "size");
        if (size < 1) throw new ArgumentException($"size must be at least 1, got {size}.");
        float alpha = n.Float("alpha", 1e-4f), beta = n.Float("beta", 0.75f), bias = n.Float("bias", 1f);
        var input = T(x, 0, n);
        if (size % 2 == 1) return [F(Functional.LocalResponseNorm(input, size, alpha, beta, bias))];
        // Even sizes: ONNX sums channels c − ⌊(size−1)/2⌋ … c + ⌈(size−1)/2⌉ (one more after c than before), PyTorch
        // c − ⌊size/2⌋ … c + ⌊(size−1)/2⌋ (one more before). Reversing the channels swaps the two sides, so ONNX's LRN is
        // PyTorch's on the reversed channels, reversed back (two differentiable Slices with step −1).
        if (input.Rank < 3) throw new ArgumentException($"LRN needs an (N, C, …) input with at least 3 dimensions, got {Tensor.ShapeText(input.Dims)}.");
        var reversed = Functional.Slice(input, 1, -1, int.MinValue, -1);
        return [F(Functional.Slice(Functional.LocalResponseNorm(reversed, size, alpha, beta, bias), 1, -1, int.MinValue, -1))];
    }

    // ---- dense ---------------------------------------------------------------------------------

    private static OnnxValue[] Gemm(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var a = T(x, 0, n);
        var b = T(x, 1, n);
        var c = Optional(x, 2);
        float alpha = n.Float("alpha", 1f), beta = n.Float("beta", 1f);
        if (n.Int("transA", 0) != 0) a = Functional.Permute(a, 1, 0);
        Tensor y;
        if (n.Int("transB", 0) != 0 && alpha == 1f && beta == 1f && (c is null || c.Rank == 1))
            return [F(Functional.Linear(a, b, c))];
        y = n.Int("transB", 0) != 0 ? Functional.Linear(a, b) : Functional.MatMul(a, b);
        if (alpha != 1f) y *= alpha;
        if (c is not null) y += beta == 1f ? c : c * beta;
        return [F(y)];
    }

    private static OnnxValue[] Binary(OnnxNode n, OnnxValue?[] x, Func<Tensor, Tensor, Tensor> floats, Func<long, long, long> ints)
    {
        var a = Arg(x, 0, n);
        var b = Arg(x, 1, n);
        if (a.IsFloat && b.IsFloat) return [F(floats(a.Tensor!, b.Tensor!))];
        if (!a.IsFloat && !b.IsFloat)
        {
            // Shape arithmetic: same shape, or one side a single value.
            if (a.Ints!.Length == b.Ints!.Length) return [OnnxValue.Integers([.. a.Ints.Zip(b.Ints, ints)], a.Dims)];
            if (b.Ints.Length == 1) return [OnnxValue.Integers([.. a.Ints.Select(v => ints(v, b.Ints[0]))], a.Dims)];
            if (a.Ints.Length == 1) return [OnnxValue.Integers([.. b.Ints.Select(v => ints(a.Ints[0], v))], b.Dims)];
            throw new ArgumentException($"integer operands {a} and {b} do not broadcast.");
        }
        throw new ArgumentException($"operands {a} and {b} mix float and integer types.");
    }

    // ---- activations ---------------------------------------------------------------------------

    private static OnnxValue[] Selu(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        const float Alpha = 1.67326324f, Gamma = 1.05070098f;
        if (Math.Abs(n.Float("alpha", Alpha) - Alpha) > 1e-6f || Math.Abs(n.Float("gamma", Gamma) - Gamma) > 1e-6f)
            Refuse(n, "alpha/gamma", "only the standard SELU constants are supported.");
        return [F(Functional.Selu(T(x, 0, n)))];
    }

    private static OnnxValue[] PRelu(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        var slope = T(x, 1, n);
        // ONNX slopes broadcast against x: (C, 1, 1) per channel or a single value; Striate's PRelu takes (C) or (1).
        if (slope.Length == 1 || (input.Rank >= 2 && slope.Length == input.Shape[1] && slope.Dims.ToArray().Count(d => d != 1) <= 1))
            return [F(Functional.PRelu(input, slope.Reshape(slope.Length)))];
        throw new NotSupportedException($"slope of shape {Tensor.ShapeText(slope.Dims)} is neither one value nor one per channel.");
    }

    private static OnnxValue[] Clip(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        float min = n.Float("min", float.MinValue), max = n.Float("max", float.MaxValue);
        if (Optional(x, 1) is { } lo) min = lo.Length == 1 ? lo.AsSpan()[0] : throw new ArgumentException("min must hold one value.");
        if (Optional(x, 2) is { } hi) max = hi.Length == 1 ? hi.AsSpan()[0] : throw new ArgumentException("max must hold one value.");
        var input = T(x, 0, n);
        if (min == 0f && max >= float.MaxValue) return [F(Functional.Relu(input))];
        return [F(Functional.Hardtanh(input, min, max))];
    }

    private static Tensor SoftmaxInput(OnnxNode n, OnnxValue?[] x, OnnxModel model, out int dim)
    {
        var input = T(x, 0, n);
        int axis = Axis(n.Int("axis", model.Opset >= 13 ? -1 : 1), input.Rank, "axis");
        if (model.Opset >= 13 || axis == input.Rank - 1)
        {
            dim = axis;
            return input;
        }
        // Before opset 13 the op flattens to 2-D at axis; equal to a per-axis softmax only when axis is the last one, or when the input is 2-D.
        if (input.Rank == 2) { dim = axis; return input; }
        throw new NotSupportedException($"opset {model.Opset} softmax over the flattened axes {axis}… of a rank-{input.Rank} input is not supported.");
    }

    // ---- shape and structure -------------------------------------------------------------------

    private static OnnxValue[] Flatten(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        int axis = (int)(n.Int("axis", 1) is var a && a < 0 ? a + input.Rank : a);
        if (axis < 0 || axis > input.Rank) throw new ArgumentException($"axis {n.Int("axis", 1)} is outside a rank-{input.Rank} tensor.");
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= input.Shape[i];
        return [F(input.Reshape(outer, outer == 0 ? 0 : input.Length / Math.Max(outer, 1)))];
    }

    private static OnnxValue[] Reshape(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        long[] target = n.Opset5Shape() ?? IntsOf(x, 1, n);
        bool allowZero = n.Int("allowzero", 0) != 0;
        var shape = new int[target.Length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.Length; i++)
        {
            long t = target[i];
            if (t == -1)
            {
                if (infer >= 0) throw new ArgumentException("the shape has more than one −1.");
                infer = i;
                continue;
            }
            if (t == 0 && !allowZero)
            {
                if (i >= data.Dims.Length) throw new ArgumentException($"shape entry {i} is 0 (copy) but the input has rank {data.Dims.Length}.");
                t = data.Dims[i];
            }
            if (t < 0) throw new ArgumentException($"shape entry {i} is {t}.");
            shape[i] = ToInt(t, "shape entry");
            known *= t;
        }
        long length = data.Dims.Aggregate(1L, (p, d) => p * d);
        if (infer >= 0)
        {
            if (known == 0 || length % known != 0) throw new ArgumentException($"cannot infer the −1 of shape ({string.Join(", ", target)}) for {length} elements.");
            shape[infer] = (int)(length / known);
        }
        else if (known != length) throw new ArgumentException($"shape ({string.Join(", ", target)}) holds {known} elements, the input {length}.");
        return [data.IsFloat ? F(data.Tensor!.Reshape(shape)) : OnnxValue.Integers(data.Ints!, shape)];
    }

    private static long[]? Opset5Shape(this OnnxNode n) => n.Ints("shape");

    private static OnnxValue[] Concat(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var parts = x.Where(v => v is not null).Select(v => v!).ToArray();
        if (parts.Length == 0) throw new ArgumentException("Concat needs at least one input.");
        int rank = parts[0].Dims.Length;
        int axis = Axis(n.Int("axis", 0), rank, "axis");
        if (parts.All(p => p.IsFloat)) return [F(Functional.Concat([.. parts.Select(p => p.Tensor!)], axis))];
        if (parts.Any(p => p.IsFloat)) throw new ArgumentException("inputs mix float and integer types.");
        if (rank != 1) throw new NotSupportedException("integer Concat is supported for 1-D shape values only.");
        return [OnnxValue.Integers([.. parts.SelectMany(p => p.Ints!)], [parts.Sum(p => p.Ints!.Length)])];
    }

    private static OnnxValue[] Dropout(OnnxNode n, OnnxValue?[] x, OnnxModel model)
    {
        if (n.Outputs.Length > 1 && n.Outputs[1].Length > 0) Refuse(n, "mask", "the mask output is not supported.");
        var input = T(x, 0, n);
        // Opset 12+: ratio (default 0.5) and training_mode (default false: inference) are inputs; before, ratio is an
        // attribute and opsets ≤ 6 mark inference with is_test. The node drops only while the model is in training mode
        // (fine-tuning) and the graph does not pin it to inference (training_mode = false, is_test = 1).
        float ratio = n.Float("ratio", 0.5f);
        if (Optional(x, 1) is { } r) ratio = r.Length == 1 ? r.AsSpan()[0] : throw new ArgumentException("ratio must hold one value.");
        if (!(ratio >= 0f && ratio < 1f)) throw new ArgumentException($"ratio {ratio} is outside [0, 1).");
        bool pinnedToInference = n.Int("is_test", 0) != 0;
        if (x.Length > 2 && x[2] is { } mode)
        {
            bool training = mode.IsFloat ? mode.Tensor!.Length == 1 && mode.Tensor.AsSpan()[0] != 0f
                : mode.Ints!.Length == 1 ? mode.Ints[0] != 0 : throw new ArgumentException("training_mode must hold one value.");
            pinnedToInference |= !training;
        }
        if (!model.IsTraining || pinnedToInference || ratio == 0f) return [F(input)];
        return [F(Functional.Dropout(input, ratio, training: true, model.DropoutRandomSource))];
    }

    private static OnnxValue[] Pad(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        long[] pads = n.Ints("pads") ?? IntsOf(x, 1, n);
        float value = n.Float("value", 0f);
        if (Optional(x, 2) is { } v) value = v.Length == 1 ? v.AsSpan()[0] : throw new ArgumentException("constant_value must hold one value.");
        if (x.Length > 3 && x[3] is not null) Refuse(n, "axes", "the axes input is not supported.");
        string mode = n.String("mode", "constant");
        var padMode = mode switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "edge" => PadMode.Replicate,
            _ => throw new NotSupportedException($"mode '{mode}' is not supported (constant, reflect and edge are)."),
        };
        int r = input.Rank;
        if (pads.Length != 2 * r) throw new ArgumentException($"pads has {pads.Length} values; a rank-{r} input needs {2 * r}.");
        // ONNX: [x1_begin, x2_begin, …, x1_end, …]; Striate pads the last 1–3 axes, last axis first.
        int last = 0;
        for (int i = 0; i < r; i++)
            if (pads[i] != 0 || pads[i + r] != 0) last = Math.Max(last, r - i);
        if (last == 0) return [F(input)];
        if (last > 3) Refuse(n, "pads", "only the last three axes can be padded.");
        var p = new int[2 * last];
        for (int j = 0; j < last; j++)
        {
            int axis = r - 1 - j;
            p[2 * j] = ToInt(pads[axis], "pad");
            p[2 * j + 1] = ToInt(pads[axis + r], "pad");
        }
        Bound(input, Enumerable.Range(0, r).Select(i => (long)input.Shape[i] + pads[i] + pads[i + r]), "the padded output");
        return [F(Functional.Pad(input, p, padMode, value))];
    }

    private static OnnxValue[] Resize(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var input = T(x, 0, n);
        int r = input.Rank - 2;
        if (r is < 1 or > 3) throw new ArgumentException($"resizing needs a rank-3 to rank-5 input, got rank {input.Rank}.");
        string mode = n.String("mode", "nearest");
        string transform = n.String("coordinate_transformation_mode", n.OpType == "Upsample" ? "asymmetric" : "half_pixel");
        double[]? scales = null;
        int[]? sizes = null;
        if (n.OpType == "Upsample" && n.Floats("scales") is { } attributeScales) scales = [.. attributeScales.Select(s => (double)s)];
        var scaleInput = n.OpType == "Upsample" ? Optional(x, 1) : Optional(x, 2);
        if (scaleInput is { Length: > 0 }) scales = [.. scaleInput.ToArray().Select(s => (double)s)];
        if (n.OpType == "Resize" && x.Length > 3 && x[3] is { Ints: { } sz }) sizes = ToInts(sz, "sizes");
        if (scales is not null)
        {
            if (scales.Length != input.Rank || scales[0] != 1 || scales[1] != 1) throw new NotSupportedException($"scales ({string.Join(", ", scales)}) must keep the batch and channel axes (1, 1, …).");
            scales = scales[2..];
        }
        else if (sizes is not null)
        {
            if (sizes.Length != input.Rank || sizes[0] != input.Shape[0] || sizes[1] != input.Shape[1]) throw new NotSupportedException($"sizes ({string.Join(", ", sizes)}) must keep the batch and channel axes.");
            sizes = sizes[2..];
        }
        else throw new ArgumentException("neither scales nor sizes is given.");

        bool alignCorners;
        UpsampleMode upsample;
        if (mode == "nearest")
        {
            string nearest = n.String("nearest_mode", "round_prefer_floor");
            if (transform != "asymmetric" || (n.OpType == "Resize" && nearest != "floor"))
                Refuse(n, "coordinate_transformation_mode", $"nearest resizing is supported as PyTorch's (asymmetric, floor), got ({transform}, {nearest}).");
            upsample = UpsampleMode.Nearest;
            alignCorners = false;
        }
        else if (mode is "linear" or "bilinear" or "trilinear")
        {
            alignCorners = transform switch
            {
                "align_corners" => true,
                "half_pixel" or "pytorch_half_pixel" => false,
                _ => throw new NotSupportedException($"linear resizing with coordinate_transformation_mode '{transform}' is not supported (half_pixel, pytorch_half_pixel, align_corners are)."),
            };
            upsample = r switch { 1 => UpsampleMode.Linear, 2 => UpsampleMode.Bilinear, _ => UpsampleMode.Trilinear };
        }
        else throw new NotSupportedException($"mode '{mode}' is not supported (nearest and linear are).");
        Bound(input, [input.Shape[0], input.Shape[1], .. sizes is not null
            ? sizes.Select(v => (long)v)
            : scales!.Select((f, i) => (long)Math.Min(Math.Floor(input.Shape[i + 2] * f), long.MaxValue / 4))], "the resized output");
        if (scales is not null && sizes is null)
        {
            // ONNX sizes the output ⌊x·scale⌋ and samples at scale; Striate's scaleFactor does the same.
            return [F(Functional.Upsample(input, null, scales, upsample, alignCorners))];
        }
        return [F(Functional.Upsample(input, sizes, null, upsample, alignCorners))];
    }

    private static OnnxValue[] Abs(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var v = Arg(x, 0, n);
        if (!v.IsFloat) return [OnnxValue.Integers([.. v.Ints!.Select(Math.Abs)], v.Dims)];
        // |x| = relu(x) + relu(−x): built from differentiable ops, gradient sign(x) (0 at 0).
        return [F(Functional.Relu(v.Tensor!) + Functional.Relu(-v.Tensor!))];
    }
}
