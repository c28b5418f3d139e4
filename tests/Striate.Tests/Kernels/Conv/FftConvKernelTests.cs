// The FFT convolution kernels against the naive reference (double) over an edge-case sweep of stride-1
// geometries: N = 1 and odd N, channels not a multiple of 8, prime sizes (non-power-of-two FFT lengths),
// padding 0/1/2, asymmetric, negative trailing and larger than the kernel, dilation, 1×1, 7×7 and 11×11
// filters, groups, depthwise and 1-D; thread-count determinism, accumulate-once backwards, the fused ReLU.
// Error model: the FFT spreads rounding over each plane, so every element is allowed the dot-product
// bound (terms + 2)·u·Σ|terms| of the tensor's largest output (globalBound), not of its own.
using Striate.Kernels.Conv;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Conv.ConvAlgorithmCheck;

namespace Striate.Tests.Kernels.Conv;

public class FftConvKernelTests
{
    private const double Factor = 1;

    private sealed class FftConv : IConvPasses
    {
        public string Name => "Fft";

        public void Forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, int threads) =>
            FftConvKernel.Forward(g, x, w, bias, y, threads);

        public void BackwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int threads) =>
            FftConvKernel.BackwardData(g, dy, w, dx, threads);

        public void BackwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int threads) =>
            FftConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
    }

    private static readonly FftConv Impl = new();

    public static TheoryData<ConvGeometry> Cases => new(
    [
        ConvGeometry.TwoD(1, 1, 1, A(7, 3), A(7, 3)),
        ConvGeometry.TwoD(3, 1, 6, A(28, 5, 1, 1, 2, 2), A(28, 5, 1, 1, 2, 2)),
        ConvGeometry.TwoD(2, 3, 4, A(17, 11, 1, 1, 5, 5), A(19, 11, 1, 1, 5, 5)),
        ConvGeometry.TwoD(1, 5, 3, A(13, 7, 1, 1, 3, 3), A(11, 7, 1, 1, 0, 2)),
        ConvGeometry.TwoD(2, 3, 5, A(7, 1), A(11, 1)),
        ConvGeometry.TwoD(2, 4, 3, A(9, 3, 1, 2, 2, 2), A(10, 3, 1, 3, 0, 0)),
        ConvGeometry.TwoD(2, 2, 3, A(6, 3, 1, 1, 0, 1), A(5, 3, 1, 1, 2, 0)),
        ConvGeometry.TwoD(2, 3, 2, A(9, 4, 1, 1, 1, -1), A(8, 3, 1, 1, 1, 0)),
        ConvGeometry.TwoD(1, 1, 2, A(3, 3, 1, 1, 4, 4), A(3, 3, 1, 1, 4, 4)),
        ConvGeometry.TwoD(3, 6, 9, A(7, 3, 1, 1, 1, 1), A(7, 3, 1, 1, 1, 1), groups: 3),
        ConvGeometry.TwoD(3, 5, 5, A(8, 5, 1, 1, 2, 2), A(7, 5, 1, 1, 2, 2), groups: 5),
        ConvGeometry.TwoD(2, 9, 10, A(12, 9, 1, 1, 4, 4), A(12, 9, 1, 1, 4, 4)),
        ConvGeometry.OneD(3, 5, 7, A(13, 3, 1, 2, 2, 2)),
        ConvGeometry.OneD(1, 2, 3, A(41, 15, 1, 1, 7, 7)),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(ConvGeometry g) => ConvAlgorithmCheck.Forward(Impl, g, Factor, globalBound: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(ConvGeometry g) => ConvAlgorithmCheck.BackwardData(Impl, g, Factor, globalBound: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(ConvGeometry g) => ConvAlgorithmCheck.BackwardWeights(Impl, g, Factor, globalBound: true);

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllPasses_OneVersusTwoVersusFiveThreads_BitIdentical(ConvGeometry g) => ThreadCountInvariant(Impl, g);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(ConvGeometry g) => AccumulatesOnce(Impl, g);

    [Fact]
    public void Forward_ReluEpilogue_EqualsReluOfPlainForwardBitForBit()
    {
        var g = ConvGeometry.TwoD(3, 5, 6, A(9, 5, 1, 1, 2, 2), A(21, 5, 1, 1, 2, 2));
        var rng = new Rng(11);
        float[] x = Random(rng, g.InputLength), w = Random(rng, g.WeightLength), b = Random(rng, g.K);
        float[] plain = new float[g.OutputLength], fused = new float[g.OutputLength];
        FftConvKernel.Forward(g, x, w, b, plain, 2);
        FftConvKernel.Forward(g, x, w, b, fused, 2, ConvEpilogue.Relu);
        Assert.Contains(plain, v => v < 0);
        AssertTensor.BitIdentical([.. plain.Select(v => Math.Max(v, 0f))], fused, "fused ReLU");
    }

    [Fact]
    public void AllPasses_StridedOrThreeD_NotApplicableAndThrowNamingTheGeometry()
    {
        var strided = ConvGeometry.TwoD(1, 1, 1, A(9, 3, 2), A(9, 3, 2));
        Assert.False(FftConvKernel.IsApplicable(strided));
        Assert.False(FftConvKernel.IsApplicable(new ConvGeometry(1, 1, 1, A(3, 2), A(3, 2), A(3, 2))));
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => FftConvKernel.Forward(strided, new float[81], new float[9], [], new float[16], 1)).ParamName);
        var g = ConvGeometry.TwoD(1, 1, 2, A(4, 3), A(4, 3));
        Assert.Equal("dy", Assert.Throws<ArgumentException>(() => FftConvKernel.BackwardData(g, new float[7], new float[18], new float[16], 1)).ParamName);
    }
}
