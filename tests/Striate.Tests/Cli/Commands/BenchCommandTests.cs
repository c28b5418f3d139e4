// striate bench gemm through a child process: the JSON line's fields and plausibility, the text line,
// and clear errors for bad options. Tiny sizes only: heavy measurement belongs in benchmarks.
using System.Text.Json;

namespace Striate.Tests.Cli.Commands;

public sealed class BenchCommandTests
{
    [Fact]
    public void BenchGemm_Json_PrintsOneLineWithConsistentNumbers()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "gemm", "--size", "48", "--threads", "2", "--repeat", "3", "--json");

        Assert.True(code == 0, $"exit {code}, stderr: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        using var doc = JsonDocument.Parse(lines[0]);
        var root = doc.RootElement;
        Assert.Equal("gemm", root.GetProperty("bench").GetString());
        Assert.Equal(48, root.GetProperty("size").GetInt32());
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.Equal(3, root.GetProperty("runs").GetInt32());
        Assert.StartsWith("Gemm", root.GetProperty("kernel").GetString(), StringComparison.Ordinal);
        double best = root.GetProperty("best_gflops").GetDouble(), median = root.GetProperty("median_gflops").GetDouble();
        double bestMs = root.GetProperty("best_ms").GetDouble();
        Assert.True(best > 0 && median > 0 && best >= median, lines[0]);
        Assert.True(root.GetProperty("calls_per_run").GetInt32() >= 1, lines[0]);
        // GFLOP/s and milliseconds describe the same time: 2·48³ operations / best_ms.
        double fromMs = 2.0 * 48 * 48 * 48 / (bestMs * 1e-3) / 1e9;
        Assert.InRange(best / fromMs, 0.99, 1.01);
    }

    [Fact]
    public void BenchGemm_Text_PrintsOneLineWithGflops()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "gemm", "--size", "16", "--threads", "1", "--repeat", "1");

        Assert.True(code == 0, $"exit {code}, stderr: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("gemm 16×16×16, 1 thread, Gemm", lines[0], StringComparison.Ordinal);
        Assert.Contains("GFLOP/s best", lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--size", "0", "--size must be between 1 and 16384")]
    [InlineData("--size", "20000", "--size must be between 1 and 16384")]
    [InlineData("--threads", "0", "--threads must be at least 1")]
    [InlineData("--repeat", "0", "--repeat must be at least 1")]
    public void BenchGemm_BadOption_ExitsOneNamingIt(string option, string value, string message)
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "gemm", option, value);

        Assert.Equal(1, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }
}
