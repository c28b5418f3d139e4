// Batch normalization over the batch and positions of each channel, forward and backward side by side.
//   x, y, dy, dx: (N, C, inner), inner = 1 for (N, C), L, H·W or D·H·W;  γ, β, μ, σ²: (C);  m = N·inner
//   Training forward (batch statistics):
//     μ_c = (1/m) Σ_{n,i} x[n,c,i]      σ²_c = (1/m) Σ_{n,i} (x[n,c,i] − μ_c)²  (biased, as PyTorch normalizes)
//     x̂ = (x − μ_c) / √(σ²_c + ε)       y = γ_c·x̂ + β_c
//   Inference forward (given statistics μ_c, σ²_c, e.g. running averages): the same y with those.
//   Training backward (through μ and σ², which depend on every x of the channel):
//     dβ_c += Σ dy     dγ_c += Σ dy·x̂
//     dx += (γ_c / √(σ²_c + ε)) · (dy − (1/m) Σ dy − x̂ · (1/m) Σ dy·x̂)
//   Inference backward (statistics are constants): dx += dy · γ_c / √(σ²_c + ε), dγ and dβ as above.
// Sums run in double: the variance uses two passes (mean first, then squared deviations) rather than
// E[x²] − E[x]², which cancels catastrophically when |μ| ≫ σ. Each row of `inner` contiguous values
// is summed with Vector<double> lanes widened from Vector<float> loads, a fixed grouping that depends
// only on the row length, so results never depend on the thread count or the array's alignment.
// Threading: one work item per channel; it reads and writes only that channel's elements.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Normalization;

/// <summary>Batch normalization kernels: statistics per channel over (N, inner), affine transform, and the gradients.</summary>
public static unsafe class BatchNormKernel
{
    /// <summary>
    /// Training forward: computes each channel's batch mean and biased variance, then
    /// y = γ·(x − μ)/√(σ² + ε) + β. <paramref name="y"/>, <paramref name="mean"/>, <paramref name="variance"/> and
    /// <paramref name="invStd"/> are overwritten.
    /// </summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Positions per channel and batch item.</param>
    /// <param name="weight">γ (C), or empty for 1.</param>
    /// <param name="bias">β (C), or empty for 0.</param>
    /// <param name="eps">ε &gt; 0 added to the variance.</param>
    /// <param name="y">Output (N, C, inner).</param>
    /// <param name="mean">Batch mean μ (C).</param>
    /// <param name="variance">Biased batch variance σ² (C).</param>
    /// <param name="invStd">1/√(σ² + ε) (C), for the backward.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, N·inner &lt; 1, ε is not positive, or a span is too short.</exception>
    public static void ForwardTraining(ReadOnlySpan<float> x, int n, int c, int inner, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps,
        Span<float> y, Span<float> mean, Span<float> variance, Span<float> invStd, int threads)
    {
        long length = Check(n, c, inner, eps);
        if ((long)n * inner < 1) throw new ArgumentException($"Batch statistics need at least one value per channel, got N={n}, inner={inner}.");
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        CheckAffine(weight, bias, c);
        CheckLength(mean.Length, c, nameof(mean));
        CheckLength(variance.Length, c, nameof(variance));
        CheckLength(invStd.Length, c, nameof(invStd));
        fixed (float* px = x, pw = weight, pb = bias, py = y, pm = mean, pv = variance, ps = invStd)
        {
            var body = new ForwardBody(px, pw, pb, py, pm, pv, ps, n, c, inner, eps, Training: true);
            ParallelFor.Run(c, threads, body, MinChannels(n, inner));
        }
    }

