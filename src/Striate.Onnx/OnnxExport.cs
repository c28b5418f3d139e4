// ONNX export: walks a Striate module tree and writes the equivalent ONNX graph (opset 13 by
// default, up to 17), batch dimension symbolic ("batch") so any batch size runs. A sample batch of
// one runs through the model beside the walk, so every node knows its input's concrete shape (for
// adaptive pooling, resizing to a size, padding of N-d inputs) without baking the batch size in.
// Layers ONNX expresses directly map one to one; others are lowered to standard ops:
//   true convolution → Conv with the kernel flipped;  reflect/replicate padding → Pad + Conv
//   SumPool → AveragePool · k^r;  AvgPool divisor_override → AveragePool · k^r/d
//   adaptive pools → GlobalAveragePool/GlobalMaxPool (output 1) or AveragePool/MaxPool (sizes divide)
//   SiLU → x·σ(x);  GELU → ½x(1 + erf(x/√2)) or its tanh form;  Softplus(β) → softplus(βx)/β
//   Striate's GlobalAvgPool/GlobalMaxPool (N, C) → Global…Pool + Flatten;  Dropout → nothing (inference form)
// Layers with no equivalent (locally connected and tiled convolution, unpooling, maxout, circular
// padding, connection-table convolution) are refused with an exception naming the layer's path.
using Google.Protobuf;
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Onnx.Proto;

namespace Striate.Onnx;

/// <summary>Options of <see cref="OnnxExport.Export(Module, string, IReadOnlyList{int}, OnnxExportOptions?)"/>.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The default-domain opset to target, 13 to 17 (default 13).</summary>
    public int Opset { get; init; } = 13;

    /// <summary>Entries for the model's metadata_props, e.g. <c>input_shape</c>, <c>mean</c>, <c>std</c>, <c>class_names</c> (read back by <see cref="OnnxModel.Metadata"/> and <c>striate infer</c>).</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Name of the graph input (default <c>input</c>).</summary>
    public string InputName { get; init; } = "input";

    /// <summary>Name of the graph output (default <c>output</c>).</summary>
    public string OutputName { get; init; } = "output";
}

