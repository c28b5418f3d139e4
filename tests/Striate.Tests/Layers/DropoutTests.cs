// Dropout layers: PyTorch's default p, training vs evaluation, the layer's own generator versus a
// generator passed per call, summaries, and constructor checks.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void Defaults_AndDescription()
    {
        Assert.Equal(0.5f, new Dropout().P);
        Assert.Equal(0.5f, new Dropout2d().P);
        Assert.Equal("p 0.25", new Dropout1d(0.25f).Description);
        Assert.Empty(new Dropout3d().Parameters());
    }

    [Fact]
    public void Training_DropsWithTheLayersGenerator_EvaluationIsTheIdentity()
    {
        var x = Tensor.Ones(8, 16);
        var layer = new Dropout(0.5f, new Rng(141));
        var y = layer.Forward(x);
        Assert.Equal(Functional.Dropout(x, 0.5f, true, new Rng(141)).ToArray(), y.ToArray());
        Assert.NotEqual(y.ToArray(), layer.Forward(x).ToArray()); // the generator moves on: a new mask per call
        layer.Eval();
        Assert.Same(x, layer.Forward(x));
    }

    [Fact]
    public void ForwardWithRng_UsesThatGenerator()
    {
        var x = Tensor.Ones(2, 4, 3, 3);
        var layer = new Dropout2d(0.5f, new Rng(142));
        Assert.Equal(layer.Forward(x, new Rng(143)).ToArray(), new Dropout2d(0.5f).Forward(x, new Rng(143)).ToArray());
        Assert.Equal(Functional.Dropout2d(x, 0.5f, true, new Rng(143)).ToArray(), layer.Forward(x, new Rng(143)).ToArray());
    }

    [Fact]
    public void InSequential_FollowsTrainAndEval()
    {
        var model = new Sequential(new Linear(6, 6, rng: new Rng(1)), new Dropout(0.5f, new Rng(144)));
        var x = Tensor.Ones(3, 6);
        var evalOut = model.Eval().Forward(x).ToArray();
        Assert.Equal(new Linear(6, 6, rng: new Rng(1)).Forward(x).ToArray(), evalOut);
        Assert.NotEqual(evalOut, model.Train().Forward(x).ToArray());
        var summary = model.Summarize(6);
        Assert.Equal(["6→6", "p 0.5"], summary.Rows.Select(r => r.Description));
    }

    [Fact]
    public void Constructor_RejectsPOutsideZeroOne()
    {
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => new Dropout(-0.5f)).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => new Dropout3d(1.01f)).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => new Dropout().Forward(Tensor.Ones(2), null!)).ParamName);
    }

    [Fact]
    public void WrongRank_ThrowsNamingInput() =>
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new Dropout3d(0.5f, new Rng(1)).Forward(Tensor.Ones(2, 3, 4))).ParamName);
}
