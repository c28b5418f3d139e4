// Indexing kernels: moving and selecting elements without arithmetic (torch.permute, slicing, index_select).
//   Permute: x: (d₀, …, d_{r−1})  y: (d_{perm[0]}, …, d_{perm[r−1]})
//     Forward:  y[i₀, …, i_{r−1}] = x[a]  with a_{perm[k]} = i_k
//     Backward: dx[a] += dy[i]  (a bijection: every dx element receives exactly one dy element)
//   Gather along one axis (slices are the index list start, start + step, …; index_select any list):
//     x: (outer, size, inner)  indices: (count), 0 ≤ indices[j] < size  y: (outer, count, inner)
//     Forward:  y[o, j, i] = x[o, indices[j], i]
//     Backward: dx[o, s, i] += Σ_{j : indices[j] = s} dy[o, j, i]
// Both backward passes are gathers too: permute reads dy through the inverse permutation, and the
// gather backward walks an inverse index (sources → the j that read them, in ascending j, built by a
// counting sort), forms each repeated source's sum in j order and adds it to dx once. So every output
// element is the work of one item in a fixed order: results are bit-identical for any thread count,
// and two identical backward calls add exactly twice the gradient of one.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Indexing;

/// <summary>Axis permutation (torch.permute) as a strided copy, and its gradient (the inverse permutation, added).</summary>
public static unsafe class PermuteKernel
{
    /// <summary>The most axes a permutation may have (the per-axis sizes and strides live on the stack).</summary>
    public const int MaxRank = 64;

    /// <summary>y[i₀, …, i_{r−1}] = x[a] with a_{perm[k]} = i_k (file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="dims">Shape of x, (d₀, …, d_{r−1}).</param>
    /// <param name="perm">A permutation of 0 … r − 1: output axis k is input axis perm[k].</param>
    /// <param name="x">Input, Π dims values.</param>
    /// <param name="y">Output (d_{perm[0]}, …, d_{perm[r−1]}).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">perm is not a permutation of the axes, a size is negative, the rank exceeds <see cref="MaxRank"/>, or a span is too short.</exception>
    public static void Forward(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        long length = Check(dims, perm);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        int r = dims.Length;
        if (length == 0) return;
        Span<long> inStrides = stackalloc long[r];
        RowMajorStrides(dims, inStrides);
        // Output axis k walks input axis perm[k].
        Span<int> outDims = stackalloc int[r];
        Span<long> srcStrides = stackalloc long[r];
        for (int k = 0; k < r; k++)
        {
            outDims[k] = dims[perm[k]];
            srcStrides[k] = inStrides[perm[k]];
        }
        Gather(outDims, srcStrides, x, y, accumulate: false, threads);
    }

    /// <summary>dx[a] += dy[i] for a_{perm[k]} = i_k (file header): dy read through the inverse permutation.</summary>
    /// <param name="dims">Shape of x, (d₀, …, d_{r−1}).</param>
    /// <param name="perm">The forward permutation.</param>
    /// <param name="dy">Output gradient (d_{perm[0]}, …, d_{perm[r−1]}).</param>
    /// <param name="dx">Input gradient (d₀, …, d_{r−1}), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">As <see cref="Forward"/>.</exception>
    public static void Backward(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm, ReadOnlySpan<float> dy, Span<float> dx, int threads)
    {
        long length = Check(dims, perm);
        CheckLength(dy.Length, length, nameof(dy));
        CheckLength(dx.Length, length, nameof(dx));
        int r = dims.Length;
        if (length == 0) return;
        Span<int> outDims = stackalloc int[r];
        for (int k = 0; k < r; k++) outDims[k] = dims[perm[k]];
        Span<long> outStrides = stackalloc long[r];
        RowMajorStrides(outDims, outStrides);
        // dx axis perm[k] walks dy axis k.
        Span<long> srcStrides = stackalloc long[r];
        for (int k = 0; k < r; k++) srcStrides[perm[k]] = outStrides[k];
        Gather(dims, srcStrides, dy, dx, accumulate: true, threads);
    }

