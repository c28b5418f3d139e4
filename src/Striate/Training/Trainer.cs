// The classification training loop of the foundation slice: one epoch of SGD over batches,
// and evaluation. Reports through callbacks and return values; never writes to the console.
using System.Diagnostics;
using Striate.Autograd;
using Striate.Data;
using Striate.Layers;

namespace Striate.Training;

/// <summary>Progress after one training step, for progress bars and logs.</summary>
/// <param name="Step">1-based step within the epoch.</param>
/// <param name="Steps">Steps in the epoch.</param>
/// <param name="Loss">This batch's mean loss.</param>
/// <param name="RunningLoss">Mean loss over the epoch so far (per sample).</param>
/// <param name="RunningAccuracy">Training accuracy over the epoch so far, as a fraction.</param>
/// <param name="ImagesPerSecond">Training throughput so far.</param>
/// <param name="Elapsed">Time since the epoch began.</param>
public readonly record struct StepProgress(int Step, int Steps, float Loss, double RunningLoss,
    double RunningAccuracy, double ImagesPerSecond, TimeSpan Elapsed);

/// <summary>What one training epoch did.</summary>
/// <param name="MeanLoss">Mean training loss per sample.</param>
/// <param name="Accuracy">Training accuracy (fraction), measured on the fly in training mode.</param>
/// <param name="Images">Images seen.</param>
/// <param name="Elapsed">Wall time of the epoch.</param>
/// <param name="StepLosses">The loss of every step, in order.</param>
public sealed record EpochResult(double MeanLoss, double Accuracy, int Images, TimeSpan Elapsed, IReadOnlyList<float> StepLosses)
{
    /// <summary>Training throughput.</summary>
    public double ImagesPerSecond => Images / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>What an evaluation pass measured.</summary>
/// <param name="Accuracy">Fraction of correct top-1 predictions.</param>
/// <param name="MeanLoss">Mean cross-entropy.</param>
/// <param name="Images">Images evaluated.</param>
/// <param name="Elapsed">Wall time of the forward passes (inference only).</param>
public sealed record EvaluationResult(double Accuracy, double MeanLoss, int Images, TimeSpan Elapsed)
{
    /// <summary>Inference throughput.</summary>
    public double ImagesPerSecond => Images / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>The loss became NaN or infinite; training stops at the step where it happened.</summary>
public sealed class NonFiniteLossException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NonFiniteLossException(string message) : base(message) { }

    /// <summary>The 1-based step within the epoch.</summary>
    public int Step { get; init; }
}

/// <summary>Trains and evaluates classifiers with cross-entropy loss.</summary>
public static partial class Trainer
{
    /// <summary>
    /// One epoch: for each batch, forward, cross-entropy, backward, optimizer step.
    /// </summary>
    /// <param name="model">The network; put in training mode.</param>
    /// <param name="batches">The epoch's batches: images (N, ...) and N labels.</param>
    /// <param name="steps">Number of batches (for progress reporting).</param>
    /// <param name="optimizer">Updates the parameters.</param>
    /// <param name="onStep">Called after every step; may be null.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    /// <exception cref="NonFiniteLossException">The loss became NaN or infinite.</exception>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <param name="labelSmoothing">ε of the cross-entropy's label smoothing (0: none).</param>
    /// <param name="clipGradNorm">When positive, gradients are scaled to at most this joint 2-norm before each step.</param>
    public static EpochResult TrainEpoch(Module model, IEnumerable<Batch> batches, int steps,
        Optimizer optimizer, Action<StepProgress>? onStep = null, CancellationToken cancellationToken = default,
        float labelSmoothing = 0f, float clipGradNorm = 0f)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(optimizer);
        model.Train();
        var losses = new List<float>(steps);
        var clock = Stopwatch.StartNew();
        double lossSum = 0;
        int seen = 0, correct = 0, step = 0;
        var checkedParameters = model.Parameters().ToArray();
        var arena = new TensorArena();
        foreach (var (images, labels) in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            step++;
            var (value, right) = Step(model, checkedParameters, images, labels, optimizer, labelSmoothing, clipGradNorm, arena, step, steps);
            losses.Add(value);
            lossSum += (double)value * labels.Length;
            seen += labels.Length;
            correct += right;
            onStep?.Invoke(new StepProgress(step, steps, value, lossSum / seen, (double)correct / seen,
                seen / Math.Max(clock.Elapsed.TotalSeconds, 1e-9), clock.Elapsed));
        }
        clock.Stop();
        return new EpochResult(seen == 0 ? 0 : lossSum / seen, seen == 0 ? 0 : (double)correct / seen, seen, clock.Elapsed, losses);
    }

