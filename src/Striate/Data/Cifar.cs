// CIFAR-10 and CIFAR-100 (Krizhevsky 2009), binary version: 32×32 RGB images in fixed-size records.
//   CIFAR-10:  data_batch_1..5.bin (50,000 training images), test_batch.bin (10,000); 3073-byte records:
//              1 label byte (0..9), then 3072 pixel bytes
//   CIFAR-100: train.bin (50,000), test.bin (10,000); 3074-byte records: coarse label (0..19), fine label
//              (0..99), then 3072 pixel bytes
//   pixels: 1024 red, 1024 green, 1024 blue bytes, each a 32×32 plane row-major → float32 (3, 32, 32):
//           x / 255, the layout torchvision's ToTensor gives
// The official archives (cifar-10-binary.tar.gz, cifar-100-binary.tar.gz) are downloaded from
// www.cs.toronto.edu/~kriz/, checked against their SHA-256 and unpacked (only the record and label-name
// files, only regular files under the archive's one folder) into a cache directory. Search order: an
// explicit data directory (exclusive), then the cache; then a download.
using System.Formats.Tar;
using System.IO.Compression;

namespace Striate.Data;

/// <summary>Which CIFAR dataset.</summary>
public enum CifarVariant
{
    /// <summary>CIFAR-10: 10 classes.</summary>
    Cifar10,

    /// <summary>CIFAR-100: 100 fine classes in 20 coarse superclasses.</summary>
    Cifar100,
}

/// <summary>Where to look for CIFAR and how to download it. Every property has a working default.</summary>
public sealed record CifarOptions
{
    /// <summary>
    /// A directory holding the record files (or the archive's folder <c>cifar-10-batches-bin</c> / <c>cifar-100-binary</c>
    /// inside it). When set, only it is searched and nothing is downloaded.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>The cache root searched and downloaded into; null for <see cref="Cifar.GetDefaultCacheDirectory"/> of the variant.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Whether <see cref="Cifar.LoadAsync"/> may download a missing dataset (default true).</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>The URI the archive name is appended to; defaults to <see cref="Cifar.OfficialBaseUri"/>.</summary>
    public Uri BaseUri { get; init; } = Cifar.OfficialBaseUri;

    /// <summary>The client downloads use (not disposed); <see langword="null"/> makes a private one with time limits.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>SHA-256 of the archive; null for the official digest of the variant (<see cref="Cifar.ArchiveSha256"/>).</summary>
    public string? ExpectedSha256 { get; init; }

    /// <summary>CIFAR-100 only: label samples with the 20 coarse superclasses instead of the 100 fine classes.</summary>
    public bool CoarseLabels { get; init; }
}

/// <summary>Both splits of a CIFAR dataset and the directory they came from.</summary>
/// <param name="Train">50,000 training images (N, 3, 32, 32) in [0, 1] with their labels.</param>
/// <param name="Test">10,000 test images (N, 3, 32, 32) in [0, 1] with their labels.</param>
/// <param name="Directory">The directory holding the record files.</param>
public sealed record CifarData(ClassificationDataset Train, ClassificationDataset Test, string Directory);

/// <summary>Reads, finds and downloads CIFAR-10 and CIFAR-100 in their binary format.</summary>
public static class Cifar
{
    /// <summary>Bytes of pixels in one record: 3 × 32 × 32.</summary>
    public const int PixelBytes = 3072;

    /// <summary>The side of the square images.</summary>
    public const int ImageSize = 32;

    /// <summary>The official download location.</summary>
    public static Uri OfficialBaseUri { get; } = new("https://www.cs.toronto.edu/~kriz/");

    /// <summary>CIFAR-10's class names, indexed by label (batches.meta.txt).</summary>
    public static IReadOnlyList<string> Cifar10ClassNames { get; } = Array.AsReadOnly(new[]
    {
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    });

    /// <summary>CIFAR-100's 20 superclass names, indexed by coarse label (coarse_label_names.txt).</summary>
    public static IReadOnlyList<string> Cifar100CoarseClassNames { get; } = Array.AsReadOnly(new[]
    {
        "aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables", "household_electrical_devices",
        "household_furniture", "insects", "large_carnivores", "large_man-made_outdoor_things", "large_natural_outdoor_scenes",
        "large_omnivores_and_herbivores", "medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals",
        "trees", "vehicles_1", "vehicles_2",
    });

    /// <summary>CIFAR-100's 100 class names, indexed by fine label (fine_label_names.txt).</summary>
    public static IReadOnlyList<string> Cifar100FineClassNames { get; } = Array.AsReadOnly(new[]
    {
        "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
        "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
        "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
        "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
        "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
        "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
        "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
        "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
        "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
        "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
    });

