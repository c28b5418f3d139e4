// AlexNet (Krizhevsky, Sutskever, Hinton, "ImageNet Classification with Deep Convolutional Neural
// Networks", NIPS 2012): ReLU, local response normalisation, overlapping 3×3 stride-2 max-pooling
// and dropout in the two 4096-unit layers.
//
//   layer   original (two towers, §3.5)                    torchvision (one tower)
//   conv1   96 @ 11×11 /4 pad 2 → ReLU → LRN → pool 3/2      64 @ 11×11 /4 pad 2 → ReLU → pool 3/2      55² → 27²
//   conv2   256 @ 5×5 pad 2, 2 groups → ReLU → LRN → pool    192 @ 5×5 pad 2 → ReLU → pool              27² → 13²
//   conv3   384 @ 3×3 pad 1 (reads both towers) → ReLU       384 @ 3×3 pad 1 → ReLU                     13²
//   conv4   384 @ 3×3 pad 1, 2 groups → ReLU                 256 @ 3×3 pad 1 → ReLU                     13²
//   conv5   256 @ 3×3 pad 1, 2 groups → ReLU → pool 3/2      256 @ 3×3 pad 1 → ReLU → pool 3/2          13² → 6²
//           adaptive average pool to 6×6 (both; the identity at 224×224, it lets smaller inputs through)
//   fc6     dropout → 9216→4096 → ReLU                       dropout → 9216→4096 → ReLU
//   fc7     dropout → 4096→4096 → ReLU                       dropout → 4096→4096 → ReLU
//   fc8     4096→classes                                     4096→classes
//
//   parameters (1000 classes): two towers 60,965,224; torchvision 61,100,840 (0.71 G MACs at 224×224)
//
// The towers are modelled as grouped convolutions (groups 2: each half of the filters reads only its
// own half of the input maps), which is exactly what splitting the network across two GPUs did.
// LRN uses the paper's constants k = 2, n = 5, α = 10⁻⁴, β = 0.75 in the paper's form
// b = a / (k + α Σ a²)^β; PyTorch's LocalResponseNorm divides α by n, so it is given α·n = 5·10⁻⁴.
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builders for AlexNet (Krizhevsky et al. 2012).</summary>
public static class AlexNet
{
    /// <summary>
    /// Builds torchvision's single-tower AlexNet: (N, <paramref name="inChannels"/>, H, W) → (N, <paramref name="classes"/>) logits;
    /// 224×224 is the reference size, any H, W ≥ 63 works (an adaptive average pool feeds the classifier 6×6 maps).
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Create(int classes = 1000, int inChannels = 3, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        var features = new Sequential(
            new Conv2d(inChannels, 64, 11, stride: 4, padding: 2, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2),
            new Conv2d(64, 192, 5, padding: 2, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2),
            new Conv2d(192, 384, 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(384, 256, 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(256, 256, 3, padding: 1, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2));
        return new Sequential(features, new AdaptiveAvgPool2d(6), new Flatten(), Classifier(256 * 6 * 6, classes, rng));
    }

    /// <summary>
    /// Builds the original two-tower AlexNet of the paper, the towers as 2-group convolutions, with LRN after the
    /// first two convolutions: (N, <paramref name="inChannels"/>, H, W) → (N, <paramref name="classes"/>) logits. 224×224 is the
    /// paper's size; the adaptive average pool before the classifier (the identity there, as in torchvision) lets any H, W ≥ 63 through.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential CreateTwoTower(int classes = 1000, int inChannels = 3, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        var features = new Sequential(
            new Conv2d(inChannels, 96, 11, stride: 4, padding: 2, rng: rng), new ReLU(), Lrn(), new MaxPool2d(3, stride: 2),
            new Conv2d(96, 256, 5, padding: 2, groups: 2, rng: rng), new ReLU(), Lrn(), new MaxPool2d(3, stride: 2),
            new Conv2d(256, 384, 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(384, 384, 3, padding: 1, groups: 2, rng: rng), new ReLU(),
            new Conv2d(384, 256, 3, padding: 1, groups: 2, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2));
        return new Sequential(features, new AdaptiveAvgPool2d(6), new Flatten(), Classifier(256 * 6 * 6, classes, rng));
    }

    // b = a / (2 + 10⁻⁴ Σ_{5 neighbours} a²)^0.75 (paper §3.3), in PyTorch's parametrisation α/n.
    private static LocalResponseNorm Lrn() => new(size: 5, alpha: 5e-4f, beta: 0.75f, k: 2f);

    /// <summary>fc6–fc8 with dropout 0.5 before fc6 and fc7 (torchvision's order), shared with ZFNet.</summary>
    internal static Sequential Classifier(int inFeatures, int classes, Rng rng) => new(
        new Dropout(0.5f, rng.Fork()), new Linear(inFeatures, 4096, rng: rng), new ReLU(),
        new Dropout(0.5f, rng.Fork()), new Linear(4096, 4096, rng: rng), new ReLU(),
        new Linear(4096, classes, rng: rng));
}
