// NumPy's .npy format (numpy/lib/format.py, NEP 1):
//
//   [6 bytes]  magic "\x93NUMPY"
//   [2 bytes]  major, minor version: 1.0 (uint16 header length), 2.0 (uint32), 3.0 (uint32, UTF-8 header)
//   [2|4 bytes] header length HLEN, little-endian
//   [HLEN]     a Python dict literal, e.g. {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
//              padded with spaces and ended by '\n' so the data starts on a 64-byte boundary
//   [rest]     prod(shape) elements of dtype descr, C (row-major) or Fortran (column-major) order
//
// Reading converts every supported dtype to float32 (Striate's one element type): <f4 <f8 <f2 <i4
// <i8 and their big-endian '>' forms, |u1 and |b1 (true = 1). Fortran-ordered data is transposed to
// C order. The header is bounded (MaxHeaderLength) and the data length the header claims is checked
// against the bytes the file really holds before anything that size is allocated, so a lying
// header cannot make the reader allocate gigabytes. Writing produces the bytes numpy.save writes
// for a float32 C-ordered array (version 1.0 when the header fits, as numpy chooses).
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Striate.Serialization;

/// <summary>
/// Reads and writes single tensors in NumPy's <c>.npy</c> format, readable by <c>numpy.load</c>.
/// Writing stores float32 (<c>&lt;f4</c>) in C order; reading accepts float16/32/64, int32/64,
/// uint8 and bool, little- or big-endian, C or Fortran order, and converts to float32.
/// </summary>
public static class Npy
{
    /// <summary>The largest header accepted when reading, in bytes (numpy itself refuses headers above 10,000 characters by default).</summary>
    public const int MaxHeaderLength = 100_000;

