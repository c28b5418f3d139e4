// PNG decoding. The file is a signature and a sequence of chunks (length, type, data, CRC-32);
// IHDR gives the geometry, PLTE and tRNS the palette and transparency, the concatenated IDAT data
// is one zlib stream of filtered scanlines, IEND closes the file.
//
// Scanlines: each row is a filter byte then ⌈width·bitsPerPixel/8⌉ bytes. With a = the byte bpp
// bytes to the left (0 at the row start), b = the byte above (0 on the first row of a pass),
// c = the byte above-left, the raw byte is recovered as x + predictor mod 256:
//   0 None: 0   1 Sub: a   2 Up: b   3 Average: ⌊(a + b)/2⌋   4 Paeth: whichever of a, b, c is
//   closest to a + b − c (ties: a, then b)
// Adam7 interlacing stores seven reduced images (passes) one after another, each filtered on its own.
//
// Hostile input: the header's size is capped before anything is allocated, and the decompressed
// data is read into a buffer that grows with what the stream really yields (at most the size the
// header implies), so a small file that lies about its size costs no more memory than it holds.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Striate.Imaging;

internal static class PngDecoder
{
    // Adam7 pass origins and steps: (xStart, yStart, xStep, yStep).
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private sealed class Header
    {
        public int Width, Height, BitDepth, ColorType, Interlace;
        public int SamplesPerPixel => ColorType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        public int BitsPerPixel => SamplesPerPixel * BitDepth;
    }

    public static ImageData Decode(ReadOnlySpan<byte> file, string source, long maxPixels)
    {
        if (file.Length < 8 || !file[..8].SequenceEqual(Png.Signature))
            throw Fail(source, "does not start with the PNG signature (89 50 4E 47 0D 0A 1A 0A)", null, 0);

        Header? header = null;
        byte[]? palette = null;       // RGB triples
        byte[]? transparency = null;  // tRNS data as stored
        var idat = new List<(int Offset, int Length)>();
        bool idatClosed = false, ended = false;
        long idatTotal = 0;
        int offset = 8;
        while (!ended)
        {
            if (file.Length - offset < 12)
                throw Fail(source, offset == file.Length ? "ends without an IEND chunk" : $"has a truncated chunk header ({file.Length - offset} byte(s) left, 12 needed)", null, offset);
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file[offset..]);
            var typeBytes = file.Slice(offset + 4, 4);
            string type = TypeName(typeBytes);
            if (!IsLetters(typeBytes))
                throw Fail(source, $"has a chunk whose type is not four ASCII letters ({Convert.ToHexString(typeBytes)})", null, offset);
            if (length > int.MaxValue)
                throw Fail(source, $"claims a length of {length} bytes, above the PNG limit of 2^31 − 1", type, offset);
            if (length > file.Length - offset - 12)
                throw Fail(source, $"is truncated: it claims {length} data bytes but only {Math.Max(0, file.Length - offset - 12)} remain", type, offset);
            var data = file.Slice(offset + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(file[(offset + 8 + (int)length)..]);
            uint actual = PngCrc.Compute(typeBytes, data);
            if (stored != actual)
                throw Fail(source, $"has a CRC mismatch: stored {stored:X8}, computed {actual:X8}", type, offset);

            if (header is null && type != "IHDR")
                throw Fail(source, "comes before IHDR, which must be the first chunk", type, offset);
            if (type != "IDAT" && idat.Count > 0) idatClosed = true;
            switch (type)
            {
                case "IHDR":
                    if (header is not null) throw Fail(source, "is a second IHDR", type, offset);
                    header = ReadHeader(data, source, offset, maxPixels);
                    break;
                case "PLTE":
                    if (palette is not null) throw Fail(source, "is a second PLTE", type, offset);
                    if (idat.Count > 0) throw Fail(source, "comes after the image data (IDAT)", type, offset);
                    if (data.Length == 0 || data.Length % 3 != 0 || data.Length / 3 > 256)
                        throw Fail(source, $"has {data.Length} bytes; a palette holds 1 to 256 RGB triples", type, offset);
                    if (header!.ColorType is 0 or 4) throw Fail(source, "appears in a grey image, which may not have a palette", type, offset);
                    if (header.ColorType == 3 && data.Length / 3 > 1 << header.BitDepth)
                        throw Fail(source, $"has {data.Length / 3} entries, more than a {header.BitDepth}-bit index can reach", type, offset);
                    palette = data.ToArray();
                    break;
                case "tRNS":
                    if (idat.Count > 0) throw Fail(source, "comes after the image data (IDAT)", type, offset);
                    transparency = ReadTransparency(header!, palette, data, source, offset);
                    break;
                case "IDAT":
                    if (idatClosed) throw Fail(source, "is separated from the earlier IDAT chunks; image data must be consecutive", type, offset);
                    if (header!.ColorType == 3 && palette is null) throw Fail(source, "comes before PLTE in a palette image", type, offset);
                    idat.Add((offset + 8, (int)length));
                    idatTotal += length;
                    break;
                case "IEND":
                    ended = true;
                    break;
                default:
                    // Bit 5 of the first letter clear (upper case) marks a critical chunk: a decoder that
                    // does not know it cannot show the image correctly.
                    if ((typeBytes[0] & 0x20) == 0)
                        throw Fail(source, "is an unknown critical chunk", type, offset);
                    break;
            }
            offset += 12 + (int)length;
        }
        if (header is null) throw Fail(source, "has no IHDR chunk", null, offset);
        if (idat.Count == 0) throw Fail(source, "has no image data (IDAT chunk)", "IEND", offset);

        var compressed = new byte[idatTotal];
        int at = 0;
        foreach (var (start, length) in idat)
        {
            file.Slice(start, length).CopyTo(compressed.AsSpan(at));
            at += length;
        }
        long expected = RawSize(header);
        var raw = Inflate(compressed, expected, source, idat[0].Offset - 8);
        return Reconstruct(header, raw, palette, transparency, source, idat[0].Offset - 8);
    }

