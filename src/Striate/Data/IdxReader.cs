// IDX reader: the file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).
//
//   offset 0  magic: 0x00 0x00 <type> <rank>     type 0x08 = unsigned byte (the only one supported)
//   offset 4  rank × uint32 big-endian sizes      e.g. 60000, 28, 28
//   then      prod(sizes) elements, row-major     nothing may follow them
//
// Files may be gzip-compressed; compression is detected from the 1f 8b header, never from the
// file name, because renamed and hand-decompressed copies are common. Every failure names the
// file and says what was expected and what was found, since a user can only fix what they can see.
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Striate.Data;

/// <summary>
/// A dataset could not be found, downloaded, verified or parsed. The message names the file or
/// directory and the problem, and says how to get the data where that helps.
/// </summary>
public sealed class DatasetException : Exception
{
    /// <summary>Creates the exception with a default message.</summary>
    public DatasetException() : base("A dataset could not be loaded.") { }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    public DatasetException(string message) : base(message) { }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    public DatasetException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates the exception for a problem with one file or directory.</summary>
    /// <param name="message">What went wrong, including the path.</param>
    /// <param name="path">The file or directory concerned.</param>
    /// <param name="innerException">The exception that caused this one, if any.</param>
    public DatasetException(string message, string? path, Exception? innerException = null) : base(message, innerException)
    {
        Path = path;
    }

    /// <summary>The file or directory the problem concerns, when there is one.</summary>
    public string? Path { get; }
}

/// <summary>An n-dimensional array of unsigned bytes read from an IDX file.</summary>
public sealed class IdxArray
{
    private readonly int[] _shape;

    /// <summary>Creates an array from its shape and row-major data.</summary>
    /// <param name="shape">The size of each dimension, outermost first (copied).</param>
    /// <param name="data">The elements in row-major order; length must equal the product of <paramref name="shape"/>.</param>
    /// <exception cref="ArgumentException">A dimension is negative or <paramref name="data"/> has the wrong length.</exception>
    public IdxArray(ReadOnlySpan<int> shape, ReadOnlyMemory<byte> data)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {Tensor.ShapeText(shape)} has a negative dimension.", nameof(shape));
            count *= d;
        }
        if (count != data.Length)
            throw new ArgumentException($"Shape {Tensor.ShapeText(shape)} holds {count} elements but {data.Length} bytes were given.", nameof(data));
        _shape = shape.ToArray();
        Data = data;
    }

    /// <summary>The size of each dimension, outermost first: (N, H, W) for images, (N) for labels.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The number of dimensions (the low byte of the magic number).</summary>
    public int Rank => _shape.Length;

    /// <summary>The elements in row-major order.</summary>
    public ReadOnlyMemory<byte> Data { get; }
}

/// <summary>
/// Reads IDX files (the MNIST format), raw or gzip-compressed, into an <see cref="IdxArray"/>.
/// </summary>
/// <remarks>
/// The header is the magic number <c>0x0000TTRR</c> (T = element type, R = rank) followed by R
/// big-endian uint32 sizes; the row-major elements follow and nothing may come after them. Only
/// unsigned-byte elements (type <c>0x08</c>) are supported: every MNIST-family file uses them.
/// </remarks>
public static class IdxReader
{
    /// <summary>The IDX element-type code for unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    // Refuse headers whose shape cannot fit one .NET array rather than failing inside an allocation.
    private static readonly long MaxElements = Array.MaxLength;

