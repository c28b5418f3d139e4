// Npy: every dtype, byte order, layout and header version numpy writes (fixtures written by numpy,
// Fixtures/generate_npy.py), the writer byte for byte against numpy.save, numpy reading what Striate
// writes, every malformed-file case, and a thousand mutated files.
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

/// <summary>One array of Fixtures/npy/manifest.json: what numpy wrote and the float32 values Striate must read.</summary>
internal sealed record NpyFixture(string File, string? Key, string Descr, bool FortranOrder, string Version, int[] Shape, float[] Values)
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy");

    public static string PathOf(string file) => Path.Combine(Dir, file);

    public static IReadOnlyList<NpyFixture> All { get; } = LoadManifest();

    public override string ToString() => Key is null ? File : $"{File}:{Key}";

    /// <summary>An exact float64 number, or a float32's bits as "0x7fc00000" (NaN, infinities).</summary>
    private static float ParseValue(JsonElement v) => v.ValueKind == JsonValueKind.String
        ? BitConverter.UInt32BitsToSingle(Convert.ToUInt32(v.GetString()!, 16))
        : (float)v.GetDouble();

    private static List<NpyFixture> LoadManifest()
    {
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(PathOf("manifest.json")));
        return [.. doc.RootElement.GetProperty("arrays").EnumerateArray().Select(a => new NpyFixture(
            a.GetProperty("file").GetString()!,
            a.GetProperty("key").ValueKind == JsonValueKind.Null ? null : a.GetProperty("key").GetString(),
            a.GetProperty("descr").GetString()!,
            a.GetProperty("fortran_order").GetBoolean(),
            a.GetProperty("version").GetString()!,
            [.. a.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())],
            [.. a.GetProperty("values").EnumerateArray().Select(ParseValue)]))];
    }
}

