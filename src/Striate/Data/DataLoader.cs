// In-memory classification data and mini-batching.
//
//   dataset: images (N, ...sample shape), e.g. (N, C, H, W); labels (N) in [0, classes)
//   batch:   images (B, ...sample shape) copied into a fresh tensor; labels (B); B = batch size,
//            or fewer for the last batch unless dropLast
//
// Shuffling draws one permutation per epoch from the Rng passed in, so a seed fixes the order of
// every epoch while consecutive epochs still differ (PyTorch's DataLoader with a generator).
//
// An optional per-sample transform (augmentation) is applied as batches are built. Its randomness is
// derived, never drawn in build order: each epoch has a transform seed, and the sample at position k
// of the epoch gets Transforms.SampleRng(seed, k). Shuffled, the seed summarises the generator's state
// at the epoch's start without drawing from it, so adding a transform leaves the shuffling order
// unchanged and restoring that state (resume) restores the augmentation too; unshuffled, the seed is
// one draw from the generator. So batches are the same with or without prefetching, at any thread count.
using System.Collections;
using Striate.Data.Augmentations;
using Striate.Kernels.Parallel;

namespace Striate.Data;

/// <summary>
/// An in-memory labelled dataset: one image tensor whose first dimension is the sample index,
/// and one integer class label per sample (PyTorch's <c>TensorDataset(images, labels)</c>).
/// </summary>
public sealed class ClassificationDataset
{
    private readonly int[] _labels;
    private readonly int[] _sampleShape;
    private readonly string[] _classNames;

    /// <summary>Creates a dataset over <paramref name="images"/> without copying it.</summary>
    /// <param name="images">Shape (N, ...sample shape), e.g. (N, 1, 28, 28); the dataset shares its storage.</param>
    /// <param name="labels">N class indices (copied).</param>
    /// <param name="classNames">Optional class names; when given, every label must index into them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> or <paramref name="labels"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="images"/> has rank 0, its first dimension differs from the label count, or a label is
    /// negative or not below the number of class names.
    /// </exception>
    public ClassificationDataset(Tensor images, ReadOnlySpan<int> labels, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank == 0) throw new ArgumentException("The image tensor needs a leading sample dimension; a scalar was given.", nameof(images));
        if (images.Dims[0] != labels.Length)
            throw new ArgumentException(
                $"The image tensor {Tensor.ShapeText(images.Dims)} holds {images.Dims[0]} samples but {labels.Length} labels were given.", nameof(labels));
        _classNames = classNames?.ToArray() ?? [];
        CheckLabels(labels, _classNames.Length);
        Images = images;
        _sampleShape = images.Dims[1..].ToArray();
        _labels = labels.ToArray();
    }

    /// <summary>Creates a dataset from flat row-major sample data (copied).</summary>
    /// <param name="images">N × prod(<paramref name="sampleShape"/>) values, sample after sample.</param>
    /// <param name="sampleShape">The shape of one sample, e.g. (1, 28, 28).</param>
    /// <param name="labels">N class indices (copied).</param>
    /// <param name="classNames">Optional class names; when given, every label must index into them.</param>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> or <paramref name="sampleShape"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The sample shape has a negative dimension, the value count is not label count × sample size,
    /// or a label is out of range.
    /// </exception>
    public ClassificationDataset(float[] images, int[] sampleShape, ReadOnlySpan<int> labels, IReadOnlyList<string>? classNames = null)
        : this(Tensor.FromArray(images, CheckFlat(images, sampleShape, labels.Length)), labels, classNames)
    {
    }

    private static int[] CheckFlat(float[] images, int[] sampleShape, int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(sampleShape);
        long sampleLength = Tensor.CheckShape(sampleShape, nameof(sampleShape));
        if (sampleLength * count != images.Length)
            throw new ArgumentException(
                $"{count} labels of samples shaped {Tensor.ShapeText(sampleShape)} need {sampleLength * count} values but {images.Length} were given.", nameof(images));
        return [count, .. sampleShape];
    }

    private static void CheckLabels(ReadOnlySpan<int> labels, int classCount)
    {
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] < 0 || (classCount > 0 && labels[i] >= classCount))
                throw new ArgumentException(
                    classCount > 0 ? $"Label {labels[i]} at index {i} is outside 0..{classCount - 1} (the {classCount} class names)."
                                   : $"Label {labels[i]} at index {i} is negative.", nameof(labels));
        }
    }

    /// <summary>The number of samples N.</summary>
    public int Count => _labels.Length;

    /// <summary>All images, shape (N, ...<see cref="SampleShape"/>); the dataset's own storage, not a copy.</summary>
    public Tensor Images { get; }

    /// <summary>The class index of each sample, length N.</summary>
    public ReadOnlySpan<int> Labels => _labels;

    /// <summary>The shape of one sample, e.g. (1, 28, 28).</summary>
    public IReadOnlyList<int> SampleShape => _sampleShape;

    /// <summary>The number of values in one sample: the product of <see cref="SampleShape"/>.</summary>
    public int SampleLength => Count == 0 ? SampleLengthOf(_sampleShape) : Images.Length / Count;

    /// <summary>The class names, indexed by label; empty when the dataset was created without them.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>The values of sample <paramref name="index"/> in row-major order.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in [0, N).</exception>
    public ReadOnlySpan<float> GetImage(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        int length = SampleLength;
        return Images.AsSpan().Slice(index * length, length);
    }

    private static int SampleLengthOf(int[] shape)
    {
        int length = 1;
        foreach (int d in shape) length *= d;
        return length;
    }
}

