// The convolution op with each algorithm forced (Functional, ConvOptions, the layers' Algorithm
// property), the fused Conv+ReLU, gradient checks per algorithm over every batch item, backward-twice
// accumulation, bad algorithm arguments, the Auto rules and the benchmark cache, and checkpoints that
// keep a user's algorithm choice.
using Striate.Autograd;
using Striate.Kernels.Conv;
using Striate.Layers;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public sealed class ConvAlgorithmTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-convalgo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>The algorithms a test applies to a 3×3, stride-1, 2-D convolution (every concrete one, plus the choosers).</summary>
    public static TheoryData<ConvAlgorithm> Algorithms => new([.. ConvAlgorithms.Concrete, ConvAlgorithm.Auto, ConvAlgorithm.Benchmark]);

    private static Tensor Run(Func<Tensor> f)
    {
        using (GradMode.NoGrad()) return f();
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Conv2d_ForcedAlgorithm_MatchesIm2colWithinFloat32Rounding(ConvAlgorithm algorithm)
    {
        var rng = new Rng(1);
        var x = Tensor.Normal(rng, 0, 1, 3, 5, 11, 13);
        var w = Tensor.Normal(rng, 0, 0.3f, 6, 5, 3, 3);
        var b = Tensor.Normal(rng, 0, 1, 6);
        var expected = Run(() => Functional.Conv2d(x, w, b, padding: 1, algorithm: ConvAlgorithm.Im2colGemm));
        var actual = Run(() => Functional.Conv2d(x, w, b, padding: 1, algorithm: algorithm));
        AssertTensor.Close(actual, expected.Shape, [.. expected.ToArray().Select(v => (double)v)], Tolerances.Accumulation, $"Conv2d {algorithm}");
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Conv2d_GradCheck_EveryBatchItem(ConvAlgorithm algorithm)
    {
        var rng = new Rng(2);
        var x = Tensor.Normal(rng, 0, 1, 3, 2, 6, 7);
        var w = Tensor.Normal(rng, 0, 0.5f, 3, 2, 3, 3);
        var b = Tensor.Normal(rng, 0, 1, 3);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.Conv2d(t[0], t[1], t[2], padding: 1, algorithm: algorithm), [x, w, b], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, $"{algorithm}: {result.Message} (max error {result.MaxError:G3} over {result.Probes} probes)");
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Conv2d_BackwardTwice_AccumulatesTwice(ConvAlgorithm algorithm)
    {
        var rng = new Rng(3);
        var x = Tensor.Normal(rng, 0, 1, 2, 3, 8, 9);
        var w = Tensor.Normal(rng, 0, 0.5f, 4, 3, 3, 3);
        var b = Tensor.Normal(rng, 0, 1, 4);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var upstream = Tensor.Normal(rng, 0, 1, 2, 4, 8, 9);
        Functional.Conv2d(x, w, b, padding: 1, algorithm: algorithm).Backward(upstream);
        float[][] once = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        Functional.Conv2d(x, w, b, padding: 1, algorithm: algorithm).Backward(upstream);
        float[][] twice = [x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
        for (int t = 0; t < 3; t++)
            AssertTensor.BitIdentical([.. once[t].Select(v => v + v)], twice[t], $"{algorithm} gradient {t} after two backwards");
    }

    [Fact]
    public void Conv2dRelu_EqualsReluOfConv2d_ForwardAndGradients()
    {
        var rng = new Rng(4);
        foreach (var algorithm in new[] { ConvAlgorithm.Auto, ConvAlgorithm.Im2colGemm, ConvAlgorithm.Direct })
        {
            var x = Tensor.Normal(rng, 0, 1, 3, 2, 9, 10);
            var w = Tensor.Normal(rng, 0, 0.5f, 5, 2, 3, 3);
            var b = Tensor.Normal(rng, 0, 0.5f, 5);
            var upstream = Tensor.Normal(rng, 0, 1, 3, 5, 9, 10);
            x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
            var unfused = Functional.Relu(Functional.Conv2d(x, w, b, padding: 1, algorithm: algorithm));
            unfused.Backward(upstream);
            float[][] expected = [unfused.ToArray(), x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
            foreach (var t in new[] { x, w, b }) t.ZeroGrad();
            var fused = Functional.Conv2dRelu(x, w, b, padding: 1, algorithm: algorithm);
            Assert.Equal("Conv2dRelu", fused.GradFn!.Name);
            fused.Backward(upstream);
            float[][] actual = [fused.ToArray(), x.Grad!.ToArray(), w.Grad!.ToArray(), b.Grad!.ToArray()];
            string[] names = ["y", "dx", "dw", "db"];
            for (int i = 0; i < 4; i++) AssertTensor.BitIdentical(expected[i], actual[i], $"{algorithm} {names[i]}");
        }
    }

    [Fact]
    public void ConvRelu_Options_GradCheck()
    {
        var rng = new Rng(5);
        var x = Tensor.Normal(rng, 0, 1, 2, 2, 7);
        var w = Tensor.Normal(rng, 0, 0.5f, 3, 2, 3);
        var b = Tensor.Normal(rng, 0, 0.5f, 3);
        x.RequiresGrad = w.RequiresGrad = b.RequiresGrad = true;
        var options = new ConvOptions { Padding = 1, Algorithm = ConvAlgorithm.Direct };
        var result = GradCheck.Check(t => Functional.ConvRelu(t[0], t[1], t[2], options), [x, w, b], rng,
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Functional.ConvRelu(Tensor.Zeros(2, 3), w, null, options)).ParamName);
    }

    [Fact]
    public void Convolution_OptionsAlgorithm_IsUsedAndChecked()
    {
        var x = Tensor.Normal(new Rng(6), 0, 1, 1, 1, 3, 4, 4);
        var w = Tensor.Normal(new Rng(7), 0, 1, 2, 1, 2, 2, 2);
        var e = Assert.Throws<ArgumentException>(() => Functional.Convolution(x, w, null, new ConvOptions { Algorithm = ConvAlgorithm.Direct }));
        Assert.Equal("algorithm", e.ParamName);
        Assert.Contains("depth axis", e.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 2, 3, 3], Functional.Convolution(x, w, null, new ConvOptions { Algorithm = ConvAlgorithm.Im2colGemm }).Shape);
    }

    [Fact]
    public void Conv2d_UndefinedAlgorithm_ThrowsNamingIt()
    {
        var e = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 1, 4, 4), Tensor.Zeros(1, 1, 3, 3), algorithm: (ConvAlgorithm)99));
        Assert.Equal("algorithm", e.ParamName);
        var layer = new Conv2d(1, 1, 3, rng: new Rng(1));
        Assert.Throws<ArgumentException>(() => layer.Algorithm = (ConvAlgorithm)99);
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void ConvLayers_AlgorithmProperty_GivesTheForcedResultAndSurvivesCheckpoints(ConvAlgorithm algorithm)
    {
        var rng = new Rng(8);
        var model = new Sequential(
            new Conv2d(3, 4, 3, padding: 1, rng: rng) { Algorithm = algorithm },
            new ReLU(),
            new Conv1d(4, 2, 3, padding: 1, rng: rng) { Algorithm = ConvAlgorithm.Im2colGemm });
        var conv2 = new Sequential(new Conv2d(3, 4, 3, padding: 1, rng: new Rng(9)) { Algorithm = algorithm });
        var x = Tensor.Normal(rng, 0, 1, 2, 3, 6, 6);
        var conv = (Conv2d)model[0];
        var forced = Run(() => Functional.Conv2d(x, conv.Weight, conv.Bias, padding: 1, algorithm: algorithm));
        AssertTensor.BitIdentical(forced.AsSpan(), Run(() => conv.Forward(x)).AsSpan(), $"layer with {algorithm}");
        Assert.Equal(algorithm != ConvAlgorithm.Auto, conv.Description.EndsWith(algorithm.ToString().ToLowerInvariant(), StringComparison.Ordinal));

        string path = Path.Combine(_dir, $"{algorithm}.safetensors");
        Checkpoint.Save(path, conv2);
        string json = Checkpoint.DescribeArchitecture(conv2);
        Assert.Equal(algorithm != ConvAlgorithm.Auto, json.Contains("\"algorithm\"", StringComparison.Ordinal));
        var loaded = (Sequential)Checkpoint.Load(path).Model;
        Assert.Equal(algorithm, ((Conv2d)loaded[0]).Algorithm);
        var image = Tensor.Normal(new Rng(10), 0, 1, 1, 3, 5, 5);
        AssertTensor.BitIdentical(Run(() => conv2.Forward(image)).AsSpan(), Run(() => loaded.Forward(image)).AsSpan(), $"reloaded {algorithm}");
    }

    [Fact]
    public void Checkpoint_UnknownAlgorithmName_ThrowsNamingTheField()
    {
        string json = Checkpoint.DescribeArchitecture(new Sequential(new Conv2d(1, 1, 3, rng: new Rng(1)) { Algorithm = ConvAlgorithm.Direct }));
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture(json.Replace("\"direct\"", "\"magic\"", StringComparison.Ordinal)));
        Assert.Contains("algorithm must be one of", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_ShapeRules_WinogradDirectOrIm2colByShape()
    {
        static ConvGeometry G(int c, int k, int r, int stride = 1) =>
            ConvGeometry.TwoD(8, c, k, new ConvAxis(28, r, stride, 1, r / 2, r / 2), new ConvAxis(28, r, stride, 1, r / 2, r / 2));
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(G(1, 6, 5), ConvPass.Forward));
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(G(1, 6, 5), ConvPass.BackwardData));
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(G(1, 6, 5), ConvPass.BackwardWeights));
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(G(3, 64, 7, 2), ConvPass.Forward));
        Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(G(3, 64, 7, 2), ConvPass.BackwardData));
        Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(G(256, 64, 1), ConvPass.Forward));
        // ResNet's 3×3 stages (batch 8): Winograd at 56×56, 28×28 and 14×14; im2col at 7×7 (too few tiles).
        foreach (var pass in Enum.GetValues<ConvPass>())
        {
            Assert.Equal(ConvAlgorithm.Winograd, ConvAlgorithms.Choose(G(64, 64, 3) with { Height = new ConvAxis(56, 3, 1, 1, 1, 1), Width = new ConvAxis(56, 3, 1, 1, 1, 1) }, pass));
            Assert.Equal(ConvAlgorithm.Winograd, ConvAlgorithms.Choose(G(128, 128, 3), pass));
            Assert.Equal(ConvAlgorithm.Winograd, ConvAlgorithms.Choose(G(256, 256, 3) with { Height = new ConvAxis(14, 3, 1, 1, 1, 1), Width = new ConvAxis(14, 3, 1, 1, 1, 1) }, pass));
            Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(G(512, 512, 3) with { Height = new ConvAxis(7, 3, 1, 1, 1, 1), Width = new ConvAxis(7, 3, 1, 1, 1, 1) }, pass));
            // At batch 1 the 14×14 stage has 196 outputs (< 400 in the batch): im2col; the 28×28 stage's 784 keep Winograd.
            Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(G(256, 256, 3) with { N = 1, Height = new ConvAxis(14, 3, 1, 1, 1, 1), Width = new ConvAxis(14, 3, 1, 1, 1, 1) }, pass));
            Assert.Equal(ConvAlgorithm.Winograd, ConvAlgorithms.Choose(G(128, 128, 3) with { N = 1 }, pass));
        }
        // Large kernels: direct forward.
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(G(64, 64, 9), ConvPass.Forward));
        // Its weight gradient (81 taps, 64 filters, 8·28·28·64 ≤ 2²⁰ floats of transposed gradient) takes the filters-in-lanes
        // direct blocking; at batch 32 the transposed gradient no longer fits and im2col takes it; LeNet's C3 is direct.
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(G(64, 64, 9), ConvPass.BackwardWeights));
        Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(G(64, 64, 9) with { N = 32 }, ConvPass.BackwardWeights));
        var c3 = ConvGeometry.TwoD(64, 6, 16, new ConvAxis(14, 5), new ConvAxis(14, 5));
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(c3, ConvPass.BackwardWeights));
        Assert.Equal(ConvAlgorithm.Direct, ConvAlgorithms.Choose(c3, ConvPass.BackwardData));
        Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(c3 with { Width = new ConvAxis(28, 5) }, ConvPass.BackwardData));
        var threeD = new ConvGeometry(2, 1, 2, new ConvAxis(5, 3), new ConvAxis(5, 3), new ConvAxis(5, 3));
        foreach (var pass in Enum.GetValues<ConvPass>()) Assert.Equal(ConvAlgorithm.Im2colGemm, ConvAlgorithms.Choose(threeD, pass));
    }

    [Fact]
    public void Benchmark_FirstCallStoresAWinner_LaterCallsAreBitIdentical()
    {
        // A shape no other test uses, so the cache entry is this test's own.
        var g = ConvGeometry.TwoD(2, 3, 5, new ConvAxis(17, 3, 1, 1, 1, 1), new ConvAxis(19, 3, 1, 1, 1, 1));
        var rng = new Rng(11);
        float[] x = new float[g.InputLength], w = new float[g.WeightLength], b = new float[g.K];
        rng.FillUniform(x, -1, 1);
        rng.FillUniform(w, -1, 1);
        float[] y1 = new float[g.OutputLength], y2 = new float[g.OutputLength];
        var first = ConvAlgorithms.Forward(ConvAlgorithm.Benchmark, g, x, w, b, y1, 2);
        Assert.True(ConvAlgorithms.TryGetBenchmarked(g, ConvPass.Forward, 2, out var stored));
        Assert.Equal(stored, first);
        Assert.Contains(first, ConvAlgorithms.Concrete);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(first, ConvAlgorithms.Forward(ConvAlgorithm.Benchmark, g, x, w, b, y2, 2));
            AssertTensor.BitIdentical(y1, y2, "benchmarked forward, later call");
        }
        var direct = new float[g.OutputLength];
        ConvAlgorithms.Forward(first, g, x, w, b, direct, 2);
        AssertTensor.BitIdentical(direct, y1, "benchmarked forward equals its winner run directly");
        Assert.False(ConvAlgorithms.TryGetBenchmarked(g, ConvPass.BackwardData, 2, out _));
    }

    [Fact]
    public void Conv2d_FrozenSeparableFilters_AutoRunsSeparableAndInputGradientChecks()
    {
        // A frozen 5×5 Gaussian blur per channel (depthwise): Auto must give exactly the forced separable result.
        float[] g1 = [1, 4, 6, 4, 1];
        float[] gauss = [.. from a in g1 from b in g1 select a * b / 256f];
        var w = Tensor.FromArray([.. gauss, .. gauss, .. gauss], 3, 1, 5, 5);
        var x = Tensor.Normal(new Rng(12), 0, 1, 2, 3, 13, 11);
        var auto = Run(() => Functional.Conv2d(x, w, null, padding: 2, groups: 3));
        var separable = Run(() => Functional.Conv2d(x, w, null, padding: 2, groups: 3, algorithm: ConvAlgorithm.Separable));
        AssertTensor.BitIdentical(separable.AsSpan(), auto.AsSpan(), "frozen Gaussian: Auto vs Separable");
        var im2col = Run(() => Functional.Conv2d(x, w, null, padding: 2, groups: 3, algorithm: ConvAlgorithm.Im2colGemm));
        AssertTensor.Close(auto, im2col.Shape, [.. im2col.ToArray().Select(v => (double)v)], Tolerances.Accumulation, "separable vs im2col");

        x.RequiresGrad = true;
        var result = GradCheck.Check(t => Functional.Conv2d(t[0], w, null, padding: 2, groups: 3), [x], new Rng(13),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Conv2d_SeparableForcedOnAGeneralFilter_ThrowsNamingTheWeights()
    {
        var w = Tensor.FromArray([0, 1, 0, 1, -4, 1, 0, 1, 0], 1, 1, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Ones(1, 1, 5, 5), w, algorithm: ConvAlgorithm.Separable));
        Assert.Equal("w", e.ParamName);
        Assert.Contains("rank-1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TrySeparate_SobelSplitsLaplacianDoesNot()
    {
        var sobel = Tensor.FromArray([-1, 0, 1, -2, 0, 2, -1, 0, 1], 3, 3);
        Assert.True(Functional.TrySeparate(sobel, out var column, out var row));
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 3; j++) Assert.Equal(sobel.Data[i * 3 + j], column!.Data[i] * row!.Data[j], 6);
        Assert.False(Functional.TrySeparate(Tensor.FromArray([0, 1, 0, 1, -4, 1, 0, 1, 0], 3, 3), out column, out row));
        Assert.Null(column);
        Assert.Null(row);
        Assert.Equal("kernel", Assert.Throws<ArgumentException>(() => Functional.TrySeparate(Tensor.Ones(1, 3, 3), out _, out _)).ParamName);
        Assert.Equal("tolerance", Assert.Throws<ArgumentException>(() => Functional.TrySeparate(sobel, out _, out _, -1f)).ParamName);
    }
}
