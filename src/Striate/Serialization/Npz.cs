// NumPy's .npz format: a zip archive (stored or deflated, zip64 allowed) holding one .npy file per
// array, named "<key>.npy" (numpy.savez, numpy.savez_compressed). Each entry is read by Npy with
// the entry's size as the bytes available, after that size itself is checked against the archive:
// the compressed size cannot exceed the file, and the uncompressed size cannot exceed what deflate
// can expand the compressed bytes to (1032:1), so a lying central directory cannot make the reader
// allocate more than the file could possibly hold.
using System.IO.Compression;

namespace Striate.Serialization;

/// <summary>
/// Reads and writes named tensors in NumPy's <c>.npz</c> format (a zip of <c>.npy</c> files), as
/// written by <c>numpy.savez</c>/<c>numpy.savez_compressed</c> and read by <c>numpy.load</c>.
/// </summary>
public static class Npz
{
    /// <summary>Deflate's largest possible expansion: 1032 output bytes per input byte (258-byte matches coded in 2 bits).</summary>
    internal const long MaxDeflateRatio = 1032;

    // Zip stores MS-DOS local times; a fixed one makes the archive a function of its contents alone.
    private static readonly DateTimeOffset EntryTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Reads every array of a <c>.npz</c> archive as float32 tensors (see <see cref="Npy.Read(string)"/> for the dtype conversions).</summary>
    /// <param name="path">The archive.</param>
    /// <returns>The tensors by key (the entry name without <c>.npy</c>, e.g. <c>arr_0</c>), in archive order.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a zip archive (or a corrupt or truncated one), an entry is not a <c>.npy</c>
    /// file or repeats a key, an entry's sizes are impossible for the archive, or an entry is not a
    /// valid .npy array (see <see cref="Npy.Read(string)"/>). The message names the file and the entry.
    /// </exception>
    public static IReadOnlyDictionary<string, Tensor> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(file, path);
    }

    /// <summary>Reads an archive from a seekable stream; <paramref name="path"/> names it in errors.</summary>
    internal static IReadOnlyDictionary<string, Tensor> Read(Stream file, string path)
    {
        using var zip = OpenZip(file, path, "NPZ");
        var arrays = new OrderedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in Entries(zip, path, "NPZ"))
        {
            if (entry.FullName.EndsWith('/') && entry.Length == 0) continue; // a directory record
            string source = $"{path}:{entry.FullName}";
            if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                throw new InvalidDataException($"Invalid NPZ file '{path}': the entry '{entry.FullName}' is not a .npy array (an .npz holds only <name>.npy entries).");
            string key = entry.FullName[..^4];
            if (arrays.ContainsKey(key))
                throw new InvalidDataException($"Invalid NPZ file '{path}': the key '{key}' appears twice.");
            long available = CheckedEntryLength(entry, file.Length, path, "NPZ");
            using var stream = new Crc32Stream(OpenEntry(entry, path, "NPZ"));
            var tensor = Npy.Read(stream, source, available); // reads exactly `available` bytes or throws
            CheckCrc(entry, stream.Crc, path, "NPZ");
            arrays.Add(key, tensor);
        }
        return arrays;
    }

    /// <summary>
    /// Writes <paramref name="arrays"/> to <paramref name="path"/> as an <c>.npz</c> archive, one
    /// <c>&lt;key&gt;.npy</c> entry per tensor in the given order (each as <see cref="Npy.Write(string, Tensor)"/> writes it),
    /// stored like <c>numpy.savez</c> or deflated like <c>numpy.savez_compressed</c>. Written to a
    /// temporary file and moved over <paramref name="path"/>, so a failure leaves it as it was.
    /// </summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="arrays">Keys and tensors of any shape; <c>numpy.load(path)[key]</c> returns each.</param>
    /// <param name="compress">Deflate the entries (false: store them uncompressed).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty, or a key is null, empty or repeated, or a tensor is null.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="arrays"/> is null.</exception>
    /// <exception cref="IOException">The file could not be written; <paramref name="path"/> is left as it was.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory is not writable.</exception>
    public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> arrays, bool compress = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(arrays);
        var list = arrays.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, tensor) in list)
        {
            if (string.IsNullOrEmpty(key)) throw new ArgumentException("An array key is null or empty.", nameof(arrays));
            if (!seen.Add(key)) throw new ArgumentException($"The key '{key}' appears twice.", nameof(arrays));
            if (tensor is null) throw new ArgumentException($"The tensor for key '{key}' is null.", nameof(arrays));
        }
        Npy.WriteAtomically(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            foreach (var (key, tensor) in list)
            {
                var entry = zip.CreateEntry(key + ".npy", compress ? CompressionLevel.Optimal : CompressionLevel.NoCompression);
                entry.LastWriteTime = EntryTime;
                using var entryStream = entry.Open();
                Npy.Write(entryStream, tensor);
            }
        });
    }

    /// <summary>
    /// Opens a zip archive for reading, turning "not a zip" into a message naming the file;
    /// <paramref name="kind"/> is the format name for messages ("NPZ", "PyTorch checkpoint").
    /// </summary>
    internal static ZipArchive OpenZip(Stream file, string path, string kind)
    {
        try
        {
            return new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Invalid {kind} file '{path}': not a readable zip archive (corrupt or truncated): {ex.Message}", ex);
        }
    }

    /// <summary>The archive's entries; reading the central directory can fail on a corrupt archive, named here.</summary>
    internal static IReadOnlyList<ZipArchiveEntry> Entries(ZipArchive zip, string path, string kind)
    {
        try
        {
            return zip.Entries;
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Invalid {kind} file '{path}': the zip central directory is corrupt: {ex.Message}", ex);
        }
    }

    /// <summary>Opens an entry, naming the archive and entry when its local header or compression is unreadable.</summary>
    internal static Stream OpenEntry(ZipArchiveEntry entry, string path, string kind)
    {
        try
        {
            return entry.Open();
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"Invalid {kind} file '{path}': the entry '{entry.FullName}' cannot be opened: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Checks the CRC-32 of an entry's bytes against the archive's record of it: .NET's ZipArchive
    /// does not, and a flipped bit in stored weights would otherwise load silently.
    /// </summary>
    internal static void CheckCrc(ZipArchiveEntry entry, uint crc, string path, string kind)
    {
        if (crc != entry.Crc32)
            throw new InvalidDataException($"Invalid {kind} file '{path}': the entry '{entry.FullName}' is corrupt: its CRC-32 is {crc:X8} but the archive records {entry.Crc32:X8}.");
    }

    /// <summary>
    /// The entry's uncompressed size, after checking that the archive can hold it: the compressed
    /// size fits in the file and the uncompressed size is at most deflate's maximum expansion of it.
    /// </summary>
    internal static long CheckedEntryLength(ZipArchiveEntry entry, long archiveLength, string path, string kind)
    {
        long compressed = entry.CompressedLength, length = entry.Length;
        if (compressed < 0 || length < 0 || compressed > archiveLength)
            throw new InvalidDataException($"Invalid {kind} file '{path}': the entry '{entry.FullName}' claims {compressed} compressed bytes but the archive is {archiveLength} bytes long (truncated or corrupt).");
        if (length > compressed * MaxDeflateRatio + 64)
            throw new InvalidDataException($"Invalid {kind} file '{path}': the entry '{entry.FullName}' claims {length} bytes from {compressed} compressed bytes, more than deflate can produce (corrupt size fields).");
        return length;
    }

    /// <summary>CRC-32 (ISO-HDLC, reflected polynomial 0xEDB88320, as zip uses) of <paramref name="data"/>, continuing from <paramref name="crc"/>.</summary>
    internal static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        crc = ~crc;
        foreach (byte b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return ~crc;
    }

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    /// <summary>A read-only pass-through stream that keeps the CRC-32 of everything read through it.</summary>
    private sealed class Crc32Stream(Stream inner) : Stream
    {
        public uint Crc { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Crc = Crc32(buffer[..n], Crc);
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