    private static Header ReadHeader(ReadOnlySpan<byte> data, string source, int offset, long maxPixels)
    {
        if (data.Length != 13) throw Fail(source, $"has {data.Length} bytes; IHDR holds 13", "IHDR", offset);
        uint width = BinaryPrimitives.ReadUInt32BigEndian(data), height = BinaryPrimitives.ReadUInt32BigEndian(data[4..]);
        var h = new Header { BitDepth = data[8], ColorType = data[9], Interlace = data[12] };
        if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            throw Fail(source, $"gives a size of {width}×{height}; both must be between 1 and 2^31 − 1", "IHDR", offset);
        if ((long)width * height > maxPixels)
            throw Fail(source, $"gives a size of {width}×{height} = {(long)width * height} pixels, above the limit of {maxPixels}", "IHDR", offset);
        h.Width = (int)width;
        h.Height = (int)height;
        bool valid = h.ColorType switch
        {
            0 => h.BitDepth is 1 or 2 or 4 or 8 or 16,
            3 => h.BitDepth is 1 or 2 or 4 or 8,
            2 or 4 or 6 => h.BitDepth is 8 or 16,
            _ => false,
        };
        if (!valid)
            throw Fail(source, $"has colour type {h.ColorType} with bit depth {h.BitDepth}, which PNG does not allow (grey 0: 1/2/4/8/16; RGB 2, grey+alpha 4, RGBA 6: 8/16; palette 3: 1/2/4/8)", "IHDR", offset);
        if (data[10] != 0) throw Fail(source, $"has compression method {data[10]}; only 0 (zlib) exists", "IHDR", offset);
        if (data[11] != 0) throw Fail(source, $"has filter method {data[11]}; only 0 exists", "IHDR", offset);
        if (h.Interlace > 1) throw Fail(source, $"has interlace method {h.Interlace}; only 0 (none) and 1 (Adam7) exist", "IHDR", offset);
        return h;
    }

    private static byte[] ReadTransparency(Header h, byte[]? palette, ReadOnlySpan<byte> data, string source, int offset)
    {
        switch (h.ColorType)
        {
            case 0 when data.Length == 2:
            case 2 when data.Length == 6:
                return data.ToArray();
            case 0:
            case 2:
                throw Fail(source, $"has {data.Length} bytes; a {(h.ColorType == 0 ? "grey" : "RGB")} image's tRNS holds {(h.ColorType == 0 ? 2 : 6)}", "tRNS", offset);
            case 3:
                if (palette is null) throw Fail(source, "comes before PLTE", "tRNS", offset);
                if (data.Length > palette.Length / 3)
                    throw Fail(source, $"has {data.Length} alpha values for a palette of {palette.Length / 3} entries", "tRNS", offset);
                return data.ToArray();
            default:
                throw Fail(source, "appears in an image that already has an alpha channel", "tRNS", offset);
        }
    }