    private static long Check(ReadOnlySpan<int> dims, ReadOnlySpan<int> perm)
    {
        int r = dims.Length;
        if (r > MaxRank) throw new ArgumentException($"Permute supports at most {MaxRank} axes, got {r}.", nameof(dims));
        if (perm.Length != r) throw new ArgumentException($"perm has {perm.Length} entries for {r} axes.", nameof(perm));
        Span<bool> seen = stackalloc bool[r];
        long length = 1;
        for (int k = 0; k < r; k++)
        {
            if (dims[k] < 0) throw new ArgumentException($"Axis {k} has negative size {dims[k]}.", nameof(dims));
            length *= dims[k];
            int p = perm[k];
            if ((uint)p >= (uint)r || seen[p]) throw new ArgumentException($"perm ({string.Join(", ", perm.ToArray())}) is not a permutation of {r} axes.", nameof(perm));
            seen[p] = true;
        }
        return length;
    }

    private static void RowMajorStrides(ReadOnlySpan<int> dims, Span<long> strides)
    {
        long s = 1;
        for (int k = dims.Length - 1; k >= 0; k--)
        {
            strides[k] = s;
            s *= dims[k];
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>dst (outDims, row-major) = or += src at Σ index_k · srcStrides[k]; one work item per row of the last axis.</summary>
    private static void Gather(ReadOnlySpan<int> outDims, ReadOnlySpan<long> srcStrides, ReadOnlySpan<float> src, Span<float> dst, bool accumulate, int threads)
    {
        int r = outDims.Length;
        if (r == 0)
        {
            dst[0] = accumulate ? dst[0] + src[0] : src[0];
            return;
        }
        int rowLength = outDims[r - 1];
        int rows = 1;
        for (int k = 0; k < r - 1; k++) rows *= outDims[k];
        fixed (int* pd = outDims)
        fixed (long* ps = srcStrides)
        fixed (float* psrc = src, pdst = dst)
        {
            ParallelFor.Run(rows, threads, new StridedBody(pd, ps, r, psrc, pdst, accumulate), minItemsPerThread: Math.Max(1, 16384 / Math.Max(1, rowLength)));
        }
    }

    private readonly struct StridedBody(int* dims, long* strides, int rank, float* src, float* dst, bool accumulate) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int rowLength = dims[rank - 1];
            long step = strides[rank - 1];
            for (int row = start; row < end; row++)
            {
                // Decompose the row index over the leading axes (last leading axis fastest).
                long offset = 0;
                int rest = row;
                for (int k = rank - 2; k >= 0; k--)
                {
                    offset += rest % dims[k] * strides[k];
                    rest /= dims[k];
                }
                float* from = src + offset;
                float* to = dst + (long)row * rowLength;
                if (step == 1)
                {
                    var s = new ReadOnlySpan<float>(from, rowLength);
                    var d = new Span<float>(to, rowLength);
                    if (accumulate) TensorPrimitives.Add(d, s, d);
                    else s.CopyTo(d);
                }
                else if (accumulate)
                {
                    for (int w = 0; w < rowLength; w++) to[w] += from[w * step];
                }
                else
                {
                    for (int w = 0; w < rowLength; w++) to[w] = from[w * step];
                }
            }
        }
    }
}

/// <summary>Selection along one axis by an index list (slices, torch.index_select), and its scatter-add gradient.</summary>
public static unsafe class GatherKernel
{
    /// <summary>y[o, j, i] = x[o, indices[j], i] (file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="outer">Product of the axes before the selected one.</param>
    /// <param name="size">Size of the selected axis in x.</param>
    /// <param name="inner">Product of the axes after the selected one.</param>
    /// <param name="indices">(count) source positions, each in [0, size); repeats allowed.</param>
    /// <param name="x">Input (outer, size, inner).</param>
    /// <param name="y">Output (outer, count, inner).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, an index is outside [0, size), or a span is too short.</exception>
    public static void Forward(int outer, int size, int inner, ReadOnlySpan<int> indices, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        Check(outer, size, inner, indices, x.Length, y.Length, nameof(x), nameof(y));
        int count = indices.Length;
        long rows = (long)outer * count;
        if (rows == 0 || inner == 0) return;
        fixed (int* pi = indices)
        fixed (float* px = x, py = y)
        {
            ParallelFor.Run((int)rows, threads, new ForwardBody(pi, count, size, inner, px, py), minItemsPerThread: Math.Max(1, 16384 / inner));
        }
    }

