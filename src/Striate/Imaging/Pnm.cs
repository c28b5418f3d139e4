// Netpbm images (PGM and PPM, netpbm.sourceforge.net/doc/pgm.html and ppm.html):
//   header: magic P2 | P3 | P5 | P6, then width, height and maxval as ASCII decimals separated by
//           whitespace, with '#' comments running to the end of a line; P5/P6 have exactly one
//           whitespace byte between maxval and the raster
//   raster: rows top to bottom, samples grey (P2, P5) or R G B (P3, P6); P2/P3 as ASCII decimals,
//           P5/P6 as bytes when maxval < 256, else as big-endian 16-bit words
//   samples are 0..maxval (1 ≤ maxval ≤ 65535) and become 8-bit as round(v·255/maxval); when maxval
//   exceeds 255 the full-precision samples round(v·65535/maxval) are kept in ImageData.Samples16
// Every failure names the source and the byte offset; the pixel count is checked against a limit
// before anything is allocated, so a header cannot make the decoder allocate what it merely claims.
using System.Globalization;
using System.Text;

namespace Striate.Imaging;

/// <summary>Reads PGM/PPM images (P2, P3, P5, P6) and writes binary ones (P5, P6).</summary>
public static class Pnm
{
    /// <summary>
    /// Decodes a PGM or PPM file held in memory.
    /// </summary>
    /// <param name="data">The whole file.</param>
    /// <param name="source">Name used in error messages (a file name).</param>
    /// <param name="maxPixels">Largest width·height accepted (<see cref="Png.DefaultMaxPixels"/> by default).</param>
    /// <returns>1 channel for P2/P5, 3 for P3/P6; 8-bit samples, plus <see cref="ImageData.Samples16"/> when maxval &gt; 255.</returns>
    /// <exception cref="InvalidDataException">
    /// Not a P2/P3/P5/P6 file, a malformed or missing header field, a zero size or maxval outside 1..65535, an image larger
    /// than <paramref name="maxPixels"/>, a sample above maxval, a non-numeric ASCII sample, or a truncated raster.
    /// The message names <paramref name="source"/> and the byte offset.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData Decode(ReadOnlySpan<byte> data, string source = "PNM data", long maxPixels = Png.DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        if (data.Length < 2 || data[0] != (byte)'P' || data[1] is not ((byte)'2' or (byte)'3' or (byte)'5' or (byte)'6'))
            throw Error(source, 0, "not a PGM/PPM file: it must start with P2, P3, P5 or P6");
        char kind = (char)data[1];
        int channels = kind is '2' or '5' ? 1 : 3;
        bool ascii = kind is '2' or '3';
        int pos = 2;
        int width = ReadHeaderNumber(data, ref pos, source, "width");
        int height = ReadHeaderNumber(data, ref pos, source, "height");
        int maxval = ReadHeaderNumber(data, ref pos, source, "maxval");
        if (width < 1 || height < 1) throw Error(source, pos, $"the image size {width}×{height} is empty");
        if (maxval < 1 || maxval > 65535) throw Error(source, pos, $"maxval {maxval} is outside 1..65535");
        if ((long)width * height > maxPixels) throw Error(source, pos, $"the image is {width}×{height} pixels, more than the limit of {maxPixels}");
        long samples = (long)width * height * channels;
        if (samples > Array.MaxLength) throw Error(source, pos, $"the image of {width}×{height}×{channels} samples does not fit in memory");
        bool wide = maxval > 255;

        if (!ascii)
        {
            // Exactly one whitespace byte separates maxval from the raster.
            if (pos >= data.Length || !IsSpace(data[pos])) throw Error(source, pos, "expected one whitespace byte after maxval");
            pos++;
            long needed = samples * (wide ? 2 : 1);
            if (data.Length - pos < needed)
                throw Error(source, data.Length, $"the raster is truncated: {width}×{height}×{channels} samples need {needed} bytes, {data.Length - pos} remain");
        }
        else if (data.Length - pos < samples)
        {
            // Each ASCII sample takes at least one digit and one separator; reject early before allocating.
            throw Error(source, data.Length, $"the raster is truncated: {samples} ASCII samples cannot fit in the {data.Length - pos} bytes left");
        }

