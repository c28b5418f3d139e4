// Learning-rate schedules, PyTorch's definitions in closed form. t counts Step() calls (epochs
// or batches, as the caller decides); every group's rate is its base rate (the rate when the
// scheduler was created) transformed by the schedule.
//   StepLR        lr = base · γ^⌊t/stepSize⌋
//   MultiStepLR   lr = base · γ^(number of milestones ≤ t)
//   ExponentialLR lr = base · γ^t
//   CosineAnnealingLR  lr = ηmin + (base − ηmin)·(1 + cos(π·t/Tmax))/2
//   LinearLR      lr = base · (s + (e − s)·min(t, T)/T)          (linear warm-up when s < e)
//   OneCycleLR    warm-up from max/div to max over pctStart·total − 1 steps, then cosine
//                 annealing to max/(div·finalDiv) at step total − 1 (group rates ignored)
//   ReduceLROnPlateau  lr ← max(lr·factor, minLr) after `patience` epochs without improvement
namespace Striate.Training;

/// <summary>Base of the schedules that are a function of the step count.</summary>
public abstract class LrScheduler
{
    private readonly float[] _baseRates;

    /// <summary>Attaches to <paramref name="optimizer"/>, remembering each group's current rate as its base, and applies the rate for t = 0.</summary>
    protected LrScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        _baseRates = [.. optimizer.Groups.Select(g => g.LearningRate)];
    }

    /// <summary>The optimizer whose rates this schedule sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Number of <see cref="Step"/> calls so far (PyTorch's last_epoch).</summary>
    public int StepCount { get; private set; }

    /// <summary>The group base rates the schedule scales.</summary>
    public IReadOnlyList<float> BaseRates => _baseRates;

    /// <summary>Advances t by one and sets every group's learning rate.</summary>
    public void Step()
    {
        StepCount++;
        Apply();
    }

    /// <summary>Jumps to step <paramref name="stepCount"/> (a resumed run) and applies that step's rates.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepCount"/> is negative.</exception>
    public void FastForward(int stepCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(stepCount);
        StepCount = stepCount;
        Apply();
    }

    /// <summary>Sets every group's rate for the current t (called by subclasses' constructors for t = 0).</summary>
    protected void Apply()
    {
        for (int g = 0; g < _baseRates.Length; g++)
            Optimizer.Groups[g].LearningRate = RateAt(_baseRates[g], StepCount);
    }

    /// <summary>The schedule: the rate at step <paramref name="t"/> for a group whose base rate is <paramref name="baseRate"/>.</summary>
    public abstract float RateAt(float baseRate, int t);
}

/// <summary>Multiplies the rate by γ every <c>stepSize</c> steps.</summary>
public sealed class StepLR : LrScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="stepSize"/> is not positive or γ is negative.</exception>
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stepSize);
        if (!(gamma >= 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be non-negative.");
        (StepSize, Gamma) = (stepSize, gamma);
        Apply();
    }

    /// <summary>Steps between decays.</summary>
    public int StepSize { get; }

    /// <summary>Decay factor γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float RateAt(float baseRate, int t) => (float)(baseRate * Math.Pow(Gamma, t / StepSize));
}

