// Structural layers: branches joined by concatenation (Inception), residual blocks (ResNet), and
// reshaping inside a network.
//   Branches: y = cat(f₁(x), f₂(x), …, dim)          (dim 1: the branches' channels side by side)
//   Residual: y = body(x) + shortcut(x)               (shortcut = identity when none is given)
//   Reshape:  y = reshape(x, (N, shape…))             (the batch dimension is kept)
// Autograd handles the gradients: the input of Branches and Residual feeds several paths, and
// backward accumulates their gradients into it.
using System.Globalization;

namespace Striate.Layers;

/// <summary>
/// Runs several branches on the same input and concatenates their outputs along <see cref="Dim"/>:
/// y = cat(f₁(x), f₂(x), …, dim), the building block of Inception (GoogLeNet) modules, whose 1×1, 3×3, 5×5
/// and pooling branches are joined channel-wise. Children are named "0", "1", … as in PyTorch's ModuleList.
/// </summary>
public sealed class Branches : Module
{
    private readonly List<Module> _branches = [];

    /// <summary>Creates branches whose outputs are joined along the channel dimension (dim 1).</summary>
    /// <param name="branches">The branches, each applied to the same input; at least one.</param>
    /// <exception cref="ArgumentException">No branch is given.</exception>
    public Branches(params Module[] branches) : this(1, branches) { }

    /// <summary>Creates branches whose outputs are joined along <paramref name="dim"/>.</summary>
    /// <param name="dim">The dimension to concatenate along (1 for channels of (N, C, …) outputs; negative counts from the end).</param>
    /// <param name="branches">The branches, each applied to the same input; at least one.</param>
    /// <exception cref="ArgumentException">No branch is given.</exception>
    public Branches(int dim, params Module[] branches)
    {
        ArgumentNullException.ThrowIfNull(branches);
        if (branches.Length == 0) throw new ArgumentException("Branches needs at least one branch.", nameof(branches));
        Dim = dim;
        foreach (var branch in branches)
            _branches.Add(RegisterModule(_branches.Count.ToString(CultureInfo.InvariantCulture), branch));
    }

    /// <summary>The dimension the outputs are concatenated along.</summary>
    public int Dim { get; }

    /// <summary>The branches, in order.</summary>
    public IReadOnlyList<Module> Layers => _branches;

    /// <summary>Number of branches.</summary>
    public int Count => _branches.Count;

    /// <inheritdoc/>
    public override string Description => $"{Count} branch{(Count == 1 ? "" : "es")}, concat dim {Dim}";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A branch rejects the input (a <see cref="LayerInputException"/> naming it), or the branch outputs differ outside <see cref="Dim"/> (ParamName <c>input</c>, all output shapes listed).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var outputs = new Tensor[_branches.Count];
        for (int i = 0; i < outputs.Length; i++)
        {
            try
            {
                outputs[i] = _branches[i].Forward(input);
            }
            catch (ArgumentException e) when (e is not LayerInputException)
            {
                throw new LayerInputException($"Branch {i} ({_branches[i].TypeName}) rejected its input of shape {Tensor.ShapeText(input.Dims)}: {e.Message}", e);
            }
        }
        try
        {
            return Functional.Concat(outputs, Dim);
        }
        catch (ArgumentException e)
        {
            string shapes = string.Join(", ", outputs.Select((o, i) => $"branch {i} {Tensor.ShapeText(o.Dims)}"));
            throw new ArgumentException($"Branches cannot concatenate their outputs along dim {Dim}: {shapes}. {e.Message}", nameof(input), e);
        }
    }
}

/// <summary>
/// A residual block: y = body(x) + shortcut(x), with the identity as shortcut when none is given (ResNet's
/// skip connection; a 1×1 convolution shortcut matches channels or stride). Children are "body" and "shortcut".
/// </summary>
public sealed class Residual : Module
{
    /// <summary>Creates a residual block.</summary>
    /// <param name="body">The residual branch F; its output must have the shortcut's shape.</param>
    /// <param name="shortcut">The projection applied to x on the skip path, or null for the identity.</param>
    public Residual(Module body, Module? shortcut = null)
    {
        Body = RegisterModule("body", body);
        Shortcut = shortcut is null ? null : RegisterModule("shortcut", shortcut);
    }

    /// <summary>The residual branch F.</summary>
    public Module Body { get; }

    /// <summary>The skip-path projection, or null for the identity.</summary>
    public Module? Shortcut { get; }

    /// <inheritdoc/>
    public override string Description => Shortcut is null ? "x + body(x)" : "shortcut(x) + body(x)";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The body or the shortcut rejects the input (a <see cref="LayerInputException"/> naming it), or their outputs differ in shape (ParamName <c>input</c>, both shapes given).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var pass = InferenceBuffers.EnterPass();
        var fx = Run(Body, "body", input);
        var skip = Shortcut is null ? input : Run(Shortcut, "shortcut", input);
        // No broadcasting: a residual sum of different shapes is a wiring mistake, not a broadcast.
        if (!fx.Dims.SequenceEqual(skip.Dims))
            throw new ArgumentException($"Residual: body output {Tensor.ShapeText(fx.Dims)} and {(Shortcut is null ? "identity shortcut (the input)" : "shortcut output")} {Tensor.ShapeText(skip.Dims)} differ; give a shortcut that matches them (e.g. a 1×1 convolution).", nameof(input));
        var sum = fx + skip;
        // Without gradient recording both branch results are dead once summed (see InferenceBuffers).
        if (!Autograd.GradMode.IsEnabled && HoldsNoActivations())
        {
            InferenceBuffers.GiveIfDead(fx, input, sum);
            if (Shortcut is not null && !ReferenceEquals(skip.Data, fx.Data)) InferenceBuffers.GiveIfDead(skip, input, sum);
        }
        return sum;
    }

    private static Tensor Run(Module module, string name, Tensor input)
    {
        try
        {
            return module.Forward(input);
        }
        catch (ArgumentException e) when (e is not LayerInputException)
        {
            throw new LayerInputException($"Residual {name} ({module.TypeName}) rejected its input of shape {Tensor.ShapeText(input.Dims)}: {e.Message}", e);
        }
    }
}

/// <summary>
/// Reshapes each example, keeping the batch dimension: (N, …) → (N, shape…), with at most one −1 inferred
/// (Keras' Reshape; PyTorch's nn.Unflatten for a single dimension). The result shares the input's storage.
/// </summary>
public sealed class Reshape : Module
{
    private readonly int[] _shape;

    /// <summary>Creates a reshape layer.</summary>
    /// <param name="shape">The shape of one example, e.g. <c>16, 5, 5</c>; one entry may be −1 to infer it.</param>
    /// <exception cref="ArgumentException">The shape is empty, has an entry that is neither positive nor −1, or more than one −1.</exception>
    public Reshape(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length == 0 || shape.Any(d => d < 1 && d != -1) || shape.Count(d => d == -1) > 1)
            throw new ArgumentException($"Reshape needs a non-empty shape of positive sizes with at most one −1, got {Tensor.ShapeText(shape)}.", nameof(shape));
        _shape = (int[])shape.Clone();
    }

    /// <summary>The shape of one example (−1 = inferred).</summary>
    public IReadOnlyList<int> TargetShape => _shape;

    /// <inheritdoc/>
    public override string Description => "→ (N, " + string.Join(", ", _shape) + ")";

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input has no batch dimension, or its examples do not have as many elements as the target shape.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0)
            throw new ArgumentException("Reshape expects a batch dimension, got a 0-D tensor.", nameof(input));
        return input.Reshape([input.Dims[0], .. _shape]);
    }
}
