// RMSProp (Hinton's lecture 6e), PyTorch's formulation:
//   g ← ∇p + λ·p
//   v ← α·v + (1 − α)·g²
//   centered: a ← α·a + (1 − α)·g,  d ← √(v − a²) + ε    else d ← √v + ε
//   momentum μ > 0: b ← μ·b + g/d,  p ← p − lr·b          else p ← p − lr·g/d
namespace Striate.Training;

/// <summary>RMSProp with optional momentum and centering.</summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>Creates RMSProp over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate (PyTorch default 0.01).</param>
    /// <param name="alpha">Smoothing constant α (0.99).</param>
    /// <param name="eps">Added to the denominator (1e-8).</param>
    /// <param name="weightDecay">L2 penalty λ.</param>
    /// <param name="momentum">Momentum μ (0).</param>
    /// <param name="centered">Normalise by the variance estimate instead of the raw second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, α outside [0, 1), or eps not positive.</exception>
    public RmsProp(IEnumerable<Tensor> parameters, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : this(OneGroup(parameters), lr, alpha, eps, weightDecay, momentum, centered) { }

    /// <summary>Creates RMSProp over parameter groups.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, α outside [0, 1), or eps not positive.</exception>
    public RmsProp(IEnumerable<ParameterGroup> groups, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f, float momentum = 0f, bool centered = false)
        : base(groups, lr, weightDecay)
    {
        if (!(alpha >= 0 && alpha < 1)) throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha must be in [0, 1).");
        if (!(eps > 0) || float.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive number.");
        if (!(momentum >= 0 && momentum < 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1).");
        Alpha = alpha;
        Epsilon = eps;
        Momentum = momentum;
        Centered = centered;
    }

    /// <summary>α.</summary>
    public float Alpha { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the variance (v − a²) is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int step, Span<float> p, ReadOnlySpan<float> gradient, float learningRate, float weightDecay)
    {
        var v = State(index, 0, p.Length);
        var a = Centered ? State(index, 1, p.Length) : default;
        var b = Momentum > 0 ? State(index, 2, p.Length) : default;
        for (int i = 0; i < p.Length; i++)
        {
            float g = gradient[i] + weightDecay * p[i];
            v[i] = v[i] * Alpha + (1f - Alpha) * g * g;
            float d;
            if (Centered)
            {
                a[i] = a[i] * Alpha + (1f - Alpha) * g;
                d = MathF.Sqrt(v[i] - a[i] * a[i]) + Epsilon;
            }
            else
            {
                d = MathF.Sqrt(v[i]) + Epsilon;
            }
            if (Momentum > 0)
            {
                b[i] = b[i] * Momentum + g / d;
                p[i] -= learningRate * b[i];
            }
            else
            {
                p[i] -= learningRate * (g / d);
            }
        }
    }
}
