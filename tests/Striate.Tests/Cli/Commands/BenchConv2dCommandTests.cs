// striate bench conv2d: the anchor's eight cases and FLOP accounting, JSON lines whose numbers agree
// with each other, one line per applicable algorithm with --algo all, and clear errors for bad options.
// Runs in process with a tiny --min-time (heavy measurement belongs in benchmarks); one child process
// checks the exit code and message a user sees.
using System.Text.Json;
using Striate.Cli.Commands;

namespace Striate.Tests.Cli.Commands;

public sealed class BenchConv2dCommandTests
{
    [Fact]
    public void Cases_AreTheAnchorsShapesWithItsFlopCount()
    {
        // name, N, C, H, W, K, R, stride, pad: torch_conv_bench.py's CASES.
        (string, int, int, int, int, int, int, int, int)[] anchor =
        [
            ("lenet_c1", 64, 1, 28, 28, 6, 5, 1, 2), ("lenet_c2", 64, 6, 14, 14, 16, 5, 1, 0),
            ("resnet_3x3_64", 16, 64, 56, 56, 64, 3, 1, 1), ("resnet_3x3_128", 16, 128, 28, 28, 128, 3, 1, 1),
            ("resnet_3x3_256", 16, 256, 14, 14, 256, 3, 1, 1), ("resnet_1x1_256_64", 16, 256, 56, 56, 64, 1, 1, 0),
            ("stem_7x7_s2", 8, 3, 224, 224, 64, 7, 2, 3), ("vgg_3x3_3_64", 8, 3, 224, 224, 64, 3, 1, 1),
        ];
        Assert.Equal(anchor, BenchConv2dCommand.Cases.Select(c => (c.Name, c.N, c.C, c.H, c.W, c.K, c.R, c.Stride, c.Padding)));
        var stem = BenchConv2dCommand.Cases.Single(c => c.Name == "stem_7x7_s2");
        Assert.Equal(112, stem.P);
        Assert.Equal(2.0 * 8 * 64 * 112 * 112 * 3 * 7 * 7, stem.Flops);
    }

    [Fact]
    public void Run_AllAlgorithmsJson_OneConsistentLinePerApplicableAlgorithm()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchConv2dCommand.Run(["lenet_c1"], "all", 1, 0.001, json: true, output));
        var lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // 5×5 stride 1: im2col, direct and FFT; Winograd needs 3×3.
        Assert.Equal(["im2col", "direct", "fft"], lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("algo").GetString()));
        double flops = BenchConv2dCommand.Cases[0].Flops;
        foreach (string line in lines)
        {
            var root = JsonDocument.Parse(line).RootElement;
            Assert.Equal("lenet_c1", root.GetProperty("case").GetString());
            Assert.Equal(1, root.GetProperty("threads").GetInt32());
            Assert.Equal(root.GetProperty("algo").GetString(), root.GetProperty("fwd_algo").GetString());
            double fwd = root.GetProperty("fwd_gflops").GetDouble(), ms = root.GetProperty("fwd_ms").GetDouble();
            double both = root.GetProperty("fwdbwd_gflops").GetDouble(), bothMs = root.GetProperty("fwdbwd_ms").GetDouble();
            Assert.True(fwd > 0 && both > 0, line);
            // Rounded to 2 decimals (GFLOP/s) and 3 (ms): agree within rounding.
            Assert.InRange(fwd, flops / (ms + 5e-4) / 1e6 - 0.01, flops / Math.Max(ms - 5e-4, 1e-9) / 1e6 + 0.01);
            Assert.InRange(both, 3 * flops / (bothMs + 5e-4) / 1e6 - 0.01, 3 * flops / Math.Max(bothMs - 5e-4, 1e-9) / 1e6 + 0.01);
        }
    }

    [Fact]
    public void Run_AutoText_NamesThePassAlgorithms()
    {
        var output = new StringWriter();
        Assert.Equal(0, BenchConv2dCommand.Run(["lenet_c2"], "auto", 2, 0.001, json: false, output));
        string line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("lenet_c2", line, StringComparison.Ordinal);
        Assert.Contains("GFLOP/s", line, StringComparison.Ordinal);
        Assert.Contains("[direct, direct, direct]", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope", "auto", 2, 1.0, "caseNames")]
    [InlineData("lenet_c1", "magic", 2, 1.0, "algorithm")]
    [InlineData("lenet_c1", "auto", 0, 1.0, "threads")]
    [InlineData("lenet_c1", "auto", 2, 0.0, "minTime")]
    public void Run_BadOption_ThrowsNamingIt(string name, string algo, int threads, double minTime, string parameter)
    {
        var e = Assert.Throws<ArgumentException>(() => BenchConv2dCommand.Run([name], algo, threads, minTime, json: true, TextWriter.Null));
        Assert.Equal(parameter, e.ParamName);
    }

    [Fact]
    public void Cli_UnknownCase_ExitsOneWithTheCaseList()
    {
        var (code, stdout, stderr) = CliRunner.Run("bench", "conv2d", "--case", "alexnet", "--threads", "1");
        Assert.Equal(1, code);
        Assert.Contains("--case alexnet is not a case", stderr, StringComparison.Ordinal);
        Assert.Contains("resnet_3x3_64", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }
}