/// <summary>One mini-batch: images (B, ...sample shape) and their B labels, both freshly allocated.</summary>
/// <param name="Images">The batch's images, shape (B, ...sample shape), e.g. (B, 1, 28, 28).</param>
/// <param name="Labels">The batch's class indices, length B; the caller owns the array.</param>
public readonly record struct Batch(Tensor Images, int[] Labels)
{
    /// <summary>The number of samples B in the batch.</summary>
    public int Count => Labels.Length;
}

/// <summary>
/// Yields mini-batches from a <see cref="ClassificationDataset"/>; each enumeration is one epoch
/// (PyTorch's <c>DataLoader(dataset, batch_size, shuffle, drop_last, generator)</c>).
/// </summary>
/// <remarks>
/// In order, batch k holds samples [kB, (k+1)B). Shuffled, each epoch draws a new permutation
/// from the <see cref="Rng"/> given at construction, so the sequence of epochs is fixed by its seed.
/// Each batch copies its samples into a new tensor: callers may keep or modify batches freely.
/// Enumerate one epoch at a time: concurrent enumerations would share the generator.
/// </remarks>
public sealed class DataLoader : IEnumerable<Batch>
{
    private readonly ClassificationDataset _dataset;
    private readonly Rng? _rng;
    private readonly Rng? _transformRng;
    private readonly int[] _batchSampleShape;

