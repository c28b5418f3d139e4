// Hand-built ONNX graphs for the importer tests: a builder for one-input graphs with random float
// initializers, integer and float constants, and the attribute helpers (I, F, S, Is).
using Google.Protobuf;
using Striate.Onnx;
using Striate.Onnx.Proto;

namespace Striate.Tests.Onnx;

/// <summary>Builds a graph with one float input "x" and output "y" (an Identity of the chosen value).</summary>
internal sealed class GraphBuilder
{
    private readonly GraphProto _graph = new() { Name = "case" };
    private readonly Rng _rng = new(42);

    public GraphBuilder(params int[] inputShape)
    {
        var shape = new TensorShapeProto();
        foreach (int d in inputShape) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        _graph.Input.Add(new ValueInfoProto { Name = "x", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        InputShape = inputShape;
    }

    public int[] InputShape { get; }

    public string Weight(string name, params int[] dims)
    {
        var t = Tensor.Uniform(_rng, -1f, 1f, dims);
        _graph.Initializer.Add(OnnxTensorCodec.Encode(name, t.AsSpan(), dims));
        return name;
    }

    public string Ints(string name, params long[] values)
    {
        _graph.Initializer.Add(OnnxTensorCodec.EncodeInt64(name, values, [values.Length]));
        return name;
    }

    public string Ints2d(string name, int[] dims, params long[] values)
    {
        _graph.Initializer.Add(OnnxTensorCodec.EncodeInt64(name, values, dims));
        return name;
    }

    public string IntScalar(string name, long value)
    {
        _graph.Initializer.Add(OnnxTensorCodec.EncodeInt64(name, [value], []));
        return name;
    }

    public string Bool(string name, bool value)
    {
        _graph.Initializer.Add(new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Bool, RawData = ByteString.CopyFrom([(byte)(value ? 1 : 0)]) });
        return name;
    }

    public string FloatScalar(string name, float value)
    {
        _graph.Initializer.Add(OnnxTensorCodec.Encode(name, [value], []));
        return name;
    }

    public string Floats(string name, params float[] values)
    {
        _graph.Initializer.Add(OnnxTensorCodec.Encode(name, values, [values.Length]));
        return name;
    }

    public string Node(string op, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = op + "_" + _graph.Node.Count };
        node.Input.AddRange(inputs);
        string output = "v" + _graph.Node.Count;
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public byte[] Build(string output, int opset = 13)
    {
        _graph.Node.Add(new NodeProto { OpType = "Identity", Name = "out", Input = { output }, Output = { "y" } });
        _graph.Output.Add(new ValueInfoProto { Name = "y", Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1 } } });
        var model = new ModelProto { IrVersion = opset >= 19 ? 9 : 8, ProducerName = "test", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }
}

/// <summary>Attribute constructors: I(nt), F(loat), S(tring), Is (ints).</summary>
internal static class OnnxAttributes
{
    public static AttributeProto I(string name, long v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = v };

    public static AttributeProto F(string name, float v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = v };

    public static AttributeProto S(string name, string v) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(v) };

    public static AttributeProto Is(string name, params long[] v)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(v);
        return a;
    }
}

/// <summary>Helpers shared by the importer's case tables: one case from a builder, and the case names as theory data.</summary>
internal static class OnnxCases
{
    /// <summary>The model bytes of <paramref name="body"/> built on <paramref name="g"/>, with the input shape.</summary>
    public static (byte[], int[]) One(GraphBuilder g, Func<GraphBuilder, string> body, int opset = 13) => (g.Build(body(g), opset), g.InputShape);

    /// <summary>Runs the model on a uniform input of <paramref name="shape"/> in evaluation mode, in Striate and in ONNX Runtime, and compares.</summary>
    public static void AssertMatchesOnnxRuntime(byte[] bytes, int[] shape, string name)
    {
        var x = Tensor.Uniform(new Rng(7), -1f, 1f, shape);
        var model = OnnxModel.Load(bytes);
        model.Eval();
        Tensor y;
        using (Striate.Autograd.GradMode.NoGrad()) y = model.Forward(x);
        var ort = OnnxRuntimePeer.RunBytes(bytes, name, x)["y"];
        Assert.Equal(ort.Shape, y.Shape);
        TestSupport.AssertTensor.Close(y.AsSpan(), [.. ort.Values.Select(v => (double)v)], ort.Shape, TestSupport.Tolerances.OnnxModel,
            $"{name}: Striate vs ONNX Runtime");
    }

    /// <summary>The names of a case table, for MemberData.</summary>
    public static TheoryData<string> Names<TCase>(IReadOnlyDictionary<string, TCase> cases)
    {
        var data = new TheoryData<string>();
        foreach (var name in cases.Keys) data.Add(name);
        return data;
    }
}
