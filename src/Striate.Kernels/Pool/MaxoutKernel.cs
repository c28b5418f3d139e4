// Cross-channel max pooling (maxout): the maximum over groups of k consecutive feature maps, forward
// and backward side by side.
//   x: (N, C·k, L)  y, indices: (N, C, L)   (L: the spatial axes flattened; 1 after a linear layer)
//   Forward:  y[n,c,l] = max_{j < k} x[n, c·k + j, l];  indices[n,c,l] = the winning j
//   Backward: dx[n, c·k + indices[n,c,l], l] += dy[n,c,l]
// Ties and NaN follow max pooling: the first maximum (lowest j) wins, and a NaN wins (the last NaN).
// The loop runs j outermost with the output row as the running maximum, so the inner loop is a
// branch-light sweep over l; each element still sees its k candidates in increasing j.
// Threading: the N·C output planes are independent; each dx element receives at most one value.
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pool;

/// <summary>Maxout: max over groups of consecutive channels, recording the winner for the backward scatter.</summary>
public static unsafe class MaxoutKernel
{
    /// <summary>y[n,c,l] = max_j x[n, c·k + j, l]; indices gets the winning j. <paramref name="y"/> and <paramref name="indices"/> are overwritten.</summary>
    /// <param name="n">Batch size N.</param>
    /// <param name="channels">Output channels C.</param>
    /// <param name="poolSize">k, input channels per group.</param>
    /// <param name="plane">L, cells per feature map.</param>
    /// <param name="x">Input (N, C·k, L).</param>
    /// <param name="y">Output (N, C, L).</param>
    /// <param name="indices">Winning j (N, C, L), each in [0, k).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative or k is not positive, or a span is shorter than its tensor.</exception>
    public static void Forward(int n, int channels, int poolSize, int plane, ReadOnlySpan<float> x, Span<float> y, Span<int> indices, int threads)
    {
        Check(n, channels, poolSize, plane);
        long outputs = (long)n * channels * plane;
        PoolGeometry.CheckLength(x.Length, outputs * poolSize, nameof(x));
        PoolGeometry.CheckLength(y.Length, outputs, nameof(y));
        PoolGeometry.CheckLength(indices.Length, outputs, nameof(indices));
        fixed (float* px = x, py = y)
        fixed (int* pi = indices)
        {
            var body = new Body(poolSize, plane, px, py, pi, backward: false);
            ParallelFor.Run(n * channels, threads, body, MinPlanes((long)poolSize * plane));
        }
    }

    /// <summary>dx[n, c·k + indices[n,c,l], l] += dy[n,c,l]; <paramref name="dx"/> is added to.</summary>
    /// <param name="n">Batch size N.</param>
    /// <param name="channels">Output channels C.</param>
    /// <param name="poolSize">k, input channels per group.</param>
    /// <param name="plane">L, cells per feature map.</param>
    /// <param name="dy">Output gradient (N, C, L).</param>
    /// <param name="indices">Winning j from <see cref="Forward"/>.</param>
    /// <param name="dx">Input gradient (N, C·k, L), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative or k is not positive, a span is shorter than its tensor, or an index is outside [0, k).</exception>
    public static void Backward(int n, int channels, int poolSize, int plane, ReadOnlySpan<float> dy, ReadOnlySpan<int> indices, Span<float> dx, int threads)
    {
        Check(n, channels, poolSize, plane);
        long outputs = (long)n * channels * plane;
        PoolGeometry.CheckLength(dy.Length, outputs, nameof(dy));
        PoolGeometry.CheckLength(indices.Length, outputs, nameof(indices));
        PoolGeometry.CheckLength(dx.Length, outputs * poolSize, nameof(dx));
        foreach (int j in indices[..(int)outputs])
            if ((uint)j >= (uint)poolSize) throw new ArgumentException($"Maxout index {j} is outside the group of {poolSize} channels.", nameof(indices));
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pi = indices)
        {
            var body = new Body(poolSize, plane, pdy, pdx, pi, backward: true);
            ParallelFor.Run(n * channels, threads, body, MinPlanes(plane));
        }
    }

    private static void Check(int n, int channels, int poolSize, int plane)
    {
        if (n < 0 || channels < 0 || plane < 0 || poolSize < 1)
            throw new ArgumentException($"Maxout sizes must be non-negative with a positive group size: N={n}, C={channels}, k={poolSize}, L={plane}.");
        if ((long)n * channels * poolSize * plane > int.MaxValue)
            throw new ArgumentException($"Maxout input of {(long)n * channels * poolSize * plane} elements exceeds 2^31.");
    }

    private static int MinPlanes(long visitsPerPlane) => (int)Math.Clamp(16_384 / Math.Max(1L, visitsPerPlane), 1, int.MaxValue);

    // Forward: a = x, b = y. Backward: a = dy, b = dx.
    private readonly struct Body(int k, int plane, float* a, float* b, int* indices, bool backward) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int nc = start; nc < end; nc++)
            {
                int* ip = indices + (long)nc * plane;
                if (backward)
                {
                    float* dyp = a + (long)nc * plane;
                    float* dxg = b + (long)nc * k * plane; // the group's first input channel
                    for (int l = 0; l < plane; l++) dxg[(long)ip[l] * plane + l] += dyp[l];
                    continue;
                }
                float* xg = a + (long)nc * k * plane;
                float* yp = b + (long)nc * plane;
                for (int l = 0; l < plane; l++)
                {
                    yp[l] = xg[l];
                    ip[l] = 0;
                }
                for (int j = 1; j < k; j++)
                {
                    float* xj = xg + (long)j * plane;
                    for (int l = 0; l < plane; l++)
                    {
                        float value = xj[l];
                        if (value > yp[l] || float.IsNaN(value))
                        {
                            yp[l] = value;
                            ip[l] = j;
                        }
                    }
                }
            }
        }
    }
}
