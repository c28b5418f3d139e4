// PNG encoding: 8-bit grey (colour type 0), grey+alpha (4), RGB (2) or RGBA (6), not interlaced.
// Each row is filtered (None, Sub, Up, Average, Paeth; see PngDecoder for the predictors) with
// the filter whose output bytes, read as signed, have the smallest sum of absolute values: small
// residuals compress well, and this is the heuristic libpng applies by default.
using System.Buffers.Binary;
using System.IO.Compression;

namespace Striate.Imaging;

internal static class PngEncoder
{
    /// <summary>Largest IDAT chunk written; the image data is split across several beyond it.</summary>
    public const int DefaultIdatChunkSize = 1 << 20;

    public static byte[] Encode(ImageData image, CompressionLevel compression, int idatChunkSize)
    {
        int colorType = image.Channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        int bpp = image.Channels, rowBytes = image.Width * bpp;
        var filtered = new byte[(long)image.Height * (rowBytes + 1)];
        var candidate = new byte[rowBytes];
        var best = new byte[rowBytes];
        var pixels = image.Pixels;
        for (int y = 0; y < image.Height; y++)
        {
            var row = pixels.AsSpan(y * rowBytes, rowBytes);
            var prior = y == 0 ? default : pixels.AsSpan((y - 1) * rowBytes, rowBytes);
            long bestScore = long.MaxValue;
            int bestFilter = 0;
            for (int f = 0; f < 5; f++)
            {
                long score = Filter(f, row, prior, bpp, candidate);
                if (score < bestScore)
                {
                    bestScore = score;
                    bestFilter = f;
                    candidate.CopyTo(best, 0);
                }
            }
            long at = (long)y * (rowBytes + 1);
            filtered[at] = (byte)bestFilter;
            best.CopyTo(filtered.AsSpan((int)at + 1));
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, compression, leaveOpen: true)) zlib.Write(filtered);
        var idat = compressed.GetBuffer().AsSpan(0, (int)compressed.Length);

        var file = new MemoryStream();
        file.Write(Png.Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, image.Width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], image.Height);
        header[8] = 8;
        header[9] = (byte)colorType;
        header[10] = header[11] = header[12] = 0;
        WriteChunk(file, "IHDR"u8, header);
        for (int start = 0; start < idat.Length || start == 0; start += idatChunkSize)
            WriteChunk(file, "IDAT"u8, idat.Slice(start, Math.Min(idatChunkSize, idat.Length - start)));
        WriteChunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    /// <summary>Filters <paramref name="row"/> with filter <paramref name="filter"/> into <paramref name="output"/>; returns Σ|output as signed byte|.</summary>
    internal static long Filter(int filter, ReadOnlySpan<byte> row, ReadOnlySpan<byte> prior, int bpp, Span<byte> output)
    {
        long score = 0;
        bool hasPrior = !prior.IsEmpty;
        for (int i = 0; i < row.Length; i++)
        {
            int a = i >= bpp ? row[i - bpp] : 0, b = hasPrior ? prior[i] : 0, c = hasPrior && i >= bpp ? prior[i - bpp] : 0;
            int predictor = filter switch
            {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) >> 1,
                _ => PngDecoder.Paeth(a, b, c),
            };
            byte v = (byte)(row[i] - predictor);
            output[i] = v;
            score += Math.Abs((int)(sbyte)v);
        }
        return score;
    }

    private static void WriteChunk(Stream stream, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        stream.Write(word);
        stream.Write(type);
        stream.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc.Compute(type, data));
        stream.Write(word);
    }
}
