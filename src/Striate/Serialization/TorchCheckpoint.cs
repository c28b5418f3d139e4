// PyTorch checkpoints written by torch.save (the zip format, torch ≥ 1.6):
//
//   <archive>/data.pkl      a pickle of the saved object; for a state dict an OrderedDict of
//                           name → torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)
//   <archive>/data/<key>    one raw little-endian storage per key, referenced from the pickle by a
//                           persistent id ('storage', torch.FloatStorage, '<key>', 'cpu', numel)
//   <archive>/version       the format version; <archive>/byteorder ("little"/"big", torch ≥ 2.1)
//
// The pickle is read by the restricted Pickle reader with a table of exactly the globals a state
// dict needs (collections.OrderedDict, the two rebuild functions and the storage types); anything
// else — os.system, eval, a pickled nn.Module class, even torch.storage._load_from_bytes, which
// unpickles nested bytes — is refused by name before anything runs. A tensor is a view of a storage:
// element (i0, i1, ...) is storage[offset + Σ i_k·stride_k]; views are validated against the
// storage's length and copied to a contiguous float32 tensor (shared storages are read once).
// Every element type converts to float32: float64 and int64 round to nearest, float16/bfloat16 are
// exact, bool is 0/1 — so BatchNorm's int64 num_batches_tracked loads as a float like Striate keeps it.
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Striate.Layers;

namespace Striate.Serialization;

/// <summary>
/// Loads PyTorch <c>state_dict</c> checkpoints (files written by <c>torch.save</c>) without Python
/// and without executing anything from the file: a restricted unpickler accepts only tensor data.
/// </summary>
public static class TorchCheckpoint
{
    /// <summary>The largest data.pkl accepted (256 MB): a state dict's pickle holds names and shapes only, the tensors live beside it.</summary>
    public const long MaxPickleLength = 256L << 20;

    /// <summary>
    /// The most elements a view may have when it has more elements than its storage (a stride-0,
    /// expanded view): 2^24, so a few pickle bytes cannot claim gigabytes of repeated values.
    /// </summary>
    public const long MaxExpandedElements = 1 << 24;

    private const string Kind = "PyTorch checkpoint";

