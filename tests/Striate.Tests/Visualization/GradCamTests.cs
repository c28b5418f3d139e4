using Striate.Layers;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class GradCamTests
{
    private static Sequential Model() => new(
        new Conv2d(1, 2, 3, padding: 1, rng: new Rng(1)), new ReLU(), new Flatten(), new Linear(2 * 4 * 4, 3, rng: new Rng(2)));

    [Fact]
    public void Compute_AfterReluLayer_IsReluOfGradientMeanWeightedActivations()
    {
        var model = Model();
        var image = Tensor.Uniform(new Rng(3), -1, 1, 1, 4, 4);
        const int cls = 2;
        var result = GradCam.Compute(model, image, cls, layerIndex: 1);

        // S = W·flatten(A) + b, so ∂S_c/∂A_k is W[c] over channel k's 16 positions and α_k its mean.
        var a = model[1].Forward(model[0].Forward(image.Reshape(1, 1, 4, 4))).ToArray();
        var w = ((Linear)model[3]).Weight.ToArray();
        var alpha = new double[2];
        for (int k = 0; k < 2; k++) alpha[k] = Enumerable.Range(0, 16).Average(i => (double)w[cls * 32 + k * 16 + i]);
        for (int k = 0; k < 2; k++) Assert.Equal(alpha[k], result.ChannelWeights.AsSpan()[k], 6);
        Assert.Equal([4, 4], result.Map.Shape);
        for (int i = 0; i < 16; i++)
            Assert.Equal(Math.Max(0, alpha[0] * a[i] + alpha[1] * a[16 + i]), result.Map.AsSpan()[i], 5);
        // Same size as the input: upsampling changes nothing.
        Assert.Equal(result.Map.ToArray(), result.Upsampled().ToArray());
    }

    [Fact]
    public void Upsampled_CoarseMap_StretchesToTheInputSize()
    {
        var result = new GradCamResult(Tensor.FromArray([0f, 1f, 2f, 3f], 2, 2), Tensor.Ones(1), 4, 4);
        var up = result.Upsampled();
        Assert.Equal([4, 4], up.Shape);
        Assert.Equal(0f, up[0, 0]);
        Assert.Equal(3f, up[3, 3]);
        Assert.Equal(0.25f, up[0, 1]); // half-pixel centres: source column 0.25
    }

    [Fact]
    public void Compute_LeavesModelStateAlone_AndRejectsBadLayers()
    {
        var model = Model();
        var image = Tensor.Uniform(new Rng(4), -1, 1, 1, 4, 4);
        GradCam.Compute(model, image, 0, 0);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
        Assert.True(model.IsTraining);
        Assert.Equal("layerIndex", Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(model, image, 0, 3)).ParamName);
        Assert.Equal("layerIndex", Assert.Throws<ArgumentException>(() => GradCam.Compute(model, image, 0, 2)).ParamName);
        Assert.Equal("classIndex", Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(model, image, 3, 1)).ParamName);
    }
}
