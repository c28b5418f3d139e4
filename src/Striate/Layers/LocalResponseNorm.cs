// Local response normalization layer (PyTorch's nn.LocalResponseNorm): normalizes each activation
// by the energy of the same position in the `size` neighbouring channels. No parameters.
using System.Globalization;

namespace Striate.Layers;

/// <summary>
/// b_c = a_c / (k + (alpha/size)·Σ_{c′ in window(c)} a_{c′}²)^beta across channels, PyTorch's
/// convention (see <see cref="Functional.LocalResponseNorm"/>; the TensorFlow form is
/// <see cref="Functional.LocalResponseNormalization"/>). AlexNet: <c>new LocalResponseNorm(5, 1e-4f, 0.75f, 2f)</c>.
/// </summary>
public sealed class LocalResponseNorm : Module
{
    /// <summary>Creates a local response normalization layer.</summary>
    /// <param name="size">Channels in the window, n ≥ 1.</param>
    /// <param name="alpha">α ≥ 0, divided by <paramref name="size"/> (default 1e-4).</param>
    /// <param name="beta">β (default 0.75).</param>
    /// <param name="k">k &gt; 0 (default 1).</param>
    /// <exception cref="ArgumentException"><paramref name="size"/> is not positive, <paramref name="alpha"/> is negative, a constant is not finite, or <paramref name="k"/> is not positive.</exception>
    public LocalResponseNorm(int size, float alpha = 1e-4f, float beta = 0.75f, float k = 1f)
    {
        if (size < 1) throw new ArgumentException($"size must be at least 1, got {size}.", nameof(size));
        if (!(alpha >= 0f) || !float.IsFinite(alpha)) throw new ArgumentException($"alpha must be non-negative and finite, got {alpha}.", nameof(alpha));
        if (!float.IsFinite(beta)) throw new ArgumentException($"beta must be finite, got {beta}.", nameof(beta));
        if (!(k > 0f) || !float.IsFinite(k)) throw new ArgumentException($"k must be positive and finite, got {k}.", nameof(k));
        Size = size;
        Alpha = alpha;
        Beta = beta;
        K = k;
    }

    /// <summary>Channels in the window.</summary>
    public int Size { get; }

    /// <summary>α (divided by <see cref="Size"/> in the formula).</summary>
    public float Alpha { get; }

    /// <summary>β.</summary>
    public float Beta { get; }

    /// <summary>k.</summary>
    public float K { get; }

    /// <inheritdoc/>
    public override string Description =>
        string.Create(CultureInfo.InvariantCulture, $"size {Size}, α {Alpha:G6}, β {Beta:G6}, k {K:G6}");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LocalResponseNorm(input, Size, Alpha, Beta, K);
}
