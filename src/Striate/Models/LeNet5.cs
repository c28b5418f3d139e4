// LeNet-5 (LeCun et al., 1998) in its modern form: ReLU instead of scaled tanh, max-pooling
// instead of trainable sub-sampling, a full C3 connection table and a plain linear output
// instead of RBF units. Input (N, 1, 28, 28): padding 2 on the first convolution gives the
// 32×32 field of the original.
//
//   (N, 1, 28, 28) → conv 6@5×5 pad 2 → ReLU → max-pool 2 → (N, 6, 14, 14)
//                  → conv 16@5×5      → ReLU → max-pool 2 → (N, 16, 5, 5)
//                  → flatten (N, 400) → linear 120 → ReLU → linear 84 → ReLU → linear classes
//
// Parameters: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 for 10 classes.
using Striate.Layers;

namespace Striate.Models;

/// <summary>The LeNet-5 convolutional network for 28×28 single-channel images (e.g. MNIST, Fashion-MNIST).</summary>
public static class LeNet5
{
    /// <summary>The input shape the network expects, batch excluded: (1, 28, 28).</summary>
    public static IReadOnlyList<int> InputShape { get; } = [1, 28, 28];

    /// <summary>
    /// Builds LeNet-5: conv 6@5×5 pad 2 → ReLU → max-pool 2 → conv 16@5×5 → ReLU → max-pool 2 →
    /// flatten → linear 400→120 → ReLU → linear 120→84 → ReLU → linear 84→<paramref name="classes"/>.
    /// Maps (N, 1, 28, 28) to (N, <paramref name="classes"/>) logits.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="rng">Initialisation randomness, drawn layer by layer in order (weight, then bias); a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive.</exception>
    public static Sequential Create(int classes = 10, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        return new Sequential(
            new Conv2d(1, 6, kernelSize: 5, padding: 2, rng: rng),
            new ReLU(),
            new MaxPool2d(2),
            new Conv2d(6, 16, kernelSize: 5, rng: rng),
            new ReLU(),
            new MaxPool2d(2),
            new Flatten(),
            new Linear(16 * 5 * 5, 120, rng: rng),
            new ReLU(),
            new Linear(120, 84, rng: rng),
            new ReLU(),
            new Linear(84, classes, rng: rng));
    }
}
