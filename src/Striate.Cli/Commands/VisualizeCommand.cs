// striate visualize: pictures of what a network learned, written as PNG files.
//   filters    --model PATH --out FILE.png                      first-layer filters (per channel, RGB for 3 channels)
//   features   --model PATH [--index I] [--layer L] --out FILE    feature maps of layer L for test image I
//   saliency   --model PATH [--index I] [--class C] --out FILE    [image | max_c |∂S_c/∂x|]
//   occlusion  --model PATH [--index I] [--class C] --out FILE    [image | class probability with a grey patch at each position]
//   gabor      --out FILE.png                                     the chapter's three Gabor parameter sweeps, one per row
// Images come from the Fashion-MNIST test set (--data DIR, else the usual search and download).
// The class defaults to the model's prediction for the image.
using System.CommandLine;
using System.Globalization;
using Striate.Autograd;
using Striate.Data;
using Striate.Features;
using Striate.Imaging;
using Striate.Layers;
using Striate.Serialization;
using Striate.Visualization;

namespace Striate.Cli.Commands;

/// <summary>The <c>visualize</c> command and its sub-commands.</summary>
public static class VisualizeCommand
{
    /// <summary>Patch side and stride of <c>visualize occlusion</c> on 28×28 images.</summary>
    private const int OcclusionPatch = 4, OcclusionStride = 2;

    /// <summary>Builds the command and its sub-commands.</summary>
    public static Command Create()
    {
        var command = new Command("visualize", "Write pictures of a model: filters, feature maps, saliency, occlusion; or the Gabor sweeps.");
        command.Subcommands.Add(ModelCommand("filters", "First-layer convolution filters as an image grid.", needsImage: false));
        command.Subcommands.Add(ModelCommand("features", "Feature maps of one layer for a Fashion-MNIST test image.", needsImage: true, withLayer: true));
        command.Subcommands.Add(ModelCommand("saliency", "Saliency map (gradient of a class score w.r.t. the image) beside the image.", needsImage: true));
        command.Subcommands.Add(ModelCommand("occlusion", "Class probability as a grey patch slides over the image, beside the image.", needsImage: true));
        var gaborOut = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var gabor = new Command("gabor", "The chapter's Gabor sweeps: centre/orientation, Gaussian scale, frequency/phase (one row each).") { gaborOut };
        gabor.SetAction(parse => CliError.Run(() => RunGabor(parse.GetValue(gaborOut)!)));
        command.Subcommands.Add(gabor);
        return command;
    }

    private static Command ModelCommand(string name, string description, bool needsImage, bool withLayer = false)
    {
        var model = new Option<string>("--model") { Description = "A checkpoint written by striate train", Required = true };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var command = new Command(name, description) { model, output };
        var index = new Option<int>("--index") { Description = "Fashion-MNIST test image index", DefaultValueFactory = _ => 0 };
        var cls = new Option<int?>("--class") { Description = "Class to explain (default: the model's prediction)" };
        var layer = new Option<int>("--layer") { Description = "Index of the layer whose output is shown (Sequential models)", DefaultValueFactory = _ => 0 };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        command.Options.Add(threads);
        if (needsImage)
        {
            command.Options.Add(index);
            command.Options.Add(data);
            if (withLayer) command.Options.Add(layer);
            else command.Options.Add(cls);
        }
        command.SetAction(parse => CliError.Run(() => Run(name, parse.GetValue(model)!, parse.GetValue(output)!, parse.GetValue(index),
            parse.GetValue(cls), parse.GetValue(layer), parse.GetValue(data), parse.GetValue(threads))));
        return command;
    }

