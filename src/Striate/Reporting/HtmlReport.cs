// A run's report: one self-contained HTML file (inline CSS and SVG, no scripts, no network)
// with the loss, accuracy and learning-rate curves, the confusion matrix and misclassified
// samples, written atomically next to the run's checkpoints.
using System.Globalization;
using System.Net;
using System.Text;
using Striate.Imaging;
using Striate.Training;

namespace Striate.Reporting;

/// <summary>A test image the model got wrong, for the report.</summary>
/// <param name="Pixels">H×W greyscale values in [0, 1].</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Actual">True class.</param>
/// <param name="Predicted">Predicted class.</param>
public sealed record MisclassifiedSample(float[] Pixels, int Height, int Width, int Actual, int Predicted);

/// <summary>Everything a report shows.</summary>
public sealed record RunReport
{
    /// <summary>Heading, e.g. the model and dataset.</summary>
    public required string Title { get; init; }

    /// <summary>Options of the run, shown as a table.</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; init; } = new Dictionary<string, string>();

    /// <summary>Per-epoch summaries (train and validation loss/accuracy, learning rate).</summary>
    public IReadOnlyList<EpochSummary> Epochs { get; init; } = [];

    /// <summary>Per-step training losses (x = global step), drawn thin behind the epoch means; may be empty.</summary>
    public IReadOnlyList<(int Step, float Loss)> StepLosses { get; init; } = [];

    /// <summary>The final confusion matrix on the validation/test set, or null.</summary>
    public ConfusionMatrix? Confusion { get; init; }

    /// <summary>Class names for the confusion matrix and samples.</summary>
    public IReadOnlyList<string> ClassNames { get; init; } = [];

    /// <summary>A few misclassified test images.</summary>
    public IReadOnlyList<MisclassifiedSample> Misclassified { get; init; } = [];
}

/// <summary>Writes <see cref="RunReport"/>s as HTML.</summary>
public static class HtmlReport
{
    /// <summary>The report as an HTML document.</summary>
    public static string Render(RunReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Esc(report.Title)).Append("</title>");
        sb.Append("<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}" +
                  "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;font-size:13px;text-align:left}" +
                  ".charts{display:flex;flex-wrap:wrap;gap:16px}.samples{display:flex;flex-wrap:wrap;gap:10px}" +
                  ".sample{margin:0;font-size:11px}.sample img{display:block;image-rendering:pixelated}</style></head><body>");
        sb.Append("<h1>").Append(Esc(report.Title)).Append("</h1>");
        if (report.Epochs.Count > 0)
        {
            var last = report.Epochs[^1];
            sb.Append(CultureInfo.InvariantCulture, $"<p>{report.Epochs.Count} epoch(s); final training loss {last.Train.MeanLoss:F4}");
            if (last.Validation is { } v) sb.Append(CultureInfo.InvariantCulture, $", test accuracy <b>{v.Accuracy:P2}</b>");
            sb.Append(CultureInfo.InvariantCulture, $"; {report.Epochs.Average(e => e.Train.ImagesPerSecond):N0} training images/s.</p>");
        }
        sb.Append("<h2>Curves</h2><div class=\"charts\">");
        var lossSeries = new List<ChartSeries>();
        if (report.StepLosses.Count > 0)
        {
            int stepsPerEpoch = Math.Max(1, report.StepLosses.Count / Math.Max(1, report.Epochs.Count));
            lossSeries.Add(new ChartSeries("train (per step)", "#9ecae1", [.. report.StepLosses.Select(s => ((double)s.Step / stepsPerEpoch, (double)s.Loss))]));
        }
        lossSeries.Add(new ChartSeries("train", "#08519c", [.. report.Epochs.Select(e => ((double)e.Epoch, e.Train.MeanLoss))]));
        lossSeries.Add(new ChartSeries("test", "#d94801", [.. report.Epochs.Where(e => e.Validation is not null).Select(e => ((double)e.Epoch, e.Validation!.MeanLoss))]));
        sb.Append(SvgChart.Lines("Loss", "epoch", "cross-entropy", lossSeries));
        sb.Append(SvgChart.Lines("Accuracy", "epoch", "accuracy",
        [
            new ChartSeries("train", "#08519c", [.. report.Epochs.Select(e => ((double)e.Epoch, e.Train.Accuracy))]),
            new ChartSeries("test", "#d94801", [.. report.Epochs.Where(e => e.Validation is not null).Select(e => ((double)e.Epoch, e.Validation!.Accuracy))]),
        ]));
        sb.Append(SvgChart.Lines("Learning rate", "epoch", "learning rate",
            [new ChartSeries("lr", "#238b45", [.. report.Epochs.Select(e => ((double)e.Epoch, (double)e.LearningRate))])]));
        sb.Append("</div>");

