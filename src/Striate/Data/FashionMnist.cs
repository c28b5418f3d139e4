// Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 60,000 training and 10,000 test 28×28 grayscale
// images of clothing in 10 classes, stored as four IDX files.
//
//   images: uint8 (N, 28, 28) on disk → float32 (N, 1, 28, 28) in [0, 1]: x / 255 (as torchvision's ToTensor)
//   labels: uint8 (N) on disk → int class indices 0..9
//
// Where the files come from, in order: an explicit data directory (exclusive: when given, nothing
// else is searched), the user cache, the system directory of Debian's dataset-fashion-mnist
// package, and last a download into the user cache from the official site.
using System.Collections.Frozen;
using System.Globalization;

namespace Striate.Data;

/// <summary>Where <see cref="FashionMnist.Locate"/> found the files.</summary>
public enum FashionMnistSource
{
    /// <summary>The explicit <see cref="FashionMnistOptions.DataDirectory"/>.</summary>
    DataDirectory,

    /// <summary>The user cache directory (<see cref="FashionMnistOptions.CacheDirectory"/>), where downloads go.</summary>
    Cache,

    /// <summary>A system directory (<see cref="FashionMnistOptions.SystemDirectories"/>), e.g. Debian's package.</summary>
    System,
}

/// <summary>Where to look for Fashion-MNIST and how to download it. Every property has a working default.</summary>
public sealed record FashionMnistOptions
{
    /// <summary>
    /// A directory that must hold the four files (the CLI's <c>--data DIR</c>). When set, only it is
    /// searched and nothing is downloaded; <see langword="null"/> (the default) searches the cache and system directories.
    /// </summary>
    public string? DataDirectory { get; init; }

    /// <summary>
    /// The user cache searched second and downloaded into; defaults to <see cref="FashionMnist.GetDefaultCacheDirectory()"/>.
    /// </summary>
    public string CacheDirectory { get; init; } = FashionMnist.GetDefaultCacheDirectory();

    /// <summary>Read-only directories searched after the cache; defaults to <see cref="FashionMnist.SystemDirectory"/>.</summary>
    public IReadOnlyList<string> SystemDirectories { get; init; } = [FashionMnist.SystemDirectory];

    /// <summary>Whether <see cref="FashionMnist.LoadAsync"/> may download missing files (default true).</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>The URI the four file names are appended to; defaults to <see cref="FashionMnist.OfficialBaseUri"/>.</summary>
    public Uri BaseUri { get; init; } = FashionMnist.OfficialBaseUri;

    /// <summary>The client downloads use (not disposed); <see langword="null"/> makes a private one with connect and response time limits.</summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>
    /// SHA-256 of each file's decompressed content, keyed by download file name
    /// (e.g. <c>train-images-idx3-ubyte.gz</c>); defaults to <see cref="FashionMnist.OfficialSha256"/>.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExpectedSha256 { get; init; } = FashionMnist.OfficialSha256;
}

/// <summary>The four located Fashion-MNIST files (each <c>.gz</c> or uncompressed).</summary>
/// <param name="Directory">The directory holding them.</param>
/// <param name="Source">Which search location it is.</param>
/// <param name="TrainImages">The training images file, IDX uint8 (60000, 28, 28).</param>
/// <param name="TrainLabels">The training labels file, IDX uint8 (60000).</param>
/// <param name="TestImages">The test images file, IDX uint8 (10000, 28, 28).</param>
/// <param name="TestLabels">The test labels file, IDX uint8 (10000).</param>
public sealed record FashionMnistFiles(
    string Directory, FashionMnistSource Source, string TrainImages, string TrainLabels, string TestImages, string TestLabels);

/// <summary>Both splits of Fashion-MNIST and the files they came from.</summary>
/// <param name="Train">The training split: images (60000, 1, 28, 28) in [0, 1], labels 0..9.</param>
/// <param name="Test">The test split: images (10000, 1, 28, 28) in [0, 1], labels 0..9.</param>
/// <param name="Files">The files read.</param>
public sealed record FashionMnistData(ClassificationDataset Train, ClassificationDataset Test, FashionMnistFiles Files);

