// OnnxModel: an ONNX file as a runnable, trainable Striate Module. Loading parses the protobuf
// (Google.Protobuf, bounded recursion, every claimed size checked against the bytes present),
// turns float initializers into parameters (batch-norm running statistics into buffers) named as
// in the file ("conv1.weight" becomes child "conv1", parameter "weight", so NamedParameters gives
// the exporter's names back), fuses the erf form of GELU into one node (OnnxFusion), sorts the
// nodes topologically (refusing cycles and undefined values)
// and checks every operator against the supported set, so an unsupported node fails at load time
// naming the node and its operator. Forward interprets the graph node by node with Striate's
// differentiable ops (structural ones too: Transpose, Slice and Gather of floats are Permute, Slice and
// IndexSelect), so gradients reach the initializers and an imported model can be fine-tuned; in training
// mode Dropout nodes drop with the model's own seeded generator and batch norms use batch statistics.
using System.Globalization;
using Google.Protobuf;
using Striate.Layers;
using Striate.Onnx.Proto;

namespace Striate.Onnx;

/// <summary>
/// A model loaded from an ONNX file: a <see cref="Module"/> whose <see cref="Forward"/> runs the graph
/// (y = graph(x)) with Striate's differentiable ops and whose float initializers are its parameters (batch-norm
/// statistics its buffers), so it can be fine-tuned. In training mode (the default after loading) Dropout nodes drop
/// with the model's own generator (see <see cref="Load(string, Rng)"/>) and BatchNormalization uses batch statistics;
/// call <see cref="Module.Eval"/> for inference. The supported operators and their attributes are listed in
/// docs/interop.md; anything else is refused at load or run time with a message naming the node and operator.
/// </summary>
public sealed class OnnxModel : Module
{
    /// <summary>Parser with a nesting bound: a hostile file cannot recurse without end.</summary>
    private static readonly MessageParser<ModelProto> Parser = ModelProto.Parser.WithDiscardUnknownFields(true);

    private readonly List<OnnxNode> _nodes;
    private readonly Dictionary<string, Tensor> _state = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OnnxValue> _constants = new(StringComparer.Ordinal);
    private readonly string[] _inputs;
    private readonly string[] _outputs;

    private readonly ModelProto _proto;

    /// <summary>The generator of the Dropout nodes' masks in training mode (one for the whole graph, drawn in node order).</summary>
    private readonly Rng _rng;

    private OnnxModel(ModelProto model, string? baseDirectory, string source, Rng rng)
    {
        _proto = model;
        _rng = rng;
        var graph = model.Graph ?? throw new InvalidDataException($"{source}: the model has no graph.");
        Opset = 0;
        foreach (var op in model.OpsetImport)
            if (op.Domain is "" or "ai.onnx") Opset = (int)Math.Clamp(op.Version, 0, int.MaxValue);
        if (Opset == 0) Opset = 13;
        ProducerName = model.ProducerName ?? "";
        Metadata = model.MetadataProps.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

        var nodes = OnnxFusion.FuseGelu(graph.Node.Select((n, i) => new OnnxNode(n, i)).ToList(), graph);
        foreach (var node in nodes)
        {
            if (node.Domain is not ("" or "ai.onnx"))
                throw new NotSupportedException($"{source}: node '{node.Name}' (operator '{node.OpType}', domain '{node.Domain}'): only the default ONNX domain is supported.");
            if (!OnnxOperators.IsSupported(node.OpType))
                throw new NotSupportedException($"{source}: node '{node.Name}' uses operator '{node.OpType}', which Striate does not support. Supported operators: {string.Join(", ", OnnxOperators.Names)}.");
        }

        // Which initializers are batch-norm statistics (buffers, not trained), and which are operands that take no
        // gradient (clip bounds, resize scales, pad values): those stay constants rather than parameters.
        var statistics = new HashSet<string>(StringComparer.Ordinal);
        var operands = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in nodes)
        {
            (int From, int To) span = node.OpType switch
            {
                "BatchNormalization" => (3, 5),
                "Clip" => (1, 3),
                "Resize" => (1, 3),
                "Upsample" => (1, 2),
                "Pad" => (1, 4),
                "Dropout" => (1, 3),
                _ => (0, 0),
            };
            for (int i = span.From; i < Math.Min(span.To, node.Inputs.Length); i++)
                (node.OpType == "BatchNormalization" ? statistics : operands).Add(node.Inputs[i]);
        }