    /// <summary>
    /// Inference forward with given statistics: y = γ·(x − μ)/√(σ² + ε) + β, and <paramref name="invStd"/> = 1/√(σ² + ε).
    /// </summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Positions per channel and batch item.</param>
    /// <param name="mean">μ (C), e.g. the running mean.</param>
    /// <param name="variance">σ² (C), e.g. the running variance.</param>
    /// <param name="weight">γ (C), or empty for 1.</param>
    /// <param name="bias">β (C), or empty for 0.</param>
    /// <param name="eps">ε &gt; 0.</param>
    /// <param name="y">Output (N, C, inner), overwritten.</param>
    /// <param name="invStd">1/√(σ² + ε) (C), overwritten, for the backward.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, ε is not positive, or a span is too short.</exception>
    /// <param name="relu">Apply max(y, 0) to each row right after it is normalised, while it is still in cache: the same
    /// values as a separate ReLU (TensorPrimitives.Max, so NaN stays NaN), one pass over memory instead of two.</param>
    public static void ForwardInference(ReadOnlySpan<float> x, int n, int c, int inner, ReadOnlySpan<float> mean, ReadOnlySpan<float> variance,
        ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, float eps, Span<float> y, Span<float> invStd, int threads, bool relu = false)
    {
        long length = Check(n, c, inner, eps);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        CheckLength(mean.Length, c, nameof(mean));
        CheckLength(variance.Length, c, nameof(variance));
        CheckAffine(weight, bias, c);
        CheckLength(invStd.Length, c, nameof(invStd));
        for (int ch = 0; ch < c; ch++) invStd[ch] = (float)(1.0 / Math.Sqrt((double)variance[ch] + eps));
        fixed (float* px = x, pw = weight, pb = bias, py = y, pm = mean, ps = invStd)
        {
            var body = new ForwardBody(px, pw, pb, py, pm, null, ps, n, c, inner, eps, Training: false, Relu: relu);
            ParallelFor.Run(c, threads, body, MinChannels(n, inner));
        }
    }

