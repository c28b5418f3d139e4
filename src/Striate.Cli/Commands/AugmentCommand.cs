// striate augment: a PNG grid of augmented training samples, to see what a pipeline does.
//   striate augment --dataset fashion-mnist --out grid.png [--count N] [--variants V] [--seed S]
//                   [--transforms flip,crop,rotate,...] [--data DIR] [--scale K]
// Datasets: fashion-mnist and cifar10/cifar100 (their training split: --data, else the cache, else a
// download), image-folder (--data ROOT, images resized to 32×32 RGB) and shapes (synthetic 32×32 RGB
// shapes generated from the seed).
// Row r shows one training sample: the original in column 0, then V augmented versions. The samples
// are the first N of a permutation drawn from Rng(seed); cell (r, v) is transformed with
// Transforms.SampleRng(epoch seed, r·V + v − 1), the epoch seed being the next draw of that Rng, so a
// seed fixes the picture.
using System.CommandLine;
using System.Globalization;
using Striate.Data;
using Striate.Data.Augmentations;
using Striate.Data.Synthetic;
using Striate.Imaging;
using Striate.Kernels.Pad;
using Striate.Visualization;

namespace Striate.Cli.Commands;

/// <summary>The <c>augment</c> command.</summary>
public static class AugmentCommand
{
    /// <summary>The datasets <c>--dataset</c> accepts.</summary>
    public static IReadOnlyList<string> DatasetNames { get; } = ["fashion-mnist", "cifar10", "cifar100", "image-folder", "shapes"];

    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "Dataset: " + string.Join(", ", DatasetNames), DefaultValueFactory = _ => "fashion-mnist" };
        var output = new Option<string>("--out") { Description = "PNG file to write", Required = true };
        var count = new Option<int>("--count") { Description = "Samples shown (rows)", DefaultValueFactory = _ => 8 };
        var variants = new Option<int>("--variants") { Description = "Augmented versions per sample (columns after the original)", DefaultValueFactory = _ => 7 };
        var seed = new Option<ulong>("--seed") { Description = "Seed choosing the samples and the augmentations", DefaultValueFactory = _ => 1UL };
        var transforms = new Option<string>("--transforms")
        {
            Description = "Augmentation steps applied in order, the syntax of train --augment: " + string.Join(", ", AugmentationSpec.Steps.Select(t => t.Syntax)),
            DefaultValueFactory = _ => "flip,crop,rotate",
        };
        var data = new Option<string?>("--data") { Description = "Directory holding the dataset files (searched first)" };
        var scale = new Option<int>("--scale") { Description = "Each image pixel drawn as a K×K block", DefaultValueFactory = _ => 2 };
        var command = new Command("augment", "Write a PNG grid of augmented training samples: each row an original and its augmented versions.")
        {
            dataset, output, count, variants, seed, transforms, data, scale,
        };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(dataset)!, parse.GetValue(output)!, parse.GetValue(count), parse.GetValue(variants),
            parse.GetValue(seed), parse.GetValue(transforms)!, parse.GetValue(data), parse.GetValue(scale))));
        return command;
    }

    /// <summary>Writes the grid; returns the exit code.</summary>
    public static int Run(string dataset, string outPath, int count, int variants, ulong seed, string transformList, string? dataDirectory, int scale)
    {
        dataset = dataset.ToLowerInvariant();
        if (!DatasetNames.Contains(dataset))
            throw new ArgumentException($"Unknown dataset '{dataset}'. Known datasets: {string.Join(", ", DatasetNames)}.");
        if (dataset == "image-folder" && dataDirectory is null) throw new ArgumentException("--dataset image-folder needs --data ROOT (one sub-folder of images per class).");
        if (count < 1 || count > 256) throw new ArgumentException($"--count must be between 1 and 256, got {count}.");
        if (variants < 1 || variants > 64) throw new ArgumentException($"--variants must be between 1 and 64, got {variants}.");
        if (scale < 1 || scale > 16) throw new ArgumentException($"--scale must be between 1 and 16, got {scale}.");
        string full = Path.GetFullPath(outPath);
        if (!Directory.Exists(Path.GetDirectoryName(full))) throw new ArgumentException($"--out: the directory of '{full}' does not exist.");

        var train = LoadTraining(dataset, dataDirectory, seed);
        var transform = ParseTransforms(transformList, [.. train.SampleShape]);
        var picture = Grid(train, transform, count, variants, seed, scale);
        Png.Save(full, picture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {outPath}: {Math.Min(count, train.Count)} {dataset} training samples × (original + {variants} augmented), {picture.Width}×{picture.Height} pixels; transform {transform}"));
        return CliError.Ok;
    }

    /// <summary>The training samples of <paramref name="dataset"/> (one of <see cref="DatasetNames"/>).</summary>
    /// <param name="dataset">The dataset name.</param>
    /// <param name="dataDirectory">Where its files are (required for image-folder).</param>
    /// <param name="seed">Seeds the synthetic shapes.</param>
    /// <exception cref="ArgumentException">The name is unknown, or image-folder lacks a directory.</exception>
    /// <exception cref="DatasetException">The data cannot be found or read.</exception>
    public static ClassificationDataset LoadTraining(string dataset, string? dataDirectory, ulong seed) => dataset switch
    {
        "fashion-mnist" => FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = dataDirectory }).GetAwaiter().GetResult().Train,
        "cifar10" => Cifar.LoadAsync(CifarVariant.Cifar10, new CifarOptions { DataDirectory = dataDirectory }).GetAwaiter().GetResult().Train,
        "cifar100" => Cifar.LoadAsync(CifarVariant.Cifar100, new CifarOptions { DataDirectory = dataDirectory }).GetAwaiter().GetResult().Train,
        "image-folder" => ImageFolder.Load(dataDirectory ?? throw new ArgumentException("--dataset image-folder needs --data ROOT.")).Dataset,
        "shapes" => SyntheticShapes.Generate(64, new Rng(seed), new ShapesOptions { Channels = 3 }).ToClassification(),
        _ => throw new ArgumentException($"Unknown dataset '{dataset}'. Known datasets: {string.Join(", ", DatasetNames)}."),
    };

    /// <summary>The pipeline <paramref name="list"/> describes (the syntax of <c>train --augment</c>, see <see cref="AugmentationSpec"/>), sized for samples of <paramref name="sampleShape"/>.</summary>
    /// <param name="list">Comma-separated steps, e.g. <c>flip,crop:4:reflect,rotate</c>.</param>
    /// <param name="sampleShape">(C, H, W) of the samples.</param>
    /// <exception cref="ArgumentException">The list is empty, names an unknown step, or a step cannot take the samples; the message starts with <c>--transforms:</c>.</exception>
    public static Compose ParseTransforms(string list, int[] sampleShape)
    {
        try
        {
            return AugmentationSpec.Parse(list, sampleShape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"--transforms: {e.Message}", e);
        }
    }

    /// <summary>
    /// The grid the command writes: <paramref name="count"/> rows (samples chosen by Rng(seed)), each the original then
    /// <paramref name="variants"/> augmented versions (file header for the randomness), values shown as [0, 1].
    /// </summary>
    /// <param name="dataset">Samples (C, H, W) with C = 1 or 3.</param>
    /// <param name="transform">The augmentation.</param>
    /// <param name="count">Rows; capped at the dataset size.</param>
    /// <param name="variants">Augmented columns per row.</param>
    /// <param name="seed">Fixes the samples and the augmentations.</param>
    /// <param name="scale">Pixel block size.</param>
    /// <exception cref="ArgumentException">The transform cannot take the samples, or its output is not an image.</exception>
    public static ImageData Grid(ClassificationDataset dataset, ITransform transform, int count, int variants, ulong seed, int scale)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transform);
        var rng = new Rng(seed);
        int[] order = rng.Permutation(dataset.Count);
        ulong epochSeed = rng.NextUInt64();
        int rows = Math.Min(count, dataset.Count);
        int[] shape = [.. dataset.SampleShape];
        var cells = new List<Tensor>();
        for (int r = 0; r < rows; r++)
        {
            var original = Tensor.FromArray(dataset.GetImage(order[r]).ToArray(), shape);
            cells.Add(original);
            for (int v = 0; v < variants; v++)
                cells.Add(transform.Apply(original, Transforms.SampleRng(epochSeed, (long)r * variants + v)));
        }
        return ImageGrid.Tile(cells, new GridOptions { Columns = variants + 1, Scale = scale, Padding = 2, Normalization = GridNormalization.None });
    }
}