/// <summary>Multiplies the rate by γ at each milestone.</summary>
public sealed class MultiStepLR : LrScheduler
{
    private readonly int[] _milestones;

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentException">The milestones are not strictly increasing non-negative integers.</exception>
    public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, float gamma = 0.1f) : base(optimizer)
    {
        ArgumentNullException.ThrowIfNull(milestones);
        _milestones = [.. milestones];
        for (int i = 0; i < _milestones.Length; i++)
            if (_milestones[i] < 0 || (i > 0 && _milestones[i] <= _milestones[i - 1]))
                throw new ArgumentException("Milestones must be non-negative and strictly increasing.", nameof(milestones));
        if (!(gamma >= 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be non-negative.");
        Gamma = gamma;
        Apply();
    }

    /// <summary>Decay factor γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float RateAt(float baseRate, int t) => (float)(baseRate * Math.Pow(Gamma, _milestones.Count(m => m <= t)));
}

/// <summary>Multiplies the rate by γ every step.</summary>
public sealed class ExponentialLR : LrScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">γ is negative.</exception>
    public ExponentialLR(Optimizer optimizer, float gamma) : base(optimizer)
    {
        if (!(gamma >= 0)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be non-negative.");
        Gamma = gamma;
        Apply();
    }

    /// <summary>Decay factor γ.</summary>
    public float Gamma { get; }

    /// <inheritdoc/>
    public override float RateAt(float baseRate, int t) => (float)(baseRate * Math.Pow(Gamma, t));
}

/// <summary>Cosine annealing from the base rate to ηmin over Tmax steps (SGDR without restarts).</summary>
public sealed class CosineAnnealingLR : LrScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tMax"/> is not positive or ηmin is negative.</exception>
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f) : base(optimizer)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(tMax);
        if (!(etaMin >= 0)) throw new ArgumentOutOfRangeException(nameof(etaMin), etaMin, "etaMin must be non-negative.");
        (TMax, EtaMin) = (tMax, etaMin);
        Apply();
    }

    /// <summary>Half-period in steps.</summary>
    public int TMax { get; }

    /// <summary>Minimum rate.</summary>
    public float EtaMin { get; }

    /// <inheritdoc/>
    public override float RateAt(float baseRate, int t) => (float)(EtaMin + (baseRate - EtaMin) * (1 + Math.Cos(Math.PI * t / TMax)) / 2);
}

/// <summary>Scales the rate linearly from startFactor to endFactor over totalIters steps (linear warm-up).</summary>
public sealed class LinearLR : LrScheduler
{
    /// <summary>Creates the schedule (PyTorch defaults: 1/3 → 1 over 5 steps).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A factor is outside (0, 1] (start) / [0, 1] (end), or totalIters is not positive.</exception>
    public LinearLR(Optimizer optimizer, float startFactor = 1f / 3, float endFactor = 1f, int totalIters = 5) : base(optimizer)
    {
        if (!(startFactor > 0 && startFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(startFactor), startFactor, "startFactor must be in (0, 1].");
        if (!(endFactor >= 0 && endFactor <= 1)) throw new ArgumentOutOfRangeException(nameof(endFactor), endFactor, "endFactor must be in [0, 1].");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalIters);
        (StartFactor, EndFactor, TotalIters) = (startFactor, endFactor, totalIters);
        Apply();
    }

    /// <summary>Factor at t = 0.</summary>
    public float StartFactor { get; }

    /// <summary>Factor from t = totalIters on.</summary>
    public float EndFactor { get; }

    /// <summary>Length of the ramp.</summary>
    public int TotalIters { get; }

    /// <inheritdoc/>
    public override float RateAt(float baseRate, int t) =>
        (float)(baseRate * (StartFactor + (EndFactor - StartFactor) * (double)Math.Min(t, TotalIters) / TotalIters));
}

/// <summary>The one-cycle policy (Smith 2018) with cosine annealing; stepped once per batch.</summary>
public sealed class OneCycleLR : LrScheduler
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="optimizer">The optimizer; its group rates are replaced.</param>
    /// <param name="maxLr">Peak rate.</param>
    /// <param name="totalSteps">Number of Step() calls the cycle lasts.</param>
    /// <param name="pctStart">Fraction of the cycle spent warming up (0.3).</param>
    /// <param name="divFactor">Initial rate = maxLr / divFactor (25).</param>
    /// <param name="finalDivFactor">Final rate = initial / finalDivFactor (1e4).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public OneCycleLR(Optimizer optimizer, float maxLr, int totalSteps, float pctStart = 0.3f, float divFactor = 25f, float finalDivFactor = 1e4f)
        : base(optimizer)
    {
        if (!(maxLr > 0) || float.IsInfinity(maxLr)) throw new ArgumentOutOfRangeException(nameof(maxLr), maxLr, "maxLr must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 2);
        if (!(pctStart > 0 && pctStart < 1)) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pctStart must be in (0, 1).");
        if (!(divFactor > 0)) throw new ArgumentOutOfRangeException(nameof(divFactor), divFactor, "divFactor must be positive.");
        if (!(finalDivFactor > 0)) throw new ArgumentOutOfRangeException(nameof(finalDivFactor), finalDivFactor, "finalDivFactor must be positive.");
        (MaxLr, TotalSteps, PctStart) = (maxLr, totalSteps, pctStart);
        InitialLr = maxLr / divFactor;
        MinLr = InitialLr / finalDivFactor;
        Apply();
    }

    /// <summary>Peak rate.</summary>
    public float MaxLr { get; }

    /// <summary>Rate at t = 0.</summary>
    public float InitialLr { get; }

    /// <summary>Rate at t = totalSteps − 1.</summary>
    public float MinLr { get; }

    /// <summary>Cycle length.</summary>
    public int TotalSteps { get; }

    /// <summary>Warm-up fraction.</summary>
    public float PctStart { get; }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">Stepped past the end of the cycle.</exception>
    public override float RateAt(float baseRate, int t)
    {
        if (t >= TotalSteps)
            throw new InvalidOperationException($"OneCycleLR was stepped {t + 1} times but the cycle has {TotalSteps} steps.");
        double warmEnd = PctStart * (double)TotalSteps - 1, end = TotalSteps - 1;
        return t <= warmEnd
            ? CosineBetween(InitialLr, MaxLr, t / warmEnd)
            : CosineBetween(MaxLr, MinLr, (t - warmEnd) / (end - warmEnd));
    }

    private static float CosineBetween(double start, double end, double pct) => (float)(end + (start - end) / 2 * (Math.Cos(Math.PI * pct) + 1));
}

