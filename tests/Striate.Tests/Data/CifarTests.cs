// CIFAR-10/100 binary records: values and labels of hand-made records, the record-length and label
// checks (messages name the file and offset), the search order, and downloads of a small .tar.gz
// from a local HTTP server: success, checksum mismatch, server down, archives lacking files or
// holding entries outside their folder.
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using Striate.Data;

namespace Striate.Tests.Data;

public class CifarTests
{
    /// <summary>Records whose pixel i of record r is (r·7 + i) mod 256, labels as given (CIFAR-100: coarse then fine).</summary>
    internal static byte[] Records(CifarVariant variant, params (int Coarse, int Fine)[] labels)
    {
        int labelBytes = variant == CifarVariant.Cifar10 ? 1 : 2, record = labelBytes + Cifar.PixelBytes;
        var bytes = new byte[labels.Length * record];
        for (int r = 0; r < labels.Length; r++)
        {
            if (variant == CifarVariant.Cifar10) bytes[r * record] = (byte)labels[r].Fine;
            else
            {
                bytes[r * record] = (byte)labels[r].Coarse;
                bytes[r * record + 1] = (byte)labels[r].Fine;
            }
            for (int i = 0; i < Cifar.PixelBytes; i++) bytes[r * record + labelBytes + i] = (byte)((r * 7 + i) % 256);
        }
        return bytes;
    }

    /// <summary>All record files of a variant with two records each, into <paramref name="directory"/>.</summary>
    internal static void WriteAll(string directory, CifarVariant variant)
    {
        Directory.CreateDirectory(directory);
        var (train, test) = Cifar.FileNames(variant);
        int k = 0;
        foreach (string name in train.Concat(test))
        {
            File.WriteAllBytes(Path.Combine(directory, name), Records(variant, (k % 20, k % 10), ((k + 1) % 20, (k + 3) % 10)));
            k++;
        }
    }

    [Fact]
    public void ReadRecords_Cifar10_SplitsLabelAndPlanes()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("a.bin", Records(CifarVariant.Cifar10, (0, 3), (0, 9), (0, 0)));

        var data = Cifar.ReadRecords([path], CifarVariant.Cifar10);

