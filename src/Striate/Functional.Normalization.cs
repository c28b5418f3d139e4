// Functional normalization: local response normalization (PyTorch's local_response_norm and
// TensorFlow's local_response_normalization, which differ in how they scale alpha) and batch
// normalization (torch.nn.functional.batch_norm), and dropout (element-wise and channel-wise), the
// regularizer that sits beside them in the chapter's networks.
using Striate.Autograd.Ops;
using Striate.Kernels.Normalization;

namespace Striate;

public static partial class Functional
{
    /// <summary>
    /// Local response normalization across channels, PyTorch's convention:
    /// b[n,c,…] = a[n,c,…] / (k + (alpha/size)·Σ_{c′ = c − ⌊size/2⌋}^{c + ⌊(size−1)/2⌋} a[n,c′,…]²)^beta,
    /// channels outside [0, C) counting as zero. AlexNet used size 5, alpha 1e-4, beta 0.75, k 2.
    /// </summary>
    /// <param name="input">(N, C, …) with at least 3 dimensions: (N, C, L), (N, C, H, W) or (N, C, D, H, W).</param>
    /// <param name="size">Channels in the window, n ≥ 1.</param>
    /// <param name="alpha">α ≥ 0, divided by <paramref name="size"/> (PyTorch's default 1e-4).</param>
    /// <param name="beta">β, the exponent (default 0.75).</param>
    /// <param name="k">k &gt; 0, the additive constant (default 1).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="input"/> has fewer than 3 dimensions; <paramref name="size"/> is not positive; <paramref name="alpha"/> is
    /// negative or not finite; <paramref name="beta"/> is not finite; <paramref name="k"/> is not positive and finite.
    /// </exception>
    public static Tensor LocalResponseNorm(Tensor input, int size, float alpha = 1e-4f, float beta = 0.75f, float k = 1f)
    {
        if (size < 1) throw new ArgumentException($"LocalResponseNorm size must be at least 1, got {size}.", nameof(size));
        CheckLrnConstants(alpha, beta, k, nameof(k));
        return LocalResponseNormNode.Forward(input, LrnWindow.PyTorch(size, alpha, beta, k));
    }

    /// <summary>
    /// Local response normalization across channels, TensorFlow's <c>tf.nn.local_response_normalization</c>
    /// (the chapter's and AlexNet's formula): sqr_sum[n,c,…] = Σ_{c′ = c − depthRadius}^{c + depthRadius} x[n,c′,…]²,
    /// output = x / (bias + alpha·sqr_sum)^beta. Alpha is not divided by the window size, so this equals
    /// <see cref="LocalResponseNorm"/> with size = 2·depthRadius + 1, alpha·size, beta and k = bias. TensorFlow
    /// normalizes the last dimension of NHWC; here the channels are dimension 1 of NCHW.
    /// </summary>
    /// <param name="input">(N, C, …) with at least 3 dimensions.</param>
    /// <param name="depthRadius">r ≥ 0: the window is channels c − r … c + r (TensorFlow's default 5).</param>
    /// <param name="bias">k &gt; 0 (default 1).</param>
    /// <param name="alpha">α ≥ 0, the weight of each squared term (default 1).</param>
    /// <param name="beta">β, the exponent (default 0.5).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="input"/> has fewer than 3 dimensions; <paramref name="depthRadius"/> is negative; <paramref name="bias"/> is not
    /// positive and finite; <paramref name="alpha"/> is negative or not finite; <paramref name="beta"/> is not finite.
    /// </exception>
    public static Tensor LocalResponseNormalization(Tensor input, int depthRadius = 5, float bias = 1f, float alpha = 1f, float beta = 0.5f)
    {
        if (depthRadius < 0) throw new ArgumentException($"LocalResponseNormalization depthRadius must be non-negative, got {depthRadius}.", nameof(depthRadius));
        CheckLrnConstants(alpha, beta, bias, nameof(bias));
        return LocalResponseNormNode.Forward(input, LrnWindow.TensorFlow(depthRadius, bias, alpha, beta));
    }

