// Sequential runs a convolution followed by a ReLU as one fused op (ConvNd.ForwardRelu): values and
// every gradient must equal the two layers applied one after another, bit for bit, in 1-D, 2-D and
// 3-D, with and without bias, and errors must still name the convolution's index.
using Striate.Layers;

namespace Striate.Tests.Layers;

public sealed class SequentialFusionTests
{
    private static (float[] Y, float[] Dx, float[][] Dp) Run(Func<Tensor, Tensor> forward, Module model, Tensor x0, Tensor upstream)
    {
        var x = Tensor.FromArray(x0.ToArray(), [.. x0.Dims]);
        x.RequiresGrad = true;
        foreach (var p in model.Parameters()) p.Grad = null;
        var y = forward(x);
        y.Backward(upstream);
        return (y.ToArray(), x.Grad!.ToArray(), [.. model.Parameters().Select(p => p.Grad!.ToArray())]);
    }

    public static TheoryData<int, bool> Cases() => new() { { 1, true }, { 2, true }, { 2, false }, { 3, true } };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ConvThenRelu_FusedEqualsLayerByLayer_BitForBit(int rank, bool bias)
    {
        var rng = new Rng(7);
        ConvNd conv = rank switch
        {
            1 => new Conv1d(3, 5, 3, padding: 1, bias: bias, rng: rng),
            2 => new Conv2d(3, 5, 3, stride: 2, padding: 1, bias: bias, rng: rng),
            _ => new Conv3d(3, 5, 3, padding: 1, bias: bias, rng: rng),
        };
        var model = new Sequential(conv, new ReLU(), new Flatten());
        int[] shape = rank switch { 1 => [2, 3, 11], 2 => [3, 3, 9, 7], _ => [2, 3, 5, 6, 4] };
        var x = Tensor.Uniform(rng, -1f, 1f, shape);
        var convOut = conv.Forward(x);
        int batch = convOut.Dims[0];
        var upstream = Tensor.Uniform(rng, -1f, 1f, batch, convOut.Length / batch);

        var fused = Run(model.Forward, model, x, upstream);
        var separate = Run(t => model[2].Forward(model[1].Forward(model[0].Forward(t))), model, x, upstream);

        Assert.Contains(fused.Y, v => v == 0f);
        Assert.Contains(fused.Y, v => v > 0f);
        Assert.Equal(separate.Y.Select(BitConverter.SingleToInt32Bits), fused.Y.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(separate.Dx.Select(BitConverter.SingleToInt32Bits), fused.Dx.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(separate.Dp.Length, fused.Dp.Length);
        for (int i = 0; i < fused.Dp.Length; i++)
            Assert.Equal(separate.Dp[i].Select(BitConverter.SingleToInt32Bits), fused.Dp[i].Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void ConvThenRelu_BadInput_NamesTheConvolution()
    {
        var model = new Sequential(new Linear(4, 4, rng: new Rng(1)), new Conv2d(3, 4, 3, rng: new Rng(2)), new ReLU());

        var e = Assert.Throws<LayerInputException>(() => model.Forward(Tensor.Zeros(2, 4)));

        Assert.StartsWith("Layer 1 (Conv2d)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReluNotDirectlyAfterConv_IsNotFused_AndStillCorrect()
    {
        var rng = new Rng(3);
        var model = new Sequential(new Conv2d(2, 3, 3, rng: rng), new Tanh(), new ReLU());
        var x = Tensor.Uniform(rng, -1f, 1f, 1, 2, 6, 6);

        var y = model.Forward(x).ToArray();
        var expected = model[2].Forward(model[1].Forward(model[0].Forward(x))).ToArray();

        Assert.Equal(expected, y);
    }
}