        Assert.Equal([3, 3, 32, 32], data.Images.Shape);
        Assert.Equal([3, 9, 0], data.Labels.ToArray());
        Assert.Equal("cat", data.ClassNames[3]);
        // Record 1, green plane (bytes 1024..2047), row 2, column 5: pixel index 1024 + 69 → (7 + 1093) mod 256 = 76.
        Assert.Equal(76 / 255f, data.Images[1, 1, 2, 5]);
        Assert.Equal(0f, data.Images[0, 0, 0, 0]);
    }

    [Fact]
    public void ReadRecords_Cifar100_FineOrCoarseLabels()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("train.bin", Records(CifarVariant.Cifar100, (19, 99), (4, 0)));

        var fine = Cifar.ReadRecords([path], CifarVariant.Cifar100);
        var coarse = Cifar.ReadRecords([path], CifarVariant.Cifar100, coarseLabels: true);

        Assert.Equal([99, 0], fine.Labels.ToArray());
        Assert.Equal("worm", fine.ClassNames[99]);
        Assert.Equal([19, 4], coarse.Labels.ToArray());
        Assert.Equal("vehicles_2", coarse.ClassNames[19]);
        Assert.Equal(100, Cifar.Cifar100FineClassNames.Count);
        Assert.Equal(20, Cifar.Cifar100CoarseClassNames.Count);
        Assert.Equal((7 + 3071) % 256 / 255f, fine.Images[1, 2, 31, 31]);
    }

    [Fact]
    public void ReadRecords_SeveralFiles_Concatenate()
    {
        using var dir = new DataTempDirectory();
        string a = dir.Write("a.bin", Records(CifarVariant.Cifar10, (0, 1)));
        string b = dir.Write("b.bin", Records(CifarVariant.Cifar10, (0, 2), (0, 4)));
        Assert.Equal([1, 2, 4], Cifar.ReadRecords([a, b], CifarVariant.Cifar10).Labels.ToArray());
    }

    [Fact]
    public void ReadRecords_TruncatedFile_NamesFileAndOffset()
    {
        using var dir = new DataTempDirectory();
        var bytes = Records(CifarVariant.Cifar10, (0, 1), (0, 2));
        string path = dir.Write("short.bin", bytes[..(bytes.Length - 10)]);

        var e = Assert.Throws<DatasetException>(() => Cifar.ReadRecords([path], CifarVariant.Cifar10));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("6136 bytes, not a whole number of 3073-byte Cifar10 records", e.Message, StringComparison.Ordinal);
        Assert.Contains("the record at offset 3073 is truncated (3063 of 3073 bytes)", e.Message, StringComparison.Ordinal);
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void ReadRecords_Cifar10FileReadAsCifar100_IsALengthError()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Write("x.bin", Records(CifarVariant.Cifar10, (0, 1), (0, 1)));
        var e = Assert.Throws<DatasetException>(() => Cifar.ReadRecords([path], CifarVariant.Cifar100));
        Assert.Contains("3074-byte Cifar100 records", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRecords_BadLabels_NameRecordAndOffset()
    {
        using var dir = new DataTempDirectory();
        string ten = dir.Write("ten.bin", Records(CifarVariant.Cifar10, (0, 1), (0, 10)));
        var e = Assert.Throws<DatasetException>(() => Cifar.ReadRecords([ten], CifarVariant.Cifar10));
        Assert.Contains("label 10 in record 1 (offset 3073); Cifar10 labels are 0..9", e.Message, StringComparison.Ordinal);

        string hundred = dir.Write("hundred.bin", Records(CifarVariant.Cifar100, (20, 5)));
        var coarse = Assert.Throws<DatasetException>(() => Cifar.ReadRecords([hundred], CifarVariant.Cifar100));
        Assert.Contains("coarse label 20 in record 0 (offset 0)", coarse.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadRecords_MissingOrEmptyFile_Throws()
    {
        using var dir = new DataTempDirectory();
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => Cifar.ReadRecords([dir.Sub("none.bin")], CifarVariant.Cifar10)).Message, StringComparison.Ordinal);
        string empty = dir.Write("empty.bin", []);
        Assert.Contains("is empty", Assert.Throws<DatasetException>(() => Cifar.ReadRecords([empty], CifarVariant.Cifar10)).Message, StringComparison.Ordinal);
        Assert.Equal("files", Assert.Throws<ArgumentException>(() => Cifar.ReadRecords([], CifarVariant.Cifar10)).ParamName);
    }

    [Theory]
    [InlineData(CifarVariant.Cifar10)]
    [InlineData(CifarVariant.Cifar100)]
    public void Locate_DataDirectoryOrItsArchiveFolder(CifarVariant variant)
    {
        using var dir = new DataTempDirectory();
        WriteAll(dir.Sub("flat"), variant);
        WriteAll(Path.Combine(dir.Sub("nested"), Cifar.FolderName(variant)), variant);

        Assert.Equal(dir.Sub("flat"), Cifar.Locate(variant, new CifarOptions { DataDirectory = dir.Sub("flat") }));
        Assert.Equal(Path.Combine(dir.Sub("nested"), Cifar.FolderName(variant)), Cifar.Locate(variant, new CifarOptions { DataDirectory = dir.Sub("nested") }));
        var data = Cifar.LoadFrom(dir.Sub("flat"), variant);
        Assert.Equal(variant == CifarVariant.Cifar10 ? 10 : 2, data.Train.Count);
        Assert.Equal(2, data.Test.Count);
        var e = Assert.Throws<DatasetException>(() => Cifar.Locate(variant, new CifarOptions { DataDirectory = dir.Sub("none") }));
        Assert.Contains(Cifar.FolderName(variant), e.Message, StringComparison.Ordinal);
        Assert.Null(Cifar.Locate(variant, new CifarOptions { CacheDirectory = dir.Sub("empty-cache") }));
    }

    [Fact]
    public void Defaults_AreTheOfficialArchiveAndDigests()
    {
        Assert.Equal("https://www.cs.toronto.edu/~kriz/", Cifar.OfficialBaseUri.AbsoluteUri);
        Assert.Equal("c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd", Cifar.ArchiveSha256(CifarVariant.Cifar10));
        Assert.Equal("58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec", Cifar.ArchiveSha256(CifarVariant.Cifar100));
        Assert.EndsWith(Path.Combine("striate", "cifar-10"), Cifar.GetDefaultCacheDirectory(CifarVariant.Cifar10), StringComparison.Ordinal);
        Assert.Equal("cifar-100-binary.tar.gz", Cifar.ArchiveName(CifarVariant.Cifar100));
    }

    /// <summary>A .tar.gz holding <paramref name="entries"/> (name → bytes; null bytes make a symbolic link).</summary>
    private static byte[] TarGz(params (string Name, byte[]? Bytes)[] entries)
    {
        using var memory = new MemoryStream();
        using (var gzip = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                if (bytes is null)
                {
                    tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, name) { LinkName = "/etc/passwd" });
                    continue;
                }
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(bytes) });
            }
        }
        return memory.ToArray();
    }

    private static (string, byte[]?)[] Cifar10Entries() =>
    [
        .. Cifar.FileNames(CifarVariant.Cifar10).Train.Concat(Cifar.FileNames(CifarVariant.Cifar10).Test)
            .Select((n, k) => ($"cifar-10-batches-bin/{n}", (byte[]?)Records(CifarVariant.Cifar10, (0, k), (0, 9 - k)))),
        ("cifar-10-batches-bin/batches.meta.txt", "airplane\n"u8.ToArray()),
    ];

    [Fact]
    public async Task LoadAsync_Download_VerifiesUnpacksAndReads()
    {
        using var dir = new DataTempDirectory();
        byte[] archive = TarGz([.. Cifar10Entries(), ("../escape.bin", [1, 2, 3]), ("cifar-10-batches-bin/link.bin", null), ("other/test_batch.bin", [9])]);
        using var server = new LocalHttpServer(new Dictionary<string, byte[]> { ["cifar-10-binary.tar.gz"] = archive });
        var options = new CifarOptions
        {
            CacheDirectory = dir.Sub("cache"),
            BaseUri = server.BaseUri,
            ExpectedSha256 = Convert.ToHexStringLower(SHA256.HashData(archive)),
        };

        var data = await Cifar.LoadAsync(CifarVariant.Cifar10, options);

        Assert.Equal(10, data.Train.Count);
        Assert.Equal([0, 9, 1, 8, 2, 7, 3, 6, 4, 5], data.Train.Labels.ToArray());
        Assert.Equal([5, 4], data.Test.Labels.ToArray());
        Assert.Equal(Path.Combine(dir.Sub("cache"), "cifar-10-batches-bin"), data.Directory);
        Assert.False(File.Exists(Path.Combine(dir.Sub("cache"), "cifar-10-binary.tar.gz"))); // archive removed after unpacking
        Assert.False(File.Exists(dir.Sub("escape.bin")));
        Assert.False(File.Exists(Path.Combine(data.Directory, "link.bin")));
        Assert.Equal(1, server.Requests);

        // Found in the cache the second time: no request.
        await Cifar.LoadAsync(CifarVariant.Cifar10, options);
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task LoadAsync_ChecksumMismatch_LeavesNothing()
    {
        using var dir = new DataTempDirectory();
        byte[] archive = TarGz(Cifar10Entries());
        using var server = new LocalHttpServer(new Dictionary<string, byte[]> { ["cifar-10-binary.tar.gz"] = archive });
        var options = new CifarOptions { CacheDirectory = dir.Sub("cache"), BaseUri = server.BaseUri };

        var e = await Assert.ThrowsAsync<DatasetException>(() => Cifar.LoadAsync(CifarVariant.Cifar10, options));

        Assert.Contains("Checksum mismatch for cifar-10-binary.tar.gz", e.Message, StringComparison.Ordinal);
        Assert.Contains(Cifar.ArchiveSha256(CifarVariant.Cifar10), e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Sub("cache")));
    }

    [Fact]
    public async Task LoadAsync_ArchiveLackingFiles_Throws()
    {
        using var dir = new DataTempDirectory();
        byte[] archive = TarGz(Cifar10Entries()[1..]);
        using var server = new LocalHttpServer(new Dictionary<string, byte[]> { ["cifar-10-binary.tar.gz"] = archive });
        var options = new CifarOptions { CacheDirectory = dir.Sub("cache"), BaseUri = server.BaseUri, ExpectedSha256 = Convert.ToHexStringLower(SHA256.HashData(archive)) };

        var e = await Assert.ThrowsAsync<DatasetException>(() => Cifar.LoadAsync(CifarVariant.Cifar10, options));

        Assert.Contains("lacks cifar-10-batches-bin/data_batch_1.bin", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Sub("cache")));
    }

    [Fact]
    public async Task LoadAsync_CorruptArchive_Throws()
    {
        using var dir = new DataTempDirectory();
        byte[] archive = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4, 5];
        using var server = new LocalHttpServer(new Dictionary<string, byte[]> { ["cifar-10-binary.tar.gz"] = archive });
        var options = new CifarOptions { CacheDirectory = dir.Sub("cache"), BaseUri = server.BaseUri, ExpectedSha256 = Convert.ToHexStringLower(SHA256.HashData(archive)) };

        var e = await Assert.ThrowsAsync<DatasetException>(() => Cifar.LoadAsync(CifarVariant.Cifar10, options));

        Assert.Contains("not a valid .tar.gz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadAsync_ServerDownOrDownloadOff_SaysHowToGetTheData()
    {
        using var dir = new DataTempDirectory();
        var down = new CifarOptions { CacheDirectory = dir.Sub("cache"), BaseUri = new Uri($"http://127.0.0.1:{LocalHttpServer.FreePort()}/") };
        var e = await Assert.ThrowsAsync<DatasetException>(() => Cifar.LoadAsync(CifarVariant.Cifar100, down));
        Assert.Contains("CIFAR-100 is not on this machine and downloading", e.Message, StringComparison.Ordinal);
        Assert.Contains("cifar-100-binary", e.Message, StringComparison.Ordinal);

        var off = down with { AllowDownload = false };
        var f = await Assert.ThrowsAsync<DatasetException>(() => Cifar.LoadAsync(CifarVariant.Cifar10, off));
        Assert.Contains("downloading is off", f.Message, StringComparison.Ordinal);
    }
}
