// Losses as functions (PyTorch's F.mse_loss, F.l1_loss, F.smooth_l1_loss,
// F.binary_cross_entropy_with_logits, F.cross_entropy, F.nll_loss); formulas in
// Autograd/Ops/Losses.cs.
using Striate.Autograd.Ops;

namespace Striate;

public static partial class Functional
{
    /// <summary>Mean squared error: reduce((x − y)²).</summary>
    /// <param name="input">Predictions, any shape.</param>
    /// <param name="target">Targets, the same shape.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <exception cref="ArgumentException">The shapes differ, or a mean of an empty input.</exception>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        PointwiseLossNode.Forward(PointwiseLossKind.Mse, input, target, reduction);

    /// <summary>Mean absolute error: reduce(|x − y|).</summary>
    /// <param name="input">Predictions, any shape.</param>
    /// <param name="target">Targets, the same shape.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <exception cref="ArgumentException">The shapes differ, or a mean of an empty input.</exception>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) =>
        PointwiseLossNode.Forward(PointwiseLossKind.L1, input, target, reduction);

    /// <summary>Smooth L1: reduce(½d²/β if |d| &lt; β else |d| − ½β), d = x − y.</summary>
    /// <param name="input">Predictions, any shape.</param>
    /// <param name="target">Targets, the same shape.</param>
    /// <param name="beta">Threshold between the quadratic and linear parts (1); 0 gives L1.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <exception cref="ArgumentException">The shapes differ, or a mean of an empty input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is negative.</exception>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, float beta = 1f, Reduction reduction = Reduction.Mean) =>
        PointwiseLossNode.Forward(PointwiseLossKind.SmoothL1, input, target, reduction, beta);

    /// <summary>
    /// Binary cross-entropy on logits, stable for any |x|:
    /// reduce((1 − y)·x + (1 + (p − 1)·y)·log(1 + e^−x)).
    /// </summary>
    /// <param name="input">Logits, any shape.</param>
    /// <param name="target">Targets in [0, 1], the same shape.</param>
    /// <param name="posWeight">Weight p of positive examples per class (the last dimension), or null for 1.</param>
    /// <param name="reduction">Mean (default), sum or none.</param>
    /// <exception cref="ArgumentException">The shapes differ, or <paramref name="posWeight"/> does not match the last dimension.</exception>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? posWeight = null, Reduction reduction = Reduction.Mean) =>
        PointwiseLossNode.Forward(PointwiseLossKind.BceWithLogits, input, target, reduction, posWeight: posWeight);

    /// <summary>
    /// Cross-entropy of logits against class indices with class weights and label smoothing, as
    /// PyTorch's <c>F.cross_entropy</c> (formula in the file header of Autograd/Ops/Losses.cs).
    /// </summary>
    /// <param name="logits">(N, classes) unnormalised scores.</param>
    /// <param name="targets">N class indices.</param>
    /// <param name="weight">(classes) weights, or null for equal weights.</param>
    /// <param name="labelSmoothing">ε in [0, 1]: the target distribution becomes (1 − ε)·one-hot + ε/classes.</param>
    /// <param name="reduction">Mean over the total target weight (default), sum, or none (one loss per sample).</param>
    /// <exception cref="ArgumentException">Shapes disagree or a target is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is outside [0, 1].</exception>
    public static Tensor CrossEntropy(Tensor logits, ReadOnlySpan<int> targets, Tensor? weight, float labelSmoothing = 0f, Reduction reduction = Reduction.Mean) =>
        CrossEntropyNode.Forward(logits, targets, weight, labelSmoothing, reduction, inputIsLogProbabilities: false);

    /// <summary>Negative log-likelihood with class weights: reduce(−w[t_n]·logProbs[n, t_n]); the mean divides by Σ w[t_n].</summary>
    /// <param name="logProbs">(N, classes) log-probabilities.</param>
    /// <param name="targets">N class indices.</param>
    /// <param name="weight">(classes) weights, or null for equal weights.</param>
    /// <param name="reduction">Mean (default), sum, or none.</param>
    /// <exception cref="ArgumentException">Shapes disagree or a target is out of range.</exception>
    public static Tensor NllLoss(Tensor logProbs, ReadOnlySpan<int> targets, Tensor? weight, Reduction reduction = Reduction.Mean) =>
        CrossEntropyNode.Forward(logProbs, targets, weight, 0f, reduction, inputIsLogProbabilities: true);
}
