// Deep residual networks (He, Zhang, Ren, Sun, "Deep Residual Learning for Image Recognition",
// CVPR 2016, arXiv:1512.03385): each block learns a residual F and adds its input back,
// y = ReLU(F(x) + shortcut(x)), so very deep stacks still train.
//
// ImageNet models (paper Table 1, torchvision layout: stride on the 3×3 convolution of a
// bottleneck, "v1.5"; projection shortcuts — 1×1 conv + BN, paper option B — where the shape changes):
//
//   stage     output   18 / 34 (basic: 3×3, 3×3)     50 / 101 / 152 (bottleneck: 1×1, 3×3, 1×1 ×4)
//   conv1     112²     7×7, 64, stride 2 → BN → ReLU
//             56²      3×3 max-pool, stride 2
//   conv2_x   56²      [64, 64] × 2 / 3              [64, 64, 256] × 3 / 3 / 3
//   conv3_x   28²      [128, 128] × 2 / 4            [128, 128, 512] × 4 / 4 / 8
//   conv4_x   14²      [256, 256] × 2 / 6            [256, 256, 1024] × 6 / 23 / 36
//   conv5_x   7²       [512, 512] × 2 / 3            [512, 512, 2048] × 3 / 3 / 3
//             1²       global average pool → linear 512 (basic) or 2048 (bottleneck) → classes
//
//   parameters at 1000 classes: 11,689,512 / 21,797,672 / 25,557,032 / 44,549,160 / 60,192,808
//   multiply-accumulates at 224×224: 1.81 G / 3.66 G / 4.09 G / 7.80 G / 11.51 G
//
// CIFAR models (paper §4.2, 32×32 colour; any size works, as the head is a global average pool):
// 3×3 conv 16 → 3 stages of n basic blocks with 16, 32, 64 filters (stride 2 at the first block of
// stages 2 and 3) → global average pool → linear; depth 6n + 2 (ResNet-20: n = 3, ResNet-56: n = 9).
// Shortcuts are the paper's option A by default: parameter-free, the input subsampled by 2 (a 1×1
// max-pool of stride 2 picks every other pixel) and zero channels appended; option B projects.
//   ResNet-20: 269,722 parameters (option A, 10 classes), 40.6 M MACs at 32×32; ResNet-56: 853,018, 125.5 M.
//
// Every block is Sequential(Residual(body, shortcut), ReLU); convolutions have no bias (BN follows)
// and start from Kaiming-normal weights (fan-out), as in torchvision and the paper.
using Striate.Layers;

namespace Striate.Models;

/// <summary>The two residual block designs of He et al.</summary>
public enum ResNetBlock
{
    /// <summary>Two 3×3 convolutions (ResNet-18/34 and the CIFAR models); expansion 1.</summary>
    Basic,

    /// <summary>1×1 reduce, 3×3, 1×1 expand to 4× the width (ResNet-50/101/152); expansion 4.</summary>
    Bottleneck,
}

/// <summary>How a CIFAR ResNet's shortcut matches a block whose output has more channels and half the size.</summary>
public enum CifarShortcut
{
    /// <summary>Option A: the input subsampled by 2 with zero channels appended; no parameters (the paper's CIFAR choice).</summary>
    ZeroPadding,

    /// <summary>Option B: a 1×1 convolution of stride 2 and batch norm.</summary>
    Projection,
}

/// <summary>Builders for the residual networks of He et al. (2016).</summary>
public static class ResNet
{
    /// <summary>Blocks per stage of the ImageNet models, by depth.</summary>
    private static readonly Dictionary<int, (ResNetBlock Block, int[] Layers)> ImageNetConfigs = new()
    {
        [18] = (ResNetBlock.Basic, [2, 2, 2, 2]),
        [34] = (ResNetBlock.Basic, [3, 4, 6, 3]),
        [50] = (ResNetBlock.Bottleneck, [3, 4, 6, 3]),
        [101] = (ResNetBlock.Bottleneck, [3, 4, 23, 3]),
        [152] = (ResNetBlock.Bottleneck, [3, 8, 36, 3]),
    };

