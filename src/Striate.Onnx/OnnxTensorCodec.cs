// TensorProto ⇄ values. Decoding trusts nothing in the file: every dimension is checked to be a
// non-negative int, the element count is multiplied with overflow checks and bounded, and the
// claimed count is compared with the bytes actually present (raw_data, typed fields or the
// external file's length) before any buffer is allocated, so a corrupt header cannot make us
// allocate gigabytes. Encoding writes raw_data (little-endian), as exporters usually do.
using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Striate.Onnx.Proto;

namespace Striate.Onnx;

/// <summary>Decoded contents of a TensorProto: float data (float types) or integer data (integer and bool types).</summary>
internal sealed class OnnxValue
{
    private OnnxValue(Tensor? tensor, long[]? ints, int[] dims)
    {
        Tensor = tensor;
        Ints = ints;
        Dims = dims;
    }

    /// <summary>The float tensor, or null for integer values.</summary>
    public Tensor? Tensor { get; }

    /// <summary>The integer elements (row-major), or null for float values.</summary>
    public long[]? Ints { get; }

    /// <summary>The shape.</summary>
    public int[] Dims { get; }

    /// <summary>Whether this holds floats.</summary>
    public bool IsFloat => Tensor is not null;

    public static OnnxValue Float(Tensor t) => new(t, null, [.. t.Dims]);

    public static OnnxValue Integers(long[] values, int[] dims) => new(null, values, dims);

    public override string ToString() => (IsFloat ? "float " : "int64 ") + Striate.Tensor.ShapeText(Dims);
}

/// <summary>Reads and writes ONNX TensorProto messages.</summary>
internal static class OnnxTensorCodec
{
    /// <summary>At most Array.MaxLength elements, the most a Striate tensor holds.</summary>
    private static readonly long MaxElements = Array.MaxLength;

