// A network with auxiliary classifiers (GoogLeNet's, Szegedy et al. 2015 §5): small heads that
// branch off intermediate layers and predict the class too, so gradient reaches the lower layers
// directly during training. They run only in training mode; at inference the network is its main path.
//
//   training:   y = main(x),  a_i = head_i(main[0..tap_i](x))   (AuxiliaryOutputs = [a_1, a_2, ...])
//   loss:       L = CE(y, t) + w · Σ_i CE(a_i, t)              (w = 0.3 in the paper)
//   evaluation: y = main(x), no auxiliary outputs
//
// How the auxiliary losses reach a trainer: Forward returns the main logits only (so evaluation,
// metrics and any cross-entropy trainer keep working), and leaves the heads' logits in
// AuxiliaryOutputs until the next call. A training loop adds them through Loss(logits, labels), or
// generically through IAuxiliaryOutputs (AuxiliaryOutputs and AuxiliaryLossWeight).
using System.Globalization;
using Striate.Layers;

namespace Striate.Models;

/// <summary>
/// A model that produces auxiliary logits during training beside its main output, to be added to the loss
/// with weight <see cref="AuxiliaryLossWeight"/>: L = CE(y, t) + w·Σᵢ CE(aᵢ, t).
/// </summary>
public interface IAuxiliaryOutputs
{
    /// <summary>The auxiliary logits (N, classes) of the last <see cref="Module.Forward"/> call in training mode; empty after one in evaluation mode.</summary>
    IReadOnlyList<Tensor> AuxiliaryOutputs { get; }

    /// <summary>Weight w of each auxiliary loss.</summary>
    float AuxiliaryLossWeight { get; }
}

/// <summary>
/// A main path (a <see cref="Sequential"/>) with auxiliary classifier heads tapping the outputs of some of its layers in
/// training mode: y = main(x); aᵢ = headᵢ(output of main layer tapᵢ). Children: "main", then "aux1", "aux2", ….
/// </summary>
public sealed class AuxiliaryClassifierNet : Module, IEvaluationPath, IAuxiliaryOutputs
{
    private readonly int[] _taps;
    private readonly Module[] _heads;
    private Tensor[] _outputs = [];

    /// <summary>Creates the network.</summary>
    /// <param name="main">The main path; its output is the model's output.</param>
    /// <param name="taps">For each head, the index of the main-path layer whose output it reads.</param>
    /// <param name="heads">The auxiliary classifiers, one per tap, each mapping that layer's output to (N, classes) logits.</param>
    /// <param name="auxiliaryLossWeight">Weight w of each auxiliary loss (0.3 in GoogLeNet).</param>
    /// <exception cref="ArgumentException"><paramref name="taps"/> and <paramref name="heads"/> differ in length, a tap is not a layer index of <paramref name="main"/>, or the weight is negative or not finite.</exception>
    public AuxiliaryClassifierNet(Sequential main, IReadOnlyList<int> taps, IReadOnlyList<Module> heads, float auxiliaryLossWeight = 0.3f)
    {
        ArgumentNullException.ThrowIfNull(main);
        ArgumentNullException.ThrowIfNull(taps);
        ArgumentNullException.ThrowIfNull(heads);
        if (taps.Count != heads.Count)
            throw new ArgumentException($"Each auxiliary head needs one tap: {taps.Count} taps for {heads.Count} heads.", nameof(taps));
        if (taps.Any(t => t < 0 || t >= main.Count))
            throw new ArgumentException($"Taps must be layer indices of the main path (0 to {main.Count - 1}), got [{string.Join(", ", taps)}].", nameof(taps));
        if (!(auxiliaryLossWeight >= 0) || !float.IsFinite(auxiliaryLossWeight))
            throw new ArgumentException($"The auxiliary loss weight must be a non-negative number, got {auxiliaryLossWeight}.", nameof(auxiliaryLossWeight));
        Main = RegisterModule("main", main);
        _taps = [.. taps];
        _heads = new Module[heads.Count];
        for (int i = 0; i < heads.Count; i++)
            _heads[i] = RegisterModule("aux" + (i + 1).ToString(CultureInfo.InvariantCulture), heads[i]);
        AuxiliaryLossWeight = auxiliaryLossWeight;
    }

    /// <summary>The main path.</summary>
    public Sequential Main { get; }

    /// <summary>For each head, the index of the main-path layer whose output it reads.</summary>
    public IReadOnlyList<int> Taps => _taps;

    /// <summary>The auxiliary classifiers, in tap order.</summary>
    public IReadOnlyList<Module> Heads => _heads;

    /// <inheritdoc/>
    public float AuxiliaryLossWeight { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Tensor> AuxiliaryOutputs => _outputs;

    /// <summary>The heads' outputs outlive Forward.</summary>
    private protected override bool KeepsActivations => true;

    /// <summary>The main path: in evaluation mode the heads do not run.</summary>
    Module IEvaluationPath.EvaluationPath => Main;

    /// <inheritdoc/>
    public override string Description => $"{_heads.Length} auxiliary classifier{(_heads.Length == 1 ? "" : "s")} after layers {string.Join(", ", _taps)} (training only), weight {AuxiliaryLossWeight.ToString("G6", CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Runs the main path and returns its output; in training mode also runs each head on the output of its tapped layer and
    /// keeps the results in <see cref="AuxiliaryOutputs"/> (cleared in evaluation mode).
    /// </summary>
    /// <exception cref="ArgumentException">A layer or head rejects its input; the message names it.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outputs = new List<Tensor>(_heads.Length);
        var x = input;
        for (int i = 0; i < Main.Count; i++)
        {
            try
            {
                x = Main[i].Forward(x);
            }
            catch (ArgumentException e) when (e is not LayerInputException)
            {
                throw new LayerInputException($"Layer main.{i} ({Main[i].TypeName}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
            }
            if (!IsTraining) continue;
            for (int h = 0; h < _heads.Length; h++)
            {
                if (_taps[h] != i) continue;
                try
                {
                    outputs.Add(_heads[h].Forward(x));
                }
                catch (ArgumentException e) when (e is not LayerInputException)
                {
                    throw new LayerInputException($"Auxiliary head aux{h + 1} ({_heads[h].TypeName}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
                }
            }
        }
        _outputs = [.. outputs];
        return x;
    }

    /// <summary>
    /// The training loss L = CE(<paramref name="logits"/>, t) + w·Σᵢ CE(aᵢ, t) over the auxiliary outputs of the last forward pass
    /// (just the cross-entropy after a pass in evaluation mode).
    /// </summary>
    /// <param name="logits">(N, classes) main logits returned by <see cref="Forward"/>.</param>
    /// <param name="labels">N class indices.</param>
    /// <exception cref="ArgumentException">The labels do not match the logits (see <see cref="Functional.CrossEntropy(Tensor, ReadOnlySpan{int})"/>).</exception>
    public Tensor Loss(Tensor logits, ReadOnlySpan<int> labels)
    {
        var loss = Functional.CrossEntropy(logits, labels);
        foreach (var aux in _outputs) loss += Functional.CrossEntropy(aux, labels) * AuxiliaryLossWeight;
        return loss;
    }
}
