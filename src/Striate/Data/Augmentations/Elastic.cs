// Elastic distortion (Simard, Steinkraus & Platt 2003, "Best practices for convolutional neural
// networks applied to visual document analysis", section 2):
//   Δx, Δy ~ U(−1, 1) independently per pixel (H·W draws for Δx, then H·W for Δy)
//   Δx ← α · (G_σ ∗ Δx),  Δy ← α · (G_σ ∗ Δy)        G_σ: normalized Gaussian, zero outside the image
//   y[c, i, j] = bilinear(x[c], j + Δx[i, j], i + Δy[i, j])   (fill outside the image; WarpKernel.Displace)
// The Gaussian is applied separably (rows, then columns) with radius r = ⌊4σ + ½⌋ taps on each side
// (scipy.ndimage.gaussian_filter's truncate = 4) and weights g[k] = exp(−k²/(2σ²)) / Σ_k exp(−k²/(2σ²)).
// Small σ gives nearly independent (random) displacements, large σ nearly a translation; the paper
// uses σ = 4 and α = 34 on 28×28 digits.
namespace Striate.Data.Augmentations;

/// <summary>
/// Simard et al.'s elastic warp: each pixel moves by a random displacement field smoothed with a Gaussian of
/// width σ and scaled by α (formulas in the file header).
/// </summary>
public sealed class ElasticWarp : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="alpha">Strength α ≥ 0: the scale of the smoothed displacements, in pixels (34 in the paper).</param>
    /// <param name="sigma">Smoothness σ &gt; 0: the Gaussian's standard deviation, in pixels (4 in the paper).</param>
    /// <param name="fill">The value of pixels whose source lies outside the image.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="alpha"/> is negative, <paramref name="sigma"/> is not positive, or a value is not finite.</exception>
    public ElasticWarp(float alpha = 34f, float sigma = 4f, float fill = 0f)
    {
        if (!(alpha >= 0 && float.IsFinite(alpha))) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "α must be finite and non-negative.");
        if (!(sigma > 0 && sigma <= 1e4f)) throw new ArgumentOutOfRangeException(nameof(sigma), sigma, "σ must be positive and at most 10,000 pixels.");
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        (Alpha, Sigma, Fill) = (alpha, sigma, fill);
    }

    /// <summary>Strength α, in pixels.</summary>
    public float Alpha { get; }

    /// <summary>Smoothness σ, in pixels.</summary>
    public float Sigma { get; }

    /// <summary>The value of pixels whose source lies outside.</summary>
    public float Fill { get; }

    /// <summary>The Gaussian's radius in taps on each side: ⌊4σ + ½⌋.</summary>
    public int Radius => (int)(4 * Sigma + 0.5f);

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        Images.Dims(inputShape, nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>The smoothed, scaled displacement fields (Δx, Δy) for an H×W image, H·W values each (2·H·W uniform draws).</summary>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="rng">The draws: all of Δx, then all of Δy, row-major.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="height"/> or <paramref name="width"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public (float[] Dx, float[] Dy) DisplacementField(int height, int width, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(rng);
        var dx = new float[height * width];
        var dy = new float[height * width];
        rng.FillUniform(dx, -1f, 1f);
        rng.FillUniform(dy, -1f, 1f);
        var weights = GaussianWeights(Sigma, Radius);
        Smooth(dx, height, width, weights, Alpha);
        Smooth(dy, height, width, weights, Alpha);
        return (dx, dy);
    }

    /// <summary>Draws the fields (<see cref="DisplacementField"/>) and returns <see cref="Warp.Displace"/>(image, Δx, Δy, fill).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">2·H·W uniform draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (_, h, w) = Images.Check(image, rng);
        var (dx, dy) = DisplacementField(h, w, rng);
        return Warp.Displace(image, dx, dy, Fill);
    }

    /// <summary>g[k] = exp(−k²/(2σ²)) / Σ exp(…), k = −r..r, stored at index k + r.</summary>
    internal static float[] GaussianWeights(float sigma, int radius)
    {
        var g = new double[2 * radius + 1];
        double sum = 0;
        for (int k = -radius; k <= radius; k++) sum += g[k + radius] = Math.Exp(-(double)k * k / (2.0 * sigma * sigma));
        return g.Select(v => (float)(v / sum)).ToArray();
    }

    /// <summary>field ← scale · (G ∗ field): rows, then columns, zero outside; sums in double.</summary>
    private static void Smooth(float[] field, int height, int width, float[] weights, float scale)
    {
        int r = weights.Length / 2;
        var rows = new float[field.Length];
        for (int i = 0; i < height; i++)
            for (int j = 0; j < width; j++)
            {
                double sum = 0;
                for (int k = Math.Max(-r, -j); k <= Math.Min(r, width - 1 - j); k++) sum += (double)weights[k + r] * field[i * width + j + k];
                rows[i * width + j] = (float)sum;
            }
        for (int i = 0; i < height; i++)
            for (int j = 0; j < width; j++)
            {
                double sum = 0;
                for (int k = Math.Max(-r, -i); k <= Math.Min(r, height - 1 - i); k++) sum += (double)weights[k + r] * rows[(i + k) * width + j];
                field[i * width + j] = (float)(scale * sum);
            }
    }

    /// <summary>E.g. <c>ElasticWarp(alpha=34, sigma=4)</c>.</summary>
    public override string ToString() => $"ElasticWarp(alpha={Images.F(Alpha)}, sigma={Images.F(Sigma)}{(Fill != 0 ? $", fill={Images.F(Fill)}" : "")})";
}
