// Module and Sequential: explicit parameter registration (order, dotted names, duplicates),
// train/eval propagation, Linear's PyTorch initialisation, and clear errors for wrong shapes.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class ModuleTests
{
    /// <summary>A module that registers whatever names it is given, to test registration rules.</summary>
    private sealed class Registering : Module
    {
        public Registering(params string[] names)
        {
            foreach (var name in names) RegisterParameter(name, Tensor.Zeros(1));
        }

        public void AddChild(string name, Module child) => RegisterModule(name, child);

        public override Tensor Forward(Tensor input) => input;
    }

    [Fact]
    public void NamedParameters_NestedSequential_RegistrationOrderAndDottedNames()
    {
        var net = new Sequential(
            new Linear(4, 3, rng: new Rng(1)),
            new ReLU(),
            new Sequential(new Linear(3, 2, bias: false, rng: new Rng(2)), new Tanh(), new Linear(2, 2, rng: new Rng(3))));
        var names = net.NamedParameters().Select(p => p.Key).ToArray();
        Assert.Equal(["0.weight", "0.bias", "2.0.weight", "2.2.weight", "2.2.bias"], names);

        var inner = (Sequential)net[2];
        Assert.Same(((Linear)inner[0]).Weight, net.NamedParameters().Single(p => p.Key == "2.0.weight").Value);
        Assert.Equal(4 * 3 + 3 + 3 * 2 + 2 * 2 + 2, net.ParameterCount());
        Assert.All(net.Parameters(), p => Assert.True(p.RequiresGrad));
        Assert.Equal(["0", "1", "2"], net.Children.Select(c => c.Key));
    }

    [Fact]
    public void RegisterParameter_DuplicateName_ThrowsNamingName()
    {
        var e = Assert.Throws<ArgumentException>(() => new Registering("weight", "weight"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("'weight'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RegisterModule_NameTakenByParameter_Throws()
    {
        var m = new Registering("a");
        var e = Assert.Throws<ArgumentException>(() => m.AddChild("a", new ReLU()));
        Assert.Equal("name", e.ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a.b")]
    public void RegisterParameter_InvalidName_Throws(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => new Registering(name));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void TrainAndEval_PropagateToDescendants()
    {
        var leaf = new ReLU();
        var inner = new Sequential(leaf);
        var net = new Sequential(new Linear(2, 2, rng: new Rng(1)), inner);
        Assert.True(leaf.IsTraining);

        net.Eval();
        Assert.False(net.IsTraining);
        Assert.False(inner.IsTraining);
        Assert.False(leaf.IsTraining);
        Assert.False(net[0].IsTraining);

        net.Train();
        Assert.True(leaf.IsTraining);
        Assert.True(net[0].IsTraining);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(784)]
    public void Linear_Init_WithinPyTorchBound(int inFeatures)
    {
        var layer = new Linear(inFeatures, 64, rng: new Rng(5));
        float bound = 1f / MathF.Sqrt(inFeatures);
        var w = layer.Weight.ToArray();
        var b = layer.Bias!.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        // Uniform, not a constant or a narrow band: the samples span most of the interval.
        Assert.True(w.Max() - w.Min() > 1.5f * bound, $"weights span [{w.Min()}, {w.Max()}], expected most of ±{bound}.");
        Assert.Equal([64, inFeatures], layer.Weight.Shape);
        Assert.Equal([64], layer.Bias.Shape);
    }

    [Fact]
    public void Linear_SameSeed_SameWeights()
    {
        var a = new Linear(5, 3, rng: new Rng(9));
        var b = new Linear(5, 3, rng: new Rng(9));
        Assert.Equal(a.Weight.ToArray(), b.Weight.ToArray());
        Assert.Equal(a.Bias!.ToArray(), b.Bias!.ToArray());
    }

    [Fact]
    public void Linear_NoBias_RegistersOnlyWeight()
    {
        var layer = new Linear(3, 2, bias: false, rng: new Rng(1));
        Assert.Null(layer.Bias);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Key));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 0)]
    public void Linear_NonPositiveSize_Throws(int inFeatures, int outFeatures)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(inFeatures, outFeatures));
    }

    [Fact]
    public void Sequential_WrongInputShape_MessageNamesLayerIndexAndType()
    {
        var net = new Sequential(new Linear(4, 3, rng: new Rng(1)), new ReLU(), new Linear(5, 2, rng: new Rng(2)));
        var e = Assert.Throws<LayerInputException>(() => net.Forward(Tensor.Zeros(2, 4)));
        Assert.Contains("Layer 2", e.Message, StringComparison.Ordinal);
        Assert.Contains("(Linear)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(2, 3)", e.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.IsType<ArgumentException>(e.InnerException);
    }

    [Fact]
    public void Sequential_FirstLayerRejects_NamesLayerZero()
    {
        var net = new Sequential(new Linear(4, 3, rng: new Rng(1)));
        var e = Assert.Throws<LayerInputException>(() => net.Forward(Tensor.Zeros(2, 5)));
        Assert.Contains("Layer 0 (Linear)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sequential_Forward_AppliesLayersInOrder()
    {
        var linear = new Linear(2, 2, rng: new Rng(1));
        var net = new Sequential(linear, new ReLU());
        var x = Tensor.FromArray([1f, -2f, 0.5f, 3f], 2, 2);
        var expected = Functional.Relu(Functional.Linear(x, linear.Weight, linear.Bias)).ToArray();
        Assert.Equal(expected, net.Forward(x).ToArray());
    }

    [Fact]
    public void ZeroGrad_ClearsEveryParameterGradient()
    {
        var net = new Sequential(new Linear(3, 2, rng: new Rng(1)), new Tanh(), new Linear(2, 1, rng: new Rng(2)));
        net.Forward(Tensor.Ones(4, 3)).Sum().Backward();
        Assert.All(net.Parameters(), p => Assert.NotNull(p.Grad));
        net.ZeroGrad();
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }
}
