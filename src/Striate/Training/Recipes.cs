// Training recipes: named presets of a model and the options that train it well, so that
// "striate train --recipe fashion-mnist-best" is one command to a strong result. A recipe only
// supplies defaults: every option given explicitly on the command line overrides it.
//
// The recipes' models are small modern CNNs for 28×28 single-channel images (any C×H×W whose H and W
// are divisible by 4). "fashion-cnn" (VGG-style, two 3×3 convolutions per stage):
//
//   (N, C, H, W) → [conv 32@3×3 pad 1 → BN → ReLU] ×2 → max-pool 2 → dropout2d 0.1   (N, 32, H/2, W/2)
//                → [conv 64@3×3 pad 1 → BN → ReLU] ×2 → max-pool 2 → dropout2d 0.1   (N, 64, H/4, W/4)
//                → flatten → linear 256 → BN → ReLU → dropout 0.4 → linear classes
//
// "fashion-cnn-small" (one convolution per stage, three stages, for quick runs):
//
//   (N, C, H, W) → conv 32@3×3 pad 1 → BN → ReLU → max-pool 2                        (N, 32, H/2, W/2)
//                → conv 64@3×3 pad 1 → BN → ReLU → max-pool 2                        (N, 64, H/4, W/4)
//                → conv 128@3×3 pad 1 → BN → ReLU → global average pool (N, 128) → dropout 0.3 → linear classes
//
// Convolutions before batch norm have no bias (the norm's shift replaces it). Multiply-accumulates
// per 28×28 image, forward: fashion-cnn 0.23 M + 7.2 M + 3.6 M + 7.2 M + 0.8 M ≈ 19 M;
// fashion-cnn-small 0.23 M + 3.6 M + 3.6 M ≈ 7.5 M. Training costs about three times that.
//
// Sized for the time budget, from CPU time per training image (one thread, the difference between
// --limit 1024 and --limit 9216 runs, so start-up and evaluation cancel): fashion-cnn ≈ 2.0–2.4 ms,
// fashion-cnn-small ≈ 0.95 ms, on the 2-core reference machine (measured while it was loaded, so these are
// upper bounds). A fashion-cnn epoch of 60,000 images is then 120–145 s of CPU, about 70–90 s on 2 threads
// with evaluation, and the recipe's 16 epochs fit in 30 minutes. Two epochs of the recipe (one-cycle over
// 2 epochs, one thread) reached 90.5% test accuracy.
using System.Globalization;
using Striate.Layers;

namespace Striate.Training;

/// <summary>
/// A named training preset: the model and the options that train it (the command line's
/// <c>--recipe</c>). Options given explicitly override the recipe's.
/// </summary>
/// <param name="Name">The recipe's name, e.g. <c>fashion-mnist-best</c>.</param>
/// <param name="Description">One line on what it is for and what it reaches.</param>
/// <param name="Model">The model's name: one of <see cref="Recipes.ModelNames"/> or a model-zoo name.</param>
/// <param name="Augment">The augmentation specification (<see cref="Data.Augmentations.AugmentationSpec"/>), empty for none.</param>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Images per step.</param>
/// <param name="Optimizer">sgd, adam, adamw, rmsprop or adagrad.</param>
/// <param name="LearningRate">The learning rate (the peak for one-cycle).</param>
/// <param name="Momentum">SGD/RMSProp momentum.</param>
/// <param name="WeightDecay">Weight decay (decoupled for AdamW, L2 otherwise).</param>
/// <param name="Schedule">none, cosine, step or onecycle.</param>
/// <param name="LabelSmoothing">Cross-entropy label smoothing ε.</param>
public sealed record TrainingRecipe(string Name, string Description, string Model, string Augment, int Epochs, int BatchSize,
    string Optimizer, float LearningRate, float Momentum, float WeightDecay, string Schedule, float LabelSmoothing)
{
    /// <summary>The recipe as the options it sets, e.g. <c>--model fashion-cnn --epochs 15 …</c>.</summary>
    public string Options => string.Create(CultureInfo.InvariantCulture,
        $"--model {Model}{(Augment.Length > 0 ? " --augment " + Augment : "")} --epochs {Epochs} --batch-size {BatchSize} --optimizer {Optimizer} " +
        $"--lr {LearningRate} --momentum {Momentum} --weight-decay {WeightDecay} --schedule {Schedule} --label-smoothing {LabelSmoothing}");
}

