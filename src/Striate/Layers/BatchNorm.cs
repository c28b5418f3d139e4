// Batch normalization layers (PyTorch's nn.BatchNorm1d/2d/3d): per channel, normalize by the batch
// statistics while training and by running averages of them in evaluation.
//   y = γ·(x − μ)/√(σ² + ε) + β        γ = "weight" (ones), β = "bias" (zeros): parameters when affine
//   buffers (saved in checkpoints, not trained): "running_mean" (zeros), "running_var" (ones),
//   "num_batches_tracked" (a count), as in PyTorch's state dict, when trackRunningStats.
// Training updates the running averages with weight `momentum` (or, with momentum null, the
// cumulative average 1/num_batches_tracked); the running variance uses the unbiased estimate.
using System.Globalization;

namespace Striate.Layers;

/// <summary>What the batch-normalization layers share; the subclasses fix the accepted input ranks.</summary>
public abstract class BatchNormLayer : Module
{
    /// <summary>Checks and stores the options and registers the parameters and buffers.</summary>
    /// <param name="numFeatures">Channels C (dimension 1 of the input).</param>
    /// <param name="eps">ε &gt; 0 added to the variance.</param>
    /// <param name="momentum">Weight of each new batch in the running averages, in [0, 1]; null for the cumulative average.</param>
    /// <param name="affine">Learn γ and β.</param>
    /// <param name="trackRunningStats">Keep running averages (used in evaluation); without them the batch statistics are always used.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numFeatures"/> is not positive.</exception>
    /// <exception cref="ArgumentException"><paramref name="eps"/> is not positive and finite, or <paramref name="momentum"/> is outside [0, 1].</exception>
    private protected BatchNormLayer(int numFeatures, float eps, float? momentum, bool affine, bool trackRunningStats)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numFeatures);
        if (!(eps > 0f) || !float.IsFinite(eps)) throw new ArgumentException($"eps must be positive and finite, got {eps}.", nameof(eps));
        if (momentum is float m && !(m >= 0f && m <= 1f)) throw new ArgumentException($"momentum must be in [0, 1] or null, got {m}.", nameof(momentum));
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", Tensor.Ones(numFeatures));
            Bias = RegisterParameter("bias", Tensor.Zeros(numFeatures));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0f));
        }
    }

    /// <summary>Channels C.</summary>
    public int NumFeatures { get; }

    /// <summary>ε added to the variance.</summary>
    public float Eps { get; }

    /// <summary>Weight of each new batch in the running averages; null for the cumulative average.</summary>
    public float? Momentum { get; }

    /// <summary>Whether γ and β are learned.</summary>
    public bool Affine => Weight is not null;

    /// <summary>Whether running averages are kept.</summary>
    public bool TrackRunningStats => RunningMean is not null;

    /// <summary>γ (C), initialised to ones; null unless <see cref="Affine"/>.</summary>
    public Tensor? Weight { get; }

    /// <summary>β (C), initialised to zeros; null unless <see cref="Affine"/>.</summary>
    public Tensor? Bias { get; }

    /// <summary>Running mean (C), a buffer; null unless <see cref="TrackRunningStats"/>.</summary>
    public Tensor? RunningMean { get; }

    /// <summary>Running unbiased variance (C), a buffer; null unless <see cref="TrackRunningStats"/>.</summary>
    public Tensor? RunningVar { get; }

    /// <summary>The number of training batches folded into the running averages, as a scalar buffer; null unless <see cref="TrackRunningStats"/>.</summary>
    public Tensor? NumBatchesTracked { get; }

    /// <summary>Sets the running mean to 0, the running variance to 1 and the batch count to 0.</summary>
    public void ResetRunningStats()
    {
        RunningMean?.AsSpan().Clear();
        RunningVar?.AsSpan().Fill(1f);
        NumBatchesTracked?.AsSpan().Clear();
    }

    /// <inheritdoc/>
    public override string Description
    {
        get
        {
            string eps = Eps.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e'); // 1e-05, as PyTorch prints it
            string momentum = Momentum is float m ? m.ToString("G6", CultureInfo.InvariantCulture) : "cumulative";
            var text = $"{NumFeatures} features, eps {eps}, momentum {momentum}";
            if (!Affine) text += ", no affine";
            if (!TrackRunningStats) text += ", no running stats";
            return text;
        }
    }

    /// <summary>The input ranks this layer accepts, for messages, e.g. <c>(N, C, H, W)</c>.</summary>
    private protected abstract string ExpectedShape { get; }

    /// <summary>Whether the layer accepts inputs of rank <paramref name="rank"/>.</summary>
    private protected abstract bool AcceptsRank(int rank);

    /// <summary>
    /// Normalizes <paramref name="input"/> with the batch statistics (training, or no running averages kept) or the running
    /// averages (evaluation); in training the running averages and the batch count are updated.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// The input's rank is not one this layer accepts, its dimension 1 is not <see cref="NumFeatures"/>, or in training it
    /// has only one value per channel.
    /// </exception>
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        bool useBatchStatistics = IsTraining || !TrackRunningStats;
        float factor = Momentum ?? 0f;
        float batches = 0;
        bool updating = IsTraining && NumBatchesTracked is not null;
        if (updating)
        {
            batches = NumBatchesTracked!.AsSpan()[0] + 1;
            if (Momentum is null) factor = 1f / batches;
        }
        var y = Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, useBatchStatistics, factor, Eps);
        if (updating) NumBatchesTracked!.AsSpan()[0] = batches; // counted once the batch was accepted
        return y;
    }

    /// <summary>Whether <see cref="ForwardRelu"/> may run: evaluation mode with running statistics, no gradient recording.</summary>
    internal bool CanFuseRelu => !IsTraining && TrackRunningStats && !Autograd.GradMode.IsEnabled;

    /// <summary>
    /// ReLU(Forward(input)) in one pass (Sequential's fusion of a batch norm followed by a ReLU, see <see cref="CanFuseRelu"/>):
    /// the same values as the two layers.
    /// </summary>
    internal Tensor ForwardRelu(Tensor input)
    {
        CheckInput(input);
        return Autograd.Ops.BatchNormNode.Forward(input, RunningMean, RunningVar, Weight, Bias, training: false, 0f, Eps, relu: true);
    }

    private void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!AcceptsRank(input.Rank))
            throw new ArgumentException($"{TypeName} expects input of shape {ExpectedShape}, got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (input.Dims[1] != NumFeatures)
            throw new ArgumentException($"{TypeName}({NumFeatures}) got input {Tensor.ShapeText(input.Dims)} with {input.Dims[1]} channels.", nameof(input));
    }
}

