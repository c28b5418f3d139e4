// TorchCheckpoint: files written by torch.save (Fixtures/generate_torch_checkpoints.py, torch 1.13):
// LeNet-5 weights reproduce PyTorch's logits, views and shared storages, every dtype, pickle
// protocols 2 and 4, training checkpoints, name maps and mismatch reports, malicious pickles that
// must be refused without running anything, legacy and corrupt files, and a thousand mutants.
using System.IO.Compression;
using System.Text.Json;
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class TorchCheckpointTests : IDisposable
{
    /// <summary>What the malicious fixtures would create if anything in them ran (see the generator).</summary>
    private const string MaliciousMarker = "/tmp/striate-pickle-was-executed.marker";

    private readonly string _dir = Directory.CreateTempSubdirectory("striate-torch-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "torch", name);

    /// <summary>name → (shape, float32 values) from a fixture's JSON companion.</summary>
    private static Dictionary<string, (int[] Shape, float[] Values)> Expected(string json)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(FixturePath(json)));
        return doc.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => (
            p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray(),
            p.Value.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()));
    }

    private static void AssertMatches(Dictionary<string, (int[] Shape, float[] Values)> expected, IReadOnlyDictionary<string, Tensor> actual, string file)
    {
        Assert.Equal(expected.Keys, actual.Keys); // saved order
        foreach (var (name, (shape, values)) in expected)
        {
            Assert.Equal(shape, actual[name].Shape);
            AssertTensor.BitIdentical(values, actual[name].AsSpan(), $"{file}:{name}");
        }
    }

    // ---- Real checkpoints ----

    [Fact]
    public void LoadStateDict_LeNet5_NamesAndShapesInSavedOrder()
    {
        var state = TorchCheckpoint.LoadStateDict(FixturePath("lenet5.pt"));

        Assert.Equal(["c1.weight", "c1.bias", "c2.weight", "c2.bias", "f1.weight", "f1.bias", "f2.weight", "f2.bias", "f3.weight", "f3.bias"], state.Keys);
        Assert.Equal([6, 1, 5, 5], state["c1.weight"].Shape);
        Assert.Equal([120, 400], state["f1.weight"].Shape);
        Assert.Equal([10], state["f3.bias"].Shape);
        Assert.Equal(61_706, state.Values.Sum(t => t.Length));
    }

    [Fact]
    public void LoadInto_LeNet5WithAnchorNameMap_ReproducesPyTorchLogits()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(FixturePath("lenet5_expected.json")));
        var input = doc.RootElement.GetProperty("input");
        var logits = doc.RootElement.GetProperty("logits");
        var x = Tensor.FromArray([.. input.GetProperty("values").EnumerateArray().Select(v => (float)v.GetDouble())],
            [.. input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())]);
        var model = LeNet5.Create(rng: new Rng(1));

        TorchCheckpoint.LoadInto(model, FixturePath("lenet5.pt"), TorchNameMaps.LeNet5);
        model.Eval();
        Tensor y;
        using (GradMode.NoGrad()) y = model.Forward(x);

        AssertTensor.Close(y, [.. logits.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())],
            [.. logits.GetProperty("values").EnumerateArray().Select(v => v.GetDouble())], Tolerances.Accumulation, "LeNet-5 logits vs PyTorch (float64)");
        Assert.Equal(TorchCheckpoint.LoadStateDict(FixturePath("lenet5.pt"))["f3.bias"].ToArray(), model.NamedParameters().Last().Value.ToArray());
    }

    [Fact]
    public void LoadStateDict_ViewsOfSharedStorage_CopiedWithOffsetsAndStrides()
    {
        // transposed (stride (1, 4)), slices at offsets 2 and 5 that overlap, stride 2, stride 0 (expanded).
        AssertMatches(Expected("views.json"), TorchCheckpoint.LoadStateDict(FixturePath("views.pt")), "views.pt");
    }

    [Theory]
    [InlineData("dtypes.pt")]
    [InlineData("dtypes_proto4.pt")]
    public void LoadStateDict_EveryDtype_ConvertedToFloat32(string file)
    {
        var state = TorchCheckpoint.LoadStateDict(FixturePath(file));

        AssertMatches(Expected("dtypes.json"), state, file);
        Assert.Equal([], state["num_batches_tracked"].Shape); // 0-d int64 → rank-0 float, as Striate's BatchNorm keeps it
        Assert.Equal(7f, state["num_batches_tracked"].Item());
        Assert.Equal((float)(1.0 / 3.0), state["f64"][0, 0]); // float64 rounds to nearest
        Assert.Equal(16777216f, state["i32"][2]); // 16777217 is not a float32: ties to even
    }

    [Fact]
    public void LoadStateDict_TrainingCheckpoint_NeedsTheEntryKey()
    {
        string path = FixturePath("training_checkpoint.pt");

        var ex = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path));
        var state = TorchCheckpoint.LoadStateDict(path, entry: "model");

        Assert.Contains("'model' (a dict of 2), 'epoch' (an integer), 'lr' (a float), 'milestones' (a list of 2), 'best' (None) are not tensors", ex.Message);
        Assert.Contains("pass the key of its state dict as 'entry'", ex.Message);
        AssertMatches(Expected("training_checkpoint.json"), state, "training_checkpoint.pt:model");
        Assert.Contains("has no entry 'state_dict' (entries: model, epoch, lr, milestones, best)",
            Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path, entry: "state_dict")).Message);
    }

    [Fact]
    public void LoadInto_TrainingCheckpointEntry_FillsLinear()
    {
        var linear = new Linear(3, 2, rng: new Rng(0));

        TorchCheckpoint.LoadInto(linear, FixturePath("training_checkpoint.pt"), entry: "model");

        var expected = Expected("training_checkpoint.json");
        Assert.Equal(expected["weight"].Values, linear.Weight.ToArray());
        Assert.Equal(expected["bias"].Values, linear.Bias!.ToArray());
    }

    // ---- Name maps and mismatch reports ----

    [Fact]
    public void LoadInto_WithoutNameMap_ListsEveryMissingAndUnexpectedName_ModelUntouched()
    {
        var model = LeNet5.Create(rng: new Rng(1));
        var before = model.Parameters().Select(p => p.ToArray()).ToList();

        var ex = Assert.Throws<CheckpointMismatchException>(() => TorchCheckpoint.LoadInto(model, FixturePath("lenet5.pt")));

        Assert.Equal(["0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias", "11.weight", "11.bias"], ex.Missing);
        Assert.Equal(["c1.weight", "c1.bias", "c2.weight", "c2.bias", "f1.weight", "f1.bias", "f2.weight", "f2.bias", "f3.weight", "f3.bias"], ex.Unexpected);
        Assert.Equal(before, model.Parameters().Select(p => p.ToArray()));
    }

    [Fact]
    public void LoadInto_ShapeMismatch_NamesBothNamesAndShapes_ModelUntouched()
    {
        var model = LeNet5.Create(classes: 5, rng: new Rng(1));
        var before = model.Parameters().Select(p => p.ToArray()).ToList();

        var ex = Assert.Throws<CheckpointMismatchException>(() => TorchCheckpoint.LoadInto(model, FixturePath("lenet5.pt"), TorchNameMaps.LeNet5));

        Assert.Equal(["11.weight: model (5, 84), file (10, 84) (PyTorch 'f3.weight')", "11.bias: model (5,), file (10,) (PyTorch 'f3.bias')"], ex.ShapeMismatches);
        Assert.Empty(ex.Missing);
        Assert.Empty(ex.Unexpected);
        Assert.Equal(before, model.Parameters().Select(p => p.ToArray()));
    }

    [Fact]
    public void LoadInto_FunctionMap_RenamesAndSkips()
    {
        var linear = new Linear(3, 1, bias: false, rng: new Rng(0));

        TorchCheckpoint.LoadInto(linear, FixturePath("dtypes.pt"), name => name == "param" ? "weight" : null);

        Assert.Equal([0.25f, -0.75f, 1f], linear.Weight.ToArray());
    }

    [Fact]
    public void LoadInto_MapSendsTwoNamesToOne_ThrowsNamingNameMap()
    {
        var ex = Assert.Throws<ArgumentException>(() => TorchCheckpoint.LoadInto(new Linear(3, 1, rng: new Rng(0)), FixturePath("dtypes.pt"), _ => "weight"));

        Assert.Equal("nameMap", ex.ParamName);
        Assert.Contains("both 'f64' and 'f16' to 'weight'", ex.Message);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var model = new Linear(1, 1, rng: new Rng(0));
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => TorchCheckpoint.LoadStateDict("")).ParamName);
        Assert.Equal("path", Assert.Throws<ArgumentException>(() => TorchCheckpoint.LoadInto(model, "")).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentNullException>(() => TorchCheckpoint.LoadInto(null!, FixturePath("dtypes.pt"))).ParamName);
        Assert.Equal("nameMap", Assert.Throws<ArgumentNullException>(() => TorchCheckpoint.LoadInto(model, FixturePath("dtypes.pt"), (IReadOnlyDictionary<string, string>)null!)).ParamName);
        Assert.Throws<FileNotFoundException>(() => TorchCheckpoint.LoadStateDict(PathOf("missing.pt")));
    }

    [Fact]
    public void LeNet5NameMap_CoversEveryParameterOfLeNet5()
    {
        var names = LeNet5.Create(rng: new Rng(0)).NamedParameters().Select(p => p.Key).Order(StringComparer.Ordinal);

        Assert.Equal(names, TorchNameMaps.LeNet5.Values.Order(StringComparer.Ordinal));
    }

    // ---- Refused content: nothing runs ----

    [Theory]
    [InlineData("malicious_os_system.pt", "os.system")]
    [InlineData("malicious_posix.pt", "posix.system")]
    [InlineData("malicious_eval.pt", "__builtin__.eval")]
    [InlineData("malicious_load_from_bytes.pt", "torch.storage._load_from_bytes")]
    [InlineData("whole_model.pt", "__main__.LeNet5")]
    public void LoadStateDict_PickleReferencingForbiddenGlobal_RefusedByNameWithoutExecuting(string file, string global)
    {
        File.Delete(MaliciousMarker);

        var ex = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(FixturePath(file)));

        Assert.Contains($"refusing to load: the pickle references {global}; only tensor data is allowed", ex.Message);
        Assert.Contains(file, ex.Message);
        Assert.False(File.Exists(MaliciousMarker), "the pickle's command ran");
    }

    [Fact]
    public void MaliciousFixture_ReallyContainsTheCommand()
    {
        // The refusal test proves something only if the file would have run a command under Python.
        var bytes = File.ReadAllBytes(FixturePath("malicious_os_system.pt"));

        Assert.True(bytes.AsSpan().IndexOf("cos\nsystem\n"u8) >= 0);
        Assert.True(bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes("touch " + MaliciousMarker)) >= 0);
    }

    [Fact]
    public void LoadStateDict_LegacyFormat_SaysHowToResave()
    {
        var ex = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(FixturePath("legacy.pt")));

        Assert.Contains("legacy (pre-1.6) non-zip format", ex.Message);
        Assert.Contains("torch.save(torch.load(path), path)", ex.Message);
    }

    // ---- Corrupt files ----

    private InvalidDataException LoadFails(byte[] bytes)
    {
        string path = PathOf("bad.pt");
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path));
        Assert.Contains(path, ex.Message);
        return ex;
    }

    [Fact]
    public void LoadStateDict_NotATorchFile_Throws()
    {
        Assert.Contains("the file is empty", LoadFails([]).Message);
        Assert.Contains("not a zip archive", LoadFails("hello world"u8.ToArray()).Message);
        Assert.Contains("no <archive>/data.pkl record", LoadFails(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", "npy", "stored.npz"))).Message);
    }

    [Fact]
    public void LoadStateDict_Truncated_Throws()
    {
        var bytes = File.ReadAllBytes(FixturePath("views.pt"));
        for (int length = 4; length < bytes.Length; length += 13)
            LoadFails(bytes[..length]);
        var big = File.ReadAllBytes(FixturePath("lenet5.pt"));
        foreach (int length in new[] { big.Length / 3, big.Length / 2, big.Length - 100 })
            LoadFails(big[..length]);
    }

    /// <summary>A copy of a fixture with one record replaced (or removed when <paramref name="data"/> is null).</summary>
    private static byte[] WithRecord(string fixture, string record, byte[]? data)
    {
        using var output = new MemoryStream();
        using (var source = ZipFile.OpenRead(FixturePath(fixture)))
        using (var zip = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var e in source.Entries)
            {
                byte[] bytes;
                using (var s = e.Open())
                using (var copy = new MemoryStream())
                {
                    s.CopyTo(copy);
                    bytes = copy.ToArray();
                }
                if (e.FullName == record)
                {
                    if (data is null) continue;
                    bytes = data;
                }
                using var target = zip.CreateEntry(e.FullName, CompressionLevel.NoCompression).Open();
                target.Write(bytes);
            }
        }
        return output.ToArray();
    }

    [Fact]
    public void LoadStateDict_MissingStorageRecord_NamesIt()
    {
        Assert.Contains("the storage record 'views/data/1' is missing", LoadFails(WithRecord("views.pt", "views/data/1", null)).Message);
    }

    [Fact]
    public void LoadStateDict_StorageOfWrongLength_Throws()
    {
        var ex = LoadFails(WithRecord("views.pt", "views/data/0", new byte[20]));

        Assert.Contains("'views/data/0' holds 20 bytes but the pickle describes 12 × FloatStorage = 48 bytes", ex.Message);
    }

    [Fact]
    public void LoadStateDict_FlippedBitInStorage_FailsCrcCheck()
    {
        // A stored (uncompressed) record: the flipped bit would otherwise load as a wrong weight.
        var bytes = File.ReadAllBytes(FixturePath("views.pt"));
        using (var zip = new ZipArchive(new MemoryStream(bytes)))
            Assert.Equal(zip.GetEntry("views/data/0")!.Length, zip.GetEntry("views/data/0")!.CompressedLength);
        int at = bytes.AsSpan().IndexOf("views/data/0"u8);
        int data = bytes.AsSpan(at).IndexOf(new byte[] { 0, 0, 0, 0xC0 }) + at; // -2.0f, the storage's first element
        bytes[data + 3] ^= 0x01;

        Assert.Contains("the entry 'views/data/0' is corrupt: its CRC-32 is", LoadFails(bytes).Message);
    }

    [Fact]
    public void LoadStateDict_BigEndianByteOrderRecord_IsHonoured()
    {
        // torch ≥ 2.1 writes <archive>/byteorder; a big-endian machine's file stores every element byte-reversed.
        using var source = ZipFile.OpenRead(FixturePath("views.pt"));
        byte[] Storage(string name)
        {
            using var s = source.GetEntry(name)!.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            var b = m.ToArray();
            for (int i = 0; i < b.Length; i += 4) Array.Reverse(b, i, 4);
            return b;
        }
        string path = PathOf("big.pt");
        File.WriteAllBytes(path, WithRecord("views.pt", "views/data/0", Storage("views/data/0")));
        var reversed = File.ReadAllBytes(path);
        File.WriteAllBytes(path, AddRecord(reversed, "views/byteorder", "big"u8.ToArray()));
        // data/1 ("own") was not reversed: only check the tensors of storage 0.
        var state = TorchCheckpoint.LoadStateDict(path);
        var expected = Expected("views.json");

        foreach (var name in new[] { "transposed", "slice_a", "slice_b", "every_other", "expanded" })
            Assert.Equal(expected[name].Values, state[name].ToArray());
        File.WriteAllBytes(path, AddRecord(reversed, "views/byteorder", "middle"u8.ToArray()));
        Assert.Contains("the byteorder record says 'middle'", Assert.Throws<InvalidDataException>(() => TorchCheckpoint.LoadStateDict(path)).Message);
    }

    private static byte[] AddRecord(byte[] archive, string name, byte[] data)
    {
        using var stream = new MemoryStream();
        stream.Write(archive);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        using (var e = zip.CreateEntry(name).Open())
            e.Write(data);
        return stream.ToArray();
    }

    [Fact]
    public void Fuzz_ThousandMutatedCheckpoints_LoadOrThrowInvalidDataWithoutGiantAllocation()
    {
        var seeds = new[] { "views.pt", "dtypes.pt", "dtypes_proto4.pt", "training_checkpoint.pt" }.Select(f => File.ReadAllBytes(FixturePath(f))).ToArray();
        var random = new Random(1234);
        int rejected = 0;
        for (int i = 0; i < 1000; i++)
        {
            var bytes = FuzzMutator.Mutate(seeds[i % seeds.Length], random);
            using var stream = new MemoryStream(bytes);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                TorchCheckpoint.LoadStateDict(stream, $"mutant {i}", entry: i % seeds.Length == 3 ? "model" : null);
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

    [Fact]
    public void Fuzz_ThousandMutatedPicklesInValidArchives_LoadOrThrowInvalidData()
    {
        // The archive-level fuzz mostly trips the CRC check; here each mutated data.pkl is repackaged
        // with a correct CRC, so the restricted unpickler itself sees the damage.
        var seeds = new[] { ("views.pt", "views/data.pkl"), ("dtypes_proto4.pt", "dtypes_proto4/data.pkl"), ("training_checkpoint.pt", "training_checkpoint/data.pkl") };
        var pickles = seeds.Select(s =>
        {
            using var zip = ZipFile.OpenRead(FixturePath(s.Item1));
            using var stream = zip.GetEntry(s.Item2)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }).ToArray();
        var random = new Random(99);
        int rejected = 0;
        for (int i = 0; i < 1000; i++)
        {
            var (file, record) = seeds[i % seeds.Length];
            var archive = WithRecord(file, record, FuzzMutator.Mutate(pickles[i % seeds.Length], random));
            using var stream = new MemoryStream(archive);
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                TorchCheckpoint.LoadStateDict(stream, $"mutant {i}", entry: file == "training_checkpoint.pt" ? "model" : null);
            }
            catch (InvalidDataException ex)
            {
                Assert.Contains($"mutant {i}", ex.Message);
                rejected++;
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < (4 << 20) + 64L * archive.Length, $"mutant {i} allocated {allocated} bytes");
        }
        Assert.InRange(rejected, 300, 1000);
    }
}
