// Fashion-MNIST: the real Debian files (values read independently with Python's gzip module),
// the search order over temporary directories, and downloads from a local HTTP server serving
// small fake files whose digests are injected: success, checksum mismatch, server down, silent
// server, HTTP error, invalid body and cancellation.
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Striate.Data;

namespace Striate.Tests.Data;

/// <summary>Small fake Fashion-MNIST files: 3 training and 2 test 28×28 images.</summary>
internal sealed class FakeFashionMnist
{
    public static readonly byte[] TrainLabels = [9, 0, 3];
    public static readonly byte[] TestLabels = [1, 8];

    public FakeFashionMnist()
    {
        TrainImagesRaw = IdxFiles.Make([3, 28, 28], IdxFiles.Pattern(3 * 784, seed: 1));
        TestImagesRaw = IdxFiles.Make([2, 28, 28], IdxFiles.Pattern(2 * 784, seed: 2));
        Raw = new Dictionary<string, byte[]>
        {
            ["train-images-idx3-ubyte"] = TrainImagesRaw,
            ["train-labels-idx1-ubyte"] = IdxFiles.Make([3], TrainLabels),
            ["t10k-images-idx3-ubyte"] = TestImagesRaw,
            ["t10k-labels-idx1-ubyte"] = IdxFiles.Make([2], TestLabels),
        };
    }

    public byte[] TrainImagesRaw { get; }
    public byte[] TestImagesRaw { get; }

    /// <summary>Uncompressed file contents keyed by base name (no .gz).</summary>
    public Dictionary<string, byte[]> Raw { get; }

    /// <summary>Gzipped contents keyed by download file name, as a server would serve them.</summary>
    public Dictionary<string, byte[]> Served() => Raw.ToDictionary(kv => kv.Key + ".gz", kv => IdxFiles.Gzip(kv.Value));

    /// <summary>SHA-256 of each uncompressed file keyed by download file name: what the loader verifies.</summary>
    public Dictionary<string, string> Digests() =>
        Raw.ToDictionary(kv => kv.Key + ".gz", kv => Convert.ToHexStringLower(SHA256.HashData(kv.Value)));

    /// <summary>Writes the four files into <paramref name="directory"/>, gzipped (NAME.gz) or not (NAME).</summary>
    public void WriteTo(string directory, bool gzip = true, int count = 4)
    {
        Directory.CreateDirectory(directory);
        foreach (var (name, bytes) in Raw.Take(count))
            File.WriteAllBytes(Path.Combine(directory, gzip ? name + ".gz" : name), gzip ? IdxFiles.Gzip(bytes) : bytes);
    }
}

/// <summary>A minimal HTTP server on 127.0.0.1 serving fixed files; counts requests.</summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly IReadOnlyDictionary<string, byte[]> _files;
    private readonly Task _loop;
    private int _requests;

    public LocalHttpServer(IReadOnlyDictionary<string, byte[]> files)
    {
        _files = files;
        // A free port can be taken by another process (a parallel test run) between the probe and Start:
        // try again with a new port rather than fail the test.
        for (int attempt = 1; ; attempt++)
        {
            int port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                (_listener, Port) = (listener, port);
                break;
            }
            catch (HttpListenerException) when (attempt < 20)
            {
                listener.Close();
            }
        }
        BaseUri = new Uri($"http://127.0.0.1:{Port}/data/");
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public Uri BaseUri { get; }
    public int Requests => Volatile.Read(ref _requests);

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref _requests);
            string path = context.Request.Url!.AbsolutePath;
            string name = path.StartsWith("/data/", StringComparison.Ordinal) ? path["/data/".Length..] : "";
            try
            {
                if (_files.TryGetValue(name, out var body))
                {
                    context.Response.StatusCode = 200;
                    context.Response.ContentLength64 = body.Length;
                    await context.Response.OutputStream.WriteAsync(body);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
                context.Response.Close();
            }
            catch (HttpListenerException) { /* client went away (cancellation tests) */ }
        }
    }

    public void Dispose()
    {
        try
        {
            _listener.Stop();
            _listener.Close();
        }
        catch (HttpListenerException)
        {
            // The managed HttpListener looks its endpoint up again on Close and may try to bind the port, which
            // another process (a parallel test run) can hold by then: the listener is closed either way.
        }
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}

public class FashionMnistTests
{
    private static FashionMnistOptions IsolatedOptions(DataTempDirectory dir) => new()
    {
        CacheDirectory = dir.Sub("cache"),
        SystemDirectories = [dir.Sub("system")],
    };

