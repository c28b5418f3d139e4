// Architecture entries for the layer types the model zoo adds: LeNet-5's connection-table
// convolution (its table stored as a K×C 0/1 matrix, row-major) and the auxiliary-classifier container
// of GoogLeNet (main path, taps, heads, loss weight). Everything else in the zoo is built from layers
// that already have entries (Sequential, Branches, Residual, Conv2d, BatchNorm2d, ...).
using Striate.Layers;
using Striate.Models;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddModelLayers(List<LayerEntry> table)
    {
        table.Add(Entry<ConnectionTableConv2d>("ConnectionTableConv2d",
            (m, _) => new()
            {
                ["inChannels"] = m.InChannels, ["outChannels"] = m.OutChannels, ["kernelSize"] = m.KernelSize,
                ["table"] = IntArray([.. m.Table.SelectMany(inputs => Enumerable.Range(0, m.InChannels).Select(c => inputs.Contains(c) ? 1 : 0))]),
                ["stride"] = m.Stride, ["padding"] = m.Padding, ["bias"] = m.Bias is not null,
            },
            s => new ConnectionTableConv2d(s.Int("inChannels"), s.Int("kernelSize"),
                ConnectionRows(s.Ints("table"), s.Int("outChannels"), s.Int("inChannels")),
                s.Int("stride"), s.Int("padding"), s.Bool("bias"), InitRng())));
        // "layers" holds the main path, then the heads (the children in registration order).
        table.Add(Entry<AuxiliaryClassifierNet>("AuxiliaryClassifierNet",
            (m, w) => new() { ["taps"] = IntArray([.. m.Taps]), ["auxiliaryLossWeight"] = m.AuxiliaryLossWeight, ["layers"] = w.Children(m) },
            s =>
            {
                int[] taps = s.Ints("taps");
                float weight = s.Float("auxiliaryLossWeight");
                var layers = s.Layers("layers").ToArray();
                if (layers.Length != taps.Length + 1 || layers[0] is not Sequential main)
                    throw new ArgumentException($"AuxiliaryClassifierNet layers must hold a Sequential main path and one head per tap ({taps.Length}), got {layers.Length} layers.", "layers");
                return new AuxiliaryClassifierNet(main, taps, layers[1..], weight);
            }));
    }

    /// <summary>A K×C 0/1 matrix (row-major) as the input maps of each of the K output maps.</summary>
    private static IReadOnlyList<IReadOnlyList<int>> ConnectionRows(int[] table, int outChannels, int inChannels)
    {
        if (outChannels < 1 || inChannels < 1 || table.Length != outChannels * inChannels || table.Any(v => v is not (0 or 1)))
            throw new ArgumentException($"The connection table must be a {outChannels}×{inChannels} matrix of 0 and 1, got {table.Length} values.", "table");
        return [.. Enumerable.Range(0, outChannels).Select(k => (IReadOnlyList<int>)[.. Enumerable.Range(0, inChannels).Where(c => table[k * inChannels + c] == 1)])];
    }
}
