// An image-folder dataset (torchvision's ImageFolder): one sub-folder per class under a root,
//   root/<class name>/**/<image>.{png, ppm, pgm, pnm, bmp}
// classes sorted by folder name (ordinal), label = index in that order; files under each class folder
// searched recursively and ordered as torchvision orders them: by directory (relative path, ordinal),
// the class folder's own files first, then by file name. Each image is decoded by its
// content (PNG signature, "P2"/"P3"/"P5"/"P6", "BM"), not its extension, converted to the requested
// channel count and resized to a fixed size:
//   tensor[c, y, x] = sample / 255 (16-bit samples / 65535), alpha dropped;
//   RGB → grey: 0.2989·R + 0.587·G + 0.114·B;  grey → RGB: the grey level in all three channels;
//   resized bilinearly (align_corners=False, no antialiasing) when its size differs.
// Images are decoded in parallel (up to Compute.Threads), each into its own slot, so the dataset is the
// same for every thread count; the first bad file in dataset order is the one reported.
using Striate.Data.Augmentations;
using Striate.Imaging;

namespace Striate.Data;

/// <summary>How <see cref="ImageFolder.Load"/> shapes the images.</summary>
public sealed record ImageFolderOptions
{
    /// <summary>Height every image is resized to (32 by default).</summary>
    public int Height { get; init; } = 32;

    /// <summary>Width every image is resized to (32 by default).</summary>
    public int Width { get; init; } = 32;

    /// <summary>Channels of every sample: 1 (grey) or 3 (RGB, the default).</summary>
    public int Channels { get; init; } = 3;

    /// <summary>The largest image (width·height) accepted from one file; larger headers are rejected before allocating.</summary>
    public long MaxPixels { get; init; } = Png.DefaultMaxPixels;
}

/// <summary>A loaded image folder: the samples and the file each came from.</summary>
/// <param name="Dataset">Images (N, C, H, W) in [0, 1] and labels indexing <see cref="ClassificationDataset.ClassNames"/> (the folder names).</param>
/// <param name="Files">The file of each sample, in dataset order (full paths).</param>
public sealed record ImageFolderData(ClassificationDataset Dataset, IReadOnlyList<string> Files);

/// <summary>Loads a directory of class sub-folders of PNG, PPM/PGM and BMP images as a classification dataset.</summary>
public static class ImageFolder
{
    /// <summary>The file extensions searched (case-insensitive): .png, .ppm, .pgm, .pnm, .bmp.</summary>
    public static IReadOnlyList<string> Extensions { get; } = Array.AsReadOnly(new[] { ".png", ".ppm", ".pgm", ".pnm", ".bmp" });

    /// <summary>Loads every image under <paramref name="root"/> (layout and conversions in the file header).</summary>
    /// <param name="root">The directory holding one sub-folder per class.</param>
    /// <param name="options">Target size and channels; <see langword="null"/> for 32×32 RGB.</param>
    /// <returns>The dataset, with the folder names as class names, and the files in sample order.</returns>
    /// <exception cref="ArgumentException">The options ask for a non-positive size, a channel count other than 1 or 3, or a non-positive pixel limit.</exception>
    /// <exception cref="DatasetException">
    /// The root does not exist or holds no class folders, a class folder holds no image, or a file cannot be decoded
    /// (the message names the file; the decoder's error is the inner exception).
    /// </exception>
    public static ImageFolderData Load(string root, ImageFolderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new ImageFolderOptions();
        if (options.Height < 1 || options.Width < 1)
            throw new ArgumentException($"Image-folder images need a positive size, got {options.Height}×{options.Width}.", nameof(options));
        if (options.Channels is not (1 or 3))
            throw new ArgumentException($"Image-folder samples have 1 (grey) or 3 (RGB) channels, got {options.Channels}.", nameof(options));
        if (options.MaxPixels < 1) throw new ArgumentException("The pixel limit must be positive.", nameof(options));

        string full = Path.GetFullPath(root);
        if (!Directory.Exists(full)) throw new DatasetException($"The image folder '{full}' does not exist.", full);
        var classDirs = Directory.GetDirectories(full)
            .Where(d => !Path.GetFileName(d).StartsWith('.'))
            .OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length == 0)
            throw new DatasetException($"The image folder '{full}' holds no class sub-folders; it must hold one folder of images per class.", full);

