// Local response normalization across channels ("lateral inhibition": an excited unit damps its
// neighbours in the adjacent feature maps), forward and backward side by side.
//   x, y, scale, dy, dx: (N, C, inner), inner = H·W (or L, or D·H·W)
//   Forward:  s[n,c,i] = k + α′ · Σ_{c′ = c − before}^{c + after} x[n,c′,i]²    (channels outside [0, C) count as 0)
//             y[n,c,i] = x[n,c,i] · s[n,c,i]^(−β)
//   Backward: dx[n,j,i] += dy_j · s_j^(−β) − 2α′β · x_j · Σ_{c = j − after}^{j + before} dy_c · x_c · s_c^(−β−1)
//             (c runs over the windows that contain j; the sum is the chain rule through every s_c)
// The two conventions differ only in the window and in α′ (LrnWindow below builds both):
//   PyTorch   local_response_norm(size n, alpha, beta, k):     before = ⌊n/2⌋, after = ⌊(n−1)/2⌋, α′ = alpha / n
//   TensorFlow local_response_normalization(depth_radius r, bias, alpha, beta): before = after = r, α′ = alpha, k = bias
// So PyTorch's LocalResponseNorm(5, 1e-4, 0.75, 2) and TensorFlow's (r = 2, bias = 2, alpha = 2e-5, beta = 0.75) agree.
// Sums run directly over the window (no running sum, which would subtract and drift), in float:
// the window is a handful of non-negative terms.
// Threading: a work item is one batch item n and a block of up to 64 adjacent positions i; it
// computes every channel of those positions, so each output belongs to one item, computed in a fixed order.
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Normalization;

/// <summary>
/// The channel window and constants of a local response normalization:
/// s = K + Alpha · Σ x² over channels c − Before … c + After, and y = x · s^(−Beta).
/// </summary>
/// <param name="Before">Channels below c in the window.</param>
/// <param name="After">Channels above c in the window.</param>
/// <param name="Alpha">α′, the weight of each squared term (PyTorch's alpha / size; TensorFlow's alpha).</param>
/// <param name="K">k, the additive constant (TensorFlow's bias).</param>
/// <param name="Beta">β, the exponent.</param>
public readonly record struct LrnWindow(int Before, int After, float Alpha, float K, float Beta)
{
    /// <summary>PyTorch's <c>local_response_norm(size, alpha, beta, k)</c>: before = ⌊size/2⌋, after = ⌊(size−1)/2⌋, α′ = alpha/size.</summary>
    /// <param name="size">Channels in the window, n ≥ 1.</param>
    /// <param name="alpha">α, divided by n.</param>
    /// <param name="beta">β.</param>
    /// <param name="k">k.</param>
    public static LrnWindow PyTorch(int size, float alpha, float beta, float k) =>
        new(size / 2, (size - 1) / 2, (float)((double)alpha / size), k, beta);

    /// <summary>TensorFlow's <c>local_response_normalization(depth_radius, bias, alpha, beta)</c>: channels c − r … c + r, α′ = alpha, k = bias.</summary>
    /// <param name="depthRadius">r ≥ 0.</param>
    /// <param name="bias">k.</param>
    /// <param name="alpha">α′.</param>
    /// <param name="beta">β.</param>
    public static LrnWindow TensorFlow(int depthRadius, float bias, float alpha, float beta) =>
        new(depthRadius, depthRadius, alpha, bias, beta);

    /// <summary>Throws unless the window is non-negative and s stays positive and finite (K &gt; 0, Alpha ≥ 0).</summary>
    /// <exception cref="ArgumentException">A window side is negative, K is not positive, Alpha is negative, or a constant is not finite.</exception>
    public void Validate()
    {
        if (Before < 0 || After < 0) throw new ArgumentException($"LRN window sides must be non-negative, got before {Before}, after {After}.");
        if (!(K > 0f) || !float.IsFinite(K)) throw new ArgumentException($"LRN k (bias) must be positive and finite so the divisor never vanishes, got {K}.");
        if (!(Alpha >= 0f) || !float.IsFinite(Alpha)) throw new ArgumentException($"LRN alpha must be non-negative and finite, got {Alpha}.");
        if (!float.IsFinite(Beta)) throw new ArgumentException($"LRN beta must be finite, got {Beta}.");
    }
}

