// Random features (the chapter, §9.9; Jarrett et al. 2009, Saxe et al. 2011): convolutional layers left
// at their random initialisation, only the classifier on top trained. The chapter's recipe for choosing
// an architecture cheaply:
//   1. build several randomly initialised networks (architectures × seeds) and train only the top layer;
//   2. pick the best (on held-out data) and then train the entire network.
// The candidates here are small conv stacks  conv(C→w, k×k, pad k/2) → ReLU → max-pool 2
//                                            → conv(w→2w, k×k, pad k/2) → ReLU → max-pool 2,
// features = flatten of the last map (2w·⌊⌊H/2⌋/2⌋·⌊⌊W/2⌋/2⌋ values), classifier Linear(features, classes).
using System.Globalization;
using Striate.Data;
using Striate.Layers;

namespace Striate.Features;

/// <summary>A named way to build a random feature extractor for C input channels.</summary>
/// <param name="Name">Shown in the sweep's results, e.g. <c>conv32-k5</c>.</param>
/// <param name="Build">Builds the extractor (input channels, initialisation randomness).</param>
public sealed record FeatureArchitecture(string Name, Func<int, Rng, Sequential> Build);

/// <summary>One trained candidate of a <see cref="RandomFeatures.Sweep"/>.</summary>
/// <param name="Architecture">The candidate's architecture name.</param>
/// <param name="Seed">The initialisation seed.</param>
/// <param name="ValidationAccuracy">Accuracy of its trained classifier on the validation images.</param>
/// <param name="Features">The frozen random extractor.</param>
/// <param name="Classifier">The trained classifier on its flattened features.</param>
public sealed record RandomFeatureCandidate(string Architecture, ulong Seed, double ValidationAccuracy, Sequential Features, Linear Classifier)
{
    /// <summary>The whole network, Sequential(features, Flatten, classifier), ready to be evaluated or (after <see cref="RandomFeatures.Unfreeze"/>) fine-tuned.</summary>
    public Sequential ToNetwork() => new(Features, new Flatten(), Classifier);
}

/// <summary>Random convolutional features with a trained classifier, and the sweep that picks the best random network.</summary>
public static class RandomFeatures
{
    /// <summary>
    /// conv(C→w, k×k, pad k/2) → ReLU → max-pool 2 → conv(w→2w, k×k, pad k/2) → ReLU → max-pool 2: the stack whose
    /// random and trained versions the chapter compares. Weights start as <see cref="Conv2d"/>'s default (PyTorch's) init.
    /// </summary>
    /// <param name="inChannels">C.</param>
    /// <param name="width">w, filters of the first convolution (the second has 2w).</param>
    /// <param name="kernelSize">k, odd.</param>
    /// <param name="rng">Initialisation randomness.</param>
    /// <returns>(N, C, H, W) → (N, 2w, ⌊⌊H/2⌋/2⌋, ⌊⌊W/2⌋/2⌋).</returns>
    /// <exception cref="ArgumentOutOfRangeException">inChannels or width is not positive, or kernelSize is not a positive odd number.</exception>
    public static Sequential ConvStack(int inChannels, int width, int kernelSize, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (kernelSize < 1 || kernelSize % 2 == 0) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The kernel size must be a positive odd number.");
        int pad = kernelSize / 2;
        return new Sequential(
            new Conv2d(inChannels, width, kernelSize, padding: pad, rng: rng), new ReLU(), new MaxPool2d(2),
            new Conv2d(width, 2 * width, kernelSize, padding: pad, rng: rng), new ReLU(), new MaxPool2d(2));
    }

    /// <summary>The default candidates of a sweep: widths 16 and 32 × kernel sizes 3 and 5 of <see cref="ConvStack"/>.</summary>
    public static IReadOnlyList<FeatureArchitecture> DefaultArchitectures { get; } =
    [
        .. from width in new[] { 16, 32 }
           from k in new[] { 3, 5 }
           select new FeatureArchitecture(string.Create(CultureInfo.InvariantCulture, $"conv{width}-k{k}"), (c, rng) => ConvStack(c, width, k, rng)),
    ];

    /// <summary>Marks every parameter of <paramref name="module"/> as trainable again (the chapter's step 2: train the entire network).</summary>
    /// <param name="module">The network to unfreeze.</param>
    /// <returns>The same module.</returns>
    public static T Unfreeze<T>(T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        foreach (var p in module.Parameters()) p.RequiresGrad = true;
        return module;
    }