        var files = new List<string>();
        var labels = new List<int>();
        var empty = new List<string>();
        for (int k = 0; k < classDirs.Length; k++)
        {
            var found = Directory.EnumerateFiles(classDirs[k], "*", SearchOption.AllDirectories)
                .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                .OrderBy(f => Path.GetRelativePath(classDirs[k], Path.GetDirectoryName(f)!), StringComparer.Ordinal)
                .ThenBy(Path.GetFileName, StringComparer.Ordinal).ToList();
            if (found.Count == 0) empty.Add(Path.GetFileName(classDirs[k]));
            files.AddRange(found);
            labels.AddRange(Enumerable.Repeat(k, found.Count));
        }
        if (empty.Count > 0)
            throw new DatasetException(
                $"The class folder(s) {string.Join(", ", empty.Select(e => $"'{e}'"))} under '{full}' hold no image ({string.Join(", ", Extensions)}).", full);

        int c = options.Channels, h = options.Height, w = options.Width, sample = c * h * w;
        var data = new float[(long)files.Count * sample];
        var errors = new Exception?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = Compute.Threads }, i =>
        {
            try
            {
                var image = ToTensor(ReadImage(files[i], options.MaxPixels), h, w, c);
                image.AsSpan().CopyTo(data.AsSpan(i * sample, sample));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                errors[i] = e;
            }
        });
        for (int i = 0; i < errors.Length; i++)
            if (errors[i] is { } e)
                throw new DatasetException($"Image {i} of the folder '{full}', '{files[i]}', could not be read: {e.Message}", files[i], e);

        var names = classDirs.Select(Path.GetFileName).Select(n => n!).ToArray();
        var dataset = new ClassificationDataset(Tensor.Wrap(data, [files.Count, c, h, w]), labels.ToArray(), names);
        return new ImageFolderData(dataset, files);
    }

    /// <summary>Decodes an image file by its content: PNG, PGM/PPM (P2, P3, P5, P6) or BMP.</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxPixels">Largest width·height accepted.</param>
    /// <returns>The decoded image.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is none of the three formats, or is corrupt (the decoder's message names the file and offset).</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData ReadImage(string path, long maxPixels = Png.DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.AsSpan().StartsWith(Png.Signature)) return Png.Decode(bytes, path, maxPixels);
        if (bytes.Length >= 2 && bytes[0] == (byte)'B' && bytes[1] == (byte)'M') return Bmp.Decode(bytes, path, maxPixels);
        if (bytes.Length >= 2 && bytes[0] == (byte)'P' && bytes[1] is (byte)'2' or (byte)'3' or (byte)'5' or (byte)'6') return Pnm.Decode(bytes, path, maxPixels);
        throw new InvalidDataException($"{path}: not a PNG, PGM/PPM (P2, P3, P5, P6) or BMP file (it starts with {Convert.ToHexString(bytes.AsSpan(0, Math.Min(8, bytes.Length)))}).");
    }

    /// <summary>
    /// An image as a (<paramref name="channels"/>, <paramref name="height"/>, <paramref name="width"/>) tensor in [0, 1]:
    /// alpha dropped, converted to grey or RGB, resized bilinearly when its size differs (file header).
    /// </summary>
    /// <param name="image">The decoded image.</param>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <param name="channels">1 (grey) or 3 (RGB).</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive or <paramref name="channels"/> is not 1 or 3.</exception>
    public static Tensor ToTensor(ImageData image, int height, int width, int channels)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        if (channels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "Samples have 1 (grey) or 3 (RGB) channels.");
        var source = image.ToTensor();
        ReadOnlySpan<float> s = source.AsSpan();
        int plane = image.Width * image.Height;
        bool colour = image.Channels >= 3;
        var converted = Tensor.Uninitialized(channels, image.Height, image.Width);
        Span<float> d = converted.AsSpan();
        for (int i = 0; i < plane; i++)
        {
            if (channels == 1)
                d[i] = colour ? ColorAdjust.Gray(s[i], s[plane + i], s[2 * plane + i]) : s[i];
            else
                for (int ch = 0; ch < 3; ch++) d[ch * plane + i] = colour ? s[ch * plane + i] : s[i];
        }
        return image.Height == height && image.Width == width ? converted : Resampling.Bilinear(converted, height, width);
    }
}
