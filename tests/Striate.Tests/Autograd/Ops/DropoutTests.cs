// Dropout through autograd: the keep rate (a statistical test), inverted scaling, whole channels
// for the 1d/2d/3d variants, the p = 0 and p = 1 edge cases, evaluation as identity, the backward
// reusing the forward's mask, reproducibility from a seed, and argument checks naming the parameter.
using Striate.Autograd;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class DropoutTests
{
    [Theory]
    [InlineData(0.5f)]
    [InlineData(0.1f)]
    [InlineData(0.9f)]
    public void KeepRate_IsOneMinusP_AndKeptUnitsAreScaled(float p)
    {
        const int n = 1_000_000;
        var y = Functional.Dropout(Tensor.Ones(n), p, training: true, rng: new Rng(121)).ToArray();
        int kept = y.Count(v => v != 0f);
        double rate = (double)kept / n, standardError = Math.Sqrt(p * (1.0 - p) / n);
        Assert.True(Math.Abs(rate - (1 - p)) <= Tolerances.KeepRateStandardErrors * standardError,
            $"keep rate {rate:F5} for p = {p}: expected {1 - p:F5} ± {Tolerances.KeepRateStandardErrors * standardError:F5}");
        Assert.All(y.Where(v => v != 0f), v => Assert.Equal(1f / (1f - p), v));
        Assert.Equal(1.0, y.Average(v => (double)v), 6 * (1.0 / (1 - p)) * standardError); // E[y] = x: inverted dropout
    }

    [Fact]
    public void Dropout2d_DropsWholeChannels_AtTheKeepRate()
    {
        const int n = 400, c = 250;
        var y = Functional.Dropout2d(Tensor.Ones(n, c, 3, 4), 0.3f, true, new Rng(122)).ToArray();
        int keptChannels = 0;
        for (int ch = 0; ch < n * c; ch++)
        {
            var plane = y.AsSpan(ch * 12, 12);
            Assert.True(plane.IndexOfAnyExcept(plane[0]) < 0, $"channel {ch} is partly dropped");
            if (plane[0] != 0f)
            {
                keptChannels++;
                Assert.Equal(1f / 0.7f, plane[0]);
            }
        }
        double rate = (double)keptChannels / (n * c), standardError = Math.Sqrt(0.3 * 0.7 / (n * c));
        Assert.True(Math.Abs(rate - 0.7) <= Tolerances.KeepRateStandardErrors * standardError, $"channel keep rate {rate:F4}");
    }

    [Theory]
    [InlineData(1, new[] { 3, 4, 5 })]
    [InlineData(1, new[] { 4, 5 })]          // unbatched (C, L)
    [InlineData(2, new[] { 2, 3, 4, 5 })]
    [InlineData(2, new[] { 3, 4, 5 })]       // unbatched (C, H, W)
    [InlineData(3, new[] { 2, 3, 2, 2, 3 })]
    [InlineData(3, new[] { 3, 2, 2, 3 })]    // unbatched (C, D, H, W)
    public void ChannelWiseVariants_ShareOneFactorPerChannel(int dims, int[] shape)
    {
        var x = Tensor.Uniform(new Rng(123), 1f, 2f, shape);
        var y = Run(dims, x, 0.5f, new Rng(124)).ToArray();
        int plane = shape[^dims..].Aggregate(1, (a, b) => a * b);
        var xs = x.ToArray();
        for (int ch = 0; ch < xs.Length / plane; ch++)
        {
            float factor = y[ch * plane] / xs[ch * plane];
            Assert.True(factor == 0f || factor == 2f, $"factor {factor}");
            for (int i = 0; i < plane; i++) Assert.Equal(xs[ch * plane + i] * factor, y[ch * plane + i]);
        }
    }

    private static Tensor Run(int dims, Tensor x, float p, Rng? rng, bool training = true) => dims switch
    {
        0 => Functional.Dropout(x, p, training, rng),
        1 => Functional.Dropout1d(x, p, training, rng),
        2 => Functional.Dropout2d(x, p, training, rng),
        _ => Functional.Dropout3d(x, p, training, rng),
    };

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void PZeroOrEvaluation_ReturnTheInputItself(int dims)
    {
        var x = Tensor.Uniform(new Rng(125), -1f, 1f, 2, 3, 4, 4);
        Assert.Same(x, Run(dims, x, 0f, null));
        Assert.Same(x, Run(dims, x, 0.5f, null, training: false));
        Assert.Same(x, Run(dims, x, 1f, null, training: false));
    }

    [Fact]
    public void POne_ZeroesEverythingAndTheGradient()
    {
        var x = Tensor.Uniform(new Rng(126), -1f, 1f, 3, 4);
        x.RequiresGrad = true;
        var y = Functional.Dropout(x, 1f, true); // no randomness needed: nothing survives
        Assert.All(y.ToArray(), v => Assert.Equal(0f, v));
        y.Backward(Tensor.Ones(3, 4));
        Assert.All(x.Grad!.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Backward_UsesTheForwardMask()
    {
        var x = Tensor.Uniform(new Rng(127), 0.5f, 1.5f, 50, 20);
        x.RequiresGrad = true;
        var y = Functional.Dropout(x, 0.4f, true, new Rng(128));
        var upstream = Tensor.Normal(new Rng(129), 0f, 1f, 50, 20);
        y.Backward(upstream);
        var (ys, dy, dx) = (y.ToArray(), upstream.ToArray(), x.Grad!.ToArray());
        for (int i = 0; i < ys.Length; i++)
            Assert.Equal(ys[i] == 0f ? 0f : dy[i] / 0.6f, dx[i], 1e-6f);
        Assert.Contains(ys, v => v == 0f);
        Assert.Contains(ys, v => v != 0f);
    }

    [Fact]
    public void SameSeed_SameMask_DifferentSeed_DifferentMask()
    {
        var x = Tensor.Ones(1000);
        Assert.Equal(Functional.Dropout(x, 0.5f, true, new Rng(130)).ToArray(), Functional.Dropout(x, 0.5f, true, new Rng(130)).ToArray());
        Assert.NotEqual(Functional.Dropout(x, 0.5f, true, new Rng(130)).ToArray(), Functional.Dropout(x, 0.5f, true, new Rng(131)).ToArray());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void GradCheck_FixedMask_EveryBatchItem(int dims)
    {
        var x = Tensor.Uniform(new Rng(132), -1f, 1f, 3, 4, 3, 3);
        x.RequiresGrad = true;
        // A fresh generator with the same seed per evaluation: the mask is a constant of the function.
        var result = GradCheck.Check(t => Run(dims, t[0], 0.35f, new Rng(133)), [x], new Rng(134),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void BackwardTwice_AccumulatesExactlyTwice()
    {
        var x = Tensor.Uniform(new Rng(135), -1f, 1f, 4, 6);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(136), 0f, 1f, 4, 6);
        Functional.Dropout(x, 0.3f, true, new Rng(137)).Backward(upstream);
        var once = x.Grad!.ToArray();
        Functional.Dropout(x, 0.3f, true, new Rng(137)).Backward(upstream);
        Assert.Equal(once.Select(v => 2f * v).ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var x = Tensor.Ones(2, 3, 4, 4);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => Functional.Dropout(x, -0.1f, true, new Rng(1))).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => Functional.Dropout(x, 1.5f, true, new Rng(1))).ParamName);
        Assert.Equal("p", Assert.Throws<ArgumentException>(() => Functional.Dropout2d(x, float.NaN, true, new Rng(1))).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => Functional.Dropout(x, 0.5f, true)).ParamName);
        var rank = Assert.Throws<ArgumentException>(() => Functional.Dropout2d(Tensor.Ones(2, 3), 0.5f, true, new Rng(1)));
        Assert.Equal("input", rank.ParamName);
        Assert.Contains("(N, C, H, W) or (C, H, W)", rank.Message, StringComparison.Ordinal);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.Dropout1d(x, 0.5f, true, new Rng(1))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.Dropout3d(x.Reshape(2, 3, 16), 0.5f, false)).ParamName);
    }

    [Fact]
    public void UnderNoGrad_RecordsNothing()
    {
        var x = Tensor.Ones(3, 3);
        x.RequiresGrad = true;
        using (GradMode.NoGrad()) Assert.Null(Functional.Dropout(x, 0.5f, true, new Rng(1)).GradFn);
    }
}
