// Tensor: float32, contiguous, row-major (NCHW for images). Garbage-collected, never disposed.
// Views made by Reshape share storage with their source; every other op allocates its result.
using System.Globalization;
using System.Text;
using Striate.Autograd;

namespace Striate;

/// <summary>
/// A contiguous, row-major float32 tensor that can take part in automatic differentiation.
/// </summary>
/// <remarks>
/// Tensors are ordinary managed objects: nobody disposes them. Set <see cref="RequiresGrad"/> on a
/// leaf (a parameter or an input) to have <see cref="Backward(Tensor?)"/> accumulate into <see cref="Grad"/>.
/// </remarks>
public sealed partial class Tensor
{
    internal readonly float[] Data;
    private readonly int[] _shape;
    private bool _requiresGrad;

    internal Tensor(float[] data, int[] shape)
    {
        Data = data;
        _shape = shape;
    }

    /// <summary>Made by <see cref="Uninitialized"/> as an op's output (never a parameter, buffer or user tensor): its storage may be reused once it is dead (InferenceBuffers).</summary>
    internal bool IsOpOutput { get; private init; }

    /// <summary>The size of each dimension, outermost first.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>The size of each dimension, as a span (no allocation).</summary>
    public ReadOnlySpan<int> Dims => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Total number of elements (the product of <see cref="Shape"/>).</summary>
    public int Length => Data.Length;

    /// <summary>The elements in row-major order. Writing through the span changes the tensor (and any view sharing it).</summary>
    public Span<float> AsSpan() => Data;

