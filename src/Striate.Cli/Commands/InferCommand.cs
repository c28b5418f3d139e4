// striate infer: runs a saved model (a Striate checkpoint or an .onnx file) on tensors stored as .npy
// files or on images, writes the raw outputs to an .npy file and prints the top-k classes of each
// input, named from the model's class_names metadata.
//
// Each .npy --input holds one sample shaped like the model's input (the input_shape metadata, e.g.
// 1,28,28) or a batch of them (N, 1, 28, 28); an image (PNG, PPM/PGM/PNM, BMP) is one sample, resized
// and normalized as the metadata says (InferInputs). All inputs are stacked into one batch in the order
// given. Probabilities are softmax(logits) per sample, p_c = exp(z_c − max z) / Σ_j exp(z_j − max z).
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Striate.Autograd;
using Striate.Layers;
using Striate.Onnx;
using Striate.Serialization;

namespace Striate.Cli.Commands;

/// <summary>The <c>infer</c> command.</summary>
public static class InferCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A Striate checkpoint (written by striate train --save or Checkpoint.Save) or an .onnx model", Required = true };
        var inputs = new Option<string[]>("--input") { Description = "An .npy tensor (one sample shaped like the model's input, or a batch of them) or an image (PNG/PPM/PGM/BMP, resized and normalized per the model's metadata); repeatable", Required = true, Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output") { Description = "Write the model's outputs for all inputs, stacked, to this .npy file" };
        var top = new Option<int>("--top") { Description = "How many classes to print per input", DefaultValueFactory = _ => 3 };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var command = new Command("infer", "Run a saved model (checkpoint or .onnx) on .npy or image inputs: top-k classes, raw outputs to .npy.") { model, inputs, output, top, threads, json };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(model)!, parse.GetValue(inputs)!, parse.GetValue(output), parse.GetValue(top), parse.GetValue(threads), parse.GetValue(json))));
        return command;
    }

    /// <summary>Runs the model on the inputs; returns the exit code.</summary>
    public static int Run(string modelPath, string[] inputPaths, string? outputPath, int top, int threads, bool json)
    {
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.");
        if (top < 1) throw new ArgumentException($"--top must be at least 1, got {top}.");
        if (!File.Exists(modelPath)) throw new ArgumentException($"--model: no such file '{Path.GetFullPath(modelPath)}'.");
        foreach (var input in inputPaths)
            if (!File.Exists(input)) throw new ArgumentException($"--input: no such file '{Path.GetFullPath(input)}'.");
        using var threadsScope = Compute.UseThreads(threads);

        var (net, metadata, declaredShape) = LoadModel(modelPath);
        int[]? sampleShape = metadata.TryGetValue("input_shape", out var shapeText) ? ParseShape(shapeText, modelPath) : declaredShape;
        string[]? classNames = metadata.TryGetValue("class_names", out var namesText) ? ParseNames(namesText, modelPath) : null;
        float[]? mean = InferInputs.ParseFloats(metadata.GetValueOrDefault("mean"), "mean", modelPath);
        float[]? std = InferInputs.ParseFloats(metadata.GetValueOrDefault("std"), "std", modelPath);

        // Which rows of the stacked batch came from which file, for the report.
        var sources = new List<(string File, int First, int Count, bool Single)>();
        var batch = new List<Tensor>();
        int rows = 0;
        foreach (var input in inputPaths)
        {
            Tensor tensor, asBatch;
            if (InferInputs.IsImage(input))
            {
                if (sampleShape is null)
                    throw new ArgumentException($"--input '{input}' is an image, but the model '{modelPath}' has no input_shape metadata to resize it to.");
                asBatch = InferInputs.LoadImage(input, sampleShape, mean, std);
                tensor = asBatch.Reshape(sampleShape);
            }
            else
            {
                tensor = Npy.Read(input);
                asBatch = AsBatch(tensor, sampleShape, input);
            }
            sources.Add((input, rows, asBatch.Shape[0], asBatch.Rank != tensor.Rank));
            rows += asBatch.Shape[0];
            batch.Add(asBatch);
        }
        var x = batch.Count == 1 ? batch[0] : Functional.Concat(batch, dim: 0);

        net.Eval();
        Tensor y;
        using (GradMode.NoGrad()) y = net.Forward(x);
        if (outputPath is not null) Npy.Write(outputPath, y);

        if (y.Rank != 2)
        {
            // Not a classifier's (N, classes) output: nothing to rank.
            if (!json) Console.WriteLine($"output {Tensor.ShapeText(y.Dims)}{(outputPath is null ? "" : $" written to {outputPath}")}");
            else Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["output_shape"] = y.Shape, ["output"] = outputPath }));
            return CliError.Ok;
        }
        int classes = y.Shape[1];
        int k = Math.Min(top, classes);
        var results = new List<Dictionary<string, object>>();
        foreach (var (file, first, count, single) in sources)
            for (int n = 0; n < count; n++)
            {
                var ranked = TopK(y.AsSpan().Slice((first + n) * classes, classes), k);
                results.Add(new Dictionary<string, object>
                {
                    ["input"] = file,
                    ["index"] = n,
                    ["top"] = ranked.Select(r => new Dictionary<string, object>
                    {
                        ["class"] = r.Class,
                        ["name"] = NameOf(r.Class, classNames),
                        ["probability"] = Math.Round(r.Probability, 6),
                    }).ToList(),
                });
                if (!json)
                    Console.WriteLine((single ? file : $"{file}[{n}]") + ": " + string.Join(", ", ranked.Select(r =>
                        string.Create(CultureInfo.InvariantCulture, $"{NameOf(r.Class, classNames)} {r.Probability:P1}"))));
            }
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["output_shape"] = y.Shape, ["output"] = outputPath, ["results"] = results }));
        return CliError.Ok;
    }

    /// <summary>A Striate checkpoint, or an ONNX model when the file ends in .onnx; its metadata and (ONNX) declared sample shape.</summary>
    private static (Module Model, IReadOnlyDictionary<string, string> Metadata, int[]? DeclaredShape) LoadModel(string path)
    {
        if (!path.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var loaded = Checkpoint.Load(path);
            return (loaded.Model, loaded.Metadata, null);
        }
        var onnx = OnnxModel.Load(path);
        if (onnx.InputNames.Count != 1)
            throw new ArgumentException($"--model '{path}' has {onnx.InputNames.Count} graph inputs; striate infer runs models with one input.");
        var declared = onnx.InputShapes[onnx.InputNames[0]];
        int[]? shape = declared.Length > 1 && declared[1..].All(d => d is not null) ? [.. declared[1..].Select(d => d!.Value)] : null;
        return (onnx, onnx.Metadata, shape);
    }

    /// <summary>A sample gets a batch dimension of 1; a batch is taken as it is; anything else is refused naming both shapes.</summary>
    private static Tensor AsBatch(Tensor tensor, int[]? sampleShape, string file)
    {
        if (sampleShape is null)
        {
            if (tensor.Rank == 0) throw new ArgumentException($"--input '{file}' holds a scalar; the model needs a batch of samples.");
            return tensor;
        }
        if (tensor.Dims.SequenceEqual(sampleShape)) return tensor.Reshape([1, .. sampleShape]);
        if (tensor.Rank == sampleShape.Length + 1 && tensor.Dims[1..].SequenceEqual(sampleShape)) return tensor;
        throw new ArgumentException($"--input '{file}' has shape {Tensor.ShapeText(tensor.Dims)}, but the model takes samples of shape {Tensor.ShapeText(sampleShape)} (or a batch (N, {string.Join(", ", sampleShape)})).");
    }

    private static List<(int Class, double Probability)> TopK(ReadOnlySpan<float> logits, int k)
    {
        // Softmax in double with the max subtracted: exp of large logits would overflow otherwise.
        double max = double.NegativeInfinity;
        foreach (float z in logits) max = Math.Max(max, z);
        var p = new double[logits.Length];
        double sum = 0;
        for (int c = 0; c < p.Length; c++) sum += p[c] = Math.Exp(logits[c] - max);
        return [.. Enumerable.Range(0, p.Length).OrderByDescending(c => p[c]).ThenBy(c => c).Take(k).Select(c => (c, p[c] / sum))];
    }

    private static string NameOf(int c, string[]? names) =>
        names is not null && c < names.Length ? names[c] : "class " + c.ToString(CultureInfo.InvariantCulture);

    private static int[] ParseShape(string text, string modelPath)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var shape = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out shape[i]) || shape[i] <= 0)
                throw new InvalidDataException($"Checkpoint '{modelPath}': the input_shape metadata '{text}' is not positive integers separated by commas.");
        return shape;
    }

    private static string[] ParseNames(string text, string modelPath)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(text) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"Checkpoint '{modelPath}': the class_names metadata is not a JSON array of strings: {ex.Message}", ex);
        }
    }
}