    /// <summary>
    /// One training step on one batch: forward, cross-entropy loss = −(1/N)·Σₙ log softmax(f(x))ₙ[yₙ] (with label smoothing ε:
    /// PyTorch's definition), backward, optional clipping, optimizer step. <see cref="TrainEpoch"/> runs this for each batch.
    /// </summary>
    /// <remarks>
    /// A steady step allocates close to nothing: the activations of the step (every tensor of the autograd graph) are
    /// lent from an arena that takes their storage back when the step ends, and each parameter's gradient storage is
    /// cleared and reused rather than reallocated. So tensors produced by the model during the step are valid only
    /// during the step, and a parameter's <see cref="Tensor.Grad"/> tensor is overwritten by the next step (a gradient
    /// no backward pass reached is null, as after <see cref="Optimizer.ZeroGrad"/>). Puts the model in training mode.
    /// The model's parameter list (for the finite-gradient check and clipping) is read on the first step with that model on
    /// the calling thread; a model that gains parameters later needs <see cref="TrainEpoch"/>, which reads it per epoch.
    /// </remarks>
    /// <param name="model">The network, mapping <paramref name="images"/> (N, ...) to (N, classes) logits.</param>
    /// <param name="images">The batch's inputs (N, ...).</param>
    /// <param name="labels">The N class labels.</param>
    /// <param name="optimizer">Updates the parameters.</param>
    /// <param name="labelSmoothing">ε of the cross-entropy's label smoothing (0: none).</param>
    /// <param name="clipGradNorm">When positive, gradients are scaled to at most this joint 2-norm before the update.</param>
    /// <returns>The batch's mean loss and the number of its images the logits classified correctly (before the update).</returns>
    /// <exception cref="NonFiniteLossException">The loss or a gradient became NaN or infinite (the parameters are then not updated).</exception>
    /// <exception cref="ArgumentException">The model rejects the images, or the labels do not match the logits.</exception>
    public static (float Loss, int Correct) TrainStep(Module model, Tensor images, int[] labels, Optimizer optimizer,
        float labelSmoothing = 0f, float clipGradNorm = 0f)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(optimizer);
        model.Train();
        var state = t_stepState ??= new StepState();
        if (!ReferenceEquals(state.Model, model))
            (state.Model, state.Parameters) = (model, model.Parameters().ToArray());
        return Step(model, state.Parameters, images, labels, optimizer, labelSmoothing, clipGradNorm, state.Arena, 1, 0);
    }

    /// <summary>What <see cref="TrainStep"/> keeps between calls on one thread: the arena and the last model's parameter list.</summary>
    private sealed class StepState
    {
        public TensorArena Arena { get; } = new();

        public Module? Model { get; set; }

        public Tensor[] Parameters { get; set; } = [];
    }

    [ThreadStatic] private static StepState? t_stepState;

    private static (float Loss, int Correct) Step(Module model, Tensor[] checkedParameters, Tensor images, int[] labels, Optimizer optimizer,
        float labelSmoothing, float clipGradNorm, TensorArena arena, int step, int steps)
    {
        // Where the step sits, for error messages only (steps = 0: a lone TrainStep).
        string Where() => steps > 0 ? $" at step {step} of {steps}" : "";
        var previous = TensorArena.Activate(arena);
        try
        {
            var logits = model.Forward(images);
            var loss = labelSmoothing > 0 ? Functional.CrossEntropy(logits, labels, null, labelSmoothing) : Functional.CrossEntropy(logits, labels);
            float value = loss.Item();
            if (!float.IsFinite(value))
                throw new NonFiniteLossException($"The training loss became {value}{Where()}. The learning rate may be too high, or the input holds NaN/Inf values.") { Step = step };
            int correct = CountCorrect(logits, labels);
            // Indexed loops: enumerating the read-only lists through their interface would allocate an enumerator each time.
            var groups = optimizer.Groups;
            for (int i = 0; i < groups.Count; i++)
                for (int j = 0; j < groups[i].Parameters.Count; j++) groups[i].Parameters[j].ZeroGradKeepStorage();
            loss.Backward();
            for (int i = 0; i < groups.Count; i++)
                for (int j = 0; j < groups[i].Parameters.Count; j++) groups[i].Parameters[j].DropStaleGrad();
            if (!AllFinite(checkedParameters) && GradientClipping.FindNonFiniteGradient(model) is var (parameter, bad))
                throw new NonFiniteLossException($"The gradient of parameter '{parameter}' became {bad}{Where()} (the loss was {value}). The learning rate may be too high.") { Step = step };
            if (clipGradNorm > 0) GradientClipping.ClipGradNorm(checkedParameters, clipGradNorm);
            optimizer.Step();
            return (value, correct);
        }
        finally
        {
            TensorArena.Activate(previous);
            arena.Recycle();
        }
    }

    /// <summary>Whether every gradient of <paramref name="parameters"/> is finite (a vector pass; x − x is NaN exactly for NaN and ±∞).</summary>
    private static bool AllFinite(Tensor[] parameters)
    {
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            ReadOnlySpan<float> g = p.Grad.AsSpan();
            var acc = System.Numerics.Vector<float>.Zero;
            int i = 0;
            for (; i <= g.Length - System.Numerics.Vector<float>.Count; i += System.Numerics.Vector<float>.Count)
            {
                var v = new System.Numerics.Vector<float>(g[i..]);
                acc += v - v;
            }
            float tail = 0f;
            for (; i < g.Length; i++) tail += g[i] - g[i];
            if (!float.IsFinite(System.Numerics.Vector.Sum(acc) + tail)) return false;
        }
        return true;
    }

    /// <summary>Top-1 accuracy and mean cross-entropy of <paramref name="model"/> in evaluation mode, without recording gradients.</summary>
    /// <param name="model">The network; put in evaluation mode.</param>
    /// <param name="batches">Images (N, ...) and N labels.</param>
    /// <param name="onBatch">Called with each batch and the model's logits for it (confusion matrices, misclassified samples); may be null.</param>
    public static EvaluationResult Evaluate(Module model, IEnumerable<Batch> batches, Action<Batch, Tensor>? onBatch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        model.Eval();
        int seen = 0, correct = 0;
        double lossSum = 0;
        var forwardTime = TimeSpan.Zero;
        using (GradMode.NoGrad())
        {
            foreach (var batch in batches)
            {
                var (images, labels) = batch;
                long start = Stopwatch.GetTimestamp();
                var logits = model.Forward(images);
                forwardTime += Stopwatch.GetElapsedTime(start);
                onBatch?.Invoke(batch, logits);
                lossSum += (double)Functional.CrossEntropy(logits, labels).Item() * labels.Length;
                correct += CountCorrect(logits, labels);
                seen += labels.Length;
            }
        }
        return new EvaluationResult(seen == 0 ? 0 : (double)correct / seen, seen == 0 ? 0 : lossSum / seen, seen, forwardTime);
    }

    /// <summary>Number of rows of (N, classes) <paramref name="logits"/> whose largest score is at the label.</summary>
    public static int CountCorrect(Tensor logits, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        int classes = logits.Dims[^1];
        var data = logits.Data;
        int correct = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            int best = 0;
            for (int j = 1; j < classes; j++)
                if (data[i * classes + j] > data[i * classes + best]) best = j;
            if (best == labels[i]) correct++;
        }
        return correct;
    }
}
