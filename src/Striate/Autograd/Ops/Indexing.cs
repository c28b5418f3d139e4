// Indexing ops: permute (torch.permute), slice (Python's x[start:end:step] along one dim) and
// index_select (torch.index_select); kernels in Striate.Kernels/Indexing/IndexingKernel.cs.
//   Permute:     y[i₀, …, i_{r−1}] = x[a], a_{dims[k]} = i_k       dx[a] += dy[i]
//   Slice:       y[…, j, …] = x[…, start + j·step, …]              dx[…, start + j·step, …] += dy[…, j, …]
//   IndexSelect: y[…, j, …] = x[…, indices[j], …]                  dx[…, s, …] += Σ_{j : indices[j] = s} dy[…, j, …]
// Slice and IndexSelect are one gather along an axis: a slice is the index list start, start + step, …
// (negative steps walk backwards). Results are fresh contiguous tensors (Striate has no strided views).
using Striate.Kernels.Indexing;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for an axis permutation; saves the permutation only.</summary>
internal sealed class PermuteNode(Tensor input, int[] perm) : Node(input)
{
    public override string Name => "Permute";

    /// <summary>Permutes the axes of <paramref name="input"/>: output axis k is input axis dims[k] (negative counts from the end).</summary>
    /// <exception cref="ArgumentException">dims is not a permutation of the input's axes (ParamName <c>dims</c>).</exception>
    public static Tensor Forward(Tensor input, int[] dims)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(dims);
        int r = input.Rank;
        if (dims.Length != r)
            throw new ArgumentException($"Permute of a {r}-D tensor {Tensor.ShapeText(input.Dims)} needs {r} dims, got {dims.Length} ({string.Join(", ", dims)}).", nameof(dims));
        if (r > PermuteKernel.MaxRank) throw new ArgumentException($"Permute supports at most {PermuteKernel.MaxRank} dimensions, got {r}.", nameof(input));
        var perm = new int[r];
        var seen = new bool[r];
        for (int k = 0; k < r; k++)
        {
            int d = dims[k];
            if (d < -r || d >= r)
                throw new ArgumentException($"Permute dims ({string.Join(", ", dims)}): {d} is not a dimension of a {r}-D tensor (valid: {-r} … {r - 1}).", nameof(dims));
            d = d < 0 ? d + r : d;
            if (seen[d]) throw new ArgumentException($"Permute dims ({string.Join(", ", dims)}) name dimension {d} twice.", nameof(dims));
            seen[d] = true;
            perm[k] = d;
        }
        var shape = new int[r];
        for (int k = 0; k < r; k++) shape[k] = input.Dims[perm[k]];
        var y = Tensor.Uninitialized(shape); // PermuteKernel.Forward overwrites every element
        PermuteKernel.Forward(input.Dims, perm, input.Data, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new PermuteNode(input, perm));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[i] = x[a], a_{perm[k]} = i_k: each dy element goes back to the one element it copied.
        PermuteKernel.Backward(Inputs[0].Dims, perm, gradOutput, dx, Compute.Threads);
    }
}

/// <summary>Autograd node for a gather along one axis (slice or index_select); saves the sizes and the index list.</summary>
internal sealed class GatherNode(Tensor input, string name, int outer, int size, int inner, int[] indices) : Node(input)
{
    public override string Name => name;

    /// <summary>x[…, start:end:step, …] along <paramref name="dim"/>, with Python's slice rules (see <see cref="Functional.Slice"/>).</summary>
    /// <exception cref="ArgumentException">input is 0-D (<c>input</c>); dim is not one of its dimensions (<c>dim</c>); step is 0 (<c>step</c>).</exception>
    public static Tensor Slice(Tensor input, int dim, int start, int end, int step)
    {
        ArgumentNullException.ThrowIfNull(input);
        int d = Dim(input, dim, "Slice");
        if (step == 0) throw new ArgumentException("Slice step must not be 0 (positive walks forward, negative backward).", nameof(step));
        long n = input.Dims[d];
        long first = Normalize(start, n, step), last = Normalize(end, n, step);
        long count = step > 0 ? Math.Max(0, (last - first + step - 1) / step) : Math.Max(0, (first - last - step - 1) / -step);
        var indices = new int[count];
        for (int j = 0; j < count; j++) indices[j] = (int)(first + (long)j * step);
        return Gather(input, d, indices, "Slice");
    }

    /// <summary>
    /// Python's slice.indices for one bound: negative counts from the end; then clamped to [0, n] for a
    /// positive step, to [−1, n − 1] for a negative one (−1: before the first element).
    /// </summary>
    private static long Normalize(long bound, long n, int step)
    {
        if (bound < 0) bound += n;
        return step > 0 ? Math.Clamp(bound, 0, n) : Math.Clamp(bound, -1, n - 1);
    }

    /// <summary>The elements at <paramref name="indices"/> along <paramref name="dim"/> (torch.index_select).</summary>
    /// <exception cref="ArgumentException">input is 0-D (<c>input</c>); dim is not one of its dimensions (<c>dim</c>); an index is negative or not below the size of dim (<c>indices</c>).</exception>
    public static Tensor IndexSelect(Tensor input, int dim, int[] indices)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(indices);
        int d = Dim(input, dim, "IndexSelect");
        int n = input.Dims[d];
        for (int j = 0; j < indices.Length; j++)
        {
            if (indices[j] < 0)
                throw new ArgumentException($"IndexSelect index {j} is {indices[j]}: negative indices are not accepted (use {indices[j]} + {n} = {indices[j] + n} to count from the end).", nameof(indices));
            if (indices[j] >= n)
                throw new ArgumentException($"IndexSelect index {j} is {indices[j]}, outside dimension {d} of size {n} of {Tensor.ShapeText(input.Dims)}.", nameof(indices));
        }
        return Gather(input, d, (int[])indices.Clone(), "IndexSelect");
    }

    private static int Dim(Tensor input, int dim, string op)
    {
        int r = input.Rank;
        if (r == 0) throw new ArgumentException($"{op} needs a tensor with at least one dimension, got a scalar.", nameof(input));
        if (dim < -r || dim >= r)
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"{op} dim must be in [{-r}, {r - 1}] for {Tensor.ShapeText(input.Dims)}.");
        return dim < 0 ? dim + r : dim;
    }

    private static Tensor Gather(Tensor input, int d, int[] indices, string name)
    {
        int outer = 1, inner = 1;
        for (int k = 0; k < d; k++) outer *= input.Dims[k];
        for (int k = d + 1; k < input.Rank; k++) inner *= input.Dims[k];
        var shape = input.Dims.ToArray();
        shape[d] = indices.Length;
        if ((long)outer * indices.Length * inner > Array.MaxLength)
            throw new ArgumentException($"{name} result {Tensor.ShapeText(shape)} does not fit in an array.", nameof(indices));
        var y = Tensor.Uninitialized(shape); // GatherKernel.Forward overwrites every element
        GatherKernel.Forward(outer, input.Dims[d], inner, indices, input.Data, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new GatherNode(input, name, outer, input.Dims[d], inner, indices));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[o, j, i] = x[o, indices[j], i]: dx[o, s, i] += Σ_{j : indices[j] = s} dy[o, j, i].
        GatherKernel.Backward(outer, size, inner, indices, gradOutput, dx, Compute.Threads);
    }
}
