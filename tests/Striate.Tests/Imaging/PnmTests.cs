// PGM/PPM decoding: ASCII and binary grey and colour, comments and odd whitespace, maxval scaling
// (below 255 and 16-bit), round trips through the encoder, and every malformed header or raster
// giving an InvalidDataException that names the source and the offset.
using System.Text;
using Striate.Imaging;

namespace Striate.Tests.Imaging;

public class PnmTests
{
    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);

    private static byte[] Binary(string header, params byte[] raster) => [.. Ascii(header), .. raster];

    [Fact]
    public void P2_WithComments_DecodesGreyRowsTopToBottom()
    {
        var image = Pnm.Decode(Ascii("P2\n# a comment\n3 2 # trailing\n255\n0 128 255\n  10\t20\r\n30\n"));
        Assert.Equal((3, 2, 1, 8), (image.Width, image.Height, image.Channels, image.BitDepth));
        Assert.Equal([0, 128, 255, 10, 20, 30], image.Pixels);
    }

    [Fact]
    public void P3_SmallMaxval_ScalesToEightBits()
    {
        // maxval 15: v·255/15 = 17·v.
        var image = Pnm.Decode(Ascii("P3 2 1 15 15 0 7 1 2 3"));
        Assert.Equal((2, 1, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal([255, 0, 119, 17, 34, 51], image.Pixels);
    }

    [Fact]
    public void P5_Binary_ReadsBytesAfterOneWhitespace()
    {
        // The raster may start with a byte that looks like whitespace (10 = '\n').
        var image = Pnm.Decode(Binary("P5\n2 2\n255\n", 10, 0, 200, 255));
        Assert.Equal([10, 0, 200, 255], image.Pixels);
    }

    [Fact]
    public void P6_SixteenBit_KeepsFullPrecisionSamples()
    {
        var image = Pnm.Decode(Binary("P6 1 1 65535\n", 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x01));
        Assert.Equal(16, image.BitDepth);
        Assert.Equal([65535, 32768, 1], image.Samples16.ToArray());
        Assert.Equal([255, 128, 0], image.Pixels);
        var t = image.ToTensor();
        Assert.Equal(32768f / 65535f, t[1, 0, 0]);
    }

    [Fact]
    public void P5_Maxval1000_ScalesBothDepths()
    {
        var image = Pnm.Decode(Binary("P5 1 1 1000\n", 0x01, 0xF4)); // 500
        Assert.Equal(128, image.Pixels[0]);                  // round(500·255/1000) = round(127.5) → 128 (half up)
        Assert.Equal(32768, image.Samples16[0]);             // round(500·65535/1000) = round(32767.5) → 32768
    }

    [Fact]
    public void Encode_RoundTripsGreyAndRgb()
    {
        var grey = new ImageData(3, 2, 1, [1, 2, 3, 4, 5, 6]);
        Assert.Equal(grey.Pixels, Pnm.Decode(Pnm.Encode(grey)).Pixels);
        var rgb = new ImageData(2, 1, 3, [1, 2, 3, 4, 5, 6]);
        var back = Pnm.Decode(Pnm.Encode(rgb));
        Assert.Equal((2, 1, 3), (back.Width, back.Height, back.Channels));
        Assert.Equal(rgb.Pixels, back.Pixels);
        var rgba = new ImageData(1, 1, 4, [9, 8, 7, 6]);
        Assert.Equal([9, 8, 7], Pnm.Decode(Pnm.Encode(rgba)).Pixels);
    }

    [Fact]
    public void Load_ReadsAFile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"striate-pnm-{Guid.NewGuid():N}.pgm");
        try
        {
            File.WriteAllBytes(path, Binary("P5 1 2 255\n", 7, 9));
            Assert.Equal([7, 9], Pnm.Load(path).Pixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("P7 1 1 255\n", "must start with P2, P3, P5 or P6", 0)]
    [InlineData("P2 1 1", "ends before the header's maxval", 6)]
    [InlineData("P2 x 1 255 0", "width is not a decimal number", 3)]
    [InlineData("P2 0 1 255 0", "empty", -1)]
    [InlineData("P2 1 1 0 0", "maxval 0 is outside 1..65535", -1)]
    [InlineData("P2 1 1 70000 0", "maxval 70000", -1)]
    [InlineData("P2 2 1 255 0", "truncated", -1)]
    [InlineData("P2 1 1 255 300", "sample 0 is 300, above maxval 255", 11)]
    [InlineData("P2 1 1 255 12a", "followed by byte 0x61", 13)]
    [InlineData("P2 1234567890 1 255 0", "too many digits", 3)]
    [InlineData("P5 2 2 255\n\u0001\u0002", "truncated", -1)]
    [InlineData("P5 1 1 255", "whitespace byte after maxval", 10)]
    [InlineData("P2 100000 100000 255 0", "more than the limit", -1)]
    public void Decode_Malformed_ThrowsNamingSourceAndOffset(string text, string message, int offset)
    {
        var e = Assert.Throws<InvalidDataException>(() => Pnm.Decode(Ascii(text), "bad.pgm"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.pgm: invalid PGM/PPM file at byte ", e.Message, StringComparison.Ordinal);
        if (offset >= 0) Assert.Contains($"at byte {offset}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BadArguments_Throw()
    {
        Assert.Equal("maxPixels", Assert.ThrowsAny<ArgumentException>(() => Pnm.Decode(Ascii("P2 1 1 1 0"), maxPixels: 0)).ParamName);
        Assert.Equal("source", Assert.Throws<ArgumentNullException>(() => Pnm.Decode(Ascii("P2 1 1 1 0"), null!)).ParamName);
    }
}
