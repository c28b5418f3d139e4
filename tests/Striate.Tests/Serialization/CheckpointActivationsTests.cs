// Checkpoint round trips of every activation layer: the architecture keeps each constructor
// argument, PReLU's trained slopes come back bit for bit, and the reloaded model computes the same.
using Striate.Autograd;
using Striate.Layers;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Serialization;

public sealed class CheckpointActivationsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-checkpoint-act-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SaveLoad_EveryActivationLayer_SameArchitectureAndOutput()
    {
        var prelu = new PReLU(3, 0.2f);
        float[] trained = [0.31f, -0.07f, 0.5f]; // as if training had moved the slopes
        trained.CopyTo(prelu.Weight.AsSpan());
        var model = new Sequential(
            prelu, new LeakyReLU(0.15f), new ELU(0.75f), new SELU(), new GELU(), new GELU(GeluApproximation.Tanh),
            new SiLU(), new Softplus(1.5f, 7f), new Softsign(), new Hardtanh(-0.25f, 3.5f), new Softmax(-1), new LogSoftmax(2));
        string path = Path.Combine(_dir, "activations.safetensors");

        Checkpoint.Save(path, model);
        var loaded = Assert.IsType<Sequential>(Checkpoint.Load(path).Model);

        Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
        var loadedPrelu = Assert.IsType<PReLU>(loaded.Children[0].Value);
        AssertTensor.BitIdentical(trained, loadedPrelu.Weight.AsSpan(), "PReLU slopes");
        Assert.Equal(0.2f, loadedPrelu.Init);
        Assert.Equal(0.15f, Assert.IsType<LeakyReLU>(loaded.Children[1].Value).NegativeSlope);
        Assert.Equal(GeluApproximation.Tanh, Assert.IsType<GELU>(loaded.Children[5].Value).Approximate);
        Assert.Equal((1.5f, 7f), (Assert.IsType<Softplus>(loaded.Children[7].Value).Beta, ((Softplus)loaded.Children[7].Value).Threshold));
        Assert.Equal((-0.25f, 3.5f), (Assert.IsType<Hardtanh>(loaded.Children[9].Value).MinVal, ((Hardtanh)loaded.Children[9].Value).MaxVal));

        var input = Tensor.Uniform(new Rng(61), -3f, 3f, 2, 3, 4);
        Tensor expected, actual;
        using (GradMode.NoGrad())
        {
            expected = model.Forward(input);
            actual = loaded.Forward(input);
        }
        AssertTensor.BitIdentical(expected.AsSpan(), actual.AsSpan(), "output after reload");
    }

    [Fact]
    public void Architecture_UsesPyTorchStyleFieldNames()
    {
        string json = Checkpoint.DescribeArchitecture(new Sequential(new GELU(), new Softplus(), new Hardtanh()));
        Assert.Contains("{\"type\":\"GELU\",\"approximate\":\"none\"}", json, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"Softplus\",\"beta\":1,\"threshold\":20}", json, StringComparison.Ordinal);
        Assert.Contains("{\"type\":\"Hardtanh\",\"minVal\":-1,\"maxVal\":1}", json, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildArchitecture_BadActivationArguments_ThrowInvalidData()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture("{\"type\":\"GELU\",\"approximate\":\"sigmoid\"}"));
        Assert.Contains("sigmoid", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture("{\"type\":\"Hardtanh\",\"minVal\":1,\"maxVal\":0}"));
        Assert.Contains("maxVal", ex.Message, StringComparison.Ordinal);
    }
}
