// The Upsample layer: it runs Functional.Upsample with its settings, describes itself, and rejects
// bad settings at construction, naming the parameter.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class UpsampleTests
{
    [Fact]
    public void Upsample_Forward_EqualsFunctional()
    {
        var x = Tensor.Normal(new Rng(1), 0f, 1f, 2, 3, 4, 5);
        var layer = new Upsample(size: [7, 9], mode: UpsampleMode.Bilinear, alignCorners: true);
        Assert.Equal(Functional.Upsample(x, [7, 9], null, UpsampleMode.Bilinear, true).ToArray(), layer.Forward(x).ToArray());
        Assert.Equal([7, 9], layer.Size!);
        Assert.Null(layer.ScaleFactor);
        Assert.Equal("→ 7×9, bilinear, align corners", layer.Description);
        Assert.Equal("×2, nearest", new Upsample(scaleFactor: [2]).Description);
        Assert.Equal("×1.5×2, nearest", new Upsample(scaleFactor: [1.5, 2]).Description);
        Assert.Equal(0, layer.ParameterCount());
    }

    [Fact]
    public void Upsample_CopiesItsArrays()
    {
        int[] size = [4, 4];
        var layer = new Upsample(size);
        size[0] = 100;
        Assert.Equal([4, 4], layer.Size!);
    }

    [Fact]
    public void Upsample_BadSettings_ThrowNamingTheParameter()
    {
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => new Upsample()).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => new Upsample([2], [2])).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => new Upsample(size: [])).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentException>(() => new Upsample(size: [0])).ParamName);
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => new Upsample(scaleFactor: [0])).ParamName);
        Assert.Equal("scaleFactor", Assert.Throws<ArgumentException>(() => new Upsample(scaleFactor: [double.PositiveInfinity])).ParamName);
        Assert.Equal("alignCorners", Assert.Throws<ArgumentException>(() => new Upsample(scaleFactor: [2], alignCorners: true)).ParamName);
        Assert.Equal("mode", Assert.Throws<ArgumentException>(() => new Upsample(scaleFactor: [2], mode: (UpsampleMode)17)).ParamName);
    }
}
