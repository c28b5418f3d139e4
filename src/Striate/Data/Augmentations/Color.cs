// Colour changes for images with values in [0, 1] (torchvision's ColorJitter and AlexNet's PCA
// lighting noise). With gray(x) = 0.2989·R + 0.587·G + 0.114·B (torchvision's rgb_to_grayscale) and
// blend(a, b, f) = clamp(f·a + (1 − f)·b, 0, 1):
//   brightness f: y = clamp(f·x, 0, 1)
//   contrast   f: y = blend(x, m, f),  m = mean of gray(x) over the image (of x itself for one channel)
//   saturation f: y = blend(x, gray(x), f)                                  (RGB only)
//   hue        h: RGB → HSV (hexcone), H ← (H + h) mod 1, HSV → RGB           (RGB only)
// ColorJitter draws f ~ U[max(0, 1 − b), 1 + b] for brightness, contrast and saturation and
// h ~ U[−hue, hue], and applies the enabled adjustments in a random order, as torchvision does.
// On one-channel images only brightness and contrast apply; saturation and hue are skipped (a grey
// image has no colour to change).
// PCA colour noise (Krizhevsky, Sutskever & Hinton 2012, section 4.1): with eigenvalues λ and
// eigenvectors v_k (columns of V) of the 3×3 covariance of RGB pixel values, every pixel gets
//   y[c, i, j] = x[c, i, j] + Σ_k V[c, k] · α_k · λ_k,   α_k ~ N(0, σ²), one α per image
// The ImageNet defaults are the values fb.resnet.torch publishes for images in [0, 1].
namespace Striate.Data.Augmentations;

/// <summary>Deterministic colour adjustments of (C, H, W) images in [0, 1] (the building blocks of <see cref="ColorJitter"/>).</summary>
public static class ColorAdjust
{
    /// <summary>Luma weights of R, G, B (ITU-R BT.601 as torchvision rounds them).</summary>
    public const float RedWeight = 0.2989f, GreenWeight = 0.587f, BlueWeight = 0.114f;

    /// <summary>y = clamp(factor·x, 0, 1).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="factor">≥ 0; 1 keeps the image, 0 makes it black.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W), or <paramref name="factor"/> is negative or not finite.</exception>
    public static Tensor Brightness(Tensor image, float factor)
    {
        Check(image, factor, nameof(factor));
        var y = image.Clone();
        Span<float> d = y.AsSpan();
        for (int i = 0; i < d.Length; i++) d[i] = Math.Clamp(factor * d[i], 0f, 1f);
        return y;
    }

    /// <summary>y = clamp(factor·x + (1 − factor)·m, 0, 1) with m the mean grey level (the mean of x for one channel).</summary>
    /// <param name="image">(C, H, W) with C = 1 or 3; not modified.</param>
    /// <param name="factor">≥ 0; 1 keeps the image, 0 makes it uniformly m.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (1 or 3, H, W), or <paramref name="factor"/> is negative or not finite.</exception>
    public static Tensor Contrast(Tensor image, float factor)
    {
        var (c, h, w) = Check(image, factor, nameof(factor));
        CheckChannels(c, allowGrey: true);
        ReadOnlySpan<float> x = image.AsSpan();
        int plane = h * w;
        double sum = 0;
        if (c == 1) for (int i = 0; i < plane; i++) sum += x[i];
        else for (int i = 0; i < plane; i++) sum += Gray(x[i], x[plane + i], x[2 * plane + i]);
        float mean = (float)(sum / plane);
        return Blend(image, (_, _) => mean, factor);
    }

