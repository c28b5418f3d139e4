// BMP decoding of 24- and 32-bit uncompressed bitmaps, bottom-up and top-down, with row padding,
// BI_BITFIELDS masks (with and without alpha), the V4/V5 headers, round trips through the encoder,
// and clear errors for every unsupported or malformed file.
using System.Buffers.Binary;
using Striate.Imaging;

namespace Striate.Tests.Imaging;

public class BmpTests
{
    /// <summary>A bitmap built by hand: headers, then rows as given (already in storage order and padded).</summary>
    private static byte[] Make(int width, int height, int bits, uint compression, byte[] rows, int headerSize = 40, uint[]? masks = null)
    {
        int masksAfter = headerSize == 40 && masks is not null ? masks.Length * 4 : 0;
        int offset = 14 + headerSize + masksAfter;
        var bytes = new byte[offset + rows.Length];
        bytes[0] = (byte)'B'; bytes[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), (uint)bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10), (uint)offset);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(14), (uint)headerSize);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), (ushort)bits);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(30), compression);
        if (masks is not null)
        {
            int at = headerSize == 40 ? 54 : 54;
            for (int k = 0; k < masks.Length; k++) BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at + 4 * k), masks[k]);
        }
        rows.CopyTo(bytes, offset);
        return bytes;
    }

    [Fact]
    public void Bmp24_BottomUp_WithPadding_DecodesTopRowFirst()
    {
        // 2×2, rows of 6 bytes padded to 8; stored bottom row first; pixels in B G R order.
        byte[] rows =
        [
            30, 20, 10, 60, 50, 40, 0, 0,      // bottom row: (10,20,30) (40,50,60)
            3, 2, 1, 6, 5, 4, 0, 0,            // top row:    (1,2,3) (4,5,6)
        ];
        var image = Bmp.Decode(Make(2, 2, 24, 0, rows));
        Assert.Equal((2, 2, 3), (image.Width, image.Height, image.Channels));
        Assert.Equal([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60], image.Pixels);
    }

    [Fact]
    public void Bmp24_TopDown_KeepsStoredOrder()
    {
        byte[] rows = [3, 2, 1, 0, 6, 5, 4, 0];
        var image = Bmp.Decode(Make(1, -2, 24, 0, rows));
        Assert.Equal([1, 2, 3, 4, 5, 6], image.Pixels);
    }

    [Fact]
    public void Bmp32_Rgb_IgnoresTheFourthByte()
    {
        byte[] rows = [3, 2, 1, 99, 6, 5, 4, 0];
        var image = Bmp.Decode(Make(2, 1, 32, 0, rows));
        Assert.Equal(3, image.Channels);
        Assert.Equal([1, 2, 3, 4, 5, 6], image.Pixels);
    }

    [Fact]
    public void Bmp32_BitFieldsWithAlpha_V4Header_GivesRgba()
    {
        // Masks R 0x00FF0000, G 0x0000FF00, B 0x000000FF, A 0xFF000000 inside a 108-byte header.
        byte[] rows = [3, 2, 1, 128];
        var image = Bmp.Decode(Make(1, 1, 32, 3, rows, headerSize: 108, masks: [0x00FF0000, 0x0000FF00, 0x000000FF, 0xFF000000]));
        Assert.Equal(4, image.Channels);
        Assert.Equal([1, 2, 3, 128], image.Pixels);
    }

    [Fact]
    public void Bmp32_BitFieldsAfterInfoHeader_UnusualChannelOrder()
    {
        // R in the lowest byte, B in the third: bytes (r, g, b, x).
        byte[] rows = [7, 8, 9, 0];
        var image = Bmp.Decode(Make(1, 1, 32, 3, rows, masks: [0x000000FF, 0x0000FF00, 0x00FF0000]));
        Assert.Equal([7, 8, 9], image.Pixels);
    }

    [Fact]
    public void Encode_RoundTripsBothRowOrders()
    {
        var rgb = new ImageData(3, 2, 3, [.. Enumerable.Range(1, 18).Select(v => (byte)(v * 13))]);
        foreach (bool topDown in new[] { false, true })
        {
            var back = Bmp.Decode(Bmp.Encode(rgb, topDown));
            Assert.Equal((3, 2, 3), (back.Width, back.Height, back.Channels));
            Assert.Equal(rgb.Pixels, back.Pixels);
        }
        var grey = Bmp.Decode(Bmp.Encode(new ImageData(1, 1, 1, [77])));
        Assert.Equal([77, 77, 77], grey.Pixels);
    }

    [Fact]
    public void Decode_Malformed_ThrowsNamingSourceAndOffset()
    {
        byte[] good = Make(2, 2, 24, 0, new byte[16]);
        Check([.. good.Take(10)], "must start with \"BM\"");
        Check(Patch(good, 0, (byte)'X'), "must start with \"BM\"");
        Check(Patch32(good, 14, 12), "OS/2 BITMAPCOREHEADER");
        Check(Patch32(good, 14, 64), "unknown info-header size 64");
        Check(Patch16(good, 28, 8), "8-bit bitmaps are not supported");
        Check(Patch16(good, 28, 16), "16-bit bitmaps are not supported");
        Check(Patch32(good, 30, 1), "RLE-compressed");
        Check(Patch32(good, 30, 4), "JPEG and PNG");
        Check(Patch32(good, 30, 3), "bit-field compression is only supported for 32-bit");
        Check(Patch32(good, 18, 0), "empty or invalid");
        Check(Patch16(good, 26, 2), "plane count is 2");
        Check([.. good.Take(good.Length - 3)], "pixel rows are truncated"); // the last row needs 6 of its 8 bytes
        Check(Patch32(good, 10, 5000), "pixel-data offset 5000 lies outside the file");
        Check(Patch32(Patch32(good, 18, 100000), 22, 100000), "more than the limit");
        Check(Make(1, 1, 32, 3, [0, 0, 0, 0], masks: [0x00FF0000, 0x0000FF00, 0x0000000F]), "blue bit-field mask 0x0000000F");
    }

    private static void Check(byte[] data, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Bmp.Decode(data, "bad.bmp"));
        Assert.StartsWith("bad.bmp: invalid BMP file at byte ", e.Message, StringComparison.Ordinal);
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    private static byte[] Patch(byte[] data, int at, byte value)
    {
        var copy = (byte[])data.Clone();
        copy[at] = value;
        return copy;
    }

    private static byte[] Patch16(byte[] data, int at, ushort value)
    {
        var copy = (byte[])data.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(at), value);
        return copy;
    }

    private static byte[] Patch32(byte[] data, int at, uint value)
    {
        var copy = (byte[])data.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(at), value);
        return copy;
    }
}
