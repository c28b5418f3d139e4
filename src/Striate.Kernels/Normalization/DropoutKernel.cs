// Dropout's masking, forward and backward side by side (the random mask itself is drawn by the
// caller from a seeded generator, so the kernel is deterministic).
//   x, y, dy, dx: (G, S) — G groups of S contiguous elements sharing one mask value
//     element-wise dropout:      G = every element, S = 1
//     channel-wise (1d/2d/3d):   G = N·C channels, S = L, H·W or D·H·W
//   mask[g] ∈ {0, 1/(1 − p)}  (inverted dropout: the kept units are scaled at training time, so
//                              evaluation is the identity and E[y] = x)
//   Forward:  y[g,s] = x[g,s] · mask[g]          Backward: dx[g,s] += dy[g,s] · mask[g]
// Threading: each element is written by the one work item holding its group.
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Normalization;

/// <summary>Applies a dropout mask (one scale per group of contiguous elements) and its gradient.</summary>
public static unsafe class DropoutKernel
{
    /// <summary>y[g,s] = x[g,s]·mask[g]; <paramref name="y"/> is overwritten and may be <paramref name="x"/>.</summary>
    /// <param name="x">Input (G, S).</param>
    /// <param name="mask">One factor per group (G): 0 for a dropped group, 1/(1 − p) for a kept one.</param>
    /// <param name="groupSize">S, elements per group (1 for element-wise dropout).</param>
    /// <param name="y">Output (G, S).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="groupSize"/> is negative, or a span is shorter than G·S.</exception>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> mask, int groupSize, Span<float> y, int threads)
    {
        long length = Check(mask.Length, groupSize);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        fixed (float* px = x, pm = mask, py = y)
        {
            ParallelFor.Run(mask.Length, threads, new Body(px, pm, py, groupSize, Accumulate: false), MinGroups(groupSize));
        }
    }

    /// <summary>dx[g,s] += dy[g,s]·mask[g]: the gradient flows only through the kept units, scaled as they were.</summary>
    /// <param name="dy">Output gradient (G, S).</param>
    /// <param name="mask">The forward's mask (G).</param>
    /// <param name="groupSize">S, elements per group.</param>
    /// <param name="dx">Input gradient (G, S), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="groupSize"/> is negative, or a span is shorter than G·S.</exception>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> mask, int groupSize, Span<float> dx, int threads)
    {
        long length = Check(mask.Length, groupSize);
        CheckLength(dy.Length, length, nameof(dy));
        CheckLength(dx.Length, length, nameof(dx));
        fixed (float* pdy = dy, pm = mask, pdx = dx)
        {
            ParallelFor.Run(mask.Length, threads, new Body(pdy, pm, pdx, groupSize, Accumulate: true), MinGroups(groupSize));
        }
    }

    private static long Check(int groups, int groupSize)
    {
        if (groupSize < 0) throw new ArgumentException($"Dropout group size must be non-negative, got {groupSize}.", nameof(groupSize));
        return (long)groups * groupSize;
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    private static int MinGroups(int groupSize) => Math.Max(1, 32_768 / Math.Max(1, groupSize));

    private readonly struct Body(float* source, float* mask, float* destination, int groupSize, bool Accumulate) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int g = start; g < end; g++)
            {
                float m = mask[g];
                long offset = (long)g * groupSize;
                if (Accumulate)
                    for (int s = 0; s < groupSize; s++) destination[offset + s] += source[offset + s] * m;
                else
                    for (int s = 0; s < groupSize; s++) destination[offset + s] = source[offset + s] * m;
            }
        }
    }
}
