// Detector-stage activations (kernels in Striate.Kernels/Elementwise/ActivationKernel.cs, whose
// header lists every forward and derivative).
//   ReLU: y = max(x, 0)   tanh: y = tanh(x)   sigmoid: y = 1/(1+e^−x)   (backward from y)
//   LeakyReLU, ELU, SELU, GELU (erf or tanh form), SiLU, Softplus, Softsign, Hardtanh, erf   (backward from x)
//   PReLU: y[n,c,…] = x > 0 ? x : a_c·x with a learned slope per channel (or one shared)
// Parameterised activations carry their parameters (slope, α, β, threshold, bounds) in the node.
using Striate.Kernels.Elementwise;

namespace Striate.Autograd.Ops;

/// <summary>The elementwise activations computed by <see cref="ActivationNode"/>.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0)</summary>
    Relu,
    /// <summary>tanh(x)</summary>
    Tanh,
    /// <summary>1 / (1 + e^−x)</summary>
    Sigmoid,
    /// <summary>x &gt; 0 ? x : s·x (parameter: the negative slope s)</summary>
    LeakyRelu,
    /// <summary>x &gt; 0 ? x : α(e^x − 1) (parameter: α)</summary>
    Elu,
    /// <summary>λ·(x &gt; 0 ? x : α(e^x − 1)) with α ≈ 1.6733, λ ≈ 1.0507</summary>
    Selu,
    /// <summary>x·Φ(x) = ½x(1 + erf(x/√2))</summary>
    Gelu,
    /// <summary>½x(1 + tanh(√(2/π)(x + 0.044715x³)))</summary>
    GeluTanh,
    /// <summary>x·σ(x)</summary>
    Silu,
    /// <summary>βx &gt; threshold ? x : log(1 + e^(βx))/β (parameters: β, threshold)</summary>
    Softplus,
    /// <summary>x / (1 + |x|)</summary>
    Softsign,
    /// <summary>min(max(x, lo), hi) (parameters: lo, hi)</summary>
    Hardtanh,
    /// <summary>erf(x) = (2/√π)∫₀ˣ e^(−t²) dt</summary>
    Erf,
}

/// <summary>
/// Autograd node for an elementwise activation. ReLU, tanh and sigmoid differentiate through their
/// output y; the others through their input x (the node's input), as PyTorch does.
/// </summary>
internal sealed class ActivationNode(ActivationKind kind, Tensor x, float a, float b) : Node(x)
{
    public override string Name => kind.ToString();

