// The Winograd F(2×2,3×3) and F(4×4,3×3) kernels against the naive reference (double) over an edge-case
// sweep: N = 1 and odd N, channels not a multiple of 8, prime sizes (partial tiles on both sides),
// tile rows narrower and wider than the 8-tile vectors, padding 0/1/2 and asymmetric, groups and
// depthwise; chunking across images; thread-count determinism, accumulate-once backwards, the fused
// ReLU, applicability and bad arguments.
using Striate.Kernels.Conv;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Conv.ConvAlgorithmCheck;

namespace Striate.Tests.Kernels.Conv;

public class WinogradConvKernelTests
{
    // Error model (see the kernel's header and docs/kernels/convolution-algorithms.md): the dot-product bound
    // (terms + 2)·u·Σ|w·x| with the transforms counted as extra terms, and for the forward and the data gradient
    // Σ|w·x| taken as the largest of the output's m×m tile (the transforms mix the whole input tile into each of
    // its outputs). Measured over 40 random geometries (C/G and K/G 1 to 128, padding 0 to 2, AVX-512 on and off):
    // worst 0.19 (F(2×2)) and 0.57 (F(4×4)) of the bound with 16 and 128 extra terms, at one channel per group.
    // The allowances are set to 32 and 512 so the worst case sits near 0.15 of the bound: a CPU whose rounding
    // differs (another vector width, FMA contraction) has a 6× margin.
    private const int F2Terms = 32, F4Terms = 512;

    private static int TransformTerms(int tile) => tile == 2 ? F2Terms : F4Terms;

    private sealed class Winograd(int tile) : IConvPasses
    {
        public string Name => $"Winograd F({tile}×{tile},3×3)";

        public void Forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, int threads) =>
            WinogradConvKernel.Forward(g, x, w, bias, y, threads, tileSize: tile);

