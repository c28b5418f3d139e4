// The safetensors layout (https://github.com/huggingface/safetensors), float32 only:
//
//   [8 bytes]  N, unsigned 64-bit little-endian: the header's length in bytes
//   [N bytes]  UTF-8 JSON object: {"__metadata__": {string: string},
//                                  "name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...}
//              padded with spaces so the data starts on an 8-byte boundary (as the reference writer does)
//   [rest]     the tensors' raw little-endian bytes; offsets are relative to the start of this section
//
// Writing follows the reference byte for byte: "__metadata__" first (left out when empty), then the
// tensors sorted by name, packed back to back in that order, compact JSON. Reading accepts only what
// the reference accepts (tensors tile the data section exactly: no gaps, no overlap, no trailing
// bytes) and names the file and the problem in every error. The file is streamed in both
// directions, so a checkpoint never needs a second copy of the model in memory.
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Striate.Serialization;

/// <summary>
/// Reads and writes tensors in the safetensors layout: an 8-byte little-endian header length, a
/// JSON header, then raw little-endian data. Files are readable by the Python <c>safetensors</c>
/// library and by other frameworks. Only the float32 (<c>F32</c>) dtype is supported.
/// </summary>
public static class SafeTensors
{
    /// <summary>The header key that holds free-form string metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>The largest header accepted when reading (100 MB, the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string F32 = "F32";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Writes <paramref name="tensors"/> and <paramref name="metadata"/> to <paramref name="path"/>
    /// atomically: the file is written to a temporary file in the same directory, flushed to disk,
    /// then moved over <paramref name="path"/>. If anything fails, <paramref name="path"/> is left
    /// as it was (absent, or holding its previous contents) and the temporary file is removed.
    /// </summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="tensors">Named tensors of any shape. They are stored sorted by name (ordinal), as the reference writer does.</param>
    /// <param name="metadata">Optional string metadata, stored under <see cref="MetadataKey"/> in the given order; left out when null or empty.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, a tensor name repeats or is <see cref="MetadataKey"/>, or a tensor or metadata value is null.</exception>
    /// <exception cref="IOException">The file could not be written (missing directory, disk full, target is a directory, ...).</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        => Save(path, tensors, metadata, wrapStream: null);

