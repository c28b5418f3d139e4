// Functional activations beyond ReLU/tanh/sigmoid (those and log-softmax live in Functional.cs):
// torch.nn.functional.leaky_relu, prelu, elu, selu, torch.erf, gelu, silu, softplus, softsign, hardtanh,
// softmax in .NET naming. Formulas and derivatives: Striate.Kernels/Elementwise/ActivationKernel.cs.
using Striate.Autograd.Ops;

namespace Striate;

/// <summary>Which form of GELU to compute (PyTorch's <c>approximate</c> argument).</summary>
public enum GeluApproximation
{
    /// <summary>The exact form x·Φ(x) = ½x(1 + erf(x/√2)) (PyTorch's <c>'none'</c>).</summary>
    None,

    /// <summary>The tanh approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))) (PyTorch's <c>'tanh'</c>).</summary>
    Tanh,
}

public static partial class Functional
{
    /// <summary>Leaky ReLU, elementwise: y = x &gt; 0 ? x : negativeSlope·x. The derivative at 0 is negativeSlope, as in PyTorch.</summary>
    /// <param name="input">Any shape.</param>
    /// <param name="negativeSlope">Slope for x ≤ 0 (PyTorch's default 0.01).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="negativeSlope"/> is not finite.</exception>
    public static Tensor LeakyRelu(Tensor input, float negativeSlope = 0.01f)
    {
        CheckFiniteActivationParameter(negativeSlope, nameof(negativeSlope));
        return ActivationNode.Forward(ActivationKind.LeakyRelu, input, negativeSlope);
    }

    /// <summary>
    /// PReLU, a leaky ReLU with learned slopes: y[n,c,…] = x &gt; 0 ? x : weight[c]·x, with one slope per
    /// channel (dimension 1) or a single slope for all; the slopes receive gradients Σ dy·x over x ≤ 0.
    /// </summary>
    /// <param name="input">(N, C, …); rank 0 or 1 inputs count as one channel.</param>
    /// <param name="weight">(1) or (C) slopes.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="weight"/> is not a vector of 1 or C values.</exception>
    public static Tensor PRelu(Tensor input, Tensor weight) => PReluNode.Forward(input, weight);

    /// <summary>ELU, elementwise: y = x &gt; 0 ? x : alpha·(e^x − 1).</summary>
    /// <param name="input">Any shape.</param>
    /// <param name="alpha">α: the output approaches −α as x → −∞ (PyTorch's default 1).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="alpha"/> is not finite.</exception>
    public static Tensor Elu(Tensor input, float alpha = 1f)
    {
        CheckFiniteActivationParameter(alpha, nameof(alpha));
        return ActivationNode.Forward(ActivationKind.Elu, input, alpha);
    }

    /// <summary>
    /// SELU, elementwise: y = λ·(x &gt; 0 ? x : α(e^x − 1)) with α = 1.6732632423543772 and λ = 1.0507009873554805,
    /// the constants that make activations self-normalising (Klambauer et al., 2017).
    /// </summary>
    /// <param name="input">Any shape.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    public static Tensor Selu(Tensor input) => ActivationNode.Forward(ActivationKind.Selu, input);

    /// <summary>
    /// The error function, elementwise (torch.erf, ONNX's Erf): y = erf(x) = (2/√π)∫₀ˣ e^(−t²) dt, odd, in (−1, 1);
    /// accurate to about an ulp of float32 over the whole range, tiny arguments included. Gradient:
    /// dx = dy · (2/√π)·e^(−x²).
    /// </summary>
    /// <param name="input">Any shape.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="input"/> is null.</exception>
    public static Tensor Erf(Tensor input) => ActivationNode.Forward(ActivationKind.Erf, input);

