// AugmentationSpec.Parse: each step name builds the documented transform with the documented defaults
// and arguments, steps compose in order, and malformed specifications throw ArgumentException naming
// the step (ParamName "spec"); a parsed pipeline applied with the same Rng gives the same image as the
// hand-built one.
using Striate.Data.Augmentations;
using Striate.Kernels.Pad;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Augmentations;

public class AugmentationSpecTests
{
    private static readonly int[] Grey28 = [1, 28, 28];

    [Fact]
    public void Parse_CropAndFlip_BuildsTheTransformsInOrderWithTheGivenPadding()
    {
        var c = AugmentationSpec.Parse("crop:4,flip", Grey28);

        Assert.Equal(2, c.Transforms.Count);
        var crop = Assert.IsType<RandomCrop>(c.Transforms[0]);
        Assert.Equal((28, 28, 4, BorderMode.Constant), (crop.Height, crop.Width, crop.Padding, crop.PadMode));
        Assert.Equal(0.5, Assert.IsType<RandomHorizontalFlip>(c.Transforms[1]).P);
    }

    [Fact]
    public void Parse_Defaults_FollowTheImageSize()
    {
        var c = AugmentationSpec.Parse("crop, cutout ,noise", [3, 32, 32]);

        Assert.Equal(4, ((RandomCrop)c.Transforms[0]).Padding);      // ⌈32/8⌉
        Assert.Equal(8, ((Cutout)c.Transforms[1]).Size);             // ⌈32/4⌉
        Assert.Equal(1, ((Cutout)c.Transforms[1]).Count);
        var noise = (GaussianNoise)c.Transforms[2];
        Assert.Equal((0.05f, true), (noise.Std, noise.Clip));
    }

    [Fact]
    public void Parse_Arguments_ReachTheTransforms()
    {
        var c = AugmentationSpec.Parse("crop:2:reflect,flip:0.25,vflip:1,rotate:7.5,cutout:5:3", Grey28);

        Assert.Equal((2, BorderMode.Reflect), (((RandomCrop)c.Transforms[0]).Padding, ((RandomCrop)c.Transforms[0]).PadMode));
        Assert.Equal(0.25, ((RandomHorizontalFlip)c.Transforms[1]).P);
        Assert.Equal(1.0, ((RandomVerticalFlip)c.Transforms[2]).P);
        Assert.Equal((-7.5, 7.5), ((RandomRotation)c.Transforms[3]).Degrees);
        Assert.Equal((5, 3), (((Cutout)c.Transforms[4]).Size, ((Cutout)c.Transforms[4]).Count));
    }

    [Fact]
    public void Parse_EveryListedStep_BuildsForRgbImages()
    {
        foreach (var (name, _, _) in AugmentationSpec.Steps)
        {
            var c = AugmentationSpec.Parse(name, [3, 32, 32]);
            var y = c.Apply(Tensor.Full(0.5f, 3, 32, 32), new Rng(1));
            Assert.Equal([3, 32, 32], y.Shape);
        }
    }

    [Fact]
    public void Parse_SameRng_GivesTheSameImageAsTheHandBuiltPipeline()
    {
        var x = Tensor.Uniform(new Rng(3), 0f, 1f, 1, 28, 28);
        var parsed = AugmentationSpec.Parse("crop:4,flip,cutout:6", Grey28);
        var byHand = new Compose(new RandomCrop(28, padding: 4), new RandomHorizontalFlip(), new Cutout(6));

        for (ulong seed = 0; seed < 8; seed++)
            AssertTensor.BitIdentical(byHand.Apply(x, new Rng(seed)).AsSpan(), parsed.Apply(x, new Rng(seed)).AsSpan(), $"seed {seed}");
    }

    [Theory]
    [InlineData("", "names no step")]
    [InlineData(" , ", "names no step")]
    [InlineData("blur", "unknown step 'blur'")]
    [InlineData("flip:0.5:1", "at most 1 argument")]
    [InlineData("crop:four", "must be a whole number")]
    [InlineData("crop:2:mirror", "padding mode")]
    [InlineData("rotate:NaN", "must be a number")]
    [InlineData("flip:1.5", "flip:1.5")]
    [InlineData("crop:-1", "crop:-1")]
    [InlineData("pca", "pca")]
    public void Parse_BadSpecification_ThrowsNamingTheStep(string spec, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => AugmentationSpec.Parse(spec, Grey28));
        Assert.Equal("spec", e.ParamName);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadShapeOrNull_Throws()
    {
        Assert.Equal("sampleShape", Assert.Throws<ArgumentException>(() => AugmentationSpec.Parse("flip", [28, 28])).ParamName);
        Assert.Equal("spec", Assert.Throws<ArgumentNullException>(() => AugmentationSpec.Parse(null!, Grey28)).ParamName);
        Assert.Equal("sampleShape", Assert.Throws<ArgumentNullException>(() => AugmentationSpec.Parse("flip", null!)).ParamName);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => AugmentationSpec.Parse("resized-crop", [1, 28, 20])).Message, StringComparison.Ordinal);
    }
}
