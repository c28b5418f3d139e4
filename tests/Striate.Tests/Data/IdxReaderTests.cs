// IDX reader: hand-made files round-trip raw and gzipped, and every kind of damage a user can
// meet (wrong file, unsupported type, truncation, trailing bytes, corrupt gzip) is rejected with
// a message that names the file and the problem.
using System.Buffers.Binary;
using System.IO.Compression;
using Striate.Data;

namespace Striate.Tests.Data;

/// <summary>Builders for hand-made IDX files and a self-deleting temporary directory.</summary>
internal static class IdxFiles
{
    /// <summary>An IDX file: magic 0x0000 type rank, big-endian sizes, then <paramref name="data"/>.</summary>
    public static byte[] Make(byte type, int[] shape, byte[] data)
    {
        var bytes = new byte[4 + 4 * shape.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++) BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), shape[i]);
        data.CopyTo(bytes, 4 + 4 * shape.Length);
        return bytes;
    }

    /// <summary>An unsigned-byte IDX file holding <paramref name="data"/> in <paramref name="shape"/>.</summary>
    public static byte[] Make(int[] shape, byte[] data) => Make(0x08, shape, data);

    /// <summary>Gzip-compresses <paramref name="bytes"/>.</summary>
    public static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes);
        return memory.ToArray();
    }

    /// <summary>A deterministic byte pattern: value i is (i · 7 + seed) mod 256.</summary>
    public static byte[] Pattern(int length, int seed = 0)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)((i * 7 + seed) % 256);
        return data;
    }
}

/// <summary>A fresh directory under the system temp directory, deleted on dispose.</summary>
internal sealed class DataTempDirectory : IDisposable
{
    public DataTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "striate-data-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="name"/> inside the directory and returns its path.</summary>
    public string Write(string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A path inside the directory (not created).</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { /* a file still open on a slow CI machine; the OS cleans temp */ }
    }
}

public class IdxReaderTests
{
    private static readonly int[] ImageShape = [3, 4, 5];

    [Fact]
    public void Read_RawFile_RoundTripsShapeAndData()
    {
        using var dir = new DataTempDirectory();
        var data = IdxFiles.Pattern(60);
        string path = dir.Write("images.idx", IdxFiles.Make(ImageShape, data));

        var array = IdxReader.Read(path, expectedRank: 3);

        Assert.Equal(ImageShape, array.Shape);
        Assert.Equal(3, array.Rank);
        Assert.Equal(data, array.Data.ToArray());
    }

    [Fact]
    public void Read_GzipFileWithoutGzExtension_DetectsCompressionByHeader()
    {
        using var dir = new DataTempDirectory();
        var data = IdxFiles.Pattern(60, seed: 3);
        string path = dir.Write("images-idx3-ubyte", IdxFiles.Gzip(IdxFiles.Make(ImageShape, data)));

        var array = IdxReader.Read(path, expectedRank: 3);

        Assert.Equal(ImageShape, array.Shape);
        Assert.Equal(data, array.Data.ToArray());
    }

    [Fact]
    public void Read_RawFileNamedGz_ReadsAsRaw()
    {
        using var dir = new DataTempDirectory();
        byte[] labels = [9, 0, 0, 3, 7];
        string path = dir.Write("labels-idx1-ubyte.gz", IdxFiles.Make([5], labels));

        var array = IdxReader.Read(path, expectedRank: 1);

        Assert.Equal([5], array.Shape);
        Assert.Equal(labels, array.Data.ToArray());
    }

    [Fact]
    public void Read_NonSeekableStream_RoundTrips()
    {
        var data = IdxFiles.Pattern(60, seed: 11);
        using var stream = new NonSeekableStream(IdxFiles.Gzip(IdxFiles.Make(ImageShape, data)));

        var array = IdxReader.Read(stream, "in-memory", expectedRank: 3);

        Assert.Equal(ImageShape, array.Shape);
        Assert.Equal(data, array.Data.ToArray());
    }

    [Fact]
    public void Read_EmptyFirstDimension_GivesEmptyArray()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("empty", IdxFiles.Make([0, 28, 28], []));

        var array = IdxReader.Read(path, expectedRank: 3);

