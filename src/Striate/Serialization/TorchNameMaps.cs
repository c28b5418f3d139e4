// Name maps from PyTorch models' state-dict names to the names of the equivalent Striate models,
// for TorchCheckpoint.LoadInto. Striate's models are Sequentials, so their parameters are named by
// layer index ("0.weight"); PyTorch models name them by attribute ("c1.weight").
//   torchvision ResNet:  conv1/bn1 → 0/1;  layer{s}.{b}.conv{i}/bn{i} → {3+s}.{b}.0.body.{3(i−1)}/{3(i−1)+1};
//                        layer{s}.{b}.downsample.{0,1} → {3+s}.{b}.0.shortcut.{0,1};  fc → {4+stages+2}
//   torchvision VGG:     features.{i} → 0.{i};  classifier.{i} → 3.{i}  (the same layer indices on both sides)
//   torchvision AlexNet: features.{i} → 0.{i};  classifier.{i} → 3.{i}
// The maps are computed from the architectures' layouts (no model is built), so they are cheap.
using System.Globalization;

namespace Striate.Serialization;

/// <summary>PyTorch state-dict names → Striate parameter names, for <see cref="TorchCheckpoint.LoadInto(Layers.Module, string, IReadOnlyDictionary{string, string})"/>.</summary>
public static class TorchNameMaps
{
    private static readonly string[] BatchNormState = ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"];

    private const int M = 0;

