// Naive dropout masking, the oracle for DropoutKernel:
//   y[i] = x[i] · mask[i / S]        dx[i] += dy[i] · mask[i / S]      (S elements per mask value)
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive dropout masking, generic so gradient checks can run in double.</summary>
public static class DropoutReference
{
    /// <summary>y[i] = x[i]·mask[i / groupSize] for i &lt; mask.Length·groupSize.</summary>
    /// <param name="x">Input.</param>
    /// <param name="mask">One factor per group.</param>
    /// <param name="groupSize">Elements per group.</param>
    /// <param name="y">Output.</param>
    public static void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> mask, int groupSize, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < mask.Length * groupSize; i++) y[i] = x[i] * mask[i / groupSize];
    }

    /// <summary>dx[i] += dy[i]·mask[i / groupSize].</summary>
    /// <param name="dy">Output gradient.</param>
    /// <param name="mask">One factor per group.</param>
    /// <param name="groupSize">Elements per group.</param>
    /// <param name="dx">Input gradient, added to.</param>
    public static void Backward<T>(ReadOnlySpan<T> dy, ReadOnlySpan<T> mask, int groupSize, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < mask.Length * groupSize; i++) dx[i] += dy[i] * mask[i / groupSize];
    }
}
