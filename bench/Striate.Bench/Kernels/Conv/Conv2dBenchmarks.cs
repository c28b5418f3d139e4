// Conv2d kernels at LeNet-5's two layer shapes (batch 64) plus one odd shape: forward,
// backward-data and backward-weights. FLOPs per call = 2·N·K·P·Q·C·R·S.
using BenchmarkDotNet.Attributes;
using Striate.Kernels.Conv;

namespace Striate.Bench.Kernels.Conv;

[MemoryDiagnoser]
public class Conv2dBenchmarks
{
    private float[] _x = [], _w = [], _b = [], _y = [], _dx = [], _dw = [], _db = [];
    private Conv2dGeometry _g;

    [Params("lenet-c1", "lenet-c3", "odd")]
    public string Layer { get; set; } = "";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _g = Layer switch
        {
            "lenet-c1" => new Conv2dGeometry(64, 1, 28, 28, 6, 5, 5, 1, 1, 2, 2),
            "lenet-c3" => new Conv2dGeometry(64, 6, 14, 14, 16, 5, 5),
            _ => new Conv2dGeometry(7, 5, 23, 19, 13, 3, 3, 2, 2, 1, 1),
        };
        var rng = new Random(1);
        float[] Fill(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)rng.NextDouble()).ToArray();
        _x = Fill(_g.InputLength); _w = Fill(_g.WeightLength); _b = Fill(_g.K);
        _y = new float[(int)_g.OutputLength]; _dx = new float[(int)_g.InputLength]; _dw = new float[(int)_g.WeightLength]; _db = new float[_g.K];
    }

    [Benchmark]
    public void Forward() => Conv2dKernel.Forward(_g, _x, _w, _b, _y, Threads);

    [Benchmark]
    public void BackwardData() => Conv2dKernel.BackwardData(_g, _y, _w, _dx, Threads);

    [Benchmark]
    public void BackwardWeights() => Conv2dKernel.BackwardWeights(_g, _x, _y, _dw, _db, Threads);
}
