// GEMM at 1024³ (the efficiency yardstick against FmaPeakBenchmarks), at the shapes LeNet-5 training
// runs (linear layers at batch 64, the convolutions as im2col GEMMs and their backwards), plus one odd
// size. GFLOP/s = 2·M·N·K / time. Shape "MxNxK" with a suffix: "T." transposes A, ".T" transposes B.
// MemoryDiagnoser shows a steady call allocates nothing on one thread (on more threads, only
// ParallelFor's hand-off to the thread pool allocates).
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Striate.Kernels.Gemm;

namespace Striate.Bench.Kernels.Gemm;

[MemoryDiagnoser]
[Config(typeof(Config))]
public class GemmBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new GflopsColumn());
    }

    private float[] _a = [], _b = [], _c = [];
    private int _m, _n, _k;
    private bool _transA, _transB;

    [Params("1024x1024x1024", "64x120x400.T", "6x784x25", "16x100x150", "16x150x100.T", "150x100x16T.", "97x61x131")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string dims = Shape;
        _transB = dims.EndsWith(".T", StringComparison.Ordinal);
        _transA = dims.EndsWith("T.", StringComparison.Ordinal);
        if (_transA || _transB) dims = dims[..^2];
        var parts = dims.Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (parts[0], parts[1], parts[2]);
        var rng = new Random(1);
        _a = Enumerable.Range(0, _m * _k).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, _k * _n).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[_m * _n];
    }

    [Benchmark]
    public void Gemm() => GemmKernel.Gemm(_transA, _transB, _m, _n, _k, 1f, _a, _b, 0f, _c, Threads);
}
