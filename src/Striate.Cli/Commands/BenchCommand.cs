// striate bench: measures Striate's kernels on this machine.
//   striate bench gemm --size N --threads T [--repeat R] [--json]
// GEMM: C = A·B with A, B, C of N × N (uniform random in [−1, 1)), 2·N³ floating-point operations per
// call. After warm-up calls (so the JIT has compiled the final code and the workspaces are pooled), each
// of R timed runs repeats the call enough times to last about 10 ms (one call from N ≈ 700 up); a
// run's rate is 2·N³·calls / time. Reported: the best run (least disturbed by other work on the
// machine: short runs catch its quiet moments) and the median.
// Further subcommands with the same conventions: conv2d (BenchConv2dCommand.cs), fma (BenchFmaCommand.cs),
// resnet18 (BenchResnet18Command.cs).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Striate.Kernels.Gemm;

namespace Striate.Cli.Commands;

/// <summary>The <c>bench</c> command and its subcommands.</summary>
public static class BenchCommand
{
    private const double TargetRunSeconds = 0.01;

    /// <summary>Builds the <c>bench</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Measure Striate's kernels on this machine (GFLOP/s).");
        bench.Subcommands.Add(CreateGemm());
        bench.Subcommands.Add(BenchConv2dCommand.Create());
        bench.Subcommands.Add(BenchFmaCommand.Create());
        bench.Subcommands.Add(BenchResnet18Command.Create());
        return bench;
    }

    private static Command CreateGemm()
    {
        var size = new Option<int>("--size") { Description = "Matrix side N: C (N×N) = A (N×N) · B (N×N)", DefaultValueFactory = _ => 1024 };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs (best and median are reported)", DefaultValueFactory = _ => 10 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text" };
        var command = new Command("gemm", "Single-precision matrix multiply N×N×N: GFLOP/s = 2·N³ / time.") { size, threads, repeat, json };
        command.SetAction(parse => CliError.Run(() => RunGemm(
            parse.GetValue(size), parse.GetValue(threads), parse.GetValue(repeat), parse.GetValue(json))));
        return command;
    }

    /// <summary>Runs the GEMM benchmark and prints the result; returns the exit code.</summary>
    /// <param name="size">Matrix side N (1 to 16,384).</param>
    /// <param name="threads">Upper bound on threads (at least 1).</param>
    /// <param name="repeat">Timed runs (at least 1).</param>
    /// <param name="json">Print one JSON line instead of text.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    public static int RunGemm(int size, int threads, int repeat, bool json)
    {
        // 16,384² floats is 1 GiB per matrix: beyond that the benchmark measures the memory system, not GEMM.
        if (size is < 1 or > 16_384) throw new ArgumentException($"--size must be between 1 and 16384, got {size}.", nameof(size));
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.", nameof(threads));
        if (repeat < 1) throw new ArgumentException($"--repeat must be at least 1, got {repeat}.", nameof(repeat));

        var result = MeasureGemm(size, threads, repeat);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(result, GemmBenchLineContext.Default.GemmBenchLine));
        }
        else
        {
            // Plain text on one line: a terminal-width wrap would split the numbers in logs and pipes.
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gemm {size}×{size}×{size}, {threads} thread{(threads == 1 ? "" : "s")}, {result.Kernel}: " +
                $"{result.BestGflops:F1} GFLOP/s best ({result.BestMs:F3} ms per call), {result.MedianGflops:F1} GFLOP/s median of {repeat} runs"));
        }
        return CliError.Ok;
    }

    private static GemmBenchLine MeasureGemm(int size, int threads, int repeat)
    {
        int count = size * size;
        var rng = new Rng(0);
        float[] a = new float[count], b = new float[count], c = new float[count];
        rng.FillUniform(a, -1f, 1f);
        rng.FillUniform(b, -1f, 1f);
        void Call() => GemmKernel.Gemm(false, false, size, size, size, 1f, a, b, 0f, c, threads);

        // Warm-up: at least three calls and 0.1 s, which also estimates the time of one call.
        var watch = Stopwatch.StartNew();
        int warmCalls = 0;
        do
        {
            Call();
            warmCalls++;
        }
        while (warmCalls < 3 || watch.Elapsed.TotalSeconds < 0.1);
        double perCall = watch.Elapsed.TotalSeconds / warmCalls;
        int callsPerRun = (int)Math.Clamp(Math.Ceiling(TargetRunSeconds / perCall), 1, 1_000_000);

        var seconds = new double[repeat];
        for (int run = 0; run < repeat; run++)
        {
            watch.Restart();
            for (int i = 0; i < callsPerRun; i++) Call();
            seconds[run] = watch.Elapsed.TotalSeconds / callsPerRun;
        }
        Array.Sort(seconds);
        double median = repeat % 2 == 1 ? seconds[repeat / 2] : (seconds[repeat / 2 - 1] + seconds[repeat / 2]) / 2;
        double flop = 2.0 * size * size * size;
        return new GemmBenchLine("gemm", size, threads, GemmKernel.MicroKernel,
            Significant(flop / seconds[0] / 1e9), Significant(flop / median / 1e9),
            Significant(seconds[0] * 1e3), Significant(median * 1e3), repeat, callsPerRun);
    }

    // Six significant digits: a fixed number of decimals would round a microsecond-scale time to a few
    // digits and make GFLOP/s and milliseconds disagree.
    private static double Significant(double value) =>
        value == 0 || !double.IsFinite(value) ? value : double.Parse(value.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}

/// <summary>The result of <c>bench gemm</c>, one JSON line with <c>--json</c>.</summary>
/// <param name="Bench">Always "gemm".</param>
/// <param name="Size">Matrix side N.</param>
/// <param name="Threads">Thread bound passed to the kernel.</param>
/// <param name="Kernel">The micro-kernel that ran (tile and ISA).</param>
/// <param name="BestGflops">2·N³ / best time per call, in 10⁹ operations per second.</param>
/// <param name="MedianGflops">2·N³ / median time per call.</param>
/// <param name="BestMs">Best time per call in milliseconds.</param>
/// <param name="MedianMs">Median time per call in milliseconds.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="CallsPerRun">Calls averaged within one run.</param>
public sealed record GemmBenchLine(
    [property: JsonPropertyName("bench")] string Bench,
    [property: JsonPropertyName("size")] int Size,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("kernel")] string Kernel,
    [property: JsonPropertyName("best_gflops")] double BestGflops,
    [property: JsonPropertyName("median_gflops")] double MedianGflops,
    [property: JsonPropertyName("best_ms")] double BestMs,
    [property: JsonPropertyName("median_ms")] double MedianMs,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("calls_per_run")] int CallsPerRun);

[JsonSerializable(typeof(GemmBenchLine))]
internal sealed partial class GemmBenchLineContext : JsonSerializerContext;
