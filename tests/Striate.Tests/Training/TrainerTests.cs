using Striate.Data;
using Striate.Models;
using Striate.Training;

namespace Striate.Tests.Training;

public class TrainerTests
{
    /// <summary>The first 1,280 training images of Fashion-MNIST (CI installs the Debian package).</summary>
    private static ClassificationDataset FirstImages(int count)
    {
        var train = FashionMnist.Load().Train;
        return new ClassificationDataset(train.Images.AsSpan()[..(count * train.SampleLength)].ToArray(), [.. train.SampleShape], train.Labels[..count]);
    }

    private static float[] First20Losses(ClassificationDataset data, ulong seed, int threads)
    {
        using (Compute.UseThreads(threads))
        {
            var rng = new Rng(seed);
            var model = LeNet5.Create(rng: rng.Fork());
            var loader = new DataLoader(data, batchSize: 64, shuffle: true, rng: rng.Fork());
            var sgd = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
            return [.. Trainer.TrainEpoch(model, loader, loader.BatchCount, sgd).StepLosses];
        }
    }

    [Fact]
    public void TrainEpoch_SameSeedAndThreads_First20LossesBitIdentical()
    {
        var data = FirstImages(20 * 64);

        var first = First20Losses(data, seed: 7, threads: 2);
        var second = First20Losses(data, seed: 7, threads: 2);

        Assert.Equal(20, first.Length);
        for (int i = 0; i < first.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(first[i]) == BitConverter.SingleToInt32Bits(second[i]),
                $"step {i + 1}: {first[i]:R} vs {second[i]:R}");
        // The net learns: the last losses are below the first (ln 10 ≈ 2.30 at the start).
        Assert.InRange(first[0], 2.0f, 2.6f);
        Assert.True(first[^4..].Average() < first[..4].Average(), string.Join(", ", first));
    }

    [Fact]
    public void TrainEpoch_OneThreadVersusTwo_LossesBitIdentical()
    {
        var data = FirstImages(5 * 64);

        var one = First20Losses(data, seed: 3, threads: 1);
        var two = First20Losses(data, seed: 3, threads: 2);

        Assert.Equal(one.Select(BitConverter.SingleToInt32Bits), two.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void TrainEpoch_DifferentSeeds_DifferentLosses()
    {
        var data = FirstImages(2 * 64);

        Assert.NotEqual(First20Losses(data, seed: 1, threads: 2), First20Losses(data, seed: 2, threads: 2));
    }

    [Fact]
    public void TrainEpoch_NaNInInput_ThrowsNonFiniteLossNamingTheStep()
    {
        var images = new float[4 * 28 * 28];
        images[5] = float.NaN;
        var data = new ClassificationDataset(images, [1, 28, 28], [0, 1, 2, 3]);
        var model = LeNet5.Create(rng: new Rng(1));
        var sgd = new Sgd(model.Parameters(), lr: 0.05f);

        var e = Assert.Throws<NonFiniteLossException>(() => Trainer.TrainEpoch(model, new DataLoader(data, 4), 1, sgd));

        Assert.Equal(1, e.Step);
        Assert.Contains("step 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_CountsCorrectTopOnePredictions()
    {
        var logits = Tensor.FromArray([0.1f, 0.9f, 0.0f, 2f, 1f, 0f, 0f, 0f, 5f], 3, 3);

        Assert.Equal(2, Trainer.CountCorrect(logits, [1, 0, 0]));
    }
}
