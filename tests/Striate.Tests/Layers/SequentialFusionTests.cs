// Sequential runs a convolution followed by a ReLU as one fused op (ConvNd.ForwardRelu): values and
// every gradient must equal the two layers applied one after another, bit for bit, in 1-D, 2-D and
// 3-D, with and without bias, and errors must still name the convolution's index. In evaluation without
// gradient recording a batch norm followed by a ReLU is fused too (BatchNormLayer.ForwardRelu).
using Striate.Autograd;
using Striate.Kernels.Normalization;
using Striate.Layers;
using Striate.Tests.TestSupport;

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

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void BatchNormThenRelu_EvalNoGrad_FusedEqualsLayerByLayer_NaNAndSignedZeroToo(int rank)
    {
        var rng = new Rng(11);
        BatchNormLayer bn = rank == 2 ? new BatchNorm2d(4) : new BatchNorm1d(4);
        rng.FillNormal(bn.RunningMean!.AsSpan(), 0f, 1f);
        rng.FillUniform(bn.RunningVar!.AsSpan(), 0.5f, 2f);
        rng.FillNormal(bn.Weight!.AsSpan(), 0f, 1f);
        rng.FillNormal(bn.Bias!.AsSpan(), 0f, 1f);
        var model = new Sequential(bn, new ReLU());
        model.Eval();
        int[] shape = rank == 2 ? [3, 4, 5, 7] : [6, 4];
        var x = Tensor.Uniform(rng, -2f, 2f, shape);
        var data = x.AsSpan();
        data[3] = float.NaN;
        data[8] = float.PositiveInfinity;
        data[9] = float.NegativeInfinity;
        var expected = new ReLU().Forward(bn.Forward(x)).ToArray();
        float[] fused;
        using (GradMode.NoGrad()) fused = model.Forward(x).ToArray();
        AssertTensor.BitIdentical(expected, fused, $"BatchNorm{rank}d + ReLU fused in evaluation");
        Assert.True(float.IsNaN(fused[3]), "NaN in, NaN out, as a separate ReLU gives");
    }

    [Fact]
    public void BatchNormThenRelu_TrainingOrRecording_NotFused()
    {
        var bn = new BatchNorm2d(2);
        Assert.False(bn.CanFuseRelu, "training mode");
        bn.Eval();
        Assert.False(bn.CanFuseRelu, "gradient recording is on");
        using (GradMode.NoGrad()) Assert.True(bn.CanFuseRelu, "evaluation without recording");
        var batchStatistics = new BatchNorm2d(2, trackRunningStats: false);
        batchStatistics.Eval();
        using (GradMode.NoGrad()) Assert.False(batchStatistics.CanFuseRelu, "no running statistics: evaluation uses the batch's");
    }

    [Fact]
    public void BatchNormKernel_InferenceWithRelu_EqualsInferenceThenRelu()
    {
        var rng = new Rng(5);
        int n = 3, c = 5, inner = 37;
        float[] x = new float[n * c * inner], mean = new float[c], variance = new float[c], w = new float[c], b = new float[c];
        rng.FillNormal(x, 0f, 2f);
        rng.FillNormal(mean, 0f, 1f);
        rng.FillUniform(variance, 0.2f, 3f);
        rng.FillNormal(w, 0f, 1f);
        rng.FillNormal(b, 0f, 1f);
        float[] plain = new float[x.Length], fused = new float[x.Length], invStd = new float[c];
        BatchNormKernel.ForwardInference(x, n, c, inner, mean, variance, w, b, 1e-5f, plain, invStd, 2);
        Striate.Kernels.Elementwise.ActivationKernel.ReluForward(plain, plain);
        BatchNormKernel.ForwardInference(x, n, c, inner, mean, variance, w, b, 1e-5f, fused, invStd, 2, relu: true);
        AssertTensor.BitIdentical(plain, fused, "ForwardInference(relu: true) vs ForwardInference then ReluForward");
    }
}
