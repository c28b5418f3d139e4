// Per-channel standardization (torchvision's Normalize):
//   y[c, i, j] = (x[c, i, j] − mean[c]) / std[c]
// computed in float32 as a subtraction then a division, the same two roundings torchvision makes.
// One mean/std value applies to every channel.
namespace Striate.Data.Augmentations;

/// <summary>Standardizes each channel: y[c, i, j] = (x[c, i, j] − mean[c]) / std[c]. Deterministic (draws nothing).</summary>
public sealed class Normalize : ITransform
{
    private readonly float[] _mean;
    private readonly float[] _std;

    /// <summary>Creates the transform, e.g. <c>new Normalize([0.2860f], [0.3530f])</c> for Fashion-MNIST.</summary>
    /// <param name="mean">One value per channel, or a single value for all channels.</param>
    /// <param name="std">One positive value per channel, or a single value for all channels; same length as <paramref name="mean"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="mean"/> or <paramref name="std"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// <paramref name="mean"/> is empty or holds a non-finite value; <paramref name="std"/> differs in length or holds a value that is not positive and finite.
    /// </exception>
    public Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0) throw new ArgumentException("Normalize needs at least one mean value.", nameof(mean));
        if (std.Length != mean.Length)
            throw new ArgumentException($"Normalize has {mean.Length} mean value(s) but {std.Length} std value(s).", nameof(std));
        for (int c = 0; c < mean.Length; c++)
        {
            if (!float.IsFinite(mean[c])) throw new ArgumentException($"mean[{c}] = {mean[c]} is not finite.", nameof(mean));
            if (!(std[c] > 0 && float.IsFinite(std[c]))) throw new ArgumentException($"std[{c}] = {std[c]} must be positive and finite.", nameof(std));
        }
        _mean = (float[])mean.Clone();
        _std = (float[])std.Clone();
    }

    /// <summary>The per-channel means.</summary>
    public IReadOnlyList<float> Mean => _mean;

    /// <summary>The per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std => _std;

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape, or C differs from the number of mean values (when that is not 1).</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        CheckShape(inputShape, nameof(inputShape));
        return inputShape.ToArray();
    }

    private (int C, int H, int W) CheckShape(ReadOnlySpan<int> shape, string paramName)
    {
        var (c, h, w) = Images.Dims(shape, paramName);
        if (_mean.Length != 1 && _mean.Length != c)
            throw new ArgumentException($"Normalize has {_mean.Length} channel values but the image has {c} channel(s).", paramName);
        return (c, h, w);
    }

    /// <summary>y[c, i, j] = (x[c, i, j] − mean[c]) / std[c].</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">Not drawn from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W) or its channel count does not match.</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(rng);
        var (c, h, w) = CheckShape(image.Dims, nameof(image));
        var y = Images.New(c, h, w);
        ReadOnlySpan<float> src = image.AsSpan();
        Span<float> dst = y.AsSpan();
        int plane = h * w;
        for (int ch = 0; ch < c; ch++)
        {
            float m = _mean[_mean.Length == 1 ? 0 : ch], s = _std[_std.Length == 1 ? 0 : ch];
            var a = src.Slice(ch * plane, plane);
            var d = dst.Slice(ch * plane, plane);
            for (int i = 0; i < plane; i++) d[i] = (a[i] - m) / s;
        }
        return y;
    }

    /// <summary>E.g. <c>Normalize(mean=[0.286], std=[0.353])</c>.</summary>
    public override string ToString() =>
        $"Normalize(mean=[{string.Join(", ", _mean.Select(v => Images.F(v)))}], std=[{string.Join(", ", _std.Select(v => Images.F(v)))}])";
}
