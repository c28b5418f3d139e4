// Malformed ONNX files get clear, documented errors: truncated protobuf, tensors whose data disagrees
// with their shape, huge claimed dimensions (refused before allocating), cyclic graphs, undefined
// values, unsupported operators (named with their node), and external data outside the model's
// folder. A fuzzer mutates real files 1,000 times each: every load ends in a model or in
// InvalidDataException / NotSupportedException, with no crash, hang or header-driven allocation.
using System.Diagnostics;
using Google.Protobuf;
using Striate.Onnx;
using Striate.Onnx.Proto;

namespace Striate.Tests.Onnx;

public sealed class OnnxMalformedTests
{
    private static ModelProto Model(params NodeProto[] nodes)
    {
        var graph = new GraphProto { Name = "g" };
        graph.Node.AddRange(nodes);
        graph.Input.Add(new ValueInfoProto { Name = "x" });
        graph.Output.Add(new ValueInfoProto { Name = nodes.Length == 0 ? "x" : nodes[^1].Output[0] });
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "test" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output)
    {
        var n = new NodeProto { OpType = op, Name = name };
        n.Input.AddRange(inputs);
        n.Output.Add(output);
        return n;
    }

    [Fact]
    public void Load_UnsupportedOperator_NamesNodeAndOperator()
    {
        var bytes = Model(Node("Relu", "first", ["x"], "a"), Node("NonMaxSuppression", "nms_7", ["a"], "b")).ToByteArray();
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(bytes));
        Assert.Contains("node 'nms_7' uses operator 'NonMaxSuppression'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OtherDomain_NamesNodeAndDomain()
    {
        var node = Node("Relu", "custom", ["x"], "a");
        node.Domain = "com.example";
        var e = Assert.Throws<NotSupportedException>(() => OnnxModel.Load(Model(node).ToByteArray()));
        Assert.Contains("'custom'", e.Message, StringComparison.Ordinal);
        Assert.Contains("com.example", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_CyclicGraph_ThrowsNamingTheNodes()
    {
        var model = Model(Node("Add", "a", ["x", "d"], "c"), Node("Relu", "b", ["c"], "d"));
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(model.ToByteArray()));
        Assert.Contains("cycle", e.Message, StringComparison.Ordinal);
        Assert.Contains("'a' (Add)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UndefinedValue_ThrowsNamingIt()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(Model(Node("Relu", "r", ["nowhere"], "y")).ToByteArray()));
        Assert.Contains("'nowhere'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ValueDefinedTwice_Throws()
    {
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(Model(Node("Relu", "r1", ["x"], "y"), Node("Relu", "r2", ["x"], "y")).ToByteArray()));
        Assert.Contains("'y'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NotProtobuf_ThrowsInvalidData()
    {
        // Text happens to parse as unknown protobuf fields: a model without a graph.
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load("this is not an onnx file at all"u8.ToArray()));
        Assert.Contains("has no graph", e.Message, StringComparison.Ordinal);
        // A field tag with wire type 7 does not exist: the protobuf parser refuses it.
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load([0x0F, 0x01, 0x02]));
        Assert.Contains("not a valid ONNX protobuf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Truncated_ThrowsInvalidData()
    {
        var bytes = File.ReadAllBytes(TorchOnnxFixtureTests.Case("inception").Path);
        foreach (int cut in new[] { 1, 7, bytes.Length / 3, bytes.Length / 2, bytes.Length - 1 })
            Assert.Throws<InvalidDataException>(() => OnnxModel.Load(bytes[..cut]));
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound() =>
        Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(Path.Combine(Path.GetTempPath(), "no-such-model.onnx")));

    private static ModelProto WithInitializer(TensorProto t)
    {
        var model = Model(Node("Add", "add", ["x", t.Name], "y"));
        model.Graph.Initializer.Add(t);
        return model;
    }

    [Fact]
    public void Load_HugeClaimedDimensions_RefusedBeforeAllocating()
    {
        var t = new TensorProto { Name = "w", DataType = 1, RawData = ByteString.CopyFrom(new byte[16]) };
        t.Dims.Add(1L << 40);
        var e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(t).ToByteArray()));
        Assert.Contains("'w'", e.Message, StringComparison.Ordinal);

        var big = new TensorProto { Name = "w", DataType = 1, RawData = ByteString.CopyFrom(new byte[16]) };
        big.Dims.AddRange([40_000, 40_000]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        e = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(big).ToByteArray()));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("needs 6400000000 bytes", e.Message, StringComparison.Ordinal);
        Assert.True(allocated < 1 << 20, $"refusing a 6.4 GB claim allocated {allocated} bytes");
    }

    [Fact]
    public void Load_WrongTensorSizes_Refused()
    {
        var raw = new TensorProto { Name = "w", DataType = 1, RawData = ByteString.CopyFrom(new byte[10]) };
        raw.Dims.AddRange([2, 2]);
        Assert.Contains("needs 16 bytes", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(raw).ToByteArray())).Message, StringComparison.Ordinal);

        var typed = new TensorProto { Name = "w", DataType = 1 };
        typed.Dims.AddRange([3]);
        typed.FloatData.AddRange([1f, 2f]);
        Assert.Contains("needs 3 elements", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(typed).ToByteArray())).Message, StringComparison.Ordinal);