/// <summary>The built-in <see cref="TrainingRecipe"/>s and the models they train.</summary>
public static class Recipes
{
    /// <summary>The built-in recipes, by name.</summary>
    public static IReadOnlyList<TrainingRecipe> All { get; } =
    [
        new("fashion-mnist-best",
            "Fashion-MNIST, aiming at >= 93% test accuracy within 30 minutes on 2 cores: VGG-style CNN with batch norm and dropout, padded crops and flips, SGD with momentum, one-cycle",
            "fashion-cnn", "crop:2,flip", Epochs: 16, BatchSize: 128, Optimizer: "sgd", LearningRate: 0.1f, Momentum: 0.9f, WeightDecay: 5e-4f,
            Schedule: "onecycle", LabelSmoothing: 0.1f),
        new("fashion-mnist-fast",
            "Fashion-MNIST in a few minutes: a three-stage CNN with batch norm and global average pooling, flips, AdamW, one-cycle",
            "fashion-cnn-small", "flip", Epochs: 5, BatchSize: 128, Optimizer: "adamw", LearningRate: 3e-3f, Momentum: 0.9f, WeightDecay: 0.05f,
            Schedule: "onecycle", LabelSmoothing: 0f),
    ];

    /// <summary>The models recipes can name besides the model zoo's.</summary>
    public static IReadOnlyList<string> ModelNames { get; } = ["fashion-cnn", "fashion-cnn-small"];

    /// <summary>The recipe called <paramref name="name"/> (case-insensitive).</summary>
    /// <param name="name">A name from <see cref="All"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException">No recipe has that name; the message lists the known ones.</exception>
    public static TrainingRecipe Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return All.FirstOrDefault(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown recipe '{name}'. Known recipes: {string.Join(", ", All.Select(r => r.Name))}.", nameof(name));
    }

    /// <summary>Whether <paramref name="name"/> is one of <see cref="ModelNames"/> (case-insensitive).</summary>
    /// <param name="name">A model name.</param>
    public static bool IsModel(string? name) => name is not null && ModelNames.Contains(name.ToLowerInvariant());

    /// <summary>Builds the recipe model <paramref name="name"/> (see the file header for the layers).</summary>
    /// <param name="name">One of <see cref="ModelNames"/>.</param>
    /// <param name="classes">Output classes K: the logits are (N, K).</param>
    /// <param name="inputShape">(C, H, W) of one image; H and W must be divisible by 4.</param>
    /// <param name="rng">Initialises the weights and seeds the dropout masks.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/>, <paramref name="inputShape"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The name is unknown, the shape is not (C, H, W) with positive C and H, W divisible by 4.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is below 2.</exception>
    public static Module CreateModel(string name, int classes, IReadOnlyList<int> inputShape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (inputShape.Count != 3 || inputShape[0] < 1 || inputShape[1] < 4 || inputShape[2] < 4 || inputShape[1] % 4 != 0 || inputShape[2] % 4 != 0)
            throw new ArgumentException(
                $"Recipe models take (C, H, W) images with H and W divisible by 4; got ({string.Join(", ", inputShape)}).", nameof(inputShape));
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        return name.ToLowerInvariant() switch
        {
            "fashion-cnn" => VggStyle(c, h, w, classes, 32, rng),
            "fashion-cnn-small" => new Sequential(
            [
                .. ConvBn(c, 32, rng), new MaxPool2d(2),
                .. ConvBn(32, 64, rng), new MaxPool2d(2),
                .. ConvBn(64, 128, rng), new GlobalAvgPool(),
                new Dropout(0.3f, rng.Fork()), new Linear(128, classes, rng: rng.Fork()),
            ]),
            _ => throw new ArgumentException($"Unknown recipe model '{name}'. Known: {string.Join(", ", ModelNames)}.", nameof(name)),
        };
    }

    /// <summary>Two stages of two conv-BN-ReLU blocks (width, then 2·width channels), then a 256-unit hidden layer.</summary>
    private static Sequential VggStyle(int c, int h, int w, int classes, int width, Rng rng) => new(
    [
        .. ConvBn(c, width, rng), .. ConvBn(width, width, rng), new MaxPool2d(2), new Dropout2d(0.1f, rng.Fork()),
        .. ConvBn(width, 2 * width, rng), .. ConvBn(2 * width, 2 * width, rng), new MaxPool2d(2), new Dropout2d(0.1f, rng.Fork()),
        new Flatten(), new Linear(2 * width * (h / 4) * (w / 4), 256, bias: false, rng: rng.Fork()), new BatchNorm1d(256), new ReLU(),
        new Dropout(0.4f, rng.Fork()), new Linear(256, classes, rng: rng.Fork()),
    ]);

    /// <summary>conv 3×3 pad 1 without bias → batch norm → ReLU.</summary>
    private static Module[] ConvBn(int inChannels, int outChannels, Rng rng) =>
        [new Conv2d(inChannels, outChannels, 3, padding: 1, bias: false, rng: rng.Fork()), new BatchNorm2d(outChannels), new ReLU()];
}
