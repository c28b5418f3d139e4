// striate features kmeans|random|pretrained|trained|compare: the chapter's comparison of features that
// are not (fully) learned by supervision, measured on Fashion-MNIST.
//   kmeans   Coates et al. 2011: patches, contrast normalisation, ZCA, k-means, triangle encoding,
//            quadrant pooling, a linear classifier on the pooled responses;
//   random   random conv stacks (architectures × seeds), only the classifier trained, the best picked on
//            held-out training images (the chapter's sweep), optionally then trained whole (--finetune-epochs);
//   pretrained  the same conv stack pretrained greedily, layer by layer, as convolutional autoencoders
//            (no labels), then a linear classifier on its features, then the whole network fine-tuned;
//   trained  the same conv stack trained end to end from random initialisation;
//   compare  all of them, one table.
// The training images are the first --limit; the sweep holds out their last sixth for validation.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Striate.Data;
using Striate.Features;
using Striate.Layers;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>The <c>features</c> command.</summary>
public static class FeaturesCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var method = new Argument<string>("method") { Description = "kmeans, random, pretrained, trained or compare" };
        var dataset = new Option<string>("--dataset") { Description = "Dataset: fashion-mnist", DefaultValueFactory = _ => "fashion-mnist" };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var limit = new Option<int?>("--limit") { Description = "Use only the first N training images" };
        var testLimit = new Option<int?>("--test-limit") { Description = "Use only the first N test images" };
        var seed = new Option<ulong>("--seed") { Description = "Seed for patches, centroids, initialisation and shuffling", DefaultValueFactory = _ => 0UL };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per method" };
        var centroids = new Option<int>("--centroids") { Description = "k-means: number of centroids K", DefaultValueFactory = _ => 256 };
        var patchSize = new Option<int>("--patch-size") { Description = "k-means: patch side R", DefaultValueFactory = _ => 6 };
        var patches = new Option<int>("--patches") { Description = "k-means: random patches to cluster", DefaultValueFactory = _ => 50_000 };
        var iterations = new Option<int>("--iterations") { Description = "k-means: iterations", DefaultValueFactory = _ => 10 };
        var seeds = new Option<int>("--seeds") { Description = "random: initialisations per architecture in the sweep", DefaultValueFactory = _ => 2 };
        var probeEpochs = new Option<int>("--probe-epochs") { Description = "Epochs of the linear classifier on fixed features", DefaultValueFactory = _ => 20 };
        var epochs = new Option<int>("--epochs") { Description = "trained/compare: epochs of end-to-end training", DefaultValueFactory = _ => 3 };
        var pretrainEpochs = new Option<int>("--pretrain-epochs") { Description = "pretrained: autoencoder epochs per layer", DefaultValueFactory = _ => 1 };
        var finetuneEpochs = new Option<int>("--finetune-epochs") { Description = "random: then train the best random network whole for N epochs (the chapter's step 2)", DefaultValueFactory = _ => 0 };
        var lr = new Option<float>("--lr") { Description = "Adam learning rate of end-to-end training", DefaultValueFactory = _ => 1e-3f };
        var batchSize = new Option<int>("--batch-size") { Description = "Images per step of end-to-end training", DefaultValueFactory = _ => 64 };
        var command = new Command("features", "Test accuracy of k-means features, random conv features and the fully trained network (the chapter's comparison).")
        {
            method, dataset, data, limit, testLimit, seed, threads, json, centroids, patchSize, patches, iterations, seeds, probeEpochs, epochs, pretrainEpochs, finetuneEpochs, lr, batchSize,
        };
        command.SetAction(parse => CliError.Run(() => Run(new FeaturesSettings(
            parse.GetValue(method)!, parse.GetValue(dataset)!, parse.GetValue(data), parse.GetValue(limit), parse.GetValue(testLimit),
            parse.GetValue(seed), parse.GetValue(threads), parse.GetValue(json), parse.GetValue(centroids), parse.GetValue(patchSize),
            parse.GetValue(patches), parse.GetValue(iterations), parse.GetValue(seeds), parse.GetValue(probeEpochs), parse.GetValue(epochs),
            parse.GetValue(pretrainEpochs), parse.GetValue(finetuneEpochs), parse.GetValue(lr), parse.GetValue(batchSize)))));
        return command;
    }

    /// <summary>The parsed options of one run.</summary>
    public sealed record FeaturesSettings(string Method, string Dataset, string? DataDirectory, int? Limit, int? TestLimit, ulong Seed, int Threads,
        bool Json, int Centroids, int PatchSize, int Patches, int Iterations, int Seeds, int ProbeEpochs, int Epochs, int PretrainEpochs, int FinetuneEpochs,
        float LearningRate, int BatchSize);

    /// <summary>Runs the method(s) named by <paramref name="s"/> and prints their test accuracy; returns the exit code.</summary>
    /// <exception cref="ArgumentException">An option is out of range or the dataset is unknown.</exception>
    public static int Run(FeaturesSettings s)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s.Method is not ("kmeans" or "random" or "pretrained" or "trained" or "compare"))
            throw new ArgumentException($"Unknown method '{s.Method}'. Known: kmeans, random, pretrained, trained, compare.");
        if (!string.Equals(s.Dataset, "fashion-mnist", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown dataset '{s.Dataset}'. Known datasets: fashion-mnist.");
        if (s.Limit is < 12) throw new ArgumentException($"--limit must be at least 12 (a sixth is held out for the sweep), got {s.Limit}.");
        if (s.TestLimit is < 1) throw new ArgumentException($"--test-limit must be at least 1, got {s.TestLimit}.");
        if (s.Threads < 1) throw new ArgumentException($"--threads must be at least 1, got {s.Threads}.");
        if (s.Centroids < 1 || s.PatchSize < 1 || s.Patches < 2 || s.Iterations < 1)
            throw new ArgumentException("--centroids, --patch-size and --iterations must be at least 1, --patches at least 2.");
        if (s.Seeds < 1 || s.ProbeEpochs < 1 || s.Epochs < 1 || s.PretrainEpochs < 1 || s.FinetuneEpochs < 0 || s.BatchSize < 1)
            throw new ArgumentException("--seeds, --probe-epochs, --epochs, --pretrain-epochs and --batch-size must be at least 1, --finetune-epochs at least 0.");
        if (!(s.LearningRate > 0) || !float.IsFinite(s.LearningRate)) throw new ArgumentException($"--lr must be a positive number, got {s.LearningRate}.");
        using var threadsScope = Compute.UseThreads(s.Threads);

        var fmnist = FashionMnist.Load(new FashionMnistOptions { DataDirectory = s.DataDirectory });
        var train = s.Limit is int n && n < fmnist.Train.Count ? Subset(fmnist.Train, 0, n) : fmnist.Train;
        var test = s.TestLimit is int t && t < fmnist.Test.Count ? Subset(fmnist.Test, 0, t) : fmnist.Test;
        if (!s.Json)
            Console.Out.Write($"Fashion-MNIST: {train.Count:N0} training and {test.Count:N0} test images, seed {s.Seed}, {s.Threads} thread(s).\n");
        var rng = new Rng(s.Seed);
        var probe = new LinearProbeOptions { Epochs = s.ProbeEpochs };
        var results = new List<(string Method, string Detail, double Accuracy, double Seconds)>();

        if (s.Method is "kmeans" or "compare")
        {
            var clock = Stopwatch.StartNew();
            var encoder = KMeansFeatures.Fit(train.Images, rng.Fork(), new KMeansFeatureOptions
            {
                Centroids = s.Centroids, PatchSize = s.PatchSize, Patches = s.Patches, Iterations = s.Iterations,
            });
            var extractor = KMeansFeatures.Extractor(encoder);
            var classifier = LinearProbe.Train(LinearProbe.ExtractFeatures(extractor, train.Images), train.Labels, train.ClassNames.Count, rng.Fork(), probe);
            double accuracy = LinearProbe.Accuracy(classifier, LinearProbe.ExtractFeatures(extractor, test.Images), test.Labels);
            Report(results, s, "kmeans", $"{s.Centroids} centroids, {s.PatchSize}×{s.PatchSize} patches, triangle, 2×2 pooling, linear classifier", accuracy, clock.Elapsed.TotalSeconds);
        }

        RandomFeatureCandidate? best = null;
        if (s.Method is "random" or "compare")
        {
            var clock = Stopwatch.StartNew();
            int held = train.Count / 6;
            var sweepTrain = Subset(train, 0, train.Count - held);
            var validation = Subset(train, train.Count - held, held);
            var candidates = RandomFeatures.Sweep(sweepTrain, validation, null, s.Seeds, rng.Fork(), probe);
            if (!s.Json)
                foreach (var c in candidates)
                    Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"  {c.Architecture,-10} seed {c.Seed,20}: validation accuracy {c.ValidationAccuracy:P2}\n"));
            best = candidates[0];
            double accuracy = TestAccuracy(best.ToNetwork(), test);
            Report(results, s, "random", $"best of {candidates.Count} random networks ({best.Architecture}), only the classifier trained", accuracy, clock.Elapsed.TotalSeconds);
            if (s.FinetuneEpochs > 0)
            {
                clock.Restart();
                var network = RandomFeatures.Unfreeze(best.ToNetwork());
                accuracy = TrainWhole(network, train, test, s.FinetuneEpochs, s, rng.Fork());
                Report(results, s, "random+finetune", $"that network then trained whole for {s.FinetuneEpochs} epoch(s)", accuracy, clock.Elapsed.TotalSeconds);
            }
        }

        string architecture = best?.Architecture ?? "conv32-k5";
        if (s.Method is "pretrained" or "compare")
        {
            var clock = Stopwatch.StartNew();
            var features = RandomFeatures.DefaultArchitectures.First(a => a.Name == architecture).Build(train.SampleShape[0], rng.Fork());
            var reconstruction = LayerwisePretraining.Pretrain(features, train.Images, rng.Fork(),
                new LayerwisePretrainingOptions { Epochs = s.PretrainEpochs, BatchSize = s.BatchSize, LearningRate = s.LearningRate });
            if (!s.Json)
                for (int i = 0; i < reconstruction.Count; i++)
                    Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"  layer {i + 1} autoencoder: reconstruction loss {string.Join(" → ", reconstruction[i].Select(l => l.ToString("G4", CultureInfo.InvariantCulture)))}\n"));
            var classifier = RandomFeatures.TrainClassifier(features, train, rng.Fork(), probe);
            var network = new Sequential(features, new Flatten(), classifier);
            Report(results, s, "pretrained", $"{architecture} pretrained layer by layer as autoencoders ({s.PretrainEpochs} epoch(s) each), only the classifier trained", TestAccuracy(network, test), clock.Elapsed.TotalSeconds);
            clock.Restart();
            double accuracy = TrainWhole(RandomFeatures.Unfreeze(network), train, test, s.Epochs, s, rng.Fork());
            Report(results, s, "pretrained+finetune", $"that network then trained whole, {s.Epochs} epoch(s)", accuracy, clock.Elapsed.TotalSeconds);
        }

        if (s.Method is "trained" or "compare")
        {
            var clock = Stopwatch.StartNew();
            var features = RandomFeatures.DefaultArchitectures.First(a => a.Name == architecture).Build(train.SampleShape[0], rng.Fork());
            int featureCount = LinearProbe.ExtractFeatures(features, Subset(train, 0, 1).Images).Dims[1];
            var network = new Sequential(features, new Flatten(), new Linear(featureCount, train.ClassNames.Count, rng: rng.Fork()));
            double accuracy = TrainWhole(network, train, test, s.Epochs, s, rng.Fork());
            Report(results, s, "trained", $"{architecture} trained end to end, {s.Epochs} epoch(s), Adam lr {s.LearningRate.ToString(CultureInfo.InvariantCulture)}", accuracy, clock.Elapsed.TotalSeconds);
        }

        if (!s.Json && results.Count > 1)
        {
            Console.Out.Write("\n| method | test accuracy | seconds | what |\n| --- | ---: | ---: | --- |\n");
            foreach (var r in results)
                Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"| {r.Method} | {r.Accuracy:P2} | {r.Seconds:F0} | {r.Detail} |\n"));
        }
        return CliError.Ok;
    }

    private static void Report(List<(string, string, double, double)> results, FeaturesSettings s, string method, string detail, double accuracy, double seconds)
    {
        results.Add((method, detail, accuracy, seconds));
        if (s.Json)
            Console.Out.Write(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["method"] = method, ["test_accuracy"] = Math.Round(accuracy, 4), ["seconds"] = Math.Round(seconds, 1), ["detail"] = detail,
            }) + "\n");
        else
            Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"{method}: test accuracy {accuracy:P2} ({detail}; {seconds:F1} s)\n"));
    }

    private static double TrainWhole(Module network, ClassificationDataset train, ClassificationDataset test, int epochs, FeaturesSettings s, Rng rng)
    {
        var optimizer = new Adam(network.Parameters(), s.LearningRate);
        var loader = new DataLoader(train, s.BatchSize, shuffle: true, rng: rng);
        for (int epoch = 0; epoch < epochs; epoch++)
            Trainer.TrainEpoch(network, loader.Epoch(), loader.BatchCount, optimizer);
        return TestAccuracy(network, test);
    }

    private static double TestAccuracy(Module network, ClassificationDataset test) =>
        Trainer.Evaluate(network, new DataLoader(test, batchSize: 500).Epoch()).Accuracy;

    private static ClassificationDataset Subset(ClassificationDataset full, int first, int count)
    {
        var images = full.Images.AsSpan().Slice(first * full.SampleLength, count * full.SampleLength).ToArray();
        return new ClassificationDataset(images, [.. full.SampleShape], full.Labels.Slice(first, count), full.ClassNames);
    }
}
