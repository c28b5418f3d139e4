// Npz: archives written by numpy.savez / savez_compressed (zip64 records, stored and deflated),
// Striate's archives read back and by numpy, corrupt and lying archives, and a thousand mutants.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class NpzTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-npz-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Theory]
    [InlineData("stored.npz")]
    [InlineData("compressed.npz")]
    [InlineData("positional.npz")]
    public void Read_NumpyWrittenArchive_MatchesNumpysValuesInOrder(string file)
    {
        var expected = NpyFixture.All.Where(f => f.File == file).ToList();

        var arrays = Npz.Read(NpyFixture.PathOf(file));

        Assert.Equal(expected.Select(e => e.Key), arrays.Keys);
        foreach (var e in expected)
        {
            Assert.Equal(e.Shape, arrays[e.Key!].Shape);
            AssertTensor.BitIdentical(e.Values, arrays[e.Key!].AsSpan(), e.ToString());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WriteRead_RoundTripInOrder(bool compress)
    {
        var rng = new Rng(3);
        var arrays = new List<KeyValuePair<string, Tensor>>
        {
            new("conv.weight", Tensor.Normal(rng, 0, 1, 6, 1, 5, 5)),
            new("scalar", Tensor.Scalar(-2.5f)),
            new("empty", Tensor.Zeros(0, 3)),
            new("a", Tensor.Zeros(1000)), // compresses well
        };
        string path = PathOf("rt.npz");

        Npz.Write(path, arrays, compress);
        var back = Npz.Read(path);

        Assert.Equal(arrays.Select(a => a.Key), back.Keys);
        foreach (var (key, t) in arrays)
        {
            Assert.Equal(t.Shape, back[key].Shape);
            AssertTensor.BitIdentical(t.AsSpan(), back[key].AsSpan(), key);
        }
        using var zip = ZipFile.OpenRead(path);
        var zeros = zip.GetEntry("a.npy")!;
        if (compress) Assert.True(zeros.CompressedLength < zeros.Length / 10, "deflated");
        else Assert.Equal(zeros.Length, zeros.CompressedLength);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_EntriesAreNumpySaveBytes_AndNumpyLoadsTheArchive(bool compress)
    {
        var weight = NpyFixture.All.Single(f => f.File == "f4_c.npy");
        var arrays = new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray(weight.Values, weight.Shape),
            ["noise"] = Tensor.Normal(new Rng(9), 0, 1, 2, 3, 4),
        };
        string path = PathOf(compress ? "peer_c.npz" : "peer.npz");

        Npz.Write(path, arrays, compress);

        using (var zip = ZipFile.OpenRead(path))
        {
            Assert.Equal(["weight.npy", "noise.npy"], zip.Entries.Select(e => e.FullName));
            using var entry = zip.GetEntry("weight.npy")!.Open();
            using var copy = new MemoryStream();
            entry.CopyTo(copy);
            Assert.Equal(File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy")), copy.ToArray()); // numpy.save's bytes
        }
        if (!NumpyPeer.Available) return;

        var loaded = NumpyPeer.Load(path);

        Assert.Equal(["noise", "weight"], loaded.Keys.Order());
        foreach (var (key, t) in arrays)
        {
            Assert.Equal("<f4", loaded[key].Dtype);
            Assert.Equal(t.Shape, loaded[key].Shape);
            AssertTensor.BitIdentical(t.AsSpan(), loaded[key].Values.Select(v => (float)v).ToArray(), key);
        }
    }

    [Fact]
    public void Write_SameContentTwice_SameBytes()
    {
        var arrays = new Dictionary<string, Tensor> { ["x"] = Tensor.Ones(3, 2) };

        Npz.Write(PathOf("1.npz"), arrays, compress: true);
        Npz.Write(PathOf("2.npz"), arrays, compress: true);

        Assert.Equal(File.ReadAllBytes(PathOf("1.npz")), File.ReadAllBytes(PathOf("2.npz")));
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var one = Tensor.Ones(1);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Npz.Read("")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => Npz.Write("", [new("a", one)])).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentNullException>(() => Npz.Write(PathOf("a.npz"), null!)).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentException>(() => Npz.Write(PathOf("a.npz"), [new("a", one), new("a", one)])).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentException>(() => Npz.Write(PathOf("a.npz"), [new("", one)])).ParamName);
        Assert.Equal("arrays", Assert.Throws<ArgumentException>(() => Npz.Write(PathOf("a.npz"), [new("a", null!)])).ParamName);
        Assert.False(File.Exists(PathOf("a.npz")));
    }

    // ---- Malformed archives ----

    private InvalidDataException ReadFails(byte[] bytes)
    {
        string path = PathOf("bad.npz");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Npz.Read(path));
        Assert.Contains(path, ex.Message);
        return ex;
    }

    private static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                using var e = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                e.Write(data);
            }
        return stream.ToArray();
    }

    [Fact]
    public void Read_NotAZip_Throws()
    {
        Assert.Contains("not a readable zip archive", ReadFails(Encoding.ASCII.GetBytes("definitely not a zip archive at all")).Message);
        Assert.Contains("not a readable zip archive", ReadFails(File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"))).Message);
    }

    [Fact]
    public void Read_EveryTruncation_Throws()
    {
        foreach (var file in new[] { "stored.npz", "compressed.npz" })
        {
            var bytes = File.ReadAllBytes(NpyFixture.PathOf(file));
            for (int length = 0; length < bytes.Length; length += 7)
                ReadFails(bytes[..length]);
        }
    }

    [Fact]
    public void Read_EntryThatIsNotNpy_ThrowsNamingIt()
    {
        var ex = ReadFails(Zip(("a.npy", File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"))), ("readme.txt", "hi"u8.ToArray())));

        Assert.Contains("'readme.txt' is not a .npy array", ex.Message);
    }

    [Fact]
    public void Read_DuplicateKey_Throws()
    {
        var npy = File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"));

        Assert.Contains("the key 'a' appears twice", ReadFails(Zip(("a.npy", npy), ("a.npy", npy))).Message);
    }

    [Fact]
    public void Read_BadNpyEntry_NamesArchiveAndEntry()
    {
        var npy = File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"));
        npy[0] = 0;

        var ex = ReadFails(Zip(("weights.npy", npy)));

        Assert.Contains("bad.npz:weights.npy", ex.Message);
        Assert.Contains("bad magic", ex.Message);
    }

    [Fact]
    public void Read_CentralDirectoryClaimsHugeEntry_ThrowsBeforeAllocating()
    {
        // Patch the uncompressed size in the central directory (offset 24 of the "PK\1\2" record) of a
        // stored entry: 2 GB claimed from ~152 bytes, which not even deflate could produce.
        var bytes = Zip(("a.npy", File.ReadAllBytes(NpyFixture.PathOf("f4_c.npy"))));
        int central = IndexOf(bytes, [0x50, 0x4B, 0x01, 0x02]);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(central + 24), 2_000_000_000);
        string path = PathOf("lying.npz");
        File.WriteAllBytes(path, bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<InvalidDataException>(() => Npz.Read(path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Contains(path, ex.Message);
        Assert.True(allocated < 1 << 20, $"allocated {allocated} bytes for a lying archive");
    }

    [Fact]
    public void Read_CorruptDeflateData_Throws()
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("compressed.npz"));
        int local = IndexOf(bytes, [0x50, 0x4B, 0x03, 0x04]);
        int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(local + 26));
        int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(local + 28));
        int data = local + 30 + nameLength + extraLength;
        for (int i = 0; i < 16; i++) bytes[data + i] = 0xFF; // an invalid deflate block header

        ReadFails(bytes);
    }

    [Fact]
    public void Read_FlippedBitInStoredEntry_FailsCrcCheck()
    {
        var bytes = File.ReadAllBytes(NpyFixture.PathOf("stored.npz"));
        bytes[^200] ^= 0x10; // inside the last entry's data, before the central directory

        var ex = ReadFails(bytes);

        Assert.Contains("is corrupt: its CRC-32 is", ex.Message);
    }

    [Fact]
    public void Crc32_StandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, Npz.Crc32("123456789"u8)); // the CRC-32/ISO-HDLC check value
        Assert.Equal(0u, Npz.Crc32([]));
    }

    private static int IndexOf(byte[] bytes, byte[] pattern)
    {
        int at = bytes.AsSpan().IndexOf(pattern);
        Assert.True(at >= 0, "pattern not found");
        return at;
    }

    [Fact]
    public void Fuzz_ThousandMutatedArchives_ReadOrThrowInvalidDataWithoutGiantAllocation()
    {
        var seeds = new[] { "stored.npz", "compressed.npz", "positional.npz" }.Select(f => File.ReadAllBytes(NpyFixture.PathOf(f))).ToArray();
        var random = new Random(77);
        int rejected = 0;
        for (int i = 0; i < 1000; i++)
        {
            var bytes = FuzzMutator.Mutate(seeds[i % seeds.Length], random);
            using var stream = new MemoryStream(bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                Npz.Read(stream, $"mutant {i}");
            }
            catch (InvalidDataException ex)
            {
                Assert.Contains($"mutant {i}", ex.Message);
                rejected++;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (4 << 20) + 64L * bytes.Length, $"mutant {i} allocated {allocated} bytes");
        }
        Assert.InRange(rejected, 200, 1000);
    }
}
