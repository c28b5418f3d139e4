// GoogLeNet / Inception v1 (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015,
// arXiv:1409.4842) in torchvision's layout: every convolution is conv (no bias) → batch norm
// (ε = 0.001) → ReLU; pools round up (ceil mode). An inception module runs four branches on the same
// input and concatenates them: 1×1 | 1×1 reduce → 3×3 | 1×1 reduce → "5×5" | 3×3 max-pool → 1×1 projection.
//
//   layer          #1×1  #3×3 reduce  #3×3  #5×5 reduce  #5×5  pool proj   output (224×224 input)   (paper Table 1)
//   conv 7×7/2, max-pool 3/2, conv 1×1 64, conv 3×3 192, max-pool 3/2                    192 × 28²
//   inception 3a     64       96        128       16        32       32          256 × 28²
//   inception 3b    128      128        192       32        96       64          480 × 28² → max-pool → 14²
//   inception 4a    192       96        208       16        48       64          512 × 14²   ← auxiliary classifier 1
//   inception 4b    160      112        224       24        64       64          512 × 14²
//   inception 4c    128      128        256       24        64       64          512 × 14²
//   inception 4d    112      144        288       32        64       64          528 × 14²   ← auxiliary classifier 2
//   inception 4e    256      160        320       32       128      128          832 × 14² → max-pool 2/2 → 7²
//   inception 5a    256      160        320       32       128      128          832 × 7²
//   inception 5b    384      192        384       48       128      128          1024 × 7²
//   global average pool → dropout 0.4 → linear 1024→classes
//
//   auxiliary classifier (training only): adaptive average pool 4×4 (the paper's 5×5/3 on 14²) → conv 1×1 128
//   → flatten → linear 2048→1024 → ReLU → dropout 0.7 → linear 1024→classes; its loss is weighted 0.3.
//
//   parameters (1000 classes): 6,624,904 without the auxiliary classifiers, 13,004,888 with them
//   (torchvision's counts); 1.50 G multiply-accumulates at 224×224.
//
// The "5×5" branch uses a 3×3 convolution by default, like torchvision (whose comment calls it a
// known bug kept for its pretrained weights) and its parameter count; paperFiveByFive: true gives the paper's 5×5.
// The model is an AuxiliaryClassifierNet: Forward returns the main logits; in training mode the two
// auxiliary logits are in AuxiliaryOutputs and AuxiliaryClassifierNet.Loss adds 0.3 × their cross-entropy.
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builders for GoogLeNet / Inception v1 (Szegedy et al. 2015).</summary>
public static class GoogLeNet
{
    // (in, #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj): paper Table 1.
    private static readonly (string Name, int[] Widths)[] Modules =
    [
        ("3a", [192, 64, 96, 128, 16, 32, 32]),
        ("3b", [256, 128, 128, 192, 32, 96, 64]),
        ("4a", [480, 192, 96, 208, 16, 48, 64]),
        ("4b", [512, 160, 112, 224, 24, 64, 64]),
        ("4c", [512, 128, 128, 256, 24, 64, 64]),
        ("4d", [512, 112, 144, 288, 32, 64, 64]),
        ("4e", [528, 256, 160, 320, 32, 128, 128]),
        ("5a", [832, 256, 160, 320, 32, 128, 128]),
        ("5b", [832, 384, 192, 384, 48, 128, 128]),
    ];