    /// <summary>
    /// GELU, elementwise: y = x·Φ(x) = ½x(1 + erf(x/√2)) with Φ the standard normal CDF, or with
    /// <see cref="GeluApproximation.Tanh"/> the approximation ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    /// </summary>
    /// <param name="input">Any shape.</param>
    /// <param name="approximate">Exact (default) or tanh form.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="approximate"/> is not a defined value.</exception>
    public static Tensor Gelu(Tensor input, GeluApproximation approximate = GeluApproximation.None) => approximate switch
    {
        GeluApproximation.None => ActivationNode.Forward(ActivationKind.Gelu, input),
        GeluApproximation.Tanh => ActivationNode.Forward(ActivationKind.GeluTanh, input),
        _ => throw new ArgumentOutOfRangeException(nameof(approximate), approximate, "GELU approximation must be None or Tanh."),
    };

    /// <summary>SiLU (swish), elementwise: y = x·σ(x) = x / (1 + e^−x).</summary>
    /// <param name="input">Any shape.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    public static Tensor Silu(Tensor input) => ActivationNode.Forward(ActivationKind.Silu, input);

    /// <summary>
    /// Softplus, elementwise: y = log(1 + e^(βx))/β, a smooth ReLU; where βx &gt; threshold it returns x
    /// (the difference is below e^−threshold), as PyTorch does.
    /// </summary>
    /// <param name="input">Any shape.</param>
    /// <param name="beta">β &gt; 0, the sharpness (default 1).</param>
    /// <param name="threshold">Above βx = threshold the function is linear (default 20).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="beta"/> is not positive and finite, or <paramref name="threshold"/> is NaN.</exception>
    public static Tensor Softplus(Tensor input, float beta = 1f, float threshold = 20f)
    {
        if (!(beta > 0f) || !float.IsFinite(beta))
            throw new ArgumentException($"Softplus beta must be positive and finite, got {beta}.", nameof(beta));
        if (float.IsNaN(threshold)) throw new ArgumentException("Softplus threshold must not be NaN.", nameof(threshold));
        return ActivationNode.Forward(ActivationKind.Softplus, input, beta, threshold);
    }

    /// <summary>Softsign, elementwise: y = x / (1 + |x|).</summary>
    /// <param name="input">Any shape.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    public static Tensor Softsign(Tensor input) => ActivationNode.Forward(ActivationKind.Softsign, input);

    /// <summary>
    /// Hardtanh, elementwise: y = min(max(x, minVal), maxVal). The gradient passes where minVal &lt; x &lt; maxVal
    /// and is zero at and beyond the bounds, as in PyTorch.
    /// </summary>
    /// <param name="input">Any shape.</param>
    /// <param name="minVal">Lower bound (default −1).</param>
    /// <param name="maxVal">Upper bound (default 1), greater than <paramref name="minVal"/>.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException">A bound is NaN, or <paramref name="maxVal"/> is not greater than <paramref name="minVal"/>.</exception>
    public static Tensor Hardtanh(Tensor input, float minVal = -1f, float maxVal = 1f)
    {
        if (float.IsNaN(minVal)) throw new ArgumentException("Hardtanh minVal must not be NaN.", nameof(minVal));
        if (!(maxVal > minVal)) throw new ArgumentException($"Hardtanh maxVal ({maxVal}) must be greater than minVal ({minVal}).", nameof(maxVal));
        return ActivationNode.Forward(ActivationKind.Hardtanh, input, minVal, maxVal);
    }

    /// <summary>
    /// Numerically stable softmax along <paramref name="dim"/>: y = exp(x − m) / Σ exp(x − m) with m the
    /// maximum along the dimension, so logits of ±1000 give exact probabilities instead of ∞/∞.
    /// The gradient is dx = y·(dy − Σ dy·y).
    /// </summary>
    /// <param name="input">Any shape with at least one dimension.</param>
    /// <param name="dim">The dimension that sums to 1 (default 1, the class dimension of (N, classes)); negative counts from the end.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension of <paramref name="input"/>.</exception>
    public static Tensor Softmax(Tensor input, int dim = 1) => SoftmaxNode.Forward(input, dim);

    private static void CheckFiniteActivationParameter(float value, string name)
    {
        if (!float.IsFinite(value)) throw new ArgumentException($"{name} must be finite, got {value}.", name);
    }
}
