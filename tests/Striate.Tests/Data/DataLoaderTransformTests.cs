// DataLoader with a per-sample transform: each sample's randomness comes from (the epoch's transform
// seed, its position in the epoch), so batches are identical with and without prefetching and at any
// thread count; adding a transform does not change the shuffling order; restoring the generator state
// at an epoch's start (resume) reproduces the epoch; output shapes follow the transform.
using Striate.Data;
using Striate.Data.Augmentations;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data;

public class DataLoaderTransformTests
{
    /// <summary>N samples (1, 6, 6): sample i holds i·100 + position, labels i mod 4.</summary>
    private static ClassificationDataset MakeDataset(int count)
    {
        var images = new float[count * 36];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < 36; j++) images[i * 36 + j] = i * 100 + j;
            labels[i] = i % 4;
        }
        return new ClassificationDataset(images, [1, 6, 6], labels);
    }

    private static ITransform Augment() => new Compose(new RandomHorizontalFlip(), new RandomCrop(4, padding: 1), new GaussianNoise(0.01f));

    private static List<float[]> Run(IEnumerable<Batch> batches) => batches.Select(b => b.Images.ToArray()).ToList();

    [Fact]
    public void Transform_BatchShapeFollowsTransform()
    {
        var loader = new DataLoader(MakeDataset(10), batchSize: 4, shuffle: true, rng: new Rng(1), transform: Augment());
        Assert.Equal([1, 4, 4], loader.BatchSampleShape);
        var batches = loader.Epoch().ToList();
        Assert.Equal([4, 1, 4, 4], batches[0].Images.Shape);
        Assert.Equal([2, 1, 4, 4], batches[2].Images.Shape);
        Assert.Equal([1, 6, 6], new DataLoader(MakeDataset(3)).BatchSampleShape);
    }

    [Fact]
    public void Transform_EachSampleUsesTheRngOfItsPosition()
    {
        var dataset = MakeDataset(7);
        var transform = Augment();
        var rng = new Rng(21);
        ulong seed = Transforms.SeedFromState(rng.GetState());
        var order = new Rng(21).Permutation(7);
        var loader = new DataLoader(dataset, batchSize: 3, shuffle: true, rng: rng, transform: transform);
        int position = 0;
        foreach (var batch in loader.Epoch())
        {
            for (int b = 0; b < batch.Count; b++, position++)
            {
                int s = order[position];
                var sample = Tensor.FromArray(dataset.GetImage(s).ToArray(), 1, 6, 6);
                var expected = transform.Apply(sample, Transforms.SampleRng(seed, position));
                AssertTensor.BitIdentical(expected.AsSpan(), batch.Images.AsSpan().Slice(b * 16, 16), $"position {position}");
                Assert.Equal(s % 4, batch.Labels[b]);
            }
        }
        Assert.Equal(7, position);
    }

    [Fact]
    public void Transform_DoesNotChangeTheShufflingOrder()
    {
        var plain = new DataLoader(MakeDataset(20), batchSize: 5, shuffle: true, rng: new Rng(4));
        var normalize = new Normalize([0f], [1f]); // identity values, so samples stay recognisable
        var transformed = new DataLoader(MakeDataset(20), batchSize: 5, shuffle: true, rng: new Rng(4), transform: normalize);
        for (int epoch = 0; epoch < 3; epoch++)
            Assert.Equal(Run(plain.Epoch()), Run(transformed.Epoch()));
    }

    [Fact]
    public void Transform_PrefetchedEqualsPlainAtAnyThreadCount()
    {
        var results = new List<List<float[]>>();
        foreach (int threads in new[] { 1, 2, 5 })
        {
            using var scope = Compute.UseThreads(threads);
            var loader = new DataLoader(MakeDataset(23), batchSize: 6, shuffle: true, rng: new Rng(9), transform: Augment());
            results.Add(Run(loader.Epoch()).Concat(Run(loader.Epoch())).ToList());
            var prefetched = new DataLoader(MakeDataset(23), batchSize: 6, shuffle: true, rng: new Rng(9), transform: Augment());
            results.Add(Run(prefetched.PrefetchedEpoch(depth: 2)).Concat(Run(prefetched.PrefetchedEpoch(depth: 3))).ToList());
        }
        for (int r = 1; r < results.Count; r++)
        {
            Assert.Equal(results[0].Count, results[r].Count);
            for (int b = 0; b < results[0].Count; b++) AssertTensor.BitIdentical(results[0][b], results[r][b], $"run {r}, batch {b}");
        }
    }

    [Fact]
    public void Transform_EpochsDiffer_AndRestoringTheStateRepeatsAnEpoch()
    {
        var rng = new Rng(13);
        var loader = new DataLoader(MakeDataset(8), batchSize: 8, shuffle: true, rng: rng, transform: Augment());
        var first = Run(loader.Epoch());
        var start = rng.GetState();
        var second = Run(loader.Epoch());
        Assert.NotEqual(first[0], second[0]);
        rng.SetState(start);
        Assert.Equal(second, Run(loader.Epoch()));
        rng.SetState(start);
        var resumed = Run(loader.Epoch(firstBatch: 0));
        Assert.Equal(second, resumed);
    }

    [Fact]
    public void Transform_Unshuffled_KeepsOrderAndVariesPerEpoch()
    {
        var loader = new DataLoader(MakeDataset(4), batchSize: 4, rng: new Rng(2), transform: new GaussianNoise(0.1f));
        var a = loader.Epoch().Single();
        var b = loader.Epoch().Single();
        Assert.NotEqual(a.Images.ToArray(), b.Images.ToArray());
        Assert.Equal([0, 1, 2, 3], a.Labels);
        Assert.InRange(a.Images[3, 0, 0, 0], 300 - 1f, 300 + 1f); // sample 3 stays in slot 3
        var again = new DataLoader(MakeDataset(4), batchSize: 4, rng: new Rng(2), transform: new GaussianNoise(0.1f)).Epoch().Single();
        AssertTensor.BitIdentical(a.Images.AsSpan(), again.Images.AsSpan(), "same seed");
    }

    [Fact]
    public void Transform_SingleSampleShuffled_StillVariesPerEpoch()
    {
        var loader = new DataLoader(MakeDataset(1), batchSize: 1, shuffle: true, rng: new Rng(2), transform: new GaussianNoise(0.1f));
        Assert.NotEqual(loader.Epoch().Single().Images.ToArray(), loader.Epoch().Single().Images.ToArray());
    }

    [Fact]
    public void Transform_BadArguments_ThrowNamingTheParameter()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataLoader(MakeDataset(3), transform: new Normalize([0f], [1f])));
        Assert.Equal("rng", e.ParamName);
        var shape = Assert.Throws<ArgumentException>(() => new DataLoader(MakeDataset(3), rng: new Rng(1), transform: new RandomCrop(7)));
        Assert.Equal("transform", shape.ParamName);
        Assert.Contains("(1, 6, 6)", shape.Message);
    }

    private sealed class LyingTransform : ITransform
    {
        public int[] OutputShape(ReadOnlySpan<int> inputShape) => inputShape.ToArray();
        public Tensor Apply(Tensor image, Rng rng) => Tensor.Zeros(1, 2, 2);
    }

    [Fact]
    public void Transform_ThatBreaksItsOutputShape_IsReported()
    {
        var loader = new DataLoader(MakeDataset(3), batchSize: 3, rng: new Rng(1), transform: new LyingTransform());
        var e = Assert.Throws<InvalidOperationException>(() => loader.Epoch().ToList());
        Assert.Contains("promised (1, 6, 6)", e.Message);
    }
}
