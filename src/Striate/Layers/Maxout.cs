// Maxout layer: y[n,c,…] = max over groups of poolSize consecutive channels of x (cross-channel
// pooling). No parameters; place it after a convolution or linear layer with C·poolSize outputs.
namespace Striate.Layers;

/// <summary>Maxout / cross-channel max pooling: (N, C·k, …) → (N, C, …), the maximum of each group of k consecutive channels.</summary>
public sealed class Maxout : Module
{
    /// <summary>Creates a maxout layer.</summary>
    /// <param name="poolSize">k, channels per group; it must divide the input's channel count.</param>
    /// <exception cref="ArgumentOutOfRangeException">poolSize is not positive.</exception>
    public Maxout(int poolSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(poolSize);
        PoolSize = poolSize;
    }

    /// <summary>k, channels per group.</summary>
    public int PoolSize { get; }

    /// <inheritdoc/>
    public override string Description => $"{PoolSize} channels per group";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Maxout(input, PoolSize);
}