    /// <summary>y = clamp(factor·x + (1 − factor)·gray(x), 0, 1) per pixel.</summary>
    /// <param name="image">(3, H, W) RGB; not modified.</param>
    /// <param name="factor">≥ 0; 1 keeps the image, 0 makes it grey.</param>
    /// <returns>(3, H, W).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (3, H, W), or <paramref name="factor"/> is negative or not finite.</exception>
    public static Tensor Saturation(Tensor image, float factor)
    {
        var (c, h, w) = Check(image, factor, nameof(factor));
        CheckChannels(c, allowGrey: false);
        int plane = h * w;
        ReadOnlySpan<float> x = image.AsSpan();
        var gray = new float[plane];
        for (int i = 0; i < plane; i++) gray[i] = Gray(x[i], x[plane + i], x[2 * plane + i]);
        return Blend(image, (_, i) => gray[i], factor);
    }

    /// <summary>Rotates every pixel's hue by <paramref name="shift"/> turns: RGB → HSV, H ← (H + shift) mod 1, HSV → RGB.</summary>
    /// <param name="image">(3, H, W) RGB in [0, 1]; not modified.</param>
    /// <param name="shift">In [−0.5, 0.5]; ±0.5 turns every hue to its complement.</param>
    /// <returns>(3, H, W).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (3, H, W), or <paramref name="shift"/> is outside [−0.5, 0.5].</exception>
    public static Tensor Hue(Tensor image, float shift)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (c, h, w) = Images.Dims(image.Dims, nameof(image));
        Images.CheckRange(shift, -0.5, 0.5, nameof(shift));
        CheckChannels(c, allowGrey: false);
        int plane = h * w;
        var y = Images.New(3, h, w);
        ReadOnlySpan<float> x = image.AsSpan();
        Span<float> d = y.AsSpan();
        for (int i = 0; i < plane; i++)
        {
            var (hue, s, v) = ToHsv(x[i], x[plane + i], x[2 * plane + i]);
            hue = (hue + shift) % 1f;
            if (hue < 0) hue += 1f;
            (d[i], d[plane + i], d[2 * plane + i]) = FromHsv(hue, s, v);
        }
        return y;
    }

    /// <summary>gray = 0.2989·R + 0.587·G + 0.114·B.</summary>
    internal static float Gray(float r, float g, float b) => RedWeight * r + GreenWeight * g + BlueWeight * b;

    /// <summary>Hexcone RGB → HSV: V = max, S = (max − min)/max (0 for black), H in [0, 1) (0 for greys).</summary>
    internal static (float H, float S, float V) ToHsv(float r, float g, float b)
    {
        float max = MathF.Max(r, MathF.Max(g, b)), min = MathF.Min(r, MathF.Min(g, b));
        float delta = max - min;
        float s = max > 0 ? delta / max : 0f;
        if (delta <= 0) return (0f, s, max);
        float h;
        if (max == r) h = (g - b) / delta;
        else if (max == g) h = 2f + (b - r) / delta;
        else h = 4f + (r - g) / delta;
        h /= 6f;
        if (h < 0) h += 1f;
        return (h, s, max);
    }

    /// <summary>Hexcone HSV → RGB: sector ⌊6H⌋, fraction f, p = V(1 − S), q = V(1 − S·f), t = V(1 − S(1 − f)).</summary>
    internal static (float R, float G, float B) FromHsv(float h, float s, float v)
    {
        float h6 = h * 6f;
        int sector = (int)MathF.Floor(h6);
        float f = h6 - sector;
        float p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return (sector % 6) switch
        {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        };
    }

    private static Tensor Blend(Tensor image, Func<int, int, float> other, float factor)
    {
        int c = image.Dims[0], plane = image.Dims[1] * image.Dims[2];
        var y = Images.New(c, image.Dims[1], image.Dims[2]);
        ReadOnlySpan<float> x = image.AsSpan();
        Span<float> d = y.AsSpan();
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < plane; i++)
                d[ch * plane + i] = Math.Clamp(factor * x[ch * plane + i] + (1 - factor) * other(ch, i), 0f, 1f);
        return y;
    }

    private static (int C, int H, int W) Check(Tensor image, float factor, string name)
    {
        ArgumentNullException.ThrowIfNull(image);
        var dims = Images.Dims(image.Dims, nameof(image));
        if (!(factor >= 0 && float.IsFinite(factor))) throw new ArgumentOutOfRangeException(name, factor, $"{name} must be finite and non-negative.");
        return dims;
    }

    private static void CheckChannels(int c, bool allowGrey)
    {
        if (c == 3 || (allowGrey && c == 1)) return;
        throw new ArgumentException(allowGrey ? $"This colour adjustment takes 1 (grey) or 3 (RGB) channels, got {c}." : $"This colour adjustment takes RGB images (3 channels), got {c}.", "image");
    }
}

