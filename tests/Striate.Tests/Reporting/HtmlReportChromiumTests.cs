// The report as a person sees it: headless Chromium (Debian's `chromium` package) renders a real report
// to a PNG screenshot, which Striate's own decoder reads back. The charts are visible when each series
// colour is drawn over a line's worth of pixels, the confusion heat map's shaded cells are there, and the
// misclassified samples (PNG data URIs) show their black background and grey squares. Skipped, with the
// reason, only where no Chromium is installed (CI: `apt-get install -y chromium`).
using System.Diagnostics;
using Striate.Imaging;
using Striate.Reporting;

namespace Striate.Tests.Reporting;

/// <summary>A fact that is skipped when no Chromium binary is installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HtmlReportChromiumTests.Chromium is null)
            Skip = "Chromium is not installed (looked for /usr/bin/chromium, chromium-browser, google-chrome): apt-get install -y chromium";
    }
}

public sealed class HtmlReportChromiumTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-chromium-" + Guid.NewGuid().ToString("N"));

    public HtmlReportChromiumTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The first Chromium binary found, or null.</summary>
    internal static string? Chromium { get; } = new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);

    private ImageData Screenshot(string htmlPath, int width, int height)
    {
        string png = Path.Combine(_dir, "shot.png");
        var psi = new ProcessStartInfo(Chromium!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // --no-sandbox: test machines run as root, where Chromium's sandbox refuses to start; the page is our own file.
        foreach (string a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                     $"--user-data-dir={Path.Combine(_dir, "profile")}", $"--window-size={width},{height}", $"--screenshot={png}", new Uri(htmlPath).AbsoluteUri })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(120_000))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("Chromium did not finish the screenshot in 120 s.");
        }
        Assert.True(File.Exists(png), $"Chromium exited {p.ExitCode} without a screenshot: {stderr.Result}");
        return Png.Load(png);
    }

    /// <summary>How many pixels are within <paramref name="tolerance"/> of (r, g, b) in every channel.</summary>
    private static int Count(ImageData image, int r, int g, int b, int tolerance = 24)
    {
        int n = 0;
        for (int y = 0; y < image.Height; y++)
            for (int x = 0; x < image.Width; x++)
                if (Math.Abs(image[y, x, 0] - r) <= tolerance && Math.Abs(image[y, x, 1] - g) <= tolerance && Math.Abs(image[y, x, 2] - b) <= tolerance)
                    n++;
        return n;
    }

    [ChromiumFact]
    public void Report_RenderedByChromium_ShowsChartsHeatMapAndSamples()
    {
        string path = Path.Combine(_dir, "report.html");
        HtmlReport.Write(path, HtmlReportTests.SampleReport());

        var shot = Screenshot(path, 1200, 2400);

        Assert.Equal((1200, 2400), (shot.Width, shot.Height));
        Assert.True(shot.Channels >= 3, $"{shot.Channels} channels");
        // Series colours (SvgChart/HtmlReport): each line is 2 px wide and hundreds of pixels long, in two charts
        // for train and test; the learning-rate line is in one.
        foreach (var (name, r, g, b) in new[] { ("train #08519c", 8, 81, 156), ("test #d94801", 217, 72, 1), ("lr #238b45", 35, 139, 69), ("per-step #9ecae1", 158, 202, 225) })
        {
            int n = Count(shot, r, g, b);
            Assert.True(n >= 300, $"series {name}: only {n} pixels of its colour in the screenshot; the chart is not visible");
        }
        // The heat map's off-diagonal cells are pink rgb(255, s, s) and its diagonal green; the confused cells are darker.
        int pink = 0, green = 0;
        for (int y = 0; y < shot.Height; y++)
            for (int x = 0; x < shot.Width; x++)
            {
                int r = shot[y, x, 0], g = shot[y, x, 1], b = shot[y, x, 2];
                if (r == 255 && g < 245 && Math.Abs(g - b) <= 2) pink++;
                if (r < 200 && Math.Abs(r - b) <= 2 && g - r >= 38 && g - r <= 42) green++; // rgb(s, s + 40, s)
            }
        Assert.True(pink >= 4 * 33 * 33, $"only {pink} pink heat-map pixels");
        Assert.True(green >= 10 * 33 * 33 / 2, $"only {green} pixels of the heat map's green diagonal");
        // Four 84×84 samples: black background (nothing else on the page is pure black) with a grey square.
        int black = Count(shot, 0, 0, 0, tolerance: 0), grey = Count(shot, 128, 128, 128, tolerance: 0);
        Assert.True(black >= 4 * (84 * 84 - 48 * 48) * 9 / 10, $"only {black} black sample pixels");
        Assert.True(grey >= 4 * 48 * 45 * 9 / 10, $"only {grey} grey sample pixels");
    }

    [ChromiumFact]
    public void Report_TrainCommandRunFolder_RendersItsCurves()
    {
        // The report a real `striate train` wrote, not a hand-made one.
        string data = Striate.Tests.Cli.Commands.CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 160, testCount: 40);
        string run = Path.Combine(_dir, "run");
        var (code, _, stderr) = Striate.Tests.Cli.Commands.CliRunner.Run("train", "--data", data, "--epochs", "2", "--batch-size", "16", "--threads", "1",
            "--json", "--checkpoint-dir", run, "--save", Path.Combine(_dir, "m.safetensors"));
        Assert.True(code == 0, stderr);

        var shot = Screenshot(Path.Combine(run, "report.html"), 1200, 1400);

        Assert.True(Count(shot, 8, 81, 156) >= 200, "the train curves are not visible");
        Assert.True(Count(shot, 217, 72, 1) >= 200, "the test curves are not visible");
        Assert.True(Count(shot, 35, 139, 69) >= 100, "the learning-rate curve is not visible");
    }
}
