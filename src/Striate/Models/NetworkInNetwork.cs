// Network in Network (Lin, Chen, Yan, ICLR 2014, arXiv:1312.4400): each "mlpconv" block is a
// convolution followed by two 1×1 convolutions — a small multilayer perceptron slid over the image,
// every 1×1 convolution a fully connected layer across the channels at each pixel, each followed by
// ReLU — and the classifier is global average pooling of one feature map per class instead of
// fully connected layers.
//
//   ImageNet model (the authors' Caffe model; pools 3×3 stride 2 rounding up, as Caffe does)
//   mlpconv1   11×11 /4, 96 → 1×1, 96 → 1×1, 96 → max-pool        224² → 54² → 27²
//   mlpconv2   5×5 pad 2, 256 → 1×1, 256 → 1×1, 256 → max-pool    27² → 13²
//   mlpconv3   3×3 pad 1, 384 → 1×1, 384 → 1×1, 384 → max-pool    13² → 6², dropout 0.5
//   mlpconv4   3×3 pad 1, 1024 → 1×1, 1024 → 1×1, classes         6²
//   global average pool → (N, classes)                   7,595,176 parameters (1000 classes)
//
//   CIFAR model (paper §4.2, 32×32 colour; 28×28 grey works too)
//   mlpconv1   5×5 pad 2, 192 → 1×1, 160 → 1×1, 96 → max-pool 3/2 → dropout 0.5    32² → 16²
//   mlpconv2   5×5 pad 2, 192 → 1×1, 192 → 1×1, 192 → avg-pool 3/2 → dropout 0.5  16² → 8²
//   mlpconv3   3×3 pad 1, 192 → 1×1, 192 → 1×1, classes                             8²
//   global average pool → (N, classes)                   966,986 parameters (10 classes)
//
// Convolutions start Kaiming-normal (fan-in) with zero bias: nine ReLU convolutions deep, PyTorch's
// default init shrinks the class maps to nothing and the network does not start learning (the
// authors tuned per-layer Gaussian scales instead).
using Striate.Layers;

namespace Striate.Models;

/// <summary>Builders for Network in Network (Lin et al. 2014).</summary>
public static class NetworkInNetwork
{
    /// <summary>
    /// Builds the ImageNet NiN: four mlpconv blocks and global average pooling, (N, <paramref name="inChannels"/>, H, W) →
    /// (N, <paramref name="classes"/>); 224×224 is the reference size, any H, W ≥ 63 works (no fully connected layer).
    /// </summary>
    /// <param name="classes">Number of output classes (channels of the last 1×1 convolution).</param>
    /// <param name="inChannels">Channels of the input image.</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Create(int classes = 1000, int inChannels = 3, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        var net = new Sequential(
            MlpConv(inChannels, [96, 96, 96], 11, stride: 4, padding: 0, rng), new MaxPool2d(3, stride: 2, ceilMode: true),
            MlpConv(96, [256, 256, 256], 5, stride: 1, padding: 2, rng), new MaxPool2d(3, stride: 2, ceilMode: true),
            MlpConv(256, [384, 384, 384], 3, stride: 1, padding: 1, rng), new MaxPool2d(3, stride: 2, ceilMode: true), new Dropout(0.5f, rng.Fork()),
            MlpConv(384, [1024, 1024, classes], 3, stride: 1, padding: 1, rng),
            new GlobalAvgPool());
        ModelInit.KaimingNormalFanIn(net, rng);
        return net;
    }

    /// <summary>
    /// Builds the CIFAR-10 NiN of the paper: three mlpconv blocks (192-160-96, 192-192-192, 192-192-classes) and global average
    /// pooling, (N, <paramref name="inChannels"/>, H, W) → (N, <paramref name="classes"/>); 32×32 is the reference size.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="inChannels">Channels of the input image (3 for CIFAR, 1 for Fashion-MNIST).</param>
    /// <param name="rng">Initialisation and dropout randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> or <paramref name="inChannels"/> is not positive.</exception>
    public static Sequential Cifar(int classes = 10, int inChannels = 3, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        var net = new Sequential(
            MlpConv(inChannels, [192, 160, 96], 5, stride: 1, padding: 2, rng), new MaxPool2d(3, stride: 2, ceilMode: true), new Dropout(0.5f, rng.Fork()),
            MlpConv(96, [192, 192, 192], 5, stride: 1, padding: 2, rng), new AvgPool2d(3, stride: 2, ceilMode: true), new Dropout(0.5f, rng.Fork()),
            MlpConv(192, [192, 192, classes], 3, stride: 1, padding: 1, rng),
            new GlobalAvgPool());
        ModelInit.KaimingNormalFanIn(net, rng);
        return net;
    }

    /// <summary>
    /// One mlpconv block: conv k×k → ReLU → conv 1×1 → ReLU → conv 1×1 → ReLU, the widths given in order.
    /// </summary>
    /// <param name="inChannels">Channels of the block's input.</param>
    /// <param name="widths">Output channels of the k×k convolution and of the two 1×1 convolutions.</param>
    /// <param name="kernelSize">Side k of the first convolution.</param>
    /// <param name="stride">Stride of the first convolution.</param>
    /// <param name="padding">Zero padding of the first convolution.</param>
    /// <param name="rng">Initialisation randomness.</param>
    /// <exception cref="ArgumentException"><paramref name="widths"/> does not hold three widths.</exception>
    public static Sequential MlpConv(int inChannels, IReadOnlyList<int> widths, int kernelSize, int stride, int padding, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Count != 3) throw new ArgumentException($"An mlpconv block has three widths (k×k, 1×1, 1×1), got {widths.Count}.", nameof(widths));
        return new Sequential(
            new Conv2d(inChannels, widths[0], kernelSize, stride: stride, padding: padding, rng: rng), new ReLU(),
            new Conv2d(widths[0], widths[1], 1, rng: rng), new ReLU(),
            new Conv2d(widths[1], widths[2], 1, rng: rng), new ReLU());
    }
}
