// PNG (ISO/IEC 15948, W3C PNG 2nd edition) reading and writing with no image library: chunks with
// CRC-32 checks, zlib through System.IO.Compression.ZLibStream, the five scanline filters and
// Adam7 interlacing. The decoder reads every standard colour type and bit depth; the encoder
// writes 8-bit grey, grey+alpha, RGB and RGBA, choosing each row's filter by the minimum sum of
// absolute differences heuristic (the one libpng uses by default).
using System.IO.Compression;

namespace Striate.Imaging;

/// <summary>Reads and writes PNG images.</summary>
public static class Png
{
    /// <summary>
    /// The largest image (width·height) <see cref="Decode"/> accepts unless told otherwise: 2^26 pixels
    /// (8192×8192). A header claiming more is rejected before anything is allocated.
    /// </summary>
    public const long DefaultMaxPixels = 1L << 26;

    /// <summary>
    /// Decodes a PNG file held in memory. Grey images of 1, 2 and 4 bits are scaled to 8 bits
    /// (v·255/(2^d − 1)); palette images become RGB, or RGBA when they carry transparency (tRNS);
    /// grey and RGB images with a tRNS colour key gain an alpha channel (0 where the key matches, full
    /// elsewhere); 16-bit images keep their samples in <see cref="ImageData.Samples16"/>.
    /// </summary>
    /// <param name="data">The whole file.</param>
    /// <param name="source">Name used in error messages (a file name).</param>
    /// <param name="maxPixels">Largest width·height accepted.</param>
    /// <returns>The image: 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA) channels.</returns>
    /// <exception cref="InvalidDataException">
    /// The data is not a valid PNG: bad signature, a CRC mismatch, a truncated chunk or image data, a bad
    /// filter byte, an unsupported colour type/bit depth combination, a missing or misplaced critical
    /// chunk, a palette index outside the palette, an image larger than <paramref name="maxPixels"/>.
    /// The message names <paramref name="source"/>, the chunk and the byte offset.
    /// </exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData Decode(ReadOnlySpan<byte> data, string source = "PNG data", long maxPixels = DefaultMaxPixels)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPixels);
        return PngDecoder.Decode(data, source, maxPixels);
    }

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/> (see <see cref="Decode"/>).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxPixels">Largest width·height accepted.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a valid PNG; the message names the file, chunk and offset.</exception>
    /// <exception cref="IOException">The file could not be read.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPixels"/> is not positive.</exception>
    public static ImageData Load(string path, long maxPixels = DefaultMaxPixels)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Decode(File.ReadAllBytes(path), path, maxPixels);
    }

    /// <summary>
    /// Encodes an image as an 8-bit, non-interlaced PNG (colour type grey, grey+alpha, RGB or RGBA
    /// after <see cref="ImageData.Channels"/>). Each row is filtered with the filter (None, Sub, Up,
    /// Average, Paeth) whose output has the smallest sum of |byte as signed|. A 16-bit image is written
    /// from its 8-bit <see cref="ImageData.Pixels"/>.
    /// </summary>
    /// <param name="image">The image.</param>
    /// <param name="compression">zlib effort.</param>
    /// <returns>The PNG file's bytes.</returns>
    public static byte[] Encode(ImageData image, CompressionLevel compression = CompressionLevel.Optimal)
    {
        ArgumentNullException.ThrowIfNull(image);
        return PngEncoder.Encode(image, compression, PngEncoder.DefaultIdatChunkSize);
    }

    /// <summary>Encodes <paramref name="image"/> (see <see cref="Encode"/>) and writes it to <paramref name="path"/> through a temporary file renamed into place.</summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="image">The image.</param>
    /// <exception cref="IOException">The file could not be written; <paramref name="path"/> is left as it was.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static void Save(string path, ImageData image)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(image);
        var bytes = Encode(image);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Writes a (C, H, W) or (H, W) tensor with values in [0, 1] as an 8-bit PNG (see <see cref="ImageData.FromTensor"/> and <see cref="Save(string, ImageData)"/>).</summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="image">(C, H, W) with C in 1–4, or (H, W); values outside [0, 1] are clipped.</param>
    /// <exception cref="ArgumentException">The tensor is not an image shape or holds NaN.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Save(string path, Tensor image) => Save(path, ImageData.FromTensor(image));

    /// <summary>The 8 bytes every PNG file starts with.</summary>
    internal static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
}

/// <summary>CRC-32 (ISO 3309, polynomial 0xEDB88320 reflected) as PNG chunks use it.</summary>
internal static class PngCrc
{
    private static readonly uint[] Table = BuildTable();

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>Continues a running CRC (start with 0xFFFFFFFF, finish by inverting).</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    /// <summary>The CRC of a chunk: over its 4-byte type and its data.</summary>
    public static uint Compute(ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) => ~Update(Update(0xFFFFFFFFu, type), data);
}
