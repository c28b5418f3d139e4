// The models the CLI can name ("striate train --model resnet20", "striate summary --model vgg16
// --input 3,224,224 --classes 1000"). One entry per model: adding a model is one line in the table
// below. Each builder receives the class count and the input shape (C, H, W): the channel count
// sets the first layer; the spatial size matters only to models that need it (the classic LeNet-5
// pads 28×28 inputs to 32×32); the others accept any size their layers can reduce, and a size they
// cannot take is reported by Summarize or Forward naming the layer.
//
//   name               model                                         default input   parameters (default classes)
//   lenet5             LeNet-5 modern (ReLU, max-pool)              1×28×28         61,706 (10)
//   lenet5-classic     LeNet-5 of the paper (tanh, C3 table)        1×32×32         60,850 (10)
//   alexnet            AlexNet, torchvision single tower            3×224×224       61,100,840 (1000)
//   alexnet-two-tower  AlexNet of the paper (groups 2, LRN)         3×224×224       60,965,224 (1000)
//   zfnet              ZFNet, 512/1024/512 (chapter's table)        3×224×224       107,627,624 (1000)
//   zfnet-384          ZFNet, 384/384/256 (paper Fig. 3)            3×224×224       62,357,608 (1000)
//   vgg11 … vgg19-bn   VGG, torchvision layout                      3×224×224       132.9 M – 143.7 M (1000)
//   nin                Network in Network, ImageNet                  3×224×224       7,595,176 (1000)
//   nin-cifar          Network in Network, CIFAR (32×32 colour)      3×32×32         966,986 (10)
//   googlenet          GoogLeNet with auxiliary classifiers          3×224×224       13,004,888 (1000; 6,624,904 without)
//   resnet18 … 152     ResNet, torchvision layout                    3×224×224       11,689,512 … 60,192,808 (1000)
//   resnet20, 56       CIFAR ResNet (32×32 colour, option A)         3×32×32         269,722 / 853,018 (10)
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builds the library's models by their command-line names.</summary>
public static class ModelZoo
{
    private sealed record ZooEntry(string Name, string Description, int[] InputShape, int DefaultClasses, Func<int, int[], Rng, Module> Create);

    private static readonly int[] ImageNet = [3, 224, 224];
    private static readonly int[] Cifar = [3, 32, 32];

    private static readonly ZooEntry[] Entries =
    [
        new("lenet5", "LeNet-5 (modern: ReLU, max-pooling) for 1×28×28 images", [1, 28, 28], 10, (k, _, rng) => LeNet5.Create(k, rng)),
        new("lenet5-classic", "LeNet-5 as in the paper (tanh, trainable sub-sampling, C3 connection table), 1×32×32 (28×28 padded)", [1, 32, 32], 10,
            (k, s, rng) => LeNet5.Classic(k, padding: Math.Max(0, (32 - s[1]) / 2), rng)),
        new("alexnet", "AlexNet, torchvision's single tower", ImageNet, 1000, (k, s, rng) => AlexNet.Create(k, s[0], rng)),
        new("alexnet-two-tower", "AlexNet as in the paper: two towers as grouped convolutions, LRN", ImageNet, 1000, (k, s, rng) => AlexNet.CreateTwoTower(k, s[0], rng)),
        new("zfnet", "ZFNet, conv3-5 widths 512/1024/512 (the chapter's table)", ImageNet, 1000, (k, s, rng) => ZfNet.Create(k, wide: true, s[0], rng)),
        new("zfnet-384", "ZFNet, conv3-5 widths 384/384/256 (the paper's Figure 3)", ImageNet, 1000, (k, s, rng) => ZfNet.Create(k, wide: false, s[0], rng)),
        Vgg(11, false), Vgg(11, true), Vgg(13, false), Vgg(13, true), Vgg(16, false), Vgg(16, true), Vgg(19, false), Vgg(19, true),
        new("nin", "Network in Network, ImageNet model (mlpconv blocks, global average pooling)", ImageNet, 1000, (k, s, rng) => NetworkInNetwork.Create(k, s[0], rng)),
        new("nin-cifar", "Network in Network, CIFAR model for small images (32×32 colour, 28×28 grey)", Cifar, 10, (k, s, rng) => NetworkInNetwork.Cifar(k, s[0], rng)),
        new("googlenet", "GoogLeNet / Inception v1, torchvision layout, auxiliary classifiers in training", ImageNet, 1000,
            (k, s, rng) => GoogLeNet.Create(k, auxiliaryClassifiers: true, s[0], rng: rng)),
        ResNet(18), ResNet(34), ResNet(50), ResNet(101), ResNet(152),
        CifarResNet(20), CifarResNet(56),
    ];

