// Normalize (exact float32 formula), Cutout (exactly size² pixels per patch, every channel),
// GaussianNoise (statistics and determinism), Compose (order, shape chaining, shared Rng) and the
// per-sample seed derivation.
using Striate.Data.Augmentations;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Augmentations;

public class NoiseAndNormalizeTests
{
    [Fact]
    public void Normalize_PerChannel_IsExactlySubtractThenDivide()
    {
        var x = Tensor.Uniform(new Rng(3), 0, 1, 3, 4, 5);
        float[] mean = [0.485f, 0.456f, 0.406f], std = [0.229f, 0.224f, 0.225f];
        var y = new Normalize(mean, std).Apply(x, new Rng(1));
        var xs = x.AsSpan();
        var ys = y.AsSpan();
        for (int i = 0; i < xs.Length; i++)
        {
            int c = i / 20;
            Assert.Equal(BitConverter.SingleToInt32Bits((xs[i] - mean[c]) / std[c]), BitConverter.SingleToInt32Bits(ys[i]));
        }
    }

    [Fact]
    public void Normalize_SingleValue_AppliesToEveryChannel()
    {
        var x = Tensor.Full(0.75f, 2, 1, 2);
        var y = new Normalize([0.25f], [0.5f]).Apply(x, new Rng(1));
        Assert.Equal([1f, 1, 1, 1], y.ToArray());
    }

    [Fact]
    public void Cutout_Inside_ZeroesExactlySizeSquaredPixelsInEveryChannel()
    {
        var x = Tensor.Full(1f, 3, 9, 11);
        var cutout = new Cutout(4);
        for (ulong seed = 0; seed < 50; seed++)
        {
            var y = cutout.Apply(x, new Rng(seed));
            var (top, left) = cutout.SamplePatches(9, 11, new Rng(seed))[0];
            for (int c = 0; c < 3; c++)
            {
                int zeros = 0;
                for (int i = 0; i < 9; i++)
                    for (int j = 0; j < 11; j++)
                    {
                        bool inside = i >= top && i < top + 4 && j >= left && j < left + 4;
                        Assert.Equal(inside ? 0f : 1f, y[c, i, j]);
                        zeros += y[c, i, j] == 0 ? 1 : 0;
                    }
                Assert.Equal(16, zeros);
            }
        }
    }

    [Fact]
    public void Cutout_CenterAnywhere_ClipsAtTheBorderAndCoversEveryCentre()
    {
        var cutout = new Cutout(3, centerAnywhere: true);
        var rng = new Rng(9);
        var corners = new HashSet<(int, int)>();
        for (int k = 0; k < 500; k++) corners.Add(cutout.SamplePatches(4, 4, rng)[0]);
        // centre ∈ {0..3}², corner = centre − 1 ∈ {−1..2}².
        Assert.Equal(16, corners.Count);
        Assert.Contains((-1, -1), corners);
        var y = cutout.Apply(Tensor.Ones(1, 4, 4), new Rng(1));
        int zeros = y.ToArray().Count(v => v == 0);
        Assert.InRange(zeros, 4, 9);
    }

    [Fact]
    public void Cutout_SeveralPatches_UseFillValue()
    {
        var y = new Cutout(2, count: 3, fill: 0.5f).Apply(Tensor.Zeros(1, 6, 6), new Rng(4));
        int filled = y.ToArray().Count(v => v == 0.5f);
        Assert.InRange(filled, 4, 12); // patches may overlap
    }

    [Fact]
    public void GaussianNoise_AddsNoiseWithTheRequestedStatistics()
    {
        var x = Tensor.Full(0.5f, 1, 100, 100);
        var y = new GaussianNoise(std: 0.1f, mean: 0.02f).Apply(x, new Rng(5)).ToArray();
        double mean = y.Average(v => (double)v - 0.5);
        double std = Math.Sqrt(y.Average(v => Math.Pow(v - 0.5 - mean, 2)));
        Assert.InRange(mean, 0.02 - 0.004, 0.02 + 0.004); // σ/√n = 0.001
        Assert.InRange(std, 0.097, 0.103);
        var same = new GaussianNoise(std: 0.1f, mean: 0.02f).Apply(x, new Rng(5));
        AssertTensor.BitIdentical(y, same.AsSpan(), "same seed");
    }