    /// <summary>dx[o, s, i] += Σ_{j : indices[j] = s} dy[o, j, i], the sum formed in j order and added once (file header).</summary>
    /// <param name="outer">Product of the axes before the selected one.</param>
    /// <param name="size">Size of the selected axis in x.</param>
    /// <param name="inner">Product of the axes after the selected one.</param>
    /// <param name="indices">(count) the forward's source positions.</param>
    /// <param name="dy">Output gradient (outer, count, inner).</param>
    /// <param name="dx">Input gradient (outer, size, inner), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">As <see cref="Forward"/>.</exception>
    public static void Backward(int outer, int size, int inner, ReadOnlySpan<int> indices, ReadOnlySpan<float> dy, Span<float> dx, int threads)
    {
        Check(outer, size, inner, indices, dx.Length, dy.Length, nameof(dx), nameof(dy));
        int count = indices.Length;
        long rows = (long)outer * size;
        if (rows == 0 || inner == 0 || count == 0) return;
        // Inverse index by counting sort: readers of source s are order[first[s] .. first[s + 1]), ascending j.
        int[] first = ArrayPool<int>.Shared.Rent(size + 1);
        int[] order = ArrayPool<int>.Shared.Rent(count);
        try
        {
            Array.Clear(first, 0, size + 1);
            foreach (int s in indices) first[s + 1]++;
            for (int s = 0; s < size; s++) first[s + 1] += first[s];
            for (int j = 0; j < count; j++) order[first[indices[j]]++] = j;
            for (int s = size; s > 0; s--) first[s] = first[s - 1];
            first[0] = 0;
            fixed (int* pf = first, po = order)
            fixed (float* pdy = dy, pdx = dx)
            {
                ParallelFor.Run((int)rows, threads, new BackwardBody(pf, po, count, size, inner, pdy, pdx), minItemsPerThread: Math.Max(1, 16384 / inner));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(order);
            ArrayPool<int>.Shared.Return(first);
        }
    }

    private static void Check(int outer, int size, int inner, ReadOnlySpan<int> indices, int sourceLength, int selectedLength, string sourceName, string selectedName)
    {
        if (outer < 0 || size < 0 || inner < 0) throw new ArgumentException($"Gather sizes must be non-negative, got outer {outer}, size {size}, inner {inner}.", nameof(size));
        foreach (int s in indices)
            if ((uint)s >= (uint)size) throw new ArgumentException($"Index {s} is outside an axis of size {size}.", nameof(indices));
        long source = (long)outer * size * inner, selected = (long)outer * indices.Length * inner;
        if (source > Array.MaxLength || selected > Array.MaxLength) throw new ArgumentException("Gather tensors do not fit in an array.", nameof(size));
        if (sourceLength < source) throw new ArgumentException($"{sourceName} holds {sourceLength} values, needs {source}.", sourceName);
        if (selectedLength < selected) throw new ArgumentException($"{selectedName} holds {selectedLength} values, needs {selected}.", selectedName);
    }

    private readonly struct ForwardBody(int* indices, int count, int size, int inner, float* x, float* y) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int row = start; row < end; row++)
            {
                int o = row / count, j = row % count;
                new ReadOnlySpan<float>(x + ((long)o * size + indices[j]) * inner, inner).CopyTo(new Span<float>(y + (long)row * inner, inner));
            }
        }
    }

    private readonly struct BackwardBody(int* first, int* order, int count, int size, int inner, float* dy, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            float[]? scratch = null;
            try
            {
                for (int row = start; row < end; row++)
                {
                    int o = row / size, s = row % size;
                    int k0 = first[s], k1 = first[s + 1];
                    if (k0 == k1) continue;
                    var d = new Span<float>(dx + (long)row * inner, inner);
                    float* dyo = dy + (long)o * count * inner;
                    if (k1 - k0 == 1)
                    {
                        TensorPrimitives.Add(d, new ReadOnlySpan<float>(dyo + (long)order[k0] * inner, inner), d);
                        continue;
                    }
                    // Repeated source: Σ_j dy[o, j, ·] in ascending j, then one addition into dx.
                    scratch ??= ArrayPool<float>.Shared.Rent(inner);
                    var sum = scratch.AsSpan(0, inner);
                    new ReadOnlySpan<float>(dyo + (long)order[k0] * inner, inner).CopyTo(sum);
                    for (int k = k0 + 1; k < k1; k++)
                        TensorPrimitives.Add(sum, new ReadOnlySpan<float>(dyo + (long)order[k] * inner, inner), sum);
                    TensorPrimitives.Add(d, sum, d);
                }
            }
            finally
            {
                if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }
}
