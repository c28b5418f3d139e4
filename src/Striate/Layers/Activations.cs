// Activation layers (the detector stage) and Flatten. All are parameter-free except PReLU, whose
// slopes are learned. Names and defaults follow torch.nn so PyTorch material carries over.
using System.Globalization;

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

/// <summary>Leaky ReLU: y = x &gt; 0 ? x : negativeSlope·x elementwise (see <see cref="Functional.LeakyRelu"/>).</summary>
public sealed class LeakyReLU : Module
{
    /// <summary>Creates a leaky ReLU.</summary>
    /// <param name="negativeSlope">Slope for x ≤ 0 (PyTorch's default 0.01).</param>
    /// <exception cref="ArgumentException"><paramref name="negativeSlope"/> is not finite.</exception>
    public LeakyReLU(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope)) throw new ArgumentException($"negativeSlope must be finite, got {negativeSlope}.", nameof(negativeSlope));
        NegativeSlope = negativeSlope;
    }

    /// <summary>Slope for x ≤ 0.</summary>
    public float NegativeSlope { get; }

    /// <inheritdoc/>
    public override string Description => "slope " + NegativeSlope.ToString("G6", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LeakyRelu(input, NegativeSlope);
}

/// <summary>
/// PReLU: y[n,c,…] = x &gt; 0 ? x : a_c·x with learned slopes a, one shared or one per channel
/// (dimension 1), initialised to <see cref="Init"/> (see <see cref="Functional.PRelu"/>).
/// </summary>
public sealed class PReLU : Module
{
    /// <summary>Creates a PReLU layer with parameter <c>weight</c> of shape (numParameters).</summary>
    /// <param name="numParameters">1 (one slope for every channel) or the number of input channels.</param>
    /// <param name="init">Initial slope (PyTorch's default 0.25).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numParameters"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="init"/> is not finite.</exception>
    public PReLU(int numParameters = 1, float init = 0.25f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numParameters);
        if (!float.IsFinite(init)) throw new ArgumentException($"init must be finite, got {init}.", nameof(init));
        NumParameters = numParameters;
        Init = init;
        Weight = RegisterParameter("weight", Tensor.Full(init, numParameters));
    }

    /// <summary>Number of slopes: 1 or the channel count.</summary>
    public int NumParameters { get; }

    /// <summary>The initial slope.</summary>
    public float Init { get; }

    /// <summary>(numParameters) learned slopes.</summary>
    public Tensor Weight { get; }

    /// <inheritdoc/>
    public override string Description => NumParameters == 1 ? "1 shared slope" : $"{NumParameters} slopes";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.PRelu(input, Weight);
}

/// <summary>ELU: y = x &gt; 0 ? x : α(e^x − 1) elementwise (see <see cref="Functional.Elu"/>).</summary>
public sealed class ELU : Module
{
    /// <summary>Creates an ELU.</summary>
    /// <param name="alpha">α (PyTorch's default 1).</param>
    /// <exception cref="ArgumentException"><paramref name="alpha"/> is not finite.</exception>
    public ELU(float alpha = 1f)
    {
        if (!float.IsFinite(alpha)) throw new ArgumentException($"alpha must be finite, got {alpha}.", nameof(alpha));
        Alpha = alpha;
    }

    /// <summary>α.</summary>
    public float Alpha { get; }

    /// <inheritdoc/>
    public override string Description => "α " + Alpha.ToString("G6", CultureInfo.InvariantCulture);

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Elu(input, Alpha);
}

/// <summary>SELU: y = λ·(x &gt; 0 ? x : α(e^x − 1)) elementwise with the fixed self-normalising α and λ (see <see cref="Functional.Selu"/>).</summary>
public sealed class SELU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Selu(input);
}

/// <summary>GELU: y = x·Φ(x) elementwise, exact or tanh-approximated (see <see cref="Functional.Gelu"/>).</summary>
public sealed class GELU : Module
{
    /// <summary>Creates a GELU.</summary>
    /// <param name="approximate">Exact (default, PyTorch's <c>'none'</c>) or the tanh form.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="approximate"/> is not a defined value.</exception>
    public GELU(GeluApproximation approximate = GeluApproximation.None)
    {
        if (!Enum.IsDefined(approximate)) throw new ArgumentOutOfRangeException(nameof(approximate), approximate, "GELU approximation must be None or Tanh.");
        Approximate = approximate;
    }

