// Resize and RandomResizedCrop: bilinear values computed by hand (align_corners=False), the box
// sampler's ranges and its central fallback, identity settings, determinism.
using Striate.Data.Augmentations;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Augmentations;

public class ResizeTests
{
    [Fact]
    public void Resize_DoublingWidth_InterpolatesAtHalfPixelCentres()
    {
        // in 2 → out 4: source = 0.5·(o + 0.5) − 0.5 = −0.25 (clamped to 0), 0.25, 0.75, 1.25 (last tap clamps).
        var y = new Resize(1, 4).Apply(Tensor.FromArray([0f, 4f], 1, 1, 2), new Rng(1));
        Assert.Equal([0f, 1f, 3f, 4f], y.ToArray());
    }

    [Fact]
    public void Resize_TwoByTwoToThreeByThree_MatchesHandComputedBilinear()
    {
        // in 2 → out 3: source = (2/3)(o + 0.5) − 0.5 = −1/6 → 0, 0.5, 7/6 → (1, weight clamps): taps 0, ½·½, 1.
        var y = new Resize(3, 3).Apply(Tensor.FromArray([0f, 1f, 2f, 3f], 1, 2, 2), new Rng(1));
        float[] expected = [0f, 0.5f, 1f, 1f, 1.5f, 2f, 2f, 2.5f, 3f];
        AssertTensor.Close(y, [1, 3, 3], expected.Select(v => (double)v).ToList(), Tolerances.Pointwise, "resize 2×2 → 3×3");
    }

    [Fact]
    public void RandomResizedCrop_FullScaleSquareRatio_IsIdentity()
    {
        var x = Tensor.Uniform(new Rng(2), 0, 1, 3, 8, 8);
        var y = new RandomResizedCrop(8, scale: (1, 1), ratio: (1, 1)).Apply(x, new Rng(5));
        AssertTensor.BitIdentical(x.AsSpan(), y.AsSpan(), "full box resized to its own size");
    }

    [Fact]
    public void RandomResizedCrop_Boxes_LieInsideWithAreaInRange()
    {
        var crop = new RandomResizedCrop(16, scale: (0.25, 0.5), ratio: (0.75, 4.0 / 3));
        var rng = new Rng(3);
        for (int k = 0; k < 300; k++)
        {
            var (top, left, h, w) = crop.SampleBox(40, 30, rng);
            Assert.True(top >= 0 && left >= 0 && top + h <= 40 && left + w <= 30, $"box ({top}, {left}, {h}, {w}) outside 40×30");
            double fraction = (double)h * w / 1200;
            Assert.InRange(fraction, 0.2, 0.56); // rounding each side to an integer moves the area a little
            Assert.InRange((double)w / h, 0.6, 1.6);
        }
    }

    [Fact]
    public void RandomResizedCrop_NoBoxFits_FallsBackToTheCentralBoxOfTheClosestRatio()
    {
        // A 10×10 image cannot hold a full-area box of ratio 3..4, so all ten tries fail:
        // in_ratio 1 < 3 → w = 10, h = round(10/3) = 3, top = (10 − 3) / 2 = 3.
        var box = new RandomResizedCrop(5, scale: (1, 1), ratio: (3, 4)).SampleBox(10, 10, new Rng(1));
        Assert.Equal((3, 0, 3, 10), box);
        var wide = new RandomResizedCrop(5, scale: (1, 1), ratio: (0.25, 0.5)).SampleBox(10, 10, new Rng(1));
        Assert.Equal((0, 2, 10, 5), wide); // in_ratio 1 > 0.5 → h = 10, w = round(10·0.5) = 5, left = 2
    }

    [Fact]
    public void RandomResizedCrop_ResizesTheSampledBox()
    {
        var x = FlipAndCropTests.Coded(2, 12, 12);
        var crop = new RandomResizedCrop(6);
        var (top, left, h, w) = crop.SampleBox(12, 12, new Rng(8));
        var box = new RandomCrop((h, w)).CropAt(x, top, left);
        var expected = new Resize(6, 6).Apply(box, new Rng(1));
        var y = crop.Apply(x, new Rng(8));
        AssertTensor.BitIdentical(expected.AsSpan(), y.AsSpan(), "crop then resize");
        Assert.Equal([2, 6, 6], y.Shape);
    }
}
