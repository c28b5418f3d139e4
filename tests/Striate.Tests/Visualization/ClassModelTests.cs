using Striate.Layers;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class ClassModelTests
{
    private static (Sequential Model, float[] W) LinearModel(int seed)
    {
        var linear = new Linear(16, 2, bias: false, rng: new Rng((ulong)seed));
        return (new Sequential(new Flatten(), linear), linear.Weight.ToArray().Take(16).ToArray());
    }

    [Fact]
    public void Visualize_LinearScore_FollowsTheClosedFormAscent()
    {
        // x_{t+1} = (1 − 2λη)·x_t + η·w  ⇒  x_T = w/(2λ)·(1 − (1 − 2λη)^T)
        var (model, w) = LinearModel(1);
        var options = new ClassModelOptions { Steps = 50, LearningRate = 0.5f, L2 = 0.1f };
        var x = ClassModel.Visualize(model, 0, [1, 4, 4], options);
        Assert.Equal([1, 4, 4], x.Shape);
        double factor = (1 - Math.Pow(0.9, 50)) / 0.2;
        for (int i = 0; i < 16; i++) Assert.Equal(w[i] * factor, x.AsSpan()[i], 4);
    }

    [Fact]
    public void Visualize_ClipAndBlur_KeepValuesInRangeAndSmoothTheImage()
    {
        var (model, _) = LinearModel(2);
        var raw = ClassModel.Visualize(model, 1, [1, 4, 4], new ClassModelOptions { Steps = 20, LearningRate = 1f });
        var clipped = ClassModel.Visualize(model, 1, [1, 4, 4], new ClassModelOptions { Steps = 20, LearningRate = 1f, Clip = (-0.1f, 0.1f) });
        Assert.All(clipped.ToArray(), v => Assert.InRange(v, -0.1f, 0.1f));
        var blurred = ClassModel.Visualize(model, 1, [1, 4, 4], new ClassModelOptions { Steps = 20, LearningRate = 1f, BlurEvery = 1, BlurSigma = 1f });
        Assert.True(TotalVariation(blurred) / Norm(blurred) < TotalVariation(raw) / Norm(raw));
    }

    private static double TotalVariation(Tensor x)
    {
        double tv = 0;
        for (int r = 0; r < 4; r++)
            for (int c = 0; c < 4; c++)
            {
                if (c < 3) tv += Math.Abs(x[0, r, c + 1] - x[0, r, c]);
                if (r < 3) tv += Math.Abs(x[0, r + 1, c] - x[0, r, c]);
            }
        return tv;
    }

    private static double Norm(Tensor x) => Math.Sqrt(x.ToArray().Sum(v => (double)v * v));

    [Fact]
    public void Visualize_BadArguments_ThrowNamingTheParameter()
    {
        var (model, _) = LinearModel(3);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ClassModel.Visualize(model, 0, [4, 4])).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => ClassModel.Visualize(model, 0, [1, 4, 4], new ClassModelOptions { LearningRate = 0 })).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentException>(() => ClassModel.Visualize(model, 0, [1, 4, 4], new ClassModelOptions { InitialNoise = 0.1f })).ParamName);
        Assert.Equal("classIndex", Assert.Throws<ArgumentOutOfRangeException>(() => ClassModel.Visualize(model, 5, [1, 4, 4])).ParamName);
    }
}
