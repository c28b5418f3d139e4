// Grad-CAM (Selvaraju et al. 2017): where a convolutional layer's features support a class.
// With A = f_0..i(x) the (1, K, P, Q) activations of layer i of a Sequential and S_c the class score
// computed from them by the remaining layers:
//   α_k = (1/PQ) Σ_{p,q} ∂S_c/∂A[k, p, q]        (global-average-pooled gradients: one weight per channel)
//   cam[p, q] = ReLU(Σ_k α_k · A[k, p, q])
// The (P, Q) map is coarse; Upsampled() stretches it bilinearly to the input's size for overlays.
using Striate.Autograd;
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>The result of <see cref="GradCam.Compute"/>.</summary>
/// <param name="Map">(P, Q): ReLU(Σ_k α_k·A_k), the class-discriminative localisation map.</param>
/// <param name="ChannelWeights">(K): α_k, the spatial mean of ∂S_c/∂A_k.</param>
/// <param name="InputHeight">H of the image the map belongs to.</param>
/// <param name="InputWidth">W of the image the map belongs to.</param>
public sealed record GradCamResult(Tensor Map, Tensor ChannelWeights, int InputHeight, int InputWidth)
{
    /// <summary>The map resized bilinearly (half-pixel centres, as PyTorch's align_corners=False) to the input's H×W.</summary>
    public Tensor Upsampled()
    {
        var m = Map.Reshape(1, 1, Map.Dims[0], Map.Dims[1]);
        return Functional.Upsample(m, [InputHeight, InputWidth], mode: UpsampleMode.Bilinear).Reshape(InputHeight, InputWidth);
    }
}

/// <summary>Gradient-weighted class activation maps.</summary>
public static class GradCam
{
    /// <summary>
    /// Grad-CAM of class <paramref name="classIndex"/> at the output of layer <paramref name="layerIndex"/>
    /// of <paramref name="model"/> (usually the last convolution or its activation), in evaluation mode;
    /// the model's modes and parameter gradients are left as they were.
    /// </summary>
    /// <param name="model">A classifier whose layers map (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">The class c.</param>
    /// <param name="layerIndex">The layer whose (1, K, P, Q) output is explained; not the last layer.</param>
    /// <returns>The (P, Q) map and the K channel weights.</returns>
    /// <exception cref="ArgumentOutOfRangeException">layerIndex is not a layer before the last, or classIndex is not a class.</exception>
    /// <exception cref="ArgumentException">The image is not (C, H, W) or (1, C, H, W) (<c>image</c>); the layer's output is not 4-D (<c>layerIndex</c>); the output is not (1, classes) (<c>model</c>).</exception>
    public static GradCamResult Compute(Sequential model, Tensor image, int classIndex, int layerIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        var x = Saliency.AsBatchOfOne(image);
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layerIndex, model.Count - 1);
        var parameters = model.Parameters().ToList();
        var savedGrads = parameters.Select(p => p.Grad).ToList();
        Tensor activations;
        try
        {
            using var mode = EvalScope.Enter(model);
            using (GradMode.NoGrad())
            {
                activations = x;
                for (int i = 0; i <= layerIndex; i++) activations = model[i].Forward(activations);
            }
            if (activations.Rank != 4)
                throw new ArgumentException($"Grad-CAM needs (1, K, P, Q) feature maps; layer {layerIndex} ({model[layerIndex].TypeName}) outputs {Tensor.ShapeText(activations.Dims)}.", nameof(layerIndex));
            activations = activations.Detach();
            activations.RequiresGrad = true;
            var scores = activations;
            for (int i = layerIndex + 1; i < model.Count; i++) scores = model[i].Forward(scores);
            int classes = Saliency.CheckScores(scores, model);
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

        int k = activations.Dims[1], p = activations.Dims[2], q = activations.Dims[3], plane = p * q;
        var grad = activations.Grad?.ToArray() ?? new float[activations.Length];
        var a = activations.AsSpan();
        var alpha = new float[k];
        var cam = new float[plane];
        for (int ch = 0; ch < k; ch++)
        {
            double sum = 0;
            for (int i = 0; i < plane; i++) sum += grad[ch * plane + i];
            alpha[ch] = (float)(sum / plane);
        }
        for (int i = 0; i < plane; i++)
        {
            double v = 0;
            for (int ch = 0; ch < k; ch++) v += alpha[ch] * a[ch * plane + i];
            cam[i] = (float)Math.Max(v, 0);
        }
        return new GradCamResult(Tensor.FromArray(cam, p, q), Tensor.FromArray(alpha, k), x.Dims[2], x.Dims[3]);
    }
}