        public void BackwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int threads) =>
            WinogradConvKernel.BackwardData(g, dy, w, dx, threads, tile);

        public void BackwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int threads) =>
            WinogradConvKernel.BackwardWeights(g, x, dy, dw, db, threads, tile);
    }

    public static TheoryData<ConvGeometry, int> Cases
    {
        get
        {
            ConvGeometry[] shapes =
            [
                ConvGeometry.TwoD(1, 1, 1, A(3, 3), A(3, 3)),
                ConvGeometry.TwoD(3, 5, 7, A(11, 3, 1, 1, 1, 1), A(13, 3, 1, 1, 1, 1)),
                ConvGeometry.TwoD(1, 9, 6, A(17, 3, 1, 1, 0, 0), A(37, 3, 1, 1, 0, 0)),
                ConvGeometry.TwoD(2, 3, 17, A(7, 3, 1, 1, 2, 2), A(5, 3, 1, 1, 2, 2)),
                ConvGeometry.TwoD(2, 4, 3, A(8, 3, 1, 1, 0, 1), A(9, 3, 1, 1, 2, 0)),
                ConvGeometry.TwoD(2, 6, 4, A(10, 3, 1, 1, 1, 1), A(29, 3, 1, 1, 1, 1), groups: 2),
                ConvGeometry.TwoD(3, 5, 5, A(9, 3, 1, 1, 1, 1), A(12, 3, 1, 1, 1, 1), groups: 5),
                ConvGeometry.TwoD(5, 16, 12, A(14, 3, 1, 1, 1, 1), A(14, 3, 1, 1, 1, 1)),
            ];
            var data = new TheoryData<ConvGeometry, int>();
            foreach (var g in shapes)
                foreach (int tile in new[] { 2, 4 }) data.Add(g, tile);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(ConvGeometry g, int tile) =>
        ConvAlgorithmCheck.Forward(new Winograd(tile), g, 1, transformTerms: TransformTerms(tile), tile: tile);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(ConvGeometry g, int tile) =>
        ConvAlgorithmCheck.BackwardData(new Winograd(tile), g, 1, transformTerms: TransformTerms(tile), tile: tile);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(ConvGeometry g, int tile) =>
        ConvAlgorithmCheck.BackwardWeights(new Winograd(tile), g, 1, transformTerms: TransformTerms(tile));

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllPasses_OneVersusTwoVersusFiveThreads_BitIdentical(ConvGeometry g, int tile) => ThreadCountInvariant(new Winograd(tile), g);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(ConvGeometry g, int tile) => AccumulatesOnce(new Winograd(tile), g);

    [Theory]
    [InlineData(2)]
    [InlineData(4)]
    public void AllPasses_OneChannelPaddingTwo_CornersWithinTheirTilesBound(int tile)
    {
        // One input channel and padding 2 on a 3-row input: a corner output reads a single pixel, yet its tile's
        // transform mixes in every pixel of the α×α input tile. A per-output bound failed here by 300× (F(4×4));
        // the tile's largest Σ|terms| holds (docs/kernels/convolution-algorithms.md, "Error models").
        var g = ConvGeometry.TwoD(2, 1, 128, A(3, 3, 1, 1, 2, 2), A(20, 3, 1, 1, 2, 2));
        var impl = new Winograd(tile);
        ConvAlgorithmCheck.Forward(impl, g, 1, transformTerms: TransformTerms(tile), tile: tile);
        ConvAlgorithmCheck.BackwardData(impl, g, 1, transformTerms: TransformTerms(tile), tile: tile);
        ConvAlgorithmCheck.BackwardWeights(impl, g, 1, transformTerms: TransformTerms(tile));
    }

    [Fact]
    public void AllPasses_ManyChunksAcrossImages_MatchReference()
    {
        // Chunks hold at most 512 tiles (34 rows of 15 tiles here), so 3 images of 15×15 F(4×4) tiles span two chunks that cut image 2.
        var g = ConvGeometry.TwoD(3, 3, 2, A(60, 3, 1, 1, 1, 1), A(58, 3, 1, 1, 1, 1));
        var impl = new Winograd(4);
        ConvAlgorithmCheck.Forward(impl, g, 1, transformTerms: F4Terms, tile: 4);
        ConvAlgorithmCheck.BackwardData(impl, g, 1, transformTerms: F4Terms, tile: 4);
        ConvAlgorithmCheck.BackwardWeights(impl, g, 1, transformTerms: F4Terms);
    }

    [Fact]
    public void Forward_ReluEpilogue_EqualsReluOfPlainForwardBitForBit()
    {
        var g = ConvGeometry.TwoD(3, 5, 6, A(9, 3, 1, 1, 1, 1), A(21, 3, 1, 1, 1, 1));
        var rng = new Rng(11);
        float[] x = Random(rng, g.InputLength), w = Random(rng, g.WeightLength), b = Random(rng, g.K);
        float[] plain = new float[g.OutputLength], fused = new float[g.OutputLength];
        WinogradConvKernel.Forward(g, x, w, b, plain, 2);
        WinogradConvKernel.Forward(g, x, w, b, fused, 2, ConvEpilogue.Relu);
        Assert.Contains(plain, v => v < 0);
        AssertTensor.BitIdentical([.. plain.Select(v => Math.Max(v, 0f))], fused, "fused ReLU");
    }

    [Fact]
    public void TileSize_LargeOutputsUseF4_SmallOnesF2()
    {
        Assert.Equal(4, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(56, 3, 1, 1, 1, 1), A(56, 3, 1, 1, 1, 1))));
        Assert.Equal(4, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(32, 3, 1, 1, 1, 1), A(34, 3, 1, 1, 1, 1))));
        Assert.Equal(4, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(28, 3, 1, 1, 1, 1), A(28, 3, 1, 1, 1, 1))));
        Assert.Equal(4, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(24, 3, 1, 1, 1, 1), A(30, 3, 1, 1, 1, 1))));
        Assert.Equal(2, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(23, 3, 1, 1, 1, 1), A(56, 3, 1, 1, 1, 1))));
        Assert.Equal(2, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(14, 3, 1, 1, 1, 1), A(14, 3, 1, 1, 1, 1))));
        Assert.Equal(2, WinogradConvKernel.TileSize(ConvGeometry.TwoD(1, 1, 1, A(7, 3, 1, 1, 1, 1), A(56, 3, 1, 1, 1, 1))));
    }

    [Theory]
    [InlineData(5, 3, 2, 1)] // stride 2
    [InlineData(5, 3, 1, 2)] // dilation 2
    [InlineData(5, 5, 1, 1)] // 5×5
    [InlineData(5, 1, 1, 1)] // 1×1
    public void IsApplicable_OnlyThreeByThreeStrideOneDilationOne(int size, int kernel, int stride, int dilation)
    {
        var g = ConvGeometry.TwoD(1, 2, 2, A(size, kernel, stride, dilation, 1, 1), A(size, kernel, stride, dilation, 1, 1));
        Assert.False(WinogradConvKernel.IsApplicable(g));
        var ex = Assert.Throws<ArgumentException>(() => WinogradConvKernel.Forward(g, new float[g.InputLength], new float[g.WeightLength], [], new float[g.OutputLength], 1));
        Assert.Equal("g", ex.ParamName);
        Assert.False(WinogradConvKernel.IsApplicable(ConvGeometry.OneD(1, 1, 1, A(9, 3))));
    }

    [Fact]
    public void AllPasses_BadTileSizeOrShortSpans_ThrowNamingTheParameter()
    {
        var g = ConvGeometry.TwoD(1, 1, 2, A(4, 3), A(4, 3));
        Assert.Equal("tileSize", Assert.Throws<ArgumentException>(() => WinogradConvKernel.Forward(g, new float[16], new float[18], [], new float[8], 1, tileSize: 3)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => WinogradConvKernel.Forward(g, new float[16], new float[18], [], new float[7], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => WinogradConvKernel.BackwardData(g, new float[8], new float[18], new float[15], 1)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentException>(() => WinogradConvKernel.BackwardWeights(g, new float[16], new float[8], new float[18], new float[3], 1)).ParamName);
    }
}
