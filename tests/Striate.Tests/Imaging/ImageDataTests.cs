using Striate.Imaging;

namespace Striate.Tests.Imaging;

public sealed class ImageDataTests
{
    [Fact]
    public void ToTensor_InterleavedRgb_GivesChannelPlanesInZeroOne()
    {
        // 2×1 RGB: pixel 0 = (255, 0, 51), pixel 1 = (0, 102, 255)
        var image = new ImageData(2, 1, 3, [255, 0, 51, 0, 102, 255]);
        var t = image.ToTensor();
        Assert.Equal([3, 1, 2], t.Shape);
        Assert.Equal([1f, 0f, 0f, 0.4f, 0.2f, 1f], t.ToArray());
    }

    [Fact]
    public void FromTensor_ClipsAndRounds_AndRoundTrips()
    {
        var t = Tensor.FromArray([-0.5f, 0.5f, 1.5f, 0.2f], 1, 2, 2);
        var image = ImageData.FromTensor(t);
        Assert.Equal([0, 128, 255, 51], image.Pixels);
        Assert.Equal(image.Pixels, ImageData.FromTensor(image.ToTensor()).Pixels);
    }

    [Fact]
    public void FromTensor_TwoDimensional_IsGrey()
    {
        var image = ImageData.FromTensor(Tensor.FromArray([0f, 1f, 1f, 0f, 0f, 1f], 2, 3));
        Assert.Equal((3, 2, 1), (image.Width, image.Height, image.Channels));
        Assert.Equal(255, image[0, 1, 0]);
        Assert.Equal(255, image[1, 2, 0]);
    }

    [Fact]
    public void Sixteen_BitImage_ToTensorUsesFullPrecision()
    {
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "png");
        var image = Png.Load(Path.Combine(fixtures, "pil_I16.png"));
        var t = image.ToTensor();
        Assert.Equal(16, image.BitDepth);
        Assert.Equal(image.Samples16[5] / 65535f, t.AsSpan()[5]);
    }

    [Fact]
    public void Constructor_BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageData(0, 1, 1, [])).ParamName);
        Assert.Equal("channels", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageData(1, 1, 5, new byte[5])).ParamName);
        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => new ImageData(2, 2, 1, new byte[3])).ParamName);
        Assert.Equal("image", Assert.Throws<ArgumentException>(() => ImageData.FromTensor(Tensor.Zeros(5, 2, 2))).ParamName);
        Assert.Equal("image", Assert.Throws<ArgumentException>(() => ImageData.FromTensor(Tensor.Full(float.NaN, 2, 2))).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentOutOfRangeException>(() => new ImageData(1, 1, 1, [0])[1, 0, 0]).ParamName);
    }
}
