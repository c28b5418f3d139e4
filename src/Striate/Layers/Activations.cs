// Parameter-free layers: activations and reshaping.
namespace Striate.Layers;

/// <summary>max(x, 0) elementwise.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Relu(input);
}

/// <summary>tanh(x) elementwise.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Tanh(input);
}

/// <summary>1 / (1 + e^−x) elementwise.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Sigmoid(input);
}

/// <summary>Flattens (N, C, H, W) to (N, C·H·W) (from <see cref="StartDim"/> on).</summary>
/// <param name="startDim">First dimension to merge.</param>
public sealed class Flatten(int startDim = 1) : Module
{
    /// <summary>First dimension merged.</summary>
    public int StartDim { get; } = startDim;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Flatten(input, StartDim);
}
