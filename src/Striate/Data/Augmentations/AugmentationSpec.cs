// A text form of augmentation pipelines, for the command line ("striate train --augment crop:4,flip"):
//
//   spec  := step ("," step)*          steps apply left to right (Compose)
//   step  := name (":" argument)*      arguments are optional; omitted ones take the defaults below
//
//   name           arguments (defaults)                    builds, for (C, H, W) samples
//   flip           p (0.5)                                 RandomHorizontalFlip(p)
//   vflip          p (0.5)                                 RandomVerticalFlip(p)
//   crop           padding (⌈H/8⌉), mode (zeros)           RandomCrop((H, W), padding, zeros|reflect|replicate|circular)
//   resized-crop   min scale (0.35)                        RandomResizedCrop(H, scale = (min, 1)); square samples only
//   rotate         degrees (15)                            RandomRotation(±degrees)
//   affine         degrees (10), translate (0.1), scale (0.1), shear (10)
//                                                          RandomAffine(degrees, (t, t), (1 − s, 1 + s), (shear, 0))
//   elastic        alpha (34·H/28), sigma (4·H/28)         ElasticWarp(alpha, sigma)
//   jitter         strength (0.4), hue (0.1)               ColorJitter(strength, strength, strength, hue); RGB needs C = 3 for hue/saturation
//   pca            std (0.1)                               PcaColorNoise(std) with ImageNet's components (C = 3)
//   noise          std (0.05)                              GaussianNoise(std), clipped to [0, 1]
//   cutout         size (⌈H/4⌉), count (1)                 Cutout(size, count)
//
// The parser only builds transforms; their randomness comes from the DataLoader (Transforms.SampleRng), so
// a pipeline written the same way gives the same batches under the same seed.
using System.Globalization;
using Striate.Kernels.Pad;

namespace Striate.Data.Augmentations;

/// <summary>Parses augmentation pipelines written as text, e.g. <c>crop:4,flip,cutout:8</c> (see the file header for the grammar).</summary>
public static class AugmentationSpec
{
    /// <summary>The step names, each with its argument syntax and what it builds.</summary>
    public static IReadOnlyList<(string Name, string Syntax, string Meaning)> Steps { get; } =
    [
        ("flip", "flip[:p]", "RandomHorizontalFlip(p = 0.5)"),
        ("vflip", "vflip[:p]", "RandomVerticalFlip(p = 0.5)"),
        ("crop", "crop[:padding[:zeros|reflect|replicate|circular]]", "RandomCrop(H×W, padding = ⌈H/8⌉, zeros)"),
        ("resized-crop", "resized-crop[:min-scale]", "RandomResizedCrop(H×W, scale = (0.35, 1))"),
        ("rotate", "rotate[:degrees]", "RandomRotation(±15°)"),
        ("affine", "affine[:degrees[:translate[:scale[:shear]]]]", "RandomAffine(10°, translate 0.1, scale 1 ± 0.1, shear 10°)"),
        ("elastic", "elastic[:alpha[:sigma]]", "ElasticWarp(alpha = 34·H/28, sigma = 4·H/28)"),
        ("jitter", "jitter[:strength[:hue]]", "ColorJitter(brightness = contrast = saturation = 0.4, hue = 0.1)"),
        ("pca", "pca[:std]", "PcaColorNoise(std = 0.1), ImageNet components; RGB only"),
        ("noise", "noise[:std]", "GaussianNoise(std = 0.05), clipped to [0, 1]"),
        ("cutout", "cutout[:size[:count]]", "Cutout(size = ⌈H/4⌉, count = 1)"),
    ];

