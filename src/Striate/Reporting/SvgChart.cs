// Minimal SVG charts for run reports: line charts with "nice" axis ticks and a heat map.
// Output is plain SVG text with inline styles, so a report is one self-contained file.
using System.Globalization;
using System.Net;
using System.Text;

namespace Striate.Reporting;

/// <summary>One line of a chart.</summary>
/// <param name="Name">Legend text.</param>
/// <param name="Color">CSS colour.</param>
/// <param name="Points">(x, y) points; non-finite values are skipped.</param>
public sealed record ChartSeries(string Name, string Color, IReadOnlyList<(double X, double Y)> Points);

/// <summary>Renders charts as SVG.</summary>
public static class SvgChart
{
    private const int Width = 520, Height = 300, Left = 60, Right = 20, Top = 30, Bottom = 45;

    /// <summary>A line chart with axes, ticks, a title and a legend.</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var points = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        double xMin = points.Count == 0 ? 0 : points.Min(p => p.X), xMax = points.Count == 0 ? 1 : points.Max(p => p.X);
        double yMin = points.Count == 0 ? 0 : points.Min(p => p.Y), yMax = points.Count == 0 ? 1 : points.Max(p => p.Y);
        var xTicks = NiceTicks(xMin, xMax);
        var yTicks = NiceTicks(yMin, yMax);
        (xMin, xMax) = (Math.Min(xMin, xTicks[0]), Math.Max(xMax, xTicks[^1]));
        (yMin, yMax) = (Math.Min(yMin, yTicks[0]), Math.Max(yMax, yTicks[^1]));
        double Sx(double x) => Left + (xMax == xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * (Width - Left - Right);
        double Sy(double y) => Height - Bottom - (yMax == yMin ? 0.5 : (y - yMin) / (yMax - yMin)) * (Height - Top - Bottom);

        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"18\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Esc(title)}</text>");
        foreach (double t in yTicks)
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Sy(t))}\" y2=\"{F(Sy(t))}\" stroke=\"#ddd\"/><text x=\"{Left - 6}\" y=\"{F(Sy(t) + 4)}\" text-anchor=\"end\" font-size=\"11\">{Label(t)}</text>");
        foreach (double t in xTicks)
            sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{F(Sx(t))}\" x2=\"{F(Sx(t))}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom + 4}\" stroke=\"#333\"/><text x=\"{F(Sx(t))}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{Label(t)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Height - Bottom}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/><line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(Left + Width - Right) / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\" font-size=\"12\">{Esc(xLabel)}</text>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"14\" y=\"{(Top + Height - Bottom) / 2}\" text-anchor=\"middle\" font-size=\"12\" transform=\"rotate(-90 14 {(Top + Height - Bottom) / 2})\">{Esc(yLabel)}</text>");
        int legendX = Left + 10;
        foreach (var s in series)
        {
            var finite = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            if (finite.Count > 0)
            {
                sb.Append(CultureInfo.InvariantCulture, $"<polyline class=\"series\" data-name=\"{Esc(s.Name)}\" fill=\"none\" stroke=\"{Esc(s.Color)}\" stroke-width=\"2\" points=\"");
                sb.AppendJoin(' ', finite.Select(p => $"{F(Sx(p.X))},{F(Sy(p.Y))}"));
                sb.Append("\"/>");
                if (finite.Count <= 60)
                    foreach (var p in finite) sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(Sx(p.X))}\" cy=\"{F(Sy(p.Y))}\" r=\"2.5\" fill=\"{Esc(s.Color)}\"/>");
            }
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{legendX}\" y=\"{Top + 2}\" width=\"12\" height=\"3\" fill=\"{Esc(s.Color)}\"/><text x=\"{legendX + 16}\" y=\"{Top + 8}\" font-size=\"11\">{Esc(s.Name)}</text>");
            legendX += 24 + 7 * s.Name.Length;
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>A heat map of a matrix (e.g. a confusion matrix) with row and column labels and the counts written in the cells.</summary>
    public static string HeatMap(string title, IReadOnlyList<string> rowLabels, IReadOnlyList<string> columnLabels, long[,] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        int rows = values.GetLength(0), cols = values.GetLength(1);
        const int cell = 34, labelWidth = 110, top = 40;
        int width = labelWidth + cols * cell + 10, height = top + rows * cell + 20;
        long max = 1;
        foreach (long v in values) max = Math.Max(max, v);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{Esc(title)}\">");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{width / 2}\" y=\"16\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Esc(title)}</text>");
        for (int c = 0; c < cols; c++)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + c * cell + cell / 2}\" y=\"{top - 6}\" text-anchor=\"middle\" font-size=\"10\">{Esc(columnLabels[c])}</text>");
        for (int r = 0; r < rows; r++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth - 6}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"end\" font-size=\"11\">{Esc(rowLabels[r])}</text>");
            for (int c = 0; c < cols; c++)
            {
                double intensity = (double)values[r, c] / max;
                int shade = (int)Math.Round(255 - 200 * intensity);
                string fill = r == c ? $"rgb({shade},{Math.Min(255, shade + 40)},{shade})" : $"rgb(255,{shade},{shade})";
                sb.Append(CultureInfo.InvariantCulture, $"<rect class=\"cell\" x=\"{labelWidth + c * cell}\" y=\"{top + r * cell}\" width=\"{cell - 1}\" height=\"{cell - 1}\" fill=\"{fill}\"/>");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{labelWidth + c * cell + cell / 2}\" y=\"{top + r * cell + cell / 2 + 4}\" text-anchor=\"middle\" font-size=\"10\">{values[r, c]}</text>");
            }
        }
        return sb.Append("</svg>").ToString();
    }

    /// <summary>A greyscale image (values in [0, 1], row-major H×W) drawn as SVG pixels, scaled by <paramref name="scale"/>.</summary>
    public static string GreyImage(ReadOnlySpan<float> pixels, int height, int width, int scale, string caption)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width * scale}\" height=\"{height * scale + 28}\" shape-rendering=\"crispEdges\">");
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int v = (int)Math.Round(255 * Math.Clamp(pixels[y * width + x], 0f, 1f));
                if (v == 0) continue; // black background below
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x * scale}\" y=\"{y * scale}\" width=\"{scale}\" height=\"{scale}\" fill=\"rgb({v},{v},{v})\"/>");
            }
        sb.Insert(sb.ToString().IndexOf('>') + 1, $"<rect width=\"{width * scale}\" height=\"{height * scale}\" fill=\"black\"/>");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"0\" y=\"{height * scale + 12}\" font-size=\"10\">{Esc(caption)}</text>");
        return sb.Append("</svg>").ToString();
    }

    /// <summary>About five round tick values covering [min, max] (steps of 1, 2 or 5 × 10ⁿ).</summary>
    public static double[] NiceTicks(double min, double max)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) return [0, 1];
        if (max <= min) { double pad = Math.Abs(min) * 0.1 + 1e-9; (min, max) = (min - pad, max + pad); }
        double raw = (max - min) / 5;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = (raw / magnitude) switch { < 1.5 => 1, < 3 => 2, < 7 => 5, _ => 10 } * magnitude;
        double start = Math.Floor(min / step) * step;
        var ticks = new List<double>();
        for (double t = start; t <= max + step * 0.5 && ticks.Count < 20; t += step) ticks.Add(Math.Round(t / step) * step);
        return [.. ticks];
    }

    private static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

    private static string Label(double v) => Math.Abs(v) >= 1000 || (Math.Abs(v) < 0.01 && v != 0)
        ? v.ToString("0.##E0", CultureInfo.InvariantCulture)
        : v.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Esc(string s) => WebUtility.HtmlEncode(s);
}