    [Fact]
    public void GaussianNoise_Clip_KeepsUnitRange()
    {
        var y = new GaussianNoise(std: 2f, clip: true).Apply(Tensor.Full(0.5f, 1, 10, 10), new Rng(1)).ToArray();
        Assert.All(y, v => Assert.InRange(v, 0f, 1f));
        Assert.Contains(0f, y);
        Assert.Contains(1f, y);
    }

    [Fact]
    public void Compose_AppliesInOrderWithOneRng()
    {
        var x = FlipAndCropTests.Coded(1, 4, 4);
        var flip = new RandomHorizontalFlip(1);
        var crop = new RandomCrop(2);
        var composed = new Compose(flip, crop).Apply(x, new Rng(8));
        var rng = new Rng(8);
        var manual = crop.Apply(flip.Apply(x, rng), rng);
        Assert.Equal(manual.ToArray(), composed.ToArray());
        Assert.Equal([1, 2, 2], new Compose(flip, crop).OutputShape([1, 4, 4]));
        Assert.Equal(x.ToArray(), new Compose().Apply(x, new Rng(1)).ToArray());
        Assert.Equal("Compose(RandomHorizontalFlip(p=1), RandomCrop(size=(2, 2), padding=0, mode=Constant))", new Compose(flip, crop).ToString());
    }

    [Fact]
    public void Compose_StepThatCannotApply_NamesTheStep()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new Compose(new RandomCrop(2), new CenterCrop(3)).OutputShape([1, 5, 5]));
        Assert.Equal("inputShape", e.ParamName);
        Assert.Contains("Step 1 (CenterCrop", e.Message);
    }

    [Fact]
    public void SampleRng_DependsOnlyOnSeedAndPosition()
    {
        Assert.Equal(Transforms.SampleRng(5, 3).NextUInt64(), Transforms.SampleRng(5, 3).NextUInt64());
        Assert.NotEqual(Transforms.SampleRng(5, 3).NextUInt64(), Transforms.SampleRng(5, 4).NextUInt64());
        Assert.NotEqual(Transforms.SampleRng(5, 3).NextUInt64(), Transforms.SampleRng(6, 3).NextUInt64());
        Assert.Equal("position", Assert.ThrowsAny<ArgumentException>(() => Transforms.SampleRng(1, -1)).ParamName);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("mean", Assert.ThrowsAny<ArgumentException>(() => new Normalize([], [])).ParamName);
        Assert.Equal("std", Assert.ThrowsAny<ArgumentException>(() => new Normalize([0f, 0f], [1f])).ParamName);
        Assert.Equal("std", Assert.ThrowsAny<ArgumentException>(() => new Normalize([0f], [0f])).ParamName);
        Assert.Equal("mean", Assert.ThrowsAny<ArgumentException>(() => new Normalize([float.NaN], [1f])).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new Normalize([0f, 0f, 0f], [1f, 1f, 1f]).OutputShape([1, 2, 2])).ParamName);
        Assert.Equal("image", Assert.ThrowsAny<ArgumentException>(() => new Normalize([0f], [1f]).Apply(Tensor.Zeros(2, 2), new Rng(1))).ParamName);
        Assert.Equal("std", Assert.ThrowsAny<ArgumentException>(() => new GaussianNoise(-1f)).ParamName);
        Assert.Equal("mean", Assert.ThrowsAny<ArgumentException>(() => new GaussianNoise(1f, float.PositiveInfinity)).ParamName);
        Assert.Equal("size", Assert.ThrowsAny<ArgumentException>(() => new Cutout(0)).ParamName);
        Assert.Equal("count", Assert.ThrowsAny<ArgumentException>(() => new Cutout(2, count: 0)).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new Cutout(5).OutputShape([1, 4, 9])).ParamName);
        Assert.Equal("transforms", Assert.Throws<ArgumentNullException>(() => new Compose(new Cutout(1), null!)).ParamName);
    }
}
