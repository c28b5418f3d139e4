// Sequential: children applied in order, named "0", "1", ... as in PyTorch. A convolution directly
// followed by a ReLU runs as the fused ConvNd.ForwardRelu (bit-identical values and gradients).
namespace Striate.Layers;

/// <summary>Applies its children one after another: y = fₙ(…f₂(f₁(x))).</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> _layers = [];

    /// <summary>Creates a sequence of <paramref name="layers"/>.</summary>
    public Sequential(params Module[] layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        foreach (var layer in layers) Add(layer);
    }

    /// <summary>Appends <paramref name="layer"/>, named by its position.</summary>
    public Sequential Add(Module layer)
    {
        _layers.Add(RegisterModule(_layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer));
        return this;
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Module> Layers => _layers;

    /// <summary>Number of layers.</summary>
    public int Count => _layers.Count;

    /// <summary>The layer at <paramref name="index"/>.</summary>
    public Module this[int index] => _layers[index];

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A layer rejects its input; the message names the layer index and type.</exception>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < _layers.Count; i++)
        {
            try
            {
                // A convolution directly followed by a ReLU runs as one fused op (same values and gradients, one
                // activation written instead of two); the ReLU's index is then skipped.
                if (_layers[i] is ConvNd conv && i + 1 < _layers.Count && _layers[i + 1] is ReLU)
                {
                    x = conv.ForwardRelu(x);
                    i++;
                    continue;
                }
                x = _layers[i].Forward(x);
            }
            catch (ArgumentException e) when (e is not LayerInputException)
            {
                throw new LayerInputException($"Layer {i} ({_layers[i].TypeName}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
            }
        }
        return x;
    }
}

/// <summary>A layer inside a network rejected the shape or values it was given; the message names the layer.</summary>
public sealed class LayerInputException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public LayerInputException(string message, Exception inner) : base(message, inner) { }
}
