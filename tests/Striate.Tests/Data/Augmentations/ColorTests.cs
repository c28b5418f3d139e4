// Colour adjustments: brightness factor exact, contrast and saturation against hand-computed blends,
// hue rotation against colorsys (fixture), ColorJitter's draws, order and one-channel behaviour, and
// PCA colour noise: the AlexNet shift formula and components recovered from images with a known
// covariance.
using Striate.Data.Augmentations;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Augmentations;

public class ColorTests
{
    private static Tensor Rgb(int h, int w, ulong seed = 1) => Tensor.Uniform(new Rng(seed), 0, 1, 3, h, w);

    [Fact]
    public void Brightness_IsExactlyFactorTimesValueClamped()
    {
        var x = Rgb(4, 5);
        var y = ColorAdjust.Brightness(x, 1.7f);
        var xs = x.AsSpan();
        for (int i = 0; i < xs.Length; i++) Assert.Equal(Math.Min(1.7f * xs[i], 1f), y.AsSpan()[i]);
    }

    [Fact]
    public void Contrast_Grey_BlendsWithTheImageMean()
    {
        var x = Tensor.FromArray([0f, 0.2f, 0.4f, 0.6f], 1, 2, 2); // mean 0.3
        var y = ColorAdjust.Contrast(x, 2f);                        // 2x − 0.3, clamped
        AssertTensor.Close(y, [1, 2, 2], [0, 0.1, 0.5, 0.9], Tolerances.Pointwise, "contrast 2");
        var flat = ColorAdjust.Contrast(x, 0f);
        AssertTensor.Close(flat, [1, 2, 2], [0.3, 0.3, 0.3, 0.3], Tolerances.Pointwise, "contrast 0");
    }

    [Fact]
    public void Contrast_Rgb_UsesTheMeanGreyLevel()
    {
        // One pure-red and one black pixel: grey levels 0.2989 and 0 → mean 0.14945.
        var x = Tensor.FromArray([1f, 0f, 0f, 0f, 0f, 0f], 3, 1, 2);
        var y = ColorAdjust.Contrast(x, 0.5f);
        double m = 0.14945;
        AssertTensor.Close(y, [3, 1, 2], [0.5 + 0.5 * m, 0.5 * m, 0.5 * m, 0.5 * m, 0.5 * m, 0.5 * m], Tolerances.Pointwise, "contrast 0.5");
    }

