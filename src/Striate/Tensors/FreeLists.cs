// Free lists of arrays keyed by exact length, shared by the training step's TensorArena and the
// inference-time InferenceBuffers: a tensor's storage must be exactly its length, so a free array
// is reused only for an output of the same length. Not thread-safe; each owner keeps its own.
namespace Striate;

/// <summary>Arrays waiting for reuse, by exact length, with the number of elements they hold.</summary>
internal sealed class FreeLists<T>
{
    private readonly Dictionary<int, Stack<T[]>> _byLength = [];

    /// <summary>Elements held, over every length.</summary>
    public long Elements { get; private set; }

    /// <summary>A free array of exactly <paramref name="length"/> elements, or null.</summary>
    public T[]? TryTake(int length)
    {
        if (!_byLength.TryGetValue(length, out var stack) || !stack.TryPop(out var array)) return null;
        Elements -= array.Length;
        return array;
    }

    /// <summary>Keeps <paramref name="array"/> for a later <see cref="TryTake"/> of its length.</summary>
    public void Add(T[] array)
    {
        if (!_byLength.TryGetValue(array.Length, out var stack)) _byLength[array.Length] = stack = new Stack<T[]>();
        stack.Push(array);
        Elements += array.Length;
    }

    /// <summary>Drops every array (to the garbage collector).</summary>
    public void Clear()
    {
        _byLength.Clear();
        Elements = 0;
    }
}
