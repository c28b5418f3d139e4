// Gradient clipping (PyTorch's clip_grad_norm_ and clip_grad_value_) and the search for the
// first non-finite gradient, so a diverging run can say where it diverged.
//   total = (Σ_p ‖∇p‖_q^q)^(1/q)  (q = ∞: max |∇|);  if total > max: ∇ ← ∇ · max/(total + 1e-6)
using Striate.Layers;

namespace Striate.Training;

/// <summary>Gradient clipping and non-finite gradient detection.</summary>
public static class GradientClipping
{
    /// <summary>
    /// Scales all gradients together so their joint norm is at most <paramref name="maxNorm"/>.
    /// </summary>
    /// <param name="parameters">Parameters whose gradients to clip (those without a gradient are ignored).</param>
    /// <param name="maxNorm">The largest allowed norm.</param>
    /// <param name="normType">q of the q-norm (2 by default; <see cref="float.PositiveInfinity"/> for the max norm).</param>
    /// <returns>The joint norm before clipping (NaN or ∞ when a gradient is not finite; then nothing is scaled).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is negative, or <paramref name="normType"/> is not positive.</exception>
    public static double ClipGradNorm(IEnumerable<Tensor> parameters, float maxNorm, float normType = 2f)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm >= 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "maxNorm must be non-negative.");
        if (!(normType > 0)) throw new ArgumentOutOfRangeException(nameof(normType), normType, "normType must be positive.");
        var grads = parameters.Where(p => p.Grad is not null).Select(p => p.Grad!).ToList();
        double total = 0;
        foreach (var g in grads)
        {
            foreach (float v in g.AsSpan())
            {
                double a = Math.Abs(v);
                total = float.IsPositiveInfinity(normType) ? Math.Max(total, a) : total + Math.Pow(a, normType);
                if (double.IsNaN(a)) total = double.NaN;
            }
        }
        if (!float.IsPositiveInfinity(normType)) total = Math.Pow(total, 1.0 / normType);
        if (!double.IsFinite(total)) return total;
        double coefficient = maxNorm / (total + 1e-6);
        if (coefficient < 1)
            foreach (var g in grads)
            {
                var span = g.AsSpan();
                for (int i = 0; i < span.Length; i++) span[i] = (float)(span[i] * coefficient);
            }
        return total;
    }

    /// <summary>Clamps every gradient element into [−<paramref name="clipValue"/>, <paramref name="clipValue"/>].</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is negative.</exception>
    public static void ClipGradValue(IEnumerable<Tensor> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "clipValue must be non-negative.");
        foreach (var p in parameters)
        {
            if (p.Grad is null) continue;
            var span = p.Grad.AsSpan();
            for (int i = 0; i < span.Length; i++) span[i] = Math.Clamp(span[i], -clipValue, clipValue);
        }
    }

    /// <summary>
    /// The first parameter (in registration order) whose gradient holds NaN or ±∞, with the value
    /// found, or null when every gradient is finite.
    /// </summary>
    public static (string Name, float Value)? FindNonFiniteGradient(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (p.Grad is null) continue;
            foreach (float v in p.Grad.AsSpan())
                if (!float.IsFinite(v)) return (name, v);
        }
        return null;
    }
}
