// Stochastic gradient descent with momentum, PyTorch's formulation:
//   g ← ∇p + λ·p                    (weight decay λ)
//   b ← g (first step), else μ·b + g
//   p ← p − lr · (nesterov ? g + μ·b : b)
using System.Numerics.Tensors;

namespace Striate.Training;

/// <summary>SGD with optional momentum, Nesterov momentum and weight decay.</summary>
public sealed class Sgd
{
    private readonly Tensor[] _parameters;
    private readonly float[]?[] _momentum;
    private readonly float[]?[] _direction; // per-parameter scratch: the step direction, so p.Grad stays as backward left it

    /// <summary>Creates the optimizer.</summary>
    /// <param name="parameters">The parameters to update (those with RequiresGrad false are skipped).</param>
    /// <param name="lr">Learning rate.</param>
    /// <param name="momentum">Momentum μ (0 for none).</param>
    /// <param name="weightDecay">L2 penalty λ.</param>
    /// <param name="nesterov">Use Nesterov momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative or not finite.</exception>
    public Sgd(IEnumerable<Tensor> parameters, float lr, float momentum = 0f, float weightDecay = 0f, bool nesterov = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(lr >= 0) || float.IsInfinity(lr)) throw new ArgumentOutOfRangeException(nameof(lr), lr, "The learning rate must be a finite non-negative number.");
        if (!(momentum >= 0) || momentum >= 1) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "Momentum must be in [0, 1).");
        if (!(weightDecay >= 0)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "Weight decay must be non-negative.");
        _parameters = [.. parameters];
        _momentum = new float[]?[_parameters.Length];
        _direction = new float[]?[_parameters.Length];
        LearningRate = lr;
        Momentum = momentum;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
    }

    /// <summary>Learning rate; may be changed between steps (schedules).</summary>
    public float LearningRate { get; set; }

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>Weight decay λ.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    /// <summary>Clears the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter that has a gradient.</summary>
    public void Step()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            if (!p.RequiresGrad || p.Grad is null) continue;
            Span<float> w = p.AsSpan();
            var direction = _direction[i] ??= new float[p.Length];
            Span<float> g = direction;
            p.Grad.AsSpan().CopyTo(g);
            if (WeightDecay != 0f) TensorPrimitives.MultiplyAdd(w, WeightDecay, g, g); // g += λ·w
            if (Momentum != 0f)
            {
                var b = _momentum[i];
                if (b is null)
                {
                    b = _momentum[i] = g.ToArray();
                }
                else
                {
                    TensorPrimitives.MultiplyAdd(b, Momentum, g, b); // b = μ·b + g
                }
                if (Nesterov) TensorPrimitives.MultiplyAdd(b, Momentum, g, g); // g = g + μ·b
                else b.CopyTo(g);
            }
            TensorPrimitives.MultiplyAdd(g, -LearningRate, w, w); // w -= lr·g
        }
    }
}