    /// <summary>Decodes <paramref name="proto"/>; <paramref name="baseDirectory"/> resolves external data.</summary>
    /// <exception cref="InvalidDataException">A dimension is negative or too large, the data disagrees with the shape, the data type is unsupported, or external data is missing or outside the model's folder.</exception>
    public static OnnxValue Decode(TensorProto proto, string? baseDirectory, string what)
    {
        var dims = new int[proto.Dims.Count];
        long count = 1;
        for (int i = 0; i < dims.Length; i++)
        {
            long d = proto.Dims[i];
            if (d < 0 || d > int.MaxValue) throw new InvalidDataException($"{what}: dimension {i} is {d}; dimensions must be between 0 and {int.MaxValue}.");
            dims[i] = (int)d;
            count *= d;
            if (count > MaxElements) throw new InvalidDataException($"{what}: shape {ShapeText(proto.Dims)} claims more than {MaxElements} elements.");
        }
        int n = (int)count;
        var type = (TensorProto.Types.DataType)proto.DataType;
        ReadOnlySpan<byte> raw = proto.HasRawData ? proto.RawData.Span : default;
        byte[]? external = null;
        if (proto.DataLocation == TensorProto.Types.DataLocation.External)
        {
            external = ReadExternal(proto, baseDirectory, what, (long)n * ElementSize(type, what));
            raw = external;
        }
        bool hasRaw = proto.HasRawData || external is not null;
        switch (type)
        {
            case TensorProto.Types.DataType.Float:
            {
                if (hasRaw)
                {
                    CheckRaw(raw, n, 4, what, dims);
                    var data = new float[n];
                    for (int i = 0; i < n; i++) data[i] = BinaryPrimitives.ReadSingleLittleEndian(raw[(4 * i)..]);
                    return OnnxValue.Float(Tensor.FromArray(data, dims));
                }
                CheckCount(proto.FloatData.Count, n, what, dims);
                return OnnxValue.Float(Tensor.FromArray([.. proto.FloatData], dims));
            }
            case TensorProto.Types.DataType.Double:
            {
                var data = new float[hasRaw ? CheckRaw(raw, n, 8, what, dims) : CheckCount(proto.DoubleData.Count, n, what, dims)];
                for (int i = 0; i < n; i++) data[i] = (float)(hasRaw ? BinaryPrimitives.ReadDoubleLittleEndian(raw[(8 * i)..]) : proto.DoubleData[i]);
                return OnnxValue.Float(Tensor.FromArray(data, dims));
            }
            case TensorProto.Types.DataType.Float16:
            {
                var data = new float[hasRaw ? CheckRaw(raw, n, 2, what, dims) : CheckCount(proto.Int32Data.Count, n, what, dims)];
                for (int i = 0; i < n; i++)
                    data[i] = (float)BitConverter.UInt16BitsToHalf(hasRaw ? BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]) : (ushort)proto.Int32Data[i]);
                return OnnxValue.Float(Tensor.FromArray(data, dims));
            }
            case TensorProto.Types.DataType.Int64:
            {
                var data = new long[hasRaw ? CheckRaw(raw, n, 8, what, dims) : CheckCount(proto.Int64Data.Count, n, what, dims)];
                for (int i = 0; i < n; i++) data[i] = hasRaw ? BinaryPrimitives.ReadInt64LittleEndian(raw[(8 * i)..]) : proto.Int64Data[i];
                return OnnxValue.Integers(data, dims);
            }
            case TensorProto.Types.DataType.Int32:
            case TensorProto.Types.DataType.Int16:
            case TensorProto.Types.DataType.Int8:
            case TensorProto.Types.DataType.Uint8:
            case TensorProto.Types.DataType.Uint16:
            case TensorProto.Types.DataType.Bool:
            {
                int size = ElementSize(type, what);
                var data = new long[hasRaw ? CheckRaw(raw, n, size, what, dims) : CheckCount(proto.Int32Data.Count, n, what, dims)];
                for (int i = 0; i < n; i++)
                    data[i] = !hasRaw ? proto.Int32Data[i] : type switch
                    {
                        TensorProto.Types.DataType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(raw[(4 * i)..]),
                        TensorProto.Types.DataType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(raw[(2 * i)..]),
                        TensorProto.Types.DataType.Uint16 => BinaryPrimitives.ReadUInt16LittleEndian(raw[(2 * i)..]),
                        TensorProto.Types.DataType.Int8 => (sbyte)raw[i],
                        _ => raw[i],
                    };
                return OnnxValue.Integers(data, dims);
            }
            default:
                throw new InvalidDataException($"{what}: data type {DataTypeName(proto.DataType)} is not supported (float, double, float16 and integer types are).");
        }
    }

    /// <summary>Encodes float elements as a FLOAT TensorProto named <paramref name="name"/>.</summary>
    public static TensorProto Encode(string name, ReadOnlySpan<float> data, ReadOnlySpan<int> dims)
    {
        var bytes = new byte[data.Length * 4];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), data[i]);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(bytes) };
        foreach (int d in dims) proto.Dims.Add(d);
        return proto;
    }

    /// <summary>Encodes int64 elements as an INT64 TensorProto named <paramref name="name"/>.</summary>
    public static TensorProto EncodeInt64(string name, ReadOnlySpan<long> data, ReadOnlySpan<int> dims)
    {
        var bytes = new byte[data.Length * 8];
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8 * i), data[i]);
        var proto = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64, RawData = ByteString.CopyFrom(bytes) };
        foreach (int d in dims) proto.Dims.Add(d);
        return proto;
    }

    /// <summary>The ONNX name of a data type number, e.g. 1 → FLOAT.</summary>
    public static string DataTypeName(int type) =>
        Enum.IsDefined((TensorProto.Types.DataType)type) ? ((TensorProto.Types.DataType)type).ToString().ToUpperInvariant() : type.ToString(CultureInfo.InvariantCulture);

    private static int ElementSize(TensorProto.Types.DataType type, string what) => type switch
    {
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 => 4,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 => 8,
        TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 => 2,
        TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
        _ => throw new InvalidDataException($"{what}: data type {DataTypeName((int)type)} is not supported (float, double, float16 and integer types are)."),
    };

    private static int CheckRaw(ReadOnlySpan<byte> raw, int count, int size, string what, int[] dims)
    {
        if (raw.Length != (long)count * size)
            throw new InvalidDataException($"{what}: shape {Tensor.ShapeText(dims)} needs {(long)count * size} bytes of data, the file holds {raw.Length}.");
        return count;
    }

    private static int CheckCount(int present, int count, string what, int[] dims)
    {
        if (present != count)
            throw new InvalidDataException($"{what}: shape {Tensor.ShapeText(dims)} needs {count} elements, the file holds {present}.");
        return count;
    }

    private static string ShapeText(IEnumerable<long> dims) => "(" + string.Join(", ", dims) + ")";

    /// <summary>Reads the bytes of an external-data tensor, checking the file, offset and length before reading.</summary>
    private static byte[] ReadExternal(TensorProto proto, string? baseDirectory, string what, long expectedBytes)
    {
        string? location = null;
        long offset = 0, length = -1;
        foreach (var entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location": location = entry.Value; break;
                case "offset":
                    if (!long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out offset))
                        throw new InvalidDataException($"{what}: external data offset '{entry.Value}' is not a non-negative integer.");
                    break;
                case "length":
                    if (!long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out length))
                        throw new InvalidDataException($"{what}: external data length '{entry.Value}' is not a non-negative integer.");
                    break;
            }
        }
        if (string.IsNullOrEmpty(location)) throw new InvalidDataException($"{what}: external data has no location.");
        if (baseDirectory is null) throw new InvalidDataException($"{what}: external data '{location}' needs the model's folder; load the model from a file.");
        string root = Path.GetFullPath(baseDirectory);
        string path = Path.GetFullPath(Path.Combine(root, location));
        if (Path.IsPathRooted(location) || !path.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"{what}: external data location '{location}' must be a relative path inside the model's folder.");
        if (!File.Exists(path)) throw new InvalidDataException($"{what}: external data file '{path}' does not exist.");
        if (length < 0) length = expectedBytes;
        if (length != expectedBytes)
            throw new InvalidDataException($"{what}: external data length {length} differs from the {expectedBytes} bytes its shape needs.");
        using var stream = File.OpenRead(path);
        if (offset > stream.Length || length > stream.Length - offset)
            throw new InvalidDataException($"{what}: external data '{location}' is {stream.Length} bytes; offset {offset} + length {length} runs past its end.");
        var bytes = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(bytes);
        return bytes;
    }
}
