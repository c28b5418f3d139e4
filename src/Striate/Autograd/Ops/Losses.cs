// Loss functions, PyTorch's definitions. Elementwise losses over input x and target y:
//   MSE:       l = (x − y)²                          dl/dx = 2(x − y)
//   L1:        l = |x − y|                           dl/dx = sign(x − y)
//   SmoothL1:  l = ½d²/β if |d| < β else |d| − ½β    dl/dx = d/β or sign(d)   (d = x − y)
//   BCE with logits, pos-weight p (per class, last dimension), L = 1 + (p − 1)·y:
//              l = (1 − y)·x + L·softplus(−x)          (softplus(−x) = log(1 + e^−|x|) + max(−x, 0))
//              dl/dx = (1 − y) − L·σ(−x)               dl/dy = −x + (p − 1)·softplus(−x)
// dl/dy = −dl/dx for the first three. Reduction: mean (÷ element count), sum, or none.
//
// Cross-entropy with class weights w and label smoothing ε over C classes (logits z, p = softmax):
//   a[n, c] = (1 − ε)·[c = t_n]·w[t_n] + (ε/C)·w[c]
//   loss_n  = Σ_c a[n, c]·(−log p[n, c])            mean: Σ_n loss_n / Σ_n w[t_n]
//   dz[n, j] = (Σ_c a[n, c])·p[n, j] − a[n, j]       (÷ the same denominator)
// With ε = 0 this is the weighted NLL of log-softmax, PyTorch's F.cross_entropy.
namespace Striate.Autograd.Ops;

/// <summary>How a loss turns per-element (or per-sample) values into its result.</summary>
public enum Reduction
{
    /// <summary>The mean (for weighted cross-entropy/NLL: divided by the total weight of the targets).</summary>
    Mean,
    /// <summary>The sum.</summary>
    Sum,
    /// <summary>No reduction: one value per element (per sample for cross-entropy/NLL).</summary>
    None,
}

/// <summary>The elementwise regression and binary-classification losses.</summary>
public enum PointwiseLossKind
{
    /// <summary>Squared error.</summary>
    Mse,
    /// <summary>Absolute error.</summary>
    L1,
    /// <summary>Huber-like smooth L1 with threshold β.</summary>
    SmoothL1,
    /// <summary>Binary cross-entropy on logits.</summary>
    BceWithLogits,
}

/// <summary>Autograd node for the elementwise losses.</summary>
internal sealed class PointwiseLossNode : Node
{
    private readonly PointwiseLossKind _kind;
    private readonly Reduction _reduction;
    private readonly float _beta;
    private readonly Tensor? _posWeight;

    private PointwiseLossNode(PointwiseLossKind kind, Reduction reduction, float beta, Tensor input, Tensor target, Tensor? posWeight)
        : base(input, target)
    {
        (_kind, _reduction, _beta, _posWeight) = (kind, reduction, beta, posWeight);
    }

    public override string Name => _kind.ToString();

    public static Tensor Forward(PointwiseLossKind kind, Tensor input, Tensor target, Reduction reduction, float beta = 1f, Tensor? posWeight = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (!input.Dims.SequenceEqual(target.Dims))
            throw new ArgumentException($"{kind} needs input and target of the same shape, got {Tensor.ShapeText(input.Dims)} and {Tensor.ShapeText(target.Dims)}.", nameof(target));
        if (kind == PointwiseLossKind.SmoothL1 && !(beta >= 0))
            throw new ArgumentOutOfRangeException(nameof(beta), beta, "SmoothL1 beta must be non-negative.");
        int classes = input.Rank == 0 ? 1 : input.Dims[^1];
        if (posWeight is not null && (posWeight.Rank != 1 || posWeight.Dims[0] != classes))
            throw new ArgumentException($"posWeight must have shape ({classes},) to match the last dimension of input {Tensor.ShapeText(input.Dims)}, got {Tensor.ShapeText(posWeight.Dims)}.", nameof(posWeight));
        if (input.Length == 0 && reduction == Reduction.Mean)
            throw new ArgumentException($"The mean {kind} of an empty input is undefined.", nameof(input));

        var x = input.Data;
        var y = target.Data;
        var values = new float[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            float d = x[i] - y[i];
            values[i] = kind switch
            {
                PointwiseLossKind.Mse => d * d,
                PointwiseLossKind.L1 => MathF.Abs(d),
                PointwiseLossKind.SmoothL1 => MathF.Abs(d) < beta ? 0.5f * d * d / beta : MathF.Abs(d) - 0.5f * beta,
                _ => (1f - y[i]) * x[i] + (1f + (PosWeight(posWeight, i, classes) - 1f) * y[i]) * SoftplusOfNegative(x[i]),
            };
        }
        Tensor result;
        if (reduction == Reduction.None)
        {
            result = Tensor.Wrap(values, [.. input.Dims]);
        }
        else
        {
            double sum = 0;
            foreach (float v in values) sum += v;
            result = Tensor.Scalar((float)(reduction == Reduction.Mean ? sum / values.Length : sum));
        }
        if (ShouldRecord(input, target)) result.SetGradFn(new PointwiseLossNode(kind, reduction, beta, input, target, posWeight));
        return result;
    }

