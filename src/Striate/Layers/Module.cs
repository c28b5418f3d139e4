// Module: the unit of a network. Parameters and sub-modules are registered explicitly (no
// reflection), in order, so names are stable ("features.0.weight") and trimming-safe.
namespace Striate.Layers;

/// <summary>
/// A layer or a network of layers. Subclasses register their parameters with
/// <see cref="RegisterParameter"/> and their children with <see cref="RegisterModule{T}"/> in the
/// constructor, and implement <see cref="Forward"/>.
/// </summary>
public abstract class Module
{
    private readonly List<KeyValuePair<string, Tensor>> _parameters = [];
    private readonly List<KeyValuePair<string, Module>> _children = [];
    private readonly List<KeyValuePair<string, Tensor>> _buffers = [];

    /// <summary>Whether the module is in training mode (dropout active, batch statistics used). New modules train.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Runs the module on <paramref name="input"/>.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Short type name for summaries, e.g. <c>Conv2d</c>.</summary>
    public virtual string TypeName => GetType().Name;

    /// <summary>The module's hyper-parameters for summaries, e.g. <c>1→6, 5×5, pad 2</c>.</summary>
    public virtual string Description => string.Empty;

    /// <summary>Registers a parameter under <paramref name="name"/>; it is marked as requiring a gradient.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken.</exception>
    protected Tensor RegisterParameter(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        value.RequiresGrad = true;
        _parameters.Add(new(name, value));
        return value;
    }

    /// <summary>
    /// Registers state that is saved in checkpoints but not trained (batch norm's running mean, for
    /// example); it does not require a gradient.
    /// </summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken.</exception>
    protected Tensor RegisterBuffer(string name, Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        CheckName(name);
        _buffers.Add(new(name, value));
        return value;
    }

    /// <summary>Registers a child module under <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">The name is empty, contains '.', or is taken.</exception>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        ArgumentNullException.ThrowIfNull(module);
        CheckName(name);
        _children.Add(new(name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.', StringComparison.Ordinal) || name.StartsWith('@'))
            throw new ArgumentException($"A parameter or module name must be non-empty, contain no '.' and not start with '@' (reserved for checkpoint extras): '{name}'.", nameof(name));
        if (_parameters.Any(p => p.Key == name) || _children.Any(c => c.Key == name) || _buffers.Any(b => b.Key == name))
            throw new ArgumentException($"The name '{name}' is already registered in this {TypeName}.", nameof(name));
    }

    /// <summary>
    /// Whether this module and all its descendants are Striate's own and keep no reference to a tensor they read or return
    /// once Forward has returned, so a container may reuse the storage of an intermediate result they produced or read
    /// (InferenceBuffers). A module defined outside the library never qualifies: it might keep one.
    /// </summary>
    internal bool HoldsNoActivations()
    {
        if (GetType().Assembly != typeof(Module).Assembly || KeepsActivations) return false;
        foreach (var child in _children)
            if (!child.Value.HoldsNoActivations()) return false;
        return true;
    }

    /// <summary>True for a library module that keeps tensors it computed after Forward returns (auxiliary outputs).</summary>
    private protected virtual bool KeepsActivations => false;

    /// <summary>The direct children, in registration order.</summary>
    public IReadOnlyList<KeyValuePair<string, Module>> Children => _children;

    /// <summary>This module's own parameters (not its children's), in registration order.</summary>
    public IReadOnlyList<KeyValuePair<string, Tensor>> OwnParameters => _parameters;

    /// <summary>Every parameter of this module and its descendants with its dotted path, e.g. <c>0.weight</c>.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedParameters()
    {
        foreach (var p in _parameters) yield return p;
        foreach (var (childName, child) in _children)
            foreach (var (name, p) in child.NamedParameters())
                yield return new(childName + "." + name, p);
    }

    /// <summary>Every buffer (non-trained state) of this module and its descendants with its dotted path.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedBuffers()
    {
        foreach (var b in _buffers) yield return b;
        foreach (var (childName, child) in _children)
            foreach (var (name, b) in child.NamedBuffers())
                yield return new(childName + "." + name, b);
    }

    /// <summary>Everything a checkpoint holds: <see cref="NamedParameters"/> then <see cref="NamedBuffers"/>.</summary>
    public IEnumerable<KeyValuePair<string, Tensor>> NamedState() => NamedParameters().Concat(NamedBuffers());

    /// <summary>
    /// The generator this module itself draws from while training (dropout masks, for example), or null when the
    /// module has no random state of its own. Checkpoints for resuming save its state so a resumed run draws the same
    /// numbers as one that was never interrupted.
    /// </summary>
    protected internal virtual Rng? OwnRandomSource => null;

    /// <summary>
    /// Every generator of this module and its descendants (see <see cref="OwnRandomSource"/>) with the dotted path of
    /// the module that owns it (the empty string for this module itself), e.g. <c>7</c> for a Dropout at index 7.
    /// </summary>
    public IEnumerable<KeyValuePair<string, Rng>> NamedRandomSources()
    {
        if (OwnRandomSource is { } own) yield return new("", own);
        foreach (var (childName, child) in _children)
            foreach (var (name, rng) in child.NamedRandomSources())
                yield return new(name.Length == 0 ? childName : childName + "." + name, rng);
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Value);

    /// <summary>Total number of parameter elements.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Length);

    /// <summary>Puts this module and its descendants in training (true) or evaluation (false) mode.</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var (_, child) in _children) child.Train(training);
        return this;
    }

    /// <summary>Puts this module and its descendants in evaluation mode.</summary>
    public Module Eval() => Train(false);

    /// <summary>Clears the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>PyTorch's default initialisation bound 1/√fanIn (kaiming-uniform with a = √5 for weights, and for biases).</summary>
    protected static float DefaultInitBound(int fanIn) => fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;

    /// <summary>The given generator, or a fresh one from a random seed (not reproducible) when none was passed.</summary>
    protected static Rng RngOrRandom(Rng? rng) => rng ?? new Rng((ulong)Random.Shared.NextInt64());
}
