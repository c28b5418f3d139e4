// Separable filters: the rank-1 test on the classic filters (Gaussian, box, Sobel are separable; a
// Laplacian and random filters are not), the separable kernels against the naive reference (double)
// over an edge-case sweep with random rank-1 filters (N = 1 and odd N, channels not a multiple of 8,
// prime sizes, stride 2/3, padding 0/1/2 and asymmetric, dilation, 1×1 to 7×7, groups, 1-D), thread-count
// determinism, accumulate-once backwards, the fused ReLU, and the operation count the chapter promises.
// Error factor 4: the factors u, v reproduce each tap with one extra rounding (v = w[i*,·]/w[i*,j*]), and
// the two passes round the vertical sums once more, so a few u·Σ|w·x| beyond the dot-product bound.
using Striate.Kernels.Conv;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Conv.ConvAlgorithmCheck;

namespace Striate.Tests.Kernels.Conv;

public class SeparableConvKernelTests
{
    private const double Factor = 4;

    private sealed class Separable : IConvPasses
    {
        public string Name => "Separable";

        // The checks draw random filters; each slice is replaced by the rank-1 outer product of its first column and first row.
        public void Forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, int threads)
        {
            MakeRankOne(g, w);
            SeparableConvKernel.Forward(g, x, w, bias, y, threads);
        }

