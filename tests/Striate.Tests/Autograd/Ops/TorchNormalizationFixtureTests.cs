// PyTorch golden values for the normalization family (Fixtures/normalization_*.json, generated
// by Fixtures/generate_normalization.py): local response normalization in PyTorch's convention
// (torch.nn.functional.local_response_norm) and TensorFlow's (written out in torch ops), forward
// and input gradient after Backward(upstream); batch norm in training mode (forward, gradients of
// x, γ, β and the updated running statistics) and evaluation mode, and the running statistics of
// nn.BatchNorm1d/2d/3d after three training steps followed by an evaluation-mode forward.
using System.Text.Json;
using Striate.Layers;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TorchNormalizationFixtureTests
{
    private const string LrnFile = "normalization_lrn.json";

    public static TheoryData<string> LrnCases => Fixture.Names(LrnFile);

    [Theory]
    [MemberData(nameof(LrnCases))]
    public void LocalResponseNorm_MatchesPyTorch(string name)
    {
        var c = Fixture.Case(LrnFile, name);
        Func<Tensor[], Tensor> op = c.Op switch
        {
            "local_response_norm" => t => Functional.LocalResponseNorm(t[0], c.Int("size"), c.Float("alpha"), c.Float("beta"), c.Float("k")),
            "local_response_normalization" => t => Functional.LocalResponseNormalization(t[0], c.Int("depth_radius"), c.Float("bias"), c.Float("alpha"), c.Float("beta")),
            _ => throw new InvalidOperationException($"Unknown op {c.Op} in {c}."),
        };
        // Forward: a few-term float32 sum of squares, a pow and a product per element. Backward: the
        // direct term minus a window sum, which can cancel, so the bound scales with the largest gradient.
        TorchFixtureTests.Run(c, op, Tolerances.Pointwise, Tolerances.Accumulation);
    }

    [Fact]
    public void LrnFixtures_CoverTheRequiredConfigurations()
    {
        var cases = Fixture.Load(LrnFile);
        Assert.Contains(cases, c => c.Op == "local_response_norm" && c.Int("size") % 2 == 0);
        Assert.Contains(cases, c => c.Op == "local_response_norm" && c.Int("size") > c.Inputs[0].Shape[1]);
        Assert.Contains(cases, c => c.Inputs[0].Shape.Length == 3);
        Assert.Contains(cases, c => c.Inputs[0].Shape.Length == 5);
        Assert.Contains(cases, c => c.Op == "local_response_normalization" && c.Int("depth_radius") == 0);
    }

    private const string BatchNormFile = "normalization_batchnorm.json";

    public static TheoryData<string> BatchNormCases => Fixture.Names(BatchNormFile, "batch_norm");

    [Theory]
    [MemberData(nameof(BatchNormCases))]
    public void BatchNorm_MatchesPyTorch(string name)
    {
        var c = Fixture.Case(BatchNormFile, name);
        bool training = c.Bool("training");
        int channels = c.Inputs[0].Shape[1];
        var runningMean = Tensor.FromArray(Fixture.ReadFloats(c.Params.GetProperty("running_mean")), channels);
        var runningVar = Tensor.FromArray(Fixture.ReadFloats(c.Params.GetProperty("running_var")), channels);
        // Per-channel sums over N·positions (mean, variance, Σdy, Σdy·x̂) set the error of every output.
        TorchFixtureTests.Run(c,
            t => Functional.BatchNorm(t[0], runningMean, runningVar, t.Length > 1 ? t[1] : null, t.Length > 2 ? t[2] : null,
                training, c.Float("momentum"), c.Float("eps")),
            Tolerances.Accumulation, Tolerances.Accumulation);
        if (training)
        {
            AssertTensor.Close(runningMean, [channels], Fixture.ReadDoubles(c.Params.GetProperty("running_mean_after")), Tolerances.Accumulation, $"{c} running mean");
            AssertTensor.Close(runningVar, [channels], Fixture.ReadDoubles(c.Params.GetProperty("running_var_after")), Tolerances.Accumulation, $"{c} running variance");
        }
    }

    public static TheoryData<string> BatchNormStepCases => Fixture.Names(BatchNormFile, "batch_norm_steps");

    [Theory]
    [MemberData(nameof(BatchNormStepCases))]
    public void BatchNormLayer_RunningStatisticsAfterSteps_MatchPyTorch(string name)
    {
        var c = Fixture.Case(BatchNormFile, name);
        int channels = c.Int("num_features");
        float? momentum = c.Params.GetProperty("momentum").ValueKind == JsonValueKind.Null ? null : c.Float("momentum");
        BatchNormLayer layer = c.Params.GetProperty("layer").GetString() switch
        {
            "BatchNorm1d" => new BatchNorm1d(channels, c.Float("eps"), momentum),
            "BatchNorm2d" => new BatchNorm2d(channels, c.Float("eps"), momentum),
            "BatchNorm3d" => new BatchNorm3d(channels, c.Float("eps"), momentum),
            var other => throw new InvalidOperationException($"Unknown layer {other} in {c}."),
        };
        Fixture.ReadFloats(c.Params.GetProperty("weight")).CopyTo(layer.Weight!.AsSpan());
        Fixture.ReadFloats(c.Params.GetProperty("bias")).CopyTo(layer.Bias!.AsSpan());
        var batches = c.Raw.GetProperty("batches").EnumerateArray().ToArray();
        var after = c.Raw.GetProperty("after_each_step").EnumerateArray().ToArray();
        for (int step = 0; step < batches.Length; step++)
        {
            layer.Forward(Tensor.FromArray(Fixture.ReadFloats(batches[step].GetProperty("values")), Fixture.ReadInts(batches[step].GetProperty("shape"))));
            AssertTensor.Close(layer.RunningMean, [channels], Fixture.ReadDoubles(after[step].GetProperty("running_mean")), Tolerances.Accumulation, $"{c} running mean after step {step + 1}");
            AssertTensor.Close(layer.RunningVar, [channels], Fixture.ReadDoubles(after[step].GetProperty("running_var")), Tolerances.Accumulation, $"{c} running variance after step {step + 1}");
            Assert.Equal(after[step].GetProperty("num_batches_tracked").GetInt32(), (int)layer.NumBatchesTracked!.Item());
        }
        layer.Eval();
        var evalInput = c.Raw.GetProperty("eval_input");
        var evalOutput = c.Raw.GetProperty("eval_output");
        var y = layer.Forward(Tensor.FromArray(Fixture.ReadFloats(evalInput.GetProperty("values")), Fixture.ReadInts(evalInput.GetProperty("shape"))));
        AssertTensor.Close(y, Fixture.ReadInts(evalOutput.GetProperty("shape")), Fixture.ReadDoubles(evalOutput.GetProperty("values")), Tolerances.Accumulation, $"{c} evaluation output");
    }

    [Fact]
    public void BatchNormFixtures_CoverTheRequiredConfigurations()
    {
        var cases = Fixture.Load(BatchNormFile);
        foreach (int rank in new[] { 2, 3, 4, 5 })
            Assert.Contains(cases, c => c.Op == "batch_norm" && c.Bool("training") && c.Inputs[0].Shape.Length == rank);
        Assert.Contains(cases, c => c.Op == "batch_norm" && !c.Bool("training"));
        Assert.Contains(cases, c => c.Op == "batch_norm" && c.Inputs.Count == 1); // no affine
        Assert.Contains(cases, c => c.Op == "batch_norm" && c.Inputs[0].Shape[0] == 1 && c.Bool("training"));
        Assert.Equal(3, cases.Count(c => c.Op == "batch_norm_steps"));
        Assert.Contains(cases, c => c.Op == "batch_norm_steps" && c.Params.GetProperty("momentum").ValueKind == JsonValueKind.Null);
    }
}