        Assert.Equal([0, 28, 28], array.Shape);
        Assert.Equal(0, array.Data.Length);
    }

    [Fact]
    public void Read_LargeFile_ReadsEveryByte()
    {
        // Larger than the reader's first 1 MiB buffer, so the growth path is exercised.
        using var dir = new DataTempDirectory();
        int[] shape = [2000, 28, 28];
        var data = IdxFiles.Pattern(2000 * 28 * 28, seed: 5);
        string path = dir.Write("big.gz", IdxFiles.Gzip(IdxFiles.Make(shape, data)));

        var array = IdxReader.Read(path, expectedRank: 3);

        Assert.Equal(shape, array.Shape);
        Assert.Equal(data, array.Data.ToArray());
    }

    [Fact]
    public void Read_BadMagic_NamesFileExpectedAndFound()
    {
        using var dir = new DataTempDirectory();
        var bytes = IdxFiles.Make(ImageShape, IdxFiles.Pattern(60));
        bytes[0] = 0x12; bytes[1] = 0x34;
        string path = dir.Write("bad-magic", bytes);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.Contains("bad magic number 0x12340803", ex.Message);
        Assert.Contains("expected 0x00000803", ex.Message);
        Assert.Equal(path, ex.Path);
    }

    [Fact]
    public void Read_LabelsFileWhereImagesExpected_ReportsBothMagicNumbers()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("train-labels-idx1-ubyte.gz", IdxFiles.Gzip(IdxFiles.Make([4], [1, 2, 3, 4])));

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.Contains("bad magic number 0x00000801, expected 0x00000803 (unsigned byte, 3 dimensions)", ex.Message);
    }

    [Fact]
    public void Read_NotAnIdxFile_ReportsBadMagic()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("notes.txt", "hello, world"u8.ToArray());

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("bad magic number 0x68656c6c", ex.Message);
    }

    [Fact]
    public void Read_FloatElementType_ReportsUnsupportedType()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("floats", IdxFiles.Make(0x0D, [2], new byte[8]));

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path));

        Assert.Contains(path, ex.Message);
        Assert.Contains("unsupported IDX element type 0x0d (float32)", ex.Message);
        Assert.Contains("0x00000d01", ex.Message);
    }

    [Fact]
    public void Read_TruncatedData_ReportsExpectedAndFoundBytes()
    {
        using var dir = new DataTempDirectory();
        var full = IdxFiles.Make([60000, 28, 28], []);
        string path = dir.Write("train-images", [.. full, .. IdxFiles.Pattern(1000)]);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected 47,040,000 bytes of data after the 16-byte header (shape (60000, 28, 28)), found 1,000 bytes", ex.Message);
    }

    [Fact]
    public void Read_TruncatedGzipData_ReportsDecompressedCount()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("images.gz", IdxFiles.Gzip([.. IdxFiles.Make([3, 4, 5], []), .. IdxFiles.Pattern(59)]));

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.Contains("expected 60 bytes of data after the 16-byte header (shape (3, 4, 5)), found 59 bytes after gzip decompression", ex.Message);
    }

    [Fact]
    public void Read_TruncatedHeader_ReportsHeaderLength()
    {
        using var dir = new DataTempDirectory();
        var bytes = IdxFiles.Make(ImageShape, []);
        string path = dir.Write("short-header", bytes[..10]);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.Contains("declares 3 dimensions (16 header bytes) but the file ends after 10 bytes", ex.Message);
    }

    [Fact]
    public void Read_EmptyFile_ReportsTooShortForMagic()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("empty", []);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 1));

        Assert.Contains(path, ex.Message);
        Assert.Contains("holds 0 bytes, too few for the 4-byte IDX magic number 0x00000801", ex.Message);
    }

    [Fact]
    public void Read_TrailingBytes_ReportsCount()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("trailing", [.. IdxFiles.Make([4], [1, 2, 3, 4]), 0xde, 0xad, 0xbe]);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 1));

        Assert.Contains(path, ex.Message);
        Assert.Contains("3 bytes of trailing garbage after the 4 bytes of data that the header's shape (4,) declares", ex.Message);
    }

    [Fact]
    public void Read_TrailingBytesInsideGzip_ReportsCount()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("trailing.gz", IdxFiles.Gzip([.. IdxFiles.Make([4], [1, 2, 3, 4]), 7]));

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 1));

        Assert.Contains(path, ex.Message);
        Assert.Contains("1 byte of trailing garbage", ex.Message);
        Assert.Contains("after gzip decompression", ex.Message);
    }

    [Fact]
    public void Read_CorruptGzip_ReportsCorruptGzip()
    {
        using var dir = new DataTempDirectory();
        var gz = IdxFiles.Gzip(IdxFiles.Make(ImageShape, IdxFiles.Pattern(60)));
        // Keep the 10-byte gzip header, replace the deflate stream with bytes that are not deflate
        // (block type 3 is reserved, so 0xff is invalid at once).
        for (int i = 10; i < gz.Length; i++) gz[i] = 0xff;
        string path = dir.Write("corrupt.gz", gz);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.Contains("corrupt gzip data", ex.Message);
        Assert.IsType<InvalidDataException>(ex.InnerException);
    }

    [Fact]
    public void Read_CutGzipFile_NamesFileAndProblem()
    {
        using var dir = new DataTempDirectory();
        var gz = IdxFiles.Gzip(IdxFiles.Make([200, 28, 28], IdxFiles.Pattern(200 * 28 * 28)));
        string path = dir.Write("cut.gz", gz[..(gz.Length / 2)]);

        var ex = Assert.Throws<DatasetException>(() => IdxReader.Read(path, expectedRank: 3));

        Assert.Contains(path, ex.Message);
        Assert.True(ex.Message.Contains("truncated", StringComparison.Ordinal) || ex.Message.Contains("corrupt gzip", StringComparison.Ordinal),
            $"message should say truncated or corrupt: {ex.Message}");
    }

    [Fact]
    public void Read_MissingFile_ThrowsFileNotFoundNamingPath()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Sub("absent.gz");

        var ex = Assert.Throws<FileNotFoundException>(() => IdxReader.Read(path));

        Assert.Contains(path, ex.Message);
    }

    [Fact]
    public void IdxArray_DataLengthDiffersFromShape_ThrowsNamingData()
    {
        var ex = Assert.Throws<ArgumentException>(() => new IdxArray([2, 3], new byte[5]));
        Assert.Equal("data", ex.ParamName);
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    }
}