    /// <summary>The archive's file name: <c>cifar-10-binary.tar.gz</c> or <c>cifar-100-binary.tar.gz</c>.</summary>
    /// <param name="variant">The dataset.</param>
    public static string ArchiveName(CifarVariant variant) => variant == CifarVariant.Cifar10 ? "cifar-10-binary.tar.gz" : "cifar-100-binary.tar.gz";

    /// <summary>The folder the archive unpacks into: <c>cifar-10-batches-bin</c> or <c>cifar-100-binary</c>.</summary>
    /// <param name="variant">The dataset.</param>
    public static string FolderName(CifarVariant variant) => variant == CifarVariant.Cifar10 ? "cifar-10-batches-bin" : "cifar-100-binary";

    /// <summary>
    /// SHA-256 of the official archive (of its bytes as served). CIFAR-10: 170,052,171 bytes, MD5 c32a1d4ab5d03f1284b67883e8d87530
    /// as published on the dataset page; both digests as widely cited by dataset loaders.
    /// </summary>
    /// <param name="variant">The dataset.</param>
    public static string ArchiveSha256(CifarVariant variant) => variant == CifarVariant.Cifar10
        ? "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd"
        : "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec";

    /// <summary>The record files of the training and test splits.</summary>
    /// <param name="variant">The dataset.</param>
    public static (IReadOnlyList<string> Train, IReadOnlyList<string> Test) FileNames(CifarVariant variant) => variant == CifarVariant.Cifar10
        ? (["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"], ["test_batch.bin"])
        : (["train.bin"], ["test.bin"]);

    /// <summary>The default cache: the Fashion-MNIST cache's parent (<c>…/striate</c>) joined with <c>cifar-10</c> or <c>cifar-100</c>.</summary>
    /// <param name="variant">The dataset.</param>
    public static string GetDefaultCacheDirectory(CifarVariant variant) =>
        Path.Combine(Path.GetDirectoryName(FashionMnist.GetDefaultCacheDirectory())!, variant == CifarVariant.Cifar10 ? "cifar-10" : "cifar-100");