    /// <summary>Creates a loader over <paramref name="dataset"/>.</summary>
    /// <param name="dataset">The samples to batch.</param>
    /// <param name="batchSize">Samples per batch B (PyTorch's default is 1).</param>
    /// <param name="shuffle">Whether each epoch visits the samples in a new random order.</param>
    /// <param name="rng">The generator shuffling draws from; required when <paramref name="shuffle"/> is true.</param>
    /// <param name="dropLast">Whether to skip a last batch smaller than <paramref name="batchSize"/>.</param>
    /// <param name="transform">
    /// An optional per-sample transform (augmentation, normalization) applied to each (C, H, W) sample as batches
    /// are built; the dataset itself is not changed. Needs <paramref name="rng"/>; see the file header for how each
    /// sample's randomness is derived from it.
    /// </param>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="shuffle"/> is true or a <paramref name="transform"/> is given but <paramref name="rng"/> is null;
    /// or <paramref name="transform"/> cannot apply to the dataset's sample shape.
    /// </exception>
    public DataLoader(ClassificationDataset dataset, int batchSize = 1, bool shuffle = false, Rng? rng = null, bool dropLast = false,
        ITransform? transform = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (shuffle && rng is null)
            throw new ArgumentException("Shuffling needs a seeded Rng: randomness is passed in so runs are reproducible.", nameof(rng));
        if (transform is not null && rng is null)
            throw new ArgumentException("A transform needs a seeded Rng: augmentation randomness is passed in so runs are reproducible.", nameof(rng));
        _dataset = dataset;
        _rng = shuffle ? rng : null;
        BatchSize = batchSize;
        DropLast = dropLast;
        Transform = transform;
        _batchSampleShape = [.. dataset.SampleShape];
        if (transform is not null)
        {
            _transformRng = rng;
            try
            {
                _batchSampleShape = transform.OutputShape(_batchSampleShape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException(
                    $"The transform {transform} cannot apply to this dataset's samples shaped {Tensor.ShapeText([.. dataset.SampleShape])}: {e.Message}", nameof(transform), e);
            }
        }
    }

    /// <summary>The dataset batches are drawn from.</summary>
    public ClassificationDataset Dataset => _dataset;

    /// <summary>Samples per full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether each epoch is shuffled.</summary>
    public bool Shuffle => _rng is not null;

    /// <summary>Whether a last, partial batch is skipped.</summary>
    public bool DropLast { get; }

    /// <summary>The per-sample transform applied while building batches, or <see langword="null"/>.</summary>
    public ITransform? Transform { get; }

    /// <summary>The shape of one sample in a batch: the dataset's sample shape, or the transform's output shape for it.</summary>
    public IReadOnlyList<int> BatchSampleShape => _batchSampleShape;

    /// <summary>Batches per epoch: ⌊N / B⌋ with <see cref="DropLast"/>, ⌈N / B⌉ without.</summary>
    public int BatchCount => DropLast ? _dataset.Count / BatchSize : (int)(((long)_dataset.Count + BatchSize - 1) / BatchSize);

    /// <summary>Runs one epoch: draws the epoch's order (a new permutation when shuffling), then yields its batches.</summary>
    public IEnumerator<Batch> GetEnumerator() => Epoch().GetEnumerator();

    /// <summary>
    /// One epoch starting at batch <paramref name="firstBatch"/>: the order is drawn exactly as for a whole
    /// epoch (so a run resumed mid-epoch with the generator restored to the epoch's start sees the same
    /// batches), and the first batches are skipped without being built.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="firstBatch"/> is negative or beyond <see cref="BatchCount"/>.</exception>
    public IEnumerable<Batch> Epoch(int firstBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstBatch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstBatch, BatchCount);
        return EpochFrom(firstBatch);
    }

    /// <summary>
    /// Like <see cref="Epoch"/>, but a background task builds up to <paramref name="depth"/> batches ahead
    /// while the caller trains on the current one. The batches and their order are identical to
    /// <see cref="Epoch"/>'s. Leaving the loop early stops the background task.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="depth"/> is not positive, or <paramref name="firstBatch"/> is out of range.</exception>
    public IEnumerable<Batch> PrefetchedEpoch(int depth = 2, int firstBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(depth);
        var batches = Epoch(firstBatch);
        return Prefetch(batches, depth);
    }

