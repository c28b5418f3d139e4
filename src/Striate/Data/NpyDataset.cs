// Classification datasets stored as NumPy arrays (the usual way to hand data over from Python):
//   images: an .npy array (N, ...sample shape), any dtype Npy reads, converted to float32 as stored
//           (optionally divided by a scale, e.g. 255 for uint8 pixels)
//   labels: an .npy array (N) of whole numbers ≥ 0 (int32/int64/uint8 or integral floats)
// or both inside one .npz archive under chosen keys (numpy.savez(path, x=images, y=labels)).
using Striate.Serialization;

namespace Striate.Data;

/// <summary>Loads classification datasets from <c>.npy</c> and <c>.npz</c> files.</summary>
public static class NpyDataset
{
    /// <summary>Reads images and labels from two <c>.npy</c> files.</summary>
    /// <param name="imagesPath">An array (N, ...sample shape), e.g. (N, 1, 28, 28).</param>
    /// <param name="labelsPath">An array (N) of class indices.</param>
    /// <param name="scale">Every image value is divided by it (1 keeps them; 255 maps uint8 pixels to [0, 1]).</param>
    /// <param name="classNames">Optional names; labels must then index into them.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">A path is null or empty, or <paramref name="scale"/> is not positive and finite.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="InvalidDataException">A file is not a valid .npy array (see <see cref="Npy.Read(string)"/>).</exception>
    /// <exception cref="DatasetException">The arrays do not form a dataset: wrong ranks, different N, or a label that is negative, fractional or beyond the class names; the message names the file and index.</exception>
    public static ClassificationDataset Load(string imagesPath, string labelsPath, float scale = 1f, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(imagesPath);
        ArgumentException.ThrowIfNullOrEmpty(labelsPath);
        CheckScale(scale);
        return Build(Npy.Read(imagesPath), Npy.Read(labelsPath), Path.GetFullPath(imagesPath), Path.GetFullPath(labelsPath), scale, classNames);
    }

    /// <summary>Reads images and labels stored under two keys of one <c>.npz</c> archive.</summary>
    /// <param name="path">The archive, e.g. written by <c>numpy.savez(path, x=images, y=labels)</c>.</param>
    /// <param name="imagesKey">The images' key (default <c>x</c>).</param>
    /// <param name="labelsKey">The labels' key (default <c>y</c>).</param>
    /// <param name="scale">Every image value is divided by it.</param>
    /// <param name="classNames">Optional names; labels must then index into them.</param>
    /// <returns>The dataset.</returns>
    /// <exception cref="ArgumentException">The path or a key is null or empty, or <paramref name="scale"/> is not positive and finite.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid .npz archive (see <see cref="Npz.Read(string)"/>).</exception>
    /// <exception cref="DatasetException">A key is missing (the message lists the keys present), or the arrays do not form a dataset.</exception>
    public static ClassificationDataset LoadNpz(string path, string imagesKey = "x", string labelsKey = "y", float scale = 1f, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(imagesKey);
        ArgumentException.ThrowIfNullOrEmpty(labelsKey);
        CheckScale(scale);
        string full = Path.GetFullPath(path);
        var arrays = Npz.Read(full);
        foreach (string key in new[] { imagesKey, labelsKey })
            if (!arrays.ContainsKey(key))
                throw new DatasetException($"The archive '{full}' has no array '{key}'; it holds {string.Join(", ", arrays.Keys.Select(k => $"'{k}'"))}.", full);
        return Build(arrays[imagesKey], arrays[labelsKey], $"{full}:{imagesKey}", $"{full}:{labelsKey}", scale, classNames);
    }

    private static void CheckScale(float scale)
    {
        if (!(scale > 0 && float.IsFinite(scale))) throw new ArgumentException($"The scale must be positive and finite, got {scale}.", nameof(scale));
    }

    private static ClassificationDataset Build(Tensor images, Tensor labels, string imagesName, string labelsName, float scale, IReadOnlyList<string>? classNames)
    {
        if (images.Rank < 2)
            throw new DatasetException($"The images array '{imagesName}' has shape {Tensor.ShapeText(images.Dims)}; it needs a sample axis and at least one more.", imagesName);
        if (labels.Rank != 1)
            throw new DatasetException($"The labels array '{labelsName}' has shape {Tensor.ShapeText(labels.Dims)}; it must be one-dimensional (N).", labelsName);
        if (labels.Dims[0] != images.Dims[0])
            throw new DatasetException($"The images array '{imagesName}' holds {images.Dims[0]} samples but the labels array '{labelsName}' holds {labels.Dims[0]} labels.", labelsName);
        ReadOnlySpan<float> raw = labels.AsSpan();
        var values = new int[raw.Length];
        int classes = classNames?.Count ?? 0;
        for (int i = 0; i < raw.Length; i++)
        {
            float v = raw[i];
            if (!(v >= 0 && v == MathF.Floor(v) && v < (1 << 24)))
                throw new DatasetException($"The labels array '{labelsName}' holds {v} at index {i}; labels are whole numbers ≥ 0.", labelsName);
            if (classes > 0 && v >= classes)
                throw new DatasetException($"The labels array '{labelsName}' holds {v} at index {i}; with {classes} class names labels are 0..{classes - 1}.", labelsName);
            values[i] = (int)v;
        }
        if (scale != 1f)
        {
            Span<float> x = images.AsSpan();
            for (int i = 0; i < x.Length; i++) x[i] /= scale;
        }
        return new ClassificationDataset(images, values, classNames);
    }
}
