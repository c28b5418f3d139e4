// ZFNet (Zeiler & Fergus, "Visualizing and Understanding Convolutional Networks", ECCV 2014,
// arXiv:1311.2901): AlexNet with a smaller, denser first layer (7×7 stride 2 instead of 11×11
// stride 4, chosen after visualising AlexNet's aliased first-layer filters), stride 2 in layer 2,
// and, in the better variant of the paper's Table 2 that the chapter's comparison table shows,
// wider layers 3–5.
//
//   layer                                             output (224×224 input)   paper (Fig. 3)   wide (chapter)
//   conv1   7×7 /2 pad 1 → ReLU → pool 3/2 pad 1 → LRN      110² → 55²              96               96
//   conv2   5×5 /2       → ReLU → pool 3/2 pad 1 → LRN      26² → 13²               256              256
//   conv3   3×3 pad 1 → ReLU                                13²                     384              512
//   conv4   3×3 pad 1 → ReLU                                13²                     384              1024
//   conv5   3×3 pad 1 → ReLU → pool 3/2                     13² → 6²                256              512
//   adaptive average pool to 6×6 (the identity at 224×224, as in torchvision's AlexNet; lets smaller inputs through)
//   fc6, fc7, fc8: dropout → 4096 → ReLU → dropout → 4096 → ReLU → classes (as AlexNet)
//
//   parameters (1000 classes): paper widths 62,357,608; wide 107,627,624
//
// "Contrast normalization across feature maps" follows the pooling of layers 1 and 2; it is AlexNet's
// LRN with the same constants (k = 2, n = 5, α = 10⁻⁴, β = 0.75). The pads are chosen so the sizes
// match the paper's figure (110, 55, 26, 13, 6).
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builders for ZFNet (Zeiler &amp; Fergus 2014).</summary>
public static class ZfNet
{
    /// <summary>Widths of conv3, conv4, conv5 in the paper's Figure 3.</summary>
    public static IReadOnlyList<int> PaperWidths { get; } = [384, 384, 256];

    /// <summary>Widths of conv3, conv4, conv5 in the chapter's comparison table (the paper's Table 2 variant with layers 3–5 widened).</summary>
    public static IReadOnlyList<int> WideWidths { get; } = [512, 1024, 512];

    /// <summary>
    /// Builds ZFNet: (N, <paramref name="inChannels"/>, H, W) → (N, <paramref name="classes"/>) logits. 224×224 is the paper's
    /// size; the adaptive average pool before the classifier lets any H, W ≥ 53 through.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="wide">The chapter's 512/1024/512 widths for conv3–5 (default) or the paper's 384/384/256.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Create(int classes = 1000, bool wide = true, int inChannels = 3, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        var w = wide ? WideWidths : PaperWidths;
        var features = new Sequential(
            new Conv2d(inChannels, 96, 7, stride: 2, padding: 1, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2, padding: 1), Lrn(),
            new Conv2d(96, 256, 5, stride: 2, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2, padding: 1), Lrn(),
            new Conv2d(256, w[0], 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(w[0], w[1], 3, padding: 1, rng: rng), new ReLU(),
            new Conv2d(w[1], w[2], 3, padding: 1, rng: rng), new ReLU(), new MaxPool2d(3, stride: 2));
        return new Sequential(features, new AdaptiveAvgPool2d(6), new Flatten(), AlexNet.Classifier(w[2] * 6 * 6, classes, rng));
    }

    private static LocalResponseNorm Lrn() => new(size: 5, alpha: 5e-4f, beta: 0.75f, k: 2f);
}