    // The torchvision/paper configurations (M = 2×2 max-pool), as Striate's Vgg builds them.
    private static readonly Dictionary<int, int[]> VggConfigurations = new()
    {
        [11] = [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
        [13] = [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
        [16] = [64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M],
        [19] = [64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M],
    };

    private static readonly Dictionary<int, (bool Bottleneck, int[] Blocks)> ResNetConfigurations = new()
    {
        [18] = (false, [2, 2, 2, 2]),
        [34] = (false, [3, 4, 6, 3]),
        [50] = (true, [3, 4, 6, 3]),
        [101] = (true, [3, 4, 23, 3]),
        [152] = (true, [3, 8, 36, 3]),
    };

    /// <summary>
    /// The LeNet-5 of the PyTorch anchor (<c>anchors/torch_lenet_fmnist.py</c>: attributes <c>c1</c>,
    /// <c>c2</c> convolutions and <c>f1</c>, <c>f2</c>, <c>f3</c> linear layers) → <see cref="Models.LeNet5"/>
    /// (layers 0, 3, 7, 9, 11 of its Sequential). Both compute the same function, so with the same
    /// weights they give the same logits.
    /// </summary>
    public static IReadOnlyDictionary<string, string> LeNet5 { get; } = Layers(("c1", 0), ("c2", 3), ("f1", 7), ("f2", 9), ("f3", 11));

    /// <summary>torchvision's <c>resnet18</c> state dict → <see cref="Models.ResNet.Create(int, int, int, Rng?)"/> with depth 18 (see <see cref="ResNet"/>).</summary>
    public static IReadOnlyDictionary<string, string> ResNet18 { get; } = ResNet(18);

    /// <summary>torchvision's <c>vgg16</c> state dict → <see cref="Models.Vgg.Create"/> with depth 16, no batch norm (see <see cref="Vgg"/>).</summary>
    public static IReadOnlyDictionary<string, string> Vgg16 { get; } = Vgg(16);

    /// <summary>
    /// torchvision's <c>alexnet</c> state dict → <see cref="Models.AlexNet.Create"/>: <c>features.{i}</c> → <c>0.{i}</c>
    /// (convolutions 0, 3, 6, 8, 10) and <c>classifier.{i}</c> → <c>3.{i}</c> (linear layers 1, 4, 6); the layer indices agree.
    /// </summary>
    public static IReadOnlyDictionary<string, string> AlexNet { get; } = Prefixed(
        [.. new[] { 0, 3, 6, 8, 10 }.Select(i => ("features", "0", i))], [.. new[] { 1, 4, 6 }.Select(i => ("classifier", "3", i))]);

    /// <summary>
    /// A torchvision ResNet state dict (<c>resnet18</c>, <c>resnet34</c>, <c>resnet50</c>, <c>resnet101</c>, <c>resnet152</c>) →
    /// <see cref="Models.ResNet.Create(int, int, int, Rng?)"/> of the same depth. torchvision's <c>conv1</c>, <c>bn1</c> are layers 0 and 1;
    /// stage s (<c>layer1</c>…<c>layer4</c>) is layer 3 + s, its block b a Sequential(Residual(body, shortcut), ReLU) whose
    /// body holds conv, BN, ReLU triples (<c>conv{i}</c> → <c>body.{3(i − 1)}</c>, <c>bn{i}</c> → <c>body.{3(i − 1) + 1}</c>) and whose
    /// <c>downsample.{0,1}</c> is <c>shortcut.{0,1}</c>; <c>fc</c> is the last layer (index 10). Batch-norm running statistics and
    /// <c>num_batches_tracked</c> are mapped too.
    /// </summary>
    /// <param name="depth">18, 34, 50, 101 or 152.</param>
    /// <returns>PyTorch name → Striate name for every tensor of the state dict.</returns>
    /// <exception cref="ArgumentException"><paramref name="depth"/> is not one of 18, 34, 50, 101, 152.</exception>
    public static IReadOnlyDictionary<string, string> ResNet(int depth)
    {
        if (!ResNetConfigurations.TryGetValue(depth, out var config))
            throw new ArgumentException($"ResNet depth must be one of 18, 34, 50, 101, 152, got {depth}.", nameof(depth));
        var map = new Dictionary<string, string>(StringComparer.Ordinal) { ["conv1.weight"] = "0.weight" };
        AddBatchNorm(map, "bn1", "1");
        int convs = config.Bottleneck ? 3 : 2;
        for (int s = 0; s < config.Blocks.Length; s++)
            for (int b = 0; b < config.Blocks[s]; b++)
            {
                string torch = Invariant($"layer{s + 1}.{b}"), striate = Invariant($"{4 + s}.{b}.0");
                for (int i = 1; i <= convs; i++)
                {
                    map[Invariant($"{torch}.conv{i}.weight")] = Invariant($"{striate}.body.{3 * (i - 1)}.weight");
                    AddBatchNorm(map, Invariant($"{torch}.bn{i}"), Invariant($"{striate}.body.{3 * (i - 1) + 1}"));
                }
                // The first block of every stage but a basic first stage projects its shortcut (stride or width change).
                if (b == 0 && (s > 0 || config.Bottleneck))
                {
                    map[$"{torch}.downsample.0.weight"] = $"{striate}.shortcut.0.weight";
                    AddBatchNorm(map, $"{torch}.downsample.1", $"{striate}.shortcut.1");
                }
            }
        string fc = (4 + config.Blocks.Length + 2).ToString(CultureInfo.InvariantCulture);
        map["fc.weight"] = fc + ".weight";
        map["fc.bias"] = fc + ".bias";
        return map;
    }

    /// <summary>
    /// A torchvision VGG state dict (<c>vgg11</c>…<c>vgg19</c>, or the <c>_bn</c> variants with <paramref name="batchNorm"/>) →
    /// <see cref="Models.Vgg.Create"/> of the same depth: <c>features.{i}</c> → <c>0.{i}</c> and <c>classifier.{i}</c> → <c>3.{i}</c>
    /// (linear layers 0, 3, 6); both sides number their layers the same way.
    /// </summary>
    /// <param name="depth">11, 13, 16 or 19.</param>
    /// <param name="batchNorm">Whether the model has batch norm after every convolution (torchvision's <c>vgg16_bn</c>).</param>
    /// <returns>PyTorch name → Striate name for every tensor of the state dict.</returns>
    /// <exception cref="ArgumentException"><paramref name="depth"/> is not one of 11, 13, 16, 19.</exception>
    public static IReadOnlyDictionary<string, string> Vgg(int depth, bool batchNorm = false)
    {
        if (!VggConfigurations.TryGetValue(depth, out var config))
            throw new ArgumentException($"VGG depth must be one of 11, 13, 16, 19, got {depth}.", nameof(depth));
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        int index = 0;
        foreach (int width in config)
        {
            if (width == M)
            {
                index++;
                continue;
            }
            foreach (var p in new[] { "weight", "bias" }) map[Invariant($"features.{index}.{p}")] = Invariant($"0.{index}.{p}");
            index++;
            if (batchNorm) AddBatchNorm(map, Invariant($"features.{index}"), Invariant($"0.{index++}"));
            index++; // ReLU
        }
        foreach (int i in new[] { 0, 3, 6 })
            foreach (var p in new[] { "weight", "bias" }) map[Invariant($"classifier.{i}.{p}")] = Invariant($"3.{i}.{p}");
        return map;
    }

    private static void AddBatchNorm(Dictionary<string, string> map, string torch, string striate)
    {
        foreach (var p in BatchNormState) map[$"{torch}.{p}"] = $"{striate}.{p}";
    }

    private static Dictionary<string, string> Prefixed(params (string Torch, string Striate, int Index)[][] groups)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in groups)
            foreach (var (torch, striate, index) in group)
                foreach (var p in new[] { "weight", "bias" })
                    map[Invariant($"{torch}.{index}.{p}")] = Invariant($"{striate}.{index}.{p}");
        return map;
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

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