    /// <summary>
    /// Builds GoogLeNet: (N, <paramref name="inChannels"/>, H, W) → (N, <paramref name="classes"/>) logits; 224×224 is the
    /// reference size; smaller inputs such as 32×32 work too, as the head and the auxiliary classifiers pool adaptively.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="auxiliaryClassifiers">Add the two auxiliary classifiers (after inception 4a and 4d), active in training mode only.</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="paperFiveByFive">Use the paper's 5×5 convolution in the fourth-column branch instead of torchvision's 3×3.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <returns>An <see cref="AuxiliaryClassifierNet"/> with the auxiliary classifiers, else the main path as a <see cref="Sequential"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Module Create(int classes = 1000, bool auxiliaryClassifiers = true, int inChannels = 3, bool paperFiveByFive = false, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        int fifth = paperFiveByFive ? 5 : 3;
        var main = new Sequential(
            BasicConv(inChannels, 64, 7, stride: 2, padding: 3, rng), new MaxPool2d(3, stride: 2, ceilMode: true),
            BasicConv(64, 64, 1, stride: 1, padding: 0, rng),
            BasicConv(64, 192, 3, stride: 1, padding: 1, rng), new MaxPool2d(3, stride: 2, ceilMode: true));
        var taps = new List<int>();
        foreach (var (name, w) in Modules)
        {
            main.Add(Inception(w[0], w[1], w[2], w[3], w[4], w[5], w[6], fifth, rng));
            if (name is "4a" or "4d") taps.Add(main.Count - 1);
            if (name is "3b") main.Add(new MaxPool2d(3, stride: 2, ceilMode: true));
            if (name is "4e") main.Add(new MaxPool2d(2, stride: 2, ceilMode: true));
        }
        main.Add(new AdaptiveAvgPool2d(1)).Add(new Flatten()).Add(new Dropout(0.4f, rng.Fork())).Add(new Linear(1024, classes, rng: rng));
        if (!auxiliaryClassifiers) return main;
        return new AuxiliaryClassifierNet(main, taps, [AuxiliaryClassifier(512, classes, rng), AuxiliaryClassifier(528, classes, rng)], 0.3f);
    }

    /// <summary>
    /// One inception module: four branches concatenated along the channels, y = cat(b₁(x), b₂(x), b₃(x), b₄(x)) with
    /// b₁ = 1×1, b₂ = 1×1 → 3×3, b₃ = 1×1 → f×f, b₄ = max-pool 3×3/1 → 1×1 (each convolution followed by BN and ReLU).
    /// Output channels: <paramref name="ch1x1"/> + <paramref name="ch3x3"/> + <paramref name="ch5x5"/> + <paramref name="poolProj"/>.
    /// </summary>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="ch1x1">Filters of the 1×1 branch.</param>
    /// <param name="ch3x3Reduce">1×1 reduction before the 3×3 convolution.</param>
    /// <param name="ch3x3">Filters of the 3×3 convolution.</param>
    /// <param name="ch5x5Reduce">1×1 reduction before the third branch's convolution.</param>
    /// <param name="ch5x5">Filters of the third branch's convolution.</param>
    /// <param name="poolProj">1×1 projection after the max-pool.</param>
    /// <param name="fifthKernel">Kernel side f of the third branch (5 in the paper, 3 in torchvision).</param>
    /// <param name="rng">Initialisation randomness.</param>
    public static Branches Inception(int inChannels, int ch1x1, int ch3x3Reduce, int ch3x3, int ch5x5Reduce, int ch5x5, int poolProj, int fifthKernel, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return new Branches(
            BasicConv(inChannels, ch1x1, 1, stride: 1, padding: 0, rng),
            new Sequential(BasicConv(inChannels, ch3x3Reduce, 1, stride: 1, padding: 0, rng), BasicConv(ch3x3Reduce, ch3x3, 3, stride: 1, padding: 1, rng)),
            new Sequential(BasicConv(inChannels, ch5x5Reduce, 1, stride: 1, padding: 0, rng), BasicConv(ch5x5Reduce, ch5x5, fifthKernel, stride: 1, padding: fifthKernel / 2, rng)),
            new Sequential(new MaxPool2d(3, stride: 1, padding: 1, ceilMode: true), BasicConv(inChannels, poolProj, 1, stride: 1, padding: 0, rng)));
    }

    // conv (no bias) → BN(ε = 0.001) → ReLU: torchvision's BasicConv2d.
    private static Sequential BasicConv(int inChannels, int outChannels, int kernelSize, int stride, int padding, Rng rng) =>
        new(new Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding, bias: false, rng: rng),
            new BatchNorm2d(outChannels, eps: 0.001f),
            new ReLU());

    private static Sequential AuxiliaryClassifier(int inChannels, int classes, Rng rng) => new(
        new AdaptiveAvgPool2d(4),
        BasicConv(inChannels, 128, 1, stride: 1, padding: 0, rng),
        new Flatten(),
        new Linear(2048, 1024, rng: rng), new ReLU(), new Dropout(0.7f, rng.Fork()),
        new Linear(1024, classes, rng: rng));
}