    /// <summary>Bytes of filtered scanlines the header implies, over all passes.</summary>
    private static long RawSize(Header h)
    {
        long total = 0;
        foreach (var (w, rows) in Passes(h))
            if (w > 0 && rows > 0) total += (long)rows * (1 + RowBytes(w, h.BitsPerPixel));
        return total;
    }

    private static long RowBytes(long width, int bitsPerPixel) => (width * bitsPerPixel + 7) / 8;

    /// <summary>(width, height) of each pass: one pass when not interlaced, seven for Adam7.</summary>
    private static IEnumerable<(int Width, int Height)> Passes(Header h)
    {
        if (h.Interlace == 0)
        {
            yield return (h.Width, h.Height);
            yield break;
        }
        foreach (var (x0, y0, dx, dy) in Adam7)
            yield return ((int)((h.Width - x0 + (long)dx - 1) / dx), (int)((h.Height - y0 + (long)dy - 1) / dy));
    }

    /// <summary>Decompresses up to <paramref name="expected"/> bytes, growing the buffer only as data really arrives.</summary>
    private static byte[] Inflate(byte[] compressed, long expected, string source, int offset)
    {
        if (expected > Array.MaxLength)
            throw Fail(source, $"implies {expected} bytes of image data, more than this decoder can hold", "IDAT", offset);
        var buffer = new byte[(int)Math.Min(expected, 1 << 16)];
        int filled = 0;
        try
        {
            using var zlib = new ZLibStream(new MemoryStream(compressed, writable: false), CompressionMode.Decompress);
            while (filled < expected)
            {
                if (filled == buffer.Length) Array.Resize(ref buffer, (int)Math.Min(expected, (long)buffer.Length * 2));
                int n = zlib.Read(buffer, filled, buffer.Length - filled);
                if (n == 0) break;
                filled += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw Fail(source, $"holds a corrupt zlib stream after {filled} decompressed bytes ({e.Message})", "IDAT", offset, e);
        }
        if (filled < expected)
            throw Fail(source, $"is truncated: the image data decompresses to {filled} bytes, the header implies {expected}", "IDAT", offset);
        return buffer;
    }

    private static ImageData Reconstruct(Header h, byte[] raw, byte[]? palette, byte[]? trns, string source, int offset)
    {
        int outChannels = h.ColorType switch
        {
            0 => trns is null ? 1 : 2,
            2 => trns is null ? 3 : 4,
            3 => trns is null ? 3 : 4,
            4 => 2,
            _ => 4,
        };
        long count = (long)h.Width * h.Height * outChannels;
        if (count > Array.MaxLength) throw Fail(source, $"is too large to hold: {count} samples", "IHDR", 8);
        var pixels = new byte[count];
        var samples16 = h.BitDepth == 16 ? new ushort[count] : null;
        int bpp = Math.Max(1, h.BitsPerPixel / 8);
        int passIndex = 0, position = 0;
        foreach (var (w, rows) in Passes(h))
        {
            var (x0, y0, dx, dy) = h.Interlace == 0 ? (0, 0, 1, 1) : Adam7[passIndex];
            passIndex++;
            if (w == 0 || rows == 0) continue;
            int rowBytes = (int)RowBytes(w, h.BitsPerPixel);
            for (int r = 0; r < rows; r++)
            {
                int filter = raw[position];
                if (filter > 4)
                    throw Fail(source, $"has an invalid filter type {filter} on row {r}{(h.Interlace == 0 ? "" : $" of Adam7 pass {passIndex}")} (decompressed byte {position}); filters are 0–4", "IDAT", offset);
                var row = raw.AsSpan(position + 1, rowBytes);
                var prior = r == 0 ? default : raw.AsSpan(position - rowBytes, rowBytes);
                Unfilter(filter, row, prior, bpp);
                WriteRow(h, row, w, y0 + r * dy, x0, dx, palette, trns, pixels, samples16, outChannels, source, offset);
                position += 1 + rowBytes;
            }
        }
        return samples16 is null ? new ImageData(h.Width, h.Height, outChannels, pixels) : new ImageData(h.Width, h.Height, outChannels, pixels, samples16);
    }

    /// <summary>Undoes one row's filter in place; <paramref name="prior"/> is the reconstructed row above (empty on a pass's first row).</summary>
    internal static void Unfilter(int filter, Span<byte> row, ReadOnlySpan<byte> prior, int bpp)
    {
        bool hasPrior = !prior.IsEmpty;
        switch (filter)
        {
            case 0:
                break;
            case 1:
                for (int i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                break;
            case 2:
                if (hasPrior) for (int i = 0; i < row.Length; i++) row[i] += prior[i];
                break;
            case 3:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0;
                    row[i] += (byte)((a + b) >> 1);
                }
                break;
            default:
                for (int i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0, c = hasPrior && i >= bpp ? prior[i - bpp] : 0;
                    row[i] += Paeth(a, b, c);
                }
                break;
        }
    }

    internal static byte Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
    }