    /// <summary>
    /// Backward: dβ += Σ dy, dγ += Σ dy·x̂, and dx += (γ·invStd)·(dy − Σdy/m − x̂·Σ(dy·x̂)/m) when
    /// <paramref name="training"/> (the statistics were the batch's), or dx += γ·invStd·dy when they were given.
    /// </summary>
    /// <param name="x">Forward input (N, C, inner).</param>
    /// <param name="dy">Output gradient (N, C, inner).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Positions per channel and batch item.</param>
    /// <param name="mean">μ used by the forward (C).</param>
    /// <param name="invStd">1/√(σ² + ε) used by the forward (C).</param>
    /// <param name="weight">γ (C), or empty for 1.</param>
    /// <param name="training">Whether μ and σ² were the batch statistics (so the gradient flows through them).</param>
    /// <param name="dx">Input gradient (N, C, inner), added to; empty to skip.</param>
    /// <param name="dWeight">dγ (C), added to; empty to skip.</param>
    /// <param name="dBias">dβ (C), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, or a non-empty span is too short.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, int c, int inner, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd,
        ReadOnlySpan<float> weight, bool training, Span<float> dx, Span<float> dWeight, Span<float> dBias, int threads)
    {
        long length = Check(n, c, inner, 1f);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(dy.Length, length, nameof(dy));
        CheckLength(mean.Length, c, nameof(mean));
        CheckLength(invStd.Length, c, nameof(invStd));
        if (!weight.IsEmpty) CheckLength(weight.Length, c, nameof(weight));
        if (!dx.IsEmpty) CheckLength(dx.Length, length, nameof(dx));
        if (!dWeight.IsEmpty) CheckLength(dWeight.Length, c, nameof(dWeight));
        if (!dBias.IsEmpty) CheckLength(dBias.Length, c, nameof(dBias));
        fixed (float* px = x, pdy = dy, pm = mean, ps = invStd, pw = weight, pdx = dx, pdw = dWeight, pdb = dBias)
        {
            var body = new BackwardBody(px, pdy, pm, ps, pw, pdx, pdw, pdb, n, c, inner, training);
            ParallelFor.Run(c, threads, body, MinChannels(n, inner));
        }
    }

    private static long Check(int n, int c, int inner, float eps)
    {
        if (n < 0 || c < 0 || inner < 0) throw new ArgumentException($"BatchNorm sizes must be non-negative: N={n}, C={c}, inner={inner}.");
        if (!(eps > 0f) || !float.IsFinite(eps)) throw new ArgumentException($"BatchNorm eps must be positive and finite, got {eps}.", nameof(eps));
        long length = (long)n * c * inner;
        if (length > Array.MaxLength) throw new ArgumentException($"BatchNorm of {n}×{c}×{inner} elements is larger than an array can hold.");
        return length;
    }

    private static void CheckAffine(ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int c)
    {
        if (!weight.IsEmpty) CheckLength(weight.Length, c, nameof(weight));
        if (!bias.IsEmpty) CheckLength(bias.Length, c, nameof(bias));
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    // A channel costs about 3·N·inner element visits; ~16k visits make a thread worthwhile.
    private static int MinChannels(int n, int inner) => (int)Math.Clamp(16_384 / Math.Max(1L, 3L * n * inner), 1, int.MaxValue);

    /// <summary>Σ p[i] over a row, in double, with a fixed lane grouping.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Sum(float* p, int length)
    {
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(Unsafe.ReadUnaligned<Vector<float>>(p + i), out var lo, out var hi);
            acc0 += lo;
            acc1 += hi;
        }
        double sum = Vector.Sum(acc0 + acc1);
        for (; i < length; i++) sum += p[i];
        return sum;
    }

    /// <summary>Σ (p[i] − mean)² over a row, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double SumSquaredDeviations(float* p, int length, double mean)
    {
        var m = new Vector<double>(mean);
        var acc0 = Vector<double>.Zero;
        var acc1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(Unsafe.ReadUnaligned<Vector<float>>(p + i), out var lo, out var hi);
            lo -= m;
            hi -= m;
            acc0 += lo * lo;
            acc1 += hi * hi;
        }
        double sum = Vector.Sum(acc0 + acc1);
        for (; i < length; i++)
        {
            double d = p[i] - mean;
            sum += d * d;
        }
        return sum;
    }

    /// <summary>(Σ dy[i], Σ dy[i]·(x[i] − mean)) over a row, in double.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double SumDy, double SumDyCentered) GradientSums(float* x, float* dy, int length, double mean)
    {
        var m = new Vector<double>(mean);
        var s0 = Vector<double>.Zero;
        var s1 = Vector<double>.Zero;
        var t0 = Vector<double>.Zero;
        var t1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= length - Vector<float>.Count; i += Vector<float>.Count)
        {
            Vector.Widen(Unsafe.ReadUnaligned<Vector<float>>(x + i), out var xlo, out var xhi);
            Vector.Widen(Unsafe.ReadUnaligned<Vector<float>>(dy + i), out var glo, out var ghi);
            s0 += glo;
            s1 += ghi;
            t0 += glo * (xlo - m);
            t1 += ghi * (xhi - m);
        }
        double sumDy = Vector.Sum(s0 + s1), sumDyCentered = Vector.Sum(t0 + t1);
        for (; i < length; i++)
        {
            sumDy += dy[i];
            sumDyCentered += dy[i] * (x[i] - mean);
        }
        return (sumDy, sumDyCentered);
    }

    private readonly struct ForwardBody(float* x, float* weight, float* bias, float* y, float* mean, float* variance, float* invStd,
        int n, int c, int inner, float eps, bool Training, bool Relu = false) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            double m = (double)n * inner;
            for (int ch = start; ch < end; ch++)
            {
                double mu;
                if (Training)
                {
                    double sum = 0;
                    for (int b = 0; b < n; b++) sum += Sum(x + ((long)b * c + ch) * inner, inner);
                    mu = sum / m;
                    double squares = 0;
                    for (int b = 0; b < n; b++) squares += SumSquaredDeviations(x + ((long)b * c + ch) * inner, inner, mu);
                    double var = squares / m;
                    mean[ch] = (float)mu;
                    variance[ch] = (float)var;
                    invStd[ch] = (float)(1.0 / Math.Sqrt(var + eps));
                }
                else
                {
                    mu = mean[ch];
                }
                // y = ((x − μ_hi) − μ_lo)·a + β with a = γ/√(σ² + ε). Centring first keeps x ≈ μ from cancelling
                // against a large shift, and μ split into two floats (μ_hi + μ_lo ≈ the double μ) keeps
                // x − μ accurate to an ulp of the deviation even when |μ| ≫ σ (x − μ_hi is then exact).
                double scale = (weight == null ? 1.0 : weight[ch]) * (double)invStd[ch];
                float aScalar = (float)scale, shiftScalar = bias == null ? 0f : bias[ch];
                float hi = (float)mu, lo = (float)(mu - hi);
                var a = new Vector<float>(aScalar);
                var shift = new Vector<float>(shiftScalar);
                var vhi = new Vector<float>(hi);
                var vlo = new Vector<float>(lo);
                for (int b = 0; b < n; b++)
                {
                    long row = ((long)b * c + ch) * inner;
                    float* xr = x + row;
                    float* yr = y + row;
                    int i = 0;
                    for (; i <= inner - Vector<float>.Count; i += Vector<float>.Count)
                        Unsafe.WriteUnaligned(yr + i, (Unsafe.ReadUnaligned<Vector<float>>(xr + i) - vhi - vlo) * a + shift);
                    for (; i < inner; i++) yr[i] = (xr[i] - hi - lo) * aScalar + shiftScalar;
                    if (Relu) TensorPrimitives.Max(new ReadOnlySpan<float>(yr, inner), 0f, new Span<float>(yr, inner));
                }
            }
        }
    }

    private readonly struct BackwardBody(float* x, float* dy, float* mean, float* invStd, float* weight, float* dx, float* dWeight, float* dBias,
        int n, int c, int inner, bool training) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            double m = (double)n * inner;
            for (int ch = start; ch < end; ch++)
            {
                double mu = mean[ch], s = invStd[ch], gamma = weight == null ? 1.0 : weight[ch];
                double sumDy = 0, sumDyCentered = 0;
                for (int b = 0; b < n; b++)
                {
                    long row = ((long)b * c + ch) * inner;
                    var (g, gc) = GradientSums(x + row, dy + row, inner, mu);
                    sumDy += g;
                    sumDyCentered += gc;
                }
                if (dBias != null) dBias[ch] += (float)sumDy;
                if (dWeight != null) dWeight[ch] += (float)(sumDyCentered * s); // Σ dy·x̂
                if (dx == null) continue;
                // dx = k1·dy + k2·(x − μ) + k3; with batch statistics
                //   k1 = γs,  k2 = −γs³·Σdy(x − μ)/m,  k3 = −γs·Σdy/m;  with given statistics k2 = k3 = 0.
                double k1 = gamma * s;
                double k2 = training && m > 0 ? -gamma * s * s * s * sumDyCentered / m : 0;
                double k3 = training && m > 0 ? -gamma * s * sumDy / m : 0;
                float f1 = (float)k1, f2 = (float)k2, f3 = (float)k3, hi = (float)mu, lo = (float)(mu - hi); // μ split as in the forward
                var v1 = new Vector<float>(f1);
                var v2 = new Vector<float>(f2);
                var v3 = new Vector<float>(f3);
                var vhi = new Vector<float>(hi);
                var vlo = new Vector<float>(lo);
                for (int b = 0; b < n; b++)
                {
                    long row = ((long)b * c + ch) * inner;
                    float* xr = x + row;
                    float* gr = dy + row;
                    float* dr = dx + row;
                    int i = 0;
                    for (; i <= inner - Vector<float>.Count; i += Vector<float>.Count)
                    {
                        // The whole contribution first, then one addition: two identical backwards add exactly twice.
                        var d = v1 * Unsafe.ReadUnaligned<Vector<float>>(gr + i)
                            + v2 * (Unsafe.ReadUnaligned<Vector<float>>(xr + i) - vhi - vlo)
                            + v3;
                        Unsafe.WriteUnaligned(dr + i, Unsafe.ReadUnaligned<Vector<float>>(dr + i) + d);
                    }
                    for (; i < inner; i++) dr[i] += f1 * gr[i] + f2 * (xr[i] - hi - lo) + f3;
                }
            }
        }
    }
}
