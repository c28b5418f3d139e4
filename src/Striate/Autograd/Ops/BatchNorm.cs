// Batch normalization (kernel in Striate.Kernels/Normalization/BatchNormKernel.cs).
//   x, y: (N, C) or (N, C, …);  γ, β, running μ and σ²: (C);  m = N·(elements per channel and item)
//   training:  μ, σ² = batch mean and biased variance of each channel;  y = γ·(x − μ)/√(σ² + ε) + β
//              running μ ← (1 − momentum)·running μ + momentum·μ
//              running σ² ← (1 − momentum)·running σ² + momentum·σ²·m/(m − 1)   (unbiased, as PyTorch)
//   inference: the same y with the running statistics, which are then constants of the graph.
// The node saves μ and 1/√(σ² + ε) per channel (copies, so a later update of the running buffers
// cannot change a pending backward) and whether they were the batch's, which decides whether the
// gradient flows through them.
using Striate.Kernels.Normalization;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for batch normalization; inputs are x, then γ and β when present.</summary>
internal sealed class BatchNormNode : Node
{
    private readonly float[] _mean, _invStd;
    private readonly bool _training;
    private readonly int _n, _c, _inner, _weightIndex, _biasIndex;

    private BatchNormNode(Tensor[] inputs, int weightIndex, int biasIndex, float[] mean, float[] invStd, bool training, int n, int c, int inner)
        : base(inputs)
    {
        (_weightIndex, _biasIndex, _mean, _invStd, _training, _n, _c, _inner) = (weightIndex, biasIndex, mean, invStd, training, n, c, inner);
    }

    public override string Name => "BatchNorm";

    /// <summary>
    /// Runs batch normalization; momentum and eps must already be validated. With relu, a following ReLU is fused
    /// (evaluation without gradient recording only: a node would need the normalised values, which the fused pass overwrites).
    /// </summary>
    public static Tensor Forward(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias, bool training, float momentum, float eps,
        bool relu = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2)
            throw new ArgumentException($"BatchNorm expects input of shape (N, C) or (N, C, …), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int n = input.Dims[0], c = input.Dims[1], inner = 1;
        for (int d = 2; d < input.Rank; d++) inner *= input.Dims[d];
        CheckChannelVector(runningMean, c, input, nameof(runningMean));
        CheckChannelVector(runningVar, c, input, nameof(runningVar));
        CheckChannelVector(weight, c, input, nameof(weight));
        CheckChannelVector(bias, c, input, nameof(bias));
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException("BatchNorm needs both runningMean and runningVar, or neither.", runningMean is null ? nameof(runningMean) : nameof(runningVar));
        if (!training && runningMean is null)
            throw new ArgumentException("BatchNorm in evaluation mode (training: false) needs runningMean and runningVar.", nameof(runningMean));
        long m = (long)n * inner;
        if (training && m <= 1)
            throw new ArgumentException($"BatchNorm in training mode needs more than 1 value per channel to compute a variance, got input {Tensor.ShapeText(input.Dims)}.", nameof(input));

        var y = input.UninitializedLike(); // both kernels write every element
        var invStd = new float[c];
        float[] mean;
        ReadOnlySpan<float> w = weight is null ? default : weight.Data, b = bias is null ? default : bias.Data;
        if (training)
        {
            mean = new float[c];
            var variance = new float[c];
            BatchNormKernel.ForwardTraining(input.Data, n, c, inner, w, b, eps, y.Data, mean, variance, invStd, Compute.Threads);
            if (runningMean is not null && runningVar is not null)
            {
                var rm = runningMean.AsSpan();
                var rv = runningVar.AsSpan();
                double unbias = (double)m / (m - 1);
                for (int ch = 0; ch < c; ch++)
                {
                    rm[ch] = (float)((1.0 - momentum) * rm[ch] + (double)momentum * mean[ch]);
                    rv[ch] = (float)((1.0 - momentum) * rv[ch] + (double)momentum * variance[ch] * unbias);
                }
            }
        }
        else
        {
            mean = runningMean!.ToArray();
            BatchNormKernel.ForwardInference(input.Data, n, c, inner, mean, runningVar!.Data, w, b, eps, y.Data, invStd, Compute.Threads, relu);
        }

        bool record = GradMode.IsEnabled && (input.RequiresGrad || (weight?.RequiresGrad ?? false) || (bias?.RequiresGrad ?? false));
        if (relu && (training || record))
            throw new InvalidOperationException("BatchNorm + ReLU fusion runs only in evaluation mode without gradient recording.");
        if (record)
        {
            var inputs = new List<Tensor> { input };
            int weightIndex = -1, biasIndex = -1;
            if (weight is not null) { weightIndex = inputs.Count; inputs.Add(weight); }
            if (bias is not null) { biasIndex = inputs.Count; inputs.Add(bias); }
            y.SetGradFn(new BatchNormNode([.. inputs], weightIndex, biasIndex, mean, invStd, training, n, c, inner));
        }
        return y;
    }

    private static void CheckChannelVector(Tensor? t, int c, Tensor input, string name)
    {
        if (t is not null && (t.Rank != 1 || t.Dims[0] != c))
            throw new ArgumentException($"BatchNorm {name} must have shape ({c},) to match the {c} channels of input {Tensor.ShapeText(input.Dims)}, got {Tensor.ShapeText(t.Dims)}.", name);
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        // y = γ·(x − μ)/√(σ² + ε) + β, with μ and σ² functions of x when they are the batch statistics
        ReadOnlySpan<float> w = _weightIndex >= 0 ? Inputs[_weightIndex].Data : default;
        var dw = _weightIndex >= 0 ? GradOf(_weightIndex) : default;
        var db = _biasIndex >= 0 ? GradOf(_biasIndex) : default;
        BatchNormKernel.Backward(Inputs[0].Data, gradOutput, _n, _c, _inner, _mean, _invStd, w, _training, GradOf(0), dw, db, Compute.Threads);
    }
}
