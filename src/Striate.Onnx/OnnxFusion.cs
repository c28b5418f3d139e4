// Graph rewrites applied at load time. ONNX before opset 20 has no GELU operator, so PyTorch (and
// Striate's exporter) write exact GELU as ½x(1 + erf(x/√2)):
//   Div(x, √2) → Erf → Add(·, 1) → Mul(x, ·) → Mul(·, 0.5)
// Striate has no erf op of its own, so the chain is recognised and replaced by one Gelu node
// (y = x·Φ(x), the same function, differentiable through Functional.Gelu). The chain is fused only
// when its intermediate values feed nothing else and the constants are the expected scalars.
using Striate.Onnx.Proto;

namespace Striate.Onnx;

internal static class OnnxFusion
{
    public static List<OnnxNode> FuseGelu(List<OnnxNode> nodes, GraphProto graph)
    {
        if (!nodes.Any(n => n.OpType == "Erf")) return nodes;
        var scalars = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var t in graph.Initializer)
            if (Scalar(t) is float v && !string.IsNullOrEmpty(t.Name)) scalars[t.Name] = v;
        foreach (var n in nodes.Where(n => n.OpType == "Constant" && n.Outputs.Length == 1))
        {
            float? v = n.TensorAttribute("value") is { } t ? Scalar(t) : n.Has("value_float") ? n.Float("value_float", 0f) : null;
            if (v is float f) scalars[n.Outputs[0]] = f;
        }
        var producer = new Dictionary<string, OnnxNode>(StringComparer.Ordinal);
        var consumers = new Dictionary<string, List<OnnxNode>>(StringComparer.Ordinal);
        foreach (var n in nodes)
        {
            foreach (var o in n.Outputs) producer.TryAdd(o, n);
            foreach (var i in n.Inputs.Where(i => i.Length > 0)) (consumers.TryGetValue(i, out var l) ? l : consumers[i] = []).Add(n);
        }
        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        OnnxNode? OnlyConsumer(string value, string op) =>
            !outputs.Contains(value) && consumers.TryGetValue(value, out var l) && l.Count == 1 && l[0].OpType == op && l[0].Outputs.Length == 1 ? l[0] : null;
        bool IsScalar(string? value, float expected) => value is not null && scalars.TryGetValue(value, out float v) && MathF.Abs(v - expected) <= 1e-5f * MathF.Abs(expected);
        // The other operand of a two-input node whose one input is value (null when the node is malformed or uses value twice).
        static string? Other(OnnxNode node, string value) =>
            node.Inputs.Length == 2 && (node.Inputs[0] == value) != (node.Inputs[1] == value) ? (node.Inputs[0] == value ? node.Inputs[1] : node.Inputs[0]) : null;

        var removed = new HashSet<OnnxNode>();
        var added = new List<OnnxNode>();
        foreach (var erf in nodes.Where(n => n.OpType == "Erf" && n.Inputs.Length == 1 && n.Outputs.Length == 1))
        {
            if (!producer.TryGetValue(erf.Inputs[0], out var div) || div.OpType != "Div" || div.Inputs.Length != 2 || div.Outputs.Length != 1
                || div.Inputs[0] == div.Inputs[1] || !IsScalar(div.Inputs[1], MathF.Sqrt(2f))) continue;
            string x = div.Inputs[0];
            if (OnlyConsumer(div.Outputs[0], "Erf") != erf) continue;
            var add = OnlyConsumer(erf.Outputs[0], "Add");
            if (add is null || !IsScalar(Other(add, erf.Outputs[0]), 1f)) continue;
            var mul = OnlyConsumer(add.Outputs[0], "Mul");
            if (mul is null || Other(mul, add.Outputs[0]) != x) continue;
            var half = OnlyConsumer(mul.Outputs[0], "Mul");
            if (half is null || !IsScalar(Other(half, mul.Outputs[0]), 0.5f)) continue;
            removed.UnionWith([div, erf, add, mul, half]);
            added.Add(new OnnxNode("Gelu", erf.Name + " (fused GELU)", [x], [half.Outputs[0]], half.Index));
        }
        return removed.Count == 0 ? nodes : [.. nodes.Where(n => !removed.Contains(n)).Concat(added).OrderBy(n => n.Index)];
    }

    /// <summary>The value of a one-element FLOAT tensor, or null for anything else (never throws: the real decode reports errors).</summary>
    private static float? Scalar(TensorProto t)
    {
        if (t.DataType != (int)TensorProto.Types.DataType.Float || t.Dims.Any(d => d != 1)) return null;
        if (t.HasRawData && t.RawData.Length == 4) return BitConverter.ToSingle(t.RawData.Span);
        if (t.FloatData.Count == 1) return t.FloatData[0];
        return null;
    }
}
