// striate summary: each layer of a zoo model with its output shape, parameters (trainable and
// frozen), multiply-accumulates, activation memory and receptive field, then the totals; as an
// aligned text table (plain text, so a narrow terminal or a pipe does not wrap the columns) or Markdown.
using System.CommandLine;
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
        var input = new Option<string?>("--input") { Description = "Input shape C,H,W (default: the model's own, e.g. 3,224,224)" };
        var classes = new Option<int?>("--classes") { Description = "Number of classes (default: the model's reference configuration, 1000 for ImageNet models, 10 for the small ones)" };
        var markdown = new Option<bool>("--markdown") { Description = "Print a Markdown table instead of aligned text" };
        var command = new Command("summary", "Print a model layer by layer: output shapes, parameters, multiply-accumulates, activation memory and receptive fields.")
        {
            model, input, classes, markdown,
        };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(model)!, parse.GetValue(input), parse.GetValue(classes), parse.GetValue(markdown))));
        return command;
    }

    /// <summary>Prints the summary; returns the exit code.</summary>
    /// <param name="modelName">A zoo name.</param>
    /// <param name="input">"C,H,W", or null for the model's default input shape.</param>
    /// <param name="classes">Class count, or null for the model's reference configuration.</param>
    /// <param name="markdown">Markdown instead of aligned text.</param>
    /// <exception cref="ArgumentException">Unknown model, malformed shape, non-positive class count, or a shape the model cannot take.</exception>
    public static int Run(string modelName, string? input, int? classes, bool markdown = false)
    {
        var shape = input is null ? [.. ModelZoo.InputShape(modelName)] : ParseShape(input);
        int classCount = classes ?? ModelZoo.DefaultClasses(modelName);
        if (classCount < 1) throw new ArgumentException($"--classes must be at least 1, got {classCount}.");
        var net = ModelZoo.Create(modelName, new Rng(0), classCount, shape);
        var summary = net.Summarize(shape);
        Console.Out.Write($"{modelName}: {ModelZoo.Describe(modelName)}, {classCount} classes\n\n");
        Console.Out.Write(markdown ? summary.ToMarkdown() : summary.ToText());
        return CliError.Ok;
    }

    private static int[] ParseShape(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], System.Globalization.CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                throw new ArgumentException($"--input must be positive integers separated by commas, like 1,28,28; got '{text}'.");
        if (shape.Length != 3) throw new ArgumentException($"--input must be three sizes C,H,W, like 3,224,224; got '{text}'.");
        return shape;
    }
}