        var root = new StateTree(this);
        foreach (var init in graph.Initializer)
        {
            if (string.IsNullOrEmpty(init.Name)) throw new InvalidDataException($"{source}: an initializer has no name.");
            if (_state.ContainsKey(init.Name) || _constants.ContainsKey(init.Name)) throw new InvalidDataException($"{source}: initializer '{init.Name}' is defined twice.");
            var value = OnnxTensorCodec.Decode(init, baseDirectory, $"{source}: initializer '{init.Name}'");
            if (value.IsFloat && !operands.Contains(init.Name) && value.Tensor!.Length > 0)
            {
                _state[init.Name] = value.Tensor!;
                root.Add(init.Name, value.Tensor!, buffer: statistics.Contains(init.Name));
            }
            else _constants[init.Name] = value;
        }

        _inputs = [.. graph.Input.Select(i => i.Name).Where(n => !_state.ContainsKey(n) && !_constants.ContainsKey(n))];
        _outputs = [.. graph.Output.Select(o => o.Name)];
        if (_outputs.Length == 0) throw new InvalidDataException($"{source}: the graph has no outputs.");
        InputShapes = graph.Input.Where(i => _inputs.Contains(i.Name)).ToDictionary(i => i.Name, i => ShapeOf(i), StringComparer.Ordinal);
        _nodes = Sort(nodes, new HashSet<string>(_inputs.Concat(_state.Keys).Concat(_constants.Keys), StringComparer.Ordinal), _outputs, source);
    }

    /// <summary>The default-domain opset version the file imports (13 when it names none).</summary>
    public int Opset { get; }

    /// <summary>The tool that wrote the file (e.g. <c>pytorch</c>, <c>striate</c>).</summary>
    public string ProducerName { get; }

    /// <summary>The model's metadata_props (key → value), e.g. Striate's <c>input_shape</c>, <c>mean</c>, <c>std</c>, <c>class_names</c>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The graph's inputs that are not initializers, in order.</summary>
    public IReadOnlyList<string> InputNames => _inputs;

    /// <summary>The graph's outputs, in order.</summary>
    public IReadOnlyList<string> OutputNames => _outputs;

    /// <summary>Each input's declared shape; null dimensions are symbolic (e.g. the batch) or missing.</summary>
    public IReadOnlyDictionary<string, int?[]> InputShapes { get; }

    /// <inheritdoc/>
    public override string TypeName => "OnnxModel";

    /// <summary>The generator of the graph's Dropout masks; saved and restored with resumable checkpoints (<see cref="Module.NamedRandomSources"/>).</summary>
    protected override Rng? OwnRandomSource => _rng;

    /// <summary>The generator Dropout nodes draw their masks from.</summary>
    internal Rng DropoutRandomSource => _rng;

    /// <inheritdoc/>
    public override string Description => $"{_nodes.Count} nodes, opset {Opset}";

    /// <summary>Loads an ONNX model file (external-data tensors are read from the file's folder).</summary>
    /// <param name="path">An <c>.onnx</c> file.</param>
    /// <param name="rng">Source of the Dropout nodes' masks in training mode; a generator with a random seed (not reproducible) when null.</param>
    /// <returns>
    /// The model, in training mode like every new module (Dropout nodes drop, BatchNormalization uses batch statistics);
    /// call <see cref="Module.Eval"/> for inference.
    /// </returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid ONNX protobuf, or a tensor, shape or graph in it is malformed (truncated data, sizes that disagree, a cycle, an undefined value).</exception>
    /// <exception cref="NotSupportedException">A node uses an operator or attribute Striate does not support; the message names the node and operator.</exception>
    public static OnnxModel Load(string path, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No such ONNX file '{Path.GetFullPath(path)}'.", path);
        return Load(File.ReadAllBytes(path), Path.GetDirectoryName(Path.GetFullPath(path)), path, rng);
    }

    /// <summary>Loads an ONNX model from its bytes; external-data tensors are refused (there is no folder to read them from).</summary>
    /// <param name="bytes">The serialized ModelProto.</param>
    /// <param name="rng">Source of the Dropout nodes' masks in training mode; a random seed when null.</param>
    /// <returns>The model, in training mode.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a valid ONNX model (as in <see cref="Load(string, Rng)"/>).</exception>
    /// <exception cref="NotSupportedException">A node uses an unsupported operator or attribute.</exception>
    public static OnnxModel Load(byte[] bytes, Rng? rng = null) => Load(bytes ?? throw new ArgumentNullException(nameof(bytes)), null, "ONNX model", rng);

    private static OnnxModel Load(byte[] bytes, string? baseDirectory, string source, Rng? rng)
    {
        ModelProto proto;
        try
        {
            var input = new CodedInputStream(bytes);
            proto = Parser.ParseFrom(input);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InvalidDataException($"{source}: not a valid ONNX protobuf file ({bytes.Length} bytes): {e.Message}", e);
        }
        return new OnnxModel(proto, baseDirectory, source, RngOrRandom(rng));
    }

    /// <summary>
    /// Writes the model back as ONNX: the graph as loaded, every initializer that became a parameter or buffer holding
    /// its current values (after fine-tuning, say), stored inline (external data is brought into the file).
    /// </summary>
    /// <param name="path">The <c>.onnx</c> file to write (replaced atomically).</param>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    public void Save(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var copy = _proto.Clone();
        var graph = copy.Graph;
        for (int i = 0; i < graph.Initializer.Count; i++)
        {
            var init = graph.Initializer[i];
            if (!_state.TryGetValue(init.Name, out var tensor)) continue;
            graph.Initializer[i] = OnnxTensorCodec.Encode(init.Name, tensor.AsSpan(), tensor.Dims);
        }
        // Integer initializers read from external files travel inline too.
        for (int i = 0; i < graph.Initializer.Count; i++)
        {
            var init = graph.Initializer[i];
            if (init.DataLocation == TensorProto.Types.DataLocation.External && _constants.TryGetValue(init.Name, out var value))
                graph.Initializer[i] = value.IsFloat
                    ? OnnxTensorCodec.Encode(init.Name, value.Tensor!.AsSpan(), value.Dims)
                    : OnnxTensorCodec.EncodeInt64(init.Name, value.Ints!, value.Dims);
        }
        string full = Path.GetFullPath(path);
        File.WriteAllBytes(full + ".tmp", copy.ToByteArray());
        File.Move(full + ".tmp", full, overwrite: true);
    }

    /// <summary>Runs the graph on its single input <paramref name="input"/> and returns its first output.</summary>
    /// <param name="input">The graph input, e.g. (N, C, H, W).</param>
    /// <returns>The first graph output.</returns>
    /// <exception cref="InvalidOperationException">The graph has more than one input (use <see cref="Run"/>).</exception>
    /// <exception cref="ArgumentException">A node rejects its inputs (wrong shape); the message names the node and operator.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_inputs.Length != 1)
            throw new InvalidOperationException($"This ONNX graph has {_inputs.Length} inputs ({string.Join(", ", _inputs)}); call Run with one tensor per input.");
        return Run(new Dictionary<string, Tensor> { [_inputs[0]] = input })[_outputs[0]];
    }

    /// <summary>Runs the graph on named inputs and returns every graph output by name.</summary>
    /// <param name="inputs">One tensor per name in <see cref="InputNames"/>.</param>
    /// <returns>Each name in <see cref="OutputNames"/> with its float tensor (integer outputs are converted to float).</returns>
    /// <exception cref="ArgumentException">An input is missing (ParamName <c>inputs</c>), or a node rejects its inputs (the message names the node and operator).</exception>
    public IReadOnlyDictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var values = new Dictionary<string, OnnxValue>(_constants, StringComparer.Ordinal);
        foreach (var (name, tensor) in _state) values[name] = OnnxValue.Float(tensor);
        foreach (var name in _inputs)
        {
            if (!inputs.TryGetValue(name, out var x)) throw new ArgumentException($"The ONNX graph input '{name}' was not given.", nameof(inputs));
            values[name] = OnnxValue.Float(x);
        }
        foreach (var node in _nodes)
        {
            var args = node.Inputs.Select(n => n.Length == 0 ? null : values[n]).ToArray();
            OnnxValue[] results;
            try
            {
                results = OnnxOperators.Run(node, args, this);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or NotSupportedException)
            {
                string shapes = string.Join(", ", args.Select(a => a?.ToString() ?? "none"));
                throw new ArgumentException($"ONNX node '{node.Name}' ({node.OpType}) failed on inputs [{shapes}]: {e.Message}", e);
            }
            for (int i = 0; i < Math.Min(results.Length, node.Outputs.Length); i++)
                if (node.Outputs[i].Length > 0) values[node.Outputs[i]] = results[i];
        }
        var outputs = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var name in _outputs)
        {
            var v = values[name];
            outputs[name] = v.Tensor ?? Tensor.FromArray([.. v.Ints!.Select(i => (float)i)], v.Dims);
        }
        return outputs;
    }

    private static int?[] ShapeOf(ValueInfoProto info)
    {
        var dims = info.Type?.TensorType?.Shape?.Dim;
        if (dims is null) return [];
        return [.. dims.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && d.DimValue > 0 && d.DimValue <= int.MaxValue ? (int?)d.DimValue : null)];
    }

    /// <summary>Kahn's algorithm: nodes in an order where every input is defined first; a cycle or an undefined value is an error.</summary>
    private static List<OnnxNode> Sort(List<OnnxNode> nodes, HashSet<string> defined, string[] outputs, string source)
    {
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var o in node.Outputs.Where(o => o.Length > 0))
                if (defined.Contains(o) || !producer.TryAdd(o, node))
                    throw new InvalidDataException($"{source}: value '{o}' (output of node '{node.Name}') is defined more than once.");
        foreach (var node in nodes)
            foreach (var i in node.Inputs.Where(i => i.Length > 0))
                if (!defined.Contains(i) && !producer.ContainsKey(i))
                    throw new InvalidDataException($"{source}: node '{node.Name}' ({node.OpType}) reads value '{i}', which no node, input or initializer defines.");
        foreach (var o in outputs)
            if (!defined.Contains(o) && !producer.ContainsKey(o))
                throw new InvalidDataException($"{source}: graph output '{o}' is not defined by any node, input or initializer.");

        var pending = nodes.ToDictionary(n => n, n => n.Inputs.Count(i => i.Length > 0 && !defined.Contains(i)));
        var users = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var node in nodes)
            foreach (var i in node.Inputs.Where(i => i.Length > 0 && !defined.Contains(i)))
                (users.TryGetValue(i, out var list) ? list : users[i] = []).Add(node);
        var ready = new SortedSet<int>(nodes.Where(n => pending[n] == 0).Select(n => n.Index));
        var byIndex = nodes.ToDictionary(n => n.Index);
        var order = new List<OnnxNode>(nodes.Count);
        while (ready.Count > 0)
        {
            var node = byIndex[ready.Min];
            ready.Remove(node.Index);
            order.Add(node);
            foreach (var o in node.Outputs.Where(o => o.Length > 0))
                if (users.TryGetValue(o, out var list))
                    foreach (var user in list)
                        if (--pending[user] == 0) ready.Add(user.Index);
        }
        if (order.Count != nodes.Count)
        {
            var stuck = nodes.Where(n => pending[n] > 0).Take(5).Select(n => $"'{n.Name}' ({n.OpType})");
            throw new InvalidDataException($"{source}: the graph has a cycle; nodes that wait on each other include {string.Join(", ", stuck)}.");
        }
        return order;
    }

    /// <summary>Registers initializers as parameters and buffers under their dotted names, building child modules per prefix.</summary>
    private sealed class StateTree(OnnxModel root)
    {
        private readonly Dictionary<string, Scope> _scopes = new(StringComparer.Ordinal);
        private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

        public void Add(string name, Tensor value, bool buffer)
        {
            var parts = name.Split('.');
            bool nested = parts.All(p => p.Length > 0 && !p.StartsWith('@'));
            // A dotted name nests only when no prefix of it is itself a leaf and the leaf is new.
            for (int i = 1; nested && i < parts.Length; i++)
                if (_taken.Contains(string.Join('.', parts[..i]))) nested = false;
            if (nested && _scopes.ContainsKey(name)) nested = false;
            if (nested && _taken.Contains(name)) nested = false;
            if (!nested)
            {
                string flat = Sanitize(name);
                while (_taken.Contains(flat) || _scopes.ContainsKey(flat)) flat += "_";
                _taken.Add(flat);
                root.AddState(root, flat, value, buffer);
                return;
            }
            Module owner = root;
            string prefix = "";
            for (int i = 0; i < parts.Length - 1; i++)
            {
                prefix = i == 0 ? parts[0] : prefix + "." + parts[i];
                if (!_scopes.TryGetValue(prefix, out var scope))
                {
                    scope = new Scope();
                    _scopes[prefix] = scope;
                    AddChild(owner, parts[i], scope);
                }
                owner = scope;
            }
            _taken.Add(name);
            root.AddState(owner, parts[^1], value, buffer);
        }

        private void AddChild(Module owner, string name, Scope scope)
        {
            if (owner is Scope s) s.AddChild(name, scope);
            else root.AddChild(name, scope);
        }

        private static string Sanitize(string name)
        {
            var chars = name.Select(c => c == '.' ? '_' : c).ToArray();
            string s = new(chars);
            if (s.Length == 0 || s[0] == '@') s = "_" + s;
            return s;
        }
    }

    private void AddChild(string name, Module child) => RegisterModule(name, child);

    private void AddState(Module owner, string name, Tensor value, bool buffer)
    {
        if (owner is Scope scope) scope.Add(name, value, buffer);
        else if (buffer) RegisterBuffer(name, value);
        else RegisterParameter(name, value);
    }

    /// <summary>A node of the name tree: holds the initializers under one dotted prefix; not callable on its own.</summary>
    private sealed class Scope : Module
    {
        public override string TypeName => "OnnxInitializers";

        public void Add(string name, Tensor value, bool buffer)
        {
            if (buffer) RegisterBuffer(name, value);
            else RegisterParameter(name, value);
        }

        public void AddChild(string name, Scope child) => RegisterModule(name, child);

        public override Tensor Forward(Tensor input) =>
            throw new InvalidOperationException("An ONNX initializer group is not a layer; run the OnnxModel instead.");
    }
}

