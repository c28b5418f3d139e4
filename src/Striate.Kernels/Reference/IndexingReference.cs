// Naive indexing, the oracle for PermuteKernel and GatherKernel:
//   Permute: x: (d₀, …, d_{r−1})  y: (d_{perm[0]}, …)   y[i] = x[a], a_{perm[k]} = i_k;  dx[a] += dy[i]
//   Gather:  x: (outer, size, inner)  y: (outer, count, inner)
//            y[o, j, i] = x[o, indices[j], i];  dx[o, indices[j], i] += dy[o, j, i]  (j ascending)
// One output element at a time, its multi-index decoded by division; no strides precomputed per row,
// no inverse index, no row copies.
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive permute and gather loops, generic so gradient checks can run in double.</summary>
public static class IndexingReference
{
    /// <summary>y[i] = x[a] with a_{perm[k]} = i_k; <paramref name="y"/> is overwritten.</summary>
    /// <param name="dims">Shape of x.</param>
    /// <param name="perm">Output axis k is input axis perm[k].</param>
    /// <param name="x">Input (dims).</param>
    /// <param name="y">Output (dims permuted).</param>
    public static void PermuteForward<T>(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        long length = 1;
        foreach (int d in dims) length *= d;
        for (long k = 0; k < length; k++) y[(int)k] = x[(int)SourceOf(dims, perm, k)];
    }

    /// <summary>dx[a] += dy[i] with a_{perm[k]} = i_k.</summary>
    /// <param name="dims">Shape of x.</param>
    /// <param name="perm">The forward permutation.</param>
    /// <param name="dy">Output gradient (dims permuted).</param>
    /// <param name="dx">Input gradient (dims), added to.</param>
    public static void PermuteBackward<T>(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        long length = 1;
        foreach (int d in dims) length *= d;
        for (long k = 0; k < length; k++) dx[(int)SourceOf(dims, perm, k)] += dy[(int)k];
    }

    /// <summary>The flat index into x of flat output index <paramref name="k"/>.</summary>
    private static long SourceOf(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, long k)
    {
        int r = dims.Length;
        long source = 0;
        for (int axis = r - 1; axis >= 0; axis--)
        {
            int size = dims[perm[axis]];
            long i = k % size;
            k /= size;
            long stride = 1;
            for (int a = perm[axis] + 1; a < r; a++) stride *= dims[a];
            source += i * stride;
        }
        return source;
    }

    /// <summary>y[o, j, i] = x[o, indices[j], i]; <paramref name="y"/> is overwritten.</summary>
    /// <param name="outer">Product of the axes before the selected one.</param>
    /// <param name="size">Size of the selected axis.</param>
    /// <param name="inner">Product of the axes after it.</param>
    /// <param name="indices">(count) source positions in [0, size).</param>
    /// <param name="x">Input (outer, size, inner).</param>
    /// <param name="y">Output (outer, count, inner).</param>
    public static void GatherForward<T>(int outer, int size, int inner, ReadOnlySpan<int> indices, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        int count = indices.Length;
        for (int o = 0; o < outer; o++)
        for (int j = 0; j < count; j++)
        for (int i = 0; i < inner; i++)
            y[(o * count + j) * inner + i] = x[(o * size + indices[j]) * inner + i];
    }

    /// <summary>dx[o, indices[j], i] += dy[o, j, i] for ascending j.</summary>
    /// <param name="outer">Product of the axes before the selected one.</param>
    /// <param name="size">Size of the selected axis.</param>
    /// <param name="inner">Product of the axes after it.</param>
    /// <param name="indices">(count) the forward's source positions.</param>
    /// <param name="dy">Output gradient (outer, count, inner).</param>
    /// <param name="dx">Input gradient (outer, size, inner), added to.</param>
    public static void GatherBackward<T>(int outer, int size, int inner, ReadOnlySpan<int> indices, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        int count = indices.Length;
        for (int o = 0; o < outer; o++)
        for (int j = 0; j < count; j++)
        for (int i = 0; i < inner; i++)
            dx[(o * size + indices[j]) * inner + i] += dy[(o * count + j) * inner + i];
    }
}