    /// <summary>Runs one model sub-command; returns the exit code.</summary>
    public static int Run(string what, string modelPath, string outPath, int index, int? classIndex, int layer, string? dataDirectory, int threads)
    {
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.");
        if (!File.Exists(modelPath)) throw new ArgumentException($"--model: no such file '{Path.GetFullPath(modelPath)}'.");
        CheckOutput(outPath);
        Compute.Threads = threads;
        var net = Checkpoint.Load(modelPath).Model;
        if (what == "filters")
        {
            var weight = NetworkPictures.FirstLayerWeight(net);
            var picture = NetworkPictures.Filters(weight);
            Png.Save(outPath, picture);
            Console.WriteLine($"wrote {outPath}: {weight.Dims[0]} filters of {weight.Dims[1]} channel(s), {weight.Dims[2]}×{weight.Dims[3]} ({picture.Width}×{picture.Height} pixels)");
            return CliError.Ok;
        }

        var test = FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = dataDirectory }).GetAwaiter().GetResult().Test;
        if (index < 0 || index >= test.Count) throw new ArgumentException($"--index must be between 0 and {test.Count - 1}, got {index}.");
        var image = Tensor.FromArray(test.GetImage(index).ToArray(), [.. test.SampleShape]);
        string label = FashionMnist.ClassNames[test.Labels[index]];
        if (what == "features")
        {
            if (net is not Sequential sequential) throw new ArgumentException($"visualize features needs a Sequential model; this checkpoint holds a {net.TypeName}.");
            if (layer < 0 || layer >= sequential.Count) throw new ArgumentException($"--layer must be between 0 and {sequential.Count - 1}, got {layer}.");
            var maps = NetworkPictures.FeatureMaps(sequential, image, layer);
            if (maps.Rank != 4) throw new ArgumentException($"Layer {layer} ({sequential[layer].TypeName}) outputs {Tensor.ShapeText(maps.Dims)}, not (N, K, P, Q) feature maps; pick a convolution or pooling layer.");
            var grid = NetworkPictures.FeatureMapGrid(maps);
            Png.Save(outPath, grid);
            Console.WriteLine($"wrote {outPath}: {maps.Dims[1]} feature maps of layer {layer} ({sequential[layer].TypeName}), {maps.Dims[2]}×{maps.Dims[3]}, for test image {index} ({label})");
            return CliError.Ok;
        }

        var (predicted, probability) = Predict(net, image);
        int target = classIndex ?? predicted;
        if (target < 0 || target >= FashionMnist.ClassNames.Count)
            throw new ArgumentException($"--class must be between 0 and {FashionMnist.ClassNames.Count - 1}, got {target}.");
        var options = new GridOptions { Columns = 2, Scale = 4, Padding = 2 };
        string about = $"class {target} ({FashionMnist.ClassNames[target]}) for test image {index} (label {label}; predicted {FashionMnist.ClassNames[predicted]}, p = {probability.ToString("F3", CultureInfo.InvariantCulture)})";
        if (what == "saliency")
        {
            var map = Saliency.Map(net, image, target);
            Png.Save(outPath, ImageGrid.Tile([image, map], options));
            Console.WriteLine($"wrote {outPath}: saliency of {about}");
        }
        else
        {
            var occlusion = Occlusion.Compute(net, image, target, OcclusionPatch, OcclusionStride);
            Png.Save(outPath, ImageGrid.Tile([image, occlusion.Probabilities], options));
            var p = occlusion.Probabilities;
            Console.WriteLine($"wrote {outPath}: occlusion ({OcclusionPatch}×{OcclusionPatch} grey patch, stride {OcclusionStride}, {p.Dims[0]}×{p.Dims[1]} positions) of {about}; " +
                $"probability {occlusion.BaselineProbability.ToString("F3", CultureInfo.InvariantCulture)} unoccluded, down to {p.ToArray().Min().ToString("F3", CultureInfo.InvariantCulture)}");
        }
        return CliError.Ok;
    }

    /// <summary>Writes the Gabor sweeps; returns the exit code.</summary>
    public static int RunGabor(string outPath)
    {
        CheckOutput(outPath);
        const int size = 31;
        var maps = Gabor.ChapterSweeps().SelectMany(sweep => sweep).Select(p => Gabor.Kernel(p, size)).ToList();
        var picture = ImageGrid.Tile(maps, new GridOptions { Columns = 9, Scale = 2, Padding = 2 });
        Png.Save(outPath, picture);
        Console.WriteLine($"wrote {outPath}: 3 Gabor sweeps of 9 filters, {size}×{size} (rows: centre/orientation, Gaussian scale, frequency/phase)");
        return CliError.Ok;
    }

    private static (int Class, float Probability) Predict(Module net, Tensor image)
    {
        bool training = net.IsTraining;
        net.Eval();
        try
        {
            using (GradMode.NoGrad())
            {
                var probs = Functional.Softmax(net.Forward(image.Reshape([1, .. image.Dims])), 1).ToArray();
                int best = Array.IndexOf(probs, probs.Max());
                return (best, probs[best]);
            }
        }
        finally
        {
            net.Train(training);
        }
    }

    private static void CheckOutput(string outPath)
    {
        if (string.IsNullOrWhiteSpace(outPath)) throw new ArgumentException("--out must name a file.");
        var dir = Path.GetDirectoryName(Path.GetFullPath(outPath));
        if (dir is not null && !Directory.Exists(dir)) throw new ArgumentException($"--out: the directory '{dir}' does not exist.");
    }
}
