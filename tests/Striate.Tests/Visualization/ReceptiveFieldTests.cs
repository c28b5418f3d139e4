using Striate.Layers;
using Striate.Models;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class ReceptiveFieldTests
{
    // LeNet-5: conv 5×5 pad 2 (layer 0) → ReLU → max-pool 2 (layer 2) → conv 5×5 (layer 3) → ReLU → max-pool 2 (layer 5).
    // Receptive field sizes grow 5 → 6 → 14 → 16, as r_out = r_in + (k − 1)·jump_in.
    [Theory]
    [InlineData(0, 10, 10, 8, 8, 12, 12)]
    [InlineData(0, 0, 0, 0, 0, 2, 2)]       // padding: the window is clipped at the image border
    [InlineData(0, 27, 3, 25, 1, 27, 5)]
    [InlineData(2, 5, 5, 8, 8, 13, 13)]
    [InlineData(3, 2, 2, 2, 2, 15, 15)]
    [InlineData(5, 1, 1, 2, 2, 17, 17)]
    public void Compute_LeNetUnits_MatchTheGeometricReceptiveField(int layer, int row, int column, int top, int left, int bottom, int right)
    {
        var net = LeNet5.Create(rng: new Rng(7));
        var rf = ReceptiveField.Compute(net, [1, 28, 28], layer, channel: 1, row, column, new Rng(8));
        Assert.Equal((top, left, bottom, right), (rf.Top, rf.Left, rf.Bottom, rf.Right));
        Assert.Equal((bottom - top + 1) * (right - left + 1), (int)rf.Mask().ToArray().Sum());
        Assert.True(net.IsTraining);
        Assert.All(net.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Compute_DilatedConvolution_HasHolesBetweenTheTaps()
    {
        var net = new Sequential(new Conv2d(1, 1, 3, dilation: 2, rng: new Rng(1)));
        var rf = ReceptiveField.Compute(net, [1, 9, 9], 0, 0, 1, 1, new Rng(2), trials: 2);
        Assert.Equal((1, 1, 5, 5), (rf.Top, rf.Left, rf.Bottom, rf.Right));
        var mask = rf.Mask();
        Assert.Equal(9f, mask.ToArray().Sum());
        Assert.Equal(0f, mask[2, 2]);
        Assert.Equal(1f, mask[3, 3]);
    }

    [Fact]
    public void Compute_BadArguments_ThrowNamingTheParameter()
    {
        var net = LeNet5.Create(rng: new Rng(1));
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => ReceptiveField.Compute(net, [1, 28, 28], 0, 0, 28, 0, new Rng(1))).ParamName);
        Assert.Equal("channel", Assert.Throws<ArgumentOutOfRangeException>(() => ReceptiveField.Compute(net, [1, 28, 28], 0, 6, 0, 0, new Rng(1))).ParamName);
        Assert.Equal("layerIndex", Assert.Throws<ArgumentException>(() => ReceptiveField.Compute(net, [1, 28, 28], 7, 0, 0, 0, new Rng(1))).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ReceptiveField.Compute(net, [28, 28], 0, 0, 0, 0, new Rng(1))).ParamName);
    }
}
