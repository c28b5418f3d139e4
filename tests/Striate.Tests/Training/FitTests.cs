using System.Text.Json;
using Striate.Data;
using Striate.Layers;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Tests.Training;

public sealed class FitTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-fit-" + Guid.NewGuid().ToString("N"));

    public FitTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Two Gaussian blobs in 4-D: class = sign of the first coordinate's mean.</summary>
    private static ClassificationDataset Blobs(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new float[count * 4];
        var y = new int[count];
        for (int i = 0; i < count; i++)
        {
            y[i] = i % 2;
            for (int j = 0; j < 4; j++) x[i * 4 + j] = (float)(rng.NextDouble() - 0.5) + (j == 0 ? (y[i] == 1 ? 1.5f : -1.5f) : 0f);
        }
        return new ClassificationDataset(x, [4], y);
    }

    private static Sequential Model() => new(new Linear(4, 8, rng: new Rng(1)), new ReLU(), new Linear(8, 2, rng: new Rng(2)));

    [Fact]
    public void Fit_SeparableData_LearnsAndRecordsEveryEpoch()
    {
        var model = Model();
        var train = new DataLoader(Blobs(200, 1), batchSize: 20, shuffle: true, rng: new Rng(3));
        var validation = new DataLoader(Blobs(100, 2), batchSize: 50);

        var context = Trainer.Fit(model, train, validation, new Sgd(model.Parameters(), lr: 0.1f, momentum: 0.9f), new FitOptions { Epochs = 4 });

        Assert.Equal([1, 2, 3, 4], context.History.Select(h => h.Epoch));
        Assert.True(context.History[^1].Validation!.Accuracy > 0.95, $"accuracy {context.History[^1].Validation!.Accuracy}");
        Assert.True(context.History[^1].Train.MeanLoss < context.History[0].Train.MeanLoss);
        Assert.False(context.StopRequested);
    }

    [Fact]
    public void EarlyStopping_NoImprovement_StopsAfterPatienceRunsOut()
    {
        var model = Model();
        var train = new DataLoader(Blobs(40, 1), batchSize: 20);
        var validation = new DataLoader(Blobs(40, 2), batchSize: 40);
        // lr = 0: the validation loss never changes, so it improves only once (on the first epoch).
        var options = new FitOptions { Epochs = 10, Callbacks = [new EarlyStopping(MonitoredMetric.ValidationLoss, patience: 1)] };

        var context = Trainer.Fit(model, train, validation, new Sgd(model.Parameters(), lr: 0f), options);

        Assert.Equal(3, context.History.Count);
        Assert.True(context.StopRequested);
        Assert.Contains("early stopping", context.StopReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Callbacks_CheckpointScheduleAndLog_DoTheirJobs()
    {
        var model = Model();
        var sgd = new Sgd(model.Parameters(), lr: 0.1f, momentum: 0.9f);
        var checkpoints = new CheckpointCallback(Path.Combine(_dir, "ckpt"));
        string log = Path.Combine(_dir, "metrics.jsonl");
        var options = new FitOptions
        {
            Epochs = 3,
            Callbacks = [new LrScheduleCallback(new StepLR(sgd, stepSize: 1, gamma: 0.5f)), checkpoints, new MetricsLog(log)],
        };

        var context = Trainer.Fit(model, new DataLoader(Blobs(100, 1), 10, shuffle: true, rng: new Rng(4)), new DataLoader(Blobs(60, 2), 60), sgd, options);

        Assert.Equal([0.1f, 0.05f, 0.025f], context.History.Select(h => h.LearningRate));
        var lines = File.ReadAllLines(log);
        Assert.Equal(3, lines.Length);
        Assert.Equal(0.05, JsonDocument.Parse(lines[1]).RootElement.GetProperty("learning_rate").GetDouble(), 6);
        var last = Checkpoint.Load(checkpoints.LastPath);
        Assert.Equal("3", last.Metadata["epoch"]);
        var best = Checkpoint.Load(checkpoints.BestPath);
        double bestAccuracy = context.History.Max(h => h.Validation!.Accuracy);
        Assert.Equal(bestAccuracy, double.Parse(best.Metadata["validation_accuracy"], System.Globalization.CultureInfo.InvariantCulture), 12);
    }

    [Fact]
    public void EarlyStopping_WithoutValidationSet_ThrowsClearly()
    {
        var model = Model();
        var options = new FitOptions { Epochs = 1, Callbacks = [new EarlyStopping()] };

        var e = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(model, new DataLoader(Blobs(10, 1), 5), null, new Sgd(model.Parameters(), 0.1f), options));
        Assert.Contains("validation set", e.Message, StringComparison.Ordinal);
    }
}