/// <summary>Local response normalization across channels; the forward saves the divisor base s for the backward.</summary>
public static unsafe class LocalResponseNormKernel
{
    private const int LaneBlock = 64;

    /// <summary>
    /// s[n,c,i] = k + α′·Σ_{window} x[n,c′,i]² and y = x·s^(−β). <paramref name="y"/> and <paramref name="scale"/> are overwritten.
    /// </summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Positions per channel (H·W, L or D·H·W).</param>
    /// <param name="window">Window and constants.</param>
    /// <param name="y">Output (N, C, inner).</param>
    /// <param name="scale">The divisor base s (N, C, inner), kept for <see cref="Backward"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, the window is invalid, or a span is shorter than N·C·inner.</exception>
    public static void Forward(ReadOnlySpan<float> x, int n, int c, int inner, LrnWindow window, Span<float> y, Span<float> scale, int threads)
    {
        long length = Check(n, c, inner, window);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        CheckLength(scale.Length, length, nameof(scale));
        if (length == 0) return;
        int blocks = (inner + LaneBlock - 1) / LaneBlock;
        fixed (float* px = x, py = y, ps = scale)
        {
            ParallelFor.Run(n * blocks, threads, new ForwardBody(px, py, ps, c, inner, blocks, window), MinItems(c, window));
        }
    }

