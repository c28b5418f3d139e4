// Windows bitmaps (BMP), the uncompressed true-colour kinds:
//   file header (14 bytes): "BM", file size u32, two reserved u16, pixel-data offset u32
//   info header: BITMAPINFOHEADER (40 bytes) or its V2/V3/V4/V5 extensions (52, 56, 108, 124 bytes):
//     width i32, height i32 (positive: rows stored bottom-up; negative: top-down), planes u16 = 1,
//     bits per pixel u16 (24 or 32), compression u32 (0 BI_RGB, or 3 BI_BITFIELDS / 6 BI_ALPHABITFIELDS
//     with 32 bits), then sizes and palette counts; BI_BITFIELDS masks follow the 40-byte header or
//     sit inside the longer ones
//   pixels: rows of width·bytes-per-pixel bytes padded to a multiple of 4, samples in B G R (A) order
// 24-bit images decode to RGB. 32-bit BI_RGB images decode to RGB, the fourth byte ignored (Windows
// treats it as unused). 32-bit bit-field images take their channels from the masks, each of which must
// be one whole byte (0xFF shifted by a multiple of 8); a non-zero alpha mask gives RGBA.
// Every failure names the source and the byte offset; sizes are checked against the data and a pixel
// limit before anything is allocated.
using System.Buffers.Binary;

namespace Striate.Imaging;

/// <summary>Reads 24- and 32-bit uncompressed BMP images (bottom-up and top-down) and writes 24-bit ones.</summary>
public static class Bmp
{
    /// <summary>Decodes a BMP file held in memory (formats in the file header).</summary>
    /// <param name="data">The whole file.</param>
    /// <param name="source">Name used in error messages (a file name).</param>
    /// <param name="maxPixels">Largest width·height accepted (<see cref="Png.DefaultMaxPixels"/> by default).</param>
    /// <returns>3 channels (RGB), or 4 (RGBA) for a 32-bit bit-field image with an alpha mask; rows top to bottom.</returns>
    /// <exception cref="InvalidDataException">
    /// Not a BMP file, an unsupported header size, bit depth or compression (palette, RLE, JPEG and PNG bitmaps are not
    /// supported), bad masks, a zero or oversized image, a pixel-data offset outside the file, or truncated rows. The
    /// message names <paramref name="source"/> and the byte offset.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData Decode(ReadOnlySpan<byte> data, string source = "BMP data", long maxPixels = Png.DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        if (data.Length < 18 || data[0] != (byte)'B' || data[1] != (byte)'M') throw Error(source, 0, "not a BMP file: it must start with \"BM\"");
        uint pixelOffset = BinaryPrimitives.ReadUInt32LittleEndian(data[10..]);
        uint headerSize = BinaryPrimitives.ReadUInt32LittleEndian(data[14..]);
        if (headerSize is not (40 or 52 or 56 or 108 or 124))
            throw Error(source, 14, headerSize == 12
                ? "OS/2 BITMAPCOREHEADER bitmaps are not supported (only BITMAPINFOHEADER and its V2–V5 extensions)"
                : $"unknown info-header size {headerSize} (expected 40, 52, 56, 108 or 124)");
        if (data.Length < 14 + headerSize) throw Error(source, data.Length, $"the {headerSize}-byte info header is truncated");
        var info = data.Slice(14, (int)headerSize);
        int width = BinaryPrimitives.ReadInt32LittleEndian(info[4..]);
        int rawHeight = BinaryPrimitives.ReadInt32LittleEndian(info[8..]);
        ushort planes = BinaryPrimitives.ReadUInt16LittleEndian(info[12..]);
        ushort bits = BinaryPrimitives.ReadUInt16LittleEndian(info[14..]);
        uint compression = BinaryPrimitives.ReadUInt32LittleEndian(info[16..]);
        if (planes != 1) throw Error(source, 26, $"the plane count is {planes}, not 1");
        if (bits is not (24 or 32))
            throw Error(source, 28, $"{bits}-bit bitmaps are not supported (only 24- and 32-bit true colour)");
        bool bitfields = compression is 3 or 6;
        if (compression != 0 && !(bitfields && bits == 32))
            throw Error(source, 30, compression switch
            {
                1 or 2 => "RLE-compressed bitmaps are not supported",
                4 or 5 => "JPEG and PNG bitmaps are not supported",
                3 or 6 => "bit-field compression is only supported for 32-bit bitmaps",
                _ => $"unknown compression {compression}",
            });
        if (width < 1 || rawHeight == 0 || rawHeight == int.MinValue) throw Error(source, 18, $"the image size {width}×{rawHeight} is empty or invalid");
        bool topDown = rawHeight < 0;
        int height = Math.Abs(rawHeight);
        if ((long)width * height > maxPixels) throw Error(source, 18, $"the image is {width}×{height} pixels, more than the limit of {maxPixels}");