        var negative = new TensorProto { Name = "w", DataType = 1 };
        negative.Dims.Add(-2);
        Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(negative).ToByteArray()));

        var strings = new TensorProto { Name = "w", DataType = 8 };
        strings.Dims.Add(1);
        Assert.Contains("STRING", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(strings).ToByteArray())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExternalData_ReadsInsideFolderAndRefusesEscapes()
    {
        string dir = Path.Combine(Path.GetTempPath(), "striate-onnx-ext-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var data = new byte[8 + 12];
            BitConverter.GetBytes(1.5f).CopyTo(data, 8);
            BitConverter.GetBytes(-2f).CopyTo(data, 12);
            BitConverter.GetBytes(4f).CopyTo(data, 16);
            File.WriteAllBytes(Path.Combine(dir, "weights.bin"), data);
            TensorProto External(string location, string length)
            {
                var t = new TensorProto { Name = "w", DataType = 1, DataLocation = TensorProto.Types.DataLocation.External };
                t.Dims.Add(3);
                t.ExternalData.Add(new StringStringEntryProto { Key = "location", Value = location });
                t.ExternalData.Add(new StringStringEntryProto { Key = "offset", Value = "8" });
                t.ExternalData.Add(new StringStringEntryProto { Key = "length", Value = length });
                return t;
            }
            string path = Path.Combine(dir, "model.onnx");
            File.WriteAllBytes(path, WithInitializer(External("weights.bin", "12")).ToByteArray());
            var model = OnnxModel.Load(path);
            Assert.Equal([1.5f, -2f, 4f], model.NamedParameters().Single().Value.ToArray());
            var y = model.Forward(Tensor.FromArray([1f, 1f, 1f], 3));
            Assert.Equal([2.5f, -1f, 5f], y.ToArray());

            File.WriteAllBytes(path, WithInitializer(External("../escape.bin", "12")).ToByteArray());
            Assert.Contains("inside the model's folder", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path)).Message, StringComparison.Ordinal);
            File.WriteAllBytes(path, WithInitializer(External("weights.bin", "400")).ToByteArray());
            Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path));
            File.WriteAllBytes(path, WithInitializer(External("missing.bin", "12")).ToByteArray());
            Assert.Contains("does not exist", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path)).Message, StringComparison.Ordinal);
            // From bytes there is no folder to read external data from.
            Assert.Throws<InvalidDataException>(() => OnnxModel.Load(WithInitializer(External("weights.bin", "12")).ToByteArray()));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    public static TheoryData<string> FuzzSeeds() => ["inception", "conv_variants", "resample", "activations"];

    [Theory]
    [MemberData(nameof(FuzzSeeds))]
    public void Fuzz_ThousandMutations_OnlyDocumentedErrors(string seedCase)
    {
        var original = File.ReadAllBytes(TorchOnnxFixtureTests.Case(seedCase).Path);
        var random = new Random(seedCase.Length * 7919 + 17);
        int loaded = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < 1000; i++)
        {
            var bytes = Mutate(original, random);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var step = Stopwatch.StartNew();
            try
            {
                OnnxModel.Load(bytes);
                loaded++;
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException)
            {
                refused++;
            }
            catch (Exception e)
            {
                throw new Xunit.Sdk.XunitException($"{seedCase} mutation {i}: undocumented {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
            }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64L * original.Length + (16 << 20), $"{seedCase} mutation {i} allocated {allocated} bytes for a {bytes.Length}-byte file");
            Assert.True(step.Elapsed < TimeSpan.FromSeconds(5), $"{seedCase} mutation {i} took {step.Elapsed}");
        }
        Assert.Equal(1000, loaded + refused);
        Assert.True(refused > 100, $"only {refused} of 1000 mutations were refused; the mutator is too gentle");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(120), $"1000 loads took {clock.Elapsed}");
    }

    /// <summary>One of: flipped bytes, a truncation, a huge varint (length or dimension) spliced in, a run of 0xFF, a duplicated slice.</summary>
    private static byte[] Mutate(byte[] source, Random random)
    {
        var b = (byte[])source.Clone();
        switch (random.Next(5))
        {
            case 0:
                for (int k = random.Next(1, 9); k > 0; k--) b[random.Next(b.Length)] ^= (byte)random.Next(1, 256);
                return b;
            case 1:
                return b[..random.Next(b.Length)];
            case 2:
            {
                // 0xFF 0xFF 0xFF 0xFF 0x0F: a varint of ~2³² that a length or dims field would claim.
                int at = random.Next(b.Length);
                byte[] varint = [0xFF, 0xFF, 0xFF, 0xFF, (byte)random.Next(1, 16)];
                return [.. b[..at], .. varint, .. b[at..]];
            }
            case 3:
            {
                int at = random.Next(b.Length);
                for (int k = at; k < Math.Min(b.Length, at + random.Next(1, 32)); k++) b[k] = 0xFF;
                return b;
            }
            default:
            {
                int from = random.Next(b.Length), length = random.Next(1, Math.Min(256, b.Length - from + 1));
                int at = random.Next(b.Length);
                return [.. b[..at], .. b.AsSpan(from, length), .. b[at..]];
            }
        }
    }
}