/// <summary>
/// Finds, downloads and loads Fashion-MNIST, the default training set (a drop-in replacement for MNIST).
/// </summary>
/// <remarks>
/// Typical use: <c>var data = await FashionMnist.LoadAsync(new FashionMnistOptions { DataDirectory = dir }, progress, ct);</c>
/// then <c>new DataLoader(data.Train, batchSize: 64, shuffle: true, rng: new Rng(seed))</c>.
/// <see cref="Locate"/> and <see cref="LoadFrom"/> never touch the network; <see cref="Load"/> searches
/// without downloading; <see cref="LoadAsync"/> downloads into the cache when the files are nowhere.
/// </remarks>
public static class FashionMnist
{
    /// <summary>The directory Debian's <c>dataset-fashion-mnist</c> package installs the files into.</summary>
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The official download location (the S3 website endpoint serves plain HTTP only; the digests guard integrity).</summary>
    public static Uri OfficialBaseUri { get; } = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    private const string TrainImagesName = "train-images-idx3-ubyte";
    private const string TrainLabelsName = "train-labels-idx1-ubyte";
    private const string TestImagesName = "t10k-images-idx3-ubyte";
    private const string TestLabelsName = "t10k-labels-idx1-ubyte";
    private static readonly string[] BaseNames = [TrainImagesName, TrainLabelsName, TestImagesName, TestLabelsName];

    /// <summary>The four download file names: training images and labels, then test images and labels.</summary>
    public static IReadOnlyList<string> FileNames { get; } = Array.AsReadOnly(BaseNames.Select(n => n + ".gz").ToArray());

    /// <summary>
    /// SHA-256 of the decompressed content of each official file, keyed by download file name.
    /// </summary>
    /// <remarks>
    /// Computed from the files of Debian's dataset-fashion-mnist package (/usr/share/datasets/fashion-mnist),
    /// which are the official files, with <c>zcat FILE | sha256sum</c>. The digests cover the decompressed
    /// content rather than the .gz bytes because Debian's archives carry a different gzip header than the
    /// official ones (no stored file name: each is 23–24 bytes shorter, and their MD5s differ from the ones
    /// the Fashion-MNIST README publishes) while the data inside is identical; a digest of the compressed
    /// bytes would reject one of the two. Decompressed, they also match the raw digests other projects
    /// publish for the official archives.
    /// </remarks>
    public static IReadOnlyDictionary<string, string> OfficialSha256 { get; } = new Dictionary<string, string>
    {
        ["train-images-idx3-ubyte.gz"] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ["train-labels-idx1-ubyte.gz"] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ["t10k-images-idx3-ubyte.gz"] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ["t10k-labels-idx1-ubyte.gz"] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    }.ToFrozenDictionary();

    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = Array.AsReadOnly(new[]
    {
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    });

    /// <summary>The side of the square images, in pixels.</summary>
    public const int ImageSize = 28;

    /// <summary>
    /// The default cache directory: <c>%LOCALAPPDATA%\striate\fashion-mnist</c> on Windows, else
    /// <c>$XDG_CACHE_HOME/striate/fashion-mnist</c> when XDG_CACHE_HOME is an absolute path, else
    /// <c>~/.cache/striate/fashion-mnist</c>.
    /// </summary>
    public static string GetDefaultCacheDirectory() =>
        GetDefaultCacheDirectory(Environment.GetEnvironmentVariable, OperatingSystem.IsWindows(), Environment.GetFolderPath);