    /// <summary>Unpacks one reconstructed row of a pass into the output at row <paramref name="y"/>, columns x0, x0 + dx, ….</summary>
    private static void WriteRow(Header h, ReadOnlySpan<byte> row, int w, int y, int x0, int dx, byte[]? palette, byte[]? trns,
        byte[] pixels, ushort[]? samples16, int outChannels, string source, int offset)
    {
        int spp = h.SamplesPerPixel, depth = h.BitDepth, max = (1 << depth) - 1;
        for (int i = 0; i < w; i++)
        {
            long o = ((long)y * h.Width + x0 + (long)i * dx) * outChannels;
            if (h.ColorType == 3)
            {
                int index = Sample(row, i, 0, 1, depth);
                if (index * 3 >= palette!.Length)
                    throw Fail(source, $"uses palette index {index} at row {y}, column {x0 + i * dx}, but the palette has {palette.Length / 3} entries", "IDAT", offset);
                pixels[o] = palette[index * 3];
                pixels[o + 1] = palette[index * 3 + 1];
                pixels[o + 2] = palette[index * 3 + 2];
                if (trns is not null) pixels[o + 3] = index < trns.Length ? trns[index] : (byte)255;
                continue;
            }
            bool keyed = trns is not null;
            for (int s = 0; s < spp; s++)
            {
                int v = Sample(row, i, s, spp, depth);
                if (keyed && v != (trns![2 * s] << 8 | trns[2 * s + 1])) keyed = false;
                Store(pixels, samples16, o + s, v, depth, max);
            }
            if (trns is not null) Store(pixels, samples16, o + spp, keyed ? 0 : max, depth, max);
        }
    }

    private static int Sample(ReadOnlySpan<byte> row, int pixel, int sample, int spp, int depth)
    {
        switch (depth)
        {
            case 16:
                int at = 2 * (pixel * spp + sample);
                return row[at] << 8 | row[at + 1];
            case 8:
                return row[pixel * spp + sample];
            default:
                int bit = pixel * depth; // sub-byte depths have one sample per pixel, packed from the high bits
                return (row[bit >> 3] >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        }
    }

    private static void Store(byte[] pixels, ushort[]? samples16, long at, int v, int depth, int max)
    {
        if (depth == 16)
        {
            samples16![at] = (ushort)v;
            pixels[at] = (byte)((v * 255 + 32767) / 65535);
        }
        else
        {
            pixels[at] = depth == 8 ? (byte)v : (byte)(v * 255 / max);
        }
    }

    private static string TypeName(ReadOnlySpan<byte> type)
    {
        Span<char> chars = stackalloc char[4];
        for (int i = 0; i < 4; i++) chars[i] = type[i] is >= 0x20 and < 0x7F ? (char)type[i] : '?';
        return new string(chars);
    }

    private static bool IsLetters(ReadOnlySpan<byte> type)
    {
        foreach (byte b in type)
            if (b is not ((>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z'))) return false;
        return true;
    }

    private static InvalidDataException Fail(string source, string what, string? chunk, long offset, Exception? inner = null) =>
        new(chunk is null ? $"{source}: the PNG {what} (at byte offset {offset})." : $"{source}: chunk '{chunk}' at byte offset {offset} {what}.", inner);
}
