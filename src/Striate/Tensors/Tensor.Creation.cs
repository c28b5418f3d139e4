// Creation of tensors: constants, from data, and random from a seeded Rng.
namespace Striate;

public sealed partial class Tensor
{
    /// <summary>Validates a shape and returns its element count.</summary>
    internal static int CheckShape(ReadOnlySpan<int> shape, string paramName)
    {
        long count = 1;
        foreach (int d in shape)
        {
            if (d < 0) throw new ArgumentException($"Shape {ShapeText(shape)} has a negative dimension.", paramName);
            count *= d;
            if (count > Array.MaxLength) throw new ArgumentException($"Shape {ShapeText(shape)} has more elements than an array can hold.", paramName);
        }
        return (int)count;
    }

    /// <summary>A tensor of the given shape filled with zeros.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static Tensor Zeros(params int[] shape) => new(new float[CheckShape(shape, nameof(shape))], (int[])shape.Clone());

    /// <summary>A tensor of the given shape filled with ones.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static Tensor Ones(params int[] shape) => Full(1f, shape);

    /// <summary>A tensor of the given shape with every element equal to <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static Tensor Full(float value, params int[] shape)
    {
        var data = new float[CheckShape(shape, nameof(shape))];
        Array.Fill(data, value);
        return new Tensor(data, (int[])shape.Clone());
    }

    /// <summary>A tensor of the given shape holding <paramref name="data"/> in row-major order (the array is copied).</summary>
    /// <exception cref="ArgumentException">The data length differs from the shape's element count.</exception>
    public static Tensor FromArray(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int count = CheckShape(shape, nameof(shape));
        if (count != data.Length)
            throw new ArgumentException($"Shape {ShapeText(shape)} holds {count} elements but {data.Length} values were given.", nameof(data));
        return new Tensor((float[])data.Clone(), (int[])shape.Clone());
    }

    /// <summary>A 2-D tensor from a rectangular array, e.g. a textbook matrix.</summary>
    public static Tensor FromArray(float[,] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int rows = data.GetLength(0), cols = data.GetLength(1);
        var flat = new float[rows * cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                flat[i * cols + j] = data[i, j];
        return new Tensor(flat, [rows, cols]);
    }

    /// <summary>A scalar (rank-0) tensor.</summary>
    public static Tensor Scalar(float value) => new([value], []);

    /// <summary>Wraps <paramref name="data"/> without copying; the caller gives up the array.</summary>
    internal static Tensor Wrap(float[] data, int[] shape) => new(data, shape);

    /// <summary>Elements drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>).</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static Tensor Uniform(Rng rng, float low, float high, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        rng.FillUniform(t.Data, low, high);
        return t;
    }

    /// <summary>Elements drawn from a normal distribution with the given mean and standard deviation.</summary>
    /// <exception cref="ArgumentException">A dimension is negative.</exception>
    public static Tensor Normal(Rng rng, float mean, float std, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var t = Zeros(shape);
        rng.FillNormal(t.Data, mean, std);
        return t;
    }

    /// <summary>
    /// A tensor whose storage is not cleared, for op outputs that the kernel overwrites completely
    /// (skipping the memset matters for the megabyte-sized activations of a training step).
    /// </summary>
    /// <remarks>
    /// While a <see cref="TensorArena"/> is active on the thread (a trainer's step), the storage comes from the arena and
    /// goes back to it after the step if the tensor became part of the autograd graph. Otherwise a dead activation of the
    /// same length given back by a container (<see cref="InferenceBuffers"/>) is reused when there is one.
    /// </remarks>
    internal static Tensor Uninitialized(params int[] shape)
    {
        int count = CheckShape(shape, nameof(shape));
        if (TensorArena.Active is { } arena) return arena.NewTensor(count, shape);
        return new(InferenceBuffers.TryTake(count) ?? GC.AllocateUninitializedArray<float>(count), shape) { IsOpOutput = true };
    }

    /// <summary>An uninitialized tensor with this tensor's shape (see <see cref="Uninitialized"/>).</summary>
    internal Tensor UninitializedLike() => Uninitialized((int[])_shape.Clone());

    /// <summary>A tensor with the same shape as this one, filled with zeros.</summary>
    public Tensor ZerosLike() => new(new float[Data.Length], (int[])_shape.Clone());
}