        public void BackwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int threads)
        {
            MakeRankOne(g, w);
            SeparableConvKernel.BackwardData(g, dy, w, dx, threads);
        }

        public void BackwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int threads) =>
            SeparableConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
    }

    private static readonly Separable Impl = new();

    // Arrays already made rank 1: the checks pass the same filters to several calls, which must see the same values.
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<float[], object> Done = new();

    /// <summary>w[k,c'] ← u·vᵀ with u = its first column, v = its first row scaled by 1/w[0,0]: rank 1, in place, once per array.</summary>
    private static void MakeRankOne(ConvGeometry g, float[] w)
    {
        if (Done.TryGetValue(w, out _)) return;
        Done.Add(w, new object());
        int r = g.Height.Kernel, s = g.Width.Kernel, taps = r * s;
        for (int slice = 0; slice < w.Length / taps; slice++)
        {
            var f = w.AsSpan(slice * taps, taps);
            float pivot = f[0] == 0 ? 1 : f[0];
            float[] u = new float[r], v = new float[s];
            for (int i = 0; i < r; i++) u[i] = f[i * s];
            for (int j = 0; j < s; j++) v[j] = f[j] / pivot;
            for (int i = 0; i < r; i++)
                for (int j = 0; j < s; j++) f[i * s + j] = u[i] * v[j];
        }
    }

    public static TheoryData<ConvGeometry> Cases => new(
    [
        ConvGeometry.TwoD(3, 1, 6, A(28, 5, 1, 1, 2, 2), A(28, 5, 1, 1, 2, 2)),
        ConvGeometry.TwoD(1, 3, 3, A(13, 7, 1, 1, 3, 3), A(17, 7, 1, 1, 3, 3)),
        ConvGeometry.TwoD(2, 3, 5, A(7, 1), A(11, 1)),
        ConvGeometry.TwoD(2, 5, 7, A(5, 3, 1, 1, 1, 1), A(16, 3, 1, 1, 1, 1)),
        ConvGeometry.TwoD(1, 9, 9, A(4, 3), A(37, 3, 1, 1, 0, 2)),
        ConvGeometry.TwoD(2, 3, 4, A(11, 3, 2, 1, 1, 1), A(13, 3, 2, 1, 1, 1)),
        ConvGeometry.TwoD(1, 2, 5, A(19, 7, 2, 1, 3, 3), A(23, 5, 3, 1, 2, 2)),
        ConvGeometry.TwoD(2, 4, 3, A(9, 3, 1, 2, 2, 2), A(10, 3, 1, 3, 0, 0)),
        ConvGeometry.TwoD(2, 2, 3, A(6, 3, 1, 1, 0, 1), A(5, 3, 1, 1, 2, 0)),
        ConvGeometry.TwoD(3, 6, 9, A(7, 3, 2, 1, 1, 1), A(7, 3, 2, 1, 1, 1), groups: 3),
        ConvGeometry.TwoD(3, 5, 5, A(8, 5, 1, 1, 2, 2), A(7, 5, 1, 1, 2, 2), groups: 5),
        ConvGeometry.OneD(3, 5, 7, A(13, 3, 2, 2, 2, 2)),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(ConvGeometry g) => ConvAlgorithmCheck.Forward(Impl, g, Factor);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(ConvGeometry g) => ConvAlgorithmCheck.BackwardData(Impl, g, Factor);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(ConvGeometry g) => ConvAlgorithmCheck.BackwardWeights(Impl, g, 1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllPasses_OneVersusTwoVersusFiveThreads_BitIdentical(ConvGeometry g) => ThreadCountInvariant(Impl, g);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(ConvGeometry g) => AccumulatesOnce(Impl, g);

    [Fact]
    public void TryDecompose_ClassicFilters_SeparableOnesSplitExactly()
    {
        // Gaussian 1-2-1 ⊗ 1-2-1, box, Sobel x = (1, 2, 1)ᵀ ⊗ (−1, 0, 1).
        float[][] separable =
        [
            [1, 2, 1, 2, 4, 2, 1, 2, 1],
            [1, 1, 1, 1, 1, 1, 1, 1, 1],
            [-1, 0, 1, -2, 0, 2, -1, 0, 1],
        ];
        foreach (var f in separable)
        {
            float[] u = new float[3], v = new float[3];
            Assert.True(SeparableConvKernel.TryDecompose(f, 3, 3, u, v));
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) Assert.Equal(f[i * 3 + j], u[i] * v[j], 6);
        }
        // Laplacian [0 1 0; 1 −4 1; 0 1 0] has rank 2; a random filter rank 3.
        Assert.False(SeparableConvKernel.TryDecompose([0, 1, 0, 1, -4, 1, 0, 1, 0], 3, 3, new float[3], new float[3]));
        var random = new float[9];
        new Rng(3).FillUniform(random, -1, 1);
        Assert.False(SeparableConvKernel.TryDecompose(random, 3, 3, new float[3], new float[3]));
        Assert.True(SeparableConvKernel.TryDecompose(new float[6], 2, 3, new float[2], new float[3]));
        Assert.False(SeparableConvKernel.TryDecompose([1, float.NaN, 1, 1], 2, 2, new float[2], new float[2]));
    }

    [Fact]
    public void TryDecompose_NearlySeparable_ToleranceDecides()
    {
        // A 5×5 Gaussian outer product with one tap nudged by 1e-3 of the largest: rank 2, but within a loose tolerance.
        float[] g1 = [1, 4, 6, 4, 1];
        float[] f = [.. from a in g1 from b in g1 select a * b];
        f[7] += 0.036f;
        Assert.False(SeparableConvKernel.TryDecompose(f, 5, 5, new float[5], new float[5]));
        Assert.True(SeparableConvKernel.TryDecompose(f, 5, 5, new float[5], new float[5], tolerance: 2e-3f));
    }

    [Fact]
    public void Forward_NonSeparableFilter_ThrowsNamingTheFilters()
    {
        var g = ConvGeometry.TwoD(1, 1, 1, A(5, 3), A(5, 3));
        var e = Assert.Throws<ArgumentException>(() => SeparableConvKernel.Forward(g, new float[25], [0, 1, 0, 1, -4, 1, 0, 1, 0], [], new float[9], 1));
        Assert.Equal("w", e.ParamName);
        Assert.False(SeparableConvKernel.IsSeparable(g, [0, 1, 0, 1, -4, 1, 0, 1, 0]));
        Assert.True(SeparableConvKernel.IsSeparable(g, [1, 2, 1, 2, 4, 2, 1, 2, 1]));
    }

    [Fact]
    public void Forward_ReluEpilogue_EqualsReluOfPlainForwardBitForBit()
    {
        var g = ConvGeometry.TwoD(3, 5, 6, A(9, 5, 1, 1, 2, 2), A(21, 5, 1, 1, 2, 2));
        var rng = new Rng(11);
        float[] x = Random(rng, g.InputLength), w = Random(rng, g.WeightLength), b = Random(rng, g.K);
        MakeRankOne(g, w);
        float[] plain = new float[g.OutputLength], fused = new float[g.OutputLength];
        SeparableConvKernel.Forward(g, x, w, b, plain, 2);
        SeparableConvKernel.Forward(g, x, w, b, fused, 2, ConvEpilogue.Relu);
        Assert.Contains(plain, v => v < 0);
        AssertTensor.BitIdentical([.. plain.Select(v => Math.Max(v, 0f))], fused, "fused ReLU");
    }

    [Fact]
    public void ChooseFrozen_SeparableFiltersOnly()
    {
        var g = ConvGeometry.TwoD(2, 3, 3, A(32, 5, 1, 1, 2, 2), A(32, 5, 1, 1, 2, 2), groups: 3);
        float[] g1 = [1, 4, 6, 4, 1];
        float[] gauss = [.. from a in g1 from b in g1 select a * b / 256f];
        float[] w = [.. gauss, .. gauss, .. gauss];
        Assert.Equal(ConvAlgorithm.Separable, ConvAlgorithms.ChooseFrozen(g, ConvPass.Forward, w));
        Assert.Equal(ConvAlgorithm.Separable, ConvAlgorithms.ChooseFrozen(g, ConvPass.BackwardData, w));
        Assert.Equal(ConvAlgorithms.Choose(g, ConvPass.BackwardWeights), ConvAlgorithms.ChooseFrozen(g, ConvPass.BackwardWeights, w));
        w[30] += 0.5f;
        Assert.Equal(ConvAlgorithms.Choose(g, ConvPass.Forward), ConvAlgorithms.ChooseFrozen(g, ConvPass.Forward, w));
    }
}
