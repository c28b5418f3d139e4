// VGG (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
// Recognition", ICLR 2015, arXiv:1409.1556): only 3×3 convolutions (stride 1, pad 1) and 2×2
// max-pooling, depth 11 to 19, with torchvision's optional batch norm after every convolution.
//
//   configuration (paper Table 1; numbers are 3×3 conv widths, M a 2×2 max-pool)
//   VGG-11 (A)  64 M 128 M 256 256 M 512 512 M 512 512 M
//   VGG-13 (B)  64 64 M 128 128 M 256 256 M 512 512 M 512 512 M
//   VGG-16 (D)  64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M
//   VGG-19 (E)  64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M
//   then (torchvision) adaptive average pool to 7×7 → 25088→4096 → ReLU → dropout → 4096→4096 → ReLU → dropout → 4096→classes
//
//   parameters (1000 classes)   11: 132,863,336   13: 133,047,848   16: 138,357,544   19: 143,667,240
//   with batch norm             11: 132,868,840   13: 133,053,736   16: 138,365,992   19: 143,678,248
//   multiply-accumulates at 224×224: 7.61 G, 11.31 G, 15.47 G, 19.63 G
//
// Convolutions start as torchvision's, Kaiming-normal (fan-out) with zero bias: without batch norm,
// PyTorch's default init (variance 1/(3·fan-in)) lets the signal fade over 8 to 16 ReLU layers. The
// linear layers keep PyTorch's default U(±1/√fan-in) (torchvision redraws them from N(0, 0.01²); a
// second pass over their 124 M weights would double the build time for little effect).
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builders for the VGG networks (Simonyan &amp; Zisserman 2015).</summary>
public static class Vgg
{
    private const int M = 0; // a max-pool in the configurations below

    private static readonly Dictionary<int, int[]> Configurations = new()
    {
        [11] = [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
        [13] = [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M],
        [16] = [64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M],
        [19] = [64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M],
    };

    /// <summary>The depths <see cref="Create"/> accepts: 11, 13, 16, 19.</summary>
    public static IReadOnlyList<int> Depths { get; } = [.. Configurations.Keys];

    /// <summary>
    /// Builds VGG-<paramref name="depth"/>: <see cref="Features"/> → adaptive average pool 7×7 → flatten → <see cref="Classifier"/>.
    /// Maps (N, <paramref name="inChannels"/>, H, W) to (N, <paramref name="classes"/>) logits; 224×224 is the reference size,
    /// any H, W ≥ 32 works.
    /// </summary>
    /// <param name="depth">11, 13, 16 or 19 weight layers.</param>
    /// <param name="batchNorm">Batch norm after every convolution (torchvision's <c>vgg16_bn</c> and friends).</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentException"><paramref name="depth"/> is not one of <see cref="Depths"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Create(int depth = 16, bool batchNorm = false, int classes = 1000, int inChannels = 3, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        return new Sequential(Features(depth, batchNorm, inChannels, rng), new AdaptiveAvgPool2d(7), new Flatten(), Classifier(classes, rng));
    }

    /// <summary>
    /// The convolutional part of VGG-<paramref name="depth"/> (torchvision's <c>features</c>): the configuration's 3×3
    /// convolutions (pad 1) → [BN] → ReLU and 2×2 max-pools, (N, <paramref name="inChannels"/>, H, W) → (N, 512, H/32, W/32);
    /// convolutions start Kaiming-normal (fan-out) with zero bias. A backbone for transfer learning.
    /// </summary>
    /// <param name="depth">11, 13, 16 or 19 weight layers (8, 10, 13 or 16 of them convolutions).</param>
    /// <param name="batchNorm">Batch norm after every convolution.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentException"><paramref name="depth"/> is not one of <see cref="Depths"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Features(int depth = 16, bool batchNorm = false, int inChannels = 3, Rng? rng = null)
    {
        if (!Configurations.TryGetValue(depth, out var configuration))
            throw new ArgumentException($"VGG depth must be one of {string.Join(", ", Depths)}, got {depth}.", nameof(depth));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        var features = new Sequential();
        int channels = inChannels;
        foreach (int width in configuration)
        {
            if (width == M)
            {
                features.Add(new MaxPool2d(2, stride: 2));
                continue;
            }
            features.Add(new Conv2d(channels, width, 3, padding: 1, rng: rng));
            if (batchNorm) features.Add(new BatchNorm2d(width));
            features.Add(new ReLU());
            channels = width;
        }
        ModelInit.KaimingNormalFanOut(features, rng);
        return features;
    }

    /// <summary>
    /// VGG's classifier (torchvision's <c>classifier</c>), shared by every depth: linear 25088→4096 → ReLU → dropout 0.5 →
    /// linear 4096→4096 → ReLU → dropout 0.5 → linear 4096→<paramref name="classes"/>; (N, 512·7·7) → (N, classes).
    /// 119,545,856 + 4097·classes parameters.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Sequential Classifier(int classes = 1000, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        return new Sequential(
            new Linear(512 * 7 * 7, 4096, rng: rng), new ReLU(), new Dropout(0.5f, rng.Fork()),
            new Linear(4096, 4096, rng: rng), new ReLU(), new Dropout(0.5f, rng.Fork()),
            new Linear(4096, classes, rng: rng));
    }
}
