// Detector-stage activations (kernels in Striate.Kernels/Elementwise/ActivationKernel.cs).
//   ReLU: y = max(x, 0)   tanh: y = tanh(x)   sigmoid: y = 1/(1+e^−x)
using Striate.Kernels.Elementwise;

namespace Striate.Autograd.Ops;

/// <summary>The elementwise activations with a backward expressed through their output.</summary>
public enum ActivationKind
{
    /// <summary>max(x, 0)</summary>
    Relu,
    /// <summary>tanh(x)</summary>
    Tanh,
    /// <summary>1 / (1 + e^−x)</summary>
    Sigmoid,
}

/// <summary>Autograd node for an activation; saves its output y, which is all backward needs.</summary>
internal sealed class ActivationNode(ActivationKind kind, Tensor x) : Node(x)
{
    public override string Name => kind.ToString();

    public static Tensor Forward(ActivationKind kind, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = x.UninitializedLike();
        switch (kind)
        {
            case ActivationKind.Relu: ActivationKernel.ReluForward(x.Data, y.Data); break;
            case ActivationKind.Tanh: ActivationKernel.TanhForward(x.Data, y.Data); break;
            default: ActivationKernel.SigmoidForward(x.Data, y.Data); break;
        }
        if (ShouldRecord(x)) y.SetGradFn(new ActivationNode(kind, x));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        switch (kind)
        {
            case ActivationKind.Relu: ActivationKernel.ReluBackward(output.Data, gradOutput, dx); break; // y = max(x, 0)
            case ActivationKind.Tanh: ActivationKernel.TanhBackward(output.Data, gradOutput, dx); break; // y = tanh(x)
            default: ActivationKernel.SigmoidBackward(output.Data, gradOutput, dx); break;                // y = σ(x)
        }
    }
}