    /// <summary>
    /// Freezes a random extractor, computes its features for the training images once and trains only a linear classifier on them.
    /// </summary>
    /// <param name="features">The extractor; its parameters are frozen (no longer require a gradient).</param>
    /// <param name="train">The training images and labels.</param>
    /// <param name="rng">The classifier's initialisation and shuffling.</param>
    /// <param name="options">The classifier's training settings.</param>
    /// <returns>The classifier on the flattened features.</returns>
    /// <exception cref="ArgumentException">The dataset is empty or its images are not (C, H, W) (<c>train</c>), or the extractor rejects them.</exception>
    public static Linear TrainClassifier(Sequential features, ClassificationDataset train, Rng rng, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(rng);
        if (train.Count == 0 || train.SampleShape.Count != 3)
            throw new ArgumentException($"The training set must hold (C, H, W) images; it has {train.Count} of shape ({string.Join(", ", train.SampleShape)}).", nameof(train));
        ClassicKernels.Freeze(features);
        var phi = LinearProbe.ExtractFeatures(features, train.Images);
        return LinearProbe.Train(phi, train.Labels, ClassCount(train), rng, options);
    }

    /// <summary>
    /// The chapter's sweep: for every architecture and each of <paramref name="seedsPerArchitecture"/> seeds, a random
    /// network whose classifier alone is trained on <paramref name="train"/>; each is scored on <paramref name="validation"/>.
    /// Candidates are returned best first (ties: in sweep order); the best is step 2's network to train whole.
    /// </summary>
    /// <param name="train">Images the classifiers are trained on.</param>
    /// <param name="validation">Held-out images that rank the candidates (never the test set).</param>
    /// <param name="architectures">The candidates; <see cref="DefaultArchitectures"/> when null.</param>
    /// <param name="seedsPerArchitecture">Random initialisations per architecture, at least 1.</param>
    /// <param name="rng">Draws the seeds and the classifiers' randomness.</param>
    /// <param name="options">The classifiers' training settings.</param>
    /// <returns>All candidates, best validation accuracy first.</returns>
    /// <exception cref="ArgumentException">A dataset is empty or not (C, H, W) images of the same shape (named), or no architecture is given (<c>architectures</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seedsPerArchitecture"/> is not positive.</exception>
    public static IReadOnlyList<RandomFeatureCandidate> Sweep(ClassificationDataset train, ClassificationDataset validation,
        IReadOnlyList<FeatureArchitecture>? architectures, int seedsPerArchitecture, Rng rng, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(seedsPerArchitecture);
        architectures ??= DefaultArchitectures;
        if (architectures.Count == 0) throw new ArgumentException("The sweep needs at least one architecture.", nameof(architectures));
        if (train.Count == 0 || train.SampleShape.Count != 3)
            throw new ArgumentException($"The training set must hold (C, H, W) images; it has {train.Count} of shape ({string.Join(", ", train.SampleShape)}).", nameof(train));
        if (validation.Count == 0 || !validation.SampleShape.SequenceEqual(train.SampleShape))
            throw new ArgumentException($"The validation set must hold images shaped like the training set's ({string.Join(", ", train.SampleShape)}); it has {validation.Count} of shape ({string.Join(", ", validation.SampleShape)}).", nameof(validation));
        int channels = train.SampleShape[0];
        var results = new List<RandomFeatureCandidate>();
        foreach (var architecture in architectures)
            for (int s = 0; s < seedsPerArchitecture; s++)
            {
                ulong seed = rng.NextUInt64();
                var features = architecture.Build(channels, new Rng(seed));
                var classifier = TrainClassifier(features, train, rng.Fork(), options);
                double accuracy = LinearProbe.Accuracy(classifier, LinearProbe.ExtractFeatures(features, validation.Images), validation.Labels);
                results.Add(new RandomFeatureCandidate(architecture.Name, seed, accuracy, features, classifier));
            }
        // A stable sort: equal accuracies keep the sweep order.
        return [.. results.Select((r, i) => (r, i)).OrderByDescending(t => t.r.ValidationAccuracy).ThenBy(t => t.i).Select(t => t.r)];
    }

    /// <summary>The number of classes: the dataset's class names, or one more than its largest label (at least 2).</summary>
    internal static int ClassCount(ClassificationDataset data)
    {
        int largest = 0;
        foreach (int label in data.Labels) largest = Math.Max(largest, label);
        return Math.Max(2, Math.Max(data.ClassNames.Count, largest + 1));
    }
}