/// <summary>Writes Striate models as ONNX files that ONNX Runtime and other tools run.</summary>
public static class OnnxExport
{
    /// <summary>
    /// Writes <paramref name="model"/> (evaluated in inference form: running batch-norm statistics, no dropout) as an ONNX
    /// model whose input is (batch, <paramref name="inputShape"/>…) with a symbolic batch size; y = model(x) as Striate computes it.
    /// </summary>
    /// <param name="model">The model; its training mode is restored afterwards.</param>
    /// <param name="path">The <c>.onnx</c> file to write (replaced atomically).</param>
    /// <param name="inputShape">One sample's shape without the batch, e.g. (1, 28, 28).</param>
    /// <param name="options">Opset, metadata and names; defaults when null.</param>
    /// <exception cref="ArgumentException">The input shape is empty or has a non-positive dimension (<c>inputShape</c>), the opset is outside 13–17 (<c>options</c>), or the model rejects the sample input.</exception>
    /// <exception cref="NotSupportedException">A layer has no ONNX equivalent; the message names its path and type.</exception>
    public static void Export(Module model, string path, IReadOnlyList<int> inputShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bytes = ToBytes(model, inputShape, options);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp";
        File.WriteAllBytes(temp, bytes);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>The serialized ONNX model of <paramref name="model"/>, as <see cref="Export(Module, string, IReadOnlyList{int}, OnnxExportOptions?)"/> writes it.</summary>
    /// <param name="model">The model; its training mode is restored afterwards.</param>
    /// <param name="inputShape">One sample's shape without the batch.</param>
    /// <param name="options">Opset, metadata and names; defaults when null.</param>
    /// <returns>The ModelProto bytes.</returns>
    /// <exception cref="ArgumentException">As for <see cref="Export(Module, string, IReadOnlyList{int}, OnnxExportOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">A layer has no ONNX equivalent.</exception>
    public static byte[] ToBytes(Module model, IReadOnlyList<int> inputShape, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        options ??= new OnnxExportOptions();
        if (inputShape.Count == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"The input shape must be positive dimensions, got ({string.Join(", ", inputShape)}).", nameof(inputShape));
        if (options.Opset is < 13 or > 17)
            throw new ArgumentException($"Striate exports ONNX opsets 13 to 17, not {options.Opset}.", nameof(options));
        bool training = model.IsTraining;
        model.Eval();
        try
        {
            var writer = new GraphWriter(options.Opset);
            var sample = Tensor.Zeros([1, .. inputShape]);
            var input = new Value(options.InputName, sample);
            Value output;
            using (GradMode.NoGrad()) output = writer.Emit(model, "", input);
            writer.Node("Identity", "output", [output.Name], [options.OutputName]);
            var graph = writer.Graph;
            graph.Name = model.TypeName;
            graph.Input.Add(ValueInfo(options.InputName, sample.Dims));
            graph.Output.Add(ValueInfo(options.OutputName, output.Sample.Dims));
            var proto = new ModelProto
            {
                IrVersion = 8,
                ProducerName = "striate",
                ProducerVersion = typeof(Module).Assembly.GetName().Version?.ToString() ?? "0",
                Graph = graph,
            };
            proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = options.Opset });
            foreach (var (key, value) in options.Metadata ?? new Dictionary<string, string>())
                proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
            return proto.ToByteArray();
        }
        finally
        {
            model.Train(training);
        }
    }

    /// <summary>Writes the model as ONNX; see <see cref="Export(Module, string, IReadOnlyList{int}, OnnxExportOptions?)"/>.</summary>
    /// <param name="model">The model; its training mode is restored afterwards.</param>
    /// <param name="path">The <c>.onnx</c> file to write.</param>
    /// <param name="inputShape">One sample's shape without the batch, e.g. (1, 28, 28).</param>
    /// <param name="options">Opset, metadata and names; defaults when null.</param>
    /// <exception cref="ArgumentException">As for <see cref="Export(Module, string, IReadOnlyList{int}, OnnxExportOptions?)"/>.</exception>
    /// <exception cref="NotSupportedException">A layer has no ONNX equivalent.</exception>
    public static void ExportOnnx(this Module model, string path, IReadOnlyList<int> inputShape, OnnxExportOptions? options = null) =>
        Export(model, path, inputShape, options);

    private static ValueInfoProto ValueInfo(string name, ReadOnlySpan<int> sampleDims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "batch" });
        foreach (int d in sampleDims[1..]) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    /// <summary>A graph value: its name and the sample (batch of one) it holds.</summary>
    internal sealed record Value(string Name, Tensor Sample);

    private sealed class GraphWriter(int opset)
    {
        private readonly HashSet<string> _names = new(StringComparer.Ordinal);

        public GraphProto Graph { get; } = new();

        public int Opset { get; } = opset;

        private string Unique(string name)
        {
            string n = name;
            for (int i = 1; !_names.Add(n); i++) n = name + "_" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return n;
        }

        public string Initializer(string name, Tensor value) => Initializer(name, value.AsSpan(), value.Dims);

        public string Initializer(string name, ReadOnlySpan<float> data, ReadOnlySpan<int> dims)
        {
            string n = Unique(name);
            Graph.Initializer.Add(OnnxTensorCodec.Encode(n, data, dims));
            return n;
        }

        public string Int64s(string name, params long[] values)
        {
            string n = Unique(name);
            Graph.Initializer.Add(OnnxTensorCodec.EncodeInt64(n, values, [values.Length]));
            return n;
        }

        public string Scalar(string name, float value) => Initializer(name, [value], []);

        /// <summary>Adds a node; returns its (first) output name.</summary>
        public string Node(string opType, string path, string[] inputs, string[]? outputs = null, params AttributeProto[] attributes)
        {
            var node = new NodeProto { OpType = opType, Name = Unique((path.Length == 0 ? "" : path + "/") + opType) };
            node.Input.AddRange(inputs);
            outputs ??= [Unique((path.Length == 0 ? "" : path + ":") + opType)];
            node.Output.AddRange(outputs);
            node.Attribute.AddRange(attributes);
            Graph.Node.Add(node);
            return outputs[0];
        }

        public Value Emit(Module module, string path, Value x)
        {
            switch (module)
            {
                case Sequential seq:
                    for (int i = 0; i < seq.Count; i++) x = Emit(seq[i], Join(path, seq.Children[i].Key), x);
                    return x;
                case AuxiliaryClassifierNet aux:
                    // Inference form: the main path only (the auxiliary heads feed training losses).
                    return Emit(aux.Main, Join(path, aux.Children[0].Key), x);
                case Residual res:
                {
                    var body = Emit(res.Body, Join(path, res.Children[0].Key), x);
                    var shortcut = res.Shortcut is null ? x : Emit(res.Shortcut, Join(path, res.Children[1].Key), x);
                    return new(Node("Add", path, [body.Name, shortcut.Name]), module.Forward(x.Sample));
                }
                case Branches br:
                {
                    var outs = new List<Value>();
                    for (int i = 0; i < br.Count; i++) outs.Add(Emit(br.Layers[i], Join(path, br.Children[i].Key), x));
                    int rank = outs[0].Sample.Rank;
                    int axis = br.Dim < 0 ? br.Dim + rank : br.Dim;
                    return new(Node("Concat", path, [.. outs.Select(o => o.Name)], null, Attr.Int("axis", axis)), Functional.Concat([.. outs.Select(o => o.Sample)], axis));
                }
                default:
                    return Leaf(module, path, x);
            }
        }

        private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

        private Value Leaf(Module m, string path, Value x)
        {
            Tensor y = m.Forward(x.Sample);
            string name = LeafNodes(m, path, x, y);
            return new(name, y);
        }

        private string P(string path, string param) => path.Length == 0 ? param : path + "." + param;

        private string LeafNodes(Module m, string path, Value x, Tensor y)
        {
            int rank = x.Sample.Rank;
            switch (m)
            {
                case ConvNd conv: return Conv(conv, path, x);
                case ConvTransposeNd ct:
                {
                    int r = ct.SpatialRank;
                    var inputs = new List<string> { x.Name, Initializer(P(path, "weight"), ct.Weight) };
                    if (ct.Bias is not null) inputs.Add(Initializer(P(path, "bias"), ct.Bias));
                    return Node("ConvTranspose", path, [.. inputs], null,
                        Attr.Ints("kernel_shape", Repeat(ct.KernelSize, r)), Attr.Ints("strides", Repeat(ct.Stride, r)),
                        Attr.Ints("pads", Repeat(ct.Padding, 2 * r)), Attr.Ints("output_padding", Repeat(ct.OutputPadding, r)),
                        Attr.Ints("dilations", Repeat(ct.Dilation, r)), Attr.Int("group", ct.Groups));
                }
                case Linear lin:
                {
                    if (rank == 2)
                    {
                        string w = Initializer(P(path, "weight"), lin.Weight);
                        string[] inputs = lin.Bias is null ? [x.Name, w] : [x.Name, w, Initializer(P(path, "bias"), lin.Bias)];
                        return Node("Gemm", path, inputs, null, Attr.Int("transB", 1));
                    }
                    // (…, in) inputs: x · Wᵀ (+ b) with the transposed weight stored.
                    string mm = Node("MatMul", path, [x.Name, Initializer(P(path, "weight_t"), Transposed(lin.Weight))]);
                    return lin.Bias is null ? mm : Node("Add", path, [mm, Initializer(P(path, "bias"), lin.Bias)]);
                }
                case Flatten f:
                {
                    int start = f.StartDim < 0 ? f.StartDim + rank : f.StartDim;
                    if (start == 1) return Node("Flatten", path, [x.Name], null, Attr.Int("axis", 1));
                    return Node("Reshape", path, [x.Name, Int64s(P(path, "shape"), [.. Enumerable.Repeat(0L, start), -1])]);
                }
                case Reshape r:
                    return Node("Reshape", path, [x.Name, Int64s(P(path, "shape"), [0, .. r.TargetShape.Select(v => (long)v)])]);
                case ReLU: return Node("Relu", path, [x.Name]);
                case Tanh: return Node("Tanh", path, [x.Name]);
                case Sigmoid: return Node("Sigmoid", path, [x.Name]);
                case LeakyReLU lr: return Node("LeakyRelu", path, [x.Name], null, Attr.Float("alpha", lr.NegativeSlope));
                case ELU elu: return Node("Elu", path, [x.Name], null, Attr.Float("alpha", elu.Alpha));
                case SELU: return Node("Selu", path, [x.Name]);
                case Softsign: return Node("Softsign", path, [x.Name]);
                case Softplus sp:
                {
                    if (sp.Beta == 1f) return Node("Softplus", path, [x.Name]);
                    string scaled = Node("Mul", path, [x.Name, Scalar(P(path, "beta"), sp.Beta)]);
                    return Node("Div", path, [Node("Softplus", path, [scaled]), Scalar(P(path, "beta_div"), sp.Beta)]);
                }
                case Hardtanh ht: return Node("Clip", path, [x.Name, Scalar(P(path, "min"), ht.MinVal), Scalar(P(path, "max"), ht.MaxVal)]);
                case SiLU: return Node("Mul", path, [x.Name, Node("Sigmoid", path, [x.Name])]);
                case GELU gelu: return Gelu(gelu, path, x);
                case PReLU prelu:
                {
                    int[] dims = prelu.NumParameters == 1 ? [1] : [prelu.NumParameters, .. Enumerable.Repeat(1, Math.Max(0, rank - 2))];
                    return Node("PRelu", path, [x.Name, Initializer(P(path, "weight"), prelu.Weight.AsSpan(), dims)]);
                }
                case Softmax sm: return Node("Softmax", path, [x.Name], null, Attr.Int("axis", sm.Dim < 0 ? sm.Dim + rank : sm.Dim));
                case LogSoftmax lsm: return Node("LogSoftmax", path, [x.Name], null, Attr.Int("axis", lsm.Dim < 0 ? lsm.Dim + rank : lsm.Dim));
                case DropoutLayer: return x.Name;
                case MaxPoolLayer mp:
                {
                    int r = rank - 2;
                    return Node("MaxPool", path, [x.Name], null, Attr.Ints("kernel_shape", Repeat(mp.KernelSize, r)), Attr.Ints("strides", Repeat(mp.Stride, r)),
                        Attr.Ints("pads", Repeat(mp.Padding, 2 * r)), Attr.Ints("dilations", Repeat(mp.Dilation, r)), Attr.Int("ceil_mode", mp.CeilMode ? 1 : 0));
                }
                case AvgPoolLayer ap:
                {
                    int r = rank - 2;
                    string pooled = Node("AveragePool", path, [x.Name], null, Attr.Ints("kernel_shape", Repeat(ap.KernelSize, r)), Attr.Ints("strides", Repeat(ap.Stride, r)),
                        Attr.Ints("pads", Repeat(ap.Padding, 2 * r)), Attr.Int("ceil_mode", ap.CeilMode ? 1 : 0),
                        Attr.Int("count_include_pad", ap.CountIncludePad || ap.DivisorOverride is not null ? 1 : 0));
                    if (ap.DivisorOverride is not int d) return pooled;
                    if (ap.CeilMode) Refuse(m, path, "divisor_override with ceil_mode has no ONNX form (the last windows' counts differ)");
                    return Node("Mul", path, [pooled, Scalar(P(path, "window_over_divisor"), (float)(Math.Pow(ap.KernelSize, r) / d))]);
                }
                case PoolLayer sum when m.TypeName.StartsWith("SumPool", StringComparison.Ordinal):
                {
                    int r = rank - 2;
                    if (sum.CeilMode) Refuse(m, path, "sum pooling with ceil_mode has no ONNX form (partial windows are averaged over their size)");
                    string pooled = Node("AveragePool", path, [x.Name], null, Attr.Ints("kernel_shape", Repeat(sum.KernelSize, r)), Attr.Ints("strides", Repeat(sum.Stride, r)),
                        Attr.Ints("pads", Repeat(sum.Padding, 2 * r)), Attr.Int("count_include_pad", 1));
                    return Node("Mul", path, [pooled, Scalar(P(path, "window"), (float)Math.Pow(sum.KernelSize, r))]);
                }
                case LpPoolLayer lp:
                {
                    int r = rank - 2;
                    if (lp.NormType != MathF.Round(lp.NormType) || lp.NormType < 1) Refuse(m, path, $"ONNX LpPool takes an integer p, not {lp.NormType}");
                    // ONNX LpPool sums |x|^p, Striate (as PyTorch) x^p: the same function for even p only.
                    if (lp.NormType % 2 != 0) Refuse(m, path, $"ONNX LpPool sums |x|^p while Striate sums x^p; they agree for even p only, not {lp.NormType}");
                    if (lp.CeilMode) Refuse(m, path, "LpPool has no ceil_mode before opset 18");
                    return Node("LpPool", path, [x.Name], null, Attr.Ints("kernel_shape", Repeat(lp.KernelSize, r)), Attr.Ints("strides", Repeat(lp.Stride, r)),
                        Attr.Int("p", (long)lp.NormType));
                }
                case AdaptivePoolLayer ad:
                {
                    bool max = m.TypeName.StartsWith("AdaptiveMax", StringComparison.Ordinal);
                    if (ad.OutputSize == 1) return Node(max ? "GlobalMaxPool" : "GlobalAveragePool", path, [x.Name]);
                    var spatial = x.Sample.Dims[2..].ToArray();
                    if (spatial.Any(s => s % ad.OutputSize != 0))
                        Refuse(m, path, $"adaptive pooling of ({string.Join(", ", spatial)}) to {ad.OutputSize} has uneven windows; ONNX pools need equal ones");
                    long[] k = [.. spatial.Select(s => (long)(s / ad.OutputSize))];
                    return Node(max ? "MaxPool" : "AveragePool", path, [x.Name], null, Attr.Ints("kernel_shape", k), Attr.Ints("strides", k));
                }
                case GlobalAvgPool: return Node("Flatten", path, [Node("GlobalAveragePool", path, [x.Name])], null, Attr.Int("axis", 1));
                case GlobalMaxPool: return Node("Flatten", path, [Node("GlobalMaxPool", path, [x.Name])], null, Attr.Int("axis", 1));
                case BatchNormLayer bn:
                {
                    if (bn.RunningMean is null || bn.RunningVar is null)
                        Refuse(m, path, "batch norm without running statistics normalizes with batch statistics even in inference; ONNX BatchNormalization needs running ones");
                    int c = bn.NumFeatures;
                    string scale = bn.Weight is null ? Initializer(P(path, "weight"), Tensor.Ones(c)) : Initializer(P(path, "weight"), bn.Weight);
                    string bias = bn.Bias is null ? Initializer(P(path, "bias"), Tensor.Zeros(c)) : Initializer(P(path, "bias"), bn.Bias);
                    return Node("BatchNormalization", path, [x.Name, scale, bias, Initializer(P(path, "running_mean"), bn.RunningMean!), Initializer(P(path, "running_var"), bn.RunningVar!)],
                        null, Attr.Float("epsilon", bn.Eps), Attr.Float("momentum", 1f - (bn.Momentum ?? 0.1f)));
                }
                case LocalResponseNorm lrn:
                    if (lrn.Size % 2 == 0) Refuse(m, path, $"an even size ({lrn.Size}) centres the window differently in ONNX LRN");
                    return Node("LRN", path, [x.Name], null, Attr.Int("size", lrn.Size), Attr.Float("alpha", lrn.Alpha), Attr.Float("beta", lrn.Beta), Attr.Float("bias", lrn.K));
                case PadNd pad: return Pad(pad, path, x);
                case Upsample up: return Resize(up, path, x, y);
                default:
                    Refuse(m, path, "it has no ONNX equivalent in Striate's exporter");
                    return "";
            }
        }

        private string Conv(ConvNd conv, string path, Value x)
        {
            int r = conv.SpatialRank;
            var pads = new (int Before, int After)[r];
            for (int i = 0; i < r; i++) pads[i] = conv.Padding.Resolve(i, conv.KernelSize, conv.Dilation);
            string input = x.Name;
            if (conv.PaddingMode != PaddingMode.Zeros)
            {
                string mode = conv.PaddingMode switch
                {
                    PaddingMode.Reflect => "reflect",
                    PaddingMode.Replicate => "edge",
                    _ => throw new NotSupportedException($"Layer '{path}' ({conv.TypeName}): {conv.PaddingMode} padding has no ONNX form before opset 19."),
                };
                long[] all = new long[2 * (r + 2)];
                for (int i = 0; i < r; i++) { all[2 + i] = pads[i].Before; all[r + 4 + i] = pads[i].After; }
                input = Node("Pad", path, [input, Int64s(P(path, "pads"), all)], null, Attr.String("mode", mode));
                pads = new (int, int)[r];
            }
            // True convolution = cross-correlation with the kernel flipped along every spatial axis.
            var weight = conv.ConvolutionMode == ConvolutionMode.TrueConvolution ? Flipped(conv.Weight) : conv.Weight;
            var inputs = new List<string> { input, Initializer(P(path, "weight"), weight) };
            if (conv.Bias is not null) inputs.Add(Initializer(P(path, "bias"), conv.Bias));
            return Node("Conv", path, [.. inputs], null,
                Attr.Ints("kernel_shape", Repeat(conv.KernelSize, r)), Attr.Ints("strides", Repeat(conv.Stride, r)),
                Attr.Ints("pads", [.. pads.Select(p => (long)p.Before), .. pads.Select(p => (long)p.After)]),
                Attr.Ints("dilations", Repeat(conv.Dilation, r)), Attr.Int("group", conv.Groups));
        }

        private string Gelu(GELU gelu, string path, Value x)
        {
            if (gelu.Approximate == GeluApproximation.None)
            {
                // ½x(1 + erf(x/√2))
                string erf = Node("Erf", path, [Node("Div", path, [x.Name, Scalar(P(path, "sqrt2"), MathF.Sqrt(2f))])]);
                string onePlus = Node("Add", path, [erf, Scalar(P(path, "one"), 1f)]);
                return Node("Mul", path, [Node("Mul", path, [x.Name, onePlus]), Scalar(P(path, "half"), 0.5f)]);
            }
            // ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
            string cube = Node("Mul", path, [Node("Mul", path, [x.Name, x.Name]), x.Name]);
            string inner = Node("Add", path, [x.Name, Node("Mul", path, [cube, Scalar(P(path, "c"), 0.044715f)])]);
            string t = Node("Tanh", path, [Node("Mul", path, [inner, Scalar(P(path, "k"), MathF.Sqrt(2f / MathF.PI))])]);
            return Node("Mul", path, [Node("Mul", path, [x.Name, Node("Add", path, [t, Scalar(P(path, "one"), 1f)])]), Scalar(P(path, "half"), 0.5f)]);
        }

        private string Pad(PadNd pad, string path, Value x)
        {
            int rank = x.Sample.Rank;
            string mode = pad.Mode switch
            {
                PadMode.Constant => "constant",
                PadMode.Reflect => "reflect",
                PadMode.Replicate => "edge",
                _ => throw new NotSupportedException($"Layer '{path}' ({pad.TypeName}): {pad.Mode} padding has no ONNX form before opset 19."),
            };
            var all = new long[2 * rank];
            // Striate/PyTorch order: (left, right) of the last axis, then the one before, …
            for (int j = 0; 2 * j < pad.Padding.Count; j++)
            {
                int axis = rank - 1 - j;
                all[axis] = pad.Padding[2 * j];
                all[rank + axis] = pad.Padding[2 * j + 1];
            }
            string[] inputs = pad.Mode == PadMode.Constant
                ? [x.Name, Int64s(P(path, "pads"), all), Scalar(P(path, "value"), pad.Value)]
                : [x.Name, Int64s(P(path, "pads"), all)];
            return Node("Pad", path, inputs, null, Attr.String("mode", mode));
        }

        private string Resize(Upsample up, string path, Value x, Tensor y)
        {
            int r = x.Sample.Rank - 2;
            var attributes = new List<AttributeProto>();
            if (up.Mode == UpsampleMode.Nearest)
            {
                attributes.Add(Attr.String("mode", "nearest"));
                attributes.Add(Attr.String("coordinate_transformation_mode", "asymmetric"));
                attributes.Add(Attr.String("nearest_mode", "floor"));
            }
            else
            {
                attributes.Add(Attr.String("mode", "linear"));
                attributes.Add(Attr.String("coordinate_transformation_mode", up.AlignCorners ? "align_corners" : "half_pixel"));
            }
            string roi = Initializer(P(path, "roi"), [], [0]);
            if (up.ScaleFactor is { } sf)
            {
                float[] scales = [1f, 1f, .. (sf.Count == 1 ? Enumerable.Repeat(sf[0], r) : sf).Select(s => (float)s)];
                return Node("Resize", path, [x.Name, roi, Initializer(P(path, "scales"), scales, [scales.Length])], null, [.. attributes]);
            }
            // Sizes keep the (dynamic) batch and channels: Concat(Shape(x)[0:2], spatial sizes).
            string shape = Node("Shape", path, [x.Name]);
            string nc = Node("Slice", path, [shape, Int64s(P(path, "starts"), 0), Int64s(P(path, "ends"), 2)]);
            string sizes = Node("Concat", path, [nc, Int64s(P(path, "size"), [.. y.Dims[2..].ToArray().Select(v => (long)v)])], null, Attr.Int("axis", 0));
            string scalesEmpty = Initializer(P(path, "scales"), [], [0]);
            return Node("Resize", path, [x.Name, roi, scalesEmpty, sizes], null, [.. attributes]);
        }

        private static long[] Repeat(int v, int n) => Enumerable.Repeat((long)v, n).ToArray();

        private static void Refuse(Module m, string path, string why) =>
            throw new NotSupportedException($"Layer '{(path.Length == 0 ? "(root)" : path)}' ({m.TypeName}) cannot be exported to ONNX: {why}.");
    }

    private static Tensor Transposed(Tensor w)
    {
        int rows = w.Shape[0], cols = w.Shape[1];
        var src = w.AsSpan();
        var dst = new float[w.Length];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++) dst[j * rows + i] = src[i * cols + j];
        return Tensor.FromArray(dst, cols, rows);
    }

    /// <summary>The kernel reversed along every spatial axis (the last rank − 2).</summary>
    private static Tensor Flipped(Tensor w)
    {
        var dims = w.Dims.ToArray();
        int outer = dims[0] * dims[1];
        int spatial = w.Length / Math.Max(outer, 1);
        var src = w.AsSpan();
        var dst = new float[w.Length];
        // Reversing the flattened spatial block reverses every spatial axis at once.
        for (int o = 0; o < outer; o++)
            for (int i = 0; i < spatial; i++) dst[o * spatial + i] = src[o * spatial + spatial - 1 - i];
        return Tensor.FromArray(dst, dims);
    }

    /// <summary>AttributeProto builders.</summary>
    private static class Attr
    {
        public static AttributeProto Int(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

        public static AttributeProto Float(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };

        public static AttributeProto String(string name, string v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };

        public static AttributeProto Ints(string name, long[] v)
        {
            var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
            a.Ints.AddRange(v);
            return a;
        }
    }
}
