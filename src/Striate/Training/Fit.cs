// Trainer.Fit: epochs of TrainEpoch + validation, with callbacks for everything around the
// loop (early stopping, checkpoints, schedules, metric logs). Callbacks see a context they may
// ask to stop; the loop itself stays a dozen lines.
using Striate.Data;
using Striate.Layers;

namespace Striate.Training;

/// <summary>What one epoch of <see cref="Trainer.Fit"/> measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Train">The training pass.</param>
/// <param name="Validation">The validation pass, or null without a validation set.</param>
/// <param name="LearningRate">The first group's learning rate during the epoch.</param>
public sealed record EpochSummary(int Epoch, EpochResult Train, EvaluationResult? Validation, float LearningRate);

/// <summary>The state of a <see cref="Trainer.Fit"/> run, shared with callbacks.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Module model, Optimizer optimizer, int epochs)
    {
        Model = model;
        Optimizer = optimizer;
        Epochs = epochs;
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>Its optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Epochs requested.</summary>
    public int Epochs { get; }

    /// <summary>The current 1-based epoch.</summary>
    public int Epoch { get; internal set; }

    /// <summary>Summaries of the finished epochs.</summary>
    public List<EpochSummary> History { get; } = [];

    /// <summary>Set by a callback to end training after the current epoch (early stopping).</summary>
    public bool StopRequested { get; set; }

    /// <summary>Why training was stopped early, for reports.</summary>
    public string? StopReason { get; set; }
}

/// <summary>Hooks into <see cref="Trainer.Fit"/>; implement only what you need.</summary>
public interface ITrainingCallback
{
    /// <summary>Before an epoch's first step.</summary>
    void OnEpochStart(TrainingContext context) { }

    /// <summary>After every optimizer step.</summary>
    void OnStepEnd(TrainingContext context, StepProgress step) { }

    /// <summary>After an epoch's training and validation passes.</summary>
    void OnEpochEnd(TrainingContext context, EpochSummary summary) { }
}

/// <summary>Options of <see cref="Trainer.Fit"/>.</summary>
public sealed record FitOptions
{
    /// <summary>Number of epochs (an upper bound when a callback stops early).</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Callbacks, called in order.</summary>
    public IReadOnlyList<ITrainingCallback> Callbacks { get; init; } = [];

    /// <summary>Batches built ahead on a background task (0: none).</summary>
    public int PrefetchDepth { get; init; } = 2;

    /// <summary>Stops between steps.</summary>
    public CancellationToken CancellationToken { get; init; }
}

public static partial class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> for <see cref="FitOptions.Epochs"/> epochs with cross-entropy,
    /// evaluating on <paramref name="validation"/> after each, and calling the callbacks.
    /// </summary>
    /// <returns>The context, whose <see cref="TrainingContext.History"/> holds every epoch's summary.</returns>
    /// <exception cref="NonFiniteLossException">The loss or a gradient became NaN/Inf.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Epochs or prefetch depth is negative.</exception>
    public static TrainingContext Fit(Module model, DataLoader train, DataLoader? validation, Optimizer optimizer, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(optimizer);
        options ??= new FitOptions();
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs);
        ArgumentOutOfRangeException.ThrowIfNegative(options.PrefetchDepth);
        var context = new TrainingContext(model, optimizer, options.Epochs);
        for (int epoch = 1; epoch <= options.Epochs && !context.StopRequested; epoch++)
        {
            context.Epoch = epoch;
            foreach (var c in options.Callbacks) c.OnEpochStart(context);
            float lr = optimizer.LearningRate;
            var batches = options.PrefetchDepth > 0 ? train.PrefetchedEpoch(options.PrefetchDepth) : train.Epoch();
            var result = TrainEpoch(model, batches, train.BatchCount, optimizer,
                p => { foreach (var c in options.Callbacks) c.OnStepEnd(context, p); }, options.CancellationToken);
            var validationResult = validation is null ? null : Evaluate(model, validation.Epoch());
            var summary = new EpochSummary(epoch, result, validationResult, lr);
            context.History.Add(summary);
            foreach (var c in options.Callbacks) c.OnEpochEnd(context, summary);
        }
        return context;
    }
}
