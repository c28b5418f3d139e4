// Saliency (Simonyan, Vedaldi & Zisserman 2014): how much each input pixel moves a class score.
//   g = ∂S_c/∂x, with S_c the model's (pre-softmax) output for class c and x the (C, H, W) image
//   map[y, x] = max_c |g[c, y, x]|
// Gradient × input (Shrikumar et al. 2016): map[y, x] = Σ_c |x[c, y, x]·g[c, y, x]|, the first-order
// contribution of each pixel to S_c; pixels at zero (a black background) contribute nothing.
// SmoothGrad (Smilkov et al. 2017) averages g over n copies of x with Gaussian noise of standard
// deviation σ = noiseLevel·(max x − min x), which removes much of the gradient's pixel-level noise.
// The gradient is one backward pass with upstream e_c (one-hot); the model's parameter gradients
// are restored afterwards so a visualisation never disturbs training state.
using Striate.Autograd;
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>Gradient-based saliency maps.</summary>
public static class Saliency
{
    /// <summary>
    /// The gradient of the class score with respect to the image, g = ∂S_c/∂x, computed in evaluation
    /// mode (the model's modes and its parameters' gradients are left as they were).
    /// </summary>
    /// <param name="model">A classifier mapping (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">c, the class whose score is differentiated.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentException">The image is not (C, H, W) or (1, C, H, W) (<c>image</c>), the model's output is not (1, classes) (<c>model</c>), or a layer rejects the input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class of the output.</exception>
    public static Tensor InputGradient(Module model, Tensor image, int classIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        var x = AsBatchOfOne(image);
        var parameters = model.Parameters().ToList();
        var savedGrads = parameters.Select(p => p.Grad).ToList();
        try
        {
            using var mode = EvalScope.Enter(model);
            x.RequiresGrad = true;
            var scores = model.Forward(x);
            int classes = CheckScores(scores, model);
            ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, classes);
            var upstream = Tensor.Zeros(1, classes);
            upstream.AsSpan()[classIndex] = 1f;
            scores.Backward(upstream);
        }
        finally
        {
            for (int i = 0; i < parameters.Count; i++) parameters[i].Grad = savedGrads[i];
        }
        return (x.Grad ?? x.ZerosLike()).Reshape([.. x.Dims[1..]]);
    }

    /// <summary>The saliency map max_c |∂S_c/∂x[c, y, x]| (see <see cref="InputGradient"/>).</summary>
    /// <param name="model">A classifier mapping (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">The class whose score is differentiated.</param>
    /// <returns>(H, W), non-negative.</returns>
    /// <exception cref="ArgumentException">As <see cref="InputGradient"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class of the output.</exception>
    public static Tensor Map(Module model, Tensor image, int classIndex) => MaxAbsOverChannels(InputGradient(model, image, classIndex));

    /// <summary>
    /// Gradient × input: map[y, x] = Σ_c |x[c, y, x]·∂S_c/∂x[c, y, x]|, each pixel's first-order contribution to the class
    /// score (see <see cref="InputGradient"/>). Unlike the plain gradient, it is zero where the input is zero.
    /// </summary>
    /// <param name="model">A classifier mapping (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">The class whose score is differentiated.</param>
    /// <returns>(H, W), non-negative.</returns>
    /// <exception cref="ArgumentException">As <see cref="InputGradient"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class of the output.</exception>
    public static Tensor GradientTimesInput(Module model, Tensor image, int classIndex)
    {
        var g = InputGradient(model, image, classIndex);
        var x = AsBatchOfOne(image).AsSpan();
        var gradient = g.AsSpan();
        int c = g.Dims[0], plane = g.Dims[1] * g.Dims[2];
        var map = new float[plane];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < plane; i++) map[i] += Math.Abs(x[ch * plane + i] * gradient[ch * plane + i]);
        return Tensor.FromArray(map, g.Dims[1], g.Dims[2]);
    }

    /// <summary>
    /// SmoothGrad: the mean of <see cref="InputGradient"/> over <paramref name="samples"/> noisy copies
    /// x + ε, ε ~ N(0, σ²) with σ = noiseLevel·(max x − min x), reduced to max_c |mean g|.
    /// </summary>
    /// <param name="model">A classifier mapping (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">The class whose score is differentiated.</param>
    /// <param name="rng">Source of the noise.</param>
    /// <param name="samples">Number of noisy copies, at least 1.</param>
    /// <param name="noiseLevel">σ relative to the image's value range (0.1–0.2 in the paper); not negative.</param>
    /// <returns>(H, W), non-negative.</returns>
    /// <exception cref="ArgumentException">As <see cref="InputGradient"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">samples is not positive, noiseLevel is negative or not finite, or classIndex is not a class.</exception>
    public static Tensor SmoothGrad(Module model, Tensor image, int classIndex, Rng rng, int samples = 25, float noiseLevel = 0.15f)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        if (!(noiseLevel >= 0) || !float.IsFinite(noiseLevel)) throw new ArgumentOutOfRangeException(nameof(noiseLevel), noiseLevel, "noiseLevel must be finite and not negative.");
        var x = AsBatchOfOne(image);
        var values = x.AsSpan();
        float range = values.Length == 0 ? 0 : System.Numerics.Tensors.TensorPrimitives.Max<float>(values) - System.Numerics.Tensors.TensorPrimitives.Min<float>(values);
        var sum = new float[x.Length];
        for (int i = 0; i < samples; i++)
        {
            var noisy = x + Tensor.Normal(rng, 0f, noiseLevel * range, [.. x.Dims]);
            var g = InputGradient(model, noisy, classIndex).AsSpan();
            for (int j = 0; j < sum.Length; j++) sum[j] += g[j] / samples;
        }
        return MaxAbsOverChannels(Tensor.FromArray(sum, [.. x.Dims[1..]]));
    }

    /// <summary>max_c |g[c, y, x]| of a (C, H, W) tensor, as (H, W).</summary>
    internal static Tensor MaxAbsOverChannels(Tensor g)
    {
        int c = g.Dims[0], h = g.Dims[1], w = g.Dims[2];
        var map = new float[h * w];
        var data = g.AsSpan();
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++) map[i] = Math.Max(map[i], Math.Abs(data[ch * h * w + i]));
        return Tensor.FromArray(map, h, w);
    }

    internal static Tensor AsBatchOfOne(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank == 3) return Tensor.FromArray(image.ToArray(), [1, .. image.Dims]);
        if (image.Rank == 4 && image.Dims[0] == 1) return Tensor.FromArray(image.ToArray(), [.. image.Dims]);
        throw new ArgumentException($"The image must be (C, H, W) or (1, C, H, W); got {Tensor.ShapeText(image.Dims)}.", nameof(image));
    }

    internal static int CheckScores(Tensor scores, Module model)
    {
        if (scores.Rank != 2 || scores.Dims[0] != 1)
            throw new ArgumentException($"The model must map one image to (1, classes) scores; {model.TypeName} gave {Tensor.ShapeText(scores.Dims)}.", nameof(model));
        return scores.Dims[1];
    }
}