    [Fact]
    public void Saturation_Zero_GivesTheGreyImageInEveryChannel()
    {
        var x = Rgb(3, 3);
        var y = ColorAdjust.Saturation(x, 0f);
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++)
            {
                double gray = 0.2989 * x[0, i, j] + 0.587 * x[1, i, j] + 0.114 * x[2, i, j];
                for (int c = 0; c < 3; c++) Assert.True(Math.Abs(gray - y[c, i, j]) < 1e-6, $"pixel ({i}, {j}) channel {c}: {y[c, i, j]} vs grey {gray}");
            }
        AssertTensor.Close(ColorAdjust.Saturation(x, 1f), [3, 3, 3], x.ToArray().Select(v => (double)v).ToList(), Tolerances.Pointwise, "saturation 1");
    }

    public static TheoryData<string> HueCases => Fixture.Names("augment_color.json", "hue");

    [Theory]
    [MemberData(nameof(HueCases))]
    public void Hue_MatchesColorsys(string name)
    {
        var c = Fixture.Case("augment_color.json", name);
        var y = ColorAdjust.Hue(c.Inputs[0].ToTensor(), c.Float("shift"));
        AssertTensor.Close(y, c.OutputShape, c.Output, Tolerances.HueRotation, c.ToString());
    }

    [Fact]
    public void Hue_ZeroShift_KeepsColours_AndRoundTripsThroughHsv()
    {
        var x = Rgb(5, 5, seed: 3);
        AssertTensor.Close(ColorAdjust.Hue(x, 0f), [3, 5, 5], x.ToArray().Select(v => (double)v).ToList(), Tolerances.HueRotation, "hue 0");
        var there = ColorAdjust.Hue(x, 0.3f);
        var back = ColorAdjust.Hue(there, -0.3f);
        AssertTensor.Close(back, [3, 5, 5], x.ToArray().Select(v => (double)v).ToList(), new Tolerance(4e-6, 4e-6, "two hue rotations"), "hue ±0.3");
    }

    [Fact]
    public void ColorJitter_BrightnessOnly_MultipliesByTheDrawnFactor()
    {
        var x = Rgb(4, 4);
        var jitter = new ColorJitter(brightness: 0.5f);
        var p = jitter.SampleParameters(new Rng(9));
        Assert.InRange(p.Brightness, 0.5f, 1.5f);
        Assert.Equal(4, p.Order.Distinct().Count());
        var y = jitter.Apply(x, new Rng(9));
        AssertTensor.BitIdentical(ColorAdjust.Brightness(x, p.Brightness).AsSpan(), y.AsSpan(), "brightness jitter");
    }

    [Fact]
    public void ColorJitter_AppliesEnabledStepsInTheDrawnOrder()
    {
        var x = Rgb(3, 4, seed: 5);
        var jitter = new ColorJitter(0.3f, 0.3f, 0.3f, 0.1f);
        var p = jitter.SampleParameters(new Rng(12));
        var expected = x;
        foreach (int step in p.Order)
            expected = step switch
            {
                0 => ColorAdjust.Brightness(expected, p.Brightness),
                1 => ColorAdjust.Contrast(expected, p.Contrast),
                2 => ColorAdjust.Saturation(expected, p.Saturation),
                _ => ColorAdjust.Hue(expected, p.Hue),
            };
        AssertTensor.BitIdentical(expected.AsSpan(), jitter.Apply(x, new Rng(12)).AsSpan(), "jitter order");
    }

    [Fact]
    public void ColorJitter_OneChannel_AppliesOnlyBrightnessAndContrast()
    {
        var x = Tensor.Uniform(new Rng(2), 0, 1, 1, 5, 5);
        var all = new ColorJitter(0.4f, 0.4f, 0.9f, 0.5f);
        var some = new ColorJitter(0.4f, 0.4f);
        // Same seven draws, same factors: saturation and hue are skipped on grey images.
        AssertTensor.BitIdentical(some.Apply(x, new Rng(4)).AsSpan(), all.Apply(x, new Rng(4)).AsSpan(), "grey jitter");
        Assert.Equal([1, 5, 5], all.OutputShape([1, 5, 5]));
        var nothing = new ColorJitter().Apply(x, new Rng(1));
        AssertTensor.BitIdentical(x.AsSpan(), nothing.AsSpan(), "all ranges 0");
    }

    [Fact]
    public void PcaColorNoise_AddsTheAlexNetShiftToEveryPixel()
    {
        var x = Rgb(3, 4);
        var noise = new PcaColorNoise();
        var shift = noise.SampleShift(new Rng(7));
        Span<float> alpha = stackalloc float[3];
        new Rng(7).FillNormal(alpha, 0f, 0.1f);
        float[] v = [.. PcaColorNoise.ImageNetEigenvectors], l = [.. PcaColorNoise.ImageNetEigenvalues];
        for (int c = 0; c < 3; c++)
            Assert.Equal(v[c * 3] * alpha[0] * l[0] + v[c * 3 + 1] * alpha[1] * l[1] + v[c * 3 + 2] * alpha[2] * l[2], shift[c], 6);
        var y = noise.Apply(x, new Rng(7));
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(x[c, i, j] + shift[c], y[c, i, j]);
    }

    [Fact]
    public void PcaColorNoise_FromImages_RecoversTheDominantColourDirection()
    {
        // Pixels spread along (1, 2, 2)/3 with variance 0.04 plus small independent noise (variance 1e-4).
        var rng = new Rng(3);
        int n = 20, plane = 64;
        var data = new float[n * 3 * plane];
        var t = new float[n * plane];
        var e = new float[3 * n * plane];
        rng.FillNormal(t, 0, 0.2f);
        rng.FillNormal(e, 0, 0.01f);
        for (int s = 0; s < n; s++)
            for (int i = 0; i < plane; i++)
            {
                float a = t[s * plane + i];
                for (int c = 0; c < 3; c++)
                    data[(s * 3 + c) * plane + i] = 0.5f + a * (c == 0 ? 1f / 3 : 2f / 3) + e[(s * 3 + c) * plane + i];
            }
        var noise = PcaColorNoise.FromImages(Tensor.FromArray(data, n, 3, 8, 8));
        Assert.InRange(noise.Eigenvalues[0], 0.037f, 0.043f);
        Assert.InRange(noise.Eigenvalues[1], 0.00008f, 0.00012f);
        Assert.True(noise.Eigenvalues[1] >= noise.Eigenvalues[2]);
        var v = noise.Eigenvectors;
        Assert.Equal(1.0 / 3, v[0], 2);
        Assert.Equal(2.0 / 3, v[3], 2);
        Assert.Equal(2.0 / 3, v[6], 2);
    }

    [Fact]
    public void SymmetricEigen3_ReconstructsTheMatrix()
    {
        double[,] a = { { 4, 1, -2 }, { 1, 3, 0.5 }, { -2, 0.5, 1 } };
        var (values, vectors) = PcaColorNoise.SymmetricEigen3(a);
        Assert.True(values[0] >= values[1] && values[1] >= values[2]);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
            {
                double sum = 0;
                for (int k = 0; k < 3; k++) sum += vectors[r, k] * values[k] * vectors[c, k];
                Assert.Equal(a[r, c], sum, 10);
            }
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("brightness", Assert.ThrowsAny<ArgumentException>(() => new ColorJitter(brightness: -0.1f)).ParamName);
        Assert.Equal("hue", Assert.ThrowsAny<ArgumentException>(() => new ColorJitter(hue: 0.6f)).ParamName);
        Assert.Equal("saturation", Assert.ThrowsAny<ArgumentException>(() => new ColorJitter(saturation: float.NaN)).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new ColorJitter(0.1f).OutputShape([2, 4, 4])).ParamName);
        Assert.Equal("image", Assert.ThrowsAny<ArgumentException>(() => ColorAdjust.Saturation(Tensor.Zeros(1, 2, 2), 0.5f)).ParamName);
        Assert.Equal("factor", Assert.ThrowsAny<ArgumentException>(() => ColorAdjust.Brightness(Tensor.Zeros(1, 2, 2), -1f)).ParamName);
        Assert.Equal("shift", Assert.ThrowsAny<ArgumentException>(() => ColorAdjust.Hue(Tensor.Zeros(3, 2, 2), 0.7f)).ParamName);
        Assert.Equal("std", Assert.ThrowsAny<ArgumentException>(() => new PcaColorNoise(-1f)).ParamName);
        Assert.Equal("eigenvalues", Assert.ThrowsAny<ArgumentException>(() => new PcaColorNoise(eigenvalues: [1f, 2f])).ParamName);
        Assert.Equal("eigenvectors", Assert.ThrowsAny<ArgumentException>(() => new PcaColorNoise(eigenvectors: [1f])).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new PcaColorNoise().OutputShape([1, 4, 4])).ParamName);
        Assert.Equal("images", Assert.ThrowsAny<ArgumentException>(() => PcaColorNoise.FromImages(Tensor.Zeros(2, 1, 3, 3))).ParamName);
    }
}