/// <summary>
/// Random brightness, contrast, saturation and hue changes applied in random order (torchvision's <c>ColorJitter</c>).
/// On one-channel images only brightness and contrast apply.
/// </summary>
public sealed class ColorJitter : ITransform
{
    /// <summary>Creates the transform; 0 disables an adjustment.</summary>
    /// <param name="brightness">b ≥ 0: brightness factor ~ U[max(0, 1 − b), 1 + b].</param>
    /// <param name="contrast">c ≥ 0: contrast factor ~ U[max(0, 1 − c), 1 + c].</param>
    /// <param name="saturation">s ≥ 0: saturation factor ~ U[max(0, 1 − s), 1 + s] (RGB only).</param>
    /// <param name="hue">h ∈ [0, 0.5]: hue shift ~ U[−h, h] turns (RGB only).</param>
    /// <exception cref="ArgumentOutOfRangeException">A factor range is negative or not finite, or <paramref name="hue"/> is outside [0, 0.5].</exception>
    public ColorJitter(float brightness = 0f, float contrast = 0f, float saturation = 0f, float hue = 0f)
    {
        Images.CheckRange(brightness, 0, 1e6, nameof(brightness));
        Images.CheckRange(contrast, 0, 1e6, nameof(contrast));
        Images.CheckRange(saturation, 0, 1e6, nameof(saturation));
        Images.CheckRange(hue, 0, 0.5, nameof(hue));
        (Brightness, Contrast, Saturation, Hue) = (brightness, contrast, saturation, hue);
    }

    /// <summary>The brightness range b.</summary>
    public float Brightness { get; }

    /// <summary>The contrast range c.</summary>
    public float Contrast { get; }

    /// <summary>The saturation range s.</summary>
    public float Saturation { get; }

    /// <summary>The hue range h.</summary>
    public float Hue { get; }

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W) with C = 1 (grey) or 3 (RGB).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape with 1 or 3 channels.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (c, _, _) = Images.Dims(inputShape, nameof(inputShape));
        if (c != 1 && c != 3) throw new ArgumentException($"ColorJitter takes 1 (grey) or 3 (RGB) channels, got {c}.", nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>
    /// The order and values of one jitter: a random permutation of (brightness, contrast, saturation, hue)
    /// (Fisher–Yates, three integer draws), then the four values, one uniform draw each.
    /// </summary>
    /// <param name="rng">Seven draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public (int[] Order, float Brightness, float Contrast, float Saturation, float Hue) SampleParameters(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int[] order = rng.Permutation(4);
        float b = (float)Images.Uniform(rng, Math.Max(0, 1 - Brightness), 1 + Brightness);
        float c = (float)Images.Uniform(rng, Math.Max(0, 1 - Contrast), 1 + Contrast);
        float s = (float)Images.Uniform(rng, Math.Max(0, 1 - Saturation), 1 + Saturation);
        float h = (float)Images.Uniform(rng, -Hue, Hue);
        return (order, b, c, s, h);
    }

    /// <summary>Draws the parameters (<see cref="SampleParameters"/>) and applies the enabled adjustments (<see cref="ColorAdjust"/>) in the drawn order.</summary>
    /// <param name="image">(1 or 3, H, W) in [0, 1]; not modified.</param>
    /// <param name="rng">Seven draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (1 or 3, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, _, _) = Images.Check(image, rng);
        if (c != 1 && c != 3) throw new ArgumentException($"ColorJitter takes 1 (grey) or 3 (RGB) channels, got {c}.", nameof(image));
        var p = SampleParameters(rng);
        var y = image;
        foreach (int step in p.Order)
        {
            y = step switch
            {
                0 when Brightness > 0 => ColorAdjust.Brightness(y, p.Brightness),
                1 when Contrast > 0 => ColorAdjust.Contrast(y, p.Contrast),
                2 when Saturation > 0 && c == 3 => ColorAdjust.Saturation(y, p.Saturation),
                3 when Hue > 0 && c == 3 => ColorAdjust.Hue(y, p.Hue),
                _ => y,
            };
        }
        return ReferenceEquals(y, image) ? image.Clone() : y;
    }

    /// <summary>E.g. <c>ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1)</c>.</summary>
    public override string ToString() =>
        $"ColorJitter(brightness={Images.F(Brightness)}, contrast={Images.F(Contrast)}, saturation={Images.F(Saturation)}, hue={Images.F(Hue)})";
}

