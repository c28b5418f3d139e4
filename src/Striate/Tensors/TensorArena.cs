// Step-scoped reuse of activation storage, so a steady training step allocates (close to) nothing.
// While an arena is active on a thread, op outputs (Tensor.Uninitialized) and max-pooling's saved
// argmax indices take exact-length arrays from free lists keyed by length. Recycle() — called by the
// trainer once a step is over — gives back the arrays of the tensors that became part of the
// autograd graph (a GradFn was set): activations, whose only readers are the graph and the step
// itself. Tensors made while the arena was active that are NOT in the graph (optimizer state,
// anything computed under NoGrad) keep their arrays: those may outlive the step, so they are never
// reused. Tensors stay ordinary garbage-collected objects; nobody disposes them.
namespace Striate;

/// <summary>
/// Free lists of exact-length float and int arrays, lent to op outputs while the arena is active on the calling
/// thread and taken back from the autograd graph at <see cref="Recycle"/>.
/// </summary>
internal sealed class TensorArena
{
    [ThreadStatic] private static TensorArena? t_active;

    // Free lists hold at most this many floats (plus as many ints) per arena: one LeNet-5 step at batch 64 needs ~1M,
    // a ResNet-50 step at batch 32 a few hundred million; past the cap, arrays are left to the garbage collector.
    private const long MaxRetainedElements = 1L << 28;

    private readonly FreeLists<float> _free = new();
    private readonly FreeLists<int> _freeIndices = new();
    private readonly List<Tensor> _lent = new(64);
    private readonly List<(int[] Array, Tensor Owner)> _lentIndices = new(16);

    /// <summary>The arena active on this thread, or null.</summary>
    public static TensorArena? Active => t_active;

    /// <summary>Makes <paramref name="arena"/> the calling thread's active arena (null: none) and returns the previous one.</summary>
    public static TensorArena? Activate(TensorArena? arena)
    {
        var previous = t_active;
        t_active = arena;
        return previous;
    }

    /// <summary>A tensor of <paramref name="shape"/> (<paramref name="count"/> elements) on a reused array when one of that length is free.</summary>
    public Tensor NewTensor(int count, int[] shape)
    {
        float[] data = _free.TryTake(count) ?? GC.AllocateUninitializedArray<float>(count);
        var t = Tensor.Wrap(data, shape);
        _lent.Add(t);
        return t;
    }

    /// <summary>An index array of <paramref name="count"/> elements, reused once <paramref name="owner"/>'s graph is recycled.</summary>
    public int[] NewIndices(int count, Tensor owner)
    {
        int[] data = _freeIndices.TryTake(count) ?? GC.AllocateUninitializedArray<int>(count);
        _lentIndices.Add((data, owner));
        return data;
    }

    /// <summary>
    /// Takes back the arrays of every tensor lent since the last call that is now part of an autograd graph (and the index
    /// arrays such tensors own). The caller promises that nothing reads those tensors any more.
    /// </summary>
    public void Recycle()
    {
        foreach (var t in _lent)
            if (t.GradFn is not null) Give(_free, t.Data);
        foreach (var (array, owner) in _lentIndices)
            if (owner.GradFn is not null) Give(_freeIndices, array);
        _lent.Clear();
        _lentIndices.Clear();
    }

    private void Give<T>(FreeLists<T> free, T[] array)
    {
        if (_free.Elements + _freeIndices.Elements + array.Length <= MaxRetainedElements) free.Add(array);
    }
}
