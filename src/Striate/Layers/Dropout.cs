// Dropout layers (PyTorch's nn.Dropout, nn.Dropout1d/2d/3d): active in training mode, the identity in
// evaluation. The random mask comes from an Rng given at construction (or per call through
// Forward(input, rng)); there is no global random state.
using System.Globalization;

namespace Striate.Layers;

/// <summary>What the dropout layers share: the probability, the generator, and train/eval switching.</summary>
public abstract class DropoutLayer : Module
{
    private readonly Rng _rng;

    /// <summary>Checks and stores the probability and the generator.</summary>
    /// <param name="p">Probability of dropping a unit (or channel), in [0, 1].</param>
    /// <param name="rng">Source of the masks; a generator with a random seed (not reproducible) when null.</param>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
    private protected DropoutLayer(float p, Rng? rng)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Dropout probability p must be between 0 and 1, got {p}.", nameof(p));
        P = p;
        _rng = RngOrRandom(rng);
    }

    /// <summary>The generator of this layer's masks.</summary>
    protected internal override Rng? OwnRandomSource => _rng;

    /// <summary>Probability of dropping a unit (or channel).</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override string Description => "p " + P.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Applies dropout with the layer's own generator in training mode; returns the input itself in evaluation mode.</summary>
    /// <exception cref="ArgumentException">The input's shape is not one the layer accepts.</exception>
    public override Tensor Forward(Tensor input) => Forward(input, _rng);

    /// <summary>Applies dropout drawing the mask from <paramref name="rng"/> (training mode), or returns the input (evaluation mode).</summary>
    /// <param name="input">The input; see the layer for its shape.</param>
    /// <param name="rng">Source of this call's mask.</param>
    /// <exception cref="ArgumentException">The input's shape is not one the layer accepts.</exception>
    public Tensor Forward(Tensor input, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return Apply(input, IsTraining, rng);
    }

    /// <summary>The Functional dropout this layer applies.</summary>
    private protected abstract Tensor Apply(Tensor input, bool training, Rng rng);
}

/// <summary>Element-wise dropout: y = x·m with m = 1/(1 − p) (probability 1 − p) or 0, any shape (see <see cref="Functional.Dropout"/>).</summary>
/// <param name="p">Probability of dropping an element (default 0.5).</param>
/// <param name="rng">Source of the masks; a random seed when null.</param>
/// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
public sealed class Dropout(float p = 0.5f, Rng? rng = null) : DropoutLayer(p, rng)
{
    private protected override Tensor Apply(Tensor input, bool training, Rng rng) => Functional.Dropout(input, P, training, rng);
}

/// <summary>Channel-wise dropout of (N, C, L) or (C, L) inputs: whole channels are kept (scaled by 1/(1 − p)) or zeroed (see <see cref="Functional.Dropout1d"/>).</summary>
/// <param name="p">Probability of dropping a channel (default 0.5).</param>
/// <param name="rng">Source of the masks; a random seed when null.</param>
/// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
public sealed class Dropout1d(float p = 0.5f, Rng? rng = null) : DropoutLayer(p, rng)
{
    private protected override Tensor Apply(Tensor input, bool training, Rng rng) => Functional.Dropout1d(input, P, training, rng);
}

/// <summary>Channel-wise ("spatial") dropout of (N, C, H, W) or (C, H, W) inputs (see <see cref="Functional.Dropout2d"/>).</summary>
/// <param name="p">Probability of dropping a channel (default 0.5).</param>
/// <param name="rng">Source of the masks; a random seed when null.</param>
/// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
public sealed class Dropout2d(float p = 0.5f, Rng? rng = null) : DropoutLayer(p, rng)
{
    private protected override Tensor Apply(Tensor input, bool training, Rng rng) => Functional.Dropout2d(input, P, training, rng);
}

/// <summary>Channel-wise dropout of (N, C, D, H, W) or (C, D, H, W) inputs (see <see cref="Functional.Dropout3d"/>).</summary>
/// <param name="p">Probability of dropping a channel (default 0.5).</param>
/// <param name="rng">Source of the masks; a random seed when null.</param>
/// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1].</exception>
public sealed class Dropout3d(float p = 0.5f, Rng? rng = null) : DropoutLayer(p, rng)
{
    private protected override Tensor Apply(Tensor input, bool training, Rng rng) => Functional.Dropout3d(input, P, training, rng);
}
