// striate bench resnet18 on a tiny configuration (32×32 images, one timed call): the anchor's JSON
// fields, figures that agree with each other, the text form, and clear errors for bad options.
using System.Text.Json;
using Striate.Cli.Commands;

namespace Striate.Tests.Cli.Commands;

public sealed class BenchResnet18CommandTests
{
    [Fact]
    public void Run_TinyJson_AnchorFieldsAndConsistentFigures()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchResnet18Command.Run(threads: 2, batches: [1, 2], imageSize: 32, repeat: 1, json: true, output));

        string line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = JsonDocument.Parse(line).RootElement;
        Assert.Equal("resnet18", root.GetProperty("model").GetString());
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.Equal(32, root.GetProperty("image_size").GetInt32());
        // Batch 16 was not measured: its anchor field is null, batch 1's is the batch-1 figure.
        Assert.Equal(JsonValueKind.Null, root.GetProperty("batch16_images_per_sec").ValueKind);
        var batches = root.GetProperty("batches").EnumerateArray().ToArray();
        Assert.Equal([1, 2], batches.Select(b => b.GetProperty("batch").GetInt32()));
        Assert.Equal(batches[0].GetProperty("ms").GetDouble(), root.GetProperty("batch1_ms").GetDouble());
        foreach (var b in batches)
        {
            double ms = b.GetProperty("ms").GetDouble(), rate = b.GetProperty("images_per_sec").GetDouble();
            Assert.True(ms > 0 && rate > 0, line);
            // images/s = batch / seconds per call, both rounded (ms to 3 decimals, the rate to 2).
            double expected = b.GetProperty("batch").GetInt32() / (ms * 1e-3);
            Assert.InRange(rate / expected, 0.99, 1.01);
        }
    }

    [Fact]
    public void Run_TinyText_OneLinePerBatch()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchResnet18Command.Run(threads: 1, batches: [1], imageSize: 32, repeat: 1, json: false, output));

        string line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("resnet18 32×32, batch 1, 1 thread: ", line, StringComparison.Ordinal);
        Assert.Contains("images/s", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 1, 32, 1, "threads")]
    [InlineData(1, 0, 32, 1, "batches")]
    [InlineData(1, 2000, 32, 1, "batches")]
    [InlineData(1, 1, 16, 1, "imageSize")]
    [InlineData(1, 1, 32, 0, "repeat")]
    public void Run_BadOption_ThrowsNamingIt(int threads, int batch, int imageSize, int repeat, string parameter)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchResnet18Command.Run(threads, [batch], imageSize, repeat, json: true, TextWriter.Null));
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void Run_NoBatch_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => BenchResnet18Command.Run(1, [], 32, null, json: true, TextWriter.Null));
        Assert.Equal("batches", e.ParamName);
    }

    [Fact]
    public void Cli_TinyConfig_PrintsOneJsonLine()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "resnet18", "--threads", "1", "--batch", "1", "--image-size", "32", "--repeat", "1", "--json");
        Assert.True(code == 0, $"exit {code}, stderr: {stderr}");
        var root = JsonDocument.Parse(Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))).RootElement;
        Assert.True(root.GetProperty("batch1_ms").GetDouble() > 0, stdout);
    }

    [Fact]
    public void Cli_BadImageSize_ExitsOneNamingIt()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "resnet18", "--image-size", "8");
        Assert.Equal(1, code);
        Assert.Contains("--image-size must be between 32 and 1024", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }
}
