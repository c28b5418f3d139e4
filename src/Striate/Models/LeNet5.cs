// LeNet-5 (LeCun, Bottou, Bengio, Haffner, "Gradient-Based Learning Applied to Document
// Recognition", Proc. IEEE 86(11), 1998, §II.B), in two forms.
//
// Modern (Create): ReLU instead of scaled tanh, max-pooling instead of trainable sub-sampling, a
// full C3 connection table and a plain linear output instead of RBF units. Input (N, 1, 28, 28):
// padding 2 on the first convolution gives the 32×32 field of the original.
//
//   (N, 1, 28, 28) → conv 6@5×5 pad 2 → ReLU → max-pool 2 → (N, 6, 14, 14)
//                  → conv 16@5×5      → ReLU → max-pool 2 → (N, 16, 5, 5)
//                  → flatten (N, 400) → linear 120 → ReLU → linear 84 → ReLU → linear classes
//
// Parameters: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706 for 10 classes.
//
// Classic (Classic): the paper's network, every layer squashed by tanh.
//
//   layer  what                                                     output      parameters (paper)
//   C1     conv 6@5×5                                               6 × 28²     6·25 + 6          =    156
//   S2     2×2 sum, × trainable coefficient + bias per map          6 × 14²     6 + 6             =     12
//   C3     conv 16@5×5 over the partial connection table below      16 × 10²    60·25 + 16        =  1,516
//   S4     2×2 sum, × coefficient + bias                            16 × 5²     16 + 16           =     32
//   C5     conv 120@5×5 (each unit sees all of S4)                  120 × 1²    120·400 + 120     = 48,120
//   F6     linear 84                                                84          84·120 + 84       = 10,164
//                                                                               paper total       = 60,000
//   output linear 84→classes (replaces the paper's 10 Euclidean RBF units, whose 84·10 = 840 fixed ±1 codes were not trained)
//          84·10 + 10 = 850, so the model has 60,000 + 850 = 60,850 parameters for 10 classes.
//
//   C3 connection table (paper Table I): output map k reads S2 maps
//     0–5:   three neighbours {k, k+1, k+2} (mod 6)
//     6–11:  four neighbours {k, k+1, k+2, k+3} (mod 6)
//     12–14: four, non-contiguous: {0,1,3,4}, {1,2,4,5}, {0,2,3,5}
//     15:    all six                                   → 6·3 + 6·4 + 3·4 + 6 = 60 connections
//
// Deviations, stated: the paper's squashing function is 1.7159·tanh(2a/3), here plain tanh (the
// constants only rescale what the next layer's weights can absorb); S2/S4 are built from public
// layers, a 2×2 sum pool followed by a depthwise 1×1 convolution — exactly one coefficient and one
// bias per map; the input is 32×32 (28×28 images get C1 padding 2, as the paper's 28×28 digits sat
// centred in a 32×32 field).
using Striate.Layers;

namespace Striate.Models;

/// <summary>The LeNet-5 convolutional network for single-channel digit-sized images (e.g. MNIST, Fashion-MNIST).</summary>
public static class LeNet5
{
    /// <summary>The input shape the modern network expects, batch excluded: (1, 28, 28).</summary>
    public static IReadOnlyList<int> InputShape { get; } = [1, 28, 28];

    /// <summary>The input shape of the classic network, as in the paper: (1, 32, 32).</summary>
    public static IReadOnlyList<int> ClassicInputShape { get; } = [1, 32, 32];

    /// <summary>LeNet-5's C3 connection table (paper Table I): the S2 maps each of the 16 C3 maps reads.</summary>
    public static IReadOnlyList<IReadOnlyList<int>> C3Table { get; } =
    [
        [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
        [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
        [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
        [0, 1, 2, 3, 4, 5],
    ];

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

    /// <summary>
    /// Builds the paper's LeNet-5: C1 conv 6@5×5 → tanh → S2 (2×2 sum × coefficient + bias) → tanh → C3 (partial connection
    /// table) → tanh → S4 → tanh → C5 conv 120@5×5 → tanh → flatten → F6 linear 84 → tanh → linear <paramref name="classes"/>.
    /// Maps (N, 1, 32, 32) — or (N, 1, 28, 28) with <paramref name="padding"/> 2 — to (N, <paramref name="classes"/>) logits.
    /// 60,000 + 85·<paramref name="classes"/> parameters.
    /// </summary>
    /// <param name="classes">Number of output classes.</param>
    /// <param name="padding">Zero padding of C1: 0 for 32×32 inputs (the paper), 2 for 28×28 ones.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is not positive or <paramref name="padding"/> is negative.</exception>
    public static Sequential Classic(int classes = 10, int padding = 0, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        rng ??= new Rng((ulong)Random.Shared.NextInt64());
        return new Sequential(
            new Conv2d(1, 6, kernelSize: 5, padding: padding, rng: rng), new Tanh(),                    // C1
            new SumPool2d(2), new Conv2d(6, 6, kernelSize: 1, groups: 6, rng: rng), new Tanh(),         // S2
            new ConnectionTableConv2d(6, 5, C3Table, rng: rng), new Tanh(),                              // C3
            new SumPool2d(2), new Conv2d(16, 16, kernelSize: 1, groups: 16, rng: rng), new Tanh(),      // S4
            new Conv2d(16, 120, kernelSize: 5, rng: rng), new Tanh(),                                   // C5
            new Flatten(),
            new Linear(120, 84, rng: rng), new Tanh(),                                                  // F6
            new Linear(84, classes, rng: rng));                                                         // output
    }
}