    /// <summary>
    /// Reads every tensor of a state dict saved with <c>torch.save(model.state_dict(), path)</c>.
    /// </summary>
    /// <param name="path">A <c>.pt</c>/<c>.pth</c> file in torch's zip format.</param>
    /// <param name="entry">
    /// When the file holds a dict that contains the state dict (a training checkpoint such as
    /// <c>{"model": model.state_dict(), "epoch": 3}</c>), the key of the state dict; null when the file is the state dict itself.
    /// </param>
    /// <returns>
    /// Tensor name → new contiguous float32 tensor of the saved shape (a 0-d tensor has rank 0), in
    /// the saved order. Values are converted as <c>(float)value</c> (bool: 1 or 0); views are copied
    /// with their storage offset and strides, so y[i0, i1, ...] = storage[offset + Σ i_k·stride_k].
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a torch zip checkpoint (the legacy pre-1.6 format gets a message saying how to
    /// re-save it), the zip is corrupt or truncated, the pickle references anything but tensor
    /// rebuilding and plain containers (the message names the refused global, e.g. <c>os.system</c>;
    /// nothing is executed), a storage record is missing or has the wrong length, a view reaches
    /// outside its storage, the top level is not a dict of tensors, or <paramref name="entry"/> is not in it.
    /// </exception>
    public static IReadOnlyDictionary<string, Tensor> LoadStateDict(string path, string? entry = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return LoadStateDict(file, path, entry);
    }

    /// <summary>As <see cref="LoadStateDict(string, string?)"/> from a seekable stream; <paramref name="path"/> names it in errors.</summary>
    internal static IReadOnlyDictionary<string, Tensor> LoadStateDict(Stream file, string path, string? entry)
    {
        CheckZipSignature(file, path);
        using var zip = Npz.OpenZip(file, path, Kind);
        var records = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
        foreach (var e in Npz.Entries(zip, path, Kind)) records.TryAdd(e.FullName, e);
        var pickleEntries = records.Keys.Where(n => n.EndsWith("/data.pkl", StringComparison.Ordinal) && n.IndexOf('/') == n.Length - 9).ToList();
        if (pickleEntries.Count != 1)
            throw Invalid(path, pickleEntries.Count == 0
                ? "it is a zip archive but has no <archive>/data.pkl record, so it was not written by torch.save."
                : $"it has {pickleEntries.Count} data.pkl records ({string.Join(", ", pickleEntries)}); torch.save writes one.");
        string prefix = pickleEntries[0][..^"data.pkl".Length];
        bool bigEndian = ReadByteOrder(records, prefix, path, file.Length);

        var storages = new StorageReader(records, prefix, path, file.Length, bigEndian);
        byte[] pickle = ReadRecord(records[pickleEntries[0]], path, file.Length, MaxPickleLength);
        var root = Pickle.Load(pickle, $"{path}:{pickleEntries[0]}", ResolveGlobal, storages.PersistentLoad);
        return ToStateDict(root, path, entry, storages);
    }

    /// <summary>
    /// Loads a PyTorch state dict into <paramref name="model"/>, matching tensors to the model's
    /// parameters and buffers (<see cref="Module.NamedState"/>) by name after applying
    /// <paramref name="nameMap"/>. Every name and shape is checked before anything is copied, so on
    /// failure the model is untouched.
    /// </summary>
    /// <param name="model">The model to fill.</param>
    /// <param name="path">A checkpoint written by <c>torch.save(model.state_dict(), path)</c>.</param>
    /// <param name="nameMap">
    /// Maps each PyTorch name to the Striate name (e.g. <c>c1.weight</c> → <c>0.weight</c>), or to
    /// null to skip that tensor on purpose; null keeps the names as they are (they match when the
    /// PyTorch model was an <c>nn.Sequential</c> of the same layers).
    /// </param>
    /// <param name="entry">The key of the state dict inside a training-checkpoint dict; see <see cref="LoadStateDict(string, string?)"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or <paramref name="nameMap"/> maps two PyTorch names to the same Striate name.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable state dict; see <see cref="LoadStateDict(string, string?)"/>.</exception>
    /// <exception cref="CheckpointMismatchException">Parameters are missing from the file, the file has tensors the model lacks, or shapes differ; each is listed by (mapped) name.</exception>
    public static void LoadInto(Module model, string path, Func<string, string?>? nameMap = null, string? entry = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stored = LoadStateDict(path, entry);
        var mapped = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        var sourceOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (torchName, tensor) in stored)
        {
            string? name = nameMap is null ? torchName : nameMap(torchName);
            if (name is null) continue;
            if (!sourceOf.TryAdd(name, torchName))
                throw new ArgumentException($"The name map sends both '{sourceOf[name]}' and '{torchName}' to '{name}'.", nameof(nameMap));
            mapped[name] = tensor;
        }
        var state = model.NamedState().ToList();
        var missing = new List<string>();
        var mismatched = new List<string>();
        var expected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, target) in state)
        {
            expected.Add(name);
            if (!mapped.TryGetValue(name, out var tensor)) missing.Add(name);
            else if (!tensor.Dims.SequenceEqual(target.Dims))
                mismatched.Add($"{name}: model {Tensor.ShapeText(target.Dims)}, file {Tensor.ShapeText(tensor.Dims)}{(sourceOf[name] != name ? $" (PyTorch '{sourceOf[name]}')" : "")}");
        }
        var unexpected = mapped.Keys.Where(k => !expected.Contains(k)).Select(k => sourceOf[k] == k ? k : $"{k} (PyTorch '{sourceOf[k]}')").ToList();
        if (missing.Count > 0 || unexpected.Count > 0 || mismatched.Count > 0)
            throw new CheckpointMismatchException(path, missing, unexpected, mismatched);
        foreach (var (name, target) in state) mapped[name].AsSpan().CopyTo(target.AsSpan());
    }

    /// <summary>
    /// As <see cref="LoadInto(Module, string, Func{string, string?}?, string?)"/> with a dictionary
    /// from PyTorch names to Striate names; names it does not list are kept as they are.
    /// </summary>
    /// <param name="model">The model to fill.</param>
    /// <param name="path">A checkpoint written by <c>torch.save(model.state_dict(), path)</c>.</param>
    /// <param name="nameMap">PyTorch name → Striate name, e.g. <see cref="TorchNameMaps.LeNet5"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="nameMap"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or two PyTorch names end up with the same Striate name.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable state dict; see <see cref="LoadStateDict(string, string?)"/>.</exception>
    /// <exception cref="CheckpointMismatchException">Names or shapes do not match the model; each is listed.</exception>
    public static void LoadInto(Module model, string path, IReadOnlyDictionary<string, string> nameMap)
    {
        ArgumentNullException.ThrowIfNull(nameMap);
        LoadInto(model, path, name => nameMap.TryGetValue(name, out var mapped) ? mapped : name);
    }

    // ---- The allowed globals: everything else is refused by Pickle at the GLOBAL opcode. ----

    private static readonly Dictionary<string, PickleGlobal> AllowedGlobals = ((PickleGlobal[])
    [
        new("collections", "OrderedDict", NewOrderedDict),
        new("torch._utils", "_rebuild_tensor_v2", RebuildTensor),
        new("torch._utils", "_rebuild_parameter", RebuildParameter),
        .. StorageType.All.Select(t => new PickleGlobal("torch", t.Name, Call: null)),
    ]).ToDictionary(g => g.FullName, StringComparer.Ordinal);

    private static PickleGlobal? ResolveGlobal(string module, string name)
        => AllowedGlobals.GetValueOrDefault(module + "." + name);

    private static object NewOrderedDict(PickleTuple args)
    {
        if (args.Count != 0) throw new InvalidDataException($"expected no arguments (OrderedDict()), got {args.Count}.");
        return new PickleDict();
    }

    /// <summary>_rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]).</summary>
    private static object RebuildTensor(PickleTuple args)
    {
        if (args.Count is < 6 or > 7) throw new InvalidDataException($"expected 6 or 7 arguments, got {args.Count}.");
        if (args[0] is not StorageRef storage) throw new InvalidDataException($"argument 1 is {Pickle.Describe(args[0])}, not a storage.");
        if (args[1] is not long offset || offset < 0) throw new InvalidDataException("the storage offset is not a non-negative integer.");
        long[] size = Longs(args[2], "size");
        long[] stride = Longs(args[3], "stride");
        if (size.Length != stride.Length) throw new InvalidDataException($"size has {size.Length} dimensions but stride has {stride.Length}.");
        return new TensorRef(storage, offset, size, stride);
    }

    /// <summary>_rebuild_parameter(data, requires_grad, backward_hooks): the parameter's tensor.</summary>
    private static object RebuildParameter(PickleTuple args)
    {
        if (args.Count != 3) throw new InvalidDataException($"expected 3 arguments, got {args.Count}.");
        return args[0] as TensorRef ?? throw new InvalidDataException($"argument 1 is {Pickle.Describe(args[0])}, not a tensor.");
    }

    private static long[] Longs(object? value, string what)
    {
        if (value is not PickleTuple t) throw new InvalidDataException($"{what} is {Pickle.Describe(value)}, not a tuple.");
        var result = new long[t.Count];
        for (int i = 0; i < t.Count; i++)
            result[i] = t[i] is long v && v >= 0 ? v : throw new InvalidDataException($"{what}[{i}] is not a non-negative integer.");
        return result;
    }

    private sealed record StorageRef(StorageType Type, string Key, long Count);

    private sealed record TensorRef(StorageRef Storage, long Offset, long[] Size, long[] Stride);

    /// <summary>A torch storage class and how one element converts to float32.</summary>
    private sealed record StorageType(string Name, int Size)
    {
        public static readonly StorageType[] All =
        [
            new("FloatStorage", 4), new("DoubleStorage", 8), new("HalfStorage", 2), new("BFloat16Storage", 2),
            new("LongStorage", 8), new("IntStorage", 4), new("ByteStorage", 1), new("BoolStorage", 1),
        ];

        public float Read(ReadOnlySpan<byte> e, bool bigEndian) => (Name, bigEndian) switch
        {
            ("FloatStorage", false) => BinaryPrimitives.ReadSingleLittleEndian(e),
            ("FloatStorage", true) => BinaryPrimitives.ReadSingleBigEndian(e),
            ("DoubleStorage", false) => (float)BinaryPrimitives.ReadDoubleLittleEndian(e),
            ("DoubleStorage", true) => (float)BinaryPrimitives.ReadDoubleBigEndian(e),
            ("HalfStorage", false) => (float)BinaryPrimitives.ReadHalfLittleEndian(e),
            ("HalfStorage", true) => (float)BinaryPrimitives.ReadHalfBigEndian(e),
            // bfloat16 is the top half of a float32.
            ("BFloat16Storage", false) => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(e) << 16),
            ("BFloat16Storage", true) => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16BigEndian(e) << 16),
            ("LongStorage", false) => BinaryPrimitives.ReadInt64LittleEndian(e),
            ("LongStorage", true) => BinaryPrimitives.ReadInt64BigEndian(e),
            ("IntStorage", false) => BinaryPrimitives.ReadInt32LittleEndian(e),
            ("IntStorage", true) => BinaryPrimitives.ReadInt32BigEndian(e),
            ("ByteStorage", _) => e[0],
            _ => e[0] != 0 ? 1f : 0f, // BoolStorage
        };
    }

    /// <summary>Resolves persistent ids to storages and reads each storage record once, on first use.</summary>
    private sealed class StorageReader(Dictionary<string, ZipArchiveEntry> records, string prefix, string path, long archiveLength, bool bigEndian)
    {
        private readonly Dictionary<string, StorageRef> _refs = new(StringComparer.Ordinal);
        private readonly Dictionary<string, byte[]> _bytes = new(StringComparer.Ordinal);

        public bool BigEndian => bigEndian;

        /// <summary>('storage', torch.&lt;Type&gt;Storage, key, location, numel) → a storage reference.</summary>
        public object? PersistentLoad(object? id)
        {
            if (id is not PickleTuple t || t.Count != 5 || t[0] is not "storage")
                throw new InvalidDataException($"expected ('storage', type, key, location, numel), got {Pickle.Describe(id)}.");
            if (t[1] is not PickleGlobal { Call: null, Module: "torch" } g || Array.Find(StorageType.All, s => s.Name == g.Name) is not { } type)
                throw new InvalidDataException($"the storage type is {Pickle.Describe(t[1])}, not a torch storage class.");
            if (t[2] is not string key || t[4] is not long count || count < 0)
                throw new InvalidDataException("the storage key is not a string or its element count is not a non-negative integer.");
            if (_refs.TryGetValue(key, out var known))
            {
                if (known.Type != type || known.Count != count)
                    throw new InvalidDataException($"storage '{key}' is referenced as {known.Count} × {known.Type.Name} and as {count} × {type.Name}.");
                return known;
            }
            var storage = new StorageRef(type, key, count);
            _refs.Add(key, storage);
            return storage;
        }

        public byte[] Bytes(StorageRef storage)
        {
            if (_bytes.TryGetValue(storage.Key, out var cached)) return cached;
            string name = prefix + "data/" + storage.Key;
            if (!records.TryGetValue(name, out var record))
                throw Invalid(path, $"the storage record '{name}' is missing (truncated or corrupt archive).");
            long expected = storage.Count * storage.Type.Size;
            long length = Npz.CheckedEntryLength(record, archiveLength, path, Kind);
            if (length != expected)
                throw Invalid(path, $"the storage record '{name}' holds {length} bytes but the pickle describes {storage.Count} × {storage.Type.Name} = {expected} bytes.");
            var bytes = ReadRecord(record, path, archiveLength, Array.MaxLength);
            _bytes.Add(storage.Key, bytes);
            return bytes;
        }
    }

    // ---- From the pickled object to tensors ----

    private static OrderedDictionary<string, Tensor> ToStateDict(object? root, string path, string? entry, StorageReader storages)
    {
        if (entry is not null)
        {
            if (root is not PickleDict outer)
                throw Invalid(path, $"it holds {Pickle.Describe(root)}, not a dict with an entry '{entry}'.");
            var found = outer.Items.FirstOrDefault(kv => kv.Key is string k && k == entry);
            if (found.Key is null)
                throw Invalid(path, $"it has no entry '{entry}' (entries: {string.Join(", ", outer.Items.Select(kv => kv.Key as string ?? Pickle.Describe(kv.Key)))}).");
            root = found.Value;
        }
        if (root is not PickleDict dict)
            throw Invalid(path, $"it holds {Pickle.Describe(root)}, not a state dict (save model.state_dict(), not the model).");
        var tensors = new OrderedDictionary<string, Tensor>(dict.Items.Count, StringComparer.Ordinal);
        var notTensors = new List<string>();
        foreach (var (key, value) in dict.Items)
        {
            if (key is not string name) throw Invalid(path, $"a state-dict key is {Pickle.Describe(key)}, not a string.");
            if (value is TensorRef t) tensors.Add(name, Materialize(t, name, path, storages));
            else notTensors.Add($"'{name}' ({Pickle.Describe(value)})");
        }
        if (notTensors.Count > 0)
            throw Invalid(path, $"it is not a plain state dict: {string.Join(", ", notTensors)} {(notTensors.Count == 1 ? "is not a tensor" : "are not tensors")}. " +
                "If it is a training checkpoint, pass the key of its state dict as 'entry'.");
        return tensors;
    }

    /// <summary>Copies a strided view of a storage into a new contiguous float32 tensor, after checking it stays inside the storage.</summary>
    private static Tensor Materialize(TensorRef t, string name, string path, StorageReader storages)
    {
        long count = 1;
        foreach (long d in t.Size)
        {
            if (d > int.MaxValue || (count *= d) > Array.MaxLength)
                throw Invalid(path, $"tensor '{name}' has shape {ShapeText(t.Size)}, more elements than one tensor can hold.");
        }
        var dims = t.Size.Select(d => (int)d).ToArray();
        if (count == 0) return Tensor.Wrap([], dims);
        // The last element a view touches: offset + Σ (size_k − 1)·stride_k, computed without overflow.
        long last = t.Offset;
        for (int k = 0; k < dims.Length; k++)
        {
            if (t.Stride[k] > 0 && dims[k] - 1 > (long.MaxValue - last) / t.Stride[k])
                throw Invalid(path, $"tensor '{name}' has strides {ShapeText(t.Stride)} that overflow.");
            last += (dims[k] - 1) * t.Stride[k];
        }
        if (last >= t.Storage.Count)
            throw Invalid(path, $"tensor '{name}' (shape {ShapeText(t.Size)}, stride {ShapeText(t.Stride)}, offset {t.Offset}) reaches element {last} of storage '{t.Storage.Key}', which has {t.Storage.Count}.");
        // Stride-0 (expanded) views can describe far more elements than the file holds; beyond
        // MaxExpandedElements such a view is refused rather than allocated.
        if (count > t.Storage.Count && count > MaxExpandedElements)
            throw Invalid(path, $"tensor '{name}' is an expanded view of {count} elements over a storage of {t.Storage.Count}; views that repeat storage elements are limited to {MaxExpandedElements} elements.");
        var storage = storages.Bytes(t.Storage);
        var values = new float[count];
        Gather(storage, t, dims, values, storages.BigEndian);
        return Tensor.Wrap(values, dims);
    }

    private static void Gather(byte[] storage, TensorRef t, int[] dims, float[] values, bool bigEndian)
    {
        var type = t.Storage.Type;
        int size = type.Size;
        int rank = dims.Length;
        var index = new int[rank];
        long element = t.Offset;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type.Read(storage.AsSpan(checked((int)(element * size)), size), bigEndian);
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < dims[k]) { element += t.Stride[k]; break; }
                element -= t.Stride[k] * (dims[k] - 1);
                index[k] = 0;
            }
        }
    }

    // ---- Archive helpers ----

    private static void CheckZipSignature(Stream file, string path)
    {
        Span<byte> head = stackalloc byte[4];
        int n = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        file.Position = 0;
        if (n == 4 && head.SequenceEqual("PK\x03\x04"u8)) return;
        if (n >= 1 && head[0] == 0x80)
            throw Invalid(path, "it is in PyTorch's legacy (pre-1.6) non-zip format, which Striate does not read. Re-save it with a newer torch: " +
                "torch.save(torch.load(path), path) with torch ≥ 1.6 writes the zip format.");
        throw Invalid(path, n == 0 ? "the file is empty." : "it is not a zip archive (torch.save's format since torch 1.6), nor a legacy pickle.");
    }

    private static bool ReadByteOrder(Dictionary<string, ZipArchiveEntry> records, string prefix, string path, long archiveLength)
    {
        if (!records.TryGetValue(prefix + "byteorder", out var record)) return false; // before torch 2.1: always little-endian
        string order = System.Text.Encoding.ASCII.GetString(ReadRecord(record, path, archiveLength, 16)).Trim();
        return order switch
        {
            "little" => false,
            "big" => true,
            _ => throw Invalid(path, $"the byteorder record says '{order}', not 'little' or 'big'."),
        };
    }

    private static byte[] ReadRecord(ZipArchiveEntry record, string path, long archiveLength, long maxLength)
    {
        long length = Npz.CheckedEntryLength(record, archiveLength, path, Kind);
        if (length > maxLength)
            throw Invalid(path, $"the record '{record.FullName}' is {length} bytes, above the {maxLength}-byte limit for it.");
        var bytes = new byte[length];
        using var stream = Npz.OpenEntry(record, path, Kind);
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"Invalid {Kind} file '{path}': the record '{record.FullName}' is truncated.", ex);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Invalid {Kind} file '{path}': the record '{record.FullName}' cannot be read: {ex.Message}", ex);
        }
        Npz.CheckCrc(record, Npz.Crc32(bytes), path, Kind);
        return bytes;
    }

    private static string ShapeText(long[] values) => "(" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + ")";

    private static InvalidDataException Invalid(string path, string problem) => new($"Invalid {Kind} file '{path}': {problem}");
}