    /// <summary>As the public overload; <paramref name="wrapStream"/> lets tests inject a failing stream.</summary>
    internal static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata, Func<Stream, Stream>? wrapStream)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensors);
        var sorted = SortAndCheck(tensors);
        byte[] header = BuildHeader(sorted, metadata);

        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temp = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                var stream = wrapStream is null ? file : wrapStream(file);
                Span<byte> prefix = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
                stream.Write(prefix);
                stream.Write(header);
                foreach (var (_, tensor) in sorted) WriteLittleEndian(stream, tensor.AsSpan());
                stream.Flush();
                // Durability before the rename: the move must never expose a file whose bytes are still in the page cache only.
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Reads every tensor and the metadata of a safetensors file, validating the whole layout first.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The tensors (new storage, in data order) and the metadata (empty when the file has none).</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not valid: shorter than 8 bytes, header length beyond the file or above
    /// <see cref="MaxHeaderLength"/>, header not UTF-8 or not a JSON object, a malformed entry, a dtype
    /// other than F32, offsets that do not match shape × 4 bytes or that overlap, leave gaps or run past
    /// the data, or trailing bytes after the last tensor. The message names the file and the problem.
    /// </exception>
    public static SafeTensorsContents Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long fileLength = file.Length;
        if (fileLength < 8)
            throw Invalid(path, $"the file is {fileLength} bytes long, shorter than the 8-byte header-length prefix.");

        Span<byte> prefix = stackalloc byte[8];
        file.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw Invalid(path, $"the header length {headerLength} runs past the end of the file (only {fileLength - 8} bytes follow the prefix).");
        if (headerLength > MaxHeaderLength)
            throw Invalid(path, $"the header length {headerLength} exceeds the {MaxHeaderLength}-byte limit.");

        var header = new byte[(int)headerLength];
        file.ReadExactly(header);
        var (entries, metadata) = ParseHeader(path, header);
        long dataLength = fileLength - 8 - (long)headerLength;
        CheckLayout(path, entries, dataLength);

        var tensors = new OrderedDictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var data = new float[e.Count];
            try
            {
                file.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
            }
            catch (EndOfStreamException ex)
            {
                throw new InvalidDataException($"Invalid safetensors file '{path}': the data of tensor '{e.Name}' is truncated (the file shrank while being read).", ex);
            }
            if (!BitConverter.IsLittleEndian)
            {
                var bits = MemoryMarshal.Cast<float, int>(data.AsSpan());
                BinaryPrimitives.ReverseEndianness(bits, bits);
            }
            tensors.Add(e.Name, Tensor.Wrap(data, e.Shape));
        }
        return new SafeTensorsContents(tensors, metadata);
    }

    private static List<KeyValuePair<string, Tensor>> SortAndCheck(IEnumerable<KeyValuePair<string, Tensor>> tensors)
    {
        var list = new List<KeyValuePair<string, Tensor>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in tensors)
        {
            if (name is null) throw new ArgumentException("A tensor name is null.", nameof(tensors));
            if (tensor is null) throw new ArgumentException($"Tensor '{name}' is null.", nameof(tensors));
            if (name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved for metadata and cannot name a tensor.", nameof(tensors));
            if (!seen.Add(name)) throw new ArgumentException($"The tensor name '{name}' appears twice.", nameof(tensors));
            list.Add(new(name, tensor));
        }
        list.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        return list;
    }

    private static byte[] BuildHeader(List<KeyValuePair<string, Tensor>> sorted, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping writes non-ASCII text and characters like '+' as themselves, as serde_json does.
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                json.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                {
                    if (key is null || value is null) throw new ArgumentException("Metadata keys and values must not be null.", nameof(metadata));
                    json.WriteString(key, value);
                }
                json.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in sorted)
            {
                long end = offset + 4L * tensor.Length;
                json.WriteStartObject(name);
                json.WriteString("dtype", F32);
                json.WriteStartArray("shape");
                foreach (int d in tensor.Dims) json.WriteNumberValue(d);
                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(end);
                json.WriteEndArray();
                json.WriteEndObject();
                offset = end;
            }
            json.WriteEndObject();
        }
        // Pad with spaces (JSON whitespace) so the data section starts 8-byte aligned.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteLittleEndian(Stream stream, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<int> chunk = stackalloc int[1024];
        var bits = MemoryMarshal.Cast<float, int>(values);
        for (int start = 0; start < bits.Length; start += chunk.Length)
        {
            var part = bits.Slice(start, Math.Min(chunk.Length, bits.Length - start));
            BinaryPrimitives.ReverseEndianness(part, chunk);
            stream.Write(MemoryMarshal.AsBytes(chunk[..part.Length]));
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: the original failure is the one to report.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort, as above.
        }
    }

    private sealed record Entry(string Name, int[] Shape, int Count, long Begin, long End);

    private static (List<Entry> Entries, OrderedDictionary<string, string> Metadata) ParseHeader(string path, byte[] header)
    {
        try
        {
            StrictUtf8.GetCharCount(header);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException($"Invalid safetensors file '{path}': the header is not valid UTF-8 (byte {ex.Index}).", ex);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Invalid safetensors file '{path}': the header is not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw Invalid(path, $"the header is a JSON {Kind(root)}, not an object.");

            var entries = new List<Entry>();
            var metadata = new OrderedDictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw Invalid(path, $"the header names '{property.Name}' twice.");
                if (property.Name == MetadataKey)
                    ReadMetadata(path, property.Value, metadata);
                else
                    entries.Add(ReadEntry(path, property.Name, property.Value));
            }
            return (entries, metadata);
        }
    }

    private static void ReadMetadata(string path, JsonElement value, OrderedDictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"'{MetadataKey}' is a JSON {Kind(value)}, not an object of strings.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Invalid(path, $"metadata entry '{item.Name}' is a JSON {Kind(item.Value)}; metadata values must be strings.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Invalid(path, $"metadata entry '{item.Name}' appears twice.");
        }
    }

    private static Entry ReadEntry(string path, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Invalid(path, $"tensor '{name}' is described by a JSON {Kind(value)}, not an object.");

        if (!value.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String)
            throw Invalid(path, $"tensor '{name}' has no string \"dtype\".");
        string dtypeText = dtype.GetString()!;
        if (dtypeText != F32)
            throw Invalid(path, $"tensor '{name}' has dtype '{dtypeText}'; only F32 (float32) is supported.");

        if (!value.TryGetProperty("shape", out var shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
            throw Invalid(path, $"tensor '{name}' has no \"shape\" array.");
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int i = 0;
        foreach (var d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out int size) || size < 0)
                throw Invalid(path, $"tensor '{name}' has shape entry {d.GetRawText()}, which is not a non-negative 32-bit integer.");
            shape[i++] = size;
            count *= size;
            if (count > Array.MaxLength)
                throw Invalid(path, $"tensor '{name}' has more elements than one array can hold ({Array.MaxLength}).");
        }

        if (!value.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
            throw Invalid(path, $"tensor '{name}' has no \"data_offsets\" array of two integers.");
        long begin = ReadOffset(path, name, offsets[0]);
        long end = ReadOffset(path, name, offsets[1]);
        if (end < begin)
            throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}]: the end is before the beginning.");
        if (end - begin != 4 * count)
            throw Invalid(path, $"tensor '{name}' has data_offsets [{begin}, {end}] ({end - begin} bytes) but shape {Tensor.ShapeText(shape)} of F32 needs {4 * count} bytes.");
        return new Entry(name, shape, (int)count, begin, end);
    }

    private static long ReadOffset(string path, string name, JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out long value) || value < 0)
            throw Invalid(path, $"tensor '{name}' has data offset {element.GetRawText()}, which is not a non-negative integer.");
        return value;
    }

    /// <summary>Sorts the entries by offset and checks that they tile [0, dataLength) exactly, as the reference requires.</summary>
    private static void CheckLayout(string path, List<Entry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        string? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < expected)
                throw Invalid(path, $"tensor '{e.Name}' (bytes {e.Begin}..{e.End}) overlaps tensor '{previous}', which ends at byte {expected}.");
            if (e.Begin > expected)
                throw Invalid(path, previous is null
                    ? $"tensor '{e.Name}' starts at byte {e.Begin}, leaving a gap: the first tensor must start at byte 0."
                    : $"tensor '{e.Name}' starts at byte {e.Begin}, leaving a gap after tensor '{previous}', which ends at byte {expected}.");
            expected = e.End;
            previous = e.Name;
        }
        if (dataLength < expected)
            throw Invalid(path, $"the data is truncated: the tensors need {expected} bytes after the header but the file holds only {dataLength}.");
        if (dataLength > expected)
            throw Invalid(path, $"{dataLength - expected} unexpected bytes follow the last tensor (the tensors need {expected} bytes, the file holds {dataLength}).");
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    private static InvalidDataException Invalid(string path, string problem)
        => new($"Invalid safetensors file '{path}': {problem}");
}

/// <summary>What <see cref="SafeTensors.Load"/> read: the tensors and the string metadata of one file.</summary>
public sealed class SafeTensorsContents
{
    internal SafeTensorsContents(OrderedDictionary<string, Tensor> tensors, OrderedDictionary<string, string> metadata)
    {
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The tensors by name, in the order their data appears in the file. Each has its own storage.</summary>
    public IReadOnlyDictionary<string, Tensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries in file order; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }
}
