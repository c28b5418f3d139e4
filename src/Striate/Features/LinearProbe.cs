// Training only a linear classifier on fixed features: the last step of random features and of
// k-means features (Coates et al. 2011), where the features are computed once and the classifier is
// trained on them, never running the feature extractor again.
//   features: φ = flatten(extractor(x))                        x: (N, C, H, W)  φ: (N, D)
//   standardise: φ̂_j = (φ_j − μ_j)/σ_j over the training set  (0 where σ_j ≤ 1e-6·max σ + 1e-12: a constant feature)
//   classifier: logits = W φ̂ + b, trained with cross-entropy by Adam on mini-batches
//   folded: logits = (W/σ) φ + (b − W(μ/σ)), a plain Linear on the raw features
using Striate.Autograd;
using Striate.Data;
using Striate.Layers;
using Striate.Training;

namespace Striate.Features;

/// <summary>Settings of <see cref="LinearProbe.Train"/>.</summary>
public sealed record LinearProbeOptions
{
    /// <summary>Passes over the training features.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>Examples per Adam step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate.</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>L2 weight decay on the (standardised) classifier.</summary>
    public float WeightDecay { get; init; } = 1e-4f;
}

/// <summary>Fixed feature extraction and a linear classifier trained on the extracted features.</summary>
public static class LinearProbe
{
    /// <summary>
    /// φ = flatten(extractor(x)) for every image, in evaluation mode without recording gradients, a batch at a time.
    /// </summary>
    /// <param name="extractor">Maps (B, C, H, W) to (B, ...) features.</param>
    /// <param name="images">(N, C, H, W).</param>
    /// <param name="batchSize">Images per forward pass.</param>
    /// <returns>(N, D).</returns>
    /// <exception cref="ArgumentException">The images are not (N, C, H, W) with N ≥ 1 (<c>images</c>), or the extractor rejects them.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public static Tensor ExtractFeatures(Module extractor, Tensor images, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(extractor);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (images.Rank != 4 || images.Dims[0] < 1)
            throw new ArgumentException($"The images must be (N, C, H, W) with N ≥ 1; got {Tensor.ShapeText(images.Dims)}.", nameof(images));
        int n = images.Dims[0], sample = images.Length / n;
        bool wasTraining = extractor.IsTraining;
        extractor.Eval();
        try
        {
            using var noGrad = GradMode.NoGrad();
            float[]? features = null;
            int dim = 0;
            ReadOnlySpan<float> source = images.AsSpan();
            for (int first = 0; first < n; first += batchSize)
            {
                int count = Math.Min(batchSize, n - first);
                var batch = Tensor.FromArray(source.Slice(first * sample, count * sample).ToArray(), [count, .. images.Dims[1..]]);
                var output = extractor.Forward(batch);
                if (output.Rank < 1 || output.Dims[0] != count)
                    throw new ArgumentException($"The extractor must keep the batch dimension; it mapped {Tensor.ShapeText(batch.Dims)} to {Tensor.ShapeText(output.Dims)}.", nameof(extractor));
                if (features is null)
                {
                    dim = output.Length / count;
                    features = new float[(long)n * dim <= Array.MaxLength ? n * dim : throw new ArgumentException($"{n}×{dim} features do not fit in one array.", nameof(images))];
                }
                output.AsSpan().CopyTo(features.AsSpan(first * dim, count * dim));
            }
            return Tensor.FromArray(features!, n, dim);
        }
        finally
        {
            extractor.Train(wasTraining);
        }
    }

    /// <summary>
    /// Trains logits = W φ̂ + b on standardised features with cross-entropy (Adam, shuffled mini-batches) and returns the
    /// classifier with the standardisation folded in, so it takes the raw features.
    /// </summary>
    /// <param name="features">(N, D) training features.</param>
    /// <param name="labels">N labels in [0, classes).</param>
    /// <param name="classes">Number of classes, at least 2.</param>
    /// <param name="rng">Initialisation and shuffling.</param>
    /// <param name="options">The settings; <see cref="LinearProbeOptions"/>'s defaults when null.</param>
    /// <returns>A Linear(D, classes) on raw features.</returns>
    /// <exception cref="ArgumentException">The features are not (N, D) with N ≥ 1 (<c>features</c>), the label count differs or a label is out of range (<c>labels</c>), or a setting is out of range (<c>options</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classes"/> is less than 2.</exception>
    public static Linear Train(Tensor features, ReadOnlySpan<int> labels, int classes, Rng rng, LinearProbeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        var o = options ?? new LinearProbeOptions();
        if (o.Epochs < 1 || o.BatchSize < 1 || !(o.LearningRate > 0) || !float.IsFinite(o.LearningRate) || !(o.WeightDecay >= 0))
            throw new ArgumentException($"Invalid linear probe settings: {o}.", nameof(options));
        if (features.Rank != 2 || features.Dims[0] < 1)
            throw new ArgumentException($"The features must be (N, D) with N ≥ 1; got {Tensor.ShapeText(features.Dims)}.", nameof(features));
        int n = features.Dims[0], d = features.Dims[1];
        if (labels.Length != n) throw new ArgumentException($"{n} feature rows but {labels.Length} labels.", nameof(labels));
        foreach (int label in labels)
            if ((uint)label >= (uint)classes) throw new ArgumentException($"Label {label} is outside [0, {classes}).", nameof(labels));

        var (mean, scale) = Standardization(features.AsSpan(), n, d);
        var standardized = features.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) standardized[i * d + j] = (float)((standardized[i * d + j] - mean[j]) * scale[j]);
        var dataset = new ClassificationDataset(standardized, [d], labels);
        var classifier = new Linear(d, classes, rng: rng.Fork());
        var optimizer = new Adam(classifier.Parameters(), o.LearningRate, weightDecay: o.WeightDecay);
        var loader = new DataLoader(dataset, o.BatchSize, shuffle: true, rng: rng.Fork());
        classifier.Train();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
            foreach (var batch in loader.Epoch())
            {
                var loss = Functional.CrossEntropy(classifier.Forward(batch.Images), batch.Labels);
                optimizer.ZeroGrad();
                loss.Backward();
                optimizer.Step();
            }

        // Fold the standardisation into the layer: W' = W/σ, b' = b − Σ_j W_j μ_j/σ_j.
        var folded = new Linear(d, classes, rng: new Rng(0));
        ReadOnlySpan<float> w = classifier.Weight.AsSpan(), b = classifier.Bias!.AsSpan();
        Span<float> fw = folded.Weight.AsSpan(), fb = folded.Bias!.AsSpan();
        for (int k = 0; k < classes; k++)
        {
            double shift = 0;
            for (int j = 0; j < d; j++)
            {
                fw[k * d + j] = (float)(w[k * d + j] * scale[j]);
                shift += w[k * d + j] * scale[j] * mean[j];
            }
            fb[k] = (float)(b[k] - shift);
        }
        return folded;
    }

    /// <summary>The fraction of rows whose largest logit is at their label.</summary>
    /// <param name="classifier">Maps (N, D) features to (N, classes) logits.</param>
    /// <param name="features">(N, D).</param>
    /// <param name="labels">N labels.</param>
    /// <returns>Accuracy in [0, 1].</returns>
    /// <exception cref="ArgumentException">The label count differs from the feature rows (<c>labels</c>), or the classifier rejects the features.</exception>
    public static double Accuracy(Module classifier, Tensor features, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(classifier);
        ArgumentNullException.ThrowIfNull(features);
        if (features.Rank < 1 || labels.Length != features.Dims[0])
            throw new ArgumentException($"{(features.Rank < 1 ? 0 : features.Dims[0])} feature rows but {labels.Length} labels.", nameof(labels));
        if (labels.Length == 0) return 0;
        using var noGrad = GradMode.NoGrad();
        var logits = classifier.Forward(features);
        return (double)Trainer.CountCorrect(logits, labels) / labels.Length;
    }

    private static (double[] Mean, double[] Scale) Standardization(ReadOnlySpan<float> x, int n, int d)
    {
        var mean = new double[d];
        var variance = new double[d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) mean[j] += x[i * d + j];
        for (int j = 0; j < d; j++) mean[j] /= n;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double c = x[i * d + j] - mean[j];
                variance[j] += c * c;
            }
        double largest = 0;
        for (int j = 0; j < d; j++) largest = Math.Max(largest, Math.Sqrt(variance[j] / n));
        // A (nearly) constant feature, e.g. a dead ReLU, carries no information on the training set: it gets scale 0
        // rather than 1/σ, which would blow up whatever tiny difference it shows on new data.
        double floor = 1e-6 * largest + 1e-12;
        var scale = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sigma = Math.Sqrt(variance[j] / n);
            scale[j] = sigma > floor ? 1 / sigma : 0;
        }
        return (mean, scale);
    }
}
