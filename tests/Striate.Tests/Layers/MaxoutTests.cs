using Striate.Layers;

namespace Striate.Tests.Layers;

public class MaxoutTests
{
    [Fact]
    public void Maxout_Forward_EqualsFunctional_InAConvNet()
    {
        var rng = new Rng(141);
        var model = new Sequential(new Conv2d(1, 6, 3, rng: rng), new Maxout(3), new GlobalMaxPool());
        var x = Tensor.Normal(rng, 0f, 1f, 2, 1, 7, 7);
        Assert.Equal([2, 2], model.Forward(x).Shape);
        var layer = new Maxout(2);
        Assert.Equal("2 channels per group", layer.Description);
        var y = Tensor.Normal(rng, 0f, 1f, 2, 4, 3);
        Assert.Equal(Functional.Maxout(y, 2).ToArray(), layer.Forward(y).ToArray());
        Assert.Equal("poolSize", Assert.ThrowsAny<ArgumentException>(() => new Maxout(0)).ParamName);
    }
}
