// DataLoader: in order, shuffled (one permutation per epoch from the passed-in Rng), partial and
// dropped last batches, batch shapes and values, and argument checks. Sample i's values are
// i·100 + j, so every batch element says which sample and which position it came from.
using Striate.Data;

namespace Striate.Tests.Data;

public class DataLoaderTests
{
    private static readonly int[] SampleShape = [1, 2, 3];
    private const int SampleLength = 6;

    /// <summary>N samples shaped (1, 2, 3) with value i·100 + j and label i mod 3.</summary>
    private static ClassificationDataset MakeDataset(int count)
    {
        var images = new float[count * SampleLength];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            for (int j = 0; j < SampleLength; j++) images[i * SampleLength + j] = i * 100 + j;
            labels[i] = i % 3;
        }
        return new ClassificationDataset(images, SampleShape, labels, ["a", "b", "c"]);
    }

    /// <summary>The sample indices of a batch, read back from its values, after checking every value.</summary>
    private static int[] SampleIndices(Batch batch)
    {
        var values = batch.Images.AsSpan();
        var indices = new int[batch.Count];
        for (int b = 0; b < batch.Count; b++)
        {
            int sample = (int)values[b * SampleLength] / 100;
            for (int j = 0; j < SampleLength; j++)
                Assert.True(values[b * SampleLength + j] == sample * 100 + j,
                    $"batch item {b}, element {j}: expected {sample * 100 + j}, got {values[b * SampleLength + j]}");
            Assert.Equal(sample % 3, batch.Labels[b]);
            indices[b] = sample;
        }
        return indices;
    }

    [Fact]
    public void Enumerate_InOrder_YieldsConsecutiveBatchesWithPartialLast()
    {
        var loader = new DataLoader(MakeDataset(10), batchSize: 4);

        var batches = loader.ToList();

        Assert.Equal(3, loader.BatchCount);
        Assert.Equal(3, batches.Count);
        Assert.Equal([4, 1, 2, 3], batches[0].Images.Shape);
        Assert.Equal([2, 1, 2, 3], batches[2].Images.Shape);
        Assert.Equal([0, 1, 2, 3], SampleIndices(batches[0]));
        Assert.Equal([4, 5, 6, 7], SampleIndices(batches[1]));
        Assert.Equal([8, 9], SampleIndices(batches[2]));
        Assert.Equal([2, 0], batches[2].Labels);
        Assert.Equal(905f, batches[2].Images[1, 0, 1, 2]);
    }

    [Fact]
    public void Enumerate_DropLast_SkipsPartialBatch()
    {
        var loader = new DataLoader(MakeDataset(10), batchSize: 4, dropLast: true);

        var batches = loader.ToList();

        Assert.Equal(2, loader.BatchCount);
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(4, b.Count));
        Assert.Equal([4, 5, 6, 7], SampleIndices(batches[1]));
    }

    [Fact]
    public void Enumerate_DropLastWithExactMultiple_KeepsEveryBatch()
    {
        var loader = new DataLoader(MakeDataset(8), batchSize: 4, dropLast: true);
        Assert.Equal(2, loader.BatchCount);
        Assert.Equal(Enumerable.Range(0, 8), loader.SelectMany(SampleIndices));
    }

    [Fact]
    public void Enumerate_Shuffled_CoversEverySampleOncePerEpoch()
    {
        var loader = new DataLoader(MakeDataset(23), batchSize: 5, shuffle: true, rng: new Rng(7));

        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = loader.SelectMany(SampleIndices).ToArray();
            Assert.Equal(23, seen.Length);
            Assert.Equal(Enumerable.Range(0, 23), seen.Order());
        }
    }

    [Fact]
    public void Enumerate_Shuffled_FollowsOnePermutationPerEpochFromTheRng()
    {
        var loader = new DataLoader(MakeDataset(23), batchSize: 5, shuffle: true, rng: new Rng(42));
        var reference = new Rng(42);

        var epoch1 = loader.SelectMany(SampleIndices).ToArray();
        var epoch2 = loader.SelectMany(SampleIndices).ToArray();

        Assert.Equal(reference.Permutation(23), epoch1);
        Assert.Equal(reference.Permutation(23), epoch2);
        Assert.NotEqual(epoch1, epoch2);
        Assert.NotEqual(Enumerable.Range(0, 23), epoch1);
    }

    [Fact]
    public void Enumerate_ShuffledSameSeed_GivesIdenticalBatchesAcrossRuns()
    {
        var a = new DataLoader(MakeDataset(17), batchSize: 4, shuffle: true, rng: new Rng(3));
        var b = new DataLoader(MakeDataset(17), batchSize: 4, shuffle: true, rng: new Rng(3));
        var c = new DataLoader(MakeDataset(17), batchSize: 4, shuffle: true, rng: new Rng(4));

        for (int epoch = 0; epoch < 2; epoch++)
        {
            var batchesA = a.ToList();
            var batchesB = b.ToList();
            Assert.Equal(batchesA.Count, batchesB.Count);
            for (int i = 0; i < batchesA.Count; i++)
            {
                Assert.Equal(batchesA[i].Images.ToArray(), batchesB[i].Images.ToArray());
                Assert.Equal(batchesA[i].Labels, batchesB[i].Labels);
            }
            Assert.NotEqual(batchesA.SelectMany(SampleIndices), c.SelectMany(SampleIndices));
        }
    }

    [Fact]
    public void Enumerate_ShuffledDropLast_DropsTheTailOfThePermutation()
    {
        var loader = new DataLoader(MakeDataset(10), batchSize: 4, shuffle: true, rng: new Rng(9), dropLast: true);

        var seen = loader.SelectMany(SampleIndices).ToArray();

        Assert.Equal(new Rng(9).Permutation(10)[..8], seen);
    }

    [Fact]
    public void Batch_IsACopy_ModifyingItLeavesTheDatasetUnchanged()
    {
        var dataset = MakeDataset(4);
        var loader = new DataLoader(dataset, batchSize: 2);

        var first = loader.First();
        first.Images.AsSpan().Fill(-1f);
        first.Labels[0] = 2;

        Assert.Equal(0f, dataset.GetImage(0)[0]);
        Assert.Equal(105f, dataset.GetImage(1)[5]);
        Assert.Equal(0, dataset.Labels[0]);
        Assert.Equal([0, 1], SampleIndices(loader.First()));
    }

    [Fact]
    public void Enumerate_EmptyDataset_YieldsNothing()
    {
        var loader = new DataLoader(MakeDataset(0), batchSize: 3, shuffle: true, rng: new Rng(1));
        Assert.Equal(0, loader.BatchCount);
        Assert.Empty(loader);
    }

    [Fact]
    public void Enumerate_BatchLargerThanDataset_YieldsOneBatch()
    {
        var batches = new DataLoader(MakeDataset(3), batchSize: 64).ToList();
        Assert.Single(batches);
        Assert.Equal([3, 1, 2, 3], batches[0].Images.Shape);
        Assert.Empty(new DataLoader(MakeDataset(3), batchSize: 64, dropLast: true));
    }

    [Fact]
    public void Constructor_ShuffleWithoutRng_ThrowsNamingRng()
    {
        var ex = Assert.Throws<ArgumentException>(() => new DataLoader(MakeDataset(4), batchSize: 2, shuffle: true));
        Assert.Equal("rng", ex.ParamName);
    }

    [Fact]
    public void Constructor_NonPositiveBatchSize_ThrowsNamingBatchSize()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(MakeDataset(4), batchSize: 0));
        Assert.Equal("batchSize", ex.ParamName);
    }

    [Fact]
    public void Dataset_FromTensor_SharesStorageAndReportsShapes()
    {
        var images = Tensor.FromArray([1, 2, 3, 4, 5, 6, 7, 8], 2, 1, 2, 2);
        var dataset = new ClassificationDataset(images, [1, 0]);

        Assert.Same(images, dataset.Images);
        Assert.Equal(2, dataset.Count);
        Assert.Equal([1, 2, 2], dataset.SampleShape);
        Assert.Equal(4, dataset.SampleLength);
        Assert.Equal([5f, 6f, 7f, 8f], dataset.GetImage(1).ToArray());
        Assert.Empty(dataset.ClassNames);
    }

    [Fact]
    public void Dataset_FromFlatArray_CopiesTheArray()
    {
        float[] values = [1, 2, 3, 4];
        var dataset = new ClassificationDataset(values, [2], [0, 1]);
        values[0] = 99;

        Assert.Equal([2, 2], dataset.Images.Shape);
        Assert.Equal(1f, dataset.GetImage(0)[0]);
    }

    [Fact]
    public void Dataset_LabelCountDiffersFromImages_ThrowsNamingLabels()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ClassificationDataset(Tensor.Zeros(3, 1, 2, 2), [0, 1]));
        Assert.Equal("labels", ex.ParamName);
        Assert.Contains("(3, 1, 2, 2) holds 3 samples but 2 labels", ex.Message);
    }

    [Fact]
    public void Dataset_FlatLengthWrong_ThrowsNamingImages()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ClassificationDataset(new float[7], [1, 2, 2], [0, 1]));
        Assert.Equal("images", ex.ParamName);
        Assert.Contains("need 8 values but 7 were given", ex.Message);
    }

    [Fact]
    public void Dataset_LabelOutsideClassNames_ThrowsWithIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ClassificationDataset(Tensor.Zeros(2, 1), [0, 2], ["x", "y"]));
        Assert.Equal("labels", ex.ParamName);
        Assert.Contains("Label 2 at index 1 is outside 0..1", ex.Message);
        Assert.Throws<ArgumentException>(() => new ClassificationDataset(Tensor.Zeros(1, 1), [-1]));
    }

    [Fact]
    public void Dataset_GetImageOutOfRange_Throws()
    {
        var dataset = MakeDataset(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = dataset.GetImage(2); });
        Assert.Throws<ArgumentOutOfRangeException>(() => { _ = dataset.GetImage(-1); });
    }
}

