// striate eval: a saved model's accuracy on the Fashion-MNIST test set, per-class precision,
// recall and F1, and the confusion matrix.
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Striate.Autograd;
using Striate.Data;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>The <c>eval</c> command.</summary>
public static class EvalCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A checkpoint written by striate train (--save or --checkpoint-dir)", Required = true };
        var dataset = new Option<string>("--dataset") { Description = "Dataset: fashion-mnist", DefaultValueFactory = _ => "fashion-mnist" };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables" };
        var command = new Command("eval", "Evaluate a saved model on the test set: accuracy, per-class metrics, confusion matrix.") { model, dataset, data, threads, json };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(model)!, parse.GetValue(dataset)!, parse.GetValue(data), parse.GetValue(threads), parse.GetValue(json))));
        return command;
    }

    /// <summary>Evaluates; returns the exit code.</summary>
    public static int Run(string modelPath, string dataset, string? dataDirectory, int threads, bool json)
    {
        if (!string.Equals(dataset, "fashion-mnist", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Unknown dataset '{dataset}'. Known datasets: fashion-mnist.");
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.");
        if (!File.Exists(modelPath)) throw new ArgumentException($"--model: no such file '{Path.GetFullPath(modelPath)}'.");
        using var threadsScope = Compute.UseThreads(threads);
        var loaded = Checkpoint.Load(modelPath);
        var test = FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = dataDirectory }).GetAwaiter().GetResult().Test;
        var names = FashionMnist.ClassNames;
        var matrix = new ConfusionMatrix(names.Count, topK: 2);
        var net = loaded.Model;
        net.Eval();
        using (GradMode.NoGrad())
            foreach (var batch in new DataLoader(test, batchSize: 1000).Epoch())
                matrix.Add(net.Forward(batch.Images), batch.Labels);

        if (json)
        {
            var perClass = Enumerable.Range(0, names.Count).Select(c => new Dictionary<string, object>
            {
                ["class"] = names[c], ["precision"] = Math.Round(matrix.Precision(c), 4), ["recall"] = Math.Round(matrix.Recall(c), 4), ["f1"] = Math.Round(matrix.F1(c), 4),
            }).ToList();
            var confusion = Enumerable.Range(0, names.Count).Select(r => Enumerable.Range(0, names.Count).Select(c => matrix[r, c]).ToArray()).ToArray();
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["images"] = matrix.Total, ["accuracy"] = Math.Round(matrix.Accuracy, 4), ["top2_accuracy"] = Math.Round(matrix.TopKAccuracy, 4),
                ["per_class"] = perClass, ["confusion"] = confusion,
            }));
            return CliError.Ok;
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(modelPath))}[/] on {matrix.Total:N0} Fashion-MNIST test images: " +
            $"[bold]accuracy {matrix.Accuracy:P2}[/], top-2 {matrix.TopKAccuracy:P2}");
        var metrics = new Table().AddColumn("class").AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned()).AddColumn(new TableColumn("F1").RightAligned());
        for (int c = 0; c < names.Count; c++)
            metrics.AddRow(Markup.Escape(names[c]), matrix.Precision(c).ToString("P1", CultureInfo.InvariantCulture), matrix.Recall(c).ToString("P1", CultureInfo.InvariantCulture), matrix.F1(c).ToString("F3", CultureInfo.InvariantCulture));
        AnsiConsole.Write(metrics);
        var confusionTable = new Table().AddColumn("true \\ predicted");
        for (int c = 0; c < names.Count; c++) confusionTable.AddColumn(new TableColumn(c.ToString(CultureInfo.InvariantCulture)).RightAligned());
        for (int r = 0; r < names.Count; r++)
            confusionTable.AddRow([$"{r} {Markup.Escape(names[r])}", .. Enumerable.Range(0, names.Count).Select(c => r == c ? $"[bold]{matrix[r, c]}[/]" : matrix[r, c].ToString(CultureInfo.InvariantCulture))]);
        AnsiConsole.Write(confusionTable);
        return CliError.Ok;
    }
}
