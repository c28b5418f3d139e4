// Every convolution algorithm on the layer shapes it is meant for (plus one odd shape each), forward,
// backward-data and backward-weights, and the fused bias + ReLU epilogue against a separate ReLU pass.
// GFLOP/s count the direct algorithm's work, 2·N·K·P·Q·C/G·R·S per pass (as the PyTorch anchor does),
// so a transform algorithm that does less arithmetic shows more than the machine's peak.
// Run: dotnet run -c Release --project bench/Striate.Bench -- --filter '*ConvAlgorithm*' '*Winograd*' '*Fft*' '*Separable*' '*ConvRelu*'
using System.Globalization;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Striate.Kernels.Conv;

namespace Striate.Bench.Kernels.Conv;

/// <summary>Named layer shapes: the anchor's cases and the shapes each algorithm is for.</summary>
internal static class ConvLayers
{
    private static ConvAxis A(int n, int k, int s = 1, int d = 1, int p = 0) => new(n, k, s, d, p, p);

    public static ConvGeometry Of(string name) => name switch
    {
        "lenet_c1" => ConvGeometry.TwoD(64, 1, 6, A(28, 5, p: 2), A(28, 5, p: 2)),
        "lenet_c2" => ConvGeometry.TwoD(64, 6, 16, A(14, 5), A(14, 5)),
        "resnet_3x3_64" => ConvGeometry.TwoD(16, 64, 64, A(56, 3, p: 1), A(56, 3, p: 1)),
        "resnet_3x3_128" => ConvGeometry.TwoD(16, 128, 128, A(28, 3, p: 1), A(28, 3, p: 1)),
        "resnet_3x3_256" => ConvGeometry.TwoD(16, 256, 256, A(14, 3, p: 1), A(14, 3, p: 1)),
        "resnet_1x1_256_64" => ConvGeometry.TwoD(16, 256, 64, A(56, 1), A(56, 1)),
        "stem_7x7_s2" => ConvGeometry.TwoD(8, 3, 64, A(224, 7, 2, p: 3), A(224, 7, 2, p: 3)),
        "vgg_3x3_3_64" => ConvGeometry.TwoD(8, 3, 64, A(224, 3, p: 1), A(224, 3, p: 1)),
        "odd_3x3_37to29_23x19" => ConvGeometry.TwoD(7, 37, 29, A(23, 3, p: 1), A(19, 3, p: 1)),
        "large_11x11_16to16_64x64" => ConvGeometry.TwoD(8, 16, 16, A(64, 11, p: 5), A(64, 11, p: 5)),
        "large_15x15_32to32_48x48" => ConvGeometry.TwoD(4, 32, 32, A(48, 15, p: 7), A(48, 15, p: 7)),
        "gaussian_5x5_depthwise_3x224" => ConvGeometry.TwoD(8, 3, 3, A(224, 5, p: 2), A(224, 5, p: 2), groups: 3),
        "gaussian_9x9_depthwise_3x224" => ConvGeometry.TwoD(8, 3, 3, A(224, 9, p: 4), A(224, 9, p: 4), groups: 3),
        _ => throw new ArgumentException($"Unknown layer {name}.", nameof(name)),
    };

    /// <summary>2·N·K·OutputVolume·C/G·KernelVolume: the direct algorithm's floating-point operations.</summary>
    public static double Flops(string name)
    {
        var g = Of(name);
        return 2.0 * g.N * g.K * g.OutputVolume * g.CPerGroup * g.KernelVolume;
    }
}

/// <summary>GFLOP/s of a convolution benchmark from its "Layer" parameter and mean time.</summary>
public sealed class ConvGflopsColumn : IColumn
{
    public string Id => nameof(ConvGflopsColumn);
    public string ColumnName => "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "2·N·K·P·Q·C/G·R·S / mean time, in 10⁹ per second";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var stats = summary[benchmarkCase]?.ResultStatistics;
        if (benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Layer")?.Value is not string layer || stats is null || stats.Mean <= 0) return "-";
        return (ConvLayers.Flops(layer) / stats.Mean).ToString("F1", CultureInfo.InvariantCulture); // flops per ns = GFLOP/s
    }

    public override string ToString() => ColumnName;
}

