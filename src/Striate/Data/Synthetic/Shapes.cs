// Synthetic images of one geometric shape each, with class labels, masks and bounding boxes (for
// classification, segmentation and localization examples):
//   sample i has class i mod 3 (circle, square, triangle), so every class is equally frequent; centre
//   (cx, cy) and "radius" r ~ U{MinRadius..MaxRadius} are drawn so the shape lies inside the image
//   (cx, cy ∈ [r, S − 1 − r]); pixel centres are integer points (x, y):
//     circle:   (x − cx)² + (y − cy)² ≤ r²
//     square:   |x − cx| ≤ r and |y − cy| ≤ r
//     triangle: apex (cx, cy − r), base row cy + r:  cy − r ≤ y ≤ cy + r and |x − cx| ≤ (y − cy + r)/2
//   image:  background u ~ U[0, Noise) per pixel and channel; shape pixels a + u with a ~ U[0.6, 1 − Noise]
//           per image (RGB: a separate a per channel), so values stay in [0, 1]
//   mask:   1 on shape pixels, 0 elsewhere; segmentation label: class + 1 on shape pixels, 0 background
//   box:    the tight box of the mask (x_min, y_min, x_max, y_max), max inclusive, in pixels
// Every value is drawn from the Rng passed in, sample by sample, so a seed fixes the dataset.
namespace Striate.Data.Synthetic;

/// <summary>Sizes and noise of <see cref="SyntheticShapes"/>.</summary>
public sealed record ShapesOptions
{
    /// <summary>Image side S (32 by default).</summary>
    public int Size { get; init; } = 32;

    /// <summary>1 (grey, the default) or 3 (RGB, each shape with a random colour).</summary>
    public int Channels { get; init; } = 1;

    /// <summary>Smallest shape radius r in pixels (3 by default).</summary>
    public int MinRadius { get; init; } = 3;

    /// <summary>Largest shape radius r; at most (S − 1)/2 (10 by default).</summary>
    public int MaxRadius { get; init; } = 10;

    /// <summary>Width of the uniform noise added everywhere, in [0, 0.4] (0.1 by default).</summary>
    public float Noise { get; init; } = 0.1f;
}

/// <summary>Shape images with everything a vision task might need.</summary>
/// <param name="Images">(N, C, S, S) in [0, 1].</param>
/// <param name="Labels">Class of each image (0 circle, 1 square, 2 triangle).</param>
/// <param name="Masks">(N, 1, S, S): 1 on the shape, 0 elsewhere.</param>
/// <param name="SegmentationLabels">N·S·S per-pixel classes, row-major per image: 0 background, class + 1 on the shape.</param>
/// <param name="Boxes">(N, 4): x_min, y_min, x_max, y_max of the shape's pixels (inclusive).</param>
public sealed record ShapesData(Tensor Images, int[] Labels, Tensor Masks, int[] SegmentationLabels, Tensor Boxes)
{
    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[] { "circle", "square", "triangle" });

    /// <summary>The images and labels as a classification dataset (sharing the image storage).</summary>
    public ClassificationDataset ToClassification() => new(Images, Labels, ClassNames);
}

/// <summary>Generates <see cref="ShapesData"/> (formulas in the file header).</summary>
public static class SyntheticShapes
{
    /// <summary>Generates <paramref name="count"/> shape images.</summary>
    /// <param name="count">N ≥ 1.</param>
    /// <param name="rng">The source of every random value.</param>
    /// <param name="options">Sizes and noise; <see langword="null"/> for the defaults.</param>
    /// <returns>Images, labels, masks, per-pixel labels and boxes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are inconsistent (size below 3, channels not 1 or 3, radii outside 1..(S − 1)/2 or min &gt; max, noise outside [0, 0.4]).</exception>
    public static ShapesData Generate(int count, Rng rng, ShapesOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentNullException.ThrowIfNull(rng);
        options ??= new ShapesOptions();
        int s = options.Size, c = options.Channels;
        if (s < 3 || c is not (1 or 3) || options.MinRadius < 1 || options.MaxRadius < options.MinRadius || options.MaxRadius > (s - 1) / 2
            || !(options.Noise >= 0 && options.Noise <= 0.4f) || (long)count * c * s * s > Array.MaxLength)
            throw new ArgumentException(
                $"Shape options need size ≥ 3, 1 or 3 channels, 1 ≤ min radius ≤ max radius ≤ (size − 1)/2 and noise in [0, 0.4]; got {options}.", nameof(options));

        int plane = s * s;
        var images = new float[(long)count * c * plane];
        var masks = new float[(long)count * plane];
        var segmentation = new int[(long)count * plane];
        var boxes = new float[count * 4];
        var labels = new int[count];
        Span<float> colour = stackalloc float[3];
        for (int n = 0; n < count; n++)
        {
            int label = n % 3;
            labels[n] = label;
            int r = options.MinRadius + rng.NextInt(options.MaxRadius - options.MinRadius + 1);
            int cx = r + rng.NextInt(s - 2 * r), cy = r + rng.NextInt(s - 2 * r);
            for (int ch = 0; ch < c; ch++) colour[ch] = 0.6f + (0.4f - options.Noise) * rng.NextSingle();
            var image = images.AsSpan(n * c * plane, c * plane);
            rng.FillUniform(image, 0f, options.Noise);
            int xMin = s, yMin = s, xMax = -1, yMax = -1;
            for (int y = 0; y < s; y++)
                for (int x = 0; x < s; x++)
                {
                    if (!Inside(label, x - cx, y - cy, r)) continue;
                    masks[n * plane + y * s + x] = 1f;
                    segmentation[n * plane + y * s + x] = label + 1;
                    for (int ch = 0; ch < c; ch++) image[ch * plane + y * s + x] += colour[ch];
                    (xMin, yMin, xMax, yMax) = (Math.Min(xMin, x), Math.Min(yMin, y), Math.Max(xMax, x), Math.Max(yMax, y));
                }
            (boxes[n * 4], boxes[n * 4 + 1], boxes[n * 4 + 2], boxes[n * 4 + 3]) = (xMin, yMin, xMax, yMax);
        }
        return new ShapesData(Tensor.Wrap(images, [count, c, s, s]), labels, Tensor.Wrap(masks, [count, 1, s, s]), segmentation, Tensor.Wrap(boxes, [count, 4]));
    }

    /// <summary>Whether the pixel at offset (dx, dy) from the centre belongs to shape <paramref name="label"/> of radius r.</summary>
    internal static bool Inside(int label, int dx, int dy, int r) => label switch
    {
        0 => dx * dx + dy * dy <= r * r,
        1 => Math.Abs(dx) <= r && Math.Abs(dy) <= r,
        _ => dy >= -r && dy <= r && 2 * Math.Abs(dx) <= dy + r,
    };
}
