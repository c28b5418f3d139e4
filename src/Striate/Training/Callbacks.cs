// Ready-made callbacks for Trainer.Fit: early stopping, best/last checkpoints, learning-rate
// schedules, and a per-epoch metrics log (JSON lines).
using System.Globalization;
using System.Text.Json;
using Striate.Serialization;

namespace Striate.Training;

/// <summary>Which validation number a callback watches.</summary>
public enum MonitoredMetric
{
    /// <summary>Validation loss (lower is better).</summary>
    ValidationLoss,
    /// <summary>Validation accuracy (higher is better).</summary>
    ValidationAccuracy,
}

internal static class MonitorExtensions
{
    public static double Read(this MonitoredMetric monitor, EpochSummary summary)
    {
        var v = summary.Validation ?? throw new InvalidOperationException($"{monitor} needs a validation set passed to Trainer.Fit.");
        return monitor == MonitoredMetric.ValidationLoss ? v.MeanLoss : v.Accuracy;
    }

    public static bool Improves(this MonitoredMetric monitor, double value, double best, double minDelta) =>
        monitor == MonitoredMetric.ValidationLoss ? value < best - minDelta : value > best + minDelta;

    public static double Worst(this MonitoredMetric monitor) => monitor == MonitoredMetric.ValidationLoss ? double.PositiveInfinity : double.NegativeInfinity;
}

/// <summary>Stops training when the monitored number has not improved by <c>minDelta</c> for <c>patience</c> epochs.</summary>
/// <param name="monitor">What to watch.</param>
/// <param name="patience">Epochs without improvement tolerated.</param>
/// <param name="minDelta">Smallest change that counts as an improvement.</param>
public sealed class EarlyStopping(MonitoredMetric monitor = MonitoredMetric.ValidationLoss, int patience = 5, double minDelta = 0) : ITrainingCallback
{
    private double _best = monitor.Worst();
    private int _bad;

    /// <summary>The best value seen.</summary>
    public double Best => _best;

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary)
    {
        double value = monitor.Read(summary);
        if (monitor.Improves(value, _best, minDelta)) { _best = value; _bad = 0; return; }
        if (++_bad > patience)
        {
            context.StopRequested = true;
            context.StopReason = $"early stopping: {monitor} has not improved on {_best:G6} for {_bad} epochs";
        }
    }
}

/// <summary>Writes <c>last.safetensors</c> after every epoch and <c>best.safetensors</c> when the monitored number improves.</summary>
/// <param name="directory">Created if missing.</param>
/// <param name="monitor">What "best" means.</param>
public sealed class CheckpointCallback(string directory, MonitoredMetric monitor = MonitoredMetric.ValidationAccuracy) : ITrainingCallback
{
    private double _best = monitor.Worst();

    /// <summary>Path of the last checkpoint.</summary>
    public string LastPath => Path.Combine(directory, "last.safetensors");

    /// <summary>Path of the best checkpoint.</summary>
    public string BestPath => Path.Combine(directory, "best.safetensors");

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary)
    {
        Directory.CreateDirectory(directory);
        var metadata = new Dictionary<string, string> { ["epoch"] = summary.Epoch.ToString(CultureInfo.InvariantCulture) };
        if (summary.Validation is { } v) metadata["validation_accuracy"] = v.Accuracy.ToString("R", CultureInfo.InvariantCulture);
        Checkpoint.Save(LastPath, context.Model, metadata);
        if (summary.Validation is null) return;
        double value = monitor.Read(summary);
        if (monitor.Improves(value, _best, 0))
        {
            _best = value;
            Checkpoint.Save(BestPath, context.Model, metadata);
        }
    }
}

/// <summary>Steps a schedule once per epoch (or per step), or feeds <see cref="ReduceLROnPlateau"/> the validation loss.</summary>
public sealed class LrScheduleCallback : ITrainingCallback
{
    private readonly LrScheduler? _schedule;
    private readonly ReduceLROnPlateau? _plateau;
    private readonly bool _perStep;

    /// <summary>Steps <paramref name="schedule"/> after every epoch, or after every optimizer step when <paramref name="perStep"/> (one-cycle).</summary>
    public LrScheduleCallback(LrScheduler schedule, bool perStep = false)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        (_schedule, _perStep) = (schedule, perStep);
    }

    /// <summary>Feeds <paramref name="plateau"/> the validation loss after every epoch.</summary>
    public LrScheduleCallback(ReduceLROnPlateau plateau)
    {
        ArgumentNullException.ThrowIfNull(plateau);
        _plateau = plateau;
    }

    /// <inheritdoc/>
    public void OnStepEnd(TrainingContext context, StepProgress step)
    {
        if (_perStep) _schedule!.Step();
    }

    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary)
    {
        if (_plateau is not null) _plateau.Step(MonitoredMetric.ValidationLoss.Read(summary));
        else if (!_perStep) _schedule!.Step();
    }
}

/// <summary>Appends one JSON object per epoch to a file (JSON lines): epoch, losses, accuracies, learning rate, throughput.</summary>
/// <param name="path">The file; its directory must exist. Appended to, so a resumed run continues it.</param>
public sealed class MetricsLog(string path) : ITrainingCallback
{
    /// <inheritdoc/>
    public void OnEpochEnd(TrainingContext context, EpochSummary summary)
    {
        var line = new Dictionary<string, object?>
        {
            ["epoch"] = summary.Epoch,
            ["train_loss"] = summary.Train.MeanLoss,
            ["train_accuracy"] = summary.Train.Accuracy,
            ["validation_loss"] = summary.Validation?.MeanLoss,
            ["validation_accuracy"] = summary.Validation?.Accuracy,
            ["learning_rate"] = summary.LearningRate,
            ["train_images_per_sec"] = summary.Train.ImagesPerSecond,
            ["seconds"] = summary.Train.Elapsed.TotalSeconds,
        };
        File.AppendAllText(path, JsonSerializer.Serialize(line) + "\n");
    }
}
