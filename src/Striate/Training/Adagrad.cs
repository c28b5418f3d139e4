// Adagrad (Duchi et al. 2011), PyTorch's formulation:
//   g ← ∇p + λ·p
//   s ← s + g²                          (s starts at initialAccumulatorValue)
//   p ← p − (lr / (1 + (t − 1)·lrDecay)) · g / (√s + ε)
namespace Striate.Training;

/// <summary>Adagrad: per-coordinate learning rates shrinking with the accumulated squared gradient.</summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Creates Adagrad over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate (PyTorch default 0.01).</param>
    /// <param name="lrDecay">Learning-rate decay per step (0).</param>
    /// <param name="weightDecay">L2 penalty λ.</param>
    /// <param name="initialAccumulatorValue">Starting value of s (0).</param>
    /// <param name="eps">Added to the denominator (1e-10).</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate or the initial accumulator is negative, or eps not positive.</exception>
    public Adagrad(IEnumerable<Tensor> parameters, float lr = 0.01f, float lrDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : this(OneGroup(parameters), lr, lrDecay, weightDecay, initialAccumulatorValue, eps) { }

    /// <summary>Creates Adagrad over parameter groups.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate or the initial accumulator is negative, or eps not positive.</exception>
    public Adagrad(IEnumerable<ParameterGroup> groups, float lr = 0.01f, float lrDecay = 0f, float weightDecay = 0f, float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : base(groups, lr, weightDecay)
    {
        if (!(lrDecay >= 0) || float.IsInfinity(lrDecay)) throw new ArgumentOutOfRangeException(nameof(lrDecay), lrDecay, "lrDecay must be non-negative.");
        if (!(initialAccumulatorValue >= 0) || float.IsInfinity(initialAccumulatorValue)) throw new ArgumentOutOfRangeException(nameof(initialAccumulatorValue), initialAccumulatorValue, "initialAccumulatorValue must be non-negative.");
        if (!(eps > 0) || float.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive number.");
        LrDecay = lrDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Epsilon = eps;
    }

    /// <summary>Learning-rate decay per step.</summary>
    public float LrDecay { get; }

    /// <summary>Starting value of the accumulator.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int step, Span<float> p, ReadOnlySpan<float> gradient, float learningRate, float weightDecay)
    {
        bool first = !HasState(index, 0);
        var s = State(index, 0, p.Length);
        if (first && InitialAccumulatorValue != 0f) s.Fill(InitialAccumulatorValue);
        float clr = learningRate / (1f + (step - 1) * LrDecay);
        for (int i = 0; i < p.Length; i++)
        {
            float g = gradient[i] + weightDecay * p[i];
            s[i] += g * g;
            p[i] -= clr * (g / (MathF.Sqrt(s[i]) + Epsilon));
        }
    }
}
