// Receptive fields measured on the network itself: which input pixels can influence one unit
// a[k, p, q] of layer i (the chapter's sparse-connectivity figures: a unit deeper in the network
// sees more of the image). For T random inputs x_t ~ N(0, 1) the gradient ∂a/∂x_t is taken, and
//   strength[y, x] = (1/T) Σ_t |∂a/∂x_t[·, y, x]|   (summed over channels)
// A pixel belongs to the receptive field when its strength is non-zero: every architecture (padding,
// stride, dilation, pooling, branches) is handled by the network's own backward pass, and averaging
// over inputs fills in the paths a ReLU or a max-pool closes for one particular input. The strength
// itself is the "effective receptive field" (Luo et al. 2016), concentrated near the centre.
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>The result of <see cref="ReceptiveField.Compute"/>.</summary>
/// <param name="Strength">(H, W): mean |∂unit/∂pixel| over the random inputs, summed over channels.</param>
/// <param name="Top">First input row with non-zero strength.</param>
/// <param name="Left">First input column with non-zero strength.</param>
/// <param name="Bottom">Last input row with non-zero strength.</param>
/// <param name="Right">Last input column with non-zero strength.</param>
public sealed record ReceptiveFieldResult(Tensor Strength, int Top, int Left, int Bottom, int Right)
{
    /// <summary>Rows of the bounding box: Bottom − Top + 1.</summary>
    public int Height => Bottom - Top + 1;

    /// <summary>Columns of the bounding box: Right − Left + 1.</summary>
    public int Width => Right - Left + 1;

    /// <summary>(H, W) with 1 where the strength is non-zero, 0 elsewhere.</summary>
    public Tensor Mask()
    {
        var s = Strength.AsSpan();
        var m = new float[s.Length];
        for (int i = 0; i < m.Length; i++) m[i] = s[i] > 0 ? 1f : 0f;
        return Tensor.FromArray(m, [.. Strength.Dims]);
    }
}

/// <summary>Receptive fields of units, measured through the network's gradients.</summary>
public static class ReceptiveField
{
    /// <summary>
    /// The input pixels that influence unit (<paramref name="channel"/>, <paramref name="row"/>,
    /// <paramref name="column"/>) of the output of layer <paramref name="layerIndex"/>, measured with
    /// <paramref name="trials"/> random inputs (evaluation mode; the model's modes and parameter gradients are left as they were).
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="inputShape">(C, H, W) of the model's input.</param>
    /// <param name="layerIndex">The layer whose (1, K, P, Q) output holds the unit.</param>
    /// <param name="channel">k.</param>
    /// <param name="row">p.</param>
    /// <param name="column">q.</param>
    /// <param name="rng">Source of the random inputs.</param>
    /// <param name="trials">T, number of random inputs: units behind several ReLU and max-pool layers need many for the corners of their field, which only a few paths reach.</param>
    /// <returns>The strength map and the bounding box of its non-zero pixels.</returns>
    /// <exception cref="ArgumentException">inputShape is not three positive sizes (<c>inputShape</c>); the layer's output is not 4-D (<c>layerIndex</c>); no pixel influences the unit (<c>model</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">layerIndex, channel, row or column is outside the model or the layer's output, or trials is not positive.</exception>
    public static ReceptiveFieldResult Compute(Sequential model, IReadOnlyList<int> inputShape, int layerIndex, int channel, int row, int column, Rng rng, int trials = 64)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(rng);
        if (inputShape.Count != 3 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"inputShape must be (C, H, W) with positive sizes; got ({string.Join(", ", inputShape)}).", nameof(inputShape));
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layerIndex, model.Count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        int c = inputShape[0], h = inputShape[1], w = inputShape[2];
        var strength = new double[h * w];
        var parameters = model.Parameters().ToList();
        var savedGrads = parameters.Select(p => p.Grad).ToList();
        try
        {
            using var mode = EvalScope.Enter(model);
            for (int t = 0; t < trials; t++)
            {
                var x = Tensor.Normal(rng, 0f, 1f, 1, c, h, w);
                x.RequiresGrad = true;
                var a = x;
                for (int i = 0; i <= layerIndex; i++) a = model[i].Forward(a);
                if (a.Rank != 4)
                    throw new ArgumentException($"Layer {layerIndex} ({model[layerIndex].TypeName}) outputs {Tensor.ShapeText(a.Dims)}, not (1, K, P, Q) feature maps.", nameof(layerIndex));
                ArgumentOutOfRangeException.ThrowIfNegative(channel);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(channel, a.Dims[1]);
                ArgumentOutOfRangeException.ThrowIfNegative(row);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, a.Dims[2]);
                ArgumentOutOfRangeException.ThrowIfNegative(column);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, a.Dims[3]);
                var upstream = a.ZerosLike();
                upstream[0, channel, row, column] = 1f;
                a.Backward(upstream);
                var g = x.Grad!.AsSpan();
                for (int ch = 0; ch < c; ch++)
                    for (int i = 0; i < h * w; i++) strength[i] += Math.Abs(g[ch * h * w + i]) / trials;
            }
        }
        finally
        {
            for (int i = 0; i < parameters.Count; i++) parameters[i].Grad = savedGrads[i];
        }
        int top = h, left = w, bottom = -1, right = -1;
        for (int i = 0; i < strength.Length; i++)
        {
            if (strength[i] == 0) continue;
            int y = i / w, xcol = i % w;
            top = Math.Min(top, y);
            bottom = Math.Max(bottom, y);
            left = Math.Min(left, xcol);
            right = Math.Max(right, xcol);
        }
        if (bottom < 0) throw new ArgumentException($"No input pixel influenced unit ({channel}, {row}, {column}) of layer {layerIndex} in {trials} random trials.", nameof(model));
        return new ReceptiveFieldResult(Tensor.FromArray([.. strength.Select(v => (float)v)], h, w), top, left, bottom, right);
    }
}
