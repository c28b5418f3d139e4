// Numbers that tell learned filters from noise (the chapter: first-layer filters of a trained CNN look
// like Gabor functions; at initialisation they are white noise).
//   neighbour correlation of one R×S filter slice w (mean μ):
//     ρ = [Σ_{adjacent pairs (i,j)} (w_i − μ)(w_j − μ) / #pairs] / [Σ_i (w_i − μ)² / RS]
//     (horizontal and vertical neighbours; ≈ 0 for i.i.d. noise, → 1 for smooth filters)
//   best Gabor correlation: max over a grid of Gabor kernels g of |Pearson correlation(w, g)|
// Both are averaged over every (filter, input channel) slice of a (K, C, R, S) weight.
using Striate.Features;

namespace Striate.Visualization;

/// <summary>Smoothness and Gabor-likeness of convolution filters.</summary>
public static class FilterStatistics
{
    /// <summary>
    /// The mean, over the K·C slices of <paramref name="weight"/>, of the lag-one spatial autocorrelation
    /// ρ = mean over adjacent (horizontal and vertical) pairs of (w_i − μ)(w_j − μ), divided by the slice's
    /// variance: about 0 for white noise, close to 1 for smooth filters. Constant slices count as 0.
    /// </summary>
    /// <param name="weight">(K, C, R, S) filters with R·S ≥ 2.</param>
    /// <exception cref="ArgumentException">The weight is not 4-D or its slices have fewer than two taps (<c>weight</c>).</exception>
    public static double NeighbourCorrelation(Tensor weight)
    {
        var (slices, r, s) = Slices(weight);
        double total = 0;
        foreach (var w in slices)
        {
            double mean = w.Average(v => (double)v), variance = w.Sum(v => (v - mean) * (v - mean)) / w.Length;
            if (variance == 0) continue;
            double sum = 0;
            int pairs = 0;
            for (int i = 0; i < r; i++)
                for (int j = 0; j < s; j++)
                {
                    double a = w[i * s + j] - mean;
                    if (j + 1 < s) { sum += a * (w[i * s + j + 1] - mean); pairs++; }
                    if (i + 1 < r) { sum += a * (w[(i + 1) * s + j] - mean); pairs++; }
                }
            total += sum / pairs / variance;
        }
        return total / slices.Count;
    }

    /// <summary>
    /// The mean, over the K·C slices of <paramref name="weight"/>, of the largest |Pearson correlation|
    /// with a Gabor kernel of the same (square) size, searched over 8 orientations τ = kπ/8,
    /// frequencies f ∈ {0.4, 0.7, 1.0, 1.4, 2.0}, phases φ ∈ {0, π/4, π/2, 3π/4} and envelopes
    /// β ∈ {0.5, 0.2, 0.08}/(size/5)² (x0 = y0 = 0). Random filters also match some Gabor partly; compare
    /// with the same measure at initialisation.
    /// </summary>
    /// <param name="weight">(K, C, R, R) square filters.</param>
    /// <exception cref="ArgumentException">The weight is not 4-D with square slices of at least 2×2 (<c>weight</c>).</exception>
    public static double BestGaborCorrelation(Tensor weight)
    {
        var (slices, r, s) = Slices(weight);
        if (r != s) throw new ArgumentException($"Gabor correlation needs square filters; these are {r}×{s}.", nameof(weight));
        var candidates = new List<float[]>();
        double scale = (r / 5.0) * (r / 5.0);
        foreach (double beta in new[] { 0.5, 0.2, 0.08 })
            foreach (double f in new[] { 0.4, 0.7, 1.0, 1.4, 2.0 })
                foreach (double phi in new[] { 0, Math.PI / 4, Math.PI / 2, 3 * Math.PI / 4 })
                    for (int k = 0; k < 8; k++)
                        candidates.Add(Gabor.Kernel(new GaborParameters(1, beta / scale, beta / scale, f, phi, Tau: k * Math.PI / 8), r).ToArray());
        double total = 0;
        foreach (var w in slices)
        {
            double best = 0;
            foreach (var g in candidates) best = Math.Max(best, Math.Abs(Pearson(w, g)));
            total += best;
        }
        return total / slices.Count;
    }

    private static double Pearson(float[] a, float[] b)
    {
        double ma = a.Average(v => (double)v), mb = b.Average(v => (double)v), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double x = a[i] - ma, y = b[i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }

    private static (List<float[]> Slices, int R, int S) Slices(Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4 || weight.Dims[2] * weight.Dims[3] < 2 || weight.Dims[0] * weight.Dims[1] == 0)
            throw new ArgumentException($"Filters are (K, C, R, S) with at least two taps; got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        int r = weight.Dims[2], s = weight.Dims[3], taps = r * s;
        var data = weight.AsSpan();
        var slices = new List<float[]>();
        for (int i = 0; i < weight.Dims[0] * weight.Dims[1]; i++) slices.Add(data.Slice(i * taps, taps).ToArray());
        return (slices, r, s);
    }
}
