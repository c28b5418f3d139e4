// The machine's floating-point peak, the yardstick for GEMM efficiency: a loop of independent fused
// multiply-adds with no loads, 12 accumulators (enough to cover a 4–5-cycle FMA latency on two FMA
// pipes), on 256-bit (AVX2) and 512-bit (AVX-512) vectors, on one thread or on every thread at once.
// One operation = one vector FMA on each thread: 16 flops on Vector256, 32 on Vector512 (the GFLOP/s
// column sums over threads). On hardware without 512-bit vectors the Vector512 case runs emulated and is meaningless.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;

namespace Striate.Bench.Kernels.Gemm;

[Config(typeof(Config))]
public class FmaPeakBenchmarks
{
    private const int Iterations = 1_000_000;
    private const int Accumulators = 12;

    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    [Params(1, 2)]
    public int Threads { get; set; }

    [Benchmark(OperationsPerInvoke = Iterations * Accumulators)]
    [FlopsPerOperation(2 * 8, perThread: true)]
    public float Vector256Fma() => OnThreads(static () => Loop256(Iterations));

    [Benchmark(OperationsPerInvoke = Iterations * Accumulators)]
    [FlopsPerOperation(2 * 16, perThread: true)]
    public float Vector512Fma() => OnThreads(static () => Loop512(Iterations));

    // Threads run the same loop at once: time per operation is wall time over one thread's operations,
    // and the GFLOP/s column multiplies the flops by Threads.
    private float OnThreads(Func<float> loop)
    {
        if (Threads == 1) return loop();
        var results = new float[Threads];
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t => results[t] = loop());
        return results.Sum();
    }

    // No calls and no memory inside the loop: the JIT keeps all 12 accumulators in registers.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop256(int iterations)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(x, y, a0); a1 = Vector256.FusedMultiplyAdd(x, y, a1);
            a2 = Vector256.FusedMultiplyAdd(x, y, a2); a3 = Vector256.FusedMultiplyAdd(x, y, a3);
            a4 = Vector256.FusedMultiplyAdd(x, y, a4); a5 = Vector256.FusedMultiplyAdd(x, y, a5);
            a6 = Vector256.FusedMultiplyAdd(x, y, a6); a7 = Vector256.FusedMultiplyAdd(x, y, a7);
            a8 = Vector256.FusedMultiplyAdd(x, y, a8); a9 = Vector256.FusedMultiplyAdd(x, y, a9);
            a10 = Vector256.FusedMultiplyAdd(x, y, a10); a11 = Vector256.FusedMultiplyAdd(x, y, a11);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop512(int iterations)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.9999999f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(x, y, a0); a1 = Vector512.FusedMultiplyAdd(x, y, a1);
            a2 = Vector512.FusedMultiplyAdd(x, y, a2); a3 = Vector512.FusedMultiplyAdd(x, y, a3);
            a4 = Vector512.FusedMultiplyAdd(x, y, a4); a5 = Vector512.FusedMultiplyAdd(x, y, a5);
            a6 = Vector512.FusedMultiplyAdd(x, y, a6); a7 = Vector512.FusedMultiplyAdd(x, y, a7);
            a8 = Vector512.FusedMultiplyAdd(x, y, a8); a9 = Vector512.FusedMultiplyAdd(x, y, a9);
            a10 = Vector512.FusedMultiplyAdd(x, y, a10); a11 = Vector512.FusedMultiplyAdd(x, y, a11);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
