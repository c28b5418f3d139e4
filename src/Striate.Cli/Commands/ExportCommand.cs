// striate export: writes a saved Striate model as an ONNX file that ONNX Runtime (or any ONNX tool)
// runs. The sample shape comes from the checkpoint's input_shape metadata or --input-shape; the
// batch dimension stays symbolic. The checkpoint's model, input_shape, class_names, mean and std
// metadata travel along as ONNX metadata_props, so striate infer on the .onnx file names classes
// and prepares images as it does for the checkpoint.
using System.CommandLine;
using System.Globalization;
using Striate.Onnx;
using Striate.Serialization;

namespace Striate.Cli.Commands;

/// <summary>The <c>export</c> command.</summary>
public static class ExportCommand
{
    private static readonly string[] CarriedMetadata = ["model", "input_shape", "class_names", "mean", "std", "dataset"];

    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A Striate checkpoint (written by striate train --save or Checkpoint.Save)", Required = true };
        var onnx = new Option<string>("--onnx") { Description = "The .onnx file to write", Required = true };
        var inputShape = new Option<string?>("--input-shape") { Description = "One sample's shape without the batch, e.g. 1,28,28 (default: the checkpoint's input_shape)" };
        var opset = new Option<int>("--opset") { Description = "ONNX opset, 13 to 17", DefaultValueFactory = _ => 13 };
        var command = new Command("export", "Write a saved model as ONNX (runs in ONNX Runtime; batch size left dynamic).") { model, onnx, inputShape, opset };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(model)!, parse.GetValue(onnx)!, parse.GetValue(inputShape), parse.GetValue(opset))));
        return command;
    }

    /// <summary>Exports the model; returns the exit code.</summary>
    public static int Run(string modelPath, string onnxPath, string? inputShape, int opset)
    {
        if (!File.Exists(modelPath)) throw new ArgumentException($"--model: no such file '{Path.GetFullPath(modelPath)}'.");
        var loaded = Checkpoint.Load(modelPath);
        string? shapeText = inputShape ?? loaded.Metadata.GetValueOrDefault("input_shape");
        if (shapeText is null) throw new ArgumentException($"--model '{modelPath}' has no input_shape metadata; give --input-shape (e.g. 1,28,28).");
        var shape = ParseShape(shapeText);
        var metadata = CarriedMetadata.Where(loaded.Metadata.ContainsKey).ToDictionary(k => k, k => loaded.Metadata[k], StringComparer.Ordinal);
        metadata["input_shape"] = string.Join(',', shape);
        OnnxExport.Export(loaded.Model, onnxPath, shape, new OnnxExportOptions { Opset = opset, Metadata = metadata });
        Console.WriteLine($"wrote {onnxPath} (opset {opset}, input (batch, {string.Join(", ", shape)}), {loaded.Model.ParameterCount().ToString("N0", CultureInfo.InvariantCulture)} parameters)");
        return CliError.Ok;
    }

    private static int[] ParseShape(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                throw new ArgumentException($"--input-shape '{text}' must be positive integers separated by commas.");
        return shape;
    }
}