    /// <summary>
    /// Reads CIFAR record files into one dataset, file after file.
    /// </summary>
    /// <param name="files">The record files (e.g. the five CIFAR-10 training batches).</param>
    /// <param name="variant">The record layout: 3073 bytes (CIFAR-10) or 3074 (CIFAR-100).</param>
    /// <param name="coarseLabels">CIFAR-100 only: use the coarse label byte instead of the fine one.</param>
    /// <returns>Images (N, 3, 32, 32) = byte / 255 and the labels, with the variant's class names.</returns>
    /// <exception cref="ArgumentException"><paramref name="files"/> is empty.</exception>
    /// <exception cref="DatasetException">
    /// A file is missing, empty, not a whole number of records (the message names the file, its length and the offset
    /// where the incomplete record starts), or holds a label outside the classes (the message names the file, record and offset).
    /// </exception>
    public static ClassificationDataset ReadRecords(IReadOnlyList<string> files, CifarVariant variant, bool coarseLabels = false)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count == 0) throw new ArgumentException("At least one CIFAR record file is needed.", nameof(files));
        int labelBytes = variant == CifarVariant.Cifar10 ? 1 : 2;
        int record = labelBytes + PixelBytes;
        int labelIndex = variant == CifarVariant.Cifar100 && !coarseLabels ? 1 : 0;
        var names = variant == CifarVariant.Cifar10 ? Cifar10ClassNames : coarseLabels ? Cifar100CoarseClassNames : Cifar100FineClassNames;

        var lengths = new long[files.Count];
        long total = 0;
        for (int f = 0; f < files.Count; f++)
        {
            var info = new FileInfo(files[f]);
            if (!info.Exists) throw new DatasetException($"The CIFAR record file '{info.FullName}' does not exist.", info.FullName);
            if (info.Length == 0) throw new DatasetException($"The CIFAR record file '{info.FullName}' is empty.", info.FullName);
            if (info.Length % record != 0)
                throw new DatasetException(
                    $"The CIFAR record file '{info.FullName}' is {info.Length} bytes, not a whole number of {record}-byte {variant} records: " +
                    $"the record at offset {info.Length / record * record} is truncated ({info.Length % record} of {record} bytes).", info.FullName);
            lengths[f] = info.Length / record;
            total += lengths[f];
        }
        if (total * PixelBytes > Array.MaxLength)
            throw new DatasetException($"{total} CIFAR images do not fit in one array.", Path.GetFullPath(files[0]));

        var images = new float[total * PixelBytes];
        var labels = new int[total];
        var buffer = new byte[record];
        long n = 0;
        for (int f = 0; f < files.Count; f++)
        {
            string path = Path.GetFullPath(files[f]);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            for (long r = 0; r < lengths[f]; r++, n++)
            {
                int read = stream.ReadAtLeast(buffer, record, throwOnEndOfStream: false);
                if (read < record)
                    throw new DatasetException($"The CIFAR record file '{path}' ended at offset {r * record + read} inside record {r} (it shrank while being read).", path);
                int label = buffer[labelIndex];
                if (label >= names.Count)
                    throw new DatasetException(
                        $"The CIFAR record file '{path}' has label {label} in record {r} (offset {r * record + labelIndex}); {variant}{(variant == CifarVariant.Cifar100 ? coarseLabels ? " coarse" : " fine" : "")} labels are 0..{names.Count - 1}.", path);
                if (variant == CifarVariant.Cifar100 && buffer[1 - labelIndex] >= (labelIndex == 1 ? Cifar100CoarseClassNames.Count : Cifar100FineClassNames.Count))
                    throw new DatasetException(
                        $"The CIFAR record file '{path}' has {(labelIndex == 1 ? "coarse" : "fine")} label {buffer[1 - labelIndex]} in record {r} (offset {r * record + 1 - labelIndex}), out of range.", path);
                labels[n] = label;
                var pixels = images.AsSpan((int)(n * PixelBytes), PixelBytes);
                // Divide rather than multiply by 1/255 so values equal torchvision's ToTensor bit for bit.
                for (int i = 0; i < PixelBytes; i++) pixels[i] = buffer[labelBytes + i] / 255f;
            }
        }
        return new ClassificationDataset(Tensor.Wrap(images, [(int)total, 3, ImageSize, ImageSize]), labels, names);
    }

    /// <summary>The directory holding all record files of <paramref name="variant"/>, without touching the network; null when none is found.</summary>
    /// <param name="variant">The dataset.</param>
    /// <param name="options">Where to look; <see langword="null"/> uses the defaults.</param>
    /// <exception cref="DatasetException">The data directory is set but holds neither the files nor the archive's folder with them.</exception>
    public static string? Locate(CifarVariant variant, CifarOptions? options = null)
    {
        options ??= new CifarOptions();
        if (options.DataDirectory is string dataDirectory)
        {
            string full = Path.GetFullPath(dataDirectory);
            return FindIn(full, variant) ?? throw new DatasetException(
                $"The {Name(variant)} data directory '{full}' holds neither the record files ({string.Join(", ", AllFiles(variant))}) " +
                $"nor a '{FolderName(variant)}' folder with them.", full);
        }
        return FindIn(options.CacheDirectory ?? GetDefaultCacheDirectory(variant), variant);
    }

    private static string? FindIn(string directory, CifarVariant variant)
    {
        foreach (string candidate in new[] { directory, Path.Combine(directory, FolderName(variant)) })
            if (AllFiles(variant).All(f => File.Exists(Path.Combine(candidate, f)))) return Path.GetFullPath(candidate);
        return null;
    }

    private static IEnumerable<string> AllFiles(CifarVariant variant)
    {
        var (train, test) = FileNames(variant);
        return train.Concat(test);
    }

    private static string Name(CifarVariant variant) => variant == CifarVariant.Cifar10 ? "CIFAR-10" : "CIFAR-100";

    /// <summary>Reads both splits from <paramref name="directory"/> (see <see cref="ReadRecords"/>).</summary>
    /// <param name="directory">The directory holding the record files.</param>
    /// <param name="variant">The dataset.</param>
    /// <param name="coarseLabels">CIFAR-100 only: label with the superclasses.</param>
    /// <exception cref="DatasetException">A file is missing or invalid (see <see cref="ReadRecords"/>).</exception>
    public static CifarData LoadFrom(string directory, CifarVariant variant, bool coarseLabels = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.GetFullPath(directory);
        var (train, test) = FileNames(variant);
        return new CifarData(
            ReadRecords([.. train.Select(f => Path.Combine(full, f))], variant, coarseLabels),
            ReadRecords([.. test.Select(f => Path.Combine(full, f))], variant, coarseLabels),
            full);
    }

    /// <summary>Locates the dataset, downloads and unpacks it into the cache when it is nowhere and downloading is allowed, and reads both splits.</summary>
    /// <param name="variant">The dataset.</param>
    /// <param name="options">Where to look and download; <see langword="null"/> uses the defaults.</param>
    /// <param name="progress">Optional receiver of download progress.</param>
    /// <param name="cancellationToken">Cancels a download in progress; no partial file remains.</param>
    /// <exception cref="DatasetException">
    /// The dataset is nowhere and downloading is off or fails (the message says how to get it), the archive's digest does not match,
    /// the archive is corrupt or lacks files, or a record file is invalid.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<CifarData> LoadAsync(CifarVariant variant, CifarOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new CifarOptions();
        string? directory = Locate(variant, options);
        if (directory is null)
        {
            string cache = Path.GetFullPath(options.CacheDirectory ?? GetDefaultCacheDirectory(variant));
            if (!options.AllowDownload)
                throw new DatasetException($"{Name(variant)} was not found in '{cache}' and downloading is off. {HowToGet(variant, cache)}", cache);
            directory = await DownloadAsync(variant, options, progress, cancellationToken).ConfigureAwait(false);
        }
        return LoadFrom(directory, variant, options.CoarseLabels);
    }

    /// <summary>
    /// Downloads the archive into the cache, verifies its SHA-256, unpacks the record and label-name files into
    /// <c>cache/&lt;folder&gt;</c> (through a temporary folder renamed into place) and deletes the archive.
    /// </summary>
    /// <param name="variant">The dataset.</param>
    /// <param name="options">Where to download from and to.</param>
    /// <param name="progress">Optional receiver of download progress.</param>
    /// <param name="cancellationToken">Cancels the download.</param>
    /// <returns>The directory holding the record files.</returns>
    /// <exception cref="DatasetException">The server cannot be reached or fails, the digest does not match, or the archive is corrupt or incomplete.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<string> DownloadAsync(CifarVariant variant, CifarOptions? options = null,
        IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new CifarOptions();
        string cache = Path.GetFullPath(options.CacheDirectory ?? GetDefaultCacheDirectory(variant));
        string archive = Path.Combine(cache, ArchiveName(variant));
        var baseUri = options.BaseUri.AbsoluteUri.EndsWith('/') ? options.BaseUri : new Uri(options.BaseUri.AbsoluteUri + "/");
        var uri = new Uri(baseUri, ArchiveName(variant));
        HttpClient? owned = options.HttpClient is null
            ? new HttpClient(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) }) { Timeout = TimeSpan.FromMinutes(30) }
            : null;
        try
        {
            await DatasetDownloader.DownloadAsync(options.HttpClient ?? owned!, uri, archive, options.ExpectedSha256 ?? ArchiveSha256(variant),
                ChecksumTarget.FileBytes, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
        {
            throw new DatasetException($"{Name(variant)} is not on this machine and downloading {uri} failed: {ex.Message} {HowToGet(variant, cache)}", cache, ex);
        }
        finally
        {
            owned?.Dispose();
        }
        try
        {
            return Unpack(archive, cache, variant);
        }
        finally
        {
            File.Delete(archive);
        }
    }

    /// <summary>Unpacks the wanted files of a verified archive into cache/&lt;folder&gt; through a temporary folder.</summary>
    internal static string Unpack(string archive, string cache, CifarVariant variant)
    {
        string folder = FolderName(variant);
        string target = Path.Combine(cache, folder);
        string temporary = Path.Combine(cache, $"{folder}.{Guid.NewGuid():N}.part");
        var wanted = new HashSet<string>(AllFiles(variant).Concat(["batches.meta.txt", "fine_label_names.txt", "coarse_label_names.txt"]), StringComparer.Ordinal);
        Directory.CreateDirectory(temporary);
        try
        {
            try
            {
                using var file = File.OpenRead(archive);
                using var gzip = new GZipStream(file, CompressionMode.Decompress);
                using var tar = new TarReader(gzip);
                while (tar.GetNextEntry() is { } entry)
                {
                    // Only regular files directly inside the archive's folder: no links, no paths that leave it.
                    string[] parts = entry.Name.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries);
                    if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
                    if (parts.Length != 2 || parts[0] != folder || !wanted.Contains(parts[1])) continue;
                    entry.ExtractToFile(Path.Combine(temporary, parts[1]), overwrite: true);
                }
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException or EndOfStreamException)
            {
                throw new DatasetException($"The downloaded archive '{archive}' is not a valid .tar.gz file: {ex.Message}", archive, ex);
            }
            var missing = AllFiles(variant).Where(f => !File.Exists(Path.Combine(temporary, f))).ToList();
            if (missing.Count > 0)
                throw new DatasetException($"The archive '{archive}' lacks {string.Join(", ", missing.Select(m => $"{folder}/{m}"))}.", archive);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(temporary, target);
            return target;
        }
        finally
        {
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
        }
    }

    private static string HowToGet(CifarVariant variant, string cache) =>
        $"Download {new Uri(OfficialBaseUri, ArchiveName(variant))} elsewhere, unpack it and pass its '{FolderName(variant)}' folder as the data directory, " +
        $"or put that folder into '{cache}'.";
}