    internal static string GetDefaultCacheDirectory(
        Func<string, string?> getVariable, bool windows, Func<Environment.SpecialFolder, string> getFolder)
    {
        string root;
        if (windows)
        {
            root = getFolder(Environment.SpecialFolder.LocalApplicationData);
        }
        else
        {
            // The XDG base-directory spec says relative values are invalid and must be ignored.
            string? xdg = getVariable("XDG_CACHE_HOME");
            root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg)
                ? xdg
                : Path.Combine(getFolder(Environment.SpecialFolder.UserProfile), ".cache");
        }
        return Path.Combine(root, "striate", "fashion-mnist");
    }

    /// <summary>
    /// Finds the four files without touching the network: in <see cref="FashionMnistOptions.DataDirectory"/>
    /// only, when it is set; otherwise in the cache directory, then each system directory. A directory counts
    /// only when it holds all four files, each as <c>NAME.gz</c> or uncompressed <c>NAME</c> (the .gz preferred).
    /// </summary>
    /// <param name="options">Where to look; <see langword="null"/> uses the defaults.</param>
    /// <returns>The files, or <see langword="null"/> when no searched directory holds all four.</returns>
    /// <exception cref="DatasetException">The data directory is set but does not exist or lacks some files; the message names it and them.</exception>
    public static FashionMnistFiles? Locate(FashionMnistOptions? options = null)
    {
        options ??= new FashionMnistOptions();
        if (options.DataDirectory is string dataDirectory)
        {
            string full = Path.GetFullPath(dataDirectory);
            if (!Directory.Exists(full))
                throw new DatasetException($"The Fashion-MNIST data directory '{full}' does not exist.", full);
            var files = FindIn(full, FashionMnistSource.DataDirectory, out var missing);
            return files ?? throw new DatasetException(
                $"The Fashion-MNIST data directory '{full}' lacks {string.Join(", ", missing.Select(m => m + "(.gz)"))}; " +
                $"it must hold the four files {string.Join(", ", FileNames)} (gzipped or not).", full);
        }
        var cached = FindIn(options.CacheDirectory, FashionMnistSource.Cache, out _);
        if (cached is not null) return cached;
        foreach (string system in options.SystemDirectories)
        {
            var found = FindIn(system, FashionMnistSource.System, out _);
            if (found is not null) return found;
        }
        return null;
    }

    private static FashionMnistFiles? FindIn(string directory, FashionMnistSource source, out List<string> missing)
    {
        missing = [];
        var paths = new string[BaseNames.Length];
        for (int i = 0; i < BaseNames.Length; i++)
        {
            string gz = Path.Combine(directory, BaseNames[i] + ".gz"), raw = Path.Combine(directory, BaseNames[i]);
            if (File.Exists(gz)) paths[i] = gz;
            else if (File.Exists(raw)) paths[i] = raw;
            else missing.Add(BaseNames[i]);
        }
        return missing.Count > 0 ? null : new FashionMnistFiles(Path.GetFullPath(directory), source, paths[0], paths[1], paths[2], paths[3]);
    }

    /// <summary>
    /// Downloads the files missing from <see cref="FashionMnistOptions.CacheDirectory"/> from
    /// <see cref="FashionMnistOptions.BaseUri"/>, verifying each against <see cref="FashionMnistOptions.ExpectedSha256"/>.
    /// </summary>
    /// <remarks>
    /// Files already in the cache are kept. Each download is written to a temporary file and renamed into
    /// place only after its digest matches (see <see cref="DatasetDownloader.DownloadAsync"/>).
    /// </remarks>
    /// <param name="options">Where to download from and to; <see langword="null"/> uses the defaults.</param>
    /// <param name="progress">Optional receiver of per-file progress reports.</param>
    /// <param name="cancellationToken">Cancels the download; no partial file remains.</param>
    /// <returns>The four files in the cache directory.</returns>
    /// <exception cref="DatasetException">
    /// The server cannot be reached or fails (the message says how to get the data otherwise), or a digest
    /// does not match (the message names the file, the expected and the actual digest).
    /// </exception>
    /// <exception cref="ArgumentException"><see cref="FashionMnistOptions.ExpectedSha256"/> lacks a file's digest.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<FashionMnistFiles> DownloadAsync(
        FashionMnistOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new FashionMnistOptions();
        string cache = Path.GetFullPath(options.CacheDirectory);
        Uri baseUri = WithTrailingSlash(options.BaseUri);
        HttpClient? owned = options.HttpClient is null ? CreateClient() : null;
        HttpClient client = options.HttpClient ?? owned!;
        try
        {
            foreach (string name in BaseNames)
            {
                if (File.Exists(Path.Combine(cache, name + ".gz")) || File.Exists(Path.Combine(cache, name))) continue;
                string fileName = name + ".gz";
                if (!options.ExpectedSha256.TryGetValue(fileName, out string? digest))
                    throw new ArgumentException($"ExpectedSha256 has no digest for {fileName}.", nameof(options));
                var uri = new Uri(baseUri, fileName);
                try
                {
                    await DatasetDownloader.DownloadAsync(client, uri, Path.Combine(cache, fileName), digest,
                        ChecksumTarget.DecompressedContent, progress, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
                {
                    throw new DatasetException(
                        $"Fashion-MNIST is not on this machine and downloading {uri} failed: {ex.Message}{Environment.NewLine}" +
                        HowToGetTheData(cache, options.BaseUri), cache, ex);
                }
            }
        }
        finally
        {
            owned?.Dispose();
        }
        return FindIn(cache, FashionMnistSource.Cache, out _)
            ?? throw new DatasetException($"The Fashion-MNIST files vanished from '{cache}' right after being downloaded.", cache);
    }

    private static HttpClient CreateClient() =>
        new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) }) { Timeout = TimeSpan.FromSeconds(60) };

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static string HowToGetTheData(string cache, Uri baseUri) =>
        "To get the data, do one of:" + Environment.NewLine +
        $"  - on Debian/Ubuntu: sudo apt-get install dataset-fashion-mnist (installs the files into {SystemDirectory});" + Environment.NewLine +
        $"  - download {string.Join(", ", FileNames)} from {baseUri} into {cache};" + Environment.NewLine +
        "  - put the four files in any directory and pass it as the data directory (the CLI's --data DIR).";

    /// <summary>Reads both splits from located files; never touches the network.</summary>
    /// <param name="files">The four files, e.g. from <see cref="Locate"/>.</param>
    /// <returns>Training and test splits with images (N, 1, 28, 28) scaled to [0, 1] and labels 0..9.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="files"/> is null.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="DatasetException">
    /// A file is not a valid IDX file of the right kind (see <see cref="IdxReader.Read(string, int?)"/>), images are not
    /// 28×28, the image and label counts of a split differ (the message names both files and both counts), or a label is not 0..9.
    /// </exception>
    public static FashionMnistData LoadFrom(FashionMnistFiles files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var train = ReadSplit("training", files.TrainImages, files.TrainLabels);
        var test = ReadSplit("test", files.TestImages, files.TestLabels);
        return new FashionMnistData(train, test, files);
    }

    /// <summary>Locates and reads both splits without downloading (see <see cref="Locate"/> for the search order).</summary>
    /// <param name="options">Where to look; <see langword="null"/> uses the defaults. <see cref="FashionMnistOptions.AllowDownload"/> is ignored.</param>
    /// <returns>Training and test splits with images (N, 1, 28, 28) scaled to [0, 1] and labels 0..9.</returns>
    /// <exception cref="DatasetException">
    /// The files are in no searched directory (the message lists them and says how to get the data), or a file is invalid (see <see cref="LoadFrom"/>).
    /// </exception>
    public static FashionMnistData Load(FashionMnistOptions? options = null)
    {
        options ??= new FashionMnistOptions();
        return LoadFrom(Locate(options) ?? throw NotFound(options, "Load never downloads; LoadAsync can"));
    }

    /// <summary>
    /// Locates both splits, downloads them into the cache when no searched directory holds them and
    /// <see cref="FashionMnistOptions.AllowDownload"/> is set, and reads them.
    /// </summary>
    /// <param name="options">Where to look and download; <see langword="null"/> uses the defaults.</param>
    /// <param name="progress">Optional receiver of download progress; silent when the files are found locally.</param>
    /// <param name="cancellationToken">Cancels a download in progress.</param>
    /// <returns>Training and test splits with images (N, 1, 28, 28) scaled to [0, 1] and labels 0..9.</returns>
    /// <exception cref="DatasetException">
    /// The files are nowhere and downloading is off or fails (the message says how to get the data), a digest
    /// does not match, or a file is invalid (see <see cref="LoadFrom"/>).
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task<FashionMnistData> LoadAsync(
        FashionMnistOptions? options = null, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new FashionMnistOptions();
        var files = Locate(options);
        if (files is null)
        {
            if (!options.AllowDownload) throw NotFound(options, "downloading is off (AllowDownload is false)");
            files = await DownloadAsync(options, progress, cancellationToken).ConfigureAwait(false);
        }
        return LoadFrom(files);
    }

    private static DatasetException NotFound(FashionMnistOptions options, string why)
    {
        string cache = Path.GetFullPath(options.CacheDirectory);
        var searched = new List<string> { $"{cache} (user cache)" };
        searched.AddRange(options.SystemDirectories.Select(d => $"{d} (system)"));
        return new DatasetException(
            $"Fashion-MNIST was not found (looked in {string.Join(", ", searched)}); {why}.{Environment.NewLine}" +
            HowToGetTheData(cache, options.BaseUri), cache);
    }

    private static ClassificationDataset ReadSplit(string split, string imagesPath, string labelsPath)
    {
        var images = IdxReader.Read(imagesPath, expectedRank: 3);
        var labels = IdxReader.Read(labelsPath, expectedRank: 1);
        int count = images.Shape[0];
        if (images.Shape[1] != ImageSize || images.Shape[2] != ImageSize)
            throw new DatasetException(
                $"The Fashion-MNIST {split} images file '{imagesPath}' holds {images.Shape[1]}×{images.Shape[2]} images; 28×28 expected.", imagesPath);
        if (labels.Shape[0] != count)
            throw new DatasetException(
                $"The Fashion-MNIST {split} split does not match: images file '{imagesPath}' holds {Count(count)} images " +
                $"but labels file '{labelsPath}' holds {Count(labels.Shape[0])} labels.", imagesPath);

        ReadOnlySpan<byte> labelBytes = labels.Data.Span;
        var labelValues = new int[count];
        for (int i = 0; i < count; i++)
        {
            if (labelBytes[i] >= ClassNames.Count)
                throw new DatasetException(
                    $"The Fashion-MNIST {split} labels file '{labelsPath}' has label {labelBytes[i]} at index {i}; labels are 0..{ClassNames.Count - 1}.", labelsPath);
            labelValues[i] = labelBytes[i];
        }

        // Divide rather than multiply by 1/255 so values equal torchvision's ToTensor bit for bit.
        ReadOnlySpan<byte> pixels = images.Data.Span;
        var values = new float[pixels.Length];
        for (int i = 0; i < values.Length; i++) values[i] = pixels[i] / 255f;
        var tensor = Tensor.Wrap(values, [count, 1, ImageSize, ImageSize]);
        return new ClassificationDataset(tensor, labelValues, ClassNames);
    }

    private static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
