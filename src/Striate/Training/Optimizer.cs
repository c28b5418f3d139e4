// The optimizer machinery written once: parameter groups with their own learning rate and
// weight decay, per-parameter state slots, frozen parameters skipped, and p.Grad never
// modified (each update works on a per-parameter scratch copy of the gradient when it must
// change it). Subclasses implement only the update rule of one parameter.
namespace Striate.Training;

/// <summary>A set of parameters sharing a learning rate and weight decay (PyTorch's param_groups).</summary>
public sealed class ParameterGroup
{
    /// <summary>Creates a group; null hyper-parameters take the optimizer's defaults.</summary>
    /// <param name="parameters">The group's parameters.</param>
    /// <param name="learningRate">The group's learning rate, or null for the optimizer's.</param>
    /// <param name="weightDecay">The group's weight decay, or null for the optimizer's.</param>
    public ParameterGroup(IEnumerable<Tensor> parameters, float? learningRate = null, float? weightDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = [.. parameters];
        RequestedLearningRate = learningRate;
        RequestedWeightDecay = weightDecay;
    }

    /// <summary>The group's parameters.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>Learning rate used for this group's next step (schedules change it).</summary>
    public float LearningRate { get; set; }

    /// <summary>Weight decay of this group.</summary>
    public float WeightDecay { get; set; }

    /// <summary>The learning rate the group was created with (schedules scale from it).</summary>
    public float InitialLearningRate { get; internal set; }

    internal float? RequestedLearningRate { get; }
    internal float? RequestedWeightDecay { get; }
}

/// <summary>An optimizer's saved state (see <see cref="Optimizer.ExportState"/>).</summary>
/// <param name="Type">The optimizer's type name.</param>
/// <param name="StepCounts">Updates each parameter has had.</param>
/// <param name="GroupLearningRates">Each group's current learning rate.</param>
/// <param name="Buffers">State buffers by "parameterIndex.slot".</param>
public sealed record OptimizerState(string Type, IReadOnlyList<int> StepCounts, IReadOnlyList<float> GroupLearningRates, IReadOnlyDictionary<string, float[]> Buffers);

/// <summary>Base of the optimizers: groups, state and the step loop.</summary>
public abstract class Optimizer
{
    private readonly List<ParameterGroup> _groups;
    private readonly Dictionary<(int Parameter, int Slot), float[]> _state = [];
    private readonly int[] _stepCounts;
    private readonly float[]?[] _scratch;

    /// <summary>Builds the optimizer over <paramref name="groups"/> with default hyper-parameters.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A learning rate or weight decay is negative or not finite.</exception>
    /// <exception cref="ArgumentException">A parameter appears twice.</exception>
    protected Optimizer(IEnumerable<ParameterGroup> groups, float learningRate, float weightDecay)
    {
        ArgumentNullException.ThrowIfNull(groups);
        CheckRate(learningRate, "lr");
        CheckRate(weightDecay, nameof(weightDecay));
        _groups = [.. groups];
        var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        foreach (var g in _groups)
        {
            g.LearningRate = g.RequestedLearningRate ?? learningRate;
            g.WeightDecay = g.RequestedWeightDecay ?? weightDecay;
            CheckRate(g.LearningRate, "lr");
            CheckRate(g.WeightDecay, nameof(weightDecay));
            g.InitialLearningRate = g.LearningRate;
            foreach (var p in g.Parameters)
                if (!seen.Add(p)) throw new ArgumentException("A parameter appears more than once in the optimizer's groups.", nameof(groups));
        }
        _stepCounts = new int[seen.Count];
        _scratch = new float[]?[seen.Count];
    }

    /// <summary>One group holding every parameter.</summary>
    protected static IEnumerable<ParameterGroup> OneGroup(IEnumerable<Tensor> parameters) => [new ParameterGroup(parameters)];

    private static void CheckRate(float value, string name)
    {
        if (!(value >= 0) || float.IsInfinity(value))
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite non-negative number.");
    }

    /// <summary>The parameter groups.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>The first group's learning rate; setting it sets every group's.</summary>
    public float LearningRate
    {
        get => _groups.Count == 0 ? 0f : _groups[0].LearningRate;
        set
        {
            CheckRate(value, nameof(value));
            foreach (var g in _groups) g.LearningRate = value;
        }
    }

