// HtmlReport: the document holds every chart (loss, accuracy, learning rate as SVG polylines in the
// series colours), the confusion heat map, misclassified samples as PNG data URIs that decode back to
// the pixels given, and nothing that needs a network or a script.
using System.Text.RegularExpressions;
using Striate.Imaging;
using Striate.Reporting;
using Striate.Training;

namespace Striate.Tests.Reporting;

public class HtmlReportTests
{
    /// <summary>A plausible six-epoch run with a 10-class confusion matrix and four misclassified 28×28 images.</summary>
    internal static RunReport SampleReport()
    {
        var epochs = new List<EpochSummary>();
        var steps = new List<(int, float)>();
        for (int e = 1; e <= 6; e++)
        {
            double trainLoss = 1.2 / e, testLoss = 1.0 / e + 0.05;
            epochs.Add(new EpochSummary(e, new EpochResult(trainLoss, 0.6 + 0.05 * e, 6000, TimeSpan.FromSeconds(10), []),
                new EvaluationResult(0.62 + 0.045 * e, testLoss, 1000, TimeSpan.FromSeconds(1)), 0.1f * MathF.Cos(e / 6f * MathF.PI / 2)));
            for (int s = 1; s <= 10; s++) steps.Add(((e - 1) * 10 + s, (float)(1.3 / (e + s / 10.0) + 0.05 * ((s * 7) % 3))));
        }
        var confusion = new ConfusionMatrix(10, topK: 2);
        var rng = new Rng(3);
        var labels = new int[200];
        var logits = new float[200 * 10];
        for (int i = 0; i < 200; i++)
        {
            labels[i] = i % 10;
            for (int c = 0; c < 10; c++) logits[i * 10 + c] = rng.NextSingle();
            logits[i * 10 + (i % 7 == 0 ? (i + 3) % 10 : i % 10)] += 2; // mostly right, some confusions
        }
        confusion.Add(Tensor.FromArray(logits, 200, 10), labels);
        var samples = new List<MisclassifiedSample>();
        for (int k = 0; k < 4; k++)
        {
            var pixels = new float[28 * 28];
            for (int y = 6; y < 22; y++) for (int x = 6 + k; x < 22; x++) pixels[y * 28 + x] = 0.5f; // a grey square on black
            samples.Add(new MisclassifiedSample(pixels, 28, 28, k, (k + 1) % 10));
        }
        return new RunReport
        {
            Title = "fashion-cnn on fashion-mnist",
            Configuration = new Dictionary<string, string> { ["model"] = "fashion-cnn", ["augment"] = "Compose(RandomCrop(28×28, padding=2))" },
            Epochs = epochs,
            StepLosses = steps,
            Confusion = confusion,
            ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
            Misclassified = samples,
        };
    }

    [Fact]
    public void Render_SampleRun_HasEveryChartAndSeries()
    {
        string html = HtmlReport.Render(SampleReport());

        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        foreach (string title in new[] { "aria-label=\"Loss\"", "aria-label=\"Accuracy\"", "aria-label=\"Learning rate\"", "Confusion matrix" })
            Assert.Contains(title, html, StringComparison.Ordinal);
        Assert.Equal(2, Regex.Matches(html, "data-name=\"test\"").Count);  // test loss and test accuracy
        Assert.Single(Regex.Matches(html, "data-name=\"train \\(per step\\)\""));
        Assert.Equal(100, Regex.Matches(html, "class=\"cell\"").Count);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Misclassified_AreEmbeddedPngsThatDecodeToThePixels()
    {
        var report = SampleReport();
        string html = HtmlReport.Render(report);

        var uris = Regex.Matches(html, "<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");
        Assert.Equal(report.Misclassified.Count, uris.Count);
        Assert.Contains("T-shirt/top → Trouser", html, StringComparison.Ordinal);
        for (int k = 0; k < uris.Count; k++)
        {
            var image = Png.Decode(Convert.FromBase64String(uris[k].Groups[1].Value));
            int scale = HtmlReport.SampleScale;
            Assert.Equal((28 * scale, 28 * scale, 1), (image.Width, image.Height, image.Channels));
            var pixels = report.Misclassified[k].Pixels;
            for (int y = 0; y < image.Height; y++)
                for (int x = 0; x < image.Width; x++)
                    Assert.Equal((byte)Math.Round(255 * pixels[y / scale * 28 + x / scale]), image[y, x, 0]);
        }
    }

    [Fact]
    public void GreyPngDataUri_ClampsAndScales()
    {
        string uri = HtmlReport.GreyPngDataUri([-1f, 0.25f, 1f, 2f], 2, 2, scale: 2);

        Assert.StartsWith("data:image/png;base64,", uri, StringComparison.Ordinal);
        var image = Png.Decode(Convert.FromBase64String(uri["data:image/png;base64,".Length..]));
        Assert.Equal((4, 4), (image.Width, image.Height));
        Assert.Equal([0, 0, 64, 64, 0, 0, 64, 64, 255, 255, 255, 255, 255, 255, 255, 255], image.Pixels);
    }

    [Fact]
    public void GreyPngDataUri_BadArguments_Throw()
    {
        Assert.Equal("pixels", Assert.Throws<ArgumentException>(() => HtmlReport.GreyPngDataUri([1f, 2f], 2, 2)).ParamName);
        Assert.Equal("height", Assert.Throws<ArgumentOutOfRangeException>(() => HtmlReport.GreyPngDataUri([], 0, 2)).ParamName);
        Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => HtmlReport.GreyPngDataUri([], 2, 0)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentOutOfRangeException>(() => HtmlReport.GreyPngDataUri([1f], 1, 1, 17)).ParamName);
    }
}