    /// <summary>
    /// dx[n,j,i] += dy_j·s_j^(−β) − 2α′β·x_j·Σ_{c: j in window(c)} dy_c·x_c·s_c^(−β−1).
    /// </summary>
    /// <param name="x">Forward input (N, C, inner).</param>
    /// <param name="scale">s saved by <see cref="Forward"/>.</param>
    /// <param name="dy">Output gradient (N, C, inner).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Positions per channel.</param>
    /// <param name="window">Window and constants of the forward.</param>
    /// <param name="dx">Input gradient (N, C, inner), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, the window is invalid, or a span is shorter than N·C·inner.</exception>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> dy, int n, int c, int inner, LrnWindow window,
        Span<float> dx, int threads)
    {
        long length = Check(n, c, inner, window);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(scale.Length, length, nameof(scale));
        CheckLength(dy.Length, length, nameof(dy));
        CheckLength(dx.Length, length, nameof(dx));
        if (length == 0) return;
        int blocks = (inner + LaneBlock - 1) / LaneBlock;
        fixed (float* px = x, ps = scale, pdy = dy, pdx = dx)
        {
            ParallelFor.Run(n * blocks, threads, new BackwardBody(px, ps, pdy, pdx, c, inner, blocks, window), MinItems(c, window));
        }
    }

    private static long Check(int n, int c, int inner, LrnWindow window)
    {
        if (n < 0 || c < 0 || inner < 0) throw new ArgumentException($"LRN sizes must be non-negative: N={n}, C={c}, inner={inner}.");
        window.Validate();
        long length = (long)n * c * inner;
        if (length > Array.MaxLength) throw new ArgumentException($"LRN of {n}×{c}×{inner} elements is larger than an array can hold.");
        return length;
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    // An item visits about 64·C·(window + 1) elements; ~16k visits make a thread worthwhile.
    private static int MinItems(int c, LrnWindow w) =>
        Math.Max(1, 16_384 / Math.Max(1, LaneBlock * c * (w.Before + w.After + 2)));

    /// <summary>
    /// destination[l] = s[l]^(−β) for l &lt; width, as exp(−β·log s) in double vectors: accurate to the float
    /// rounding, and about four times faster than MathF.Pow. The last partial vector goes through a
    /// padded vector, so every lane takes the same path.
    /// </summary>
    private static void PowNegative(float* s, float* destination, int width, float beta)
    {
        int count = Vector<float>.Count;
        var exponent = new Vector<double>(-(double)beta);
        int l = 0;
        for (; l <= width - count; l += count)
            Unsafe.WriteUnaligned(destination + l, Pow(Unsafe.ReadUnaligned<Vector<float>>(s + l), exponent));
        if (l == width) return;
        Span<float> pad = stackalloc float[count];
        pad.Fill(1f);
        new ReadOnlySpan<float>(s + l, width - l).CopyTo(pad);
        var result = Pow(new Vector<float>(pad), exponent);
        for (int k = 0; k < width - l; k++) destination[l + k] = result[k];

        static Vector<float> Pow(Vector<float> v, Vector<double> e)
        {
            Vector.Widen(v, out var lo, out var hi);
            return Vector.Narrow(Vector.Exp(Vector.Log(lo) * e), Vector.Exp(Vector.Log(hi) * e));
        }
    }

    private readonly struct ForwardBody(float* x, float* y, float* scale, int c, int inner, int blocks, LrnWindow w) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            float* power = stackalloc float[LaneBlock];
            for (int item = start; item < end; item++)
            {
                int b = item / blocks, i0 = item % blocks * LaneBlock;
                int width = Math.Min(LaneBlock, inner - i0);
                long plane = (long)b * c * inner + i0;
                for (int ch = 0; ch < c; ch++)
                {
                    float* s = scale + plane + (long)ch * inner;
                    new Span<float>(s, width).Clear();
                    int lo = Math.Max(0, ch - w.Before), hi = Math.Min(c - 1, ch + w.After);
                    for (int cc = lo; cc <= hi; cc++)
                    {
                        float* xr = x + plane + (long)cc * inner;
                        for (int l = 0; l < width; l++) s[l] += xr[l] * xr[l];
                    }
                    float* xc = x + plane + (long)ch * inner;
                    float* yc = y + plane + (long)ch * inner;
                    for (int l = 0; l < width; l++) s[l] = w.K + w.Alpha * s[l];
                    PowNegative(s, power, width, w.Beta);
                    for (int l = 0; l < width; l++) yc[l] = xc[l] * power[l];
                }
            }
        }
    }

    private readonly struct BackwardBody(float* x, float* scale, float* dy, float* dx, int c, int inner, int blocks, LrnWindow w) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            // t[c][l] = dy_c·x_c·s_c^(−β−1) and p[c][l] = s_c^(−β) for the block, then each dx_j sums t over the windows holding j.
            float[] buffer = ArrayPool<float>.Shared.Rent(2 * c * LaneBlock);
            try
            {
                var t = buffer.AsSpan(0, c * LaneBlock);
                var p = buffer.AsSpan(c * LaneBlock, c * LaneBlock);
                float twoAlphaBeta = 2f * w.Alpha * w.Beta;
                for (int item = start; item < end; item++)
                {
                    int b = item / blocks, i0 = item % blocks * LaneBlock;
                    int width = Math.Min(LaneBlock, inner - i0);
                    long plane = (long)b * c * inner + i0;
                    fixed (float* pp = p)
                    {
                        for (int ch = 0; ch < c; ch++)
                        {
                            long row = plane + (long)ch * inner;
                            PowNegative(scale + row, pp + ch * LaneBlock, width, w.Beta);
                            for (int l = 0; l < width; l++)
                                t[ch * LaneBlock + l] = dy[row + l] * x[row + l] * p[ch * LaneBlock + l] / scale[row + l];
                        }
                    }
                    for (int j = 0; j < c; j++)
                    {
                        long row = plane + (long)j * inner;
                        int lo = Math.Max(0, j - w.After), hi = Math.Min(c - 1, j + w.Before);
                        for (int l = 0; l < width; l++)
                        {
                            float sum = 0f;
                            for (int cc = lo; cc <= hi; cc++) sum += t[cc * LaneBlock + l];
                            dx[row + l] += dy[row + l] * p[j * LaneBlock + l] - twoAlphaBeta * x[row + l] * sum;
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }
    }
}
