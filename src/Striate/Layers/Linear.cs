// Fully connected (dense) layer: y = x·Wᵀ + b. W: (out, in), b: (out).
namespace Striate.Layers;

/// <summary>A dense layer, y = x·Wᵀ + b, initialised as PyTorch does (U(−1/√in, 1/√in)).</summary>
public sealed class Linear : Module
{
    /// <summary>Creates a dense layer.</summary>
    /// <param name="inFeatures">Input size.</param>
    /// <param name="outFeatures">Output size.</param>
    /// <param name="bias">Whether to add a learned bias.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inFeatures);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outFeatures);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        var r = RngOrRandom(rng);
        float bound = DefaultInitBound(inFeatures);
        Weight = RegisterParameter("weight", Tensor.Uniform(r, -bound, bound, outFeatures, inFeatures));
        Bias = bias ? RegisterParameter("bias", Tensor.Uniform(r, -bound, bound, outFeatures)) : null;
    }

    /// <summary>Input size.</summary>
    public int InFeatures { get; }

    /// <summary>Output size.</summary>
    public int OutFeatures { get; }

    /// <summary>(out, in) weights.</summary>
    public Tensor Weight { get; }

    /// <summary>(out) bias, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description => $"{InFeatures}→{OutFeatures}" + (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);
}
