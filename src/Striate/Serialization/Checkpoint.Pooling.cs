// Architecture entries of the pooling family (the table is described in Checkpoint.cs).
// MaxPool2d writes dilation and ceilMode only when they differ from their defaults, so networks
// without them (LeNet-5, every checkpoint written before they existed) keep their exact JSON, and
// an older Striate reading a file that uses them fails on the unknown field instead of silently
// building a different network.
using System.Text.Json.Nodes;
using Striate.Layers;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddPoolingLayers(List<LayerEntry> table)
    {
        table.Add(Entry<MaxPool1d>("MaxPool1d", (m, _) => MaxPoolFields(m, always: true),
            s => new MaxPool1d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Int("dilation"), s.Bool("ceilMode"))));
        table.Add(Entry<MaxPool2d>("MaxPool2d", (m, _) => MaxPoolFields(m, always: false),
            s => new MaxPool2d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"),
                s.Has("dilation") ? s.Int("dilation") : 1, s.Has("ceilMode") && s.Bool("ceilMode"))));
        table.Add(Entry<MaxPool3d>("MaxPool3d", (m, _) => MaxPoolFields(m, always: true),
            s => new MaxPool3d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Int("dilation"), s.Bool("ceilMode"))));
        table.Add(Entry<AvgPool1d>("AvgPool1d", (m, _) => AvgPoolFields(m), s => new AvgPool1d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("ceilMode"), s.Bool("countIncludePad"), DivisorOverride(s))));
        table.Add(Entry<AvgPool2d>("AvgPool2d", (m, _) => AvgPoolFields(m), s => new AvgPool2d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("ceilMode"), s.Bool("countIncludePad"), DivisorOverride(s))));
        table.Add(Entry<AvgPool3d>("AvgPool3d", (m, _) => AvgPoolFields(m), s => new AvgPool3d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("ceilMode"), s.Bool("countIncludePad"), DivisorOverride(s))));
        table.Add(Entry<SumPool1d>("SumPool1d", (m, _) => PoolFields(m), s => new SumPool1d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("ceilMode"))));
        table.Add(Entry<SumPool2d>("SumPool2d", (m, _) => PoolFields(m), s => new SumPool2d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("ceilMode"))));
        table.Add(Entry<SumPool3d>("SumPool3d", (m, _) => PoolFields(m), s => new SumPool3d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("ceilMode"))));
        table.Add(Entry<LpPool1d>("LpPool1d", (m, _) => LpPoolFields(m), s => new LpPool1d(s.Float("normType"), s.Int("kernelSize"), s.Int("stride"), s.Bool("ceilMode"))));
        table.Add(Entry<LpPool2d>("LpPool2d", (m, _) => LpPoolFields(m), s => new LpPool2d(s.Float("normType"), s.Int("kernelSize"), s.Int("stride"), s.Bool("ceilMode"))));
        table.Add(Entry<LpPool3d>("LpPool3d", (m, _) => LpPoolFields(m), s => new LpPool3d(s.Float("normType"), s.Int("kernelSize"), s.Int("stride"), s.Bool("ceilMode"))));
        table.Add(Entry<AdaptiveAvgPool1d>("AdaptiveAvgPool1d", (m, _) => new() { ["outputSize"] = m.OutputSize }, s => new AdaptiveAvgPool1d(s.Int("outputSize"))));
        table.Add(Entry<AdaptiveAvgPool2d>("AdaptiveAvgPool2d", (m, _) => new() { ["outputSize"] = m.OutputSize }, s => new AdaptiveAvgPool2d(s.Int("outputSize"))));
        table.Add(Entry<AdaptiveAvgPool3d>("AdaptiveAvgPool3d", (m, _) => new() { ["outputSize"] = m.OutputSize }, s => new AdaptiveAvgPool3d(s.Int("outputSize"))));
        table.Add(Entry<AdaptiveMaxPool1d>("AdaptiveMaxPool1d", (m, _) => new() { ["outputSize"] = m.OutputSize }, s => new AdaptiveMaxPool1d(s.Int("outputSize"))));
        table.Add(Entry<AdaptiveMaxPool2d>("AdaptiveMaxPool2d", (m, _) => new() { ["outputSize"] = m.OutputSize }, s => new AdaptiveMaxPool2d(s.Int("outputSize"))));
        table.Add(Entry<AdaptiveMaxPool3d>("AdaptiveMaxPool3d", (m, _) => new() { ["outputSize"] = m.OutputSize }, s => new AdaptiveMaxPool3d(s.Int("outputSize"))));
        table.Add(Entry<GlobalAvgPool>("GlobalAvgPool", (_, _) => [], _ => new GlobalAvgPool()));
        table.Add(Entry<GlobalMaxPool>("GlobalMaxPool", (_, _) => [], _ => new GlobalMaxPool()));
        table.Add(Entry<MaxUnpool1d>("MaxUnpool1d", (m, _) => UnpoolFields(m), s => new MaxUnpool1d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"))));
        table.Add(Entry<MaxUnpool2d>("MaxUnpool2d", (m, _) => UnpoolFields(m), s => new MaxUnpool2d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"))));
        table.Add(Entry<MaxUnpool3d>("MaxUnpool3d", (m, _) => UnpoolFields(m), s => new MaxUnpool3d(s.Int("kernelSize"), s.Int("stride"), s.Int("padding"))));
        table.Add(Entry<Maxout>("Maxout", (m, _) => new() { ["poolSize"] = m.PoolSize }, s => new Maxout(s.Int("poolSize"))));
    }

    private static JsonObject UnpoolFields(MaxUnpoolLayer m) =>
        new() { ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride, ["padding"] = m.Padding };

    private static JsonObject LpPoolFields(LpPoolLayer m) =>
        new() { ["normType"] = m.NormType, ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride, ["ceilMode"] = m.CeilMode };

    private static JsonObject PoolFields(PoolLayer m) =>
        new() { ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride, ["padding"] = m.Padding, ["ceilMode"] = m.CeilMode };

    // divisorOverride is written only when set: JSON null would need a nullable reader.
    private static JsonObject AvgPoolFields(AvgPoolLayer m)
    {
        var fields = PoolFields(m);
        fields["countIncludePad"] = m.CountIncludePad;
        if (m.DivisorOverride is int d) fields["divisorOverride"] = d;
        return fields;
    }

    private static int? DivisorOverride(LayerSpec s) => s.Has("divisorOverride") ? s.Int("divisorOverride") : null;

    private static JsonObject MaxPoolFields(MaxPoolLayer m, bool always)
    {
        var fields = new JsonObject { ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride, ["padding"] = m.Padding };
        if (always || m.Dilation != 1) fields["dilation"] = m.Dilation;
        if (always || m.CeilMode) fields["ceilMode"] = m.CeilMode;
        return fields;
    }
}
