// GEMM at the shapes LeNet-5 training runs (linear layers at batch 64, conv2 as im2col GEMM)
// plus one odd size. GFLOP/s = 2·M·N·K / time.
using BenchmarkDotNet.Attributes;
using Striate.Kernels.Gemm;

namespace Striate.Bench.Kernels.Gemm;

[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params("64x120x400", "16x100x150", "6x784x25", "256x256x256", "97x61x131")]
    public string Shape { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    private int _m, _n, _k;

    [GlobalSetup]
    public void Setup()
    {
        var parts = Shape.Split('x').Select(int.Parse).ToArray();
        (_m, _n, _k) = (parts[0], parts[1], parts[2]);
        var rng = new Random(1);
        _a = Enumerable.Range(0, _m * _k).Select(_ => (float)rng.NextDouble()).ToArray();
        _b = Enumerable.Range(0, _k * _n).Select(_ => (float)rng.NextDouble()).ToArray();
        _c = new float[_m * _n];
    }

    [Benchmark]
    public void Gemm() => GemmKernel.Gemm(false, false, _m, _n, _k, 1f, _a, _b, 0f, _c, Threads);
}
