// Synthetic 1-D signals for Conv1d examples: sample i has class i mod 4, a waveform of that class
//   x[t] = A · w(f·t/L + φ) + σ·n[t],   t = 0..L−1,  n ~ N(0, 1)
//   w(p): 0 sine sin(2πp) | 1 square sign(sin(2πp)) (+1 at 0) | 2 sawtooth 2·frac(p) − 1 |
//         3 triangle 1 − 4·|frac(p) − ½|
//   f ~ U[MinCycles, MaxCycles] cycles per signal, φ ~ U[0, 1), A ~ U[0.5, 1]
// so the class is in the wave's shape, not its frequency, phase or amplitude. Shape (N, 1, L).
namespace Striate.Data.Synthetic;

/// <summary>Generates classified 1-D waveforms (formula in the file header).</summary>
public static class SyntheticSignals
{
    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[] { "sine", "square", "sawtooth", "triangle" });

    /// <summary>Generates <paramref name="count"/> signals of <paramref name="length"/> samples.</summary>
    /// <param name="count">N ≥ 1.</param>
    /// <param name="length">L ≥ 4 samples per signal.</param>
    /// <param name="rng">The source of every random value (per signal: f, φ, A, then L normal draws).</param>
    /// <param name="noise">σ ≥ 0, the standard deviation of the added Gaussian noise (0.1 by default).</param>
    /// <param name="minCycles">Fewest cycles per signal, &gt; 0 (2 by default).</param>
    /// <param name="maxCycles">Most cycles per signal, ≥ <paramref name="minCycles"/> and ≤ L/4 so every cycle has 4 samples (6 by default).</param>
    /// <returns>Signals (N, 1, L) with labels 0..3.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count, length, noise or cycle bound is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public static ClassificationDataset Generate(int count, int length, Rng rng, float noise = 0.1f, double minCycles = 2, double maxCycles = 6)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 4);
        ArgumentNullException.ThrowIfNull(rng);
        if (!(noise >= 0 && float.IsFinite(noise))) throw new ArgumentOutOfRangeException(nameof(noise), noise, "The noise must be finite and non-negative.");
        if (!(minCycles > 0)) throw new ArgumentOutOfRangeException(nameof(minCycles), minCycles, "The fewest cycles must be positive.");
        if (!(maxCycles >= minCycles && maxCycles <= length / 4.0))
            throw new ArgumentOutOfRangeException(nameof(maxCycles), maxCycles, $"The most cycles must be between minCycles and L/4 = {length / 4.0}.");
        if ((long)count * length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(count), count, "The signals do not fit in one array.");
        var data = new float[(long)count * length];
        var labels = new int[count];
        for (int n = 0; n < count; n++)
        {
            int label = n % 4;
            labels[n] = label;
            double f = minCycles + (maxCycles - minCycles) * rng.NextDouble(), phase = rng.NextDouble(), amplitude = 0.5 + 0.5 * rng.NextDouble();
            var x = data.AsSpan(n * length, length);
            rng.FillNormal(x, 0f, noise);
            for (int t = 0; t < length; t++) x[t] += (float)(amplitude * Wave(label, f * t / length + phase));
        }
        return new ClassificationDataset(Tensor.Wrap(data, [count, 1, length]), labels, ClassNames);
    }

    /// <summary>The waveform of class <paramref name="label"/> at phase p (in cycles).</summary>
    internal static double Wave(int label, double p)
    {
        double frac = p - Math.Floor(p);
        return label switch
        {
            0 => Math.Sin(2 * Math.PI * p),
            1 => Math.Sin(2 * Math.PI * p) >= 0 ? 1 : -1,
            2 => 2 * frac - 1,
            _ => 1 - 4 * Math.Abs(frac - 0.5),
        };
    }
}
