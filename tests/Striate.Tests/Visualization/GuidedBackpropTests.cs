using Striate.Layers;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class GuidedBackpropTests
{
    /// <summary>h = x (identity layer), ReLU, S = W2·relu(h) with W2[0] = [2, 3, −4].</summary>
    private static Sequential Model()
    {
        var first = new Linear(3, 3, bias: false);
        first.Weight.AsSpan().Clear();
        for (int i = 0; i < 3; i++) first.Weight[i, i] = 1f;
        var second = new Linear(3, 2, bias: false);
        second.Weight.AsSpan().Clear();
        second.Weight[0, 0] = 2f;
        second.Weight[0, 1] = 3f;
        second.Weight[0, 2] = -4f;
        return new Sequential(new Flatten(), first, new Sequential(new ReLU()), second);
    }

    [Theory]
    [InlineData(ReluBackwardRule.Gradient, new[] { 2f, 0f, -4f })]   // [h > 0]·dy
    [InlineData(ReluBackwardRule.Deconvnet, new[] { 2f, 3f, 0f })]   // max(dy, 0)
    [InlineData(ReluBackwardRule.Guided, new[] { 2f, 0f, 0f })]      // [h > 0]·max(dy, 0)
    public void Compute_EachRule_AppliesItsMaskAtTheNestedRelu(ReluBackwardRule rule, float[] expected)
    {
        var image = Tensor.FromArray([1f, -1f, 2f], 1, 1, 3);
        var g = GuidedBackprop.Compute(Model(), image, 0, rule);
        Assert.Equal([1, 1, 3], g.Shape);
        Assert.Equal(expected, g.ToArray());
    }

    [Fact]
    public void Compute_GradientRule_EqualsSaliencyInputGradient()
    {
        var model = new Sequential(new Conv2d(2, 3, 3, rng: new Rng(1)), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3 * 2 * 2, 4, rng: new Rng(2)));
        var image = Tensor.Uniform(new Rng(3), -1, 1, 2, 6, 6);
        Assert.Equal(Saliency.InputGradient(model, image, 1).ToArray(), GuidedBackprop.Compute(model, image, 1, ReluBackwardRule.Gradient).ToArray());
        var guided = GuidedBackprop.Compute(model, image, 1);
        Assert.Equal([2, 6, 6], guided.Shape);
        Assert.True(model.IsTraining);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Compute_BadRule_ThrowsNamingIt()
    {
        Assert.Equal("rule", Assert.Throws<ArgumentException>(() => GuidedBackprop.Compute(Model(), Tensor.Zeros(1, 1, 3), 0, (ReluBackwardRule)7)).ParamName);
    }
}
