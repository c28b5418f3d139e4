// Sequential: children applied in order, named "0", "1", ... as in PyTorch. A convolution directly
// followed by a ReLU runs as the fused ConvNd.ForwardRelu (bit-identical values and gradients); in
// evaluation without gradient recording, a batch norm followed by a ReLU runs as one pass too.
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
        using var pass = InferenceBuffers.EnterPass();
        // Without gradient recording, the result of layer i is dead once layer i + 1 has returned: its storage goes back for
        // the next op outputs of that length (InferenceBuffers), if both layers are the library's own.
        bool reuse = !Autograd.GradMode.IsEnabled;
        var x = input;
        Module? producer = null;
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            var previous = x;
            try
            {
                // A convolution directly followed by a ReLU runs as one fused op (same values and gradients, one
                // activation written instead of two); the ReLU's index is then skipped.
                if (layer is ConvNd conv && i + 1 < _layers.Count && _layers[i + 1] is ReLU)
                {
                    x = conv.ForwardRelu(x);
                    i++;
                }
                else if (layer is BatchNormLayer bn && i + 1 < _layers.Count && _layers[i + 1] is ReLU && bn.CanFuseRelu)
                {
                    // In evaluation without recording, a batch norm followed by a ReLU is one pass (same values).
                    x = bn.ForwardRelu(x);
                    i++;
                }
                else
                {
                    x = layer.Forward(x);
                }
            }
            catch (ArgumentException e) when (e is not LayerInputException)
            {
                throw new LayerInputException($"Layer {i} ({_layers[i].TypeName}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
            }
            if (reuse && producer is not null && producer.HoldsNoActivations() && layer.HoldsNoActivations())
                InferenceBuffers.GiveIfDead(previous, input, x);
            producer = layer;
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
