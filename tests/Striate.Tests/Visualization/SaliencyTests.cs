using Striate.Autograd;
using Striate.Layers;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class SaliencyTests
{
    private static Sequential TinyModel(int seed) => new(
        new Conv2d(2, 3, 3, rng: new Rng((ulong)seed)), new Tanh(), new Flatten(), new Linear(3 * 4 * 4, 4, rng: new Rng((ulong)seed + 1)));

    [Fact]
    public void InputGradient_EqualsFiniteDifferencesOfTheClassScore()
    {
        var model = TinyModel(1);
        var image = Tensor.Uniform(new Rng(2), 0, 1, 2, 6, 6);
        const int cls = 2;
        var g = Saliency.InputGradient(model, image, cls);
        Assert.Equal([2, 6, 6], g.Shape);

        const float eps = 1e-2f;
        var x = image.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            float saved = x[i];
            x[i] = saved + eps;
            double plus = Score(model, x, cls);
            x[i] = saved - eps;
            double minus = Score(model, x, cls);
            x[i] = saved;
            double numeric = (plus - minus) / (2 * eps);
            Assert.True(Math.Abs(g.AsSpan()[i] - numeric) <= 2e-4 + 1e-2 * Math.Abs(numeric), $"pixel {i}: analytic {g.AsSpan()[i]}, numeric {numeric}");
        }
    }

    private static double Score(Module model, float[] x, int cls)
    {
        using (GradMode.NoGrad()) return model.Forward(Tensor.FromArray(x, 1, 2, 6, 6))[0, cls];
    }

    [Fact]
    public void Map_IsMaxAbsOverChannels()
    {
        var model = TinyModel(3);
        var image = Tensor.Uniform(new Rng(4), 0, 1, 1, 2, 6, 6);
        var g = Saliency.InputGradient(model, image, 0).ToArray();
        var map = Saliency.Map(model, image, 0);
        Assert.Equal([6, 6], map.Shape);
        for (int i = 0; i < 36; i++) Assert.Equal(Math.Max(Math.Abs(g[i]), Math.Abs(g[36 + i])), map.AsSpan()[i]);
    }

    [Fact]
    public void GradientTimesInput_SumsAbsoluteProductsOverChannels()
    {
        var model = TinyModel(3);
        var image = Tensor.Uniform(new Rng(4), -1, 1, 2, 6, 6);
        var g = Saliency.InputGradient(model, image, 1).ToArray();
        var x = image.ToArray();
        var map = Saliency.GradientTimesInput(model, image, 1);
        Assert.Equal([6, 6], map.Shape);
        for (int i = 0; i < 36; i++)
            Assert.Equal(Math.Abs(x[i] * g[i]) + Math.Abs(x[36 + i] * g[36 + i]), map.AsSpan()[i], 6);
    }

    [Fact]
    public void InputGradient_LeavesParameterGradientsAndModesAsTheyWere()
    {
        var model = TinyModel(5);
        var marker = Tensor.Full(7f, 3, 2, 3, 3);
        ((Conv2d)model[0]).Weight.Grad = marker;
        Saliency.InputGradient(model, Tensor.Uniform(new Rng(6), 0, 1, 2, 6, 6), 1);
        Assert.Same(marker, ((Conv2d)model[0]).Weight.Grad);
        Assert.Null(((Linear)model[3]).Weight.Grad);
        Assert.True(model.IsTraining);
    }

    [Fact]
    public void SmoothGrad_WithoutNoise_IsTheSaliencyMap_WithNoiseIsDeterministicUnderSeed()
    {
        var model = TinyModel(7);
        var image = Tensor.Uniform(new Rng(8), 0, 1, 2, 6, 6);
        var plain = Saliency.Map(model, image, 3).ToArray();
        var smooth = Saliency.SmoothGrad(model, image, 3, new Rng(9), samples: 3, noiseLevel: 0).ToArray();
        for (int i = 0; i < plain.Length; i++) Assert.Equal(plain[i], smooth[i], 5);
        Assert.Equal(Saliency.SmoothGrad(model, image, 3, new Rng(10), samples: 4).ToArray(), Saliency.SmoothGrad(model, image, 3, new Rng(10), samples: 4).ToArray());
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var model = TinyModel(11);
        var image = Tensor.Zeros(2, 6, 6);
        Assert.Equal("classIndex", Assert.Throws<ArgumentOutOfRangeException>(() => Saliency.InputGradient(model, image, 4)).ParamName);
        Assert.Equal("image", Assert.Throws<ArgumentException>(() => Saliency.InputGradient(model, Tensor.Zeros(2, 2, 6, 6), 0)).ParamName);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => Saliency.InputGradient(new Sequential(new Tanh()), image, 0)).ParamName);
        Assert.Equal("samples", Assert.Throws<ArgumentOutOfRangeException>(() => Saliency.SmoothGrad(model, image, 0, new Rng(1), samples: 0)).ParamName);
    }
}