    private static float PosWeight(Tensor? posWeight, int i, int classes) => posWeight is null ? 1f : posWeight.Data[i % classes];

    /// <summary>softplus(−x) = log(1 + e^−x), computed without overflow for large |x|.</summary>
    private static float SoftplusOfNegative(float x) => MathF.Log(1f + MathF.Exp(-MathF.Abs(x))) + MathF.Max(-x, 0f);

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var x = Inputs[0].Data;
        var y = Inputs[1].Data;
        var dx = GradOf(0);
        var dy = GradOf(1);
        int classes = Inputs[0].Rank == 0 ? 1 : Inputs[0].Dims[^1];
        float scale = _reduction == Reduction.Mean ? 1f / x.Length : 1f;
        for (int i = 0; i < x.Length; i++)
        {
            float g = (_reduction == Reduction.None ? gradOutput[i] : gradOutput[0]) * scale;
            float d = x[i] - y[i];
            float dldx, dldy;
            switch (_kind)
            {
                case PointwiseLossKind.Mse: dldx = 2f * d; dldy = -dldx; break;                               // l = (x − y)²
                case PointwiseLossKind.L1: dldx = MathF.Sign(d); dldy = -dldx; break;                         // l = |x − y|
                case PointwiseLossKind.SmoothL1: dldx = MathF.Abs(d) < _beta ? d / _beta : MathF.Sign(d); dldy = -dldx; break;
                default:
                    // l = (1 − y)·x + (1 + (p − 1)·y)·softplus(−x)
                    float p = PosWeight(_posWeight, i, classes);
                    float sigmoidOfNegative = 1f / (1f + MathF.Exp(x[i]));
                    dldx = (1f - y[i]) - (1f + (p - 1f) * y[i]) * sigmoidOfNegative;
                    dldy = -x[i] + (p - 1f) * SoftplusOfNegative(x[i]);
                    break;
            }
            if (!dx.IsEmpty) dx[i] += g * dldx;
            if (!dy.IsEmpty) dy[i] += g * dldy;
        }
    }
}

/// <summary>Autograd node for cross-entropy on logits with class weights and label smoothing (see file header).</summary>
internal sealed class CrossEntropyNode : Node
{
    private readonly int[] _targets;
    private readonly float[]? _weight;
    private readonly float _smoothing;
    private readonly Reduction _reduction;
    private readonly float[] _probabilities;
    private readonly double _denominator;

    private CrossEntropyNode(Tensor logits, int[] targets, float[]? weight, float smoothing, Reduction reduction, float[] probabilities, double denominator)
        : base(logits)
    {
        (_targets, _weight, _smoothing, _reduction, _probabilities, _denominator) = (targets, weight, smoothing, reduction, probabilities, denominator);
    }

    public override string Name => "CrossEntropy";

