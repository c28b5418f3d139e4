// Flips and crops against hand-computed outputs: every pixel of the test image encodes its position
// (c·100 + i·10 + j), so an output value says exactly where it came from. Plus draw counts, the
// crop-offset ranges, reflect/constant padding, CenterCrop's rounding and argument checks.
using Striate.Data.Augmentations;
using Striate.Kernels.Pad;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Augmentations;

public class FlipAndCropTests
{
    /// <summary>(C, H, W) with x[c, i, j] = c·100 + i·10 + j.</summary>
    internal static Tensor Coded(int c, int h, int w)
    {
        var data = new float[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h; i++)
                for (int j = 0; j < w; j++)
                    data[(ch * h + i) * w + j] = ch * 100 + i * 10 + j;
        return Tensor.FromArray(data, c, h, w);
    }

    [Fact]
    public void HorizontalFlip_POne_MirrorsEveryRow()
    {
        var x = Coded(2, 3, 4);
        var y = new RandomHorizontalFlip(p: 1).Apply(x, new Rng(1));
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(c * 100 + i * 10 + (3 - j), y[c, i, j]);
        Assert.Equal(0f, x[0, 0, 0]); // input untouched
    }

    [Fact]
    public void VerticalFlip_POne_ReversesRows()
    {
        var y = new RandomVerticalFlip(p: 1).Apply(Coded(2, 3, 4), new Rng(1));
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 4; j++)
                    Assert.Equal(c * 100 + (2 - i) * 10 + j, y[c, i, j]);
    }

    [Fact]
    public void Flips_PZero_CopyAndDrawOnce()
    {
        var x = Coded(1, 3, 5);
        var rng = new Rng(7);
        var reference = new Rng(7);
        var y = new RandomHorizontalFlip(p: 0).Apply(x, rng);
        Assert.Equal(x.ToArray(), y.ToArray());
        reference.NextDouble();
        Assert.Equal(reference.NextUInt64(), rng.NextUInt64());
        var v = new RandomVerticalFlip(p: 0).Apply(x, rng);
        Assert.Equal(x.ToArray(), v.ToArray());
    }

    [Fact]
    public void HorizontalFlip_HalfProbability_FlipsAboutHalf()
    {
        var flip = new RandomHorizontalFlip();
        var x = Coded(1, 1, 2);
        var rng = new Rng(3);
        int flipped = 0;
        for (int k = 0; k < 2000; k++) flipped += flip.Apply(x, rng)[0, 0, 0] == 1f ? 1 : 0;
        Assert.InRange(flipped, 900, 1100); // 2000 Bernoulli(0.5): σ ≈ 22
    }

    [Fact]
    public void RandomCrop_NoPadding_ReturnsWindowAtDrawnOffsets()
    {
        var x = Coded(2, 6, 7);
        var crop = new RandomCrop((3, 4));
        var twin = new Rng(11);
        int top = twin.NextInt(6 - 3 + 1), left = twin.NextInt(7 - 4 + 1);
        var y = crop.Apply(x, new Rng(11));
        Assert.Equal([2, 3, 4], y.Shape);
        for (int c = 0; c < 2; c++)
            for (int r = 0; r < 3; r++)
                for (int s = 0; s < 4; s++)
                    Assert.Equal(c * 100 + (top + r) * 10 + left + s, y[c, r, s]);
    }

    [Fact]
    public void RandomCrop_Offsets_CoverExactlyTheAllowedRange()
    {
        var x = Coded(1, 5, 5);
        var crop = new RandomCrop(3, padding: 1);
        var rng = new Rng(2);
        var seen = new HashSet<(int, int)>();
        for (int k = 0; k < 600; k++)
        {
            var y = crop.Apply(x, rng);
            // Locate the window through an interior pixel: padded (top + 1, left + 1) is original (top, left).
            float centre = y[0, 1, 1];
            seen.Add(((int)centre / 10, (int)centre % 10));
        }
        // top, left ∈ {0..5 + 2 − 3} = {0..4}; the centre pixel is original (top, left) ∈ {0..4}².
        Assert.Equal(25, seen.Count);
        Assert.All(seen, p => Assert.True(p.Item1 is >= 0 and <= 4 && p.Item2 is >= 0 and <= 4));
    }

    [Fact]
    public void CropAt_ConstantPadding_FillsOutside()
    {
        var crop = new RandomCrop(3, padding: 2, fill: -1f);
        var y = crop.CropAt(Coded(1, 4, 4), top: 0, left: 1);
        // Padded rows 0..2 are original rows −2..0; padded columns 1..3 are original −1..1.
        float[] expected = [-1, -1, -1, -1, -1, -1, -1, 0, 1];
        Assert.Equal(expected, y.ToArray());
    }

    [Fact]
    public void CropAt_ReflectPadding_MirrorsWithoutRepeatingTheEdge()
    {
        var crop = new RandomCrop((1, 7), padding: 2, padMode: BorderMode.Reflect);
        // Row 2 of the padded 5×5+pad image is original row 0; its columns −2..4 reflect to 2 1 0 1 2 3 4.
        var y = crop.CropAt(Coded(1, 5, 5), top: 2, left: 0);
        Assert.Equal([2f, 1, 0, 1, 2, 3, 4], y.ToArray());
        // Far corner: padded row 8 is original 6 → reflected 2; columns 2..8 → 0 1 2 3 4 3 2.
        var z = crop.CropAt(Coded(1, 5, 5), top: 8, left: 2);
        Assert.Equal([20f, 21, 22, 23, 24, 23, 22], z.ToArray());
    }

    [Fact]
    public void CropAt_ReplicateAndCircular_FollowTheBorderRule()
    {
        var replicate = new RandomCrop((1, 5), padding: 2, padMode: BorderMode.Replicate).CropAt(Coded(1, 3, 3), 2, 0);
        Assert.Equal([0f, 0, 0, 1, 2], replicate.ToArray());
        var circular = new RandomCrop((1, 5), padding: 2, padMode: BorderMode.Circular).CropAt(Coded(1, 3, 3), 2, 0);
        Assert.Equal([1f, 2, 0, 1, 2], circular.ToArray());
    }

    [Fact]
    public void RandomCrop_SameSeed_SameOutput()
    {
        var x = Tensor.Uniform(new Rng(5), 0, 1, 3, 9, 9);
        var crop = new RandomCrop(5, padding: 2, padMode: BorderMode.Reflect);
        AssertTensor.BitIdentical(crop.Apply(x, new Rng(42)).AsSpan(), crop.Apply(x, new Rng(42)).AsSpan(), "same seed");
    }

    [Theory]
    [InlineData(5, 3, 1)]   // (5 − 3)/2 = 1
    [InlineData(6, 3, 2)]   // 1.5 rounds half to even → 2
    [InlineData(8, 3, 2)]   // 2.5 → 2
    [InlineData(4, 4, 0)]
    public void CenterCrop_Offset_RoundsHalfToEven(int size, int crop, int offset)
    {
        var y = new CenterCrop(crop).Apply(Coded(1, size, size), new Rng(1));
        Assert.Equal(offset * 10 + offset, y[0, 0, 0]);
        Assert.Equal([1, crop, crop], y.Shape);
    }

    [Fact]
    public void OutputShapes_AreAsDocumented()
    {
        Assert.Equal([3, 5, 6], new RandomCrop((5, 6), padding: 1).OutputShape([3, 4, 4]));
        Assert.Equal([1, 24, 24], new RandomResizedCrop(24).OutputShape([1, 28, 28]));
        Assert.Equal([2, 7, 3], new Resize(7, 3).OutputShape([2, 5, 5]));
        Assert.Equal([3, 2, 2], new CenterCrop(2).OutputShape([3, 5, 5]));
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("p", Assert.ThrowsAny<ArgumentException>(() => new RandomHorizontalFlip(1.5)).ParamName);
        Assert.Equal("p", Assert.ThrowsAny<ArgumentException>(() => new RandomVerticalFlip(double.NaN)).ParamName);
        Assert.Equal("size", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(0)).ParamName);
        Assert.Equal("padding", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(3, padding: -1)).ParamName);
        Assert.Equal("padMode", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(3, padMode: (BorderMode)9)).ParamName);
        Assert.Equal("fill", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(3, fill: float.NaN)).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(9).OutputShape([1, 8, 8])).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(4, padding: 4, padMode: BorderMode.Reflect).OutputShape([1, 4, 4])).ParamName);
        Assert.Equal("image", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(2).Apply(Tensor.Zeros(4, 4), new Rng(1))).ParamName);
        Assert.Equal("image", Assert.Throws<ArgumentNullException>(() => new RandomCrop(2).Apply(null!, new Rng(1))).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => new RandomHorizontalFlip().Apply(Tensor.Zeros(1, 2, 2), null!)).ParamName);
        Assert.Equal("top", Assert.ThrowsAny<ArgumentException>(() => new RandomCrop(2).CropAt(Tensor.Zeros(1, 4, 4), 3, 0)).ParamName);
        Assert.Equal("width", Assert.ThrowsAny<ArgumentException>(() => new CenterCrop(2, 0)).ParamName);
        Assert.Equal("inputShape", Assert.ThrowsAny<ArgumentException>(() => new CenterCrop(5).OutputShape([1, 4, 8])).ParamName);
        Assert.Equal("scale", Assert.ThrowsAny<ArgumentException>(() => new RandomResizedCrop(8, scale: (0.5, 0.2))).ParamName);
        Assert.Equal("scale", Assert.ThrowsAny<ArgumentException>(() => new RandomResizedCrop(8, scale: (0.0, 1.0))).ParamName);
        Assert.Equal("ratio", Assert.ThrowsAny<ArgumentException>(() => new RandomResizedCrop(8, ratio: (-1, 2))).ParamName);
        Assert.Equal("height", Assert.ThrowsAny<ArgumentException>(() => new Resize(0, 3)).ParamName);
    }
}