    /// <summary>
    /// Builds the pipeline <paramref name="spec"/> describes, sized for samples of shape <paramref name="sampleShape"/>,
    /// and checks that it can take them: y = step_k(… step_1(x)).
    /// </summary>
    /// <param name="spec">Comma-separated steps, e.g. <c>crop:4,flip</c> or <c>crop:2:reflect,rotate:10,cutout:8:2</c>.</param>
    /// <param name="sampleShape">(C, H, W) of the samples the pipeline will receive.</param>
    /// <returns>The steps composed in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="spec"/> or <paramref name="sampleShape"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The specification is empty, names an unknown step, gives a step too many arguments or one that is not a number
    /// (or not a padding mode), an argument is out of the step's range, or a step cannot take the samples (e.g. <c>pca</c>
    /// on one-channel images); the message names the step. <see cref="ArgumentException.ParamName"/> is <c>spec</c>,
    /// or <c>sampleShape</c> when the shape is not (C, H, W).
    /// </exception>
    public static Compose Parse(string spec, IReadOnlyList<int> sampleShape)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(sampleShape);
        int[] shape = [.. sampleShape];
        var (_, h, w) = Images.Dims(shape, nameof(sampleShape));
        var steps = new List<ITransform>();
        foreach (string raw in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = raw.Split(':', StringSplitOptions.TrimEntries);
            string name = parts[0].ToLowerInvariant();
            string[] args = parts[1..];
            try
            {
                steps.Add(Build(name, args, h, w));
            }
            catch (ArgumentException e) when (e is not StepException)
            {
                throw new ArgumentException($"Augmentation step '{raw}': {e.Message}", nameof(spec), e);
            }
            catch (StepException e)
            {
                throw new ArgumentException($"Augmentation step '{raw}': {e.Message}", nameof(spec));
            }
        }
        if (steps.Count == 0) throw new ArgumentException("The augmentation specification names no step.", nameof(spec));
        var compose = new Compose([.. steps]);
        try
        {
            compose.OutputShape(shape);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The augmentation '{spec}' cannot take {Tensor.ShapeText(shape)} samples: {e.Message}", nameof(spec), e);
        }
        return compose;
    }

    private static ITransform Build(string name, string[] args, int h, int w)
    {
        int maxArgs = Steps.FirstOrDefault(s => s.Name == name).Syntax?.Count(ch => ch == '[') ?? -1;
        if (maxArgs < 0)
            throw new StepException($"unknown step '{name}'. Known steps: {string.Join(", ", Steps.Select(s => s.Name))}.");
        if (args.Length > maxArgs)
            throw new StepException($"'{name}' takes at most {maxArgs} argument(s) ({Steps.First(s => s.Name == name).Syntax}), got {args.Length}.");
        int side = Math.Min(h, w);
        return name switch
        {
            "flip" => new RandomHorizontalFlip(Number(args, 0, 0.5)),
            "vflip" => new RandomVerticalFlip(Number(args, 0, 0.5)),
            "crop" => new RandomCrop((h, w), Integer(args, 0, Math.Max(1, (side + 7) / 8)), Mode(args, 1)),
            "resized-crop" => h == w ? new RandomResizedCrop(h, scale: (Number(args, 0, 0.35), 1))
                : throw new StepException($"'resized-crop' makes square crops; the samples are {h}×{w}."),
            "rotate" => new RandomRotation(Number(args, 0, 15)),
            "affine" => new RandomAffine(Number(args, 0, 10), translate: (Number(args, 1, 0.1), Number(args, 1, 0.1)),
                scale: (1 - Number(args, 2, 0.1), 1 + Number(args, 2, 0.1)), shear: (Number(args, 3, 10), 0)),
            "elastic" => new ElasticWarp(alpha: (float)Number(args, 0, 34.0 * side / 28), sigma: (float)Number(args, 1, 4.0 * side / 28)),
            "jitter" => new ColorJitter((float)Number(args, 0, 0.4), (float)Number(args, 0, 0.4), (float)Number(args, 0, 0.4), (float)Number(args, 1, 0.1)),
            "pca" => new PcaColorNoise((float)Number(args, 0, 0.1)),
            "noise" => new GaussianNoise((float)Number(args, 0, 0.05), clip: true),
            _ => new Cutout(Integer(args, 0, Math.Max(1, (side + 3) / 4)), Integer(args, 1, 1)),
        };
    }

    private static double Number(string[] args, int index, double fallback)
    {
        if (index >= args.Length || args[index].Length == 0) return fallback;
        if (!double.TryParse(args[index], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new StepException($"argument {index + 1} must be a number, got '{args[index]}'.");
        return v;
    }

    private static int Integer(string[] args, int index, int fallback)
    {
        if (index >= args.Length || args[index].Length == 0) return fallback;
        if (!int.TryParse(args[index], NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new StepException($"argument {index + 1} must be a whole number, got '{args[index]}'.");
        return v;
    }

    private static BorderMode Mode(string[] args, int index) => index >= args.Length || args[index].Length == 0 ? BorderMode.Constant
        : args[index].ToLowerInvariant() switch
        {
            "zeros" or "constant" => BorderMode.Constant,
            "reflect" => BorderMode.Reflect,
            "replicate" => BorderMode.Replicate,
            "circular" => BorderMode.Circular,
            _ => throw new StepException($"argument {index + 1} must be a padding mode (zeros, reflect, replicate, circular), got '{args[index]}'."),
        };

    /// <summary>A malformed step, reported with the step's text by <see cref="Parse"/>.</summary>
    private sealed class StepException(string message) : ArgumentException(message);
}