    public static Tensor Forward(ActivationKind kind, Tensor x, float a = 0f, float b = 0f)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = x.UninitializedLike(); // every kernel below writes every element
        int threads = Compute.Threads;
        switch (kind)
        {
            case ActivationKind.Relu: ActivationKernel.ReluForward(x.Data, y.Data); break;
            case ActivationKind.Tanh: ActivationKernel.TanhForward(x.Data, y.Data); break;
            case ActivationKind.Sigmoid: ActivationKernel.SigmoidForward(x.Data, y.Data); break;
            case ActivationKind.LeakyRelu: ActivationKernel.LeakyReluForward(x.Data, a, y.Data, threads); break;
            case ActivationKind.Elu: ActivationKernel.EluForward(x.Data, a, y.Data, threads); break;
            case ActivationKind.Selu: ActivationKernel.SeluForward(x.Data, y.Data, threads); break;
            case ActivationKind.Gelu: ActivationKernel.GeluForward(x.Data, y.Data, threads); break;
            case ActivationKind.GeluTanh: ActivationKernel.GeluTanhForward(x.Data, y.Data, threads); break;
            case ActivationKind.Silu: ActivationKernel.SiluForward(x.Data, y.Data, threads); break;
            case ActivationKind.Softplus: ActivationKernel.SoftplusForward(x.Data, a, b, y.Data, threads); break;
            case ActivationKind.Softsign: ActivationKernel.SoftsignForward(x.Data, y.Data, threads); break;
            case ActivationKind.Hardtanh: ActivationKernel.HardtanhForward(x.Data, a, b, y.Data, threads); break;
            case ActivationKind.Erf: ActivationKernel.ErfForward(x.Data, y.Data, threads); break;
            default: throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown activation.");
        }
        if (ShouldRecord(x)) y.SetGradFn(new ActivationNode(kind, x, a, b));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        ReadOnlySpan<float> x = Inputs[0].Data;
        int threads = Compute.Threads;
        switch (kind)
        {
            case ActivationKind.Relu: ActivationKernel.ReluBackward(output.Data, gradOutput, dx); break;                   // y = max(x, 0)
            case ActivationKind.Tanh: ActivationKernel.TanhBackward(output.Data, gradOutput, dx); break;                   // y = tanh(x)
            case ActivationKind.Sigmoid: ActivationKernel.SigmoidBackward(output.Data, gradOutput, dx); break;             // y = σ(x)
            case ActivationKind.LeakyRelu: ActivationKernel.LeakyReluBackward(x, gradOutput, a, dx, threads); break;       // y = x > 0 ? x : s·x
            case ActivationKind.Elu: ActivationKernel.EluBackward(x, gradOutput, a, dx, threads); break;                   // y = x > 0 ? x : α(e^x − 1)
            case ActivationKind.Selu: ActivationKernel.SeluBackward(x, gradOutput, dx, threads); break;                    // y = λ(x > 0 ? x : α(e^x − 1))
            case ActivationKind.Gelu: ActivationKernel.GeluBackward(x, gradOutput, dx, threads); break;                    // y = x·Φ(x)
            case ActivationKind.GeluTanh: ActivationKernel.GeluTanhBackward(x, gradOutput, dx, threads); break;            // y = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))
            case ActivationKind.Silu: ActivationKernel.SiluBackward(x, gradOutput, dx, threads); break;                    // y = x·σ(x)
            case ActivationKind.Softplus: ActivationKernel.SoftplusBackward(x, gradOutput, a, b, dx, threads); break;      // y = log(1 + e^(βx))/β
            case ActivationKind.Softsign: ActivationKernel.SoftsignBackward(x, gradOutput, dx, threads); break;            // y = x/(1 + |x|)
            case ActivationKind.Erf: ActivationKernel.ErfBackward(x, gradOutput, dx, threads); break;                      // y = erf(x)
            default: ActivationKernel.HardtanhBackward(x, gradOutput, a, b, dx, threads); break;                           // y = clamp(x, lo, hi)
        }
    }
}

/// <summary>Autograd node for PReLU, y = x &gt; 0 ? x : a_c·x, with slopes a of length 1 or C (the size of dimension 1).</summary>
internal sealed class PReluNode(Tensor x, Tensor weight, int n, int c, int inner) : Node(x, weight)
{
    public override string Name => "PRelu";

    public static Tensor Forward(Tensor x, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weight);
        // As PyTorch: the channel dimension is 1; inputs of rank 0 or 1 have a single channel.
        int channels = x.Rank >= 2 ? x.Dims[1] : 1;
        if (weight.Rank != 1 || (weight.Length != 1 && weight.Length != channels))
            throw new ArgumentException($"PReLU weight must be a vector of 1 slope or one per channel ({channels} for input {Tensor.ShapeText(x.Dims)}), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        int n = x.Rank >= 2 ? x.Dims[0] : 1;
        int inner = 1;
        for (int d = 2; d < x.Rank; d++) inner *= x.Dims[d];
        if (x.Rank < 2) inner = x.Length;
        var y = x.UninitializedLike(); // PReluForward writes every element
        ActivationKernel.PReluForward(x.Data, weight.Data, n, channels, inner, y.Data, Compute.Threads);
        if (ShouldRecord(x, weight)) y.SetGradFn(new PReluNode(x, weight, n, channels, inner));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        // y = x > 0 ? x : a_c·x  ⇒  dx = dy·(x > 0 ? 1 : a_c),  da_c = Σ dy·(x > 0 ? 0 : x)
        ActivationKernel.PReluBackward(Inputs[0].Data, Inputs[1].Data, gradOutput, n, c, inner, GradOf(0), GradOf(1), Compute.Threads);
    }
}
