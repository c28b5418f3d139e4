// Additive noise and occlusion:
//   GaussianNoise: y = x + mean + std·n,  n ~ N(0, 1) per element (Rng.FillNormal, Box–Muller in double);
//                  optionally clamped to [0, 1]
//   Cutout (DeVries & Taylor 2017, "Improved regularization of convolutional neural networks with
//   cutout"): count square patches of side `size` set to `fill` in every channel. By default each
//   patch lies wholly inside the image, top ~ U{0..H − size}, left ~ U{0..W − size}, so exactly size²
//   pixels per patch are covered (patches may overlap). With centerAnywhere the patch centre is
//   uniform over all H·W pixels and the square is clipped at the border, as in the paper's code
//   (centre (cy, cx) covers rows cy − ⌊size/2⌋ .. cy − ⌊size/2⌋ + size − 1, and likewise columns).
namespace Striate.Data.Augmentations;

/// <summary>Adds independent Gaussian noise to every element: y = x + mean + std·n, n ~ N(0, 1).</summary>
public sealed class GaussianNoise : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="std">Standard deviation of the noise, ≥ 0.</param>
    /// <param name="mean">Mean of the noise (0 by default).</param>
    /// <param name="clip">Whether to clamp the result to [0, 1] (for images before normalization).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="std"/> is negative or not finite, or <paramref name="mean"/> is not finite.</exception>
    public GaussianNoise(float std, float mean = 0f, bool clip = false)
    {
        if (!(std >= 0 && float.IsFinite(std))) throw new ArgumentOutOfRangeException(nameof(std), std, "The noise standard deviation must be finite and non-negative.");
        if (!float.IsFinite(mean)) throw new ArgumentOutOfRangeException(nameof(mean), mean, "The noise mean must be finite.");
        (Std, Mean, Clip) = (std, mean, clip);
    }

    /// <summary>Standard deviation of the noise.</summary>
    public float Std { get; }

    /// <summary>Mean of the noise.</summary>
    public float Mean { get; }

    /// <summary>Whether results are clamped to [0, 1].</summary>
    public bool Clip { get; }

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        Images.Dims(inputShape, nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>y = x + mean + std·n (clamped to [0, 1] when <see cref="Clip"/>); n is drawn element by element in row-major order.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">C·H·W normal draws (one pair of uniforms per two elements).</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, h, w) = Images.Check(image, rng);
        var y = Images.New(c, h, w);
        Span<float> dst = y.AsSpan();
        rng.FillNormal(dst, Mean, Std);
        ReadOnlySpan<float> src = image.AsSpan();
        for (int i = 0; i < dst.Length; i++)
        {
            float v = src[i] + dst[i];
            dst[i] = Clip ? Math.Clamp(v, 0f, 1f) : v;
        }
        return y;
    }

    /// <summary>E.g. <c>GaussianNoise(std=0.05, mean=0)</c>.</summary>
    public override string ToString() => $"GaussianNoise(std={Images.F(Std)}, mean={Images.F(Mean)}{(Clip ? ", clip" : "")})";
}

/// <summary>Sets <see cref="Count"/> random size×size squares of the image to <see cref="Fill"/> in every channel (Cutout).</summary>
public sealed class Cutout : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="size">Side of each square patch.</param>
    /// <param name="count">Number of patches (1 by default).</param>
    /// <param name="fill">The value written into the patches (0 by default).</param>
    /// <param name="centerAnywhere">
    /// false (default): each patch lies wholly inside the image, covering exactly size² pixels; true: the centre is
    /// uniform over the image and the patch is clipped at the border (the paper's code).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="count"/> is not positive, or <paramref name="fill"/> is not finite.</exception>
    public Cutout(int size, int count = 1, float fill = 0f, bool centerAnywhere = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        (Size, Count, Fill, CenterAnywhere) = (size, count, fill, centerAnywhere);
    }

    /// <summary>Side of each patch.</summary>
    public int Size { get; }

    /// <summary>Number of patches.</summary>
    public int Count { get; }

    /// <summary>The value written into the patches.</summary>
    public float Fill { get; }

    /// <summary>Whether patch centres range over the whole image (patches clipped at the border).</summary>
    public bool CenterAnywhere { get; }

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape, or (patches wholly inside) the patch is larger than the image.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (_, h, w) = Images.Dims(inputShape, nameof(inputShape));
        if (!CenterAnywhere && (Size > h || Size > w))
            throw new ArgumentException($"A {Size}×{Size} cutout patch does not fit in a {h}×{w} image (use centerAnywhere to clip patches at the border).", nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>The patches' top-left corners for an H×W image (may be negative with <see cref="CenterAnywhere"/>): two integer draws per patch, row first.</summary>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="rng">2·count draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The patch does not fit (see <see cref="OutputShape"/>).</exception>
    public (int Top, int Left)[] SamplePatches(int height, int width, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        OutputShape([1, height, width]);
        var patches = new (int, int)[Count];
        for (int k = 0; k < Count; k++)
        {
            patches[k] = CenterAnywhere
                ? (rng.NextInt(height) - Size / 2, rng.NextInt(width) - Size / 2)
                : (rng.NextInt(height - Size + 1), rng.NextInt(width - Size + 1));
        }
        return patches;
    }

    /// <summary>y = x except inside the patches (<see cref="SamplePatches"/>), where y[c, i, j] = fill for every channel.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">2·count integer draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The image is not (C, H, W) or too small for a patch.</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, h, w) = Images.Check(image, rng);
        var y = image.Clone();
        Span<float> dst = y.AsSpan();
        foreach (var (top, left) in SamplePatches(h, w, rng))
        {
            int r0 = Math.Max(top, 0), r1 = Math.Min(top + Size, h), c0 = Math.Max(left, 0), c1 = Math.Min(left + Size, w);
            if (r0 >= r1 || c0 >= c1) continue;
            for (int ch = 0; ch < c; ch++)
                for (int r = r0; r < r1; r++)
                    dst.Slice((ch * h + r) * w + c0, c1 - c0).Fill(Fill);
        }
        return y;
    }

    /// <summary>E.g. <c>Cutout(size=8, count=1)</c>.</summary>
    public override string ToString() => $"Cutout(size={Size}, count={Count}{(Fill != 0 ? $", fill={Images.F(Fill)}" : "")}{(CenterAnywhere ? ", centerAnywhere" : "")})";
}
