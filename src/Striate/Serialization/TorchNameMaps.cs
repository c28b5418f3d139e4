// Name maps from PyTorch models' state-dict names to the names of the equivalent Striate models,
// for TorchCheckpoint.LoadInto. Striate's models are Sequentials, so their parameters are named by
// layer index ("0.weight"); PyTorch models name them by attribute ("c1.weight").
namespace Striate.Serialization;

/// <summary>PyTorch state-dict names → Striate parameter names, for <see cref="TorchCheckpoint.LoadInto(Layers.Module, string, IReadOnlyDictionary{string, string})"/>.</summary>
public static class TorchNameMaps
{
    /// <summary>
    /// The LeNet-5 of the PyTorch anchor (<c>anchors/torch_lenet_fmnist.py</c>: attributes <c>c1</c>,
    /// <c>c2</c> convolutions and <c>f1</c>, <c>f2</c>, <c>f3</c> linear layers) → <see cref="Models.LeNet5"/>
    /// (layers 0, 3, 7, 9, 11 of its Sequential). Both compute the same function, so with the same
    /// weights they give the same logits.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LeNet5 { get; } = Layers(("c1", 0), ("c2", 3), ("f1", 7), ("f2", 9), ("f3", 11));

    /// <summary>weight and bias of each named layer → the same of the Sequential layer at its index.</summary>
    private static Dictionary<string, string> Layers(params (string TorchName, int Index)[] layers)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (torchName, index) in layers)
            foreach (var p in new[] { "weight", "bias" })
                map[$"{torchName}.{p}"] = $"{index}.{p}";
        return map;
    }
}
