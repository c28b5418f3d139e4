// striate visualize: pictures of what a network learned, written as PNG files.
//   filters    --model PATH --out FILE.png                      first-layer filters (per channel, RGB for 3 channels)
//   features   --model PATH [--index I] [--layer L] --out FILE    feature maps of layer L for test image I
//   saliency   --model PATH [--index I] [--class C] --out FILE    [image | max_c |∂S_c/∂x|]
//   occlusion  --model PATH [--index I] [--class C] --out FILE    [image | class probability with a grey patch at each position]
//   gradcam    --model PATH [--index I] [--class C] [--layer L] --out FILE
//                                                                  [image | Grad-CAM of layer L (default: the last with feature maps), upsampled]
//   receptive-field --model PATH [--layer L] [--channel K] [--row P] [--column Q] --out FILE
//                                                                  which input pixels influence unit (K, P, Q) of layer L (default: the centre unit)
//   gabor      --out FILE.png                                     the chapter's three Gabor parameter sweeps, one per row
//   kernels    [--index I] --out FILE.png                         a test image and its responses to every hand-designed kernel
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
        command.Subcommands.Add(ModelCommand("gradcam", "Grad-CAM of a convolutional layer beside the image.", needsImage: true, withLayer: true, withClass: true));
        command.Subcommands.Add(ModelCommand("receptive-field", "Which input pixels influence one unit of a layer, measured through the network's gradients.", needsImage: false, withLayer: true, withUnit: true));
        var gaborOut = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var gabor = new Command("gabor", "The chapter's Gabor sweeps: centre/orientation, Gaussian scale, frequency/phase (one row each).") { gaborOut };
        gabor.SetAction(parse => CliError.Run(() => RunGabor(parse.GetValue(gaborOut)!)));
        command.Subcommands.Add(gabor);
        var kernelsOut = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var kernelsIndex = new Option<int>("--index") { Description = "Fashion-MNIST test image index", DefaultValueFactory = _ => 0 };
        var kernelsData = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var kernels = new Command("kernels", "A test image and its responses to the hand-designed kernels (identity, blurs, sharpen, edge detectors).") { kernelsOut, kernelsIndex, kernelsData };
        kernels.SetAction(parse => CliError.Run(() => RunKernels(parse.GetValue(kernelsOut)!, parse.GetValue(kernelsIndex), parse.GetValue(kernelsData))));
        command.Subcommands.Add(kernels);
        return command;
    }

    private static Command ModelCommand(string name, string description, bool needsImage, bool withLayer = false, bool withClass = false, bool withUnit = false)
    {
        var model = new Option<string>("--model") { Description = "A checkpoint written by striate train", Required = true };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var command = new Command(name, description) { model, output };
        var index = new Option<int>("--index") { Description = "Fashion-MNIST test image index", DefaultValueFactory = _ => 0 };
        var cls = new Option<int?>("--class") { Description = "Class to explain (default: the model's prediction)" };
        var layer = new Option<int?>("--layer") { Description = "Index of the layer whose output is shown (Sequential models)" };
        var channel = new Option<int>("--channel") { Description = "Channel of the unit", DefaultValueFactory = _ => 0 };
        var row = new Option<int?>("--row") { Description = "Row of the unit (default: the middle)" };
        var column = new Option<int?>("--column") { Description = "Column of the unit (default: the middle)" };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        command.Options.Add(threads);
        if (needsImage)
        {
            command.Options.Add(index);
            command.Options.Add(data);
            if (!withLayer || withClass) command.Options.Add(cls);
        }
        if (withLayer) command.Options.Add(layer);
        if (withUnit)
        {
            command.Options.Add(channel);
            command.Options.Add(row);
            command.Options.Add(column);
        }
        command.SetAction(parse => CliError.Run(() => Run(new VisualizeRequest(name, parse.GetValue(model)!, parse.GetValue(output)!)
        {
            Index = parse.GetValue(index), Class = parse.GetValue(cls), Layer = parse.GetValue(layer), DataDirectory = parse.GetValue(data),
            Threads = parse.GetValue(threads), Channel = parse.GetValue(channel), Row = parse.GetValue(row), Column = parse.GetValue(column),
        })));
        return command;
    }

    /// <summary>What one model sub-command was asked to draw.</summary>
    /// <param name="What">The sub-command: filters, features, saliency, occlusion, gradcam or receptive-field.</param>
    /// <param name="ModelPath">The checkpoint.</param>
    /// <param name="OutPath">The PNG file to write.</param>
    public sealed record VisualizeRequest(string What, string ModelPath, string OutPath)
    {
        /// <summary>Fashion-MNIST test image index.</summary>
        public int Index { get; init; }

        /// <summary>Class to explain; null: the model's prediction.</summary>
        public int? Class { get; init; }

        /// <summary>Layer index; null: the sub-command's default.</summary>
        public int? Layer { get; init; }

        /// <summary>Directory holding the dataset files.</summary>
        public string? DataDirectory { get; init; }

        /// <summary>Upper bound on compute threads.</summary>
        public int Threads { get; init; } = Environment.ProcessorCount;

        /// <summary>Channel of the unit (receptive-field).</summary>
        public int Channel { get; init; }

        /// <summary>Row of the unit; null: the middle.</summary>
        public int? Row { get; init; }

        /// <summary>Column of the unit; null: the middle.</summary>
        public int? Column { get; init; }
    }

    /// <summary>Runs one model sub-command; returns the exit code.</summary>
    public static int Run(VisualizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (what, modelPath, outPath) = (request.What, request.ModelPath, request.OutPath);
        int index = request.Index;
        if (request.Threads < 1) throw new ArgumentException($"--threads must be at least 1, got {request.Threads}.");
        if (!File.Exists(modelPath)) throw new ArgumentException($"--model: no such file '{Path.GetFullPath(modelPath)}'.");
        CheckOutput(outPath);
        using var threadsScope = Compute.UseThreads(request.Threads);
        var loaded = Checkpoint.Load(modelPath);
        var net = loaded.Model;
        if (what == "receptive-field") return RunReceptiveField(request, loaded);
        if (what == "filters")
        {
            var weight = NetworkPictures.FirstLayerWeight(net);
            var picture = NetworkPictures.Filters(weight);
            Png.Save(outPath, picture);
            string gabor = weight.Dims[2] == weight.Dims[3] && weight.Dims[2] > 1
                ? ", best-Gabor correlation " + FilterStatistics.BestGaborCorrelation(weight).ToString("F3", CultureInfo.InvariantCulture) : "";
            Console.WriteLine($"wrote {outPath}: {weight.Dims[0]} filters of {weight.Dims[1]} channel(s), {weight.Dims[2]}×{weight.Dims[3]} ({picture.Width}×{picture.Height} pixels); " +
                $"neighbour correlation {FilterStatistics.NeighbourCorrelation(weight).ToString("F3", CultureInfo.InvariantCulture)} (white noise ≈ 0){gabor}");
            return CliError.Ok;
        }

        var test = FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = request.DataDirectory }).GetAwaiter().GetResult().Test;
        if (index < 0 || index >= test.Count) throw new ArgumentException($"--index must be between 0 and {test.Count - 1}, got {index}.");
        var image = Tensor.FromArray(test.GetImage(index).ToArray(), [.. test.SampleShape]);
        string label = FashionMnist.ClassNames[test.Labels[index]];
        if (what == "features")
        {
            var sequential = AsSequential(net, what);
            int layer = request.Layer ?? 0;
            if (layer < 0 || layer >= sequential.Count) throw new ArgumentException($"--layer must be between 0 and {sequential.Count - 1}, got {layer}.");
            var maps = NetworkPictures.FeatureMaps(sequential, image, layer);
            if (maps.Rank != 4) throw new ArgumentException($"Layer {layer} ({sequential[layer].TypeName}) outputs {Tensor.ShapeText(maps.Dims)}, not (N, K, P, Q) feature maps; pick a convolution or pooling layer.");
            var grid = NetworkPictures.FeatureMapGrid(maps);
            Png.Save(outPath, grid);
            Console.WriteLine($"wrote {outPath}: {maps.Dims[1]} feature maps of layer {layer} ({sequential[layer].TypeName}), {maps.Dims[2]}×{maps.Dims[3]}, for test image {index} ({label})");
            return CliError.Ok;
        }

        var (predicted, probability) = Predict(net, image);
        int target = request.Class ?? predicted;
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
        else if (what == "gradcam")
        {
            var sequential = AsSequential(net, what);
            int layer = request.Layer ?? LastFeatureMapLayer(sequential, image);
            if (layer < 0 || layer >= sequential.Count - 1) throw new ArgumentException($"--layer must be between 0 and {sequential.Count - 2}, got {layer}.");
            var cam = GradCam.Compute(sequential, image, target, layer);
            Png.Save(outPath, ImageGrid.Tile([image, cam.Upsampled()], options));
            Console.WriteLine($"wrote {outPath}: Grad-CAM of layer {layer} ({sequential[layer].TypeName}, {cam.Map.Dims[0]}×{cam.Map.Dims[1]} map) for {about}");
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

    private static int RunReceptiveField(VisualizeRequest request, LoadedCheckpoint loaded)
    {
        var sequential = AsSequential(loaded.Model, request.What);
        int[] shape = loaded.Metadata.TryGetValue("input_shape", out var text)
            ? [.. text.Split(',').Select(v => int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d > 0 ? d
                : throw new InvalidDataException($"Checkpoint '{request.ModelPath}': the input_shape metadata '{text}' is not positive integers separated by commas."))]
            : [1, FashionMnist.ImageSize, FashionMnist.ImageSize];
        int layer = request.Layer ?? 0;
        if (layer < 0 || layer >= sequential.Count) throw new ArgumentException($"--layer must be between 0 and {sequential.Count - 1}, got {layer}.");
        var output = NetworkPictures.FeatureMaps(sequential, Tensor.Zeros(shape), layer);
        if (output.Rank != 4) throw new ArgumentException($"Layer {layer} ({sequential[layer].TypeName}) outputs {Tensor.ShapeText(output.Dims)}, not feature maps; pick a convolution or pooling layer.");
        int row = request.Row ?? output.Dims[2] / 2, column = request.Column ?? output.Dims[3] / 2;
        if (request.Channel < 0 || request.Channel >= output.Dims[1]) throw new ArgumentException($"--channel must be between 0 and {output.Dims[1] - 1}, got {request.Channel}.");
        if (row < 0 || row >= output.Dims[2]) throw new ArgumentException($"--row must be between 0 and {output.Dims[2] - 1}, got {row}.");
        if (column < 0 || column >= output.Dims[3]) throw new ArgumentException($"--column must be between 0 and {output.Dims[3] - 1}, got {column}.");
        var rf = ReceptiveField.Compute(sequential, shape, layer, request.Channel, row, column, new Rng(0));
        Png.Save(request.OutPath, ImageGrid.Tile([rf.Strength, rf.Mask()], new GridOptions { Columns = 2, Scale = 4, Padding = 2 }));
        Console.WriteLine($"wrote {request.OutPath}: receptive field of unit ({request.Channel}, {row}, {column}) of layer {layer} ({sequential[layer].TypeName}): " +
            $"{rf.Height}×{rf.Width} input pixels, rows {rf.Top}–{rf.Bottom}, columns {rf.Left}–{rf.Right} (left: mean |gradient|, right: support)");
        return CliError.Ok;
    }

    private static Sequential AsSequential(Module net, string what) =>
        net as Sequential ?? throw new ArgumentException($"visualize {what} needs a Sequential model; this checkpoint holds a {net.TypeName}.");

    /// <summary>The last layer (before the classifier) whose output is (1, K, P, Q) feature maps.</summary>
    private static int LastFeatureMapLayer(Sequential net, Tensor image)
    {
        int last = -1;
        var x = image.Reshape([1, .. image.Dims]);
        using (GradMode.NoGrad())
            for (int i = 0; i < net.Count - 1; i++)
            {
                x = net[i].Forward(x);
                if (x.Rank == 4) last = i;
            }
        return last >= 0 ? last : throw new ArgumentException("The model has no layer with (N, K, P, Q) feature maps for Grad-CAM.");
    }

    /// <summary>Writes a test image filtered by every named kernel (same-size output, zero padding); returns the exit code.</summary>
    public static int RunKernels(string outPath, int index, string? dataDirectory)
    {
        CheckOutput(outPath);
        var test = FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = dataDirectory }).GetAwaiter().GetResult().Test;
        if (index < 0 || index >= test.Count) throw new ArgumentException($"--index must be between 0 and {test.Count - 1}, got {index}.");
        var image = Tensor.FromArray(test.GetImage(index).ToArray(), [1, .. test.SampleShape]);
        var kernels = ClassicKernels.Names.Select(ClassicKernels.ByName).ToList();
        var maps = new List<Tensor>();
        foreach (var kernel in kernels)
        {
            int size = kernel.Dims[0];
            var conv = ClassicKernels.ToFrozenConv2d([kernel], inChannels: image.Dims[1], padding: size / 2);
            using (GradMode.NoGrad()) maps.Add(conv.Forward(image).Reshape(image.Dims[2], image.Dims[3]));
        }
        Png.Save(outPath, ImageGrid.Tile(maps, new GridOptions { Columns = 5, Scale = 3, Padding = 2 }));
        Console.WriteLine($"wrote {outPath}: test image {index} through {kernels.Count} kernels, in order: {string.Join(", ", ClassicKernels.Names)}");
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
