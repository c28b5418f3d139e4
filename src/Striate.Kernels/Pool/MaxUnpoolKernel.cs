// Max unpooling (PyTorch's max_unpool1d/2d/3d), the partial inverse of max pooling with indices,
// forward and backward side by side.
//   x, indices: (N, C, inputPlane)  y: (N, C, outputPlane)   (spatial axes flattened per plane)
//   Forward:  y = 0, then y[n, c, indices[n,c,i]] = x[n,c,i] for i in order (a repeated index keeps
//             the last value written, as PyTorch's CPU kernel does)
//   Backward: dx[n,c,i] += dy[n, c, indices[n,c,i]]   (a gather: every input reads its cell, repeated or not)
// Threading: the N·C planes are independent; each y and dx element belongs to one plane, and
// within a plane the writes run in input order, so the result does not depend on the thread count.
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pool;

/// <summary>Max unpooling: scatters pooled values back to the positions their indices name.</summary>
public static unsafe class MaxUnpoolKernel
{
    /// <summary>y = 0; y[n, c, indices[n,c,i]] = x[n,c,i]. <paramref name="y"/> is overwritten.</summary>
    /// <param name="planes">N·C.</param>
    /// <param name="inputPlane">Cells per input plane (pooled positions).</param>
    /// <param name="outputPlane">Cells per output plane (unpooled positions).</param>
    /// <param name="x">Input (N, C, inputPlane).</param>
    /// <param name="indices">Target positions (N, C, inputPlane), each in [0, outputPlane).</param>
    /// <param name="y">Output (N, C, outputPlane).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, a span is shorter than its tensor, or an index is outside its output plane.</exception>
    public static void Forward(int planes, int inputPlane, int outputPlane, ReadOnlySpan<float> x, ReadOnlySpan<int> indices, Span<float> y, int threads)
    {
        Check(planes, inputPlane, outputPlane, indices);
        PoolGeometry.CheckLength(x.Length, (long)planes * inputPlane, nameof(x));
        PoolGeometry.CheckLength(y.Length, (long)planes * outputPlane, nameof(y));
        fixed (float* px = x, py = y)
        fixed (int* pi = indices)
        {
            var body = new Body(inputPlane, outputPlane, px, pi, py, backward: false);
            ParallelFor.Run(planes, threads, body, MinPlanes(inputPlane + outputPlane));
        }
    }

    /// <summary>dx[n,c,i] += dy[n, c, indices[n,c,i]]; <paramref name="dx"/> is added to.</summary>
    /// <param name="planes">N·C.</param>
    /// <param name="inputPlane">Cells per input plane.</param>
    /// <param name="outputPlane">Cells per output plane.</param>
    /// <param name="dy">Output gradient (N, C, outputPlane).</param>
    /// <param name="indices">Target positions used by <see cref="Forward"/>.</param>
    /// <param name="dx">Input gradient (N, C, inputPlane), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, a span is shorter than its tensor, or an index is outside its output plane.</exception>
    public static void Backward(int planes, int inputPlane, int outputPlane, ReadOnlySpan<float> dy, ReadOnlySpan<int> indices, Span<float> dx, int threads)
    {
        Check(planes, inputPlane, outputPlane, indices);
        PoolGeometry.CheckLength(dy.Length, (long)planes * outputPlane, nameof(dy));
        PoolGeometry.CheckLength(dx.Length, (long)planes * inputPlane, nameof(dx));
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pi = indices)
        {
            var body = new Body(inputPlane, outputPlane, pdy, pi, pdx, backward: true);
            ParallelFor.Run(planes, threads, body, MinPlanes(inputPlane));
        }
    }

    private static void Check(int planes, int inputPlane, int outputPlane, ReadOnlySpan<int> indices)
    {
        if (planes < 0 || inputPlane < 0 || outputPlane < 1)
            throw new ArgumentException($"Max unpooling sizes must be non-negative with a non-empty output plane: planes={planes}, input plane {inputPlane}, output plane {outputPlane}.");
        PoolGeometry.CheckLength(indices.Length, (long)planes * inputPlane, nameof(indices));
        foreach (int i in indices[..(planes * inputPlane)])
            if ((uint)i >= (uint)outputPlane)
                throw new ArgumentException($"Max-unpooling index {i} is outside the output plane of {outputPlane} cells.", nameof(indices));
    }

    private static int MinPlanes(long visitsPerPlane) => (int)Math.Clamp(16_384 / Math.Max(1L, visitsPerPlane), 1, int.MaxValue);

    // Forward: a = x, b = y (scatter). Backward: a = dy, b = dx (gather-add).
    private readonly struct Body(int inputPlane, int outputPlane, float* a, int* indices, float* b, bool backward) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int nc = start; nc < end; nc++)
            {
                int* ip = indices + (long)nc * inputPlane;
                if (backward)
                {
                    float* dyp = a + (long)nc * outputPlane;
                    float* dxp = b + (long)nc * inputPlane;
                    for (int i = 0; i < inputPlane; i++) dxp[i] += dyp[ip[i]];
                    continue;
                }
                float* xp = a + (long)nc * inputPlane;
                var yp = new Span<float>(b + (long)nc * outputPlane, outputPlane);
                yp.Clear();
                for (int i = 0; i < inputPlane; i++) yp[ip[i]] = xp[i];
            }
        }
    }
}