    /// <summary>The six bytes every .npy file starts with: 0x93 then ASCII <c>NUMPY</c>.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy aligns the start of the data to 64 bytes (format.ARRAY_ALIGN) and leaves room to grow
    // the first axis in place (format.GROWTH_AXIS_MAX_DIGITS); both are copied so the bytes match.
    private const int ArrayAlign = 64;
    private const int GrowthAxisMaxDigits = 21;
    private const int ChunkBytes = 1 << 16;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads the array stored in a <c>.npy</c> file as a float32 tensor of the same shape.</summary>
    /// <param name="path">The file.</param>
    /// <returns>A new tensor of shape <c>shape</c> from the header (rank 0 for a numpy scalar), in C order; elements converted as <c>(float)value</c> (bool: 1 or 0).</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid .npy array Striate can read: bad magic, unknown version, a header that
    /// is too long, not a dict literal or misses a key, an unsupported dtype (the message lists the
    /// supported ones), a negative or overflowing shape, data shorter or longer than the shape needs
    /// (truncated file), or more than <see cref="Array.MaxLength"/> elements. The message names the file and the problem.
    /// </exception>
    public static Tensor Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: ChunkBytes);
        return Read(file, path, file.Length);
    }

    /// <summary>
    /// Writes <paramref name="tensor"/> to <paramref name="path"/> as a little-endian float32 C-order
    /// array, byte for byte as <c>numpy.save</c> writes the same array (format 1.0 unless the
    /// header needs more than 65,535 bytes, then 2.0). The file is written to a temporary file in
    /// the same directory and moved over <paramref name="path"/>, so a failure leaves it as it was.
    /// </summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="tensor">Any shape, rank 0 included.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> is null.</exception>
    /// <exception cref="IOException">The file could not be written; <paramref name="path"/> is left as it was.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static void Write(string path, Tensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(tensor);
        WriteAtomically(path, stream => Write(stream, tensor));
    }

    /// <summary>Writes one .npy image of <paramref name="tensor"/> at the stream's position.</summary>
    internal static void Write(Stream stream, Tensor tensor)
    {
        stream.Write(Header(tensor.Dims));
        var data = tensor.AsSpan();
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(data));
            return;
        }
        var buffer = new byte[ChunkBytes];
        for (int start = 0; start < data.Length; start += ChunkBytes / 4)
        {
            int n = Math.Min(ChunkBytes / 4, data.Length - start);
            for (int i = 0; i < n; i++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), data[start + i]);
            stream.Write(buffer, 0, 4 * n);
        }
    }

    /// <summary>The preamble and padded header numpy writes for a float32 C-order array of <paramref name="shape"/>.</summary>
    internal static byte[] Header(ReadOnlySpan<int> shape)
    {
        var dict = new StringBuilder("{'descr': '<f4', 'fortran_order': False, 'shape': ");
        dict.Append(ShapeRepr(shape)).Append(", }");
        if (shape.Length > 0) dict.Append(' ', GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length);
        byte[] text = Encoding.ASCII.GetBytes(dict.ToString());
        // Version 1.0 has a 2-byte length, 2.0 a 4-byte one; the padding makes preamble + header a multiple of 64.
        bool v1 = Padded(text.Length, 2) <= ushort.MaxValue;
        int lengthBytes = v1 ? 2 : 4;
        int total = Padded(text.Length, lengthBytes);
        var header = new byte[Magic.Length + 2 + lengthBytes + total];
        Magic.CopyTo(header);
        header[6] = v1 ? (byte)1 : (byte)2;
        header[7] = 0;
        if (v1) BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), (ushort)total);
        else BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), (uint)total);
        int at = 8 + lengthBytes;
        text.CopyTo(header, at);
        header.AsSpan(at + text.Length, total - text.Length - 1).Fill((byte)' ');
        header[^1] = (byte)'\n';
        return header;

        // Header length after numpy's padding: text, then spaces, then '\n', aligned with the preamble.
        static int Padded(int textLength, int lengthBytes)
        {
            int unpadded = textLength + 1;
            return unpadded + ArrayAlign - (Magic.Length + 2 + lengthBytes + unpadded) % ArrayAlign;
        }
    }

    /// <summary>Python's repr of a shape tuple: <c>()</c>, <c>(5,)</c>, <c>(2, 3)</c>.</summary>
    private static string ShapeRepr(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 1) return string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)");
        var parts = new string[shape.Length];
        for (int i = 0; i < shape.Length; i++) parts[i] = shape[i].ToString(CultureInfo.InvariantCulture);
        return "(" + string.Join(", ", parts) + ")";
    }

    /// <summary>
    /// Reads one .npy image from <paramref name="stream"/>, which can supply at most
    /// <paramref name="available"/> bytes from its position (the file length, or an archive entry's
    /// checked size). Nothing is allocated in proportion to the header's claims until those claims
    /// fit in <paramref name="available"/>; every error names <paramref name="source"/>.
    /// </summary>
    internal static Tensor Read(Stream stream, string source, long available)
    {
        Span<byte> preamble = stackalloc byte[8];
        if (available < preamble.Length)
            throw Invalid(source, $"truncated: the file is {available} bytes long, shorter than the 8-byte NPY preamble (magic and version).");
        ReadExactly(stream, preamble, source, "the preamble");
        if (!preamble[..6].SequenceEqual(Magic))
            throw Invalid(source, $"bad magic: the file starts with {Convert.ToHexString(preamble[..6])}, not 934E554D5059 (\"\\x93NUMPY\"); it is not a .npy file.");
        int major = preamble[6], minor = preamble[7];
        if (major is < 1 or > 3 || minor != 0)
            throw Invalid(source, $"unsupported format version {major}.{minor} (known: 1.0, 2.0, 3.0).");

        int lengthBytes = major == 1 ? 2 : 4;
        if (available < 8 + lengthBytes)
            throw Invalid(source, $"truncated: the file ends inside the header length (version {major}.0 needs {lengthBytes} bytes after the preamble).");
        Span<byte> lengthField = stackalloc byte[4];
        ReadExactly(stream, lengthField[..lengthBytes], source, "the header length");
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthField) : BinaryPrimitives.ReadUInt32LittleEndian(lengthField);
        long dataStart = 8 + lengthBytes + headerLength;
        if (dataStart > available)
            throw Invalid(source, $"truncated: the header length {headerLength} runs past the end of the file ({available - 8 - lengthBytes} bytes follow the length field).");
        if (headerLength > MaxHeaderLength)
            throw Invalid(source, $"the header length {headerLength} exceeds the {MaxHeaderLength}-byte limit.");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, source, "the header");
        string headerText;
        try
        {
            // Versions 1.0 and 2.0 store the header in latin-1, 3.0 in UTF-8.
            headerText = major == 3 ? StrictUtf8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        }
        catch (DecoderFallbackException ex)
        {
            throw new InvalidDataException($"Invalid NPY file '{source}': the version 3.0 header is not valid UTF-8.", ex);
        }
        var (dtype, fortranOrder, shape) = ParseHeader(source, headerText);

        long count = 1;
        foreach (long d in shape)
        {
            if (d < 0) throw Invalid(source, $"the shape {ShapeText(shape)} has a negative dimension.");
            if (d > int.MaxValue) throw Invalid(source, $"the shape {ShapeText(shape)} has a dimension above {int.MaxValue}.");
            count = count * d;
            if (count > Array.MaxLength)
                throw Invalid(source, $"the shape {ShapeText(shape)} holds more than {Array.MaxLength} elements, more than one tensor can hold.");
        }
        long dataBytes = count * dtype.Size;
        long actual = available - dataStart;
        if (actual != dataBytes)
            throw Invalid(source, actual < dataBytes
                ? $"truncated: the header's shape {ShapeText(shape)} of {dtype.Descr} needs {dataBytes} bytes of data but only {actual} follow the header."
                : $"the header's shape {ShapeText(shape)} of {dtype.Descr} needs {dataBytes} bytes of data but {actual} follow the header (header and data length disagree).");

        var values = new float[count];
        ReadData(stream, dtype, values, source);
        int[] dims = [.. shape.Select(d => (int)d)];
        if (fortranOrder && dims.Length > 1) values = FortranToC(values, dims);
        return Tensor.Wrap(values, dims);
    }

    private static void ReadData(Stream stream, NpyDtype dtype, float[] values, string source)
    {
        if (dtype.Kind == 'f' && dtype.Size == 4 && dtype.BigEndian != BitConverter.IsLittleEndian)
        {
            ReadExactly(stream, MemoryMarshal.AsBytes(values.AsSpan()), source, "the data");
            return;
        }
        var buffer = new byte[Math.Min(ChunkBytes, Math.Max(1, values.Length * dtype.Size))];
        int perChunk = buffer.Length / dtype.Size;
        for (int start = 0; start < values.Length; start += perChunk)
        {
            int n = Math.Min(perChunk, values.Length - start);
            var bytes = buffer.AsSpan(0, n * dtype.Size);
            ReadExactly(stream, bytes, source, "the data");
            dtype.Convert(bytes, values.AsSpan(start, n));
        }
    }

    /// <summary>Column-major (d0 fastest) to row-major (last dimension fastest).</summary>
    private static float[] FortranToC(float[] fortran, int[] dims)
    {
        var c = new float[fortran.Length];
        if (c.Length == 0) return c;
        int rank = dims.Length;
        // Fortran strides: 1, d0, d0·d1, ...; walk the C order with an odometer over the index.
        var fStride = new long[rank];
        long s = 1;
        for (int k = 0; k < rank; k++) { fStride[k] = s; s *= dims[k]; }
        var index = new int[rank];
        long offset = 0;
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = fortran[offset];
            for (int k = rank - 1; k >= 0; k--)
            {
                if (++index[k] < dims[k]) { offset += fStride[k]; break; }
                offset -= fStride[k] * (dims[k] - 1);
                index[k] = 0;
            }
        }
        return c;
    }

    private static (NpyDtype Dtype, bool FortranOrder, long[] Shape) ParseHeader(string source, string text)
    {
        object? parsed;
        try
        {
            var parser = new PyLiteralParser(text);
            parsed = parser.ParseValue(depth: 0);
            parser.ExpectEnd();
        }
        catch (FormatException ex)
        {
            throw new InvalidDataException($"Invalid NPY file '{source}': the header is not a Python dict literal ({ex.Message}): {Excerpt(text)}", ex);
        }
        if (parsed is not Dictionary<string, object?> dict)
            throw Invalid(source, $"the header is not a dict literal: {Excerpt(text)}");
        string[] expected = ["descr", "fortran_order", "shape"];
        if (dict.Count != 3 || !expected.All(dict.ContainsKey))
            throw Invalid(source, $"the header must have exactly the keys 'descr', 'fortran_order' and 'shape', but has {string.Join(", ", dict.Keys.Order(StringComparer.Ordinal).Select(k => $"'{k}'"))}.");
        if (dict["fortran_order"] is not bool fortranOrder)
            throw Invalid(source, $"'fortran_order' must be True or False: {Excerpt(text)}");
        if (dict["shape"] is not PyTuple tuple || tuple.Items.Any(v => v is not long))
            throw Invalid(source, $"'shape' must be a tuple of integers: {Excerpt(text)}");
        if (dict["descr"] is not string descr)
            throw Invalid(source, $"unsupported dtype {Excerpt(text)}: structured and record dtypes are not supported; supported: {NpyDtype.SupportedText}.");
        var dtype = NpyDtype.Parse(descr) ?? throw Invalid(source, $"unsupported dtype '{descr}'; supported: {NpyDtype.SupportedText}.");
        return (dtype, fortranOrder, [.. tuple.Items.Cast<long>()]);
    }

    private static string Excerpt(string text)
    {
        string trimmed = text.TrimEnd();
        return trimmed.Length <= 200 ? trimmed : trimmed[..200] + "…";
    }

    private static string ShapeText(long[] shape) => "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"Invalid NPY file '{source}': truncated inside {what} (the stream ended early).", ex);
        }
        catch (InvalidDataException ex)
        {
            // A corrupt compressed archive entry fails inside the decompressor.
            throw new InvalidDataException($"Invalid NPY file '{source}': {what} could not be read: {ex.Message}", ex);
        }
    }

    private static InvalidDataException Invalid(string source, string problem) => new($"Invalid NPY file '{source}': {problem}");

    /// <summary>Writes through a temporary file in the target's directory and renames it over <paramref name="path"/>.</summary>
    internal static void WriteAtomically(string path, Action<Stream> write)
    {
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' has no directory.", nameof(path));
        string temp = Path.Combine(directory, "." + Path.GetFileName(target) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: ChunkBytes))
            {
                write(file);
                file.Flush(flushToDisk: true);
            }
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            try
            {
                File.Delete(temp);
            }
            catch (IOException)
            {
                // Best effort: the original failure is the one to report.
            }
            throw;
        }
    }

    /// <summary>A dtype Striate reads: kind ('f' float, 'i' signed, 'u' unsigned, 'b' bool), size in bytes, byte order.</summary>
    private sealed record NpyDtype(string Descr, char Kind, int Size, bool BigEndian)
    {
        public const string SupportedText = "<f4, <f8, <f2, <i4, <i8 (and their big-endian '>' forms), |u1, |b1";

        public static NpyDtype? Parse(string descr)
        {
            if (descr.Length < 3) return null;
            char order = descr[0];
            string type = descr[1..];
            return (order, type) switch
            {
                ('|' or '<' or '>', "u1") => new(descr, 'u', 1, false),
                ('|' or '<' or '>', "b1") => new(descr, 'b', 1, false),
                ('<' or '>', "f2" or "f4" or "f8") => new(descr, 'f', type[1] - '0', order == '>'),
                ('<' or '>', "i4" or "i8") => new(descr, 'i', type[1] - '0', order == '>'),
                _ => null,
            };
        }

        /// <summary>Converts <c>destination.Length</c> elements from <paramref name="bytes"/> to float32.</summary>
        public void Convert(ReadOnlySpan<byte> bytes, Span<float> destination)
        {
            for (int i = 0; i < destination.Length; i++)
            {
                var e = bytes.Slice(i * Size, Size);
                destination[i] = (Kind, Size, BigEndian) switch
                {
                    ('u', _, _) => e[0],
                    ('b', _, _) => e[0] != 0 ? 1f : 0f,
                    ('f', 2, false) => (float)BinaryPrimitives.ReadHalfLittleEndian(e),
                    ('f', 2, true) => (float)BinaryPrimitives.ReadHalfBigEndian(e),
                    ('f', 4, false) => BinaryPrimitives.ReadSingleLittleEndian(e),
                    ('f', 4, true) => BinaryPrimitives.ReadSingleBigEndian(e),
                    ('f', 8, false) => (float)BinaryPrimitives.ReadDoubleLittleEndian(e),
                    ('f', 8, true) => (float)BinaryPrimitives.ReadDoubleBigEndian(e),
                    ('i', 4, false) => BinaryPrimitives.ReadInt32LittleEndian(e),
                    ('i', 4, true) => BinaryPrimitives.ReadInt32BigEndian(e),
                    ('i', 8, false) => BinaryPrimitives.ReadInt64LittleEndian(e),
                    _ => BinaryPrimitives.ReadInt64BigEndian(e),
                };
            }
        }
    }

    /// <summary>A parsed Python tuple (distinguished from a list: 'shape' must be a tuple).</summary>
    private sealed record PyTuple(List<object?> Items);

    /// <summary>
    /// The Python literal subset .npy headers use: dicts with string keys, strings in either quote,
    /// integers (Python 2's trailing L allowed), True/False/None, tuples and lists. Nesting is limited
    /// so a header of a thousand '(' cannot exhaust the stack.
    /// </summary>
    private sealed class PyLiteralParser(string text)
    {
        private const int MaxDepth = 16;
        private int _at;

        public void ExpectEnd()
        {
            SkipSpace();
            if (_at != text.Length) throw Error("unexpected text after the literal");
        }

        public object? ParseValue(int depth)
        {
            if (depth > MaxDepth) throw Error($"nested deeper than {MaxDepth} levels");
            SkipSpace();
            if (_at >= text.Length) throw Error("unexpected end");
            char c = text[_at];
            if (c == '{') return ParseDict(depth);
            if (c is '(' or '[') return ParseSequence(depth);
            if (c is '\'' or '"') return ParseString();
            if (c is '-' or '+' || char.IsAsciiDigit(c)) return ParseInteger();
            foreach (var (word, value) in new (string, object?)[] { ("True", true), ("False", false), ("None", null) })
                if (string.CompareOrdinal(text, _at, word, 0, word.Length) == 0)
                {
                    _at += word.Length;
                    return value;
                }
            throw Error($"unexpected character '{c}'");
        }

        private Dictionary<string, object?> ParseDict(int depth)
        {
            _at++;
            var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
            while (true)
            {
                SkipSpace();
                if (Peek() == '}') { _at++; return dict; }
                if (ParseValue(depth + 1) is not string key) throw Error("a dict key is not a string");
                SkipSpace();
                if (Peek() != ':') throw Error("expected ':'");
                _at++;
                if (!dict.TryAdd(key, ParseValue(depth + 1))) throw Error($"the key '{key}' repeats");
                SkipSpace();
                if (Peek() == ',') _at++;
                else if (Peek() != '}') throw Error("expected ',' or '}'");
            }
        }

        private object ParseSequence(int depth)
        {
            char close = text[_at] == '(' ? ')' : ']';
            _at++;
            var items = new List<object?>();
            bool sawComma = false;
            while (true)
            {
                SkipSpace();
                if (Peek() == close)
                {
                    _at++;
                    // (5) is the integer 5 in Python; only (5,) is a tuple.
                    if (close == ')' && items.Count == 1 && !sawComma) return items[0] ?? throw Error("parenthesised None");
                    return close == ')' ? new PyTuple(items) : items;
                }
                items.Add(ParseValue(depth + 1));
                SkipSpace();
                if (Peek() == ',') { _at++; sawComma = true; }
                else if (Peek() != close) throw Error($"expected ',' or '{close}'");
            }
        }

        private string ParseString()
        {
            char quote = text[_at++];
            var sb = new StringBuilder();
            while (_at < text.Length && text[_at] != quote)
            {
                if (text[_at] == '\\') throw Error("escape sequences are not supported in header strings");
                sb.Append(text[_at++]);
            }
            if (_at >= text.Length) throw Error("unterminated string");
            _at++;
            return sb.ToString();
        }

        private long ParseInteger()
        {
            int start = _at;
            if (text[_at] is '-' or '+') _at++;
            while (_at < text.Length && char.IsAsciiDigit(text[_at])) _at++;
            if (!long.TryParse(text.AsSpan(start, _at - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
                throw Error($"'{text[start.._at]}' is not a 64-bit integer");
            if (_at < text.Length && text[_at] is 'L' or 'l') _at++;
            return value;
        }

        private char Peek() => _at < text.Length ? text[_at] : '\0';

        private void SkipSpace()
        {
            while (_at < text.Length && text[_at] is ' ' or '\t' or '\n' or '\r') _at++;
        }

        private FormatException Error(string problem) => new($"{problem} at character {_at}");
    }
}