    /// <summary>Reads the IDX file at <paramref name="path"/>, decompressing it when it starts with the gzip header.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="expectedRank">
    /// The rank the caller needs (3 for images, 1 for labels), or <see langword="null"/> to accept any;
    /// with it a wrong file gets "bad magic number 0x00000801, expected 0x00000803".
    /// </param>
    /// <returns>The shape and data of the file.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedRank"/> is outside 0..255.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DatasetException">
    /// The magic number is wrong, the element type is not unsigned byte, the header or data is
    /// truncated, bytes follow the data, or the gzip stream is corrupt; the message names the file.
    /// </exception>
    public static IdxArray Read(string path, int? expectedRank = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(file, path, expectedRank);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/>, decompressing it when it starts with the gzip header.</summary>
    /// <param name="stream">The stream, positioned at the start of the file; read to its end, not closed.</param>
    /// <param name="sourceName">The name used in error messages (usually the file path).</param>
    /// <param name="expectedRank">The rank the caller needs, or <see langword="null"/> to accept any.</param>
    /// <returns>The shape and data read.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="sourceName"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="expectedRank"/> is outside 0..255.</exception>
    /// <exception cref="DatasetException">The content is not a valid unsigned-byte IDX array; the message names <paramref name="sourceName"/>.</exception>
    public static IdxArray Read(Stream stream, string sourceName, int? expectedRank = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        if (expectedRank is < 0 or > 255) throw new ArgumentOutOfRangeException(nameof(expectedRank), expectedRank, "An IDX rank is between 0 and 255.");

        // Peek at two bytes through a buffer we own so non-seekable streams work too.
        var lead = new byte[2];
        int leadCount = ReadFully(stream, lead, sourceName, compressed: false);
        bool gzip = leadCount == 2 && lead[0] == 0x1f && lead[1] == 0x8b;
        Stream source = new PrefixedStream(lead.AsMemory(0, leadCount), stream);
        if (gzip) source = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
        try
        {
            return ReadContent(source, sourceName, expectedRank, gzip);
        }
        finally
        {
            if (gzip) source.Dispose();
        }
    }

    private static IdxArray ReadContent(Stream source, string name, int? expectedRank, bool gzip)
    {
        var magicBytes = new byte[4];
        int got = ReadFully(source, magicBytes, name, gzip);
        string expectedMagic = expectedRank is int r ? Hex(UnsignedByteType << 8 | r) : "0x000008RR (RR = rank)";
        if (got < 4)
            throw Fail(name, $"it holds {got} byte{Plural(got)}{Decompressed(gzip)}, too few for the 4-byte IDX magic number {expectedMagic}.");
        uint magic = BinaryPrimitives.ReadUInt32BigEndian(magicBytes);
        byte type = magicBytes[2], rank = magicBytes[3];
        if (magicBytes[0] != 0 || magicBytes[1] != 0 || (expectedRank is int need && rank != need && type == UnsignedByteType))
            throw Fail(name, $"bad magic number {Hex(magic)}, expected {expectedMagic}{ExpectedMeaning(expectedRank)}; this is not {(expectedRank is null ? "an IDX file" : "the IDX file expected here")}.");
        if (type != UnsignedByteType)
            throw Fail(name, $"unsupported IDX element type 0x{type:x2} ({TypeName(type)}) in magic number {Hex(magic)}; only 0x08 (unsigned byte) is supported.");

        var dimBytes = new byte[4 * rank];
        got = ReadFully(source, dimBytes, name, gzip);
        if (got < dimBytes.Length)
            throw Fail(name, $"the header declares {rank} dimension{Plural(rank)} ({4 + dimBytes.Length} header bytes) but the file ends after {4 + got} bytes{Decompressed(gzip)}.");
        var shape = new int[rank];
        long count = 1;
        for (int i = 0; i < rank; i++)
        {
            uint size = BinaryPrimitives.ReadUInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (size > int.MaxValue)
                throw Fail(name, $"dimension {i} has size {size.ToString("N0", CultureInfo.InvariantCulture)}, more than a .NET array can index.");
            shape[i] = (int)size;
            count = Math.Min(count * size, MaxElements + 1);
        }
        string shapeText = Tensor.ShapeText(shape);
        int headerLength = 4 + dimBytes.Length;
        if (count > MaxElements)
            throw Fail(name, $"shape {shapeText} holds more elements than a .NET array can hold.");

        // Grow the buffer as data arrives, so a header that claims gigabytes cannot make a
        // truncated or hostile file allocate them up front.
        var data = new byte[Math.Min(count, 1 << 20)];
        long filled = 0;
        while (true)
        {
            if (filled == data.Length)
            {
                if (filled == count) break;
                Array.Resize(ref data, (int)Math.Min(count, 2L * data.Length));
            }
            int n = ReadSome(source, data.AsSpan((int)filled), name, gzip);
            if (n == 0) break;
            filled += n;
        }
        if (filled < count)
            throw Fail(name, $"truncated: expected {Bytes(count)} of data after the {headerLength}-byte header (shape {shapeText}), found {Bytes(filled)}{Decompressed(gzip)}.");

        long trailing = 0;
        var scratch = new byte[1 << 16];
        int t;
        while ((t = ReadSome(source, scratch, name, gzip)) > 0) trailing += t;
        if (trailing > 0)
            throw Fail(name, $"{Bytes(trailing)} of trailing garbage after the {Bytes(count)} of data that the header's shape {shapeText} declares{Decompressed(gzip)}.");

        return new IdxArray(shape, data);
    }

    private static int ReadFully(Stream stream, Span<byte> buffer, string name, bool compressed)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = ReadSome(stream, buffer[total..], name, compressed);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static int ReadSome(Stream stream, Span<byte> buffer, string name, bool compressed)
    {
        try
        {
            return stream.Read(buffer);
        }
        catch (InvalidDataException ex) when (compressed)
        {
            throw new DatasetException($"Cannot read IDX file '{name}': corrupt gzip data ({ex.Message}).", name, ex);
        }
    }

    private static DatasetException Fail(string name, string problem) => new($"Cannot read IDX file '{name}': {problem}", name);

    private static string Hex(long value) => "0x" + value.ToString("x8", CultureInfo.InvariantCulture);

    private static string Bytes(long count) => count.ToString("N0", CultureInfo.InvariantCulture) + (count == 1 ? " byte" : " bytes");

    private static string Plural(long count) => count == 1 ? "" : "s";

    private static string Decompressed(bool gzip) => gzip ? " after gzip decompression" : "";

    private static string ExpectedMeaning(int? rank) =>
        rank is int r ? $" (unsigned byte, {r} dimension{Plural(r)})" : "";

    private static string TypeName(byte type) => type switch
    {
        0x08 => "unsigned byte",
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "not an IDX type",
    };

    /// <summary>Replays bytes already consumed from a stream before the rest of it (a one-shot peek).</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_prefix.IsEmpty) return inner.Read(buffer);
            int n = Math.Min(buffer.Length, _prefix.Length);
            _prefix.Span[..n].CopyTo(buffer);
            _prefix = _prefix[n..];
            return n;
        }
    }
}
