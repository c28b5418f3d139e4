// Architecture entries of the normalization family (the table is described in Checkpoint.cs).
// Batch norm's running statistics and batch count are module buffers, saved with the weights; its
// "momentum" field is left out when it is null (the cumulative average), as JSON numbers cannot be null here.
// Dropout layers keep only p: a generator's state is not saved, so a rebuilt dropout layer draws its
// masks from a fresh random seed (pass a seeded Rng to Forward(input, rng) for reproducible resumed training).
using System.Text.Json.Nodes;
using Striate.Layers;

namespace Striate.Serialization;

public static partial class Checkpoint
{
    static partial void AddNormalizationLayers(List<LayerEntry> table)
    {
        table.Add(Entry<LocalResponseNorm>("LocalResponseNorm",
            (m, _) => new() { ["size"] = m.Size, ["alpha"] = m.Alpha, ["beta"] = m.Beta, ["k"] = m.K },
            s => new LocalResponseNorm(s.Int("size"), s.Float("alpha"), s.Float("beta"), s.Float("k"))));
        table.Add(Entry<BatchNorm1d>("BatchNorm1d", (m, _) => BatchNormFields(m),
            s => new BatchNorm1d(s.Int("numFeatures"), s.Float("eps"), Momentum(s), s.Bool("affine"), s.Bool("trackRunningStats"))));
        table.Add(Entry<BatchNorm2d>("BatchNorm2d", (m, _) => BatchNormFields(m),
            s => new BatchNorm2d(s.Int("numFeatures"), s.Float("eps"), Momentum(s), s.Bool("affine"), s.Bool("trackRunningStats"))));
        table.Add(Entry<BatchNorm3d>("BatchNorm3d", (m, _) => BatchNormFields(m),
            s => new BatchNorm3d(s.Int("numFeatures"), s.Float("eps"), Momentum(s), s.Bool("affine"), s.Bool("trackRunningStats"))));
        table.Add(Entry<Dropout>("Dropout", (m, _) => new() { ["p"] = m.P }, s => new Dropout(s.Float("p"))));
        table.Add(Entry<Dropout1d>("Dropout1d", (m, _) => new() { ["p"] = m.P }, s => new Dropout1d(s.Float("p"))));
        table.Add(Entry<Dropout2d>("Dropout2d", (m, _) => new() { ["p"] = m.P }, s => new Dropout2d(s.Float("p"))));
        table.Add(Entry<Dropout3d>("Dropout3d", (m, _) => new() { ["p"] = m.P }, s => new Dropout3d(s.Float("p"))));
    }

    private static JsonObject BatchNormFields(BatchNormLayer m)
    {
        var fields = new JsonObject { ["numFeatures"] = m.NumFeatures, ["eps"] = m.Eps };
        if (m.Momentum is float momentum) fields["momentum"] = momentum;
        fields["affine"] = m.Affine;
        fields["trackRunningStats"] = m.TrackRunningStats;
        return fields;
    }

    private static float? Momentum(LayerSpec s) => s.Has("momentum") ? s.Float("momentum") : null;
}