    // ---- the real data --------------------------------------------------------------------

    [Fact]
    public void Load_DebianFiles_MatchValuesReadIndependently()
    {
        if (!Directory.Exists(FashionMnist.SystemDirectory))
        {
            // Note: skipped because dataset-fashion-mnist is not installed here; CI installs it.
            return;
        }
        using var dir = new DataTempDirectory();
        var options = new FashionMnistOptions
        {
            CacheDirectory = dir.Sub("empty-cache"),
            SystemDirectories = [FashionMnist.SystemDirectory],
            AllowDownload = false,
        };

        var data = FashionMnist.Load(options);

        Assert.Equal(FashionMnistSource.System, data.Files.Source);
        Assert.Equal([60000, 1, 28, 28], data.Train.Images.Shape);
        Assert.Equal([10000, 1, 28, 28], data.Test.Images.Shape);
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], data.Train.Labels[..10].ToArray());
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], data.Test.Labels[..10].ToArray());
        Assert.Equal("Ankle boot", data.Train.ClassNames[data.Train.Labels[0]]);
        // Each class holds exactly a tenth of each split.
        for (int c = 0; c < 10; c++)
        {
            Assert.Equal(6000, data.Train.Labels.Count(c));
            Assert.Equal(1000, data.Test.Labels.Count(c));
        }
        // Pixel sums in 0..255 units, from Python: sum(gzip.open(f).read()[16:]).
        Assert.Equal(76247, PixelSum(data.Train.GetImage(0)));
        Assert.Equal(3431114169, PixelSum(data.Train.Images.AsSpan()));
        Assert.Equal(33456, PixelSum(data.Test.GetImage(0)));
        Assert.Equal(573469082, PixelSum(data.Test.Images.AsSpan()));
        // Row 14 of the first training image, columns 11..14: 0, 237, 226, 217, scaled by 1/255.
        Assert.Equal([0f, 237 / 255f, 226 / 255f, 217 / 255f], data.Train.GetImage(0).Slice(14 * 28 + 11, 4).ToArray());
    }

    [Fact]
    public void OfficialSha256_MatchesDebianFiles()
    {
        if (!Directory.Exists(FashionMnist.SystemDirectory))
        {
            // Note: skipped because dataset-fashion-mnist is not installed here; CI installs it.
            return;
        }
        foreach (string name in FashionMnist.FileNames)
        {
            string actual = DatasetDownloader.ComputeSha256(Path.Combine(FashionMnist.SystemDirectory, name), ChecksumTarget.DecompressedContent);
            Assert.Equal(FashionMnist.OfficialSha256[name], actual);
        }
    }

    private static long PixelSum(ReadOnlySpan<float> values)
    {
        long sum = 0;
        foreach (float v in values) sum += (long)Math.Round(v * 255.0);
        return sum;
    }

    // ---- defaults ---------------------------------------------------------------------------

    [Fact]
    public void Options_Defaults_AreOfficialLocationsAndDigests()
    {
        var options = new FashionMnistOptions();

        Assert.Null(options.DataDirectory);
        Assert.True(options.AllowDownload);
        Assert.Equal("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/", options.BaseUri.AbsoluteUri);
        Assert.Same(FashionMnist.OfficialSha256, options.ExpectedSha256);
        Assert.Equal([FashionMnist.SystemDirectory], options.SystemDirectories);
        Assert.Equal(FashionMnist.GetDefaultCacheDirectory(), options.CacheDirectory);
        Assert.Equal("c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888", FashionMnist.OfficialSha256["train-images-idx3-ubyte.gz"]);
        Assert.Equal(
            ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            FashionMnist.ClassNames);
    }

    [Fact]
    public void GetDefaultCacheDirectory_AbsoluteXdgCacheHome_IsUsed()
    {
        string dir = FashionMnist.GetDefaultCacheDirectory(
            v => v == "XDG_CACHE_HOME" ? "/xdg/cache" : null, windows: false, _ => "/home/ada");
        Assert.Equal(Path.Combine("/xdg/cache", "striate", "fashion-mnist"), dir);
    }

    [Fact]
    public void GetDefaultCacheDirectory_RelativeOrUnsetXdg_FallsBackToHomeDotCache()
    {
        string relative = FashionMnist.GetDefaultCacheDirectory(_ => "relative/cache", windows: false, _ => "/home/ada");
        string unset = FashionMnist.GetDefaultCacheDirectory(_ => null, windows: false, _ => "/home/ada");
        Assert.Equal(Path.Combine("/home/ada", ".cache", "striate", "fashion-mnist"), relative);
        Assert.Equal(relative, unset);
    }

    [Fact]
    public void GetDefaultCacheDirectory_Windows_UsesLocalApplicationData()
    {
        string dir = FashionMnist.GetDefaultCacheDirectory(
            _ => "/ignored", windows: true,
            f => f == Environment.SpecialFolder.LocalApplicationData ? "/local-app-data" : "/wrong");
        Assert.Equal(Path.Combine("/local-app-data", "striate", "fashion-mnist"), dir);
    }

    // ---- search order -----------------------------------------------------------------------

    [Fact]
    public void Locate_DataDirectorySet_UsesOnlyIt()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("data"));
        fake.WriteTo(dir.Sub("cache"));
        fake.WriteTo(dir.Sub("system"));

        var files = FashionMnist.Locate(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") });

        Assert.NotNull(files);
        Assert.Equal(FashionMnistSource.DataDirectory, files.Source);
        Assert.Equal(dir.Sub("data"), files.Directory);
        Assert.Equal(Path.Combine(dir.Sub("data"), "train-images-idx3-ubyte.gz"), files.TrainImages);
        Assert.Equal(Path.Combine(dir.Sub("data"), "t10k-labels-idx1-ubyte.gz"), files.TestLabels);
    }

    [Fact]
    public void Locate_DataDirectoryLacksFiles_ThrowsNamingDirectoryAndFilesWithoutFallingBack()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("data"), count: 2);
        fake.WriteTo(dir.Sub("cache"));

        var ex = Assert.Throws<DatasetException>(() => FashionMnist.Locate(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") }));

        Assert.Contains($"data directory '{dir.Sub("data")}' lacks", ex.Message);
        Assert.Contains("t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)", ex.Message);
        Assert.DoesNotContain("train-images-idx3-ubyte(.gz)", ex.Message);
        Assert.Equal(dir.Sub("data"), ex.Path);
    }

    [Fact]
    public async Task LoadAsync_DataDirectoryDoesNotExist_ThrowsNamingItWithoutDownloading()
    {
        using var dir = new DataTempDirectory();
        using var server = new LocalHttpServer(new FakeFashionMnist().Served());
        var options = IsolatedOptions(dir) with { DataDirectory = dir.Sub("nowhere"), BaseUri = server.BaseUri };

        var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

        Assert.Contains($"data directory '{dir.Sub("nowhere")}' does not exist", ex.Message);
        Assert.Equal(0, server.Requests);
    }

    [Fact]
    public void Locate_CacheAndSystemBothComplete_PrefersCache()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("cache"));
        fake.WriteTo(dir.Sub("system"));

        var files = FashionMnist.Locate(IsolatedOptions(dir));

        Assert.NotNull(files);
        Assert.Equal(FashionMnistSource.Cache, files.Source);
        Assert.Equal(dir.Sub("cache"), files.Directory);
    }

    [Fact]
    public void Locate_IncompleteCache_FallsBackToSystemDirectory()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("cache"), count: 3);
        fake.WriteTo(dir.Sub("system"));

        var files = FashionMnist.Locate(IsolatedOptions(dir));

        Assert.NotNull(files);
        Assert.Equal(FashionMnistSource.System, files.Source);
        Assert.Equal(dir.Sub("system"), files.Directory);
    }

    [Fact]
    public void Locate_UncompressedNames_AreAcceptedAndLoad()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("system"), gzip: false);

        var files = FashionMnist.Locate(IsolatedOptions(dir));

        Assert.NotNull(files);
        Assert.Equal(Path.Combine(dir.Sub("system"), "train-images-idx3-ubyte"), files.TrainImages);
        var data = FashionMnist.LoadFrom(files);
        Assert.Equal([9, 0, 3], data.Train.Labels.ToArray());
    }

    [Fact]
    public void Locate_NowhereFound_ReturnsNull()
    {
        using var dir = new DataTempDirectory();
        Assert.Null(FashionMnist.Locate(IsolatedOptions(dir)));
    }

    [Fact]
    public void Load_NowhereFoundWithoutDownload_ExplainsHowToGetTheData()
    {
        using var dir = new DataTempDirectory();

        var ex = Assert.Throws<DatasetException>(() => FashionMnist.Load(IsolatedOptions(dir)));

        Assert.Contains(dir.Sub("cache"), ex.Message);
        Assert.Contains(dir.Sub("system"), ex.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
        Assert.Contains("--data DIR", ex.Message);
    }

    [Fact]
    public async Task LoadAsync_NowhereFoundAndDownloadOff_ThrowsWithoutCallingTheServer()
    {
        using var dir = new DataTempDirectory();
        using var server = new LocalHttpServer(new FakeFashionMnist().Served());
        var options = IsolatedOptions(dir) with { BaseUri = server.BaseUri, AllowDownload = false };

        var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

        Assert.Contains("downloading is off (AllowDownload is false)", ex.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
        Assert.Equal(0, server.Requests);
        Assert.False(Directory.Exists(dir.Sub("cache")));
    }

    // ---- loading and validation -------------------------------------------------------------

    [Fact]
    public void LoadFrom_FakeFiles_ScalesPixelsToUnitRangeWithClassNames()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("data"));

        var data = FashionMnist.Load(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") });

        Assert.Equal([3, 1, 28, 28], data.Train.Images.Shape);
        Assert.Equal([2, 1, 28, 28], data.Test.Images.Shape);
        Assert.Equal([9, 0, 3], data.Train.Labels.ToArray());
        Assert.Equal([1, 8], data.Test.Labels.ToArray());
        Assert.Equal("Bag", data.Test.ClassNames[8]);
        var pixels = fake.TrainImagesRaw.AsSpan(16);
        var values = data.Train.Images.AsSpan();
        for (int i = 0; i < pixels.Length; i++)
            Assert.True(values[i] == pixels[i] / 255f, $"pixel {i}: expected {pixels[i]}/255, got {values[i]}");
        Assert.Equal(1f, values[pixels.IndexOf((byte)255)]);
        Assert.Equal(0f, values[pixels.IndexOf((byte)0)]);
    }

    [Fact]
    public void LoadFrom_MismatchedCounts_NamesBothFilesAndBothCounts()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.Raw["train-labels-idx1-ubyte"] = IdxFiles.Make([2], [1, 2]);
        fake.WriteTo(dir.Sub("data"));
        string images = Path.Combine(dir.Sub("data"), "train-images-idx3-ubyte.gz");
        string labels = Path.Combine(dir.Sub("data"), "train-labels-idx1-ubyte.gz");

        var ex = Assert.Throws<DatasetException>(() => FashionMnist.Load(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") }));

        Assert.Contains($"images file '{images}' holds 3 images but labels file '{labels}' holds 2 labels", ex.Message);
    }

    [Fact]
    public void LoadFrom_LabelOutOfRange_NamesFileIndexAndLabel()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.Raw["t10k-labels-idx1-ubyte"] = IdxFiles.Make([2], [1, 12]);
        fake.WriteTo(dir.Sub("data"));

        var ex = Assert.Throws<DatasetException>(() => FashionMnist.Load(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") }));

        Assert.Contains("t10k-labels-idx1-ubyte.gz", ex.Message);
        Assert.Contains("label 12 at index 1; labels are 0..9", ex.Message);
    }

    [Fact]
    public void LoadFrom_ImagesNot28By28_ReportsSize()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.Raw["train-images-idx3-ubyte"] = IdxFiles.Make([3, 32, 32], new byte[3 * 32 * 32]);
        fake.WriteTo(dir.Sub("data"));

        var ex = Assert.Throws<DatasetException>(() => FashionMnist.Load(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") }));

        Assert.Contains("train-images-idx3-ubyte.gz", ex.Message);
        Assert.Contains("holds 32×32 images; 28×28 expected", ex.Message);
    }

    [Fact]
    public void LoadFrom_LabelsFileInImagesSlot_ReportsBadMagic()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.Raw["t10k-images-idx3-ubyte"] = fake.Raw["t10k-labels-idx1-ubyte"];
        fake.WriteTo(dir.Sub("data"));

        var ex = Assert.Throws<DatasetException>(() => FashionMnist.Load(IsolatedOptions(dir) with { DataDirectory = dir.Sub("data") }));

        Assert.Contains("t10k-images-idx3-ubyte.gz", ex.Message);
        Assert.Contains("bad magic number 0x00000801, expected 0x00000803", ex.Message);
    }

    // ---- downloads --------------------------------------------------------------------------

    [Fact]
    public async Task LoadAsync_NothingLocal_DownloadsVerifiesAndLoads()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        var served = fake.Served();
        using var server = new LocalHttpServer(served);
        var options = IsolatedOptions(dir) with { BaseUri = server.BaseUri, ExpectedSha256 = fake.Digests() };
        var reports = new List<DownloadProgress>();
        var progress = new SynchronousProgress(reports);

        var data = await FashionMnist.LoadAsync(options, progress);

        Assert.Equal(FashionMnistSource.Cache, data.Files.Source);
        Assert.Equal(4, server.Requests);
        Assert.Equal([9, 0, 3], data.Train.Labels.ToArray());
        Assert.Equal([1, 8], data.Test.Labels.ToArray());
        Assert.Equal(fake.TrainImagesRaw[16] / 255f, data.Train.Images.AsSpan()[0]);
        var cached = Directory.GetFiles(dir.Sub("cache")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(FashionMnist.FileNames.Order(StringComparer.Ordinal), cached);
        foreach (string name in FashionMnist.FileNames)
        {
            Assert.Equal(served[name], File.ReadAllBytes(Path.Combine(dir.Sub("cache"), name)));
            var last = reports.Last(r => r.FileName == name);
            Assert.Equal(served[name].Length, last.BytesReceived);
            Assert.Equal(served[name].Length, last.TotalBytes);
        }

        // A second load finds the cache and never calls the server.
        var again = await FashionMnist.LoadAsync(options);
        Assert.Equal(4, server.Requests);
        Assert.Equal([9, 0, 3], again.Train.Labels.ToArray());
    }

    [Fact]
    public async Task DownloadAsync_SomeFilesCached_DownloadsOnlyTheMissingOnes()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        fake.WriteTo(dir.Sub("cache"), count: 3);
        using var server = new LocalHttpServer(fake.Served());

        var files = await FashionMnist.DownloadAsync(IsolatedOptions(dir) with { BaseUri = server.BaseUri, ExpectedSha256 = fake.Digests() });

        Assert.Equal(1, server.Requests);
        Assert.Equal(Path.Combine(dir.Sub("cache"), "t10k-labels-idx1-ubyte.gz"), files.TestLabels);
    }

    [Fact]
    public async Task LoadAsync_ChecksumMismatch_ThrowsWithDigestsAndLeavesNoFile()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        using var server = new LocalHttpServer(fake.Served());
        var digests = fake.Digests();
        string actual = digests["train-labels-idx1-ubyte.gz"];
        string wrong = new('a', 64);
        digests["train-labels-idx1-ubyte.gz"] = wrong;
        var options = IsolatedOptions(dir) with { BaseUri = server.BaseUri, ExpectedSha256 = digests };

        var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

        Assert.Contains("Checksum mismatch for train-labels-idx1-ubyte.gz", ex.Message);
        Assert.Contains($"expected SHA-256 {wrong}", ex.Message);
        Assert.Contains($"got {actual}", ex.Message);
        var left = Directory.GetFiles(dir.Sub("cache")).Select(Path.GetFileName).ToArray();
        Assert.DoesNotContain(left, n => n!.StartsWith("train-labels", StringComparison.Ordinal));
        Assert.DoesNotContain(left, n => n!.EndsWith(".part", StringComparison.Ordinal));
        Assert.Null(FashionMnist.Locate(options));
    }

    [Fact]
    public async Task LoadAsync_ServerDown_ExplainsHowToGetTheData()
    {
        using var dir = new DataTempDirectory();
        var options = IsolatedOptions(dir) with { BaseUri = new Uri($"http://127.0.0.1:{LocalHttpServer.FreePort()}/") };

        var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

        Assert.IsType<HttpRequestException>(ex.InnerException);
        Assert.Contains("downloading http://127.0.0.1:", ex.Message);
        Assert.Contains("sudo apt-get install dataset-fashion-mnist", ex.Message);
        Assert.Contains($"into {dir.Sub("cache")}", ex.Message);
        Assert.Contains("--data DIR", ex.Message);
        Assert.Empty(Directory.GetFiles(dir.Sub("cache")));
    }

    [Fact]
    public async Task LoadAsync_ServerNeverAnswers_TimesOutWithOfflineHelp()
    {
        using var dir = new DataTempDirectory();
        var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start(); // accepts connections into its backlog and never replies
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromMilliseconds(300) };
            var options = IsolatedOptions(dir) with
            {
                BaseUri = new Uri($"http://127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port}/"),
                HttpClient = client,
            };

            var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

            Assert.IsType<TimeoutException>(ex.InnerException);
            Assert.Contains("did not answer within 0.3 s", ex.Message);
            Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
        }
        finally
        {
            silent.Stop();
        }
    }

    [Fact]
    public async Task LoadAsync_ServerAnswers404_ReportsStatusAndHelp()
    {
        using var dir = new DataTempDirectory();
        using var server = new LocalHttpServer(new Dictionary<string, byte[]>());
        var options = IsolatedOptions(dir) with { BaseUri = server.BaseUri };

        var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

        Assert.Contains("train-images-idx3-ubyte.gz answered 404", ex.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
        Assert.Equal(HttpStatusCode.NotFound, Assert.IsType<HttpRequestException>(ex.InnerException).StatusCode);
    }

    [Fact]
    public async Task LoadAsync_BodyIsCorruptGzip_DiscardsIt()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        var served = fake.Served();
        var broken = served["train-images-idx3-ubyte.gz"];
        for (int i = 10; i < broken.Length; i++) broken[i] = 0xff;
        using var server = new LocalHttpServer(served);
        var options = IsolatedOptions(dir) with { BaseUri = server.BaseUri, ExpectedSha256 = fake.Digests() };

        var ex = await Assert.ThrowsAsync<DatasetException>(() => FashionMnist.LoadAsync(options));

        Assert.Contains("is not valid gzip data", ex.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", ex.Message);
        Assert.Empty(Directory.GetFiles(dir.Sub("cache")));
    }

    [Fact]
    public async Task LoadAsync_Cancelled_ThrowsAndLeavesNoFile()
    {
        using var dir = new DataTempDirectory();
        var fake = new FakeFashionMnist();
        using var server = new LocalHttpServer(fake.Served());
        var options = IsolatedOptions(dir) with { BaseUri = server.BaseUri, ExpectedSha256 = fake.Digests() };
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FashionMnist.LoadAsync(options, null, cts.Token));

        Assert.Empty(Directory.GetFiles(dir.Sub("cache")));
    }

    [Fact]
    public void ComputeSha256_GzipAndRawCopies_HaveTheSameContentDigest()
    {
        using var dir = new DataTempDirectory();
        var content = IdxFiles.Make([4], [1, 2, 3, 4]);
        string raw = dir.Write("raw", content);
        string gz = dir.Write("raw.gz", IdxFiles.Gzip(content));
        string expected = Convert.ToHexStringLower(SHA256.HashData(content));

        Assert.Equal(expected, DatasetDownloader.ComputeSha256(raw, ChecksumTarget.DecompressedContent));
        Assert.Equal(expected, DatasetDownloader.ComputeSha256(gz, ChecksumTarget.DecompressedContent));
        Assert.Equal(expected, DatasetDownloader.ComputeSha256(raw, ChecksumTarget.FileBytes));
        Assert.NotEqual(expected, DatasetDownloader.ComputeSha256(gz, ChecksumTarget.FileBytes));
    }

    [Fact]
    public async Task DatasetDownloader_FileBytesDigest_WritesVerifiedFile()
    {
        using var dir = new DataTempDirectory();
        byte[] body = [1, 2, 3, 4, 5];
        using var server = new LocalHttpServer(new Dictionary<string, byte[]> { ["blob.bin"] = body });
        using var client = new HttpClient();
        string destination = dir.Sub(Path.Combine("nested", "blob.bin"));

        await DatasetDownloader.DownloadAsync(client, new Uri(server.BaseUri, "blob.bin"), destination,
            Convert.ToHexString(SHA256.HashData(body)), ChecksumTarget.FileBytes);

        Assert.Equal(body, File.ReadAllBytes(destination));
        Assert.Equal(["blob.bin"], Directory.GetFiles(dir.Sub("nested")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task DatasetDownloader_MalformedDigest_ThrowsNamingIt()
    {
        using var client = new HttpClient();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => DatasetDownloader.DownloadAsync(
            client, new Uri("http://127.0.0.1:1/x"), Path.Combine(Path.GetTempPath(), "x"), "abc", ChecksumTarget.FileBytes));
        Assert.Equal("expectedSha256", ex.ParamName);
    }

    /// <summary>Records reports on the calling thread (Progress&lt;T&gt; would post them to the thread pool).</summary>
    private sealed class SynchronousProgress(List<DownloadProgress> reports) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => reports.Add(value);
    }
}