/// <summary>Batch normalization of (N, C) features or (N, C, L) sequences over N (and L), per channel.</summary>
/// <param name="numFeatures">Channels C.</param>
/// <param name="eps">ε &gt; 0 added to the variance (default 1e-5).</param>
/// <param name="momentum">Weight of each new batch in the running averages (default 0.1); null for the cumulative average.</param>
/// <param name="affine">Learn γ and β (default true).</param>
/// <param name="trackRunningStats">Keep running averages for evaluation (default true).</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="numFeatures"/> is not positive.</exception>
/// <exception cref="ArgumentException"><paramref name="eps"/> is not positive and finite, or <paramref name="momentum"/> is outside [0, 1].</exception>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormLayer(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override string ExpectedShape => "(N, C) or (N, C, L)";

    private protected override bool AcceptsRank(int rank) => rank is 2 or 3;
}

/// <summary>Batch normalization of (N, C, H, W) feature maps over N, H and W, per channel.</summary>
/// <param name="numFeatures">Channels C.</param>
/// <param name="eps">ε &gt; 0 added to the variance (default 1e-5).</param>
/// <param name="momentum">Weight of each new batch in the running averages (default 0.1); null for the cumulative average.</param>
/// <param name="affine">Learn γ and β (default true).</param>
/// <param name="trackRunningStats">Keep running averages for evaluation (default true).</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="numFeatures"/> is not positive.</exception>
/// <exception cref="ArgumentException"><paramref name="eps"/> is not positive and finite, or <paramref name="momentum"/> is outside [0, 1].</exception>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormLayer(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override string ExpectedShape => "(N, C, H, W)";

    private protected override bool AcceptsRank(int rank) => rank == 4;
}

/// <summary>Batch normalization of (N, C, D, H, W) volumes over N, D, H and W, per channel.</summary>
/// <param name="numFeatures">Channels C.</param>
/// <param name="eps">ε &gt; 0 added to the variance (default 1e-5).</param>
/// <param name="momentum">Weight of each new batch in the running averages (default 0.1); null for the cumulative average.</param>
/// <param name="affine">Learn γ and β (default true).</param>
/// <param name="trackRunningStats">Keep running averages for evaluation (default true).</param>
/// <exception cref="ArgumentOutOfRangeException"><paramref name="numFeatures"/> is not positive.</exception>
/// <exception cref="ArgumentException"><paramref name="eps"/> is not positive and finite, or <paramref name="momentum"/> is outside [0, 1].</exception>
public sealed class BatchNorm3d(int numFeatures, float eps = 1e-5f, float? momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormLayer(numFeatures, eps, momentum, affine, trackRunningStats)
{
    private protected override string ExpectedShape => "(N, C, D, H, W)";

    private protected override bool AcceptsRank(int rank) => rank == 5;
}
