// Checkpoints: a model's weights and its architecture in one safetensors file.
//
//   tensors        every parameter under its dotted name ("0.weight", "3.bias", ...)
//   __metadata__   "format": "striate", "format_version": "1",
//                  "architecture": JSON tree of the modules, e.g.
//                    {"type":"Sequential","layers":[{"type":"Conv2d","inChannels":1,...},{"type":"ReLU"},...]}
//                  plus the caller's own string entries (model name, input shape, epoch, ...)
//
// The architecture is described and rebuilt through one explicit table (LayerTable below, extended
// per op family by Checkpoint.<Family>.cs files through partial methods), one entry per layer type: no reflection, so trimming and NativeAOT keep working, and a layer nobody wrote an
// entry for fails loudly at save time instead of producing a checkpoint that cannot be loaded.
// Rebuilding rejects unknown fields, so a file from a newer Striate never silently loses a
// hyper-parameter (say, a future "dilation") and builds a different network.
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Striate.Layers;

namespace Striate.Serialization;

/// <summary>
/// Saves and loads models as safetensors files that carry both the weights and the architecture,
/// so <see cref="Load"/> rebuilds the model without the caller knowing what it was.
/// </summary>
public static partial class Checkpoint
{
    /// <summary>The value of the <c>format</c> metadata entry in every Striate checkpoint.</summary>
    public const string Format = "striate";

    /// <summary>The checkpoint layout version written by this library; files with a higher version are rejected.</summary>
    public const int FormatVersion = 1;

    /// <summary>Metadata key holding <see cref="Format"/>.</summary>
    public const string FormatKey = "format";

    /// <summary>Metadata key holding <see cref="FormatVersion"/> as a decimal string.</summary>
    public const string FormatVersionKey = "format_version";

    /// <summary>
    /// First character of the names of tensors that are not the model's (see the <c>extraTensors</c> of
    /// <see cref="Save"/>); module and parameter names cannot start with it.
    /// </summary>
    public const string ExtraTensorPrefix = "@";

    /// <summary>Metadata key holding the architecture JSON (see <see cref="DescribeArchitecture"/>).</summary>
    public const string ArchitectureKey = "architecture";