public sealed class NpyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-npy-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    public static TheoryData<string> NpyFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in NpyFixture.All.Where(f => f.Key is null)) data.Add(f.File);
        return data;
    }

    /// <summary>numpy.save output for float32 C-order arrays: the writer's byte-level references.</summary>
    public static TheoryData<string> NumpySavedFloat32Files() => ["f4_c.npy", "f4_scalar.npy", "f4_1d.npy", "f4_empty.npy", "f4_special.npy"];

    [Theory]
    [MemberData(nameof(NpyFiles))]
    public void Read_NumpyWrittenFile_MatchesNumpysValuesBitForBit(string file)
    {
        var expected = NpyFixture.All.Single(f => f.File == file);

        var tensor = Npy.Read(NpyFixture.PathOf(file));

        Assert.Equal(expected.Shape, tensor.Shape);
        AssertTensor.BitIdentical(expected.Values, tensor.AsSpan(), $"{file} ({expected.Descr}, fortran {expected.FortranOrder}, v{expected.Version})");
    }

    [Fact]
    public void Fixtures_CoverEveryDtypeOrderAndVersion()
    {
        var npy = NpyFixture.All.Where(f => f.Key is null).ToList();
        foreach (var descr in new[] { "<f4", ">f4", "<f8", ">f8", "<f2", ">f2", "<i4", ">i4", "<i8", ">i8", "|u1", "|b1" })
            Assert.Contains(npy, f => f.Descr == descr);
        Assert.Contains(npy, f => f.FortranOrder && f.Descr == "<f4");
        Assert.Contains(npy, f => f.FortranOrder && f.Descr == "<f8");
        foreach (var version in new[] { "1.0", "2.0", "3.0" }) Assert.Contains(npy, f => f.Version == version);
    }

    [Fact]
    public void Read_FortranOrder_TransposesToCOrder()
    {
        // numpy: np.asfortranarray(arange(24)*0.5 - 3 reshaped (2, 3, 4)); C order is the arange itself.
        var t = Npy.Read(NpyFixture.PathOf("f4_fortran.npy"));

        Assert.Equal([2, 3, 4], t.Shape);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => i * 0.5f - 3f), t.ToArray());
        Assert.Equal(-3f + 0.5f * (1 * 12 + 2 * 4 + 3), t[1, 2, 3]);
    }

    [Fact]
    public void Read_Float64_RoundsToNearestFloat32()
    {
        var t = Npy.Read(NpyFixture.PathOf("f8.npy"));

        Assert.Equal(Enumerable.Range(1, 6).Select(i => (float)(i / 3.0 - 1.0)), t.ToArray());
    }

    [Theory]
    [MemberData(nameof(NumpySavedFloat32Files))]
    public void Write_SameArrayAsNumpySave_ProducesIdenticalBytes(string file)
    {
        var expected = NpyFixture.All.Single(f => f.File == file);
        string path = PathOf(file);

        Npy.Write(path, Tensor.FromArray(expected.Values, expected.Shape));

        Assert.Equal(File.ReadAllBytes(NpyFixture.PathOf(file)), File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_NumpyLoadsTheFile_SameDtypeShapeAndValues()
    {
        var tensor = Tensor.Normal(new Rng(5), 0, 1, 3, 1, 4, 5);
        tensor.AsSpan()[0] = float.NaN;
        tensor.AsSpan()[1] = float.NegativeInfinity;
        tensor.AsSpan()[2] = -0f;
        string path = PathOf("peer.npy");
        Npy.Write(path, tensor);
        // The byte-level check against numpy.save output runs everywhere (Write_SameArrayAsNumpySave_*);
        // with Python present, numpy itself also loads the file.
        Assert.StartsWith("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1, 4, 5), }", Encoding.Latin1.GetString(File.ReadAllBytes(path)));
        if (!NumpyPeer.Available) return;

        var loaded = NumpyPeer.Load(path)[""];

        Assert.Equal("<f4", loaded.Dtype);
        Assert.Equal([3, 1, 4, 5], loaded.Shape);
        AssertTensor.BitIdentical(tensor.AsSpan(), loaded.Values.Select(v => (float)v).ToArray(), "numpy.load of Striate's file");
    }

    [Fact]
    public void WriteRead_ManyShapes_RoundTripBitForBit()
    {
        var rng = new Rng(11);
        int[][] shapes = [[], [0], [1], [7], [2, 0, 3], [3, 5], [2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1, 1, 1], [100000]];
        foreach (var shape in shapes)
        {
            var t = Tensor.Normal(rng, 0, 3, shape);
            string path = PathOf("rt.npy");

            Npy.Write(path, t);
            var back = Npy.Read(path);

            Assert.Equal(t.Shape, back.Shape);
            AssertTensor.BitIdentical(t.AsSpan(), back.AsSpan(), Tensor.ShapeText(t.Dims));
            Assert.Equal(0, new FileInfo(path).Length % 4);
            Assert.Equal(0, (new FileInfo(path).Length - 4L * t.Length) % 64); // numpy's 64-byte data alignment
        }
    }

    [Fact]
    public void Header_TooLongForVersion1_UsesVersion2LikeNumpy()
    {
        // numpy picks 2.0 only when the padded header passes 65,535 bytes: a shape of 25,000 ones (75,000 characters) does.
        var shape = Enumerable.Repeat(1, 25_000).ToArray();

        var header = Npy.Header(shape);

        Assert.Equal(2, header[6]);
        Assert.Equal(0, header.Length % 64);
        Assert.Equal(header.Length - 12, (int)BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)));
        using var stream = new MemoryStream([.. header, .. BitConverter.GetBytes(2.5f)]);
        var back = Npy.Read(stream, "v2", stream.Length);
        Assert.Equal(shape, back.Shape);
        Assert.Equal(2.5f, back.AsSpan()[0]);
    }

    [Fact]
    public void Write_MissingDirectory_ThrowsAndLeavesNothing()
    {
        string path = Path.Combine(_dir, "no-such-dir", "x.npy");

        Assert.ThrowsAny<IOException>(() => Npy.Write(path, Tensor.Ones(2)));
        Assert.Empty(Directory.GetFiles(_dir, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Write_ExistingFile_IsReplacedWhole()
    {
        string path = PathOf("replace.npy");
        Npy.Write(path, Tensor.Ones(1000));

        Npy.Write(path, Tensor.Full(2f, 2));

        Assert.Equal([2f, 2f], Npy.Read(path).ToArray());
        Assert.Single(Directory.GetFiles(_dir)); // no temporary file left behind
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Npy.Read("")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Npy.Write("", Tensor.Ones(1))).ParamName);
        Assert.Equal("tensor", Assert.Throws<ArgumentNullException>(() => Npy.Write(PathOf("a.npy"), null!)).ParamName);
        Assert.Throws<FileNotFoundException>(() => Npy.Read(PathOf("missing.npy")));
    }

    // ---- Malformed files: each names the file and the problem ----

    /// <summary>A .npy file from a header text (padded as numpy pads) and raw data bytes.</summary>
    private static byte[] NpyBytes(string header, byte[] data, int major = 1)
    {
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header + "\n");
        int lengthBytes = major == 1 ? 2 : 4;
        var bytes = new List<byte>(Npy.Magic.ToArray()) { (byte)major, 0 };
        var length = new byte[lengthBytes];
        if (major == 1) BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)text.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)text.Length);
        bytes.AddRange(length);
        bytes.AddRange(text);
        bytes.AddRange(data);
        return [.. bytes];
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private InvalidDataException ReadFails(byte[] bytes, string name = "bad.npy")
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Npy.Read(path));
        Assert.Contains(path, ex.Message);
        return ex;
    }

    public static TheoryData<string, string, string> BadHeaders() => new()
    {
        { "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<c8'", "complex" },
        { "{'descr': '<U5', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<U5'", "unicode strings" },
        { "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '|O'", "pickled objects" },
        { "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", "structured", "record dtype" },
        { "{'descr': 'f4', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype 'f4'", "no byte order" },
        { "{'descr': '<f4', 'fortran_order': False}", "exactly the keys", "missing shape" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "exactly the keys", "extra key" },
        { "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", "'fortran_order' must be True or False", "int for bool" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", "'shape' must be a tuple", "list shape" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 'x'), }", "'shape' must be a tuple", "string dim" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", "negative dimension", "negative" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (3000000000,), }", "dimension above 2147483647", "dimension beyond int" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", "more than", "overflowing count" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", "not a Python dict literal", "unterminated" },
        { "['descr', '<f4']", "not a dict literal", "a list" },
        { "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } trailing", "not a Python dict literal", "trailing text" },
        { "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", "repeats", "duplicate key" },
        { new string('(', 5000) + new string(')', 5000), "deeper", "deep nesting" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Read_BadHeader_ThrowsNamingTheProblem(string header, string expectedMessage, string what)
    {
        var ex = ReadFails(NpyBytes(header, Floats(1, 2)));

        Assert.True(ex.Message.Contains(expectedMessage, StringComparison.Ordinal), $"{what}: {ex.Message}");
    }

    [Fact]
    public void Read_BadMagic_Throws()
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"));
        bytes[1] = (byte)'X';

        Assert.Contains("bad magic", ReadFails(bytes).Message);
        Assert.Contains("bad magic", ReadFails(Encoding.ASCII.GetBytes("PK\x03\x04 this is a zip, not npy")).Message);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(4, 0)]
    [InlineData(1, 1)]
    public void Read_UnknownVersion_Throws(int major, int minor)
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"));
        bytes[6] = (byte)major;
        bytes[7] = (byte)minor;

        Assert.Contains($"unsupported format version {major}.{minor}", ReadFails(bytes).Message);
    }

    [Fact]
    public void Read_EveryTruncation_ThrowsTruncated()
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("f8.npy"));
        for (int length = 0; length < bytes.Length; length++)
        {
            var ex = ReadFails(bytes[..length]);
            Assert.True(ex.Message.Contains("truncated", StringComparison.Ordinal), $"length {length}: {ex.Message}");
        }
    }

    [Fact]
    public void Read_TrailingBytes_ThrowsLengthMismatch()
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"));

        var ex = ReadFails([.. bytes, 0, 0, 0, 0]);

        Assert.Contains("needs 24 bytes of data but 28 follow", ex.Message);
    }

    [Fact]
    public void Read_HeaderClaimsGigabytes_ThrowsBeforeAllocating()
    {
        // 4e8 elements of f8 = 3.2 GB claimed, 16 bytes present: the check must come before any allocation.
        var bytes = NpyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (20000, 20000), }", Floats(1, 2, 3, 4));
        using var stream = new MemoryStream(bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => Npy.Read(stream, "lying.npy", stream.Length));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains("truncated", ex.Message);
        Assert.Contains("3200000000 bytes", ex.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes for a lying header");
    }

    [Fact]
    public void Read_HeaderLengthPastFile_Throws()
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"));
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), 60000);

        Assert.Contains("runs past the end of the file", ReadFails(bytes).Message);
    }

    [Fact]
    public void Read_HugeVersion2HeaderLength_ThrowsWithoutReadingIt()
    {
        var bytes = new byte[200_000];
        Npy.Magic.CopyTo(bytes);
        bytes[6] = 2;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), 150_000);

        Assert.Contains($"exceeds the {Npy.MaxHeaderLength}-byte limit", ReadFails(bytes).Message);
    }

    [Fact]
    public void Read_Version3HeaderNotUtf8_Throws()
    {
        var bytes = NpyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Floats(1, 2), major: 3);
        bytes[20] = 0xFF;

        Assert.Contains("not valid UTF-8", ReadFails(bytes).Message);
    }

    [Fact]
    public void Read_Version3Utf8Header_IsAccepted()
    {
        // Only the latin-1/UTF-8 difference matters: the same dict, spaced differently, in double quotes.
        var bytes = NpyBytes("{\"descr\": \"<f4\", \"shape\": (2,), \"fortran_order\": True}", Floats(1, 2), major: 3);
        string path = PathOf("v3.npy");
        File.WriteAllBytes(path, bytes);

        Assert.Equal([1f, 2f], Npy.Read(path).ToArray());
    }

    [Fact]
    public void Fuzz_ThousandMutatedFiles_ReadOrThrowInvalidDataWithoutGiantAllocation()
    {
        var seeds = NpyFixture.All.Where(f => f.Key is null).Select(f => File.ReadAllBytes(NpyFixture.PathOf(f.File))).ToArray();
        var random = new Random(2024);
        int rejected = 0;
        for (int i = 0; i < 1200; i++)
        {
            var bytes = FuzzMutator.Mutate(seeds[i % seeds.Length], random);
            using var stream = new MemoryStream(bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Npy.Read(stream, $"mutant {i}", stream.Length);
            }
            catch (InvalidDataException ex)
            {
                Assert.Contains($"mutant {i}", ex.Message);
                rejected++;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (1 << 20) + 16L * bytes.Length, $"mutant {i} allocated {allocated} bytes");
        }
        Assert.InRange(rejected, 300, 1200); // most mutations break something; some (a changed data byte) do not
    }
}

/// <summary>Deterministic byte-level mutations for parser fuzzing: flips, overwrites with boundary values, truncation, insertion, digit edits.</summary>
internal static class FuzzMutator
{
    public static byte[] Mutate(byte[] seed, Random random)
    {
        var bytes = new List<byte>(seed);
        int edits = 1 + random.Next(4);
        for (int e = 0; e < edits && bytes.Count > 0; e++)
        {
            int at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes[at] = random.Next(4) switch { 0 => 0x00, 1 => 0xFF, 2 => 0x7F, _ => 0x80 }; break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                case 4: bytes.InsertRange(at, Enumerable.Range(0, 1 + random.Next(8)).Select(_ => (byte)random.Next(256))); break;
                case 5: bytes[at] = (byte)"0123456789(),'-: "[random.Next(17)]; break;
                default: bytes.RemoveAt(at); break;
            }
        }
        return [.. bytes];
    }
}
