// Looking inside a network: its convolution filters and the feature maps its layers compute.
//   filters:      weight (K, C, R, S) → K·C maps (R, S), one row per filter, one column per input
//                 channel; or, for C = 3, K colour maps (3, R, S)
//   feature maps: a = f_i(…f_1(f_0(x))) for a Sequential's layers 0..i → K maps (P, Q) of one image
using Striate.Autograd;
using Striate.Features;
using Striate.Imaging;
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>How <see cref="NetworkPictures.Filters"/> lays out a (K, C, R, S) weight.</summary>
public enum FilterLayout
{
    /// <summary>RGB when C = 3, per channel otherwise.</summary>
    Auto,
    /// <summary>One grey map per (filter, input channel): K rows of C maps.</summary>
    PerChannel,
    /// <summary>One colour map per filter (needs C = 3).</summary>
    Rgb,
}

/// <summary>Pictures of filters and feature maps.</summary>
public static class NetworkPictures
{
    /// <summary>
    /// The weight of the first 2-D convolution in <paramref name="model"/> (depth-first, in registration
    /// order): a <see cref="Conv2d"/>, <see cref="GaborConv2d"/>, or any module whose own parameter
    /// "weight" is 4-D.
    /// </summary>
    /// <param name="model">The network.</param>
    /// <returns>(K, C, R, S).</returns>
    /// <exception cref="ArgumentException">The model has no 2-D convolution (<c>model</c>).</exception>
    public static Tensor FirstLayerWeight(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return FindWeight(model) ?? throw new ArgumentException($"The model ({model.TypeName}) has no 2-D convolution layer whose filters could be shown.", nameof(model));
    }

    private static Tensor? FindWeight(Module module)
    {
        foreach (var (name, p) in module.OwnParameters)
            if (name == "weight" && p.Rank == 4) return p;
        foreach (var (_, child) in module.Children)
            if (FindWeight(child) is { } w) return w;
        return null;
    }

    /// <summary>
    /// A grid of convolution filters: K rows of C grey maps (per channel), or K colour maps (RGB, for C = 3;
    /// each filter normalised over its three channels together so colours keep their balance).
    /// </summary>
    /// <param name="weight">(K, C, R, S) filters.</param>
    /// <param name="layout">Per channel, RGB, or RGB exactly when C = 3.</param>
    /// <param name="options">Grid options; when null: per-map normalisation, scale 4, and (per channel) C columns.</param>
    /// <exception cref="ArgumentException">The weight is not 4-D (<c>weight</c>), or RGB was asked for with C ≠ 3 (<c>layout</c>).</exception>
    public static ImageData Filters(Tensor weight, FilterLayout layout = FilterLayout.Auto, GridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4) throw new ArgumentException($"Filters are (K, C, R, S); got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        int k = weight.Dims[0], c = weight.Dims[1], r = weight.Dims[2], s = weight.Dims[3];
        bool rgb = layout == FilterLayout.Rgb || (layout == FilterLayout.Auto && c == 3);
        if (rgb && c != 3) throw new ArgumentException($"An RGB picture of filters needs 3 input channels; these have {c}.", nameof(layout));
        var data = weight.AsSpan();
        var maps = new List<Tensor>();
        if (rgb)
        {
            for (int i = 0; i < k; i++) maps.Add(Tensor.FromArray(data.Slice(i * 3 * r * s, 3 * r * s).ToArray(), 3, r, s));
        }
        else
        {
            for (int i = 0; i < k * c; i++) maps.Add(Tensor.FromArray(data.Slice(i * r * s, r * s).ToArray(), r, s));
        }
        options ??= new GridOptions { Scale = 4, Columns = rgb ? 0 : c == 1 ? 0 : c };
        return ImageGrid.Tile(maps, options);
    }

    /// <summary>
    /// The output of layers 0 … <paramref name="layerIndex"/> of <paramref name="model"/> for
    /// <paramref name="input"/>, computed in evaluation mode without recording gradients (the model's
    /// training mode is restored afterwards).
    /// </summary>
    /// <param name="model">The network.</param>
    /// <param name="input">(N, C, H, W) images, or one (C, H, W) image (a batch of one is made).</param>
    /// <param name="layerIndex">Index of the last layer to run, 0 … Count − 1.</param>
    /// <returns>The activations of that layer, e.g. (N, K, P, Q) after a convolution.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="layerIndex"/> is not a layer of the model.</exception>
    /// <exception cref="ArgumentException">A layer rejects its input (the message names it).</exception>
    public static Tensor FeatureMaps(Sequential model, Tensor input, int layerIndex)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentOutOfRangeException.ThrowIfNegative(layerIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layerIndex, model.Count);
        var x = input.Rank == 3 ? input.Detach().Reshape([1, .. input.Dims]) : input.Detach();
        using var mode = EvalScope.Enter(model);
        using (GradMode.NoGrad())
        {
            for (int i = 0; i <= layerIndex; i++)
            {
                try
                {
                    x = model[i].Forward(x);
                }
                catch (ArgumentException e) when (e is not LayerInputException)
                {
                    throw new LayerInputException($"Layer {i} ({model[i].TypeName}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
                }
            }
        }
        return x;
    }

    /// <summary>A grid of the K channels of one image's activations, each normalised on its own.</summary>
    /// <param name="activations">(N, K, P, Q) or (K, P, Q).</param>
    /// <param name="item">Which image of the batch.</param>
    /// <param name="options">Grid options; when null: per-map normalisation, scale 2.</param>
    /// <exception cref="ArgumentException">The activations are not 3-D or 4-D (<c>activations</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="item"/> is not an index of the batch.</exception>
    public static ImageData FeatureMapGrid(Tensor activations, int item = 0, GridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.Rank is not (3 or 4))
            throw new ArgumentException($"Feature maps are (N, K, P, Q) or (K, P, Q); got {Tensor.ShapeText(activations.Dims)}.", nameof(activations));
        var one = activations.Rank == 4 ? ImageGrid.Split(activations) : [activations];
        ArgumentOutOfRangeException.ThrowIfNegative(item);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(item, one.Count);
        var maps = ImageGrid.Split(one[item]);
        return ImageGrid.Tile(maps, options ?? new GridOptions { Scale = 2 });
    }
}

/// <summary>Puts a model in evaluation mode and restores every module's own mode when disposed.</summary>
internal readonly struct EvalScope : IDisposable
{
    private readonly List<(Module Module, bool Training)> _saved;

    private EvalScope(List<(Module, bool)> saved) => _saved = saved;

    public static EvalScope Enter(Module model)
    {
        var saved = new List<(Module, bool)>();
        Collect(model, saved);
        model.Eval();
        return new EvalScope(saved);
    }

    private static void Collect(Module m, List<(Module, bool)> saved)
    {
        saved.Add((m, m.IsTraining));
        foreach (var (_, child) in m.Children) Collect(child, saved);
    }

    public void Dispose()
    {
        // Pre-order: a parent's Train() resets its subtree, then each child takes back its own mode.
        foreach (var (module, training) in _saved) module.Train(training);
    }
}
