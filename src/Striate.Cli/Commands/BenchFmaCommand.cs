// striate bench fma --threads T [--repeat R] [--json]
// The machine's floating-point peak, the yardstick GEMM efficiency is judged against: a loop of
// independent fused multiply-adds with no loads and no stores, on T threads at once.
//   per thread and iteration: 12 vector FMAs, each 2 · lanes flops (16 on Vector256, 32 on Vector512)
//   GFLOP/s = T · iterations · 12 · 2 · lanes / wall time
// Twelve accumulators cover the FMA latency (4 cycles) on two FMA pipes with room to spare, and need
// only 12 of the 16 (AVX2) or 32 (AVX-512) vector registers, so the JIT keeps them all in registers.
// Each width that the hardware accelerates is measured: Vector256 with AVX2+FMA (x64) and Vector512
// with AVX-512F. Threads are dedicated OS threads released together by a barrier, so T loops really
// overlap; a run lasts about 5 ms (short runs catch the quiet moments of a shared machine), and the best of R runs is the peak (least disturbed by other work).
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Striate.Kernels.Diagnostics;

namespace Striate.Cli.Commands;

/// <summary>The <c>bench fma</c> subcommand: the FMA peak of this machine, per width and thread count.</summary>
public static class BenchFmaCommand
{
    private const int Accumulators = 12;
    private const double TargetRunSeconds = 0.005;

    /// <summary>Builds the <c>fma</c> subcommand.</summary>
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "Threads running the FMA loop at once", DefaultValueFactory = _ => Environment.ProcessorCount };
        var repeat = new Option<int>("--repeat") { Description = "Timed runs per width (the best is the peak)", DefaultValueFactory = _ => 40 };
        var json = new Option<bool>("--json") { Description = "One JSON line per vector width instead of text" };
        var command = new Command("fma", "Floating-point peak: independent fused multiply-adds on every thread, GFLOP/s.") { threads, repeat, json };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(threads), parse.GetValue(repeat), parse.GetValue(json), Console.Out)));
        return command;
    }

    /// <summary>Vector widths (in bits) whose FMA this machine runs in hardware: 256 (AVX2+FMA), 512 (AVX-512F), 128 (ARM64).</summary>
    public static IReadOnlyList<int> Widths
    {
        get
        {
            var widths = new List<int>();
            if (Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported) widths.Add(256);
            if (Vector512.IsHardwareAccelerated) widths.Add(512);
            if (widths.Count == 0) widths.Add(128);
            return widths;
        }
    }

    /// <summary>Measures the FMA peak at each hardware width and writes one line per width; returns the exit code.</summary>
    /// <param name="threads">Threads running the loop at once (1 to 1024).</param>
    /// <param name="repeat">Timed runs per width (at least 1); the best is reported with the median.</param>
    /// <param name="json">JSON lines instead of text.</param>
    /// <param name="output">Where the lines go.</param>
    /// <exception cref="ArgumentException">A value is out of range.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="output"/> is null.</exception>
    public static int Run(int threads, int repeat, bool json, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (threads is < 1 or > 1024) throw new ArgumentException($"--threads must be between 1 and 1024, got {threads}.", nameof(threads));
        if (repeat < 1) throw new ArgumentException($"--repeat must be at least 1, got {repeat}.", nameof(repeat));
        foreach (int width in Widths)
        {
            var line = Measure(width, threads, repeat);
            output.WriteLine(json
                ? JsonSerializer.Serialize(line, FmaBenchLineContext.Default.FmaBenchLine)
                : string.Create(CultureInfo.InvariantCulture,
                    $"fma Vector{width}, {threads} thread{(threads == 1 ? "" : "s")}: {line.BestGflops:F1} GFLOP/s best " +
                    $"({line.BestGflopsPerThread:F1} per thread), {line.MedianGflops:F1} GFLOP/s median of {repeat} runs"));
        }
        return CliError.Ok;
    }

    private static FmaBenchLine Measure(int width, int threads, int repeat)
    {
        int lanes = width / 32;
        double flopsPerIteration = Accumulators * 2.0 * lanes;
        // Calibrate on one thread: iterations for about TargetRunSeconds (a few warm-up calls first, so
        // the loop runs as final, optimized code).
        int iterations = 100_000;
        for (int i = 0; i < 3; i++) FmaLoop.Run(width, iterations);
        var watch = Stopwatch.StartNew();
        FmaLoop.Run(width, iterations);
        double perIteration = Math.Max(watch.Elapsed.TotalSeconds / iterations, 1e-12);
        iterations = (int)Math.Clamp(TargetRunSeconds / perIteration, 1_000, 1_000_000_000);

        var seconds = new double[repeat];
        for (int run = 0; run < repeat; run++) seconds[run] = RunOnThreads(width, iterations, threads);
        Array.Sort(seconds);
        double median = repeat % 2 == 1 ? seconds[repeat / 2] : (seconds[repeat / 2 - 1] + seconds[repeat / 2]) / 2;
        double flop = threads * iterations * flopsPerIteration;
        double best = flop / seconds[0] / 1e9;
        return new FmaBenchLine("fma", "Vector" + width.ToString(CultureInfo.InvariantCulture), threads,
            Math.Round(best, 2), Math.Round(best / threads, 2), Math.Round(flop / median / 1e9, 2), repeat, iterations);
    }

    /// <summary>
    /// Wall seconds for <paramref name="threads"/> dedicated threads to each run the loop once, started
    /// together: from the first thread's start to the last thread's end, each read by the worker itself
    /// (the main thread may wake late after the barrier and would miss part of the run).
    /// </summary>
    private static double RunOnThreads(int width, int iterations, int threads)
    {
        if (threads == 1)
        {
            long t0 = Stopwatch.GetTimestamp();
            FmaLoop.Run(width, iterations);
            return Stopwatch.GetElapsedTime(t0).TotalSeconds;
        }
        using var start = new Barrier(threads);
        var begins = new long[threads];
        var ends = new long[threads];
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                begins[index] = Stopwatch.GetTimestamp();
                FmaLoop.Run(width, iterations);
                ends[index] = Stopwatch.GetTimestamp();
            }) { IsBackground = true };
            workers[t].Start();
        }
        foreach (var w in workers) w.Join();
        return (double)(ends.Max() - begins.Min()) / Stopwatch.Frequency;
    }
}

/// <summary>One line of <c>bench fma --json</c>: the peak at one vector width.</summary>
/// <param name="Bench">Always "fma".</param>
/// <param name="Width">Vector128, Vector256 or Vector512.</param>
/// <param name="Threads">Threads running the loop at once.</param>
/// <param name="BestGflops">All threads' flops over the best run's wall time, 10⁹ per second.</param>
/// <param name="BestGflopsPerThread">BestGflops / Threads: the per-core peak when each thread has a core.</param>
/// <param name="MedianGflops">All threads' flops over the median run's wall time.</param>
/// <param name="Runs">Timed runs.</param>
/// <param name="Iterations">Loop iterations per thread and run (12 vector FMAs each).</param>
public sealed record FmaBenchLine(
    [property: JsonPropertyName("bench")] string Bench,
    [property: JsonPropertyName("width")] string Width,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("best_gflops")] double BestGflops,
    [property: JsonPropertyName("best_gflops_per_thread")] double BestGflopsPerThread,
    [property: JsonPropertyName("median_gflops")] double MedianGflops,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("iterations")] int Iterations);

[JsonSerializable(typeof(FmaBenchLine))]
internal sealed partial class FmaBenchLineContext : JsonSerializerContext;