    private static IEnumerable<Batch> Prefetch(IEnumerable<Batch> source, int depth)
    {
        var channel = System.Threading.Channels.Channel.CreateBounded<Batch>(new System.Threading.Channels.BoundedChannelOptions(depth)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            try
            {
                foreach (var batch in source)
                    await channel.Writer.WriteAsync(batch, stop.Token).ConfigureAwait(false);
                channel.Writer.Complete();
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e); // surfaces on the consumer's thread
            }
        });
        try
        {
            while (true)
            {
                Batch next;
                try
                {
                    if (!channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult()) break;
                    if (!channel.Reader.TryRead(out next)) continue;
                }
                catch (System.Threading.Channels.ChannelClosedException e) when (e.InnerException is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
                    throw;
                }
                yield return next;
            }
        }
        finally
        {
            stop.Cancel();
            producer.Wait();
        }
    }

    private IEnumerable<Batch> EpochFrom(int firstBatch)
    {
        int count = _dataset.Count;
        ulong transformSeed = Transform is null ? 0 : NextTransformSeed();
        int[]? order = _rng?.Permutation(count);
        int sampleLength = _dataset.SampleLength;
        int batches = BatchCount;
        for (int b = firstBatch; b < batches; b++)
        {
            int start = b * BatchSize;
            int size = Math.Min(BatchSize, count - start);
            yield return Transform is null ? MakeBatch(order, start, size, sampleLength) : MakeTransformedBatch(order, start, size, sampleLength, transformSeed);
        }
    }

    /// <summary>
    /// The epoch's transform seed. Shuffled: a digest of the generator's state before the permutation is drawn
    /// (no draw, so the order is the one an untransformed loader would produce); when the permutation draws nothing
    /// (fewer than two samples) one draw moves the state on so that the next epoch's augmentation differs.
    /// Unshuffled: one draw from the generator, which nothing else uses.
    /// </summary>
    private ulong NextTransformSeed()
    {
        if (_rng is null) return _transformRng!.NextUInt64();
        ulong seed = Transforms.SeedFromState(_rng.GetState());
        if (_dataset.Count < 2) _rng.NextUInt64();
        return seed;
    }

    private Batch MakeBatch(int[]? order, int start, int size, int sampleLength)
    {
        var images = GC.AllocateUninitializedArray<float>(checked(size * sampleLength)); // every sample is copied in
        var labels = new int[size];
        ReadOnlySpan<float> source = _dataset.Images.AsSpan();
        ReadOnlySpan<int> sourceLabels = _dataset.Labels;
        for (int i = 0; i < size; i++)
        {
            int s = order is null ? start + i : order[start + i];
            source.Slice(s * sampleLength, sampleLength).CopyTo(images.AsSpan(i * sampleLength, sampleLength));
            labels[i] = sourceLabels[s];
        }
        int[] shape = [size, .. _dataset.SampleShape];
        return new Batch(Tensor.Wrap(images, shape), labels);
    }

    /// <summary>
    /// A batch whose samples went through <see cref="Transform"/>, each with the generator for its position in the
    /// epoch. Samples are transformed in parallel (up to <see cref="Compute.Threads"/>); each writes only its own slot.
    /// </summary>
    private Batch MakeTransformedBatch(int[]? order, int start, int size, int sampleLength, ulong transformSeed)
    {
        int outLength = 1;
        foreach (int d in _batchSampleShape) outLength *= d;
        var images = new float[(long)size * outLength];
        var labels = new int[size];
        ReadOnlySpan<int> sourceLabels = _dataset.Labels;
        for (int i = 0; i < size; i++) labels[i] = sourceLabels[order is null ? start + i : order[start + i]];
        var body = new TransformBody(this, order, start, sampleLength, outLength, transformSeed, images);
        try
        {
            ParallelFor.Run(size, Compute.Threads, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count >= 1)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
            throw;
        }
        int[] shape = [size, .. _batchSampleShape];
        return new Batch(Tensor.Wrap(images, shape), labels);
    }

    private readonly struct TransformBody(DataLoader loader, int[]? order, int start, int sampleLength, int outLength, ulong seed, float[] images)
        : IParallelBody
    {
        public void Invoke(int first, int end)
        {
            var dataset = loader._dataset;
            int[] sampleShape = [.. dataset.SampleShape];
            for (int i = first; i < end; i++)
            {
                int s = order is null ? start + i : order[start + i];
                var sample = Tensor.Wrap(dataset.Images.AsSpan().Slice(s * sampleLength, sampleLength).ToArray(), sampleShape);
                var result = loader.Transform!.Apply(sample, Transforms.SampleRng(seed, start + i));
                if (result.Length != outLength || !result.Dims.SequenceEqual(loader._batchSampleShape))
                    throw new InvalidOperationException(
                        $"The transform {loader.Transform} returned {Tensor.ShapeText(result.Dims)} for sample {s}; its OutputShape promised {Tensor.ShapeText(loader._batchSampleShape)}.");
                result.AsSpan().CopyTo(images.AsSpan(i * outLength, outLength));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