    /// <summary>The form computed.</summary>
    public GeluApproximation Approximate { get; }

    /// <inheritdoc/>
    public override string Description => Approximate == GeluApproximation.Tanh ? "tanh approximation" : "";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Gelu(input, Approximate);
}

/// <summary>SiLU (swish): y = x·σ(x) elementwise.</summary>
public sealed class SiLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Silu(input);
}

/// <summary>Softplus: y = log(1 + e^(βx))/β elementwise, linear where βx &gt; threshold (see <see cref="Functional.Softplus"/>).</summary>
public sealed class Softplus : Module
{
    /// <summary>Creates a softplus.</summary>
    /// <param name="beta">β &gt; 0 (default 1).</param>
    /// <param name="threshold">Linear above βx = threshold (default 20).</param>
    /// <exception cref="ArgumentException"><paramref name="beta"/> is not positive and finite, or <paramref name="threshold"/> is NaN.</exception>
    public Softplus(float beta = 1f, float threshold = 20f)
    {
        if (!(beta > 0f) || !float.IsFinite(beta)) throw new ArgumentException($"beta must be positive and finite, got {beta}.", nameof(beta));
        if (float.IsNaN(threshold)) throw new ArgumentException("threshold must not be NaN.", nameof(threshold));
        Beta = beta;
        Threshold = threshold;
    }

    /// <summary>β.</summary>
    public float Beta { get; }

    /// <summary>The linear threshold on βx.</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override string Description =>
        string.Create(CultureInfo.InvariantCulture, $"β {Beta:G6}, threshold {Threshold:G6}");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softplus(input, Beta, Threshold);
}

/// <summary>Softsign: y = x / (1 + |x|) elementwise.</summary>
public sealed class Softsign : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softsign(input);
}

/// <summary>Hardtanh: y = min(max(x, minVal), maxVal) elementwise (see <see cref="Functional.Hardtanh"/>).</summary>
public sealed class Hardtanh : Module
{
    /// <summary>Creates a hard tanh.</summary>
    /// <param name="minVal">Lower bound (default −1).</param>
    /// <param name="maxVal">Upper bound (default 1), greater than <paramref name="minVal"/>.</param>
    /// <exception cref="ArgumentException">A bound is NaN, or <paramref name="maxVal"/> is not greater than <paramref name="minVal"/>.</exception>
    public Hardtanh(float minVal = -1f, float maxVal = 1f)
    {
        if (float.IsNaN(minVal)) throw new ArgumentException("minVal must not be NaN.", nameof(minVal));
        if (!(maxVal > minVal)) throw new ArgumentException($"maxVal ({maxVal}) must be greater than minVal ({minVal}).", nameof(maxVal));
        MinVal = minVal;
        MaxVal = maxVal;
    }

    /// <summary>Lower bound.</summary>
    public float MinVal { get; }

    /// <summary>Upper bound.</summary>
    public float MaxVal { get; }

    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture, $"[{MinVal:G6}, {MaxVal:G6}]");

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Hardtanh(input, MinVal, MaxVal);
}

/// <summary>Softmax along <see cref="Dim"/>: y = exp(x − max) / Σ exp(x − max) (see <see cref="Functional.Softmax"/>).</summary>
/// <param name="dim">The dimension that sums to 1 (default 1, the class dimension of (N, classes)); negative counts from the end.</param>
public sealed class Softmax(int dim = 1) : Module
{
    /// <summary>The dimension that sums to 1.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override string Description => $"dim {Dim}";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmax(input, Dim);
}

/// <summary>Log-softmax along <see cref="Dim"/>: y = x − max − log Σ exp(x − max) (see <see cref="Functional.LogSoftmax"/>).</summary>
/// <param name="dim">The dimension normalised (default 1); negative counts from the end.</param>
public sealed class LogSoftmax(int dim = 1) : Module
{
    /// <summary>The dimension normalised.</summary>
    public int Dim { get; } = dim;

    /// <inheritdoc/>
    public override string Description => $"dim {Dim}";

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LogSoftmax(input, Dim);
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
