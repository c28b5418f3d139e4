// Random mirroring (torchvision's RandomHorizontalFlip / RandomVerticalFlip):
//   horizontal: y[c, i, j] = x[c, i, W − 1 − j]      vertical: y[c, i, j] = x[c, H − 1 − i, j]
// applied when u < p for one uniform draw u ∈ [0, 1), else y = x. Exactly one draw per image, so the
// draws that follow in a Compose do not depend on whether the flip happened.
namespace Striate.Data.Augmentations;

/// <summary>What the two flips share: the probability, the shape check and the one draw per image.</summary>
public abstract class RandomFlip : ITransform
{
    /// <summary>Checks and stores the probability.</summary>
    /// <param name="p">Probability of flipping, in [0, 1].</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
    private protected RandomFlip(double p)
    {
        Images.CheckRange(p, 0, 1, nameof(p));
        P = p;
    }

    /// <summary>Probability of flipping.</summary>
    public double P { get; }

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        Images.Dims(inputShape, nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>Draws u ∈ [0, 1); returns the mirrored image when u &lt; p, else a copy.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">One uniform draw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, h, w) = Images.Check(image, rng);
        if (!(rng.NextDouble() < P)) return image.Clone();
        var y = Images.New(c, h, w);
        Mirror(image.AsSpan(), y.AsSpan(), c, h, w);
        return y;
    }

    /// <summary>Writes the mirror image of <paramref name="src"/> (C, H, W) into <paramref name="dst"/>.</summary>
    private protected abstract void Mirror(ReadOnlySpan<float> src, Span<float> dst, int c, int h, int w);

    /// <summary>E.g. <c>RandomHorizontalFlip(p=0.5)</c>.</summary>
    public override string ToString() => $"{GetType().Name}(p={Images.F(P)})";
}

/// <summary>Mirrors the image left–right with probability p: y[c, i, j] = x[c, i, W − 1 − j].</summary>
/// <param name="p">Probability of flipping, in [0, 1] (torchvision's default 0.5).</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
public sealed class RandomHorizontalFlip(double p = 0.5) : RandomFlip(p)
{
    private protected override void Mirror(ReadOnlySpan<float> src, Span<float> dst, int c, int h, int w)
    {
        for (int row = 0; row < c * h; row++)
        {
            var s = src.Slice(row * w, w);
            var d = dst.Slice(row * w, w);
            for (int j = 0; j < w; j++) d[j] = s[w - 1 - j];
        }
    }
}

/// <summary>Mirrors the image top–bottom with probability p: y[c, i, j] = x[c, H − 1 − i, j].</summary>
/// <param name="p">Probability of flipping, in [0, 1] (torchvision's default 0.5).</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is outside [0, 1] or NaN.</exception>
public sealed class RandomVerticalFlip(double p = 0.5) : RandomFlip(p)
{
    private protected override void Mirror(ReadOnlySpan<float> src, Span<float> dst, int c, int h, int w)
    {
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h; i++)
                src.Slice((ch * h + h - 1 - i) * w, w).CopyTo(dst.Slice((ch * h + i) * w, w));
    }
}