    private static ZooEntry Vgg(int depth, bool batchNorm) =>
        new($"vgg{depth}{(batchNorm ? "-bn" : "")}", $"VGG-{depth}{(batchNorm ? " with batch norm" : "")}, torchvision layout", ImageNet, 1000,
            (k, s, rng) => Models.Vgg.Create(depth, batchNorm, k, s[0], rng));

    private static ZooEntry ResNet(int depth) =>
        new($"resnet{depth}", $"ResNet-{depth}, torchvision layout", ImageNet, 1000, (k, s, rng) => Models.ResNet.Create(depth, k, s[0], rng));

    private static ZooEntry CifarResNet(int depth) =>
        new($"resnet{depth}", $"ResNet-{depth}, CIFAR-style for small images (32×32 colour, 28×28 grey; zero-padding shortcuts)", Cifar, 10,
            (k, s, rng) => Models.ResNet.Cifar(depth, k, s[0], CifarShortcut.ZeroPadding, rng));

    /// <summary>The known model names, in table order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(e => e.Name)];

    /// <summary>Builds the model called <paramref name="name"/> (case-insensitive) for its default input shape (see <see cref="InputShape"/>).</summary>
    /// <param name="name">A name from <see cref="Names"/>, e.g. <c>lenet5</c>.</param>
    /// <param name="rng">Initialisation randomness.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Module Create(string name, Rng rng, int classes = 10) => Create(name, rng, classes, null);

    /// <summary>
    /// Builds the model called <paramref name="name"/> (case-insensitive) for inputs of shape <paramref name="inputShape"/>
    /// (C, H, W): C sets the first layer's channels (except LeNet-5 modern, built for 1×28×28), H sets the classic LeNet-5's padding.
    /// </summary>
    /// <param name="name">A name from <see cref="Names"/>, e.g. <c>resnet20</c>.</param>
    /// <param name="rng">Initialisation randomness.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inputShape">(C, H, W) of one example; the model's default (<see cref="InputShape"/>) when null.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model (the message lists the known names), or <paramref name="inputShape"/> is not three positive sizes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Module Create(string name, Rng rng, int classes, IReadOnlyList<int>? inputShape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var entry = Find(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        int[] shape = inputShape is null ? entry.InputShape : [.. inputShape];
        if (shape.Length != 3 || shape.Any(d => d <= 0))
            throw new ArgumentException($"The input shape must be three positive sizes C, H, W, got {Tensor.ShapeText(shape)}.", nameof(inputShape));
        return entry.Create(classes, shape, rng);
    }

    /// <summary>The default input shape (batch excluded) of the model called <paramref name="name"/>, e.g. (1, 28, 28) or (3, 224, 224).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    public static IReadOnlyList<int> InputShape(string name) => [.. Find(name).InputShape];

    /// <summary>The class count of the model's reference configuration (1000 for the ImageNet models, 10 for the small ones).</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    public static int DefaultClasses(string name) => Find(name).DefaultClasses;

    /// <summary>A one-line description of the model called <paramref name="name"/>, for help texts.</summary>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a known model; the message lists the known names.</exception>
    public static string Describe(string name) => Find(name).Description;

    private static ZooEntry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Array.Find(Entries, e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.", nameof(name));
    }
}
