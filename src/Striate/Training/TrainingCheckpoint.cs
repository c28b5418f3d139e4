// Checkpoints a run can resume from: the model (weights + architecture, see Serialization/
// Checkpoint.cs), the optimizer's buffers as extra tensors "@optimizer.<parameter>.<slot>", and
// in the metadata the optimizer's step counts and learning rates plus the run's progress
// (completed epochs, steps into the current epoch, the shuffling generator's state at the
// start of that epoch), and the current state of every generator the model's layers own (dropout
// masks, Module.NamedRandomSources). Restoring all of it makes a resumed run bit-identical to one that was
// never interrupted (same seed, same thread count).
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Striate.Layers;
using Striate.Serialization;

namespace Striate.Training;

/// <summary>Where a run stands.</summary>
/// <param name="CompletedEpochs">Epochs finished.</param>
/// <param name="StepsIntoEpoch">Steps finished in the epoch after those (0 at an epoch boundary).</param>
/// <param name="ShuffleRngState">The shuffling generator's state at the start of that epoch (see <see cref="Rng.GetState"/>).</param>
public sealed record TrainingProgress(int CompletedEpochs, int StepsIntoEpoch, IReadOnlyList<ulong> ShuffleRngState);

/// <summary>A checkpoint loaded for resuming.</summary>
/// <param name="Checkpoint">The model and the caller's metadata.</param>
/// <param name="Optimizer">The optimizer state to import into an optimizer built over <c>Checkpoint.Model.Parameters()</c>.</param>
/// <param name="Progress">Where the run stood.</param>
public sealed record ResumableCheckpoint(LoadedCheckpoint Checkpoint, OptimizerState Optimizer, TrainingProgress Progress);

/// <summary>Saves and loads checkpoints that hold everything a run needs to continue.</summary>
public static class TrainingCheckpoint
{
    private const string OptimizerKey = "optimizer_state";
    private const string ProgressKey = "training_progress";
    private const string RandomKey = "random_state";
    private const string BufferPrefix = Checkpoint.ExtraTensorPrefix + "optimizer.";

    /// <summary>Writes the model, the optimizer state and the progress to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException"><paramref name="metadata"/> uses a key reserved by the checkpoint formats.</exception>
    /// <exception cref="IOException">The file could not be written; the previous file at <paramref name="path"/> is left as it was.</exception>
    public static void Save(string path, Module model, Optimizer optimizer, TrainingProgress progress, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(progress);
        var state = optimizer.ExportState();
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (metadata is not null)
            foreach (var (k, v) in metadata)
            {
                if (k is OptimizerKey or ProgressKey or RandomKey) throw new ArgumentException($"The metadata key '{k}' is reserved for resumable checkpoints.", nameof(metadata));
                all[k] = v;
            }
        all[OptimizerKey] = new JsonObject
        {
            ["type"] = state.Type,
            ["steps"] = new JsonArray([.. state.StepCounts.Select(s => (JsonNode)s)]),
            ["learningRates"] = new JsonArray([.. state.GroupLearningRates.Select(r => (JsonNode)r)]),
        }.ToJsonString();
        all[ProgressKey] = new JsonObject
        {
            ["completedEpochs"] = progress.CompletedEpochs,
            ["stepsIntoEpoch"] = progress.StepsIntoEpoch,
            // ulongs as hex strings: JSON numbers lose bits above 2^53 in many readers.
            ["shuffleRngState"] = HexWords(progress.ShuffleRngState),
        }.ToJsonString();
        var random = new JsonObject();
        foreach (var (name, rng) in model.NamedRandomSources())
            random[name] = HexWords(rng.GetState());
        all[RandomKey] = random.ToJsonString();
        var buffers = state.Buffers.Select(b => new KeyValuePair<string, Tensor>(BufferPrefix + b.Key, Tensor.FromArray(b.Value, b.Value.Length)));
        Checkpoint.Save(path, model, all, buffers);
    }

    /// <summary>Loads a checkpoint written by <see cref="Save"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid checkpoint, or it lacks (or has malformed) optimizer or progress records — for example a model-only checkpoint written by <see cref="Checkpoint.Save"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static ResumableCheckpoint Load(string path)
    {
        var loaded = Checkpoint.Load(path);
        var meta = loaded.Metadata;
        if (!meta.TryGetValue(OptimizerKey, out var optimizerJson) || !meta.TryGetValue(ProgressKey, out var progressJson))
            throw new InvalidDataException($"Checkpoint '{path}' holds a model but no optimizer state or progress, so a run cannot resume from it (it was not written during training with --checkpoint-dir).");
        try
        {
            var o = JsonNode.Parse(optimizerJson)!.AsObject();
            var buffers = loaded.ExtraTensors
                .Where(e => e.Key.StartsWith(BufferPrefix, StringComparison.Ordinal))
                .ToDictionary(e => e.Key[BufferPrefix.Length..], e => e.Value.ToArray(), StringComparer.Ordinal);
            var state = new OptimizerState(
                o["type"]!.GetValue<string>(),
                [.. o["steps"]!.AsArray().Select(n => n!.GetValue<int>())],
                [.. o["learningRates"]!.AsArray().Select(n => n!.GetValue<float>())],
                buffers);
            var p = JsonNode.Parse(progressJson)!.AsObject();
            var rng = ParseWords(p["shuffleRngState"]!);
            var progress = new TrainingProgress(p["completedEpochs"]!.GetValue<int>(), p["stepsIntoEpoch"]!.GetValue<int>(), rng);
            if (progress.CompletedEpochs < 0 || progress.StepsIntoEpoch < 0 || rng.Length != 4)
                throw new FormatException("negative progress or an Rng state that is not 4 words");
            // Checkpoints written before the layers' generators were saved have no record: their layers keep the
            // generators they were rebuilt with.
            if (meta.TryGetValue(RandomKey, out var randomJson))
                RestoreRandomSources(loaded.Model, JsonNode.Parse(randomJson)!.AsObject());
            var user = meta.Where(e => e.Key is not (OptimizerKey or ProgressKey or RandomKey)).ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
            return new ResumableCheckpoint(new LoadedCheckpoint(loaded.Model, user, loaded.FormatVersion, loaded.ExtraTensors), state, progress);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException or NullReferenceException or OverflowException or KeyNotFoundException)
        {
            throw new InvalidDataException($"Checkpoint '{path}' has a malformed optimizer, progress or generator record: {e.Message}", e);
        }
    }

    // ulongs as hex strings: JSON numbers lose bits above 2^53 in many readers.
    private static JsonArray HexWords(IEnumerable<ulong> words) =>
        new([.. words.Select(w => (JsonNode)w.ToString("x16", CultureInfo.InvariantCulture))]);

    private static ulong[] ParseWords(JsonNode node) =>
        [.. node.AsArray().Select(n => ulong.Parse(n!.GetValue<string>(), NumberStyles.HexNumber, CultureInfo.InvariantCulture))];

    private static void RestoreRandomSources(Module model, JsonObject saved)
    {
        var sources = model.NamedRandomSources().ToList();
        if (sources.Count != saved.Count || sources.Any(s => !saved.ContainsKey(s.Key)))
            throw new FormatException($"the saved generator states ({string.Join(", ", saved.Select(e => e.Key))}) do not match the model's random layers ({string.Join(", ", sources.Select(e => e.Key))})");
        foreach (var (name, rng) in sources)
        {
            var words = ParseWords(saved[name]!);
            if (words.Length != 4) throw new FormatException($"the generator state of '{name}' is not 4 words");
            rng.SetState(words);
        }
    }
}