    /// <summary>The depths <see cref="Create(int, int, int, Rng?)"/> accepts: 18, 34, 50, 101, 152.</summary>
    public static IReadOnlyList<int> Depths { get; } = [.. ImageNetConfigs.Keys];

    /// <summary>
    /// Builds the ImageNet ResNet of the given depth (paper Table 1, torchvision layout), mapping
    /// (N, <paramref name="inChannels"/>, H, W) to (N, <paramref name="classes"/>) logits; 224×224 is the reference size,
    /// any H, W ≥ 32 works (the head is an adaptive average pool).
    /// </summary>
    /// <param name="depth">18, 34 (basic blocks), 50, 101 or 152 (bottleneck blocks).</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image (3 for colour).</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentException"><paramref name="depth"/> is not one of <see cref="Depths"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Create(int depth, int classes = 1000, int inChannels = 3, Rng? rng = null)
    {
        if (!ImageNetConfigs.TryGetValue(depth, out var config))
            throw new ArgumentException($"ResNet depth must be one of {string.Join(", ", Depths)}, got {depth}.", nameof(depth));
        return Create(config.Block, config.Layers, classes, inChannels, rng);
    }

    /// <summary>
    /// Builds an ImageNet-style ResNet from its block type and the number of blocks in each of its stages
    /// (widths 64, 128, 256, 512 for as many stages as given, stride 2 from the second stage on):
    /// conv 7×7/2 → BN → ReLU → max-pool 3/2 → stages → global average pool → flatten → linear.
    /// </summary>
    /// <param name="block">Basic or bottleneck blocks.</param>
    /// <param name="layers">Blocks per stage, one to four stages, e.g. <c>[2, 2, 2, 2]</c> for ResNet-18.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentException"><paramref name="layers"/> does not hold one to four positive counts.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Create(ResNetBlock block, IReadOnlyList<int> layers, int classes = 1000, int inChannels = 3, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Count is < 1 or > 4 || layers.Any(n => n < 1))
            throw new ArgumentException($"layers must hold one to four positive block counts, got [{string.Join(", ", layers)}].", nameof(layers));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        int expansion = block == ResNetBlock.Basic ? 1 : 4;
        var net = new Sequential(
            new Conv2d(inChannels, 64, kernelSize: 7, stride: 2, padding: 3, bias: false, rng: rng),
            new BatchNorm2d(64),
            new ReLU(),
            new MaxPool2d(3, stride: 2, padding: 1));
        int channels = 64;
        for (int stage = 0; stage < layers.Count; stage++)
        {
            int width = 64 << stage;
            var blocks = new Sequential();
            for (int b = 0; b < layers[stage]; b++)
            {
                int stride = b == 0 && stage > 0 ? 2 : 1;
                blocks.Add(block == ResNetBlock.Basic
                    ? BasicBlock(channels, width, stride, ProjectionOrIdentity(channels, width, stride, rng), rng)
                    : BottleneckBlock(channels, width, stride, ProjectionOrIdentity(channels, width * 4, stride, rng), rng));
                channels = width * expansion;
            }
            net.Add(blocks);
        }
        net.Add(new AdaptiveAvgPool2d(1)).Add(new Flatten()).Add(new Linear(channels, classes, rng: rng));
        ModelInit.KaimingNormalFanOut(net, rng);
        return net;
    }

    /// <summary>
    /// Builds a CIFAR ResNet of depth 6n + 2 (paper §4.2): conv 3×3 16 → BN → ReLU → three stages of n basic
    /// blocks (16, 32, 64 filters; stride 2 at the start of stages 2 and 3) → global average pool (N, 64) → linear.
    /// Maps (N, <paramref name="inChannels"/>, H, W) to (N, <paramref name="classes"/>); 32×32 is the reference size,
    /// 28×28 grey (Fashion-MNIST) works as well.
    /// </summary>
    /// <param name="depth">20, 32, 44, 56, 110, ...: any 6n + 2 with n ≥ 1.</param>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="shortcut">Option A (zero padding, default) or B (projection) where a stage starts.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentException"><paramref name="depth"/> is not 6n + 2 with n ≥ 1, or <paramref name="shortcut"/> is undefined.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Cifar(int depth, int classes = 10, int inChannels = 3, CifarShortcut shortcut = CifarShortcut.ZeroPadding, Rng? rng = null)
    {
        if (depth < 8 || (depth - 2) % 6 != 0)
            throw new ArgumentException($"A CIFAR ResNet has depth 6n + 2 (20, 32, 44, 56, 110, ...), got {depth}.", nameof(depth));
        if (!Enum.IsDefined(shortcut)) throw new ArgumentException($"{shortcut} is not a shortcut option.", nameof(shortcut));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        int n = (depth - 2) / 6;
        var net = new Sequential(
            new Conv2d(inChannels, 16, kernelSize: 3, padding: 1, bias: false, rng: rng),
            new BatchNorm2d(16),
            new ReLU());
        int channels = 16;
        foreach (int width in (int[])[16, 32, 64])
        {
            var blocks = new Sequential();
            for (int b = 0; b < n; b++)
            {
                int stride = b == 0 && width != 16 ? 2 : 1;
                Module? skip = stride == 1 && channels == width ? null
                    : shortcut == CifarShortcut.Projection ? Projection(channels, width, stride, rng)
                    : new Sequential(new MaxPool2d(1, stride: stride), new ZeroPad3d(0, 0, 0, 0, 0, width - channels));
                blocks.Add(BasicBlock(channels, width, stride, skip, rng));
                channels = width;
            }
            net.Add(blocks);
        }
        net.Add(new GlobalAvgPool()).Add(new Linear(channels, classes, rng: rng));
        ModelInit.KaimingNormalFanOut(net, rng);
        return net;
    }

    // y = ReLU(BN(conv3×3(ReLU(BN(conv3×3(x, stride))))) + shortcut(x))
    private static Sequential BasicBlock(int inChannels, int width, int stride, Module? shortcut, Rng rng) =>
        new(new Residual(new Sequential(
                new Conv2d(inChannels, width, 3, stride: stride, padding: 1, bias: false, rng: rng),
                new BatchNorm2d(width),
                new ReLU(),
                new Conv2d(width, width, 3, padding: 1, bias: false, rng: rng),
                new BatchNorm2d(width)), shortcut),
            new ReLU());

    // y = ReLU(BN(conv1×1→4w(ReLU(BN(conv3×3(ReLU(BN(conv1×1→w(x))), stride))))) + shortcut(x))
    private static Sequential BottleneckBlock(int inChannels, int width, int stride, Module? shortcut, Rng rng) =>
        new(new Residual(new Sequential(
                new Conv2d(inChannels, width, 1, bias: false, rng: rng),
                new BatchNorm2d(width),
                new ReLU(),
                new Conv2d(width, width, 3, stride: stride, padding: 1, bias: false, rng: rng),
                new BatchNorm2d(width),
                new ReLU(),
                new Conv2d(width, width * 4, 1, bias: false, rng: rng),
                new BatchNorm2d(width * 4)), shortcut),
            new ReLU());

    private static Sequential? ProjectionOrIdentity(int inChannels, int outChannels, int stride, Rng rng) =>
        stride == 1 && inChannels == outChannels ? null : Projection(inChannels, outChannels, stride, rng);

    // Option B: BN(conv1×1(x, stride)).
    private static Sequential Projection(int inChannels, int outChannels, int stride, Rng rng) =>
        new(new Conv2d(inChannels, outChannels, 1, stride: stride, bias: false, rng: rng), new BatchNorm2d(outChannels));
}
