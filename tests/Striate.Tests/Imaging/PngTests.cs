// Round trips through the encoder, the filter heuristic, corrupt and hostile files, and a fuzz test.
using System.Buffers.Binary;
using System.IO.Compression;
using Striate.Imaging;

namespace Striate.Tests.Imaging;

public sealed class PngTests
{
    private static ImageData RandomImage(int width, int height, int channels, int seed, bool smooth = false)
    {
        var rng = new Random(seed);
        var pixels = new byte[width * height * channels];
        for (int i = 0; i < pixels.Length; i++)
            pixels[i] = smooth ? (byte)((i / channels % width) * 3 + (i / channels / width) * 2 + i % channels) : (byte)rng.Next(256);
        return new ImageData(width, height, channels, pixels);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(17, 5, 1)]
    [InlineData(9, 13, 2)]
    [InlineData(31, 7, 3)]
    [InlineData(8, 8, 4)]
    [InlineData(300, 2, 3)]
    public void EncodeDecode_RandomImage_RoundTripsExactly(int width, int height, int channels)
    {
        foreach (bool smooth in new[] { false, true })
        {
            var image = RandomImage(width, height, channels, seed: width * 31 + channels, smooth);
            var decoded = Png.Decode(Png.Encode(image));
            Assert.Equal((width, height, channels), (decoded.Width, decoded.Height, decoded.Channels));
            Assert.Equal(image.Pixels, decoded.Pixels);
        }
    }

    [Fact]
    public void Encode_ManyIdatChunks_DecodesTheConcatenation()
    {
        var image = RandomImage(40, 30, 3, seed: 4);
        var bytes = PngEncoder.Encode(image, CompressionLevel.Fastest, idatChunkSize: 97);
        Assert.True(CountChunks(bytes, "IDAT") > 10);
        Assert.Equal(image.Pixels, Png.Decode(bytes).Pixels);
    }