/// <summary>Operands of one layer, filled once.</summary>
public abstract class ConvAlgorithmBench
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ConvGflopsColumn());
    }

    protected float[] X = [], W = [], B = [], Y = [], Dx = [], Dw = [], Db = [];
    protected ConvGeometry G;

    public abstract string Layer { get; set; }

    [Params(2)]
    public int Threads { get; set; }

    protected abstract ConvAlgorithm Algorithm { get; }

    [GlobalSetup]
    public void Setup()
    {
        G = ConvLayers.Of(Layer);
        var rng = new Random(1);
        float[] Fill(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => (float)rng.NextDouble() - 0.5f)];
        X = Fill(G.InputLength);
        W = Fill(G.WeightLength);
        if (Algorithm == ConvAlgorithm.Separable) MakeGaussian(W, G.KernelVolume, G.Height.Kernel);
        B = Fill(G.K);
        Y = Fill(G.OutputLength);
        Dx = new float[G.InputLength];
        Dw = new float[G.WeightLength];
        Db = new float[G.K];
    }

    /// <summary>Every filter a binomial (Gaussian) blur: rank 1.</summary>
    private static void MakeGaussian(float[] w, int taps, int side)
    {
        var g = new float[side];
        for (int i = 0; i < side; i++) g[i] = (float)(Math.Exp(-0.5 * Math.Pow(i - (side - 1) / 2.0, 2)));
        for (int f = 0; f < w.Length / taps; f++)
            for (int i = 0; i < side; i++)
                for (int j = 0; j < side; j++) w[f * taps + i * side + j] = g[i] * g[j];
    }

    [Benchmark]
    public void Forward() => ConvAlgorithms.Forward(Algorithm, G, X, W, B, Y, Threads);

    [Benchmark]
    public void BackwardData() => ConvAlgorithms.BackwardData(Algorithm, G, Y, W, Dx, Threads);

    [Benchmark]
    public void BackwardWeights() => ConvAlgorithms.BackwardWeights(Algorithm, G, X, Y, Dw, Db, Threads);

    [Config(typeof(Config))]
    [MemoryDiagnoser]
    public sealed class Im2col : ConvAlgorithmBench
    {
        [Params("lenet_c1", "resnet_3x3_64", "resnet_1x1_256_64", "stem_7x7_s2", "odd_3x3_37to29_23x19")]
        public override string Layer { get; set; } = "";

        protected override ConvAlgorithm Algorithm => ConvAlgorithm.Im2colGemm;
    }

    [Config(typeof(Config))]
    [MemoryDiagnoser]
    public sealed class Direct : ConvAlgorithmBench
    {
        [Params("lenet_c1", "lenet_c2", "stem_7x7_s2", "vgg_3x3_3_64", "large_11x11_16to16_64x64", "odd_3x3_37to29_23x19")]
        public override string Layer { get; set; } = "";

        protected override ConvAlgorithm Algorithm => ConvAlgorithm.Direct;
    }

    [Config(typeof(Config))]
    [MemoryDiagnoser]
    public sealed class Winograd : ConvAlgorithmBench
    {
        [Params("resnet_3x3_64", "resnet_3x3_128", "resnet_3x3_256", "odd_3x3_37to29_23x19")]
        public override string Layer { get; set; } = "";

        protected override ConvAlgorithm Algorithm => ConvAlgorithm.Winograd;
    }

    [Config(typeof(Config))]
    [MemoryDiagnoser]
    public sealed class Fft : ConvAlgorithmBench
    {
        [Params("large_11x11_16to16_64x64", "large_15x15_32to32_48x48", "lenet_c1")]
        public override string Layer { get; set; } = "";

        protected override ConvAlgorithm Algorithm => ConvAlgorithm.Fft;
    }

    [Config(typeof(Config))]
    [MemoryDiagnoser]
    public sealed class Separable : ConvAlgorithmBench
    {
        [Params("gaussian_5x5_depthwise_3x224", "gaussian_9x9_depthwise_3x224")]
        public override string Layer { get; set; } = "";

        protected override ConvAlgorithm Algorithm => ConvAlgorithm.Separable;
    }
}

/// <summary>The bias + ReLU epilogue fused into the forward against the forward followed by a separate ReLU pass over y.</summary>
[Config(typeof(ConvReluBenchmarks.Config))]
[MemoryDiagnoser]
public class ConvReluBenchmarks
{
    private sealed class Config : ManualConfig
    {
        public Config() => AddColumn(new ConvGflopsColumn());
    }

    private float[] _x = [], _w = [], _b = [], _y = [];
    private ConvGeometry _g;

    [Params("lenet_c1", "resnet_3x3_64", "vgg_3x3_3_64")]
    public string Layer { get; set; } = "";

    [Params(ConvAlgorithm.Direct, ConvAlgorithm.Winograd, ConvAlgorithm.Im2colGemm)]
    public ConvAlgorithm Algorithm { get; set; }

    [Params(2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _g = ConvLayers.Of(Layer);
        var rng = new Random(2);
        float[] Fill(long n) => [.. Enumerable.Range(0, (int)n).Select(_ => (float)rng.NextDouble() - 0.5f)];
        _x = Fill(_g.InputLength);
        _w = Fill(_g.WeightLength);
        _b = Fill(_g.K);
        _y = new float[_g.OutputLength];
        if (!ConvAlgorithms.IsApplicable(Algorithm, _g)) Algorithm = ConvAlgorithm.Im2colGemm;
    }

    [Benchmark(Baseline = true)]
    public void ForwardThenRelu()
    {
        ConvAlgorithms.Forward(Algorithm, _g, _x, _w, _b, _y, Threads);
        TensorPrimitives.Max(_y, 0f, _y);
    }

    [Benchmark]
    public void ForwardFusedRelu() => ConvAlgorithms.Forward(Algorithm, _g, _x, _w, _b, _y, Threads, ConvEpilogue.Relu);
}