/// <summary>
/// AlexNet's lighting noise: adds Σ_k v_k·α_k·λ_k to every RGB pixel, with the principal components (λ_k, v_k) of the
/// pixel colours and α_k ~ N(0, σ²) drawn once per image (formula in the file header).
/// </summary>
public sealed class PcaColorNoise : ITransform
{
    /// <summary>The eigenvalues of ImageNet's RGB covariance (images in [0, 1]) as fb.resnet.torch publishes them, largest first.</summary>
    public static IReadOnlyList<float> ImageNetEigenvalues { get; } = Array.AsReadOnly(new[] { 0.2175f, 0.0188f, 0.0045f });

    /// <summary>The matching eigenvectors, row-major 3×3 with one eigenvector per column (R, G, B rows).</summary>
    public static IReadOnlyList<float> ImageNetEigenvectors { get; } = Array.AsReadOnly(new[]
    {
        -0.5675f, 0.7192f, 0.4009f,
        -0.5808f, -0.0045f, -0.8140f,
        -0.5836f, -0.6948f, 0.4203f,
    });

    private readonly float[] _eigenvalues;
    private readonly float[] _eigenvectors;

    /// <summary>Creates the transform (AlexNet: σ = 0.1, ImageNet's components).</summary>
    /// <param name="std">σ ≥ 0, the standard deviation of each α_k.</param>
    /// <param name="eigenvalues">λ_1..λ_3, non-negative; <see langword="null"/> for <see cref="ImageNetEigenvalues"/>.</param>
    /// <param name="eigenvectors">V, 9 values row-major with eigenvectors as columns; <see langword="null"/> for <see cref="ImageNetEigenvectors"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="eigenvalues"/> is not 3 finite non-negative values, or <paramref name="eigenvectors"/> is not 9 finite values.</exception>
    public PcaColorNoise(float std = 0.1f, IReadOnlyList<float>? eigenvalues = null, IReadOnlyList<float>? eigenvectors = null)
    {
        Images.CheckRange(std, 0, 1e6, nameof(std));
        _eigenvalues = [.. eigenvalues ?? ImageNetEigenvalues];
        _eigenvectors = [.. eigenvectors ?? ImageNetEigenvectors];
        if (_eigenvalues.Length != 3 || _eigenvalues.Any(v => !(v >= 0 && float.IsFinite(v))))
            throw new ArgumentException("PCA colour noise needs 3 finite, non-negative eigenvalues.", nameof(eigenvalues));
        if (_eigenvectors.Length != 9 || _eigenvectors.Any(v => !float.IsFinite(v)))
            throw new ArgumentException("PCA colour noise needs a 3×3 eigenvector matrix: 9 finite values, row-major, eigenvectors as columns.", nameof(eigenvectors));
        Std = std;
    }

