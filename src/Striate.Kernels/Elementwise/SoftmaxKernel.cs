// Softmax along one dimension, forward and backward side by side.
//   x, y, dy, dx: (outer, n, inner), softmax over the middle dimension of size n
//   Forward:  y[o,j,i] = exp(x[o,j,i] − m) / Σ_k exp(x[o,k,i] − m),   m = max_k x[o,k,i]
//   Backward: dx[o,j,i] += y[o,j,i] · (dy[o,j,i] − Σ_k dy[o,k,i] · y[o,k,i])
// Subtracting the maximum keeps every exponent ≤ 0, so logits of ±1000 neither overflow to ∞ nor
// lose the largest term (TensorPrimitives.SoftMax does not do this); the sums run in double.
// A row of all −∞ (or one holding +∞ or NaN) gives NaN, as in PyTorch.
// Layout: the n entries of one softmax are `inner` apart; lanes i of a block are contiguous, so
// each work item takes one o and a block of up to 64 adjacent lanes and sweeps j in order.
// Threading: each (o, lane) softmax is computed by exactly one work item in a fixed order.
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Elementwise;

/// <summary>Numerically stable softmax over the middle dimension of an (outer, n, inner) layout.</summary>
public static unsafe class SoftmaxKernel
{
    private const int LaneBlock = 64;

    /// <summary>y[o,j,i] = exp(x[o,j,i] − max_k x[o,k,i]) / Σ_k exp(x[o,k,i] − max_k x[o,k,i]). <paramref name="y"/> is overwritten.</summary>
    /// <param name="x">Input (outer, n, inner).</param>
    /// <param name="outer">Product of the dimensions before the softmax dimension.</param>
    /// <param name="n">Size of the softmax dimension.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    /// <param name="y">Output (outer, n, inner); may not overlap <paramref name="x"/> unless it is the same span.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, or a span is shorter than outer·n·inner.</exception>
    public static void Forward(ReadOnlySpan<float> x, int outer, int n, int inner, Span<float> y, int threads)
    {
        long length = Check(outer, n, inner);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        if (length == 0) return;
        int blocks = (inner + LaneBlock - 1) / LaneBlock;
        fixed (float* px = x, py = y)
        {
            ParallelFor.Run(outer * blocks, threads, new ForwardBody(px, py, n, inner, blocks), MinItems(n));
        }
    }

    /// <summary>dx[o,j,i] += y[o,j,i] · (dy[o,j,i] − Σ_k dy[o,k,i]·y[o,k,i]).</summary>
    /// <param name="y">Forward output (outer, n, inner).</param>
    /// <param name="dy">Output gradient (outer, n, inner).</param>
    /// <param name="outer">Product of the dimensions before the softmax dimension.</param>
    /// <param name="n">Size of the softmax dimension.</param>
    /// <param name="inner">Product of the dimensions after it.</param>
    /// <param name="dx">Input gradient (outer, n, inner), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, or a span is shorter than outer·n·inner.</exception>
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, int outer, int n, int inner, Span<float> dx, int threads)
    {
        long length = Check(outer, n, inner);
        CheckLength(y.Length, length, nameof(y));
        CheckLength(dy.Length, length, nameof(dy));
        CheckLength(dx.Length, length, nameof(dx));
        if (length == 0) return;
        int blocks = (inner + LaneBlock - 1) / LaneBlock;
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            ParallelFor.Run(outer * blocks, threads, new BackwardBody(py, pdy, pdx, n, inner, blocks), MinItems(n));
        }
    }

    private static long Check(int outer, int n, int inner)
    {
        if (outer < 0 || n < 0 || inner < 0) throw new ArgumentException($"Softmax sizes must be non-negative: outer={outer}, n={n}, inner={inner}.");
        long length = (long)outer * n * inner;
        if (length > Array.MaxLength) throw new ArgumentException($"Softmax of {outer}×{n}×{inner} elements is larger than an array can hold.");
        return length;
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    // A work item touches up to 64·n elements; ~16k element visits make a thread worthwhile.
    private static int MinItems(int n) => Math.Max(1, 16_384 / Math.Max(1, n * LaneBlock));

    private readonly struct ForwardBody(float* x, float* y, int n, int inner, int blocks) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            Span<float> max = stackalloc float[LaneBlock];
            Span<double> sum = stackalloc double[LaneBlock];
            for (int item = start; item < end; item++)
            {
                int o = item / blocks, i0 = item % blocks * LaneBlock;
                int width = Math.Min(LaneBlock, inner - i0);
                long baseOffset = (long)o * n * inner + i0;
                max[..width].Fill(float.NegativeInfinity);
                sum[..width].Clear();
                for (int j = 0; j < n; j++)
                {
                    float* row = x + baseOffset + (long)j * inner;
                    for (int l = 0; l < width; l++) max[l] = MathF.Max(max[l], row[l]);
                }
                for (int j = 0; j < n; j++)
                {
                    float* row = x + baseOffset + (long)j * inner;
                    float* outRow = y + baseOffset + (long)j * inner;
                    for (int l = 0; l < width; l++)
                    {
                        float e = MathF.Exp(row[l] - max[l]);
                        outRow[l] = e;
                        sum[l] += e;
                    }
                }
                for (int l = 0; l < width; l++) sum[l] = 1.0 / sum[l];
                for (int j = 0; j < n; j++)
                {
                    float* outRow = y + baseOffset + (long)j * inner;
                    for (int l = 0; l < width; l++) outRow[l] = (float)(outRow[l] * sum[l]);
                }
            }
        }
    }

    private readonly struct BackwardBody(float* y, float* dy, float* dx, int n, int inner, int blocks) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            Span<double> dot = stackalloc double[LaneBlock];
            for (int item = start; item < end; item++)
            {
                int o = item / blocks, i0 = item % blocks * LaneBlock;
                int width = Math.Min(LaneBlock, inner - i0);
                long baseOffset = (long)o * n * inner + i0;
                dot[..width].Clear();
                for (int j = 0; j < n; j++)
                {
                    long row = baseOffset + (long)j * inner;
                    for (int l = 0; l < width; l++) dot[l] += (double)dy[row + l] * y[row + l];
                }
                for (int j = 0; j < n; j++)
                {
                    long row = baseOffset + (long)j * inner;
                    for (int l = 0; l < width; l++) dx[row + l] += (float)(y[row + l] * (dy[row + l] - dot[l]));
                }
            }
        }
    }
}
