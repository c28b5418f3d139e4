// Stochastic gradient descent with momentum, PyTorch's formulation:
//   g ← ∇p + λ·p                    (weight decay λ)
//   b ← g (first step), else μ·b + g
//   p ← p − lr · (nesterov ? g + μ·b : b)
using System.Numerics.Tensors;

namespace Striate.Training;

/// <summary>SGD with optional momentum, Nesterov momentum and weight decay.</summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update (those with RequiresGrad false are skipped).</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum μ (0 for none).</param>
    /// <param name="weightDecay">L2 penalty λ.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or not finite, or momentum is outside [0, 1).</exception>
    public Sgd(IEnumerable<Tensor> parameters, float lr, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
        : this(OneGroup(parameters), lr, momentum, weightDecay, nesterov) { }

    /// <summary>Creates the optimizer over parameter groups (each may override lr and weight decay).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or not finite, or momentum is outside [0, 1).</exception>
    public Sgd(IEnumerable<ParameterGroup> groups, float lr, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
        : base(groups, lr, weightDecay)
    {
        if (!(momentum >= 0) || momentum >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (nesterov && momentum == 0f) throw new ArgumentException("Nesterov momentum needs a momentum above 0.", nameof(nesterov));
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int step, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate, float weightDecay)
    {
        var g = Scratch(index, gradient.Length);
        gradient.CopyTo(g);
        if (weightDecay != 0f) TensorPrimitives.MultiplyAdd(parameter, weightDecay, g, g); // g += λ·p
        if (Momentum != 0f)
        {
            bool first = !HasState(index, 0);
            var b = State(index, 0, g.Length);
            if (first) g.CopyTo(b);
            else TensorPrimitives.MultiplyAdd(b, Momentum, g, b);                          // b = μ·b + g
            if (Nesterov) TensorPrimitives.MultiplyAdd(b, Momentum, g, g);                  // g = g + μ·b
            else b.CopyTo(g);
        }
        TensorPrimitives.MultiplyAdd(g, -learningRate, parameter, parameter);               // p −= lr·g
    }
}
