// SafeTensors: round trips, byte-exact layouts against the spec and the reference writer's own
// test vectors, every corrupt-file case, and atomic writes. (The Python safetensors package is
// not installed on the build machine, so the golden layouts are hand-computed from the spec.)
using System.Buffers.Binary;
using System.Text;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A safetensors file from its parts: 8-byte little-endian length, header text as given, data.</summary>
    private static byte[] FileBytes(string header, params float[] data)
    {
        var headerBytes = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + headerBytes.Length + 4 * data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)headerBytes.Length);
        headerBytes.CopyTo(bytes, 8);
        for (int i = 0; i < data.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(8 + headerBytes.Length + 4 * i), data[i]);
        return bytes;
    }

    private string WriteFile(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static KeyValuePair<string, Tensor> Named(string name, Tensor t) => new(name, t);

    [Fact]
    public void SaveLoad_VariousShapesAndSpecialValues_RoundTripBitForBit()
    {
        var rng = new Rng(42);
        var tensors = new[]
        {
            Named("conv.weight", Tensor.Normal(rng, 0, 1, 6, 1, 5, 5)),
            Named("scalar", Tensor.Scalar(3.25f)),
            Named("empty", Tensor.Zeros(0, 4)),
            Named("special", Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, float.Epsilon, float.MaxValue], 2, 3)),
        };
        var metadata = new Dictionary<string, string> { ["model"] = "lenet5", ["note"] = "Größe → 28×28, \"quoted\", +/<>" };
        string path = PathOf("round.safetensors");

        SafeTensors.Save(path, tensors, metadata);
        var loaded = SafeTensors.Load(path);

        Assert.Equal(["conv.weight", "empty", "scalar", "special"], loaded.Tensors.Keys); // data order = name order
        foreach (var (name, expected) in tensors)
        {
            var actual = loaded.Tensors[name];
            Assert.Equal(expected.Shape, actual.Shape);
            AssertTensor.BitIdentical(expected.AsSpan(), actual.AsSpan(), name);
            Assert.NotSame(expected, actual);
        }
        Assert.Equal(metadata.OrderBy(p => p.Key), loaded.Metadata.OrderBy(p => p.Key));
    }

    [Fact]
    public void Save_ReferenceTestVector_MatchesByteForByte()
    {
        // The reference implementation's test_serialization_forced_alignement: "attn0", F32, shape
        // (1, 1, 2, 3), values 0..5. The 65-byte JSON is padded with 7 spaces to N = 72.
        string path = PathOf("attn0.safetensors");
        SafeTensors.Save(path, [Named("attn0", Tensor.FromArray([0, 1, 2, 3, 4, 5], 1, 1, 2, 3))]);

        byte[] expected =
        [
            72, 0, 0, 0, 0, 0, 0, 0,
            .. "{\"attn0\":{\"dtype\":\"F32\",\"shape\":[1,1,2,3],\"data_offsets\":[0,24]}}"u8,
            .. "       "u8,
            0, 0, 0, 0, /* 0.0 */ 0, 0, 128, 63, /* 1.0 = 0x3F800000 */ 0, 0, 0, 64, /* 2.0 */
            0, 0, 64, 64, /* 3.0 */ 0, 0, 128, 64, /* 4.0 */ 0, 0, 160, 64, /* 5.0 = 0x40A00000 */
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_MetadataAndUnsortedTensors_MatchesHandComputedLayout()
    {
        // Spec layout: "__metadata__" first, tensors sorted by name and packed in that order.
        // The JSON below is 132 bytes; 4 spaces pad it to N = 136 = 0x88, a multiple of 8.
        string path = PathOf("hand.safetensors");
        SafeTensors.Save(path,
            [Named("b", Tensor.FromArray([1f, -2f], 2)), Named("a", Tensor.Scalar(0.5f))],
            new Dictionary<string, string> { ["k"] = "v" });

        byte[] expected =
        [
            0x88, 0, 0, 0, 0, 0, 0, 0,
            .. "{\"__metadata__\":{\"k\":\"v\"},\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"u8,
            .. "    "u8,
            0x00, 0x00, 0x00, 0x3F, // a = 0.5  = 0x3F000000, little-endian
            0x00, 0x00, 0x80, 0x3F, // b[0] = 1 = 0x3F800000
            0x00, 0x00, 0x00, 0xC0, // b[1] = −2 = 0xC0000000
        ];
        Assert.Equal(expected, File.ReadAllBytes(path));
    }

    [Fact]
    public void Save_NoTensorsWithMetadata_MatchesReferenceTestVector()
    {
        // The reference's test_empty: {"__metadata__":{"framework":"pt"}} is 35 bytes, padded to 40.
        string path = PathOf("empty.safetensors");
        SafeTensors.Save(path, [], new Dictionary<string, string> { ["framework"] = "pt" });
        byte[] expected = [40, 0, 0, 0, 0, 0, 0, 0, .. "{\"__metadata__\":{\"framework\":\"pt\"}}"u8, .. "     "u8];
        Assert.Equal(expected, File.ReadAllBytes(path));
        var loaded = SafeTensors.Load(path);
        Assert.Empty(loaded.Tensors);
        Assert.Equal("pt", loaded.Metadata["framework"]);
    }

    [Fact]
    public void Load_HandWrittenFileWithOtherKeyOrderAndWhitespace_ReadsValues()
    {
        // Another writer may order keys differently and pretty-print; only the offsets matter.
        string header = "{ \"w\": {\"data_offsets\": [8, 20], \"shape\": [3], \"dtype\": \"F32\"},\n  \"v\": {\"dtype\": \"F32\", \"shape\": [1, 2], \"data_offsets\": [0, 8]} }";
        string path = WriteFile("other.safetensors", FileBytes(header, 10, 20, -1.5f, 2.5f, 1e-3f));

        var loaded = SafeTensors.Load(path);

        Assert.Equal(["v", "w"], loaded.Tensors.Keys);
        Assert.Equal([1, 2], loaded.Tensors["v"].Shape);
        Assert.Equal([10f, 20f], loaded.Tensors["v"].ToArray());
        Assert.Equal([-1.5f, 2.5f, 1e-3f], loaded.Tensors["w"].ToArray());
        Assert.Empty(loaded.Metadata);
    }

    private const string GoodHeader = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";

    public static TheoryData<string, byte[], string> CorruptFiles()
    {
        byte[] good = FileBytes(GoodHeader, 1, 2);
        byte[] hugeLength = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(hugeLength, ulong.MaxValue);
        byte[] lengthPastEnd = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(lengthPastEnd, (ulong)(good.Length - 8 + 1));
        byte[] badUtf8 = FileBytes(GoodHeader, 1, 2);
        badUtf8[10] = 0xFF;
        return new()
        {
            { "empty file", [], "0 bytes long, shorter than the 8-byte" },
            { "5-byte file", [1, 2, 3, 4, 5], "5 bytes long, shorter than the 8-byte" },
            { "header length past the end", lengthPastEnd, "runs past the end of the file" },
            { "header length 2^64-1", hugeLength, "runs past the end of the file" },
            { "header not UTF-8", badUtf8, "not valid UTF-8" },
            { "header not JSON", FileBytes("{\"x\":{\"dtype\":\"F32\",", 1, 2), "not valid JSON" },
            { "header is an array", FileBytes("[1,2]    "), "JSON array, not an object" },
            { "dtype F16", FileBytes("{\"x\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 1, 2), "dtype 'F16'; only F32" },
            { "dtype missing", FileBytes("{\"x\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 1, 2), "tensor 'x' has no string \"dtype\"" },
            { "negative dimension", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 1, 2), "shape entry -2" },
            { "offsets do not match shape", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 1, 2), "shape (3,) of F32 needs 12 bytes" },
            { "end before begin", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 1, 2), "the end is before the beginning" },
            { "offsets not two numbers", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 1, 2), "no \"data_offsets\" array of two integers" },
            { "overlapping tensors", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 1, 2, 3), "tensor 'y' (bytes 4..12) overlaps tensor 'x'" },
            { "gap between tensors", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"y\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 1, 2, 3), "tensor 'y' starts at byte 8, leaving a gap" },
            { "truncated data", FileBytes(GoodHeader, 1), "truncated: the tensors need 8 bytes after the header but the file holds only 4" },
            { "trailing bytes", FileBytes(GoodHeader, 1, 2, 3), "4 unexpected bytes follow the last tensor" },
            { "metadata value not a string", FileBytes("{\"__metadata__\":{\"epoch\":3}}"), "metadata entry 'epoch' is a JSON number" },
            { "duplicate tensor name", FileBytes("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 1, 2), "names 'x' twice" },
        };
    }

    [Theory]
    [MemberData(nameof(CorruptFiles))]
    public void Load_CorruptFile_ThrowsInvalidDataNamingFileAndProblem(string description, byte[] bytes, string expectedProblem)
    {
        string path = WriteFile("corrupt.safetensors", bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.True(e.Message.Contains(path, StringComparison.Ordinal), $"{description}: message does not name the file: {e.Message}");
        Assert.True(e.Message.Contains(expectedProblem, StringComparison.Ordinal), $"{description}: expected '{expectedProblem}' in: {e.Message}");
    }

    [Fact]
    public void Load_SavedFileCutShort_ThrowsTruncated()
    {
        string path = PathOf("cut.safetensors");
        SafeTensors.Save(path, [Named("w", Tensor.Ones(10))]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(PathOf("absent.safetensors")));
    }

    [Fact]
    public void Save_DuplicateOrReservedName_ThrowsArgumentException()
    {
        string path = PathOf("dup.safetensors");
        var dup = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("w", Tensor.Ones(1)), Named("w", Tensor.Ones(2))]));
        Assert.Contains("'w' appears twice", dup.Message, StringComparison.Ordinal);
        var reserved = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, [Named("__metadata__", Tensor.Ones(1))]));
        Assert.Contains("reserved", reserved.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    /// <summary>A stream that fails once more than <c>limit</c> bytes have been written through it.</summary>
    private sealed class FailingStream(Stream inner, long limit) : Stream
    {
        private long _written;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > limit) throw new IOException("Simulated disk full.");
            inner.Write(buffer);
            _written += buffer.Length;
        }
    }

    [Fact]
    public void Save_FailsMidway_TargetKeepsOldContentsAndNoTempFileRemains()
    {
        string path = PathOf("model.safetensors");
        SafeTensors.Save(path, [Named("old", Tensor.Full(7f, 3))]);
        byte[] before = File.ReadAllBytes(path);

        var big = Tensor.Ones(1000);
        var e = Assert.Throws<IOException>(() => SafeTensors.Save(path, [Named("new", big)], null, s => new FailingStream(s, limit: 200)));

        Assert.Equal("Simulated disk full.", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
        Assert.Equal([7f, 7f, 7f], SafeTensors.Load(path).Tensors["old"].ToArray());
    }

    [Fact]
    public void Save_MissingDirectory_ThrowsAndCreatesNothing()
    {
        string path = Path.Combine(_dir, "no-such-dir", "model.safetensors");
        Assert.Throws<DirectoryNotFoundException>(() => SafeTensors.Save(path, [Named("w", Tensor.Ones(2))]));
        Assert.False(Directory.Exists(Path.Combine(_dir, "no-such-dir")));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Save_TargetIsADirectory_ThrowsAndLeavesNoTempFile()
    {
        // The final rename fails after the data was fully written: the temporary file must go.
        string path = PathOf("taken");
        Directory.CreateDirectory(path);
        Assert.ThrowsAny<IOException>(() => SafeTensors.Save(path, [Named("w", Tensor.Ones(2))]));
        Assert.True(Directory.Exists(path));
        Assert.Equal([path], Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Save_OverExistingFile_ReplacesIt()
    {
        string path = PathOf("replace.safetensors");
        SafeTensors.Save(path, [Named("a", Tensor.Ones(100))]);
        SafeTensors.Save(path, [Named("b", Tensor.Full(2f, 2))]);
        var loaded = SafeTensors.Load(path);
        Assert.Equal(["b"], loaded.Tensors.Keys);
        Assert.Equal([2f, 2f], loaded.Tensors["b"].ToArray());
        Assert.Equal([path], Directory.GetFiles(_dir));
    }
}
