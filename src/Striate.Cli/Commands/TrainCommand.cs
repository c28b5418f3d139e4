// striate train: trains a zoo model on Fashion-MNIST, evaluates after every epoch and saves a
// checkpoint (weights + architecture) after every epoch, atomically, so an interrupted run
// keeps its last finished epoch.
//
// --augment "crop:4,flip" builds an augmentation pipeline (AugmentationSpec) that the DataLoader applies
// to each training sample as batches are built on the prefetch thread; each sample's randomness is
// derived from the shuffling generator's state at the epoch's start and its position in the epoch, so a
// seed fixes every augmented batch and --resume restores them. The test set is never augmented.
// --recipe NAME takes the model and options of a named preset (Recipes); options given explicitly
// override the recipe's; --recipe list prints the recipes. --profile-pipeline times the data pipeline
// against the training steps (TrainPipelineProfile) instead of training.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Striate.Data;
using Striate.Data.Augmentations;
using Striate.Models;
using Striate.Reporting;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>The <c>train</c> command.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model to train: " + string.Join(", ", ModelZoo.Names.Concat(Recipes.ModelNames)), DefaultValueFactory = _ => "lenet5" };
        var dataset = new Option<string>("--dataset") { Description = "Dataset: fashion-mnist", DefaultValueFactory = _ => "fashion-mnist" };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per SGD step", DefaultValueFactory = _ => 64 };
        var lr = new Option<float>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.05f };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9f };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation and shuffling", DefaultValueFactory = _ => 0UL };
        var save = new Option<string?>("--save") { Description = "Checkpoint path (safetensors layout), written after every epoch [default: MODEL-DATASET.safetensors]" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per epoch instead of a progress bar" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images (quick experiments)" };
        var checkpointDir = new Option<string?>("--checkpoint-dir") { Description = "Directory for resumable checkpoints (last.safetensors: model, optimizer state, progress), written after every epoch" };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Also write the resumable checkpoint every N steps (0: only at epoch ends)", DefaultValueFactory = _ => 0 };
        var resume = new Option<bool>("--resume") { Description = "Continue the run saved in --checkpoint-dir (same options as the original run)" };
        var optimizerName = new Option<string>("--optimizer") { Description = "sgd, adam, adamw, rmsprop or adagrad", DefaultValueFactory = _ => "sgd" };
        var weightDecay = new Option<float>("--weight-decay") { Description = "Weight decay (L2 for sgd/adam/rmsprop/adagrad, decoupled for adamw)", DefaultValueFactory = _ => 0f };
        var schedule = new Option<string>("--schedule") { Description = "Learning-rate schedule: none, cosine (per epoch), step (÷10 at 1/3 and 2/3 of the epochs), onecycle (per step, peak = --lr)", DefaultValueFactory = _ => "none" };
        var labelSmoothing = new Option<float>("--label-smoothing") { Description = "Cross-entropy label smoothing ε", DefaultValueFactory = _ => 0f };
        var clipGradNorm = new Option<float>("--clip-grad-norm") { Description = "Clip the gradients' joint 2-norm to this value (0: off)", DefaultValueFactory = _ => 0f };
        var augment = new Option<string>("--augment")
        {
            Description = "Training augmentation, steps applied in order: " + string.Join(", ", AugmentationSpec.Steps.Select(t => t.Syntax)) + " (e.g. crop:4,flip)",
            DefaultValueFactory = _ => "",
        };
        var profilePipeline = new Option<bool>("--profile-pipeline")
        {
            Description = "Instead of training: time the data pipeline alone, the training steps alone and a prefetched epoch (CPU and wall seconds); saves nothing",
        };
        var recipe = new Option<string?>("--recipe")
        {
            Description = "A named preset of model and options (explicit options override it): " + string.Join(", ", Recipes.All.Select(r => r.Name)) + "; 'list' describes them",
        };

        var command = new Command("train", "Train a model on Fashion-MNIST and report test accuracy after every epoch.")
        {
            model, dataset, data, epochs, batchSize, lr, momentum, threads, seed, save, json, limit, checkpointDir, checkpointEvery, resume,
            optimizerName, weightDecay, schedule, labelSmoothing, clipGradNorm, augment, recipe, profilePipeline,
        };
        command.SetAction(parse => CliError.Run(() =>
        {
            string? recipeName = parse.GetValue(recipe);
            if (string.Equals(recipeName, "list", StringComparison.OrdinalIgnoreCase)) return ListRecipes();
            TrainingRecipe? r = recipeName is null ? null : FindRecipe(recipeName);
            // The recipe fills in every option the user left at its default.
            T Pick<T>(Option<T> option, Func<TrainingRecipe, T> fromRecipe) =>
                r is not null && parse.GetResult(option) is null or { Implicit: true } ? fromRecipe(r) : parse.GetValue(option)!;
            string chosenModel = Pick(model, x => x.Model);
            return Run(new TrainSettings(
                chosenModel, parse.GetValue(dataset)!, parse.GetValue(data), Pick(epochs, x => x.Epochs),
                Pick(batchSize, x => x.BatchSize), Pick(lr, x => x.LearningRate), Pick(momentum, x => x.Momentum), parse.GetValue(threads),
                parse.GetValue(seed), parse.GetResult(save) is null or { Implicit: true } ? $"{chosenModel}-{parse.GetValue(dataset)}.safetensors" : parse.GetValue(save), parse.GetValue(json), parse.GetValue(limit),
                parse.GetValue(checkpointDir), parse.GetValue(checkpointEvery), parse.GetValue(resume),
                Pick(optimizerName, x => x.Optimizer), Pick(weightDecay, x => x.WeightDecay), Pick(schedule, x => x.Schedule),
                Pick(labelSmoothing, x => x.LabelSmoothing), parse.GetValue(clipGradNorm), Pick(augment, x => x.Augment), r?.Name,
                parse.GetValue(profilePipeline)));
        }));
        return command;
    }

    private static TrainingRecipe FindRecipe(string name)
    {
        try
        {
            return Recipes.Find(name);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--recipe: {Plain(e)} ('list' describes them.)", e);
        }
    }

    /// <summary>The message without .NET's " (Parameter 'x')" suffix, which names a C# parameter, not an option.</summary>
    private static string Plain(ArgumentException e) =>
        e.ParamName is { } name ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    /// <summary>Prints the recipes, one block each: name, description, the options it sets.</summary>
    private static int ListRecipes()
    {
        foreach (var r in Recipes.All)
        {
            Console.WriteLine($"{r.Name}: {r.Description}");
            Console.WriteLine($"    {r.Options}");
        }
        return CliError.Ok;
    }

    /// <summary>The parsed options of one run.</summary>
    public sealed record TrainSettings(string Model, string Dataset, string? DataDirectory, int Epochs, int BatchSize,
        float LearningRate, float Momentum, int Threads, ulong Seed, string? SavePath, bool Json, int? Limit,
        string? CheckpointDirectory = null, int CheckpointEvery = 0, bool Resume = false,
        string Optimizer = "sgd", float WeightDecay = 0f, string Schedule = "none", float LabelSmoothing = 0f, float ClipGradNorm = 0f,
        string Augment = "", string? Recipe = null, bool ProfilePipeline = false);

    /// <summary>Runs training with <paramref name="s"/>; returns the exit code.</summary>
    public static int Run(TrainSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!string.Equals(s.Dataset, "fashion-mnist", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown dataset '{s.Dataset}'. Known datasets: fashion-mnist.");
        if (s.Epochs < 1) throw new ArgumentException($"--epochs must be at least 1, got {s.Epochs}.");
        if (s.BatchSize < 1) throw new ArgumentException($"--batch-size must be at least 1, got {s.BatchSize}.");
        if (!float.IsFinite(s.LearningRate) || s.LearningRate <= 0) throw new ArgumentException($"--lr must be a positive number, got {s.LearningRate}.");
        if (!(s.Momentum >= 0 && s.Momentum < 1)) throw new ArgumentException($"--momentum must be in [0, 1), got {s.Momentum}.");
        if (s.Threads < 1) throw new ArgumentException($"--threads must be at least 1, got {s.Threads}.");
        if (s.Limit is < 1) throw new ArgumentException($"--limit must be at least 1, got {s.Limit}.");
        if (s.CheckpointEvery < 0) throw new ArgumentException($"--checkpoint-every must be 0 or more, got {s.CheckpointEvery}.");
        if (!(s.WeightDecay >= 0) || float.IsInfinity(s.WeightDecay)) throw new ArgumentException($"--weight-decay must be a non-negative number, got {s.WeightDecay}.");
        if (!(s.LabelSmoothing >= 0 && s.LabelSmoothing < 1)) throw new ArgumentException($"--label-smoothing must be in [0, 1), got {s.LabelSmoothing}.");
        if (!(s.ClipGradNorm >= 0) || float.IsInfinity(s.ClipGradNorm)) throw new ArgumentException($"--clip-grad-norm must be a non-negative number, got {s.ClipGradNorm}.");
        if (s.Optimizer is not ("sgd" or "adam" or "adamw" or "rmsprop" or "adagrad"))
            throw new ArgumentException($"Unknown --optimizer '{s.Optimizer}'. Known: sgd, adam, adamw, rmsprop, adagrad.");
        if (s.Schedule is not ("none" or "cosine" or "step" or "onecycle"))
            throw new ArgumentException($"Unknown --schedule '{s.Schedule}'. Known: none, cosine, step, onecycle.");
        if (s.Resume && s.ProfilePipeline)
            throw new ArgumentException("--profile-pipeline measures a fresh model; it cannot --resume.");
        if (s.Resume && s.CheckpointDirectory is null)
            throw new ArgumentException("--resume needs --checkpoint-dir: the directory of the run to continue.");
        // Every run leaves a folder: the one given, or runs/<date-time>.
        string runDirectory = s.CheckpointDirectory ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        string resumablePath = Path.Combine(runDirectory, "last.safetensors");
        if (s.Resume && !File.Exists(resumablePath))
            throw new ArgumentException($"--resume: there is no checkpoint to continue in '{Path.GetFullPath(runDirectory)}' (expected last.safetensors).");
        if (!Recipes.IsModel(s.Model) && !ModelZoo.Names.Contains(s.Model, StringComparer.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown model '{s.Model}' (--model). Known models: {string.Join(", ", ModelZoo.Names.Concat(Recipes.ModelNames))}.");
        ArgumentNullException.ThrowIfNull(s.Augment);
        Compose? augmentation;
        try
        {
            augmentation = s.Augment.Trim().Length == 0 || s.Augment.Trim() == "none" ? null : AugmentationSpec.Parse(s.Augment, [1, 28, 28]);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--augment: {Plain(e)}", e);
        }
        using var threadsScope = Compute.UseThreads(s.Threads);

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cancel.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            var fmnist = FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = s.DataDirectory },
                s.Json ? null : DownloadReporter(),
                cancel.Token).GetAwaiter().GetResult();
            var train = s.Limit is int n && n < fmnist.Train.Count ? Subset(fmnist.Train, n) : fmnist.Train;
            var test = fmnist.Test;

            var rng = new Rng(s.Seed);
            int[] imageShape = [1, 28, 28]; // Fashion-MNIST's images; zoo models adapt their first layer to it (resnet20: 1 channel)
            var net = Recipes.IsModel(s.Model)
                ? Recipes.CreateModel(s.Model, FashionMnist.ClassNames.Count, imageShape, rng.Fork())
                : ModelZoo.Create(s.Model, rng.Fork(), FashionMnist.ClassNames.Count, imageShape);
            var shuffleRng = rng.Fork();
            var loader = new DataLoader(train, s.BatchSize, shuffle: true, rng: shuffleRng, transform: augmentation);
            var testLoader = new DataLoader(test, batchSize: 1000);
            if (s.ProfilePipeline)
            {
                if (!s.Json)
                    AnsiConsole.MarkupLine($"Profiling {Markup.Escape(s.Model)}: {train.Count:N0} images, batch {s.BatchSize}, {s.Threads} thread(s), " +
                        $"augmentation {Markup.Escape(augmentation?.ToString() ?? "none")}");
                TrainPipelineProfile.Print(TrainPipelineProfile.Measure(net, loader, m => BuildOptimizer(s, m)), s.Json);
                return CliError.Ok;
            }
            var runDescription = new Dictionary<string, string>
            {
                ["model"] = s.Model,
                ["dataset"] = "fashion-mnist",
                ["input_shape"] = string.Join(',', imageShape),
                ["class_names"] = JsonSerializer.Serialize(FashionMnist.ClassNames),
                ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
                ["batch_size"] = s.BatchSize.ToString(CultureInfo.InvariantCulture),
                ["training_images"] = train.Count.ToString(CultureInfo.InvariantCulture),
                ["optimizer"] = s.Optimizer,
                ["schedule"] = s.Schedule,
                ["augment"] = augmentation?.ToString() ?? "none",
            };
            if (s.Recipe is not null) runDescription["recipe"] = s.Recipe;
            var run = new RunFolder(runDirectory, new Dictionary<string, string>(runDescription)
            {
                ["epochs"] = s.Epochs.ToString(CultureInfo.InvariantCulture),
                ["learning_rate"] = s.LearningRate.ToString("R", CultureInfo.InvariantCulture),
                ["momentum"] = s.Momentum.ToString("R", CultureInfo.InvariantCulture),
                ["threads"] = s.Threads.ToString(CultureInfo.InvariantCulture),
                ["weight_decay"] = s.WeightDecay.ToString("R", CultureInfo.InvariantCulture),
                ["label_smoothing"] = s.LabelSmoothing.ToString("R", CultureInfo.InvariantCulture),
                ["clip_grad_norm"] = s.ClipGradNorm.ToString("R", CultureInfo.InvariantCulture),
            }, resuming: s.Resume);
            int firstEpoch = 1, skipSteps = 0;
            Optimizer optimizer;
            if (s.Resume)
            {
                var resumed = TrainingCheckpoint.Load(resumablePath);
                foreach (var key in new[] { "model", "seed", "batch_size", "training_images", "optimizer", "schedule", "augment" })
                    // Checkpoints written before --augment existed trained without augmentation.
                    if ((resumed.Checkpoint.Metadata.TryGetValue(key, out var saved) ? saved : key == "augment" ? "none" : null) != runDescription[key])
                        throw new ArgumentException($"--resume: the checkpoint in '{resumablePath}' was trained with {key} = {(saved ?? "(none)")}, this run has {runDescription[key]}; resume with the original options.");
                net = resumed.Checkpoint.Model;
                optimizer = BuildOptimizer(s, net);
                optimizer.ImportState(resumed.Optimizer);
                shuffleRng.SetState([.. resumed.Progress.ShuffleRngState]);
                firstEpoch = resumed.Progress.CompletedEpochs + 1;
                skipSteps = resumed.Progress.StepsIntoEpoch;
                run.TrimTo(resumed.Progress.CompletedEpochs, skipSteps);
                if (!s.Json)
                    AnsiConsole.MarkupLine($"[grey]resuming from {Markup.Escape(resumablePath)}: {resumed.Progress.CompletedEpochs} epoch(s) and {skipSteps} step(s) done[/]");
            }
            else
            {
                optimizer = BuildOptimizer(s, net);
            }
            // Schedules are functions of their step count, so a resumed run jumps straight to it.
            var (scheduler, perStep) = BuildSchedule(s, optimizer, loader.BatchCount);
            scheduler?.FastForward(perStep ? (firstEpoch - 1) * loader.BatchCount + skipSteps : firstEpoch - 1);
            if (s.Resume && scheduler is null && !s.Json)
                AnsiConsole.MarkupLine("[grey]learning rate restored from the checkpoint[/]");

            if (!s.Json)
            {
                AnsiConsole.MarkupLine($"Training [bold]{Markup.Escape(s.Model)}[/] ({net.ParameterCount():N0} parameters) on Fashion-MNIST: " +
                    $"{train.Count:N0} training and {test.Count:N0} test images, batch {s.BatchSize}, {s.Optimizer} lr {s.LearningRate}, schedule {s.Schedule}, {s.Threads} thread(s), seed {s.Seed}.");
                if (s.Recipe is not null) AnsiConsole.MarkupLine($"[grey]recipe {Markup.Escape(s.Recipe)}[/]");
                if (augmentation is not null) AnsiConsole.MarkupLine($"[grey]augmentation: {Markup.Escape(augmentation.ToString())}[/]");
                AnsiConsole.MarkupLine($"[grey]data: {Markup.Escape(fmnist.Files.Directory)}[/]");
            }

            for (int epoch = firstEpoch; epoch <= s.Epochs; epoch++)
            {
                var epochStart = shuffleRng.GetState();
                int skip = epoch == firstEpoch ? skipSteps : 0;
                int completed = epoch - 1;
                int currentEpoch = epoch;
                Action<StepProgress> checkpointStep = p =>
                {
                    run.AddStep(currentEpoch, skip + p.Step, p.Loss, optimizer.LearningRate);
                    if (perStep && skip + p.Step + (currentEpoch - 1) * loader.BatchCount < s.Epochs * loader.BatchCount) scheduler!.Step();
                    if (s.CheckpointEvery > 0 && (skip + p.Step) % s.CheckpointEvery == 0 && skip + p.Step < loader.BatchCount)
                    {
                        run.FlushSteps();
                        TrainingCheckpoint.Save(resumablePath, net, optimizer, new TrainingProgress(completed, skip + p.Step, epochStart), runDescription);
                    }
                };
                var batches = loader.PrefetchedEpoch(depth: 2, firstBatch: skip);
                int steps = loader.BatchCount - skip;
                EpochResult result = s.Json
                    ? Trainer.TrainEpoch(net, batches, steps, optimizer, checkpointStep, cancel.Token, s.LabelSmoothing, s.ClipGradNorm)
                    : TrainWithProgressBar(net, batches, steps, optimizer, epoch, s.Epochs, checkpointStep, s, cancel.Token);
                float epochLearningRate = optimizer.LearningRate;
                if (!perStep) scheduler?.Step();
                var confusion = new ConfusionMatrix(FashionMnist.ClassNames.Count, topK: 2);
                var misclassified = new List<MisclassifiedSample>();
                var eval = Trainer.Evaluate(net, testLoader.Epoch(), (batch, logits) =>
                {
                    confusion.Add(logits, batch.Labels);
                    RunFolder.CollectMisclassified(batch, logits, misclassified, limit: 16);
                });
                double seconds = result.Elapsed.TotalSeconds + eval.Elapsed.TotalSeconds;
                var metadata = new Dictionary<string, string>(runDescription)
                {
                    ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
                    ["test_accuracy"] = eval.Accuracy.ToString("R", CultureInfo.InvariantCulture),
                };
                run.AddEpoch(new EpochSummary(epoch, result, eval, epochLearningRate), confusion, misclassified, FashionMnist.ClassNames);
                TrainingCheckpoint.Save(resumablePath, net, optimizer, new TrainingProgress(epoch, 0, shuffleRng.GetState()), metadata);
                if (s.SavePath is not null) Checkpoint.Save(s.SavePath, net, metadata);
                if (s.Json)
                {
                    Console.WriteLine(JsonSerializer.Serialize(new EpochLine(epoch, Math.Round(result.MeanLoss, 6),
                        Math.Round(result.ImagesPerSecond, 1), Math.Round(eval.ImagesPerSecond, 1), Math.Round(eval.Accuracy, 4), Math.Round(seconds, 3)), EpochLineContext.Default.EpochLine));
                }
                else
                {
                    AnsiConsole.MarkupLine($"epoch {epoch}/{s.Epochs}: train loss {result.MeanLoss:F4}, train accuracy {result.Accuracy:P2}, " +
                        $"[bold]test accuracy {eval.Accuracy:P2}[/], {result.ImagesPerSecond:N0} train img/s, {eval.ImagesPerSecond:N0} inference img/s, {seconds:F1} s");
                }
            }
            if (!s.Json && s.SavePath is not null)
                AnsiConsole.MarkupLine($"Saved to [bold]{Markup.Escape(Path.GetFullPath(s.SavePath))}[/]");
            if (!s.Json)
                AnsiConsole.MarkupLine($"Run folder: [bold]{Markup.Escape(run.Directory)}[/] (report.html, epochs.jsonl, steps.csv, last.safetensors to --resume from)");
            return CliError.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static EpochResult TrainWithProgressBar(Layers.Module net, IEnumerable<Batch> batches, int steps, Optimizer optimizer,
        int epoch, int epochs, Action<StepProgress>? onStep, TrainSettings s, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return Trainer.TrainEpoch(net, batches, steps, optimizer, onStep, ct, s.LabelSmoothing, s.ClipGradNorm);
        EpochResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"epoch {epoch}/{epochs}", maxValue: steps);
                result = Trainer.TrainEpoch(net, batches, steps, optimizer, p =>
                {
                    onStep?.Invoke(p);
                    task.Value = p.Step;
                    if (p.Step % 10 == 0 || p.Step == p.Steps)
                        task.Description = $"epoch {epoch}/{epochs}  loss {p.RunningLoss:F4}  acc {p.RunningAccuracy:P1}  {p.ImagesPerSecond:N0} img/s";
                }, ct, s.LabelSmoothing, s.ClipGradNorm);
            });
        return result!;
    }

    private static Optimizer BuildOptimizer(TrainSettings s, Layers.Module net) => s.Optimizer switch
    {
        "adam" => new Adam(net.Parameters(), s.LearningRate, weightDecay: s.WeightDecay),
        "adamw" => new AdamW(net.Parameters(), s.LearningRate, weightDecay: s.WeightDecay),
        "rmsprop" => new RmsProp(net.Parameters(), s.LearningRate, weightDecay: s.WeightDecay, momentum: s.Momentum),
        "adagrad" => new Adagrad(net.Parameters(), s.LearningRate, weightDecay: s.WeightDecay),
        _ => new Sgd(net.Parameters(), s.LearningRate, s.Momentum, s.WeightDecay),
    };

    private static (LrScheduler? Schedule, bool PerStep) BuildSchedule(TrainSettings s, Optimizer optimizer, int stepsPerEpoch) => s.Schedule switch
    {
        "cosine" => (new CosineAnnealingLR(optimizer, tMax: s.Epochs), false),
        "step" => (new MultiStepLR(optimizer, s.Epochs >= 3 ? [s.Epochs / 3, 2 * s.Epochs / 3] : [], gamma: 0.1f), false),
        "onecycle" => (new OneCycleLR(optimizer, maxLr: s.LearningRate, totalSteps: Math.Max(2, s.Epochs * stepsPerEpoch)), true),
        _ => (null, false),
    };

    /// <summary>One line per file every 25% (or per 8 MB when the size is unknown), not one per network read.</summary>
    private static Progress<DownloadProgress> DownloadReporter()
    {
        var lastStep = new Dictionary<string, long>();
        return new Progress<DownloadProgress>(p =>
        {
            long step = p.TotalBytes is long total && total > 0 ? p.BytesReceived * 4 / total : p.BytesReceived >> 23;
            if (lastStep.TryGetValue(p.FileName, out long last) && last == step) return;
            lastStep[p.FileName] = step;
            string size = p.TotalBytes is long t ? $" of {t:N0}" : "";
            AnsiConsole.MarkupLine($"[grey]downloading {Markup.Escape(p.FileName)}: {p.BytesReceived:N0}{size} bytes[/]");
        });
    }

    private static ClassificationDataset Subset(ClassificationDataset full, int count)
    {
        var images = full.Images.AsSpan()[..(count * full.SampleLength)].ToArray();
        return new ClassificationDataset(images, [.. full.SampleShape], full.Labels[..count], full.ClassNames);
    }
}

/// <summary>One line of <c>train --json</c> output.</summary>
public sealed record EpochLine(
    [property: System.Text.Json.Serialization.JsonPropertyName("epoch")] int Epoch,
    [property: System.Text.Json.Serialization.JsonPropertyName("train_loss")] double TrainLoss,
    [property: System.Text.Json.Serialization.JsonPropertyName("train_images_per_sec")] double TrainImagesPerSec,
    [property: System.Text.Json.Serialization.JsonPropertyName("infer_images_per_sec")] double InferImagesPerSec,
    [property: System.Text.Json.Serialization.JsonPropertyName("test_accuracy")] double TestAccuracy,
    [property: System.Text.Json.Serialization.JsonPropertyName("seconds")] double Seconds);

[System.Text.Json.Serialization.JsonSerializable(typeof(EpochLine))]
internal sealed partial class EpochLineContext : System.Text.Json.Serialization.JsonSerializerContext;