    [Fact]
    public void Encode_SmoothGradient_ChoosesPredictingFiltersAndCompressesBetterThanNone()
    {
        // A horizontal ramp: Sub predicts it exactly, so every row but none should use a predicting filter.
        var pixels = new byte[64 * 16];
        for (int y = 0; y < 16; y++)
            for (int x = 0; x < 64; x++) pixels[y * 64 + x] = (byte)(x * 4 + y);
        var bytes = Png.Encode(new ImageData(64, 16, 1, pixels));
        var raw = Inflate(bytes);
        for (int y = 0; y < 16; y++)
            Assert.NotEqual(0, raw[y * 65]);
        Assert.Equal(pixels, Png.Decode(bytes).Pixels);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Filter_EachType_IsUndoneByUnfilter(int filter)
    {
        var rng = new Random(filter);
        var prior = new byte[23];
        var row = new byte[23];
        rng.NextBytes(prior);
        rng.NextBytes(row);
        var filtered = new byte[23];
        PngEncoder.Filter(filter, row, prior, 3, filtered);
        PngDecoder.Unfilter(filter, filtered, prior, 3);
        Assert.Equal(row, filtered);
    }

    [Fact]
    public void Paeth_PicksNearestOfLeftAboveAboveLeft_WithSpecTieBreaks()
    {
        Assert.Equal(10, PngDecoder.Paeth(10, 20, 20));  // p = 10: a exact
        Assert.Equal(20, PngDecoder.Paeth(10, 20, 10));  // p = 20: b exact
        Assert.Equal(20, PngDecoder.Paeth(10, 30, 20));  // p = 20: c exact
        Assert.Equal(7, PngDecoder.Paeth(7, 7, 7));      // all tie: a
    }

    [Fact]
    public void SaveLoad_File_RoundTripsAndLeavesNoTemporaryFile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "striate-png-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var image = RandomImage(12, 9, 3, seed: 7);
            string path = Path.Combine(dir, "a.png");
            Png.Save(path, image);
            Assert.Equal(image.Pixels, Png.Load(path).Pixels);
            Assert.Single(Directory.GetFiles(dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    // ---- Corrupt and hostile input: clear InvalidDataException naming file, chunk and offset ----

    private static byte[] ValidFile() => Png.Encode(RandomImage(10, 6, 3, seed: 3));

    [Fact]
    public void Decode_BadSignature_NamesTheSignatureAndSource()
    {
        var bytes = ValidFile();
        bytes[1] = (byte)'J';
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes, "cat.png"));
        Assert.Contains("cat.png", e.Message, StringComparison.Ordinal);
        Assert.Contains("signature", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_CrcMismatch_NamesChunkAndOffset()
    {
        var bytes = ValidFile();
        bytes[8 + 8 + 2] ^= 0x40; // a byte of IHDR's data
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes, "x.png"));
        Assert.Contains("'IHDR'", e.Message, StringComparison.Ordinal);
        Assert.Contains("offset 8", e.Message, StringComparison.Ordinal);
        Assert.Contains("CRC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedInsideIdat_SaysTruncated()
    {
        var bytes = ValidFile();
        int idat = FindChunk(bytes, "IDAT");
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes.AsSpan(0, idat + 20).ToArray(), "t.png"));
        Assert.Contains("'IDAT'", e.Message, StringComparison.Ordinal);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {idat}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_ImageDataShorterThanHeaderImplies_SaysTruncatedImageData()
    {
        var raw = new byte[3 * (1 + 4)]; // 3 rows of a 4-pixel grey image, but the header says 5 rows
        var bytes = BuildPng(4, 5, 8, 0, 0, Compress(raw));
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes, "short.png"));
        Assert.Contains("decompresses to 15 bytes", e.Message, StringComparison.Ordinal);
        Assert.Contains("25", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_BadFilterByte_NamesRowAndFilter()
    {
        var raw = new byte[3 * (1 + 4)];
        raw[5] = 9; // row 1's filter byte
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(BuildPng(4, 3, 8, 0, 0, Compress(raw)), "f.png"));
        Assert.Contains("invalid filter type 9 on row 1", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(2, 4)]
    [InlineData(3, 16)]
    [InlineData(4, 1)]
    [InlineData(6, 2)]
    [InlineData(5, 8)]
    public void Decode_UnsupportedColourTypeAndDepth_NamesBoth(int colorType, int depth)
    {
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(BuildPng(2, 2, depth, colorType, 0, Compress(new byte[20])), "c.png"));
        Assert.Contains($"colour type {colorType} with bit depth {depth}", e.Message, StringComparison.Ordinal);
        Assert.Contains("'IHDR'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_LyingHugeHeader_RejectedBeforeAllocating()
    {
        var bytes = BuildPng(1_000_000, 1_000_000, 8, 6, 0, Compress(new byte[10]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes, "huge.png"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "a lying header must not cause a large allocation");
        Assert.Contains("1000000×1000000", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_HeaderWithinLimitButTinyData_AllocatesOnlyWhatTheDataHolds()
    {
        // 8000×8000 RGBA is under the pixel cap (256 MB of samples) but the file holds a few bytes.
        var bytes = BuildPng(8000, 8000, 8, 6, 0, Compress(new byte[100]));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<InvalidDataException>(() => Png.Decode(bytes, "liar.png"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 << 20);
    }

    [Fact]
    public void Decode_PaletteIndexOutsidePalette_NamesIndexAndPosition()
    {
        var raw = new byte[] { 0, 0, 1, 5 };  // one row of 3 pixels, index 5 at column 2
        var bytes = BuildPng(3, 1, 8, 3, 0, Compress(raw), ("PLTE", new byte[] { 1, 2, 3, 4, 5, 6 }));
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes, "p.png"));
        Assert.Contains("palette index 5 at row 0, column 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_MissingIend_SaysSo()
    {
        var bytes = ValidFile();
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(bytes.AsSpan(0, bytes.Length - 12).ToArray(), "n.png"));
        Assert.Contains("without an IEND", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_CorruptZlibStream_NamesIdat()
    {
        var compressed = Compress(new byte[4 * 5]);
        compressed[0] = 0x77; // not a zlib header
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(BuildPng(4, 4, 8, 0, 0, compressed), "z.png"));
        Assert.Contains("'IDAT'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnknownCriticalChunk_Rejected_UnknownAncillaryChunk_Skipped()
    {
        var raw = new byte[2 * (1 + 2)];
        var withAncillary = BuildPng(2, 2, 8, 0, 0, Compress(raw), ("tEXt", "Comment\0hi"u8.ToArray()));
        Assert.Equal(4, Png.Decode(withAncillary).Pixels.Length);
        var withCritical = BuildPng(2, 2, 8, 0, 0, Compress(raw), ("ZZZZ", new byte[1]));
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(withCritical, "k.png"));
        Assert.Contains("'ZZZZ'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => Png.Load(Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".png")));
    }

    [Fact]
    public void Decode_MaxPixelsNotPositive_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Png.Decode(ValidFile(), maxPixels: 0));
        Assert.Equal("maxPixels", e.ParamName);
    }

    [Fact]
    public void Fuzz_MutatedFiles_OnlyInvalidDataExceptionsOrValidImages()
    {
        // Several seeds of differing layout: RGBA, palette with tRNS, interlaced 16-bit.
        var fixtures = Path.Combine(AppContext.BaseDirectory, "Fixtures", "png");
        var seeds = new[]
        {
            ValidFile(),
            File.ReadAllBytes(Path.Combine(fixtures, "pil_P8_alpha.png")),
            File.ReadAllBytes(Path.Combine(fixtures, "hand_ct6_d16_adam7.png")),
            File.ReadAllBytes(Path.Combine(fixtures, "hand_ct0_d2_adam7.png")),
        };
        var rng = new Random(12345);
        int decoded = 0, rejected = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            var bytes = (byte[])seeds[trial % seeds.Length].Clone();
            int kind = rng.Next(4);
            if (kind == 0) // flip a few random bytes
                for (int k = rng.Next(1, 4); k > 0; k--) bytes[rng.Next(bytes.Length)] ^= (byte)rng.Next(1, 256);
            else if (kind == 1) // truncate
                bytes = bytes.AsSpan(0, rng.Next(bytes.Length)).ToArray();
            else // change a byte and fix the chunk CRCs, so the damage reaches the deeper checks
            {
                bytes[rng.Next(8, bytes.Length)] = (byte)rng.Next(256);
                FixCrcs(bytes);
            }
            try
            {
                var image = Png.Decode(bytes, "fuzz.png");
                Assert.Equal((long)image.Width * image.Height * image.Channels, image.Pixels.Length);
                decoded++;
            }
            catch (InvalidDataException e)
            {
                Assert.Contains("fuzz.png", e.Message, StringComparison.Ordinal);
                rejected++;
            }
        }
        Assert.Equal(400, decoded + rejected);
        Assert.True(rejected > 100, $"only {rejected} of 400 mutated files were rejected");
    }

    // ---- helpers: build PNG files chunk by chunk ----

    internal static byte[] Compress(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw);
        return ms.ToArray();
    }

    private static byte[] Inflate(byte[] png)
    {
        var ms = new MemoryStream();
        int at = 8;
        while (at < png.Length)
        {
            int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
            if (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) == "IDAT") ms.Write(png, at + 8, length);
            at += 12 + length;
        }
        ms.Position = 0;
        using var z = new ZLibStream(ms, CompressionMode.Decompress);
        var output = new MemoryStream();
        z.CopyTo(output);
        return output.ToArray();
    }

    internal static byte[] BuildPng(int width, int height, int depth, int colorType, int interlace, byte[] idat, params (string Type, byte[] Data)[] before)
    {
        var ms = new MemoryStream();
        ms.Write(Png.Signature);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)depth;
        ihdr[9] = (byte)colorType;
        ihdr[12] = (byte)interlace;
        WriteChunk(ms, "IHDR", ihdr);
        foreach (var (type, data) in before) WriteChunk(ms, type, data);
        WriteChunk(ms, "IDAT", idat);
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        var word = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        s.Write(word);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(word, PngCrc.Compute(typeBytes, data));
        s.Write(word);
    }

    private static void FixCrcs(byte[] bytes)
    {
        int at = 8;
        while (at + 12 <= bytes.Length)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at));
            if (length > bytes.Length - at - 12) return;
            uint crc = PngCrc.Compute(bytes.AsSpan(at + 4, 4), bytes.AsSpan(at + 8, (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(at + 8 + (int)length), crc);
            at += 12 + (int)length;
        }
    }

    private static int FindChunk(byte[] png, string type)
    {
        int at = 8;
        while (at < png.Length)
        {
            if (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) == type) return at;
            at += 12 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        }
        throw new InvalidOperationException("no " + type);
    }

    private static int CountChunks(byte[] png, string type)
    {
        int at = 8, count = 0;
        while (at < png.Length)
        {
            if (System.Text.Encoding.ASCII.GetString(png, at + 4, 4) == type) count++;
            at += 12 + BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
        }
        return count;
    }
}