    /// <summary>
    /// Whether gradients flow to this tensor. Settable on leaves only; results of ops on tensors
    /// that require gradients require them too.
    /// </summary>
    /// <exception cref="InvalidOperationException">Set on a tensor produced by a recorded op.</exception>
    public bool RequiresGrad
    {
        get => _requiresGrad;
        set
        {
            if (GradFn is not null)
                throw new InvalidOperationException("RequiresGrad can only be set on leaf tensors; this tensor was produced by " + GradFn.Name + ".");
            _requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of the last <see cref="Backward(Tensor?)"/> calls, or null before any.</summary>
    public Tensor? Grad
    {
        get => _grad;
        internal set
        {
            _grad = value;
            _gradStale = false;
        }
    }

    private Tensor? _grad;

    // Set by ZeroGradKeepStorage: Grad is logically null, but its storage waits to be cleared and reused by the next
    // accumulation (DropStaleGrad makes it null for real when no backward pass reached this tensor).
    private bool _gradStale;

    /// <summary>The op that produced this tensor when it was recorded for autograd; null for leaves.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>Whether this tensor was created by the user rather than by a recorded op.</summary>
    public bool IsLeaf => GradFn is null;

    internal void SetGradFn(Node node)
    {
        GradFn = node;
        _requiresGrad = true;
    }

    /// <summary>Sets <see cref="Grad"/> back to null (the next backward pass starts from zero).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>
    /// Like <see cref="ZeroGrad"/> for the next backward pass, but the gradient's storage is cleared and reused by the next
    /// accumulation instead of reallocated (the trainer's steady-state step); the old <see cref="Grad"/> tensor is overwritten.
    /// Call <see cref="DropStaleGrad"/> after the backward pass.
    /// </summary>
    internal void ZeroGradKeepStorage()
    {
        if (_grad is not null) _gradStale = true;
    }

    /// <summary>After a backward pass that followed <see cref="ZeroGradKeepStorage"/>: a gradient nothing accumulated into becomes null.</summary>
    internal void DropStaleGrad()
    {
        if (_gradStale) Grad = null;
    }

    /// <summary>
    /// The gradient of a non-leaf during a backward pass: rented from the shared array pool (it may be
    /// longer than the tensor) and returned once this tensor's node has run, so a training step
    /// reuses the megabyte-sized gradient buffers instead of allocating them on the large-object heap.
    /// </summary>
    private float[]? _pendingGrad;

    /// <summary>
    /// Returns the buffer that gradients of this tensor accumulate into, zeroed on first use: the
    /// public <see cref="Grad"/> for leaves, a pooled buffer for results of recorded ops.
    /// </summary>
    internal Span<float> GradBuffer()
    {
        if (GradFn is null)
        {
            if (_gradStale)
            {
                _gradStale = false;
                Array.Clear(_grad!.Data);
            }
            _grad ??= new Tensor(new float[Data.Length], (int[])_shape.Clone());
            return _grad.Data;
        }
        if (_pendingGrad is null)
        {
            _pendingGrad = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(Data.Length, 1));
            Array.Clear(_pendingGrad, 0, Data.Length);
        }
        return _pendingGrad.AsSpan(0, Data.Length);
    }

    /// <summary>Gives the pending gradient of a non-leaf back to the pool.</summary>
    internal void ReleasePendingGrad()
    {
        if (_pendingGrad is null) return;
        System.Buffers.ArrayPool<float>.Shared.Return(_pendingGrad);
        _pendingGrad = null;
    }

    /// <summary>Whether a backward pass has accumulated a gradient into this non-leaf that its node has not consumed yet.</summary>
    internal bool HasPendingGrad => _pendingGrad is not null;

    /// <summary>A new leaf sharing this tensor's storage but cut off from the autograd graph.</summary>
    public Tensor Detach() => new(Data, _shape);

    /// <summary>A deep copy (new storage), cut off from the autograd graph.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), (int[])_shape.Clone());

    /// <summary>Copies the elements, in row-major order, into a new array.</summary>
    public float[] ToArray() => (float[])Data.Clone();

    /// <summary>The single value of a one-element tensor.</summary>
    /// <exception cref="InvalidOperationException">The tensor has more or fewer than one element.</exception>
    public float Item()
    {
        if (Data.Length != 1)
            throw new InvalidOperationException($"Item() needs a tensor with exactly one element; this one has shape {ShapeText(_shape)}.");
        return Data[0];
    }

    /// <summary>The element at <paramref name="index"/> (one coordinate per dimension), for inspection.</summary>
    /// <exception cref="ArgumentException">Wrong number of coordinates.</exception>
    /// <exception cref="IndexOutOfRangeException">A coordinate is outside its dimension.</exception>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public float this[params int[] index]
    {
        get => Data[FlatIndex(index)];
        set => Data[FlatIndex(index)] = value;
    }

    private int FlatIndex(int[] index)
    {
        if (index.Length != _shape.Length)
            throw new ArgumentException($"Tensor of shape {ShapeText(_shape)} needs {_shape.Length} indices, got {index.Length}.", nameof(index));
        int flat = 0;
        for (int d = 0; d < index.Length; d++)
        {
            if ((uint)index[d] >= (uint)_shape[d])
                throw new IndexOutOfRangeException($"Index {index[d]} is out of range for dimension {d} of size {_shape[d]} (shape {ShapeText(_shape)}).");
            flat = flat * _shape[d] + index[d];
        }
        return flat;
    }

    /// <summary>Formats a shape as <c>(2, 3, 4)</c>, the way error messages show shapes.</summary>
    public static string ShapeText(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }
        return sb.Append(shape.Length == 1 ? ",)" : ")").ToString();
    }

    /// <summary>Shape and up to the first 8 values, e.g. <c>Tensor(2, 3) [0.1, 0.2, ...]</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder("Tensor").Append(ShapeText(_shape)).Append(" [");
        int shown = Math.Min(8, Data.Length);
        for (int i = 0; i < shown; i++)
        {
            if (i > 0) sb.Append(", ");
            sb.Append(Data[i].ToString("G6", CultureInfo.InvariantCulture));
        }
        if (Data.Length > shown) sb.Append(", ...");
        return sb.Append(']').ToString();
    }
}
