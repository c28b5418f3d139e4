// striate train: trains a zoo model on Fashion-MNIST, evaluates after every epoch and saves a
// checkpoint (weights + architecture) after every epoch, atomically, so an interrupted run
// keeps its last finished epoch.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Striate.Data;
using Striate.Models;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>The <c>train</c> command.</summary>
public static class TrainCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model to train: " + string.Join(", ", ModelZoo.Names), DefaultValueFactory = _ => "lenet5" };
        var dataset = new Option<string>("--dataset") { Description = "Dataset: fashion-mnist", DefaultValueFactory = _ => "fashion-mnist" };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training set", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per SGD step", DefaultValueFactory = _ => 64 };
        var lr = new Option<float>("--lr") { Description = "Learning rate", DefaultValueFactory = _ => 0.05f };
        var momentum = new Option<float>("--momentum") { Description = "SGD momentum", DefaultValueFactory = _ => 0.9f };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation and shuffling", DefaultValueFactory = _ => 0UL };
        var save = new Option<string?>("--save") { Description = "Checkpoint path (safetensors layout), written after every epoch", DefaultValueFactory = _ => "lenet5-fashion-mnist.safetensors" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per epoch instead of a progress bar" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images (quick experiments)" };

        var command = new Command("train", "Train a model on Fashion-MNIST and report test accuracy after every epoch.")
        {
            model, dataset, data, epochs, batchSize, lr, momentum, threads, seed, save, json, limit,
        };
        command.SetAction(parse => CliError.Run(() => Run(new TrainSettings(
            parse.GetValue(model)!, parse.GetValue(dataset)!, parse.GetValue(data), parse.GetValue(epochs),
            parse.GetValue(batchSize), parse.GetValue(lr), parse.GetValue(momentum), parse.GetValue(threads),
            parse.GetValue(seed), parse.GetValue(save), parse.GetValue(json), parse.GetValue(limit)))));
        return command;
    }

    /// <summary>The parsed options of one run.</summary>
    public sealed record TrainSettings(string Model, string Dataset, string? DataDirectory, int Epochs, int BatchSize,
        float LearningRate, float Momentum, int Threads, ulong Seed, string? SavePath, bool Json, int? Limit);

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
        Compute.Threads = s.Threads;

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
            var net = ModelZoo.Create(s.Model, rng.Fork(), classes: FashionMnist.ClassNames.Count);
            var loader = new DataLoader(train, s.BatchSize, shuffle: true, rng: rng.Fork());
            var testLoader = new DataLoader(test, batchSize: 1000);
            var optimizer = new Sgd(net.Parameters(), s.LearningRate, s.Momentum);

            if (!s.Json)
            {
                AnsiConsole.MarkupLine($"Training [bold]{Markup.Escape(s.Model)}[/] ({net.ParameterCount():N0} parameters) on Fashion-MNIST: " +
                    $"{train.Count:N0} training and {test.Count:N0} test images, batch {s.BatchSize}, lr {s.LearningRate}, momentum {s.Momentum}, {s.Threads} thread(s), seed {s.Seed}.");
                AnsiConsole.MarkupLine($"[grey]data: {Markup.Escape(fmnist.Files.Directory)}[/]");
            }

            for (int epoch = 1; epoch <= s.Epochs; epoch++)
            {
                EpochResult result = s.Json
                    ? Trainer.TrainEpoch(net, loader, loader.BatchCount, optimizer, null, cancel.Token)
                    : TrainWithProgressBar(net, loader, optimizer, epoch, s.Epochs, cancel.Token);
                var eval = Trainer.Evaluate(net, testLoader);
                double seconds = result.Elapsed.TotalSeconds + eval.Elapsed.TotalSeconds;
                if (s.SavePath is not null)
                {
                    Checkpoint.Save(s.SavePath, net, new Dictionary<string, string>
                    {
                        ["model"] = s.Model,
                        ["dataset"] = "fashion-mnist",
                        ["input_shape"] = string.Join(',', ModelZoo.InputShape(s.Model)),
                        ["class_names"] = JsonSerializer.Serialize(FashionMnist.ClassNames),
                        ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
                        ["test_accuracy"] = eval.Accuracy.ToString("R", CultureInfo.InvariantCulture),
                        ["seed"] = s.Seed.ToString(CultureInfo.InvariantCulture),
                    });
                }
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
            return CliError.Ok;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static EpochResult TrainWithProgressBar(Layers.Module net, DataLoader loader, Optimizer optimizer, int epoch, int epochs, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
            return Trainer.TrainEpoch(net, loader, loader.BatchCount, optimizer, null, ct);
        EpochResult? result = null;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"epoch {epoch}/{epochs}", maxValue: loader.BatchCount);
                result = Trainer.TrainEpoch(net, loader, loader.BatchCount, optimizer, p =>
                {
                    task.Value = p.Step;
                    if (p.Step % 10 == 0 || p.Step == p.Steps)
                        task.Description = $"epoch {epoch}/{epochs}  loss {p.RunningLoss:F4}  acc {p.RunningAccuracy:P1}  {p.ImagesPerSecond:N0} img/s";
                }, ct);
            });
        return result!;
    }

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