    public static Tensor Forward(Tensor logits, ReadOnlySpan<int> targets, Tensor? weight, float labelSmoothing, Reduction reduction, bool inputIsLogProbabilities)
    {
        ArgumentNullException.ThrowIfNull(logits);
        string op = inputIsLogProbabilities ? "NllLoss" : "CrossEntropy";
        if (logits.Rank != 2)
            throw new ArgumentException($"{op} expects (N, classes) scores, got {Tensor.ShapeText(logits.Dims)}.", nameof(logits));
        int n = logits.Dims[0], classes = logits.Dims[1];
        if (targets.Length != n)
            throw new ArgumentException($"{op} got {targets.Length} targets for a batch of {n}.", nameof(targets));
        if (weight is not null && (weight.Rank != 1 || weight.Dims[0] != classes))
            throw new ArgumentException($"{op} class weights must have shape ({classes},), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "Label smoothing must be in [0, 1].");
        for (int i = 0; i < n; i++)
            if ((uint)targets[i] >= (uint)classes)
                throw new ArgumentException($"Target {targets[i]} at batch index {i} is outside the {classes} classes [0, {classes - 1}].", nameof(targets));

        // log p: either given (NLL) or log-softmax with the max subtracted.
        var logP = new float[n * classes];
        var z = logits.Data;
        for (int i = 0; i < n; i++)
        {
            var row = z.AsSpan(i * classes, classes);
            if (inputIsLogProbabilities) { row.CopyTo(logP.AsSpan(i * classes)); continue; }
            float max = float.NegativeInfinity;
            foreach (float v in row) max = MathF.Max(max, v);
            double s = 0;
            foreach (float v in row) s += Math.Exp(v - max);
            float logSum = max + (float)Math.Log(s);
            for (int j = 0; j < classes; j++) logP[i * classes + j] = row[j] - logSum;
        }
        var w = weight?.Data;
        var perSample = new float[n];
        double denominator = 0;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            float wt = w is null ? 1f : w[t];
            denominator += wt;
            double loss = -(1 - labelSmoothing) * wt * logP[i * classes + t];
            if (labelSmoothing > 0)
                for (int c = 0; c < classes; c++) loss -= labelSmoothing / classes * (w is null ? 1f : w[c]) * logP[i * classes + c];
            perSample[i] = (float)loss;
        }
        Tensor result;
        if (reduction == Reduction.None)
        {
            result = Tensor.Wrap(perSample, [n]);
            denominator = 1;
        }
        else
        {
            double sum = 0;
            foreach (float v in perSample) sum += v;
            if (reduction == Reduction.Sum) denominator = 1;
            result = Tensor.Scalar((float)(sum / denominator));
        }
        if (ShouldRecord(logits))
        {
            // Backward needs p = softmax (or, for NLL, nothing but the coefficients).
            var probabilities = inputIsLogProbabilities ? [] : logP;
            if (!inputIsLogProbabilities)
                for (int i = 0; i < probabilities.Length; i++) probabilities[i] = MathF.Exp(probabilities[i]);
            result.SetGradFn(new CrossEntropyNode(logits, targets.ToArray(), w, labelSmoothing, reduction, probabilities, denominator));
        }
        return result;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dz = GradOf(0);
        if (dz.IsEmpty) return;
        int classes = Inputs[0].Dims[1];
        bool nll = _probabilities.Length == 0;
        for (int i = 0; i < _targets.Length; i++)
        {
            float g = (float)((_reduction == Reduction.None ? gradOutput[i] : gradOutput[0]) / _denominator);
            int t = _targets[i];
            float wt = _weight is null ? 1f : _weight[t];
            // a[c] = (1 − ε)·[c = t]·w[t] + (ε/C)·w[c];  loss = Σ a[c]·(−log p[c])
            double aSum = (1 - _smoothing) * wt;
            if (_smoothing > 0)
                for (int c = 0; c < classes; c++) aSum += _smoothing / classes * (_weight is null ? 1f : _weight[c]);
            for (int j = 0; j < classes; j++)
            {
                double a = (j == t ? (1 - _smoothing) * wt : 0) + (_smoothing > 0 ? _smoothing / classes * (_weight is null ? 1f : _weight[j]) : 0);
                // NLL: d/d(log p_j) = −a_j;  cross-entropy: d/dz_j = Σa·p_j − a_j
                double d = nll ? -a : aSum * _probabilities[i * classes + j] - a;
                dz[i * classes + j] += (float)(g * d);
            }
        }
    }
}