        var pixels = new byte[samples];
        ushort[]? samples16 = wide ? new ushort[samples] : null;
        for (long i = 0; i < samples; i++)
        {
            int offset = pos;
            int v;
            if (ascii) v = ReadRasterNumber(data, ref pos, source, i, out offset);
            else if (wide) { v = data[pos] << 8 | data[pos + 1]; pos += 2; }
            else v = data[pos++];
            if (v > maxval) throw Error(source, offset, $"sample {i} is {v}, above maxval {maxval}");
            pixels[i] = (byte)((v * 255L * 2 + maxval) / (2L * maxval));
            if (samples16 is not null) samples16[i] = (ushort)((v * 65535L * 2 + maxval) / (2L * maxval));
        }
        return samples16 is null ? new ImageData(width, height, channels, pixels) : new ImageData(width, height, channels, pixels, samples16);
    }

    /// <summary>Reads and decodes the PGM/PPM file at <paramref name="path"/> (see <see cref="Decode"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxPixels">Largest width·height accepted.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid PGM/PPM; the message names the file and offset.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData Load(string path, long maxPixels = Png.DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Decode(File.ReadAllBytes(path), path, maxPixels);
    }

    /// <summary>
    /// Encodes an 8-bit grey (P5) or RGB (P6) image with maxval 255. Grey+alpha and RGBA images lose their alpha channel.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <returns>The file's bytes: the header <c>P5|P6\n{width} {height}\n255\n</c> and the raster.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    public static byte[] Encode(ImageData image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int channels = image.Channels >= 3 ? 3 : 1;
        byte[] header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P{(channels == 1 ? 5 : 6)}\n{image.Width} {image.Height}\n255\n"));
        int plane = image.Width * image.Height;
        var bytes = new byte[header.Length + plane * channels];
        header.CopyTo(bytes, 0);
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < channels; c++)
                bytes[header.Length + i * channels + c] = image.Pixels[i * image.Channels + c];
        return bytes;
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0B or 0x0C;

    /// <summary>Skips whitespace and comments, then reads an unsigned decimal of at most 9 digits.</summary>
    private static int ReadHeaderNumber(ReadOnlySpan<byte> data, ref int pos, string source, string field)
    {
        while (pos < data.Length)
        {
            if (IsSpace(data[pos])) pos++;
            else if (data[pos] == (byte)'#') { while (pos < data.Length && data[pos] != (byte)'\n' && data[pos] != (byte)'\r') pos++; }
            else break;
        }
        return ReadDigits(data, ref pos, source, $"the header's {field}");
    }

    private static int ReadRasterNumber(ReadOnlySpan<byte> data, ref int pos, string source, long index, out int start)
    {
        while (pos < data.Length && IsSpace(data[pos])) pos++;
        start = pos;
        if (pos >= data.Length) throw Error(source, pos, $"the raster is truncated: sample {index} is missing");
        return ReadDigits(data, ref pos, source, $"sample {index}");
    }

    private static int ReadDigits(ReadOnlySpan<byte> data, ref int pos, string source, string what)
    {
        int start = pos;
        if (pos >= data.Length) throw Error(source, pos, $"the file ends before {what}");
        long value = 0;
        while (pos < data.Length && data[pos] >= (byte)'0' && data[pos] <= (byte)'9')
        {
            value = value * 10 + (data[pos] - '0');
            if (pos - start >= 9) throw Error(source, start, $"{what} has too many digits");
            pos++;
        }
        if (pos == start) throw Error(source, start, $"{what} is not a decimal number (found byte 0x{data[pos]:X2})");
        if (pos < data.Length && !IsSpace(data[pos]) && data[pos] != (byte)'#')
            throw Error(source, pos, $"{what} is followed by byte 0x{data[pos]:X2} instead of whitespace");
        return (int)value;
    }

    private static InvalidDataException Error(string source, long offset, string what) =>
        new($"{source}: invalid PGM/PPM file at byte {offset}: {what}.");
}
