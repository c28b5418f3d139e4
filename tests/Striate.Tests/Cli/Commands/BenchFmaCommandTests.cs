// striate bench fma: one line per hardware vector width whose numbers agree with each other, the text
// form, and clear errors for bad options. Tiny runs only: heavy measurement belongs in benchmarks.
using System.Text.Json;
using Striate.Cli.Commands;

namespace Striate.Tests.Cli.Commands;

public sealed class BenchFmaCommandTests
{
    [Fact]
    public void Run_Json_OneConsistentLinePerWidth()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchFmaCommand.Run(threads: 2, repeat: 2, json: true, output));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BenchFmaCommand.Widths.Select(w => "Vector" + w),
            lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("width").GetString()));
        foreach (string line in lines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            Assert.Equal("fma", root.GetProperty("bench").GetString());
            Assert.Equal(2, root.GetProperty("threads").GetInt32());
            Assert.Equal(2, root.GetProperty("runs").GetInt32());
            Assert.True(root.GetProperty("iterations").GetInt32() >= 1_000, line);
            double best = root.GetProperty("best_gflops").GetDouble(), median = root.GetProperty("median_gflops").GetDouble();
            Assert.True(best > 0 && best >= median, line);
            // Per thread is the total over the thread count (both rounded to two decimals).
            Assert.InRange(root.GetProperty("best_gflops_per_thread").GetDouble(), best / 2 - 0.01, best / 2 + 0.01);
        }
    }

    [Fact]
    public void Widths_IncludeTheHardwareVectorWidths()
    {
        var widths = BenchFmaCommand.Widths;
        Assert.NotEmpty(widths);
        Assert.Equal(System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated, widths.Contains(512));
        Assert.Equal(System.Runtime.Intrinsics.X86.Fma.IsSupported && System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated, widths.Contains(256));
    }

    [Fact]
    public void Run_Text_OneLinePerWidthWithGflops()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchFmaCommand.Run(threads: 1, repeat: 1, json: false, output));

        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(BenchFmaCommand.Widths.Count, lines.Length);
        foreach (string line in lines)
        {
            Assert.StartsWith("fma Vector", line, StringComparison.Ordinal);
            Assert.Contains(", 1 thread: ", line, StringComparison.Ordinal);
            Assert.Contains("GFLOP/s best", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, 1, "threads")]
    [InlineData(2000, 1, "threads")]
    [InlineData(1, 0, "repeat")]
    public void Run_BadOption_ThrowsNamingIt(int threads, int repeat, string parameter)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchFmaCommand.Run(threads, repeat, json: true, TextWriter.Null));
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void Cli_BadThreads_ExitsOneNamingIt()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "fma", "--threads", "0");
        Assert.Equal(1, code);
        Assert.Contains("--threads must be between 1 and 1024", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }
}
