// Occlusion sensitivity (Zeiler & Fergus 2014): slide a grey patch over the image and record the
// probability of the class at every patch position. Where the probability drops, the network was
// looking. For patch size k and stride s over an H×W image:
//   P = ⌊(H − k)/s⌋ + 1,  Q = ⌊(W − k)/s⌋ + 1
//   prob[p, q] = softmax(model(x with x[:, p·s : p·s + k, q·s : q·s + k] = fill))[c]
// The occluded copies run in batches, in evaluation mode, without recording gradients.
using Striate.Autograd;
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>The result of <see cref="Occlusion.Compute"/>.</summary>
/// <param name="Probabilities">(P, Q): the class probability with the patch at (p·stride, q·stride).</param>
/// <param name="BaselineProbability">The class probability of the unoccluded image.</param>
/// <param name="PatchSize">k, side of the square patch.</param>
/// <param name="Stride">s, step between patch positions.</param>
public sealed record OcclusionMap(Tensor Probabilities, float BaselineProbability, int PatchSize, int Stride)
{
    /// <summary>How much each patch position lowers the probability: baseline − prob[p, q], as (P, Q).</summary>
    public Tensor Drop()
    {
        var p = Probabilities.AsSpan();
        var d = new float[p.Length];
        for (int i = 0; i < d.Length; i++) d[i] = BaselineProbability - p[i];
        return Tensor.FromArray(d, [.. Probabilities.Dims]);
    }
}

/// <summary>Occlusion sensitivity maps.</summary>
public static class Occlusion
{
    /// <summary>
    /// Slides a <paramref name="patchSize"/>² patch of value <paramref name="fill"/> over the image with
    /// step <paramref name="stride"/> (over every channel) and records softmax(model(occluded))[classIndex].
    /// </summary>
    /// <param name="model">A classifier mapping (N, C, H, W) to (N, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">The class whose probability is recorded.</param>
    /// <param name="patchSize">k, between 1 and min(H, W).</param>
    /// <param name="stride">s, at least 1.</param>
    /// <param name="fill">The patch's value (grey 0.5 for images in [0, 1]).</param>
    /// <param name="batchSize">Occluded copies per forward pass.</param>
    /// <returns>The (P, Q) map with P = ⌊(H − k)/s⌋ + 1, Q = ⌊(W − k)/s⌋ + 1, and the unoccluded probability.</returns>
    /// <exception cref="ArgumentException">The image is not (C, H, W) or (1, C, H, W) (<c>image</c>), or the model's output is not (N, classes) (<c>model</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">patchSize is not in 1..min(H, W), stride or batchSize is not positive, or classIndex is not a class.</exception>
    public static OcclusionMap Compute(Module model, Tensor image, int classIndex, int patchSize = 4, int stride = 2, float fill = 0.5f, int batchSize = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        var x = Saliency.AsBatchOfOne(image);
        int c = x.Dims[1], h = x.Dims[2], w = x.Dims[3];
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(patchSize, Math.Min(h, w));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        int p = (h - patchSize) / stride + 1, q = (w - patchSize) / stride + 1;
        var probabilities = new float[p * q];
        float baseline;
        using var mode = EvalScope.Enter(model);
        using (GradMode.NoGrad())
        {
            var scores = model.Forward(x);
            int classes = Saliency.CheckScores(scores, model);
            ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, classes);
            baseline = Functional.Softmax(scores, 1).AsSpan()[classIndex];
            var source = x.AsSpan();
            int plane = h * w, item = c * plane;
            for (int start = 0; start < p * q; start += batchSize)
            {
                int n = Math.Min(batchSize, p * q - start);
                var batch = new float[n * item];
                for (int b = 0; b < n; b++)
                {
                    var copy = batch.AsSpan(b * item, item);
                    source.CopyTo(copy);
                    int top = (start + b) / q * stride, left = (start + b) % q * stride;
                    for (int ch = 0; ch < c; ch++)
                        for (int y = top; y < top + patchSize; y++)
                            copy.Slice(ch * plane + y * w + left, patchSize).Fill(fill);
                }
                var probs = Functional.Softmax(model.Forward(Tensor.FromArray(batch, n, c, h, w)), 1);
                if (probs.Rank != 2 || probs.Dims[0] != n)
                    throw new ArgumentException($"The model must map a batch of {n} images to ({n}, classes) scores; {model.TypeName} gave {Tensor.ShapeText(probs.Dims)}.", nameof(model));
                var pd = probs.AsSpan();
                for (int b = 0; b < n; b++) probabilities[start + b] = pd[b * classes + classIndex];
            }
        }
        return new OcclusionMap(Tensor.FromArray(probabilities, p, q), baseline, patchSize, stride);
    }
}