/// <summary>Whether a smaller or a larger metric is better for <see cref="ReduceLROnPlateau"/>.</summary>
public enum PlateauMode
{
    /// <summary>Lower is better (a loss).</summary>
    Min,
    /// <summary>Higher is better (an accuracy).</summary>
    Max,
}

/// <summary>Cuts every group's rate by a factor when a metric stops improving (PyTorch's relative-threshold mode).</summary>
public sealed class ReduceLROnPlateau
{
    private double _best;
    private int _badEpochs, _cooldownLeft;

    /// <summary>Creates the schedule.</summary>
    /// <exception cref="ArgumentOutOfRangeException">factor is not in (0, 1), or a count or threshold is negative.</exception>
    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, float factor = 0.1f, int patience = 10,
        float threshold = 1e-4f, int cooldown = 0, float minLr = 0f, float eps = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!(factor > 0 && factor < 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be in (0, 1).");
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        if (!(threshold >= 0)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be non-negative.");
        (Optimizer, Mode, Factor, Patience, Threshold, Cooldown, MinLr, Eps) = (optimizer, mode, factor, patience, threshold, cooldown, minLr, eps);
        _best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The optimizer whose rates are cut.</summary>
    public Optimizer Optimizer { get; }
    /// <summary>Min or max mode.</summary>
    public PlateauMode Mode { get; }
    /// <summary>Multiplier applied to the rate.</summary>
    public float Factor { get; }
    /// <summary>Epochs without improvement tolerated.</summary>
    public int Patience { get; }
    /// <summary>Relative improvement needed to count as better.</summary>
    public float Threshold { get; }
    /// <summary>Epochs to wait after a cut.</summary>
    public int Cooldown { get; }
    /// <summary>Lower bound on the rate.</summary>
    public float MinLr { get; }
    /// <summary>Cuts smaller than this are skipped.</summary>
    public float Eps { get; }

    /// <summary>Records this epoch's metric and cuts the rates if it has plateaued.</summary>
    /// <exception cref="ArgumentException">The metric is NaN.</exception>
    public void Step(double metric)
    {
        if (double.IsNaN(metric)) throw new ArgumentException("The metric is NaN.", nameof(metric));
        bool better = Mode == PlateauMode.Min ? metric < _best * (1 - Threshold) : metric > _best * (1 + Threshold);
        if (better) { _best = metric; _badEpochs = 0; }
        else _badEpochs++;
        if (_cooldownLeft > 0) { _cooldownLeft--; _badEpochs = 0; }
        if (_badEpochs > Patience)
        {
            foreach (var g in Optimizer.Groups)
            {
                float updated = Math.Max(g.LearningRate * Factor, MinLr);
                if (g.LearningRate - updated > Eps) g.LearningRate = updated;
            }
            _cooldownLeft = Cooldown;
            _badEpochs = 0;
        }
    }
}