        // Channel byte positions within a pixel: B G R for BI_RGB; from the masks for bit fields.
        int red = 2, green = 1, blue = 0, alpha = -1;
        if (bitfields)
        {
            ReadOnlySpan<byte> masks;
            if (headerSize >= 52) masks = info.Slice(40, headerSize >= 56 ? 16 : 12);
            else
            {
                int need = compression == 6 ? 16 : 12;
                if (data.Length < 14 + 40 + need) throw Error(source, data.Length, "the bit-field masks after the info header are truncated");
                masks = data.Slice(14 + 40, need);
            }
            red = MaskByte(BinaryPrimitives.ReadUInt32LittleEndian(masks), source, 54, "red");
            green = MaskByte(BinaryPrimitives.ReadUInt32LittleEndian(masks[4..]), source, 58, "green");
            blue = MaskByte(BinaryPrimitives.ReadUInt32LittleEndian(masks[8..]), source, 62, "blue");
            uint alphaMask = masks.Length >= 16 ? BinaryPrimitives.ReadUInt32LittleEndian(masks[12..]) : 0;
            alpha = alphaMask == 0 ? -1 : MaskByte(alphaMask, source, 66, "alpha");
        }

        int bytesPerPixel = bits / 8;
        long stride = ((long)width * bytesPerPixel + 3) / 4 * 4;
        long needed = stride * (height - 1) + (long)width * bytesPerPixel;
        if (pixelOffset < 14 + headerSize || pixelOffset > data.Length)
            throw Error(source, 10, $"the pixel-data offset {pixelOffset} lies outside the file ({data.Length} bytes) or inside its headers");
        if (data.Length - pixelOffset < needed)
            throw Error(source, data.Length, $"the pixel rows are truncated: {width}×{height} at {bits} bits need {needed} bytes from offset {pixelOffset}, {data.Length - pixelOffset} remain");

        int channels = alpha >= 0 ? 4 : 3;
        var pixels = new byte[(long)width * height * channels];
        for (int y = 0; y < height; y++)
        {
            int stored = topDown ? y : height - 1 - y;
            var row = data.Slice((int)(pixelOffset + stored * stride), width * bytesPerPixel);
            var dst = pixels.AsSpan(y * width * channels, width * channels);
            for (int x = 0; x < width; x++)
            {
                var p = row.Slice(x * bytesPerPixel, bytesPerPixel);
                dst[x * channels] = p[red];
                dst[x * channels + 1] = p[green];
                dst[x * channels + 2] = p[blue];
                if (alpha >= 0) dst[x * channels + 3] = p[alpha];
            }
        }
        return new ImageData(width, height, channels, pixels);
    }

    /// <summary>Reads and decodes the BMP file at <paramref name="path"/> (see <see cref="Decode"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxPixels">Largest width·height accepted.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a supported BMP; the message names the file and offset.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData Load(string path, long maxPixels = Png.DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Decode(File.ReadAllBytes(path), path, maxPixels);
    }

    /// <summary>
    /// Encodes an image as a 24-bit bottom-up BMP with a BITMAPINFOHEADER. Grey images are written as RGB with equal
    /// samples; alpha channels are dropped.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="topDown">Store rows top to bottom (negative height) instead of the usual bottom-up order.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    public static byte[] Encode(ImageData image, bool topDown = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        int w = image.Width, h = image.Height, stride = (w * 3 + 3) / 4 * 4;
        var bytes = new byte[54 + (long)stride * h];
        bytes[0] = (byte)'B';
        bytes[1] = (byte)'M';
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(2), (uint)bytes.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), w);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), topDown ? -h : h);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(34), (uint)(stride * h));
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(38), 2835); // 72 dpi
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(42), 2835);
        int c = image.Channels;
        for (int y = 0; y < h; y++)
        {
            int stored = topDown ? y : h - 1 - y;
            var row = bytes.AsSpan(54 + stored * stride, w * 3);
            for (int x = 0; x < w; x++)
            {
                int s = (y * w + x) * c;
                byte r = image.Pixels[s], g = c >= 3 ? image.Pixels[s + 1] : r, b = c >= 3 ? image.Pixels[s + 2] : r;
                row[x * 3] = b;
                row[x * 3 + 1] = g;
                row[x * 3 + 2] = r;
            }
        }
        return bytes;
    }

    /// <summary>The byte index of a channel whose mask is 0xFF shifted by a multiple of 8.</summary>
    private static int MaskByte(uint mask, string source, long offset, string channel)
    {
        for (int k = 0; k < 4; k++)
            if (mask == 0xFFu << (8 * k)) return k;
        throw Error(source, offset, $"the {channel} bit-field mask 0x{mask:X8} is not one whole byte (only 8-bit channels are supported)");
    }

    private static InvalidDataException Error(string source, long offset, string what) =>
        new($"{source}: invalid BMP file at byte {offset}: {what}.");
}