    /// <summary>
    /// Writes <paramref name="model"/>'s parameters and architecture to <paramref name="path"/>,
    /// atomically (see <see cref="SafeTensors.Save(string, IEnumerable{KeyValuePair{string, Tensor}}, IReadOnlyDictionary{string, string}?)"/>).
    /// </summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="model">The model; every module in it must have an architecture entry.</param>
    /// <param name="metadata">Extra string entries returned by <see cref="Load"/> and <see cref="LoadWeights"/>, e.g. <c>model</c>, <c>input_shape</c>, <c>epoch</c>.</param>
    /// <exception cref="NotSupportedException">A module's type has no architecture entry; the message names the module and type. Nothing is written.</exception>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> uses a reserved key (<see cref="FormatKey"/>, <see cref="FormatVersionKey"/>, <see cref="ArchitectureKey"/>).</exception>
    /// <exception cref="IOException">The file could not be written; <paramref name="path"/> is left as it was.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable; <paramref name="path"/> is left as it was.</exception>
    /// <param name="extraTensors">Tensors stored beside the model's (optimizer state for resuming, say); each name must start with <see cref="ExtraTensorPrefix"/>.</param>
    public static void Save(string path, Module model, IReadOnlyDictionary<string, string>? metadata = null,
        IEnumerable<KeyValuePair<string, Tensor>>? extraTensors = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(model);
        var all = new OrderedDictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = Format,
            [FormatVersionKey] = FormatVersion.ToString(CultureInfo.InvariantCulture),
            [ArchitectureKey] = DescribeArchitecture(model),
        };
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                if (all.ContainsKey(key))
                    throw new ArgumentException($"The metadata key '{key}' is reserved by the checkpoint format.", nameof(metadata));
                all.Add(key, value);
            }
        }
        var extras = extraTensors?.ToList() ?? [];
        foreach (var (name, _) in extras)
            if (!name.StartsWith(ExtraTensorPrefix, StringComparison.Ordinal))
                throw new ArgumentException($"Extra tensor name '{name}' must start with '{ExtraTensorPrefix}' so it cannot collide with a parameter.", nameof(extraTensors));
        SafeTensors.Save(path, model.NamedState().Concat(extras), all);
    }

    /// <summary>Rebuilds the model stored in a checkpoint and loads its weights.</summary>
    /// <param name="path">A file written by <see cref="Save"/>.</param>
    /// <returns>The model (in training mode, like a newly built one) and the caller's metadata (reserved keys removed).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not valid safetensors, is not a Striate checkpoint, has a newer format version,
    /// or its architecture is malformed or names an unknown layer type or field.
    /// </exception>
    /// <exception cref="CheckpointMismatchException">The stored tensors do not match the rebuilt model's parameters; every missing, unexpected and mis-shaped name is listed.</exception>
    public static LoadedCheckpoint Load(string path)
    {
        var contents = SafeTensors.Load(path);
        var meta = contents.Metadata;
        if (!meta.TryGetValue(FormatKey, out var format) || format != Format)
            throw new InvalidDataException($"'{path}' is a safetensors file but not a Striate checkpoint: its metadata has no \"{FormatKey}\": \"{Format}\" entry. Use {nameof(LoadWeights)} to load its tensors into a model you build.");
        int version = CheckVersion(path, meta);
        if (!meta.TryGetValue(ArchitectureKey, out var architecture))
            throw new InvalidDataException($"Striate checkpoint '{path}' has no \"{ArchitectureKey}\" metadata entry.");
        var model = BuildArchitecture(architecture, path);
        var (own, extras) = SplitExtras(contents.Tensors);
        CopyWeights(model, own, path);
        return new LoadedCheckpoint(model, UserMetadata(meta), version, extras);
    }

    /// <summary>
    /// Loads the weights stored in <paramref name="path"/> into <paramref name="model"/>. Every
    /// parameter is checked by name and shape before any is changed, so on failure the model is untouched.
    /// Works with any F32 safetensors file whose names match (e.g. one converted from a PyTorch state dict).
    /// </summary>
    /// <param name="model">The model to fill; its architecture must match the file's tensors.</param>
    /// <param name="path">A safetensors file.</param>
    /// <returns>The file's metadata, reserved checkpoint keys removed.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid safetensors or has a newer checkpoint format version.</exception>
    /// <exception cref="CheckpointMismatchException">Parameters are missing from the file, the file has tensors the model lacks, or shapes differ; each is named.</exception>
    public static IReadOnlyDictionary<string, string> LoadWeights(Module model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        var contents = SafeTensors.Load(path);
        if (contents.Metadata.ContainsKey(FormatVersionKey)) CheckVersion(path, contents.Metadata);
        CopyWeights(model, SplitExtras(contents.Tensors).Own, path);
        return UserMetadata(contents.Metadata);
    }

    /// <summary>
    /// The architecture of <paramref name="model"/> as compact JSON: one object per module with a
    /// <c>"type"</c> and its hyper-parameters in camelCase (the constructor's parameter names), e.g.
    /// <c>{"type":"Sequential","layers":[{"type":"Linear","inFeatures":4,"outFeatures":2,"bias":true},{"type":"ReLU"}]}</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">A module's type has no architecture entry; the message names the module path and type.</exception>
    public static string DescribeArchitecture(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Describe(model, "").ToJsonString();
    }

    /// <summary>Builds a new model (fresh, deterministic initial weights) from JSON made by <see cref="DescribeArchitecture"/>.</summary>
    /// <param name="architecture">The JSON text.</param>
    /// <exception cref="InvalidDataException">The JSON is malformed, names an unknown layer type or field, misses a field, or holds an invalid value; the message gives the location.</exception>
    public static Module BuildArchitecture(string architecture)
    {
        ArgumentNullException.ThrowIfNull(architecture);
        return BuildArchitecture(architecture, source: null);
    }

    // ---- The layer table: one entry per layer type. Adding a layer = adding one entry, here for the
    // foundation layers, or in the op family's Checkpoint.<Family>.cs partial method. ----

    private static LayerEntry[] BuildLayerTable()
    {
        var table = new List<LayerEntry>(FoundationLayers);
        AddConvolutionLayers(table);
        AddPoolingLayers(table);
        AddActivationLayers(table);
        AddNormalizationLayers(table);
        AddStructureLayers(table);
        AddModelLayers(table);
        AddFeatureLayers(table);
        return [.. table];
    }

    static partial void AddConvolutionLayers(List<LayerEntry> table);
    static partial void AddPoolingLayers(List<LayerEntry> table);
    static partial void AddActivationLayers(List<LayerEntry> table);
    static partial void AddNormalizationLayers(List<LayerEntry> table);
    static partial void AddStructureLayers(List<LayerEntry> table);
    static partial void AddModelLayers(List<LayerEntry> table);
    static partial void AddFeatureLayers(List<LayerEntry> table);

    private static readonly LayerEntry[] FoundationLayers =
    [
        Entry<Sequential>("Sequential",
            (m, w) => new() { ["layers"] = w.Children(m) },
            s => new Sequential([.. s.Layers("layers")])),
        Entry<Linear>("Linear",
            (m, _) => new() { ["inFeatures"] = m.InFeatures, ["outFeatures"] = m.OutFeatures, ["bias"] = m.Bias is not null },
            s => new Linear(s.Int("inFeatures"), s.Int("outFeatures"), s.Bool("bias"), InitRng())),
        Entry<Flatten>("Flatten", (m, _) => new() { ["startDim"] = m.StartDim }, s => new Flatten(s.Int("startDim"))),
        Entry<ReLU>("ReLU", (_, _) => [], _ => new ReLU()),
        Entry<Tanh>("Tanh", (_, _) => [], _ => new Tanh()),
        Entry<Sigmoid>("Sigmoid", (_, _) => [], _ => new Sigmoid()),
    ];

    // Declared after FoundationLayers: static fields initialise in textual order.
    private static readonly LayerEntry[] LayerTable = BuildLayerTable();

    /// <summary>Weights of a rebuilt model are overwritten by the checkpoint; a fixed seed keeps rebuilding deterministic.</summary>
    private static Rng InitRng() => new(0);

    /// <summary>The type names in the table, for error messages.</summary>
    public static IReadOnlyList<string> SupportedLayerTypes { get; } = [.. LayerTable.Select(e => e.Type)];

    private sealed record LayerEntry(string Type, Type ClrType, Func<Module, ArchitectureWriter, JsonObject> Describe, Func<LayerSpec, Module> Build);

    private static LayerEntry Entry<T>(string type, Func<T, ArchitectureWriter, JsonObject> describe, Func<LayerSpec, Module> build) where T : Module
        => new(type, typeof(T), (m, w) => describe((T)m, w), build);

    // path: the module's dotted path in the model ("" for the model itself), for error messages.
    private static JsonObject Describe(Module module, string path)
    {
        var type = module.GetType();
        // Exact type match: a subclass may carry state its base's entry does not know about.
        var entry = Array.Find(LayerTable, e => e.ClrType == type)
            ?? throw new NotSupportedException($"Cannot save {(path.Length == 0 ? "the model" : $"layer '{path}'")} of type {type.FullName}: checkpoints have no architecture entry for it (supported: {string.Join(", ", SupportedLayerTypes)}). Add one to Checkpoint's layer table.");
        var description = entry.Describe(module, new ArchitectureWriter(path));
        description.Insert(0, "type", entry.Type);
        return description;
    }

    /// <summary>Describes a container's children, giving each its dotted path for error messages.</summary>
    private sealed class ArchitectureWriter(string path)
    {
        public JsonArray Children(Module parent)
        {
            var array = new JsonArray();
            foreach (var (name, child) in parent.Children) array.Add(Describe(child, path.Length == 0 ? name : path + "." + name));
            return array;
        }
    }

    private static Module BuildArchitecture(string architecture, string? source)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(architecture);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{Where(source)}the architecture is not valid JSON: {ex.Message}", ex);
        }
        return Build(root, "architecture", source);
    }

    private static Module Build(JsonNode? node, string location, string? source)
    {
        if (node is not JsonObject obj)
            throw new InvalidDataException($"{Where(source)}{location} must be a JSON object with a \"type\".");
        var spec = new LayerSpec(obj, location, source);
        string type = spec.String("type");
        var entry = Array.Find(LayerTable, e => e.Type == type)
            ?? throw new InvalidDataException($"{Where(source)}{location} has unknown layer type '{type}' (supported: {string.Join(", ", SupportedLayerTypes)}).");
        Module module;
        try
        {
            module = entry.Build(spec);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{Where(source)}{location} ({type}) has invalid hyper-parameters: {ex.Message}", ex);
        }
        spec.RejectUnread(type);
        return module;
    }

    /// <summary>Typed, located access to one layer's JSON object; remembers which fields were read.</summary>
    private sealed class LayerSpec(JsonObject obj, string location, string? source)
    {
        private readonly HashSet<string> _read = ["type"];

        private JsonNode Field(string name, string expected)
        {
            _read.Add(name);
            return obj[name] ?? throw new InvalidDataException($"{Where(source)}{location} has no {expected} field \"{name}\".");
        }

        public string String(string name)
        {
            var node = Field(name, "string");
            return node.GetValueKind() == JsonValueKind.String
                ? node.GetValue<string>()
                : throw new InvalidDataException($"{Where(source)}{location}.{name} must be a string, not {node.ToJsonString()}.");
        }

        public int Int(string name)
        {
            var node = Field(name, "integer");
            return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int i)
                ? i
                : throw new InvalidDataException($"{Where(source)}{location}.{name} must be a 32-bit integer, not {node.ToJsonString()}.");
        }

        public float Float(string name)
        {
            var node = Field(name, "number");
            return node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out double d) && double.IsFinite(d)
                ? (float)d
                : throw new InvalidDataException($"{Where(source)}{location}.{name} must be a finite number, not {node.ToJsonString()}.");
        }

        public int[] Ints(string name)
        {
            var node = Field(name, "integer array");
            if (node is not JsonArray array)
                throw new InvalidDataException($"{Where(source)}{location}.{name} must be an array of integers, not {node.ToJsonString()}.");
            var result = new int[array.Count];
            for (int i = 0; i < array.Count; i++)
                result[i] = array[i] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int x)
                    ? x
                    : throw new InvalidDataException($"{Where(source)}{location}.{name}[{i}] must be a 32-bit integer, not {array[i]?.ToJsonString() ?? "null"}.");
            return result;
        }

        public bool Has(string name) => obj.ContainsKey(name);

        public bool Bool(string name)
        {
            var node = Field(name, "boolean");
            return node.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw new InvalidDataException($"{Where(source)}{location}.{name} must be true or false, not {node.ToJsonString()}."),
            };
        }

        public IEnumerable<Module> Layers(string name)
        {
            if (Field(name, "array") is not JsonArray array)
                throw new InvalidDataException($"{Where(source)}{location}.{name} must be an array of layers.");
            var layers = new List<Module>(array.Count);
            for (int i = 0; i < array.Count; i++) layers.Add(Build(array[i], $"{location}.{name}[{i}]", source));
            return layers;
        }

        public void RejectUnread(string type)
        {
            foreach (var (key, _) in obj)
                if (!_read.Contains(key))
                    throw new InvalidDataException($"{Where(source)}{location} ({type}) has unknown field \"{key}\"; it may come from a newer Striate that this version cannot honour.");
        }
    }

    private static string Where(string? source) => source is null ? "" : $"Checkpoint '{source}': ";

    private static int CheckVersion(string path, IReadOnlyDictionary<string, string> meta)
    {
        if (!meta.TryGetValue(FormatVersionKey, out var text) || !int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int version) || version < 1)
            throw new InvalidDataException($"Checkpoint '{path}' has no valid \"{FormatVersionKey}\" (a positive integer) in its metadata.");
        if (version > FormatVersion)
            throw new InvalidDataException($"Checkpoint '{path}' has format version {version}; this Striate reads versions up to {FormatVersion}.");
        return version;
    }

    private static OrderedDictionary<string, string> UserMetadata(IReadOnlyDictionary<string, string> meta)
    {
        var user = new OrderedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in meta)
            if (key is not (FormatKey or FormatVersionKey or ArchitectureKey)) user.Add(key, value);
        return user;
    }

    private static (IReadOnlyDictionary<string, Tensor> Own, IReadOnlyDictionary<string, Tensor> Extras) SplitExtras(IReadOnlyDictionary<string, Tensor> all)
    {
        var own = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var extras = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in all) (name.StartsWith(ExtraTensorPrefix, StringComparison.Ordinal) ? extras : own)[name] = t;
        return (own, extras);
    }

    /// <summary>Checks every name and shape, then copies; nothing changes unless everything matches.</summary>
    private static void CopyWeights(Module model, IReadOnlyDictionary<string, Tensor> stored, string path)
    {
        var parameters = model.NamedState().ToList();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in parameters)
        {
            expected.Add(name);
            if (!stored.TryGetValue(name, out var tensor)) missing.Add(name);
            else if (!tensor.Dims.SequenceEqual(parameter.Dims))
                mismatched.Add($"{name}: model {Tensor.ShapeText(parameter.Dims)}, file {Tensor.ShapeText(tensor.Dims)}");
        }
        var unexpected = stored.Keys.Where(k => !expected.Contains(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0)
            throw new CheckpointMismatchException(path, missing, unexpected, mismatched);
        foreach (var (name, parameter) in parameters) stored[name].AsSpan().CopyTo(parameter.AsSpan());
    }
}

