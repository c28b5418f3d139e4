// Functional: every op as a static function, PyTorch's torch.nn.functional in .NET naming.
// Split across files by op family (Functional.Conv.cs, Functional.Pool.cs, ...).
using Striate.Autograd.Ops;

namespace Striate;

/// <summary>The ops as functions: <c>Functional.Conv2d(input, weight, bias, stride, padding)</c> and so on.</summary>
public static partial class Functional
{
    /// <summary>max(x, 0) elementwise.</summary>
    public static Tensor Relu(Tensor input) => ActivationNode.Forward(ActivationKind.Relu, input);

    /// <summary>tanh(x) elementwise.</summary>
    public static Tensor Tanh(Tensor input) => ActivationNode.Forward(ActivationKind.Tanh, input);

    /// <summary>1 / (1 + e^−x) elementwise.</summary>
    public static Tensor Sigmoid(Tensor input) => ActivationNode.Forward(ActivationKind.Sigmoid, input);

    /// <summary>y = x·Wᵀ + b.</summary>
    /// <param name="input">(N, in).</param>
    /// <param name="weight">(out, in).</param>
    /// <param name="bias">(out), or null for none.</param>
    /// <returns>(N, out).</returns>
    /// <exception cref="ArgumentException">The shapes do not fit together.</exception>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => LinearNode.Forward(input, weight, bias);

    /// <summary>Matrix product of two 2-D tensors.</summary>
    /// <exception cref="ArgumentException">Not 2-D, or the inner sizes differ.</exception>
    public static Tensor MatMul(Tensor a, Tensor b) => MatMulNode.Forward(a, b);

    /// <summary>Flattens dimensions <paramref name="startDim"/>..end into one: (N, C, H, W) → (N, C·H·W).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startDim"/> is not a dimension.</exception>
    public static Tensor Flatten(Tensor input, int startDim = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        int d = ReductionNode.NormalizeDim(startDim, input.Rank, nameof(startDim));
        var shape = new int[d + 1];
        for (int i = 0; i < d; i++) shape[i] = input.Dims[i];
        int rest = 1;
        for (int i = d; i < input.Rank; i++) rest *= input.Dims[i];
        shape[d] = rest;
        return ReshapeNode.Forward(input, shape);
    }

    /// <summary>Numerically stable log-softmax: y = x − max − log Σ exp(x − max), along <paramref name="dim"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension.</exception>
    public static Tensor LogSoftmax(Tensor input, int dim = 1) => LogSoftmaxNode.Forward(input, dim);

    /// <summary>Mean negative log-likelihood: −(1/N) Σ_n logProbs[n, targets[n]].</summary>
    /// <param name="logProbs">(N, classes) log-probabilities.</param>
    /// <param name="targets">N class indices in [0, classes).</param>
    /// <exception cref="ArgumentException">Shapes disagree or a target is out of range.</exception>
    public static Tensor NllLoss(Tensor logProbs, ReadOnlySpan<int> targets) => NllLossNode.Forward(logProbs, targets);

    /// <summary>Cross-entropy of logits against class indices: NllLoss(LogSoftmax(logits, 1), targets), averaged over the batch.</summary>
    /// <param name="logits">(N, classes) unnormalized scores.</param>
    /// <param name="targets">N class indices in [0, classes).</param>
    /// <exception cref="ArgumentException">Shapes disagree or a target is out of range.</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets) => NllLoss(LogSoftmax(logits, 1), targets);
}