        if (report.Confusion is { } m)
        {
            var names = report.ClassNames.Count == m.Classes ? report.ClassNames : [.. Enumerable.Range(0, m.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            var values = new long[m.Classes, m.Classes];
            for (int r = 0; r < m.Classes; r++) for (int c = 0; c < m.Classes; c++) values[r, c] = m[r, c];
            sb.Append("<h2>Confusion matrix (rows: true class, columns: predicted)</h2>");
            sb.Append(SvgChart.HeatMap($"accuracy {m.Accuracy:P2}", names, [.. Enumerable.Range(0, m.Classes).Select(i => i.ToString(CultureInfo.InvariantCulture))], values));
            sb.Append("<table><tr><th>class</th><th>precision</th><th>recall</th><th>F1</th></tr>");
            for (int c = 0; c < m.Classes; c++)
                sb.Append(CultureInfo.InvariantCulture, $"<tr><td>{c} {Esc(names[c])}</td><td>{m.Precision(c):P1}</td><td>{m.Recall(c):P1}</td><td>{m.F1(c):F3}</td></tr>");
            sb.Append("</table>");
        }

        if (report.Misclassified.Count > 0)
        {
            sb.Append("<h2>Misclassified test images</h2><div class=\"samples\">");
            foreach (var s in report.Misclassified)
            {
                // An embedded PNG (a data URI) is ~1 KB per image; drawn as SVG rectangles it would be ~40 KB.
                string caption = $"{NameOf(report, s.Actual)} → {NameOf(report, s.Predicted)}";
                sb.Append(CultureInfo.InvariantCulture,
                    $"<figure class=\"sample\"><img src=\"{GreyPngDataUri(s.Pixels, s.Height, s.Width, SampleScale)}\" width=\"{s.Width * SampleScale}\" height=\"{s.Height * SampleScale}\" alt=\"{Esc(caption)}\">");
                sb.Append("<figcaption>").Append(Esc(caption)).Append("</figcaption></figure>");
            }
            sb.Append("</div>");
        }

        sb.Append("<h2>Configuration</h2><table>");
        foreach (var (k, v) in report.Configuration) sb.Append("<tr><th>").Append(Esc(k)).Append("</th><td>").Append(Esc(v)).Append("</td></tr>");
        sb.Append("</table><p style=\"color:#888;font-size:12px\">Written by Striate.</p></body></html>");
        return sb.ToString();
    }

    /// <summary>Writes the report to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <exception cref="IOException">The file could not be written; a previous report at the path is left as it was.</exception>
    public static void Write(string path, RunReport report)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string html = Render(report);
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            File.WriteAllText(temp, html, new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Pixels per image pixel in the misclassified samples (28×28 images become 84×84).</summary>
    public const int SampleScale = 3;

    /// <summary>
    /// A greyscale image as a <c>data:image/png;base64,…</c> URI for an HTML <c>img</c>: value v ∈ [0, 1] becomes
    /// grey level round(255·clamp(v, 0, 1)), each pixel drawn as a <paramref name="scale"/>×<paramref name="scale"/> block.
    /// </summary>
    /// <param name="pixels">H×W values, row-major.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="scale">Block size, 1 to 16.</param>
    /// <returns>The URI, an 8-bit greyscale PNG of (H·scale)×(W·scale) pixels.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="height"/> or <paramref name="width"/> is not positive, or <paramref name="scale"/> is outside 1..16.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold H×W values.</exception>
    public static string GreyPngDataUri(ReadOnlySpan<float> pixels, int height, int width, int scale = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(scale, 16);
        if (pixels.Length != (long)height * width)
            throw new ArgumentException($"A {height}×{width} image needs {(long)height * width} values; {pixels.Length} were given.", nameof(pixels));
        int outW = width * scale;
        var bytes = new byte[height * scale * outW];
        for (int y = 0; y < height * scale; y++)
            for (int x = 0; x < outW; x++)
                bytes[y * outW + x] = (byte)Math.Round(255 * Math.Clamp(pixels[y / scale * width + x / scale], 0f, 1f));
        return "data:image/png;base64," + Convert.ToBase64String(Png.Encode(new ImageData(outW, height * scale, 1, bytes)));
    }

    private static string NameOf(RunReport r, int c) => c < r.ClassNames.Count ? r.ClassNames[c] : c.ToString(CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
