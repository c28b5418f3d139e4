// Inputs of striate infer: .npy tensors as they are, or images (PNG, PPM/PGM/PNM, BMP) turned into
// the model's input the way its metadata says:
//   pixels / 255 → (C, H, W) in [0, 1]   (alpha dropped; grey ↔ RGB to the model's channels:
//                                          grey = 0.299 R + 0.587 G + 0.114 B, or grey copied to R, G, B)
//   → bilinear resize to the model's H × W (half-pixel centres, PyTorch's align_corners = false)
//   → x = (x − mean_c) / std_c            ("mean" and "std" metadata: one value or one per channel; none = identity)
// The model's sample shape comes from the "input_shape" metadata (e.g. "1,28,28"), or for ONNX models
// from the graph input's declared shape.
using System.Globalization;
using Striate.Autograd;
using Striate.Imaging;

namespace Striate.Cli.Commands;

/// <summary>Reads infer's inputs and the model metadata that shapes them.</summary>
public static class InferInputs
{
    private static readonly string[] ImageExtensions = [".png", ".ppm", ".pgm", ".pnm", ".pbm", ".bmp"];

    /// <summary>Whether <paramref name="path"/> names an image infer can read (by extension).</summary>
    public static bool IsImage(string path) => ImageExtensions.Contains(Path.GetExtension(path).ToLowerInvariant());

    /// <summary>
    /// Loads an image as one model input (1, C, H, W): scaled to [0, 1], converted to the model's channel count, resized
    /// bilinearly to its H × W and normalized per channel, x = (x − mean)/std.
    /// </summary>
    /// <param name="path">A PNG, PPM/PGM/PNM or BMP file.</param>
    /// <param name="sampleShape">The model's (C, H, W) sample shape; C is 1 or 3.</param>
    /// <param name="mean">Per-channel means (one value or C), or null for 0.</param>
    /// <param name="std">Per-channel standard deviations (one value or C), or null for 1.</param>
    /// <returns>(1, C, H, W).</returns>
    /// <exception cref="ArgumentException">The sample shape is not (C, H, W) with C 1 or 3 (ParamName <c>sampleShape</c>); mean or std has a wrong length or a std is not positive (<c>mean</c>/<c>std</c>).</exception>
    /// <exception cref="InvalidDataException">The image file is corrupt.</exception>
    public static Tensor LoadImage(string path, IReadOnlyList<int> sampleShape, float[]? mean, float[]? std)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count != 3 || sampleShape[0] is not (1 or 3))
            throw new ArgumentException($"--input '{path}' is an image, but the model's input shape ({string.Join(", ", sampleShape)}) is not (1 or 3 channels, height, width).", nameof(sampleShape));
        int c = sampleShape[0], h = sampleShape[1], w = sampleShape[2];
        mean = PerChannel(mean, c, 0f, nameof(mean));
        std = PerChannel(std, c, 1f, nameof(std));
        if (std.Any(s => !(s > 0f) || !float.IsFinite(s))) throw new ArgumentException($"The model's std metadata must be positive, got {string.Join(", ", std)}.", nameof(std));

        var image = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => Png.Load(path),
            ".bmp" => Bmp.Load(path),
            _ => Pnm.Load(path),
        };
        var pixels = image.ToTensor().ToArray(); // (channels, height, width) in [0, 1]
        int plane = image.Width * image.Height;
        int colour = image.Channels is 3 or 4 ? 3 : 1; // drop alpha
        var data = new float[c * plane];
        for (int i = 0; i < plane; i++)
        {
            if (c == colour)
                for (int k = 0; k < c; k++) data[k * plane + i] = pixels[k * plane + i];
            else if (c == 1)
                data[i] = 0.299f * pixels[i] + 0.587f * pixels[plane + i] + 0.114f * pixels[2 * plane + i];
            else
                for (int k = 0; k < 3; k++) data[k * plane + i] = pixels[i];
        }
        var x = Tensor.FromArray(data, 1, c, image.Height, image.Width);
        using (GradMode.NoGrad())
        {
            if (image.Height != h || image.Width != w)
                x = Functional.Upsample(x, size: [h, w], mode: UpsampleMode.Bilinear, alignCorners: false);
        }
        var values = x.AsSpan();
        int outPlane = h * w;
        for (int k = 0; k < c; k++)
            for (int i = 0; i < outPlane; i++) values[k * outPlane + i] = (values[k * outPlane + i] - mean[k]) / std[k];
        return x;
    }

    /// <summary>Parses "0.5" or "0.485,0.456,0.406" metadata into floats.</summary>
    /// <exception cref="InvalidDataException">A value is not a number.</exception>
    public static float[]? ParseFloats(string? text, string key, string modelPath)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parts = text.Trim().Trim('[', ']').Split(',', StringSplitOptions.TrimEntries);
        var values = new float[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!float.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new InvalidDataException($"Model '{modelPath}': the {key} metadata '{text}' is not numbers separated by commas.");
        return values;
    }

    private static float[] PerChannel(float[]? values, int channels, float fallback, string name)
    {
        if (values is null) return Enumerable.Repeat(fallback, channels).ToArray();
        if (values.Length == 1) return Enumerable.Repeat(values[0], channels).ToArray();
        if (values.Length != channels) throw new ArgumentException($"The model's {name} metadata has {values.Length} values; its input has {channels} channels.", name);
        return values;
    }
}
