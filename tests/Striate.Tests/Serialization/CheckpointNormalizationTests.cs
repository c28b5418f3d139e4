// Checkpoint round trips of the normalization family: the architecture keeps every constructor
// argument and the reloaded model computes the same output.
using Striate.Autograd;
using Striate.Layers;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class CheckpointNormalizationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-checkpoint-norm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Tensor Run(Module model, Tensor input)
    {
        using (GradMode.NoGrad()) return model.Forward(input);
    }

    [Fact]
    public void SaveLoad_LocalResponseNorm_SameArgumentsSameOutput()
    {
        var model = new Sequential(new LocalResponseNorm(5, 1e-4f, 0.75f, 2f), new LocalResponseNorm(3, 0.5f, 0.6f, 1.5f));
        string path = Path.Combine(_dir, "lrn.safetensors");
        Checkpoint.Save(path, model);
        var loaded = Assert.IsType<Sequential>(Checkpoint.Load(path).Model);

        var second = Assert.IsType<LocalResponseNorm>(loaded.Children[1].Value);
        Assert.Equal((3, 0.5f, 0.6f, 1.5f), (second.Size, second.Alpha, second.Beta, second.K));
        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        var input = Tensor.Uniform(new Rng(92), -2f, 2f, 2, 6, 3, 3);
        AssertTensor.BitIdentical(Run(model, input).AsSpan(), Run(loaded, input).AsSpan(), "LRN output after reload");
    }

    [Fact]
    public void SaveLoad_BatchNorm_KeepsRunningStatisticsAndOptions()
    {
        var bn2 = new BatchNorm2d(3, momentum: 0.3f);
        var bn1 = new BatchNorm1d(12, eps: 1e-3f, momentum: null);
        var bn3 = new BatchNorm3d(2, affine: false, trackRunningStats: false);
        var model = new Sequential(bn2, new Flatten(), bn1);
        var rng = new Rng(93);
        for (int step = 0; step < 3; step++) model.Forward(Tensor.Uniform(rng, -1f + step, 2f + step, 4, 3, 2, 2));
        bn2.Weight!.AsSpan()[1] = 1.5f; // as if trained
        string path = Path.Combine(_dir, "bn.safetensors");
        Checkpoint.Save(path, model);
        var loaded = Assert.IsType<Sequential>(Checkpoint.Load(path).Model);

        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        var l2 = Assert.IsType<BatchNorm2d>(loaded.Children[0].Value);
        var l1 = Assert.IsType<BatchNorm1d>(loaded.Children[2].Value);
        Assert.Equal((float?)0.3f, l2.Momentum);
        Assert.Null(l1.Momentum);
        Assert.Equal(1e-3f, l1.Eps);
        foreach (var (name, tensor) in model.NamedState())
            AssertTensor.BitIdentical(tensor.AsSpan(), loaded.NamedState().Single(s => s.Key == name).Value.AsSpan(), name);
        Assert.Equal(3f, l2.NumBatchesTracked!.Item());
        Assert.Contains(model.NamedBuffers(), b => b.Key == "0.running_mean");

        model.Eval();
        loaded.Eval();
        var input = Tensor.Uniform(rng, -1f, 1f, 2, 3, 2, 2);
        AssertTensor.BitIdentical(Run(model, input).AsSpan(), Run(loaded, input).AsSpan(), "evaluation output after reload");

        string path3 = Path.Combine(_dir, "bn3.safetensors");
        Checkpoint.Save(path3, bn3);
        var l3 = Assert.IsType<BatchNorm3d>(Checkpoint.Load(path3).Model);
        Assert.False(l3.Affine);
        Assert.False(l3.TrackRunningStats);
    }

    [Fact]
    public void Load_CheckpointWithoutRunningStatistics_NamesTheMissingBuffers()
    {
        string path = Path.Combine(_dir, "bn-weights-only.safetensors");
        var bn = new BatchNorm2d(3);
        SafeTensors.Save(path, bn.NamedParameters());
        var ex = Assert.Throws<CheckpointMismatchException>(() => Checkpoint.LoadWeights(new BatchNorm2d(3), path));
        Assert.Equal(["running_mean", "running_var", "num_batches_tracked"], ex.Missing);
    }

    [Fact]
    public void SaveLoad_Dropout_KeepsPAndEvaluationOutput()
    {
        var model = new Sequential(new Dropout(0.3f), new Dropout1d(0.1f), new Dropout2d(0.25f), new Dropout3d(0.75f));
        string path = Path.Combine(_dir, "dropout.safetensors");
        Checkpoint.Save(path, model);
        var loaded = Assert.IsType<Sequential>(Checkpoint.Load(path).Model);
        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        Assert.Equal([0.3f, 0.1f, 0.25f, 0.75f], loaded.Children.Select(c => ((DropoutLayer)c.Value).P));
        Assert.Contains("{\"type\":\"Dropout2d\",\"p\":0.25}", Checkpoint.DescribeArchitecture(model), StringComparison.Ordinal);
        var input = Tensor.Uniform(new Rng(94), -1f, 1f, 2, 3, 2, 2, 2);
        var single = new Sequential(new Dropout(0.3f), new Dropout3d(0.75f));
        Checkpoint.Save(path, single);
        var reloaded = Checkpoint.Load(path).Model;
        reloaded.Eval();
        Assert.Same(input, reloaded.Forward(input)); // evaluation: identity
    }

    [Fact]
    public void BuildArchitecture_InvalidLrnArguments_ThrowInvalidData()
    {
        var ex = Assert.Throws<InvalidDataException>(() =>
            Checkpoint.BuildArchitecture("{\"type\":\"LocalResponseNorm\",\"size\":0,\"alpha\":0.0001,\"beta\":0.75,\"k\":1}"));
        Assert.Contains("size", ex.Message, StringComparison.Ordinal);
    }
}
