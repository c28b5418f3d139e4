// Activation layers: PyTorch defaults, that Forward is the Functional op with the layer's
// arguments, PReLU's learned slopes, summary rows, and constructor argument checks.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class ActivationsTests
{
    private static readonly Tensor Input = Tensor.Uniform(new Rng(51), -3f, 3f, 2, 4, 3, 3);

    public static TheoryData<string> LayerNames =>
        ["LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "GELU-tanh", "SiLU", "Softplus", "Softsign", "Hardtanh", "Softmax", "LogSoftmax"];

    private static (Module Layer, Func<Tensor, Tensor> Functional) Pair(string name) => name switch
    {
        "LeakyReLU" => (new LeakyReLU(0.3f), x => Functional.LeakyRelu(x, 0.3f)),
        "PReLU" => (new PReLU(4, 0.1f), x => Functional.PRelu(x, Tensor.Full(0.1f, 4))),
        "ELU" => (new ELU(0.5f), x => Functional.Elu(x, 0.5f)),
        "SELU" => (new SELU(), Functional.Selu),
        "GELU" => (new GELU(), x => Functional.Gelu(x)),
        "GELU-tanh" => (new GELU(GeluApproximation.Tanh), x => Functional.Gelu(x, GeluApproximation.Tanh)),
        "SiLU" => (new SiLU(), Functional.Silu),
        "Softplus" => (new Softplus(2f, 4f), x => Functional.Softplus(x, 2f, 4f)),
        "Softsign" => (new Softsign(), Functional.Softsign),
        "Hardtanh" => (new Hardtanh(-0.5f, 2f), x => Functional.Hardtanh(x, -0.5f, 2f)),
        "Softmax" => (new Softmax(-1), x => Functional.Softmax(x, -1)),
        "LogSoftmax" => (new LogSoftmax(1), x => Functional.LogSoftmax(x, 1)),
        _ => throw new ArgumentException(name, nameof(name)),
    };

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void Forward_IsTheFunctionalOpWithTheLayersArguments(string name)
    {
        var (layer, op) = Pair(name);
        Assert.Equal(op(Input).ToArray(), layer.Forward(Input).ToArray());
        Assert.Equal(Input.Shape, layer.Forward(Input).Shape);
    }

    [Fact]
    public void Defaults_FollowPyTorch()
    {
        Assert.Equal(0.01f, new LeakyReLU().NegativeSlope);
        Assert.Equal((1, 0.25f), (new PReLU().NumParameters, new PReLU().Init));
        Assert.Equal(1f, new ELU().Alpha);
        Assert.Equal(GeluApproximation.None, new GELU().Approximate);
        Assert.Equal((1f, 20f), (new Softplus().Beta, new Softplus().Threshold));
        Assert.Equal((-1f, 1f), (new Hardtanh().MinVal, new Hardtanh().MaxVal));
        Assert.Equal(1, new Softmax().Dim);
        Assert.Equal(1, new LogSoftmax().Dim);
    }

    [Fact]
    public void PReLU_HasOneTrainableSlopeTensorThatLearns()
    {
        var layer = new PReLU(numParameters: 4);
        var (name, weight) = Assert.Single(layer.NamedParameters());
        Assert.Equal("weight", name);
        Assert.Equal([4], weight.Shape);
        Assert.All(weight.ToArray(), v => Assert.Equal(0.25f, v));
        Assert.True(weight.RequiresGrad);
        layer.Forward(Input).Sum().Backward();
        Assert.Equal([4], layer.Weight.Grad!.Shape);
        // dL/da_c = Σ x over the negative inputs of channel c.
        for (int c = 0; c < 4; c++)
        {
            double expected = 0;
            for (int n = 0; n < 2; n++)
                for (int i = 0; i < 9; i++)
                {
                    float v = Input.AsSpan()[(n * 4 + c) * 9 + i];
                    if (v <= 0) expected += v;
                }
            Assert.Equal(expected, layer.Weight.Grad.AsSpan()[c], 4);
        }
    }

    [Fact]
    public void Summary_ShowsDescriptionsAndParameterCounts()
    {
        var model = new Sequential(new PReLU(4), new LeakyReLU(0.2f), new GELU(GeluApproximation.Tanh), new Hardtanh(-2f, 2f),
            new Softplus(), new Flatten(), new Softmax(1));
        var summary = model.Summarize(4, 3, 3);
        Assert.Equal(["PReLU", "LeakyReLU", "GELU", "Hardtanh", "Softplus", "Flatten", "Softmax"], summary.Rows.Select(r => r.Type));
        Assert.Equal(["4 slopes", "slope 0.2", "tanh approximation", "[-2, 2]", "β 1, threshold 20", "", "dim 1"], summary.Rows.Select(r => r.Description));
        Assert.Equal([4L, 0, 0, 0, 0, 0, 0], summary.Rows.Select(r => r.Parameters));
        Assert.Equal([1, 36], summary.OutputShape);
    }

    [Fact]
    public void Constructors_RejectBadArgumentsNamingThem()
    {
        Assert.Equal("negativeSlope", Assert.Throws<ArgumentException>(() => new LeakyReLU(float.NaN)).ParamName);
        Assert.Equal("numParameters", Assert.Throws<ArgumentOutOfRangeException>(() => new PReLU(0)).ParamName);
        Assert.Equal("init", Assert.Throws<ArgumentException>(() => new PReLU(1, float.NaN)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => new ELU(float.NegativeInfinity)).ParamName);
        Assert.Equal("approximate", Assert.Throws<ArgumentOutOfRangeException>(() => new GELU((GeluApproximation)3)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => new Softplus(0f)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentException>(() => new Softplus(1f, float.NaN)).ParamName);
        Assert.Equal("maxVal", Assert.Throws<ArgumentException>(() => new Hardtanh(1f, 0f)).ParamName);
        Assert.Equal("minVal", Assert.Throws<ArgumentException>(() => new Hardtanh(float.NaN, 0f)).ParamName);
    }

    [Fact]
    public void PReLU_SlopeCountNotMatchingChannels_ThrowsNamingWeight()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PReLU(3).Forward(Input));
        Assert.Equal("weight", ex.ParamName);
    }
}
