// Architecture entries for the unshared convolutions (LocallyConnected1d/2d, TiledConv1d/2d) and
// the structural layers (Branches, Residual, Reshape, Upsample). Field names are the constructors'
// parameter names; containers describe their children through ArchitectureWriter.Children, like Sequential.
using System.Globalization;
using System.Text.Json.Nodes;
using Striate.Layers;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddStructureLayers(List<LayerEntry> table)
    {
        table.Add(Entry<LocallyConnected2d>("LocallyConnected2d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["inputSize"] = IntArray(m.InputSize.Height, m.InputSize.Width),
                ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride, ["padding"] = m.Padding, ["bias"] = m.Bias is not null,
            },
            s => new LocallyConnected2d(s.Int("inChannels"), s.Int("outChannels"), Pair(s.Ints("inputSize"), "inputSize"),
                s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("bias"), InitRng())));
        table.Add(Entry<LocallyConnected1d>("LocallyConnected1d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["inputLength"] = m.InputLength,
                ["kernelSize"] = m.KernelSize, ["stride"] = m.Stride, ["padding"] = m.Padding, ["bias"] = m.Bias is not null,
            },
            s => new LocallyConnected1d(s.Int("inChannels"), s.Int("outChannels"), s.Int("inputLength"),
                s.Int("kernelSize"), s.Int("stride"), s.Int("padding"), s.Bool("bias"), InitRng())));
        table.Add(Entry<TiledConv2d>("TiledConv2d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["kernelSize"] = m.KernelSize, ["tileSize"] = m.TileSize,
                ["stride"] = m.Stride, ["padding"] = m.Padding, ["bias"] = m.Bias is not null,
            },
            s => new TiledConv2d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("tileSize"),
                s.Int("stride"), s.Int("padding"), s.Bool("bias"), InitRng())));
        table.Add(Entry<TiledConv1d>("TiledConv1d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["kernelSize"] = m.KernelSize, ["tileSize"] = m.TileSize,
                ["stride"] = m.Stride, ["padding"] = m.Padding, ["bias"] = m.Bias is not null,
            },
            s => new TiledConv1d(s.Int("inChannels"), s.Int("outChannels"), s.Int("kernelSize"), s.Int("tileSize"),
                s.Int("stride"), s.Int("padding"), s.Bool("bias"), InitRng())));
        AddContainerLayers(table);
    }

    private static void AddContainerLayers(List<LayerEntry> table)
    {
        table.Add(Entry<Branches>("Branches",
            (m, w) => new() { ["dim"] = m.Dim, ["branches"] = w.Children(m) },
            s => new Branches(s.Int("dim"), [.. s.Layers("branches")])));
        // "layers" holds the body, then the shortcut when there is one (the children in registration order).
        table.Add(Entry<Residual>("Residual",
            (m, w) => new() { ["layers"] = w.Children(m) },
            s => s.Layers("layers").ToArray() switch
            {
                [var body] => new Residual(body),
                [var body, var shortcut] => new Residual(body, shortcut),
                var other => throw new ArgumentException($"Residual layers must hold the body and optionally a shortcut, got {other.Length} layers.", "layers"),
            }));
        table.Add(Entry<Reshape>("Reshape",
            (m, _) => new() { ["shape"] = IntArray([.. m.TargetShape]) },
            s => new Reshape(s.Ints("shape"))));
        // Scale factors are doubles that PyTorch uses as given (they set the sampling positions), and LayerSpec
        // reads numbers only as float32 or int; so they travel as a string of round-trip ("R") doubles, "1.5,2".
        table.Add(Entry<Upsample>("Upsample",
            (m, _) =>
            {
                var o = new JsonObject();
                if (m.Size is not null) o["size"] = IntArray([.. m.Size]);
                else o["scaleFactor"] = string.Join(",", m.ScaleFactor!.Select(f => f.ToString("R", CultureInfo.InvariantCulture)));
                o["mode"] = m.Mode.ToString();
                o["alignCorners"] = m.AlignCorners;
                return o;
            },
            s => new Upsample(
                s.Has("size") ? s.Ints("size") : null,
                s.Has("scaleFactor") ? ParseScaleFactors(s.String("scaleFactor")) : null,
                Enum.TryParse<UpsampleMode>(s.String("mode"), ignoreCase: false, out var mode) && Enum.IsDefined(mode)
                    ? mode : throw new ArgumentException($"Upsample mode must be one of {string.Join(", ", Enum.GetNames<UpsampleMode>())}.", "mode"),
                s.Bool("alignCorners"))));
    }

    private static double[] ParseScaleFactors(string text) =>
        [.. text.Split(',').Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double f)
            ? f : throw new ArgumentException($"Upsample scaleFactor \"{text}\" must be comma-separated numbers.", "scaleFactor"))];

    private static JsonArray IntArray(params int[] values)
    {
        var array = new JsonArray();
        foreach (int v in values) array.Add(v);
        return array;
    }

    /// <summary>A two-element array as (height, width); the ArgumentException becomes the loader's InvalidDataException.</summary>
    private static (int Height, int Width) Pair(int[] values, string name) =>
        values.Length == 2 ? (values[0], values[1]) : throw new ArgumentException($"{name} must hold 2 integers, got {values.Length}.", name);
}
