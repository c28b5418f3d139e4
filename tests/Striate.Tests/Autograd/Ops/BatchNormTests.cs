// Batch normalization through autograd: normalized statistics, running-average updates (biased
// variance to normalize, unbiased for the running estimate), finite-difference gradient checks in
// training (through the batch statistics) and evaluation over every batch item, accumulation, and
// argument checks naming the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class BatchNormTests
{
    [Fact]
    public void Training_OutputHasZeroMeanUnitVariancePerChannel()
    {
        var x = Tensor.Uniform(new Rng(101), -3f, 5f, 4, 3, 5, 5);
        var y = Functional.BatchNorm(x, null, null, training: true).ToArray();
        for (int c = 0; c < 3; c++)
        {
            var values = Enumerable.Range(0, 4).SelectMany(n => y.Skip((n * 3 + c) * 25).Take(25)).Select(v => (double)v).ToArray();
            double mean = values.Average(), variance = values.Select(v => (v - mean) * (v - mean)).Average();
            Assert.Equal(0, mean, 1e-6);
            Assert.Equal(1 - 1e-5 / (variance + 1e-5), variance, 1e-4); // σ²/(σ² + ε) ≈ 1
        }
    }

    [Fact]
    public void Training_UpdatesRunningStatisticsWithTheUnbiasedVariance()
    {
        // One channel, values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
        var x = Tensor.FromArray([1f, 2f, 3f, 6f], 4, 1);
        var runningMean = Tensor.FromArray([1f], 1);
        var runningVar = Tensor.FromArray([2f], 1);
        var y = Functional.BatchNorm(x, runningMean, runningVar, training: true, momentum: 0.25f, eps: 1e-5f);
        Assert.Equal(0.75f * 1 + 0.25f * 3, runningMean.Item(), 1e-6f);
        Assert.Equal(0.75f * 2 + 0.25f * 14f / 3, runningVar.Item(), 1e-6f);
        Assert.Equal((1 - 3) / MathF.Sqrt(3.5f + 1e-5f), y.AsSpan()[0], 1e-6f); // normalized with the biased variance
    }

    [Fact]
    public void Evaluation_UsesTheGivenStatisticsAndLeavesThemAlone()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 6f], 2, 2);
        var runningMean = Tensor.FromArray([0.5f, -1f], 2);
        var runningVar = Tensor.FromArray([4f, 0.25f], 2);
        var weight = Tensor.FromArray([2f, 1f], 2);
        var bias = Tensor.FromArray([0f, 10f], 2);
        var y = Functional.BatchNorm(x, runningMean, runningVar, weight, bias, training: false, eps: 1e-5f).ToArray();
        Assert.Equal(2 * (1 - 0.5) / Math.Sqrt(4 + 1e-5), y[0], 6);
        Assert.Equal((2 + 1) / Math.Sqrt(0.25 + 1e-5) + 10, y[1], 5);
        Assert.Equal([0.5f, -1f], runningMean.ToArray());
        Assert.Equal([4f, 0.25f], runningVar.ToArray());
    }

    public static TheoryData<int[], bool, bool> GradCheckCases => new()
    {
        { [4, 3], true, true },            // (N, C)
        { [3, 2, 5], true, true },         // (N, C, L), odd batch
        { [2, 3, 3, 2], false, true },     // NCHW, no affine
        { [1, 2, 2, 2, 3], true, true },   // NCDHW, batch of one
        { [3, 2, 2, 2], true, false },     // evaluation
    };

    [Theory]
    [MemberData(nameof(GradCheckCases))]
    public void GradCheck_RandomUpstreamEveryBatchItem(int[] shape, bool affine, bool training)
    {
        var rng = new Rng(102);
        int c = shape[1];
        var x = Tensor.Uniform(rng, -2f, 2f, shape);
        x.RequiresGrad = true;
        var runningMean = Tensor.Uniform(rng, -0.5f, 0.5f, c);
        var runningVar = Tensor.Uniform(rng, 0.5f, 2f, c);
        Tensor[] inputs = affine ? [x, Tensor.Uniform(rng, 0.5f, 1.5f, c), Tensor.Uniform(rng, -0.5f, 0.5f, c)] : [x];
        foreach (var t in inputs) t.RequiresGrad = true;
        // Training: no running statistics, so repeated evaluations do not drift them.
        Func<Tensor[], Tensor> op = training
            ? t => Functional.BatchNorm(t[0], null, null, affine ? t[1] : null, affine ? t[2] : null, training: true)
            : t => Functional.BatchNorm(t[0], runningMean, runningVar, affine ? t[1] : null, affine ? t[2] : null, training: false);
        var result = GradCheck.Check(op, inputs, rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void BackwardTwice_AccumulatesExactlyTwice()
    {
        var rng = new Rng(103);
        var x = Tensor.Uniform(rng, -2f, 2f, 3, 4, 3, 3);
        var w = Tensor.Uniform(rng, 0.5f, 1.5f, 4);
        var b = Tensor.Zeros(4);
        foreach (var t in new[] { x, w, b }) t.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0f, 1f, 3, 4, 3, 3);
        Functional.BatchNorm(x, null, null, w, b, training: true).Backward(upstream);
        var (dx, dw, db) = (x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray());
        Functional.BatchNorm(x, null, null, w, b, training: true).Backward(upstream);
        Assert.Equal(dx.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
        Assert.Equal(dw.Select(v => 2f * v).ToArray(), w.Grad!.ToArray());
        Assert.Equal(db.Select(v => 2f * v).ToArray(), b.Grad!.ToArray());
    }

    [Fact]
    public void Training_GradientThroughStatistics_SumsToZeroPerChannel()
    {
        // y is invariant to adding a constant to a channel, so Σ dx over the channel is 0 for any upstream.
        var x = Tensor.Uniform(new Rng(104), -2f, 2f, 3, 2, 4);
        x.RequiresGrad = true;
        Functional.BatchNorm(x, null, null, training: true).Backward(Tensor.Normal(new Rng(105), 0f, 1f, 3, 2, 4));
        var dx = x.Grad!.ToArray();
        for (int c = 0; c < 2; c++)
            Assert.Equal(0, Enumerable.Range(0, 3).SelectMany(n => dx.Skip((n * 2 + c) * 4).Take(4)).Sum(v => (double)v), 1e-5);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var x = Tensor.Zeros(4, 3);
        var ok = Tensor.Zeros(3);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros(3), ok, ok)).ParamName);
        var single = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(Tensor.Zeros(1, 3), null, null, training: true));
        Assert.Equal("input", single.ParamName);
        Assert.Contains("more than 1 value per channel", single.Message, StringComparison.Ordinal);
        Assert.Equal("runningMean", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, Tensor.Zeros(2), ok)).ParamName);
        Assert.Equal("runningVar", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, ok, null, training: true)).ParamName);
        Assert.Equal("runningMean", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null, training: false)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, ok, ok, weight: Tensor.Zeros(1, 3))).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, ok, ok, bias: Tensor.Zeros(4))).ParamName);
        Assert.Equal("momentum", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, ok, ok, momentum: 1.5f)).ParamName);
        Assert.Equal("eps", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, ok, ok, eps: 0f)).ParamName);
    }
}