    /// <summary>Clears the gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var g in _groups)
            foreach (var p in g.Parameters) p.ZeroGrad();
    }

    /// <summary>Updates every parameter that requires a gradient and has one; frozen parameters are skipped.</summary>
    public void Step()
    {
        int index = 0;
        foreach (var g in _groups)
        {
            foreach (var p in g.Parameters)
            {
                int i = index++;
                if (!p.RequiresGrad || p.Grad is null) continue;
                _stepCounts[i]++;
                Update(i, _stepCounts[i], p.AsSpan(), p.Grad.AsSpan(), g.LearningRate, g.WeightDecay);
            }
        }
    }

    /// <summary>Applies the update rule to one parameter.</summary>
    /// <param name="index">The parameter's position across all groups (key for <see cref="State"/>).</param>
    /// <param name="step">How many updates this parameter has had, this one included (1 on the first).</param>
    /// <param name="parameter">The values to update in place.</param>
    /// <param name="gradient">The gradient; must not be written (use <see cref="Scratch"/>).</param>
    /// <param name="learningRate">The group's learning rate.</param>
    /// <param name="weightDecay">The group's weight decay.</param>
    protected abstract void Update(int index, int step, Span<float> parameter, ReadOnlySpan<float> gradient, float learningRate, float weightDecay);

    /// <summary>
    /// Everything the optimizer has learned so far (state buffers, per-parameter step counts, group
    /// learning rates), for a checkpoint; <see cref="ImportState"/> on an optimizer of the same type
    /// over the same parameters continues bit-identically.
    /// </summary>
    public OptimizerState ExportState() => new(
        GetType().Name,
        [.. _stepCounts],
        [.. _groups.Select(g => g.LearningRate)],
        _state.OrderBy(e => e.Key.Parameter).ThenBy(e => e.Key.Slot)
              .ToDictionary(e => $"{e.Key.Parameter}.{e.Key.Slot}", e => (float[])e.Value.Clone(), StringComparer.Ordinal));

    /// <summary>Restores a state exported by <see cref="ExportState"/>.</summary>
    /// <exception cref="ArgumentException">The state is from another optimizer type, another parameter layout, or has buffers of the wrong length.</exception>
    public void ImportState(OptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Type != GetType().Name)
            throw new ArgumentException($"The saved optimizer state is for {state.Type}, not {GetType().Name}.", nameof(state));
        if (state.StepCounts.Count != _stepCounts.Length || state.GroupLearningRates.Count != _groups.Count)
            throw new ArgumentException($"The saved optimizer state has {state.StepCounts.Count} parameters in {state.GroupLearningRates.Count} groups; this optimizer has {_stepCounts.Length} in {_groups.Count}.", nameof(state));
        var lengths = _groups.SelectMany(g => g.Parameters).Select(p => p.Length).ToArray();
        var restored = new Dictionary<(int, int), float[]>();
        foreach (var (key, values) in state.Buffers)
        {
            var parts = key.Split('.');
            if (parts.Length != 2 || !int.TryParse(parts[0], System.Globalization.CultureInfo.InvariantCulture, out int index) ||
                !int.TryParse(parts[1], System.Globalization.CultureInfo.InvariantCulture, out int slot) || (uint)index >= (uint)lengths.Length || slot < 0)
                throw new ArgumentException($"The saved optimizer state has a malformed buffer name '{key}'.", nameof(state));
            if (values.Length != lengths[index])
                throw new ArgumentException($"The saved optimizer buffer '{key}' has {values.Length} values; parameter {index} has {lengths[index]}.", nameof(state));
            restored[(index, slot)] = (float[])values.Clone();
        }
        _state.Clear();
        foreach (var (key, values) in restored) _state[key] = values;
        for (int i = 0; i < _stepCounts.Length; i++) _stepCounts[i] = state.StepCounts[i];
        for (int g = 0; g < _groups.Count; g++) _groups[g].LearningRate = state.GroupLearningRates[g];
    }

    /// <summary>A per-parameter state buffer (momentum, moments, ...), zeroed when first asked for.</summary>
    protected internal Span<float> State(int index, int slot, int length)
    {
        if (!_state.TryGetValue((index, slot), out var buffer))
            _state[(index, slot)] = buffer = new float[length];
        return buffer;
    }

    /// <summary>Whether <see cref="State"/> slot exists yet (PyTorch initialises some buffers from the first gradient).</summary>
    protected internal bool HasState(int index, int slot) => _state.ContainsKey((index, slot));

    /// <summary>A per-parameter scratch buffer (contents undefined), for a modified copy of the gradient.</summary>
    protected Span<float> Scratch(int index, int length) => (_scratch[index] ??= new float[length]).AsSpan(0, length);
}
