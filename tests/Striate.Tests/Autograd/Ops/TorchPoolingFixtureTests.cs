// PyTorch golden values for the pooling family (Fixtures/pooling_*.json, generator
// Fixtures/generate_pooling.py), forward and input gradient after Backward(upstream): max pooling
// with dilation, ceil mode, rectangular windows and return_indices; average pooling with and
// without counted padding, ceil mode and divisor override (sum pooling); Lp pooling for p = 1, 1.5,
// 2 and 3 with ceil mode; adaptive average and max pooling (uneven windows, outputs larger than
// the input, 1×1) and global pooling; max unpooling from PyTorch's indices (default and explicit
// output sizes, repeated indices from overlapping windows); maxout (composed from view + max).
using System.Text.Json;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TorchPoolingFixtureTests
{
    /// <summary>An int-or-list fixture parameter as one value per spatial axis.</summary>
    internal static int[] Sizes(FixtureCase c, string name, int dims)
    {
        var e = c.Params.GetProperty(name);
        return e.ValueKind == JsonValueKind.Array ? Fixture.ReadInts(e) : [.. Enumerable.Repeat(e.GetInt32(), dims)];
    }

    /// <summary>Like <see cref="Sizes"/>, null when the parameter is null (PyTorch's stride=None).</summary>
    internal static int[]? SizesOrNull(FixtureCase c, string name, int dims) =>
        c.Params.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Sizes(c, name, dims);

    internal static int Dims(FixtureCase c) => c.Op.Contains("1d", StringComparison.Ordinal) ? 1 : c.Op.Contains("2d", StringComparison.Ordinal) ? 2 : 3;

    internal static long[] Indices(FixtureCase c) => [.. c.Params.GetProperty("indices").EnumerateArray().Select(v => v.GetInt64())];

    public static TheoryData<string> MaxPoolCases => Fixture.Names("pooling_max.json");

    [Theory]
    [MemberData(nameof(MaxPoolCases))]
    public void MaxPool_MatchesPyTorch(string name)
    {
        var c = Fixture.Case("pooling_max.json", name);
        int dims = Dims(c);
        int[] k = Sizes(c, "kernel_size", dims), s = Sizes(c, "stride", dims), p = Sizes(c, "padding", dims), d = Sizes(c, "dilation", dims);
        bool ceil = c.Bool("ceil_mode");
        long[]? indices = null;
        // Inputs have no ties, so the selected element is unique. The forward copies it; the gradient
        // sums dy over the overlapping windows that selected the same element (at most a few terms).
        TorchFixtureTests.Run(c, t => dims switch
        {
            1 => Capture(Functional.MaxPool1dWithIndices(t[0], k[0], s[0], p[0], d[0], ceil), out indices),
            2 => Functional.MaxPool2d(t[0], (k[0], k[1]), (s[0], s[1]), (p[0], p[1]), (d[0], d[1]), ceil),
            _ => Functional.MaxPool3d(t[0], (k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), (d[0], d[1], d[2]), ceil),
        }, Tolerances.Selection, Tolerances.Pointwise);
        if (dims == 1) Assert.Equal(Indices(c), indices);
        if (dims == 2 && k[0] == k[1] && s[0] == s[1] && p[0] == p[1] && d[0] == d[1])
            Assert.Equal(Indices(c), Functional.MaxPool2dWithIndices(c.Inputs[0].ToTensor(), k[0], s[0], p[0], d[0], ceil).Indices);
        if (dims == 3 && k.Distinct().Count() == 1 && s.Distinct().Count() == 1 && p.Distinct().Count() == 1 && d.Distinct().Count() == 1)
            Assert.Equal(Indices(c), Functional.MaxPool3dWithIndices(c.Inputs[0].ToTensor(), k[0], s[0], p[0], d[0], ceil).Indices);
    }

    public static TheoryData<string> AvgPoolCases => Fixture.Names("pooling_avg.json");

    [Theory]
    [MemberData(nameof(AvgPoolCases))]
    public void AvgPool_MatchesPyTorch(string name)
    {
        var c = Fixture.Case("pooling_avg.json", name);
        int dims = Dims(c);
        int[] k = Sizes(c, "kernel_size", dims), s = Sizes(c, "stride", dims), p = Sizes(c, "padding", dims);
        bool ceil = c.Bool("ceil_mode"), incl = c.Bool("count_include_pad");
        int? divisor = c.IntOrNull("divisor_override");
        bool cubic = k.Distinct().Count() == 1 && s.Distinct().Count() == 1 && p.Distinct().Count() == 1;
        // A window sum of up to 27 float32 terms and one division; the gradient is dy / divisor summed
        // over the few overlapping windows that hold a cell.
        TorchFixtureTests.Run(c, t => (dims, divisor) switch
        {
            (1, 1) => Functional.SumPool1d(t[0], k[0], s[0], p[0], ceil),
            (1, _) => Functional.AvgPool1d(t[0], k[0], s[0], p[0], ceil, incl, divisor),
            (2, 1) when cubic => Functional.SumPool2d(t[0], k[0], s[0], p[0], ceil),
            (2, _) => Functional.AvgPool2d(t[0], (k[0], k[1]), (s[0], s[1]), (p[0], p[1]), ceil, incl, divisor),
            (_, 1) when cubic => Functional.SumPool3d(t[0], k[0], s[0], p[0], ceil),
            _ => cubic ? Functional.AvgPool3d(t[0], k[0], s[0], p[0], ceil, incl, divisor)
                : Functional.AvgPool3d(t[0], (k[0], k[1], k[2]), (s[0], s[1], s[2]), (p[0], p[1], p[2]), ceil, incl, divisor),
        }, Tolerances.Accumulation, Tolerances.Pointwise);
    }

    public static TheoryData<string> LpPoolCases => Fixture.Names("pooling_lp.json");

    [Theory]
    [MemberData(nameof(LpPoolCases))]
    public void LpPool_MatchesPyTorch(string name)
    {
        var c = Fixture.Case("pooling_lp.json", name);
        int dims = Dims(c);
        float p = c.Float("norm_type");
        int[] k = Sizes(c, "kernel_size", dims);
        int[]? s = SizesOrNull(c, "stride", dims);
        bool ceil = c.Bool("ceil_mode");
        TorchFixtureTests.Run(c, t => dims switch
        {
            1 => Functional.LpPool1d(t[0], p, k[0], s?[0], ceil),
            2 when k[0] == k[1] => Functional.LpPool2d(t[0], p, k[0], s?[0], ceil),
            2 => Functional.LpPool2d(t[0], p, (k[0], k[1]), s is null ? null : (s[0], s[1]), ceil),
            _ => Functional.LpPool3d(t[0], p, (k[0], k[1], k[2]), s is null ? null : (s[0], s[1], s[2]), ceil),
        }, Tolerances.Accumulation, Tolerances.LpPoolGradient);
    }

    public static TheoryData<string> AdaptiveCases => Fixture.Names("pooling_adaptive.json");

    [Theory]
    [MemberData(nameof(AdaptiveCases))]
    public void AdaptiveAndGlobalPool_MatchPyTorch(string name)
    {
        var c = Fixture.Case("pooling_adaptive.json", name);
        if (c.Op.StartsWith("global", StringComparison.Ordinal))
        {
            bool isMax = c.Op == "global_max_pool";
            TorchFixtureTests.Run(c, t => isMax ? Functional.GlobalMaxPool(t[0]) : Functional.GlobalAvgPool(t[0]),
                isMax ? Tolerances.Selection : Tolerances.Accumulation, isMax ? Tolerances.Selection : Tolerances.Pointwise);
            return;
        }
        int dims = Dims(c);
        int[] o = Sizes(c, "output_size", dims);
        if (c.Op.StartsWith("adaptive_avg", StringComparison.Ordinal))
        {
            TorchFixtureTests.Run(c, t => dims switch
            {
                1 => Functional.AdaptiveAvgPool1d(t[0], o[0]),
                2 => Functional.AdaptiveAvgPool2d(t[0], (o[0], o[1])),
                _ => Functional.AdaptiveAvgPool3d(t[0], (o[0], o[1], o[2])),
            }, Tolerances.Accumulation, Tolerances.Pointwise);
            return;
        }
        TorchFixtureTests.Run(c, t => dims switch
        {
            1 => Functional.AdaptiveMaxPool1d(t[0], o[0]),
            2 => Functional.AdaptiveMaxPool2d(t[0], (o[0], o[1])),
            _ => Functional.AdaptiveMaxPool3d(t[0], (o[0], o[1], o[2])),
        }, Tolerances.Selection, Tolerances.Pointwise);
        if (dims == 2)
            Assert.Equal(Indices(c), Functional.AdaptiveMaxPool2dWithIndices(c.Inputs[0].ToTensor(), (o[0], o[1])).Indices);
    }

    public static TheoryData<string> UnpoolCases => Fixture.Names("pooling_unpool_maxout.json", "max_unpool1d", "max_unpool2d", "max_unpool3d");

    [Theory]
    [MemberData(nameof(UnpoolCases))]
    public void MaxUnpool_MatchesPyTorch(string name)
    {
        var c = Fixture.Case("pooling_unpool_maxout.json", name);
        int k = c.Int("kernel_size"), s = c.Int("stride"), p = c.Int("padding");
        int[]? size = SizesOrNull(c, "output_size", Dims(c));
        long[] indices = Indices(c);
        // Values are copied; a repeated index (overlapping pooling windows) keeps the last write, and the
        // gradient gathers dy, so nothing is summed.
        TorchFixtureTests.Run(c, t => Dims(c) switch
        {
            1 => Functional.MaxUnpool1d(t[0], indices, k, s, p, size?[0]),
            2 => Functional.MaxUnpool2d(t[0], indices, k, s, p, size is null ? null : (size[0], size[1])),
            _ => Functional.MaxUnpool3d(t[0], indices, k, s, p, size is null ? null : (size[0], size[1], size[2])),
        }, Tolerances.Selection, Tolerances.Selection);
    }

    public static TheoryData<string> MaxoutCases => Fixture.Names("pooling_unpool_maxout.json", "maxout");

    [Theory]
    [MemberData(nameof(MaxoutCases))]
    public void Maxout_MatchesPyTorchComposition(string name)
    {
        var c = Fixture.Case("pooling_unpool_maxout.json", name);
        // PyTorch has no maxout op: the fixture is x.view(N, C/k, k, …).max(2) on tie-free inputs.
        TorchFixtureTests.Run(c, t => Functional.Maxout(t[0], c.Int("pool_size")), Tolerances.Selection, Tolerances.Selection);
    }

    private static Tensor Capture((Tensor Output, long[] Indices) result, out long[] indices)
    {
        indices = result.Indices;
        return result.Output;
    }

    [Fact]
    public void Fixtures_CoverTheRequiredConfigurations()
    {
        var max = Fixture.Load("pooling_max.json");
        foreach (string op in new[] { "max_pool1d", "max_pool2d", "max_pool3d" })
        {
            Assert.Contains(max, c => c.Op == op && c.Bool("ceil_mode"));
            Assert.Contains(max, c => c.Op == op && Sizes(c, "dilation", Dims(c)).Any(d => d > 1));
            Assert.Contains(max, c => c.Op == op && Sizes(c, "padding", Dims(c)).Any(p => p > 0));
        }
        var avg = Fixture.Load("pooling_avg.json");
        foreach (string op in new[] { "avg_pool1d", "avg_pool2d", "avg_pool3d" })
        {
            Assert.Contains(avg, c => c.Op == op && c.Bool("ceil_mode") && c.Bool("count_include_pad") && Sizes(c, "padding", Dims(c)).Any(p => p > 0));
            Assert.Contains(avg, c => c.Op == op && !c.Bool("count_include_pad"));
            Assert.Contains(avg, c => c.Op == op && c.IntOrNull("divisor_override") == 1);
        }
        var lp = Fixture.Load("pooling_lp.json");
        foreach (string op in new[] { "lp_pool1d", "lp_pool2d", "lp_pool3d" })
        {
            Assert.Contains(lp, c => c.Op == op && c.Float("norm_type") == 2f);
            Assert.Contains(lp, c => c.Op == op && c.Bool("ceil_mode"));
        }
        Assert.Contains(lp, c => c.Float("norm_type") == 1f);
        Assert.Contains(lp, c => c.Float("norm_type") == 3f);
        var adaptive = Fixture.Load("pooling_adaptive.json");
        foreach (string op in new[] { "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d", "global_avg_pool", "global_max_pool" })
            Assert.Contains(adaptive, c => c.Op == op);
        Assert.Contains(adaptive, c => c.Op == "adaptive_avg_pool1d" && Sizes(c, "output_size", 1)[0] > c.Inputs[0].Shape[2]); // output larger than input
        var unpool = Fixture.Load("pooling_unpool_maxout.json");
        foreach (string op in new[] { "max_unpool1d", "max_unpool2d", "max_unpool3d", "maxout" })
            Assert.Contains(unpool, c => c.Op == op);
        Assert.Contains(unpool, c => c.Op == "max_unpool2d" && Indices(c).Distinct().Count() < Indices(c).Length); // repeated indices
    }
}