    /// <summary>σ, the standard deviation of each α_k.</summary>
    public float Std { get; }

    /// <summary>λ_1..λ_3.</summary>
    public IReadOnlyList<float> Eigenvalues => _eigenvalues;

    /// <summary>V row-major, eigenvectors as columns.</summary>
    public IReadOnlyList<float> Eigenvectors => _eigenvectors;

    /// <summary>
    /// The principal components of the pixel colours of <paramref name="images"/>: the eigenvalues (largest first) and
    /// eigenvectors (as columns, each with a non-negative sum so the sign is fixed) of the 3×3 covariance of all
    /// (R, G, B) pixels, accumulated in double and diagonalised by Jacobi rotations.
    /// </summary>
    /// <param name="images">(N, 3, H, W) with N·H·W ≥ 2, e.g. a <see cref="ClassificationDataset.Images"/> tensor.</param>
    /// <param name="std">σ of the returned transform.</param>
    /// <returns>A transform using those components.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="images"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not (N, 3, H, W) with at least two pixels, or holds a non-finite value.</exception>
    public static PcaColorNoise FromImages(Tensor images, float std = 0.1f)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 4 || images.Dims[1] != 3)
            throw new ArgumentException($"PCA colour components come from (N, 3, H, W) RGB images; got {Tensor.ShapeText(images.Dims)}.", nameof(images));
        int n = images.Dims[0], plane = images.Dims[2] * images.Dims[3];
        long pixels = (long)n * plane;
        if (pixels < 2) throw new ArgumentException("PCA colour components need at least two pixels.", nameof(images));
        ReadOnlySpan<float> x = images.AsSpan();
        Span<double> mean = stackalloc double[3];
        var cov = new double[3, 3];
        // Two passes (mean, then centred products) keep the covariance accurate for values far from 0.
        for (int s = 0; s < n; s++)
            for (int c = 0; c < 3; c++)
            {
                var p = x.Slice((s * 3 + c) * plane, plane);
                for (int i = 0; i < plane; i++)
                {
                    if (!float.IsFinite(p[i])) throw new ArgumentException($"Image {s} holds a non-finite value in channel {c}.", nameof(images));
                    mean[c] += p[i];
                }
            }
        for (int c = 0; c < 3; c++) mean[c] /= pixels;
        for (int s = 0; s < n; s++)
            for (int i = 0; i < plane; i++)
            {
                double r = x[(s * 3) * plane + i] - mean[0], g = x[(s * 3 + 1) * plane + i] - mean[1], b = x[(s * 3 + 2) * plane + i] - mean[2];
                cov[0, 0] += r * r; cov[0, 1] += r * g; cov[0, 2] += r * b;
                cov[1, 1] += g * g; cov[1, 2] += g * b; cov[2, 2] += b * b;
            }
        cov[1, 0] = cov[0, 1]; cov[2, 0] = cov[0, 2]; cov[2, 1] = cov[1, 2];
        for (int a = 0; a < 3; a++)
            for (int b = 0; b < 3; b++)
                cov[a, b] /= pixels - 1;
        var (values, vectors) = SymmetricEigen3(cov);
        var eigenvectors = new float[9];
        for (int r = 0; r < 3; r++)
            for (int k = 0; k < 3; k++)
                eigenvectors[r * 3 + k] = (float)vectors[r, k];
        return new PcaColorNoise(std, [.. values.Select(v => (float)Math.Max(v, 0))], eigenvectors);
    }

    /// <summary>Eigenvalues (descending) and eigenvectors (columns, sign fixed by a non-negative sum) of a symmetric 3×3 matrix by cyclic Jacobi rotations.</summary>
    internal static (double[] Values, double[,] Vectors) SymmetricEigen3(double[,] matrix)
    {
        var a = (double[,])matrix.Clone();
        var v = new double[3, 3] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
        for (int sweep = 0; sweep < 50; sweep++)
        {
            double off = a[0, 1] * a[0, 1] + a[0, 2] * a[0, 2] + a[1, 2] * a[1, 2];
            double scale = a[0, 0] * a[0, 0] + a[1, 1] * a[1, 1] + a[2, 2] * a[2, 2];
            if (off <= 1e-30 * Math.Max(scale, 1e-300)) break;
            foreach (var (p, q) in new[] { (0, 1), (0, 2), (1, 2) })
            {
                if (a[p, q] == 0) continue;
                // The rotation that zeroes a[p, q]: tan 2φ = 2a_pq / (a_qq − a_pp).
                double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                for (int k = 0; k < 3; k++)
                {
                    double akp = a[k, p], akq = a[k, q];
                    a[k, p] = c * akp - s * akq;
                    a[k, q] = s * akp + c * akq;
                }
                for (int k = 0; k < 3; k++)
                {
                    double apk = a[p, k], aqk = a[q, k];
                    a[p, k] = c * apk - s * aqk;
                    a[q, k] = s * apk + c * aqk;
                }
                for (int k = 0; k < 3; k++)
                {
                    double vkp = v[k, p], vkq = v[k, q];
                    v[k, p] = c * vkp - s * vkq;
                    v[k, q] = s * vkp + c * vkq;
                }
            }
        }
        int[] order = [.. Enumerable.Range(0, 3).OrderByDescending(k => a[k, k])];
        var values = order.Select(k => a[k, k]).ToArray();
        var vectors = new double[3, 3];
        for (int j = 0; j < 3; j++)
        {
            int k = order[j];
            double sign = v[0, k] + v[1, k] + v[2, k] < 0 ? -1 : 1;
            for (int r = 0; r < 3; r++) vectors[r, j] = sign * v[r, k];
        }
        return (values, vectors);
    }

    /// <summary>The input shape unchanged.</summary>
    /// <param name="inputShape">(3, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (3, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (c, _, _) = Images.Dims(inputShape, nameof(inputShape));
        if (c != 3) throw new ArgumentException($"PCA colour noise takes RGB images (3 channels), got {c}.", nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>The per-channel shift Σ_k V[c, k]·α_k·λ_k for one image: three normal draws α_1..α_3 (σ = <see cref="Std"/>).</summary>
    /// <param name="rng">Three normal draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public float[] SampleShift(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Span<float> alpha = stackalloc float[3];
        rng.FillNormal(alpha, 0f, Std);
        var shift = new float[3];
        for (int c = 0; c < 3; c++)
            for (int k = 0; k < 3; k++)
                shift[c] += _eigenvectors[c * 3 + k] * alpha[k] * _eigenvalues[k];
        return shift;
    }

    /// <summary>y[c, i, j] = x[c, i, j] + shift[c] with the shift of <see cref="SampleShift"/> (no clamping).</summary>
    /// <param name="image">(3, H, W); not modified.</param>
    /// <param name="rng">Three normal draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (3, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, h, w) = Images.Check(image, rng);
        if (c != 3) throw new ArgumentException($"PCA colour noise takes RGB images (3 channels), got {c}.", nameof(image));
        var shift = SampleShift(rng);
        var y = image.Clone();
        Span<float> d = y.AsSpan();
        int plane = h * w;
        for (int ch = 0; ch < 3; ch++)
        {
            var p = d.Slice(ch * plane, plane);
            for (int i = 0; i < plane; i++) p[i] += shift[ch];
        }
        return y;
    }

    /// <summary>E.g. <c>PcaColorNoise(std=0.1, eigenvalues=[0.2175, 0.0188, 0.0045])</c>.</summary>
    public override string ToString() => $"PcaColorNoise(std={Images.F(Std)}, eigenvalues=[{string.Join(", ", _eigenvalues.Select(v => Images.F(v)))}])";
}
