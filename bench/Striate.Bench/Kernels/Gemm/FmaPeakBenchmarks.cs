// The machine's floating-point peak, the yardstick for GEMM efficiency: a loop of independent fused
// multiply-adds with no loads, 12 accumulators (enough to cover a 4–5-cycle FMA latency on two FMA
// pipes), on 256-bit (AVX2) and 512-bit (AVX-512) vectors, on one thread or on every thread at once.
// One operation = one vector FMA on each thread: 16 flops on Vector256, 32 on Vector512 (the GFLOP/s
// column sums over threads). On hardware without 512-bit vectors the Vector512 case runs emulated and is meaningless.
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Striate.Kernels.Diagnostics;

namespace Striate.Bench.Kernels.Gemm;

[Config(typeof(Config))]
public class FmaPeakBenchmarks
{
    private const int Iterations = 1_000_000;
    private const int Accumulators = FmaLoop.Accumulators;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    [Params(1, 2)]
    public int Threads { get; set; }

    [Benchmark(OperationsPerInvoke = Iterations * Accumulators)]
    [FlopsPerOperation(2 * 8, perThread: true)]
    public float Vector256Fma() => OnThreads(static () => FmaLoop.Vector256Loop(Iterations));

    [Benchmark(OperationsPerInvoke = Iterations * Accumulators)]
    [FlopsPerOperation(2 * 16, perThread: true)]
    public float Vector512Fma() => OnThreads(static () => FmaLoop.Vector512Loop(Iterations));

    // Threads run the same loop at once: time per operation is wall time over one thread's operations,
    // and the GFLOP/s column multiplies the flops by Threads.
    private float OnThreads(Func<float> loop)
    {
        if (Threads == 1) return loop();
        var results = new float[Threads];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t] = loop());
        return results.Sum();
    }
}
