// BatchNorm1d/2d/3d layers: PyTorch defaults and state names (weight, bias, running_mean,
// running_var, num_batches_tracked), train vs eval behaviour, momentum and the cumulative average,
// trackRunningStats off, summaries, and input checks naming the input.
using Striate.Autograd;
using Striate.Layers;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Layers;

public class BatchNormTests
{
    [Fact]
    public void Defaults_FollowPyTorchWithParametersAndBuffers()
    {
        var bn = new BatchNorm2d(3);
        Assert.Equal((3, 1e-5f, (float?)0.1f, true, true), (bn.NumFeatures, bn.Eps, bn.Momentum, bn.Affine, bn.TrackRunningStats));
        Assert.Equal(["weight", "bias"], bn.NamedParameters().Select(p => p.Key));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], bn.NamedBuffers().Select(b => b.Key));
        Assert.Equal([1f, 1f, 1f], bn.Weight!.ToArray());
        Assert.Equal([0f, 0f, 0f], bn.Bias!.ToArray());
        Assert.Equal([0f, 0f, 0f], bn.RunningMean!.ToArray());
        Assert.Equal([1f, 1f, 1f], bn.RunningVar!.ToArray());
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
        Assert.False(bn.RunningMean.RequiresGrad);
        Assert.Equal(6, bn.ParameterCount());
    }

    [Fact]
    public void NoAffineNoTracking_HasNoParametersOrBuffers()
    {
        var bn = new BatchNorm1d(4, affine: false, trackRunningStats: false);
        Assert.Empty(bn.NamedParameters());
        Assert.Empty(bn.NamedBuffers());
        // Without running statistics the batch's are used in evaluation too.
        var x = Tensor.Uniform(new Rng(111), -2f, 2f, 5, 4);
        Assert.Equal(Functional.BatchNorm(x, null, null, training: true).ToArray(), bn.Eval().Forward(x).ToArray());
    }

    [Fact]
    public void TrainThenEval_UsesBatchThenRunningStatistics()
    {
        var bn = new BatchNorm2d(2, momentum: 0.5f);
        var rng = new Rng(112);
        var x = Tensor.Uniform(rng, 1f, 3f, 4, 2, 3, 3);
        var trainOut = bn.Forward(x);
        Assert.Equal(Functional.BatchNorm(x, null, null, bn.Weight, bn.Bias, training: true).ToArray(), trainOut.ToArray());
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());
        Assert.All(bn.RunningMean!.ToArray(), m => Assert.InRange(m, 0.8f, 1.2f)); // half of a batch mean near 2

        bn.Eval();
        var runningMean = bn.RunningMean.ToArray();
        var evalOut = bn.Forward(x);
        Assert.Equal(Functional.BatchNorm(x, bn.RunningMean, bn.RunningVar, bn.Weight, bn.Bias, training: false).ToArray(), evalOut.ToArray());
        Assert.Equal(runningMean, bn.RunningMean.ToArray()); // evaluation leaves the statistics alone
        Assert.Equal(1f, bn.NumBatchesTracked.Item());
    }

    [Fact]
    public void MomentumNull_KeepsTheCumulativeAverage()
    {
        var bn = new BatchNorm1d(1, momentum: null);
        float[] means = [2f, 4f, 9f];
        foreach (float m in means) bn.Forward(Tensor.FromArray([m - 1, m + 1], 2, 1));
        Assert.Equal(means.Average(), bn.RunningMean!.Item(), 1e-6f);
        Assert.Equal(2f, bn.RunningVar!.Item(), 1e-6f); // every batch: unbiased variance of (m − 1, m + 1) = 2
        Assert.Equal(3f, bn.NumBatchesTracked!.Item());
        bn.ResetRunningStats();
        Assert.Equal((0f, 1f, 0f), (bn.RunningMean.Item(), bn.RunningVar.Item(), bn.NumBatchesTracked.Item()));
    }

    [Fact]
    public void RejectedBatch_DoesNotCountOrUpdate()
    {
        var bn = new BatchNorm1d(3);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Ones(1, 3))); // one value per channel in training
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
        Assert.Equal([0f, 0f, 0f], bn.RunningMean!.ToArray());
    }

    [Fact]
    public void Backward_ReachesInputWeightAndBias()
    {
        var bn = new BatchNorm3d(2);
        var x = Tensor.Uniform(new Rng(113), -1f, 1f, 2, 2, 2, 2, 3);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(114), 0f, 1f, 2, 2, 2, 2, 3);
        bn.Forward(x).Backward(upstream);
        Assert.NotNull(x.Grad);
        Assert.Equal([2], bn.Weight!.Grad!.Shape);
        // dβ = Σ dy per channel.
        for (int c = 0; c < 2; c++)
        {
            double expected = Enumerable.Range(0, 2).SelectMany(n => upstream.ToArray().Skip((n * 2 + c) * 12).Take(12)).Sum(v => (double)v);
            Assert.Equal(expected, bn.Bias!.Grad!.AsSpan()[c], 5);
        }
    }

    [Theory]
    [InlineData("1d", new[] { 4, 3, 2, 2 })]
    [InlineData("1d", new[] { 3 })]
    [InlineData("2d", new[] { 4, 3, 5 })]
    [InlineData("3d", new[] { 2, 3, 2, 2 })]
    public void WrongRank_ThrowsNamingInput(string kind, int[] shape)
    {
        BatchNormLayer bn = kind switch { "1d" => new BatchNorm1d(3), "2d" => new BatchNorm2d(3), _ => new BatchNorm3d(3) };
        var ex = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Ones(shape)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains(Tensor.ShapeText(shape), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WrongChannelCount_ThrowsNamingInput()
    {
        var ex = Assert.Throws<ArgumentException>(() => new BatchNorm2d(3).Forward(Tensor.Ones(2, 4, 2, 2)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("BatchNorm2d(3)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_RejectsBadArgumentsNamingThem()
    {
        Assert.Equal("numFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm2d(0)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentException>(() => new BatchNorm2d(3, eps: 0f)).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentException>(() => new BatchNorm2d(3, momentum: -0.1f)).ParamName);
    }

    [Fact]
    public void Summary_RunsInEvalModeAndShowsTheOptions()
    {
        var model = new Sequential(new BatchNorm2d(3), new Flatten(), new BatchNorm1d(12, momentum: null, affine: false));
        var summary = model.Summarize(3, 2, 2); // a batch of one: fine in evaluation mode
        Assert.Equal(["3 features, eps 1e-05, momentum 0.1", "", "12 features, eps 1e-05, momentum cumulative, no affine"],
            summary.Rows.Select(r => r.Description));
        Assert.Equal([6L, 0, 0], summary.Rows.Select(r => r.Parameters));
        Assert.True(model.IsTraining);
        Assert.Equal(0f, ((BatchNorm2d)model.Children[0].Value).NumBatchesTracked!.Item());
    }

    [Fact]
    public void UnderNoGrad_StillUpdatesRunningStatisticsInTraining()
    {
        var bn = new BatchNorm1d(2);
        using (GradMode.NoGrad()) bn.Forward(Tensor.FromArray([1f, 10f, 3f, 20f], 2, 2));
        AssertTensor.Close(bn.RunningMean!.AsSpan(), [0.2, 1.5], [2], Tolerances.Pointwise, "running mean after one batch");
    }
}