    /// <summary>
    /// Batch normalization, PyTorch's <c>F.batch_norm</c>: y = weight·(x − μ)/√(σ² + eps) + bias per channel (dimension 1).
    /// With <paramref name="training"/> μ and σ² are the batch mean and biased variance over every dimension but 1,
    /// the gradient flows through them, and the running statistics (when given) are updated in place:
    /// runningMean ← (1 − momentum)·runningMean + momentum·μ and runningVar ← (1 − momentum)·runningVar + momentum·σ²·m/(m − 1)
    /// (the unbiased variance, m values per channel). Without it the running statistics are used as constants.
    /// </summary>
    /// <param name="input">(N, C) or (N, C, …): (N, C, L), (N, C, H, W), (N, C, D, H, W).</param>
    /// <param name="runningMean">(C) running mean, updated in training; null (with <paramref name="runningVar"/>) to keep none.</param>
    /// <param name="runningVar">(C) running variance, updated in training; null (with <paramref name="runningMean"/>) to keep none.</param>
    /// <param name="weight">γ (C), or null for 1.</param>
    /// <param name="bias">β (C), or null for 0.</param>
    /// <param name="training">Use (and track) the batch statistics rather than the running ones.</param>
    /// <param name="momentum">Weight of the new batch in the running averages, in [0, 1] (default 0.1).</param>
    /// <param name="eps">ε &gt; 0 added to the variance (default 1e-5).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException">
    /// <paramref name="input"/> has fewer than 2 dimensions, or in training only one value per channel; a (C) tensor has another shape;
    /// only one running statistic is given, or none in evaluation; <paramref name="momentum"/> is outside [0, 1];
    /// <paramref name="eps"/> is not positive and finite.
    /// </exception>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f)
    {
        if (!(momentum >= 0f && momentum <= 1f)) throw new ArgumentException($"BatchNorm momentum must be in [0, 1], got {momentum}.", nameof(momentum));
        if (!(eps > 0f) || !float.IsFinite(eps)) throw new ArgumentException($"BatchNorm eps must be positive and finite, got {eps}.", nameof(eps));
        return BatchNormNode.Forward(input, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /// <summary>
    /// Dropout, element-wise (PyTorch's <c>F.dropout</c>): in training each element is kept with probability 1 − p and
    /// scaled by 1/(1 − p), otherwise zeroed: y = x·m, m ∈ {0, 1/(1 − p)}, so E[y] = x. The gradient uses the same mask.
    /// Not training (or p = 0) it returns <paramref name="input"/> itself; p = 1 zeroes everything.
    /// </summary>
    /// <param name="input">Any shape.</param>
    /// <param name="p">Probability of dropping an element, in [0, 1] (default 0.5).</param>
    /// <param name="training">Apply dropout (true) or pass the input through (false).</param>
    /// <param name="rng">Source of the mask; required when training with 0 &lt; p &lt; 1 (randomness is always passed in).</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="p"/> is outside [0, 1], or <paramref name="rng"/> is null when a mask must be drawn.</exception>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true, Rng? rng = null) =>
        DropoutGroups(input, p, training, rng, channelDims: -1, "Dropout");

    /// <summary>
    /// Channel-wise dropout of 1-D feature maps (PyTorch's <c>F.dropout1d</c>): each channel of (N, C, L), or of an unbatched
    /// (C, L), is kept whole with probability 1 − p and scaled by 1/(1 − p), or zeroed whole. Identity when not training.
    /// </summary>
    /// <param name="input">(N, C, L) or (C, L).</param>
    /// <param name="p">Probability of dropping a channel, in [0, 1] (default 0.5).</param>
    /// <param name="training">Apply dropout (true) or pass the input through (false).</param>
    /// <param name="rng">Source of the mask; required when training with 0 &lt; p &lt; 1.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not 2- or 3-D, <paramref name="p"/> is outside [0, 1], or <paramref name="rng"/> is null when a mask must be drawn.</exception>
    public static Tensor Dropout1d(Tensor input, float p = 0.5f, bool training = true, Rng? rng = null) =>
        DropoutGroups(input, p, training, rng, channelDims: 1, "Dropout1d");

    /// <summary>
    /// Channel-wise dropout of 2-D feature maps (PyTorch's <c>F.dropout2d</c>, "spatial dropout"): each channel of (N, C, H, W),
    /// or of an unbatched (C, H, W), is kept whole with probability 1 − p and scaled by 1/(1 − p), or zeroed whole.
    /// Adjacent pixels are strongly correlated, so dropping single pixels would barely regularize a convolutional layer.
    /// </summary>
    /// <param name="input">(N, C, H, W) or (C, H, W).</param>
    /// <param name="p">Probability of dropping a channel, in [0, 1] (default 0.5).</param>
    /// <param name="training">Apply dropout (true) or pass the input through (false).</param>
    /// <param name="rng">Source of the mask; required when training with 0 &lt; p &lt; 1.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not 3- or 4-D, <paramref name="p"/> is outside [0, 1], or <paramref name="rng"/> is null when a mask must be drawn.</exception>
    public static Tensor Dropout2d(Tensor input, float p = 0.5f, bool training = true, Rng? rng = null) =>
        DropoutGroups(input, p, training, rng, channelDims: 2, "Dropout2d");

    /// <summary>
    /// Channel-wise dropout of 3-D feature maps (PyTorch's <c>F.dropout3d</c>): each channel of (N, C, D, H, W), or of an
    /// unbatched (C, D, H, W), is kept whole with probability 1 − p and scaled by 1/(1 − p), or zeroed whole.
    /// </summary>
    /// <param name="input">(N, C, D, H, W) or (C, D, H, W).</param>
    /// <param name="p">Probability of dropping a channel, in [0, 1] (default 0.5).</param>
    /// <param name="training">Apply dropout (true) or pass the input through (false).</param>
    /// <param name="rng">Source of the mask; required when training with 0 &lt; p &lt; 1.</param>
    /// <returns>Same shape as <paramref name="input"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="input"/> is not 4- or 5-D, <paramref name="p"/> is outside [0, 1], or <paramref name="rng"/> is null when a mask must be drawn.</exception>
    public static Tensor Dropout3d(Tensor input, float p = 0.5f, bool training = true, Rng? rng = null) =>
        DropoutGroups(input, p, training, rng, channelDims: 3, "Dropout3d");

    /// <summary>Dropout with one mask value per element (channelDims −1) or per channel of a map with channelDims spatial dimensions.</summary>
    private static Tensor DropoutGroups(Tensor input, float p, bool training, Rng? rng, int channelDims, string name)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"{name} probability p must be between 0 and 1, got {p}.", nameof(p));
        int groupSize = 1;
        if (channelDims > 0)
        {
            if (input.Rank != channelDims + 1 && input.Rank != channelDims + 2)
            {
                string spatial = channelDims switch { 1 => "L", 2 => "H, W", _ => "D, H, W" };
                throw new ArgumentException($"{name} expects input of shape (N, C, {spatial}) or (C, {spatial}), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
            }
            for (int d = input.Rank - channelDims; d < input.Rank; d++) groupSize *= input.Dims[d];
        }
        if (!training || p == 0f) return input;
        if (p < 1f && rng is null)
            throw new ArgumentNullException(nameof(rng), $"{name} in training with 0 < p < 1 draws a random mask and needs an Rng (randomness is passed in).");
        return DropoutNode.Forward(input, p, groupSize, rng);
    }

    private static void CheckLrnConstants(float alpha, float beta, float k, string kName)
    {
        if (!(alpha >= 0f) || !float.IsFinite(alpha)) throw new ArgumentException($"Local response normalization alpha must be non-negative and finite, got {alpha}.", nameof(alpha));
        if (!float.IsFinite(beta)) throw new ArgumentException($"Local response normalization beta must be finite, got {beta}.", nameof(beta));
        if (!(k > 0f) || !float.IsFinite(k))
            throw new ArgumentException($"Local response normalization {kName} must be positive and finite (it keeps the divisor away from 0), got {k}.", kName);
    }
}