/// <summary>One graph node with its attributes decoded on demand.</summary>
internal sealed class OnnxNode
{
    private readonly Dictionary<string, AttributeProto> _attributes = new(StringComparer.Ordinal);

    public OnnxNode(NodeProto proto, int index)
    {
        Index = index;
        OpType = proto.OpType ?? "";
        Domain = proto.Domain ?? "";
        Name = string.IsNullOrEmpty(proto.Name) ? $"#{index.ToString(CultureInfo.InvariantCulture)} {OpType}" : proto.Name;
        Inputs = [.. proto.Input];
        Outputs = [.. proto.Output];
        foreach (var a in proto.Attribute) _attributes[a.Name ?? ""] = a;
    }

    /// <summary>A node made by a load-time rewrite (see <see cref="OnnxFusion"/>), with no attributes.</summary>
    public OnnxNode(string opType, string name, string[] inputs, string[] outputs, int index)
    {
        Index = index;
        OpType = opType;
        Domain = "";
        Name = name;
        Inputs = inputs;
        Outputs = outputs;
    }

    public int Index { get; }

    public string OpType { get; }

    public string Domain { get; }

    public string Name { get; }

    public string[] Inputs { get; }

    public string[] Outputs { get; }

    public bool Has(string name) => _attributes.ContainsKey(name);

    public long Int(string name, long fallback) => _attributes.TryGetValue(name, out var a) ? a.I : fallback;

    public float Float(string name, float fallback) => _attributes.TryGetValue(name, out var a) ? a.F : fallback;

    public string String(string name, string fallback) => _attributes.TryGetValue(name, out var a) ? a.S.ToStringUtf8() : fallback;

    public long[]? Ints(string name) => _attributes.TryGetValue(name, out var a) ? [.. a.Ints] : null;

    public float[]? Floats(string name) => _attributes.TryGetValue(name, out var a) ? [.. a.Floats] : null;

    public TensorProto? TensorAttribute(string name) => _attributes.TryGetValue(name, out var a) ? a.T : null;
}