public class DataLoaderPrefetchTests
{
    private static ClassificationDataset Dataset(int count)
    {
        var images = new float[count * 4];
        for (int i = 0; i < images.Length; i++) images[i] = i;
        return new ClassificationDataset(images, [1, 2, 2], Enumerable.Range(0, count).Select(i => i % 3).ToArray());
    }

    [Fact]
    public void PrefetchedEpoch_SameBatchesInTheSameOrderAsEpoch()
    {
        var plain = new DataLoader(Dataset(37), batchSize: 5, shuffle: true, rng: new Rng(4));
        var prefetched = new DataLoader(Dataset(37), batchSize: 5, shuffle: true, rng: new Rng(4));

        for (int epoch = 0; epoch < 2; epoch++)
        {
            var a = plain.Epoch().ToList();
            var b = prefetched.PrefetchedEpoch(depth: 3).ToList();
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++)
            {
                Assert.Equal(a[i].Labels, b[i].Labels);
                Assert.Equal(a[i].Images.ToArray(), b[i].Images.ToArray());
            }
        }
    }

    [Fact]
    public void PrefetchedEpoch_FromAMidEpochBatch_MatchesTheTailOfTheEpoch()
    {
        var a = new DataLoader(Dataset(20), batchSize: 3, shuffle: true, rng: new Rng(8)).Epoch().Skip(4).ToList();
        var b = new DataLoader(Dataset(20), batchSize: 3, shuffle: true, rng: new Rng(8)).PrefetchedEpoch(firstBatch: 4).ToList();

        Assert.Equal(a.Select(x => x.Labels), b.Select(x => x.Labels));
    }

    [Fact]
    public void PrefetchedEpoch_LeftEarly_StopsWithoutHanging()
    {
        var loader = new DataLoader(Dataset(1000), batchSize: 1, shuffle: false);

        var first = loader.PrefetchedEpoch(depth: 2).Take(3).ToList();

        Assert.Equal([0, 1, 2], first.Select(b => b.Labels[0]));
    }

    [Fact]
    public void PrefetchedEpoch_BadDepth_Throws()
    {
        var loader = new DataLoader(Dataset(4), batchSize: 2);

        Assert.Throws<ArgumentOutOfRangeException>(() => loader.PrefetchedEpoch(depth: 0));
    }
}