/// <summary>A model rebuilt by <see cref="Checkpoint.Load"/>.</summary>
public sealed class LoadedCheckpoint
{
    internal LoadedCheckpoint(Module model, IReadOnlyDictionary<string, string> metadata, int formatVersion, IReadOnlyDictionary<string, Tensor> extraTensors)
    {
        ExtraTensors = extraTensors;
        Model = model;
        Metadata = metadata;
        FormatVersion = formatVersion;
    }

    /// <summary>The rebuilt model with the stored weights.</summary>
    public Module Model { get; }

    /// <summary>The metadata passed to <see cref="Checkpoint.Save"/>, in saved order.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors saved beside the model's (names starting with <see cref="Checkpoint.ExtraTensorPrefix"/>).</summary>
    public IReadOnlyDictionary<string, Tensor> ExtraTensors { get; }

    /// <summary>The checkpoint layout version the file was written with.</summary>
    public int FormatVersion { get; }
}

/// <summary>
/// A checkpoint's tensors do not match a model's parameters. The message lists every problem by
/// name; the lists are also available one by one. An <see cref="IOException"/> (as
/// <see cref="InvalidDataException"/> is sealed) so file-level handlers catch it too.
/// </summary>
public sealed class CheckpointMismatchException : IOException
{
    internal CheckpointMismatchException(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
        : base(BuildMessage(path, missing, unexpected, shapeMismatches))
    {
        Missing = missing;
        Unexpected = unexpected;
        ShapeMismatches = shapeMismatches;
    }

    /// <summary>Parameters of the model that the file lacks.</summary>
    public IReadOnlyList<string> Missing { get; }

    /// <summary>Tensors in the file that the model has no parameter for.</summary>
    public IReadOnlyList<string> Unexpected { get; }

    /// <summary>Parameters present in both with different shapes, as <c>name: model (a, b), file (c, d)</c>.</summary>
    public IReadOnlyList<string> ShapeMismatches { get; }

    private static string BuildMessage(string path, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected, IReadOnlyList<string> shapeMismatches)
    {
        var parts = new List<string>();
        if (missing.Count > 0) parts.Add("missing from the file: " + string.Join(", ", missing));
        if (unexpected.Count > 0) parts.Add("unexpected in the file: " + string.Join(", ", unexpected));
        if (shapeMismatches.Count > 0) parts.Add("shape mismatch: " + string.Join("; ", shapeMismatches));
        return $"Checkpoint '{path}' does not match the model: {string.Join(". ", parts)}.";
    }
}
