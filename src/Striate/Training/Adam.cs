// Adam (Kingma & Ba 2014) and AdamW (Loshchilov & Hutter 2017), PyTorch's formulation:
//   Adam:  g ← ∇p + λ·p                              (L2 weight decay)
//   AdamW: p ← p·(1 − lr·λ)                          (decoupled weight decay), g ← ∇p
//   m ← β1·m + (1 − β1)·g        v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
// The update is evaluated in that order (as torch.optim.Adam's single-tensor path does) so the
// results match PyTorch to float32 rounding.
namespace Striate.Training;

/// <summary>Adam with L2 weight decay folded into the gradient (PyTorch's <c>Adam</c>).</summary>
public sealed class Adam : Optimizer
{
    /// <summary>Creates Adam over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate (PyTorch default 1e-3).</param>
    /// <param name="beta1">Decay of the first moment (0.9).</param>
    /// <param name="beta2">Decay of the second moment (0.999).</param>
    /// <param name="eps">Added to the denominator (1e-8).</param>
    /// <param name="weightDecay">L2 penalty λ added to the gradient.</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, a beta outside [0, 1), or eps not positive.</exception>
    public Adam(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay) { }

    /// <summary>Creates Adam over parameter groups.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, a beta outside [0, 1), or eps not positive.</exception>
    public Adam(IEnumerable<ParameterGroup> groups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0f)
        : base(groups, lr, weightDecay) => Rule = new AdamRule(beta1, beta2, eps);

    internal AdamRule Rule { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int step, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate, float weightDecay)
        => Rule.Update(this, index, step, parameter, gradient, learningRate, weightDecay, decoupled: false);
}

/// <summary>Adam with decoupled weight decay (PyTorch's <c>AdamW</c>): p ← p·(1 − lr·λ) before the Adam step.</summary>
public sealed class AdamW : Optimizer
{
    /// <summary>Creates AdamW over one group of parameters.</summary>
    /// <param name="parameters">The parameters to update.</param>
    /// <param name="lr">Learning rate (1e-3).</param>
    /// <param name="beta1">Decay of the first moment (0.9).</param>
    /// <param name="beta2">Decay of the second moment (0.999).</param>
    /// <param name="eps">Added to the denominator (1e-8).</param>
    /// <param name="weightDecay">Decoupled weight decay λ (PyTorch default 0.01).</param>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, a beta outside [0, 1), or eps not positive.</exception>
    public AdamW(IEnumerable<Tensor> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : this(OneGroup(parameters), lr, beta1, beta2, eps, weightDecay) { }

    /// <summary>Creates AdamW over parameter groups.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is negative, a beta outside [0, 1), or eps not positive.</exception>
    public AdamW(IEnumerable<ParameterGroup> groups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f, float weightDecay = 0.01f)
        : base(groups, lr, weightDecay) => Rule = new AdamRule(beta1, beta2, eps);

    internal AdamRule Rule { get; }

    /// <inheritdoc/>
    protected override void Update(int index, int step, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate, float weightDecay)
        => Rule.Update(this, index, step, parameter, gradient, learningRate, weightDecay, decoupled: true);
}

/// <summary>The update rule Adam and AdamW share; the moments live in the owning optimizer's state slots 0 and 1.</summary>
internal sealed class AdamRule
{
    public AdamRule(float beta1, float beta2, float eps)
    {
        if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1).");
        if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1).");
        if (!(eps > 0) || float.IsInfinity(eps)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a positive number.");
        (Beta1, Beta2, Epsilon) = (beta1, beta2, eps);
    }

    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }

    public void Update(Optimizer owner, int index, int step, Span<float> p, ReadOnlySpan<float> gradient, float lr, float weightDecay, bool decoupled)
    {
        var m = owner.State(index, 0, p.Length);
        var v = owner.State(index, 1, p.Length);
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        float biasCorrection1 = 1f - MathF.Pow(b1, step);
        float biasCorrection2Sqrt = MathF.Sqrt(1f - MathF.Pow(b2, step));
        float stepSize = lr / biasCorrection1;
        float decay = 1f - lr * weightDecay;
        for (int i = 0; i < p.Length; i++)
        {
            float g = gradient[i];
            if (decoupled) p[i] *= decay;                    // AdamW: p ← p·(1 − lr·λ)
            else if (weightDecay != 0f) g += weightDecay * p[i]; // Adam: g ← g + λ·p
            m[i] = m[i] * b1 + (1f - b1) * g;
            v[i] = v[i] * b2 + (1f - b2) * g * g;
            float denom = MathF.Sqrt(v[i]) / biasCorrection2Sqrt + eps;
            p[i] -= stepSize * (m[i] / denom);
        }
    }
}
