// striate summary: each layer with its output shape and parameter count, and the total.
using System.CommandLine;
using Spectre.Console;
using Striate.Layers;
using Striate.Models;

namespace Striate.Cli.Commands;

/// <summary>The <c>summary</c> command.</summary>
public static class SummaryCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model: " + string.Join(", ", ModelZoo.Names), DefaultValueFactory = _ => "lenet5" };
        var input = new Option<string?>("--input") { Description = "Input shape C,H,W (default: the model's own)" };
        var classes = new Option<int>("--classes") { Description = "Number of classes", DefaultValueFactory = _ => 10 };
        var command = new Command("summary", "Print a model layer by layer: output shapes and parameter counts.") { model, input, classes };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(model)!, parse.GetValue(input), parse.GetValue(classes))));
        return command;
    }

    /// <summary>Prints the summary; returns the exit code.</summary>
    public static int Run(string modelName, string? input, int classes)
    {
        var shape = input is null ? [.. ModelZoo.InputShape(modelName)] : ParseShape(input);
        var net = ModelZoo.Create(modelName, new Rng(0), classes);
        var summary = net.Summarize(shape);
        var table = new Table();
        table.AddColumn("layer").AddColumn("type").AddColumn("description").AddColumn("output shape").AddColumn(new TableColumn("parameters").RightAligned());
        foreach (var row in summary.Rows)
            table.AddRow(Markup.Escape(row.Name), Markup.Escape(row.Type), Markup.Escape(row.Description),
                Markup.Escape(Tensor.ShapeText([.. row.OutputShape])), row.Parameters.ToString("N0", System.Globalization.CultureInfo.InvariantCulture));
        table.AddEmptyRow();
        table.AddRow("[bold]total[/]", "", "", "", $"[bold]{summary.TotalParameters:N0}[/]");
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(modelName)}[/], input {Markup.Escape(Tensor.ShapeText(shape))}");
        AnsiConsole.Write(table);
        return CliError.Ok;
    }

    private static int[] ParseShape(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                throw new ArgumentException($"--input must be positive integers separated by commas, like 1,28,28; got '{text}'.");
        return shape;
    }
}
