// The direct convolution kernels against the naive reference (double) over an edge-case sweep of 1-D
// and 2-D geometries: N = 1 and odd N, channels not a multiple of 8, prime sizes, widths below, at and
// above the 16-lane step, stride 2 and 3, padding 0/1/2 and asymmetric, dilation, groups, 1×1 and 7×7
// filters; thread-count determinism, accumulate-once backwards, the fused ReLU and bad arguments.
using Striate.Kernels.Conv;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Conv.ConvAlgorithmCheck;

namespace Striate.Tests.Kernels.Conv;

public class DirectConvKernelTests
{
    private sealed class Direct : IConvPasses
    {
        public string Name => "Direct";

        public void Forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, int threads) =>
            DirectConvKernel.Forward(g, x, w, bias, y, threads);

        public void BackwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int threads) =>
            DirectConvKernel.BackwardData(g, dy, w, dx, threads);

        public void BackwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int threads) =>
            DirectConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
    }

    private static readonly Direct Impl = new();

    public static TheoryData<ConvGeometry> Cases => new(
    [
        // LeNet C1 and C2 (odd batch), 1×1 and 7×7 filters, prime sizes.
        ConvGeometry.TwoD(3, 1, 6, A(28, 5, 1, 1, 2, 2), A(28, 5, 1, 1, 2, 2)),
        ConvGeometry.TwoD(1, 6, 16, A(14, 5), A(14, 5)),
        ConvGeometry.TwoD(2, 3, 5, A(7, 1), A(11, 1)),
        ConvGeometry.TwoD(1, 3, 4, A(13, 7, 1, 1, 3, 3), A(17, 7, 1, 1, 3, 3)),
        // Widths below, at and above the 16-lane step; channels not a multiple of 8 or of the 4-channel block.
        ConvGeometry.TwoD(2, 5, 7, A(5, 3, 1, 1, 1, 1), A(16, 3, 1, 1, 1, 1)),
        ConvGeometry.TwoD(1, 9, 9, A(4, 3), A(37, 3, 1, 1, 0, 2)),
        ConvGeometry.TwoD(3, 17, 3, A(6, 3, 1, 1, 1, 1), A(33, 3, 1, 1, 1, 1)),
        // Stride 2 and 3 (also per axis), padding 0/1/2, dilation 2 and 3.
        ConvGeometry.TwoD(2, 3, 4, A(11, 3, 2, 1, 1, 1), A(13, 3, 2, 1, 1, 1)),
        ConvGeometry.TwoD(1, 2, 5, A(19, 7, 2, 1, 3, 3), A(23, 7, 3, 1, 2, 2)),
        ConvGeometry.TwoD(2, 4, 3, A(9, 3, 1, 2, 2, 2), A(10, 3, 1, 3, 0, 0)),
        ConvGeometry.TwoD(1, 3, 2, A(12, 3, 2, 2, 1, 1), A(12, 2, 3, 2, 2, 1)),
        // Asymmetric, negative trailing and large padding; groups and depthwise.
        ConvGeometry.TwoD(2, 2, 3, A(6, 3, 1, 1, 0, 1), A(5, 3, 1, 1, 2, 0)),
        ConvGeometry.TwoD(2, 3, 2, A(9, 4, 2, 1, 1, -1), A(8, 3, 2, 1, 1, 0)),
        ConvGeometry.TwoD(1, 1, 2, A(3, 3, 1, 1, 4, 4), A(3, 3, 1, 1, 4, 4)),
        ConvGeometry.TwoD(3, 6, 9, A(7, 3, 2, 1, 1, 1), A(7, 3, 2, 1, 1, 1), groups: 3),
        ConvGeometry.TwoD(3, 5, 5, A(8, 3, 1, 1, 1, 1), A(7, 3, 1, 1, 1, 1), groups: 5),
        // Output channels in the lanes (short rows, ≥ 8 channels per group): a 17th channel, groups, stride, dilation, 1-D.
        ConvGeometry.TwoD(3, 3, 17, A(9, 3, 2, 1, 1, 1), A(7, 3, 2, 1, 1, 1)),
        ConvGeometry.TwoD(2, 4, 16, A(6, 3, 1, 2, 2, 2), A(5, 3, 1, 2, 2, 2), groups: 2),
        ConvGeometry.OneD(2, 3, 12, A(11, 3, 3, 1, 1, 1)),
        // Rows of 8 to 12 outputs with 8+ channels per group: the channel-lane row-pair blocking (odd P computes its last row
        // twice; K = 20 leaves a partial block of 4; stride 2; groups; 9 + 9 pixels: one 16-pixel transpose and a rest).
        ConvGeometry.TwoD(2, 3, 16, A(9, 3, 1, 1, 1, 1), A(8, 3, 1, 1, 1, 1)),
        ConvGeometry.TwoD(1, 4, 20, A(11, 3), A(11, 3)),
        ConvGeometry.TwoD(3, 2, 9, A(7, 5, 1, 1, 2, 2), A(11, 5, 1, 1, 2, 2)),
        ConvGeometry.TwoD(1, 5, 12, A(23, 3, 2, 1, 1, 1), A(23, 3, 2, 1, 1, 1)),
        ConvGeometry.TwoD(2, 4, 32, A(12, 3, 1, 1, 1, 1), A(12, 3, 1, 1, 1, 1), groups: 2),
        ConvGeometry.TwoD(1, 5, 16, A(7, 3, 1, 1, 1, 1), A(7, 3, 1, 1, 1, 1)),   // rows of 7 (ResNet's last stage), odd P
        ConvGeometry.TwoD(2, 3, 10, A(8, 3), A(8, 3)),                           // rows of 6, in place
        // 1-D.
        ConvGeometry.OneD(3, 5, 7, A(13, 3, 2, 2, 2, 2)),
        ConvGeometry.OneD(1, 2, 3, A(41, 5, 1, 1, 4, 4)),
    ]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_EdgeCaseSweep_MatchesReference(ConvGeometry g) => ConvAlgorithmCheck.Forward(Impl, g, 1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardData_EdgeCaseSweep_AccumulatesReference(ConvGeometry g) => ConvAlgorithmCheck.BackwardData(Impl, g, 1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void BackwardWeights_EdgeCaseSweep_AccumulatesReference(ConvGeometry g) => ConvAlgorithmCheck.BackwardWeights(Impl, g, 1);

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllPasses_OneVersusTwoVersusFiveThreads_BitIdentical(ConvGeometry g) => ThreadCountInvariant(Impl, g);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backwards_IntoNonZeroDestination_AddTheFreshGradientOnce(ConvGeometry g) => AccumulatesOnce(Impl, g);

    [Theory]
    [MemberData(nameof(Cases))]
    public void AllPasses_Vector512AndVector256Blockings_BitIdentical(ConvGeometry g)
    {
        // Where AVX-512 is available the kernels block 6 channels × 32 outputs (or 16 channels × 12 pixels) in Vector512
        // registers; the Vector256 blockings compute every output as the same chain, so all passes agree bit for bit.
        var rng = new Rng(17);
        float[] x = Random(rng, g.InputLength), w = Random(rng, g.WeightLength), b = Random(rng, g.K), dy = Random(rng, g.OutputLength);
        float[][] Run(bool narrow)
        {
            DirectConvKernel.t_narrowOnThisThread = narrow;
            try
            {
                float[] y = new float[g.OutputLength], dx = new float[g.InputLength], dw = new float[g.WeightLength], db = new float[g.K];
                DirectConvKernel.Forward(g, x, w, b, y, 1, ConvEpilogue.Relu);
                DirectConvKernel.BackwardData(g, dy, w, dx, 1);
                DirectConvKernel.BackwardWeights(g, x, dy, dw, db, 1);
                return [y, dx, dw, db];
            }
            finally
            {
                DirectConvKernel.t_narrowOnThisThread = false;
            }
        }
        var wide = Run(false);
        var narrow = Run(true);
        string[] names = ["forward", "data gradient", "weight gradient", "bias gradient"];
        for (int i = 0; i < wide.Length; i++) AssertTensor.BitIdentical(narrow[i], wide[i], $"{names[i]}: Vector512 vs Vector256 blocking");
    }

    [Fact]
    public void Forward_ReluEpilogue_EqualsReluOfPlainForwardBitForBit()
    {
        var g = ConvGeometry.TwoD(3, 5, 6, A(9, 3, 1, 1, 1, 1), A(21, 3, 1, 1, 1, 1));
        var rng = new Rng(11);
        float[] x = Random(rng, g.InputLength), w = Random(rng, g.WeightLength), b = Random(rng, g.K);
        float[] plain = new float[g.OutputLength], fused = new float[g.OutputLength];
        DirectConvKernel.Forward(g, x, w, b, plain, 2);
        DirectConvKernel.Forward(g, x, w, b, fused, 2, ConvEpilogue.Relu);
        Assert.Contains(plain, v => v < 0);
        AssertTensor.BitIdentical([.. plain.Select(v => Math.Max(v, 0f))], fused, "fused ReLU");
    }

    [Fact]
    public void Forward_ChannelLanesAndPixelLanes_BitIdentical()
    {
        // 12 channels over 10-wide output rows put the channels in the lanes (12/16 of the lanes busy against 10/16);
        // the same image widened to 16-wide outputs puts the pixels in the lanes. The first 10 columns read the same
        // inputs in the same order, so the two register blockings must agree bit for bit.
        var narrow = ConvGeometry.TwoD(3, 6, 12, A(9, 5, 1, 1, 1, 1), A(12, 5, 1, 1, 1, 1));
        var wide = ConvGeometry.TwoD(3, 6, 12, A(9, 5, 1, 1, 1, 1), A(18, 5, 1, 1, 1, 1));
        Assert.Equal(10, narrow.Width.Output);
        Assert.Equal(16, wide.Width.Output);
        var rng = new Rng(12);
        float[] xWide = Random(rng, wide.InputLength), w = Random(rng, wide.WeightLength), b = Random(rng, wide.K);
        var xNarrow = new float[narrow.InputLength];
        for (int row = 0; row < 3 * 6 * 9; row++) Array.Copy(xWide, row * 18, xNarrow, row * 12, 12);
        float[] yNarrow = new float[narrow.OutputLength], yWide = new float[wide.OutputLength];
        DirectConvKernel.Forward(narrow, xNarrow, w, b, yNarrow, 2, ConvEpilogue.Relu);
        DirectConvKernel.Forward(wide, xWide, w, b, yWide, 2, ConvEpilogue.Relu);
        // Output column 9 of the narrow image reads its right padding, which holds zeros; in the wide one it reads real
        // columns 12 and up, so only columns 0–8 (which never touch the padding) are compared.
        int rows = 3 * 12 * narrow.Height.Output;
        for (int row = 0; row < rows; row++)
            for (int q = 0; q < 9; q++)
            {
                float expected = yWide[row * 16 + q], actual = yNarrow[row * 10 + q];
                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual))
                    Assert.Fail($"Channel-lane vs pixel-lane forward: output row {row}, column {q}, pixel lanes {expected}, channel lanes {actual}");
            }
    }

    [Fact]
    public void BackwardWeights_TwoFilterAndOneFilterBlockings_BitIdentical()
    {
        // Three 2×7 filters take the two-filter blocking (a pair and a single, 5 taps at once then 2 one at a time);
        // each filter alone (K = 1) takes the one-filter blocking. Every tap's sum is the same sequence, so bits agree.
        var all = ConvGeometry.TwoD(3, 2, 3, A(8, 2, 1, 1, 1, 1), A(19, 7, 1, 1, 3, 3));
        var one = all with { K = 1 };
        var rng = new Rng(13);
        float[] x = Random(rng, all.InputLength), dy = Random(rng, all.OutputLength);
        var dw = new float[all.WeightLength];
        DirectConvKernel.BackwardWeights(all, x, dy, dw, default, 2);
        int taps = 2 * 2 * 7, plane = all.Height.Output * all.Width.Output;
        for (int k = 0; k < 3; k++)
        {
            var dyk = new float[one.OutputLength];
            for (int n = 0; n < 3; n++) Array.Copy(dy, (n * 3 + k) * plane, dyk, n * plane, plane);
            var dwk = new float[one.WeightLength];
            DirectConvKernel.BackwardWeights(one, x, dyk, dwk, default, 1);
            AssertTensor.BitIdentical(dwk, dw.AsSpan(k * taps, taps).ToArray(), $"filter {k}: two-filter vs one-filter weight gradient");
        }
    }

    [Fact]
    public void Forward_NoInputChannels_IsBias()
    {
        var g = ConvGeometry.TwoD(2, 0, 2, A(3, 1), A(3, 1));
        var y = new float[g.OutputLength];
        DirectConvKernel.Forward(g, [], new float[0], [1.5f, -2f], y, 1, ConvEpilogue.Relu);
        Assert.Equal([.. Enumerable.Repeat(1.5f, 9), .. Enumerable.Repeat(0f, 9), .. Enumerable.Repeat(1.5f, 9), .. Enumerable.Repeat(0f, 9)], y);
    }

    [Fact]
    public void AllPasses_DepthAxisOrShortSpans_ThrowNamingTheParameter()
    {
        var g3 = new ConvGeometry(1, 1, 1, A(3, 2), A(3, 2), A(3, 2));
        Assert.False(DirectConvKernel.IsApplicable(g3));
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => DirectConvKernel.Forward(g3, new float[27], new float[8], [], new float[8], 1)).ParamName);
        var g = ConvGeometry.TwoD(1, 1, 2, A(4, 3), A(4, 3));
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DirectConvKernel.Forward(g, new float[16], new float[18], [], new float[7], 1)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => DirectConvKernel.Forward(g, new float[16], new float[18], [1f], new float[8], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => DirectConvKernel.BackwardData(g, new float[8], new float[18], new float[15], 1)).ParamName);
        Assert.Equal("db", Assert.Throws<ArgumentException>(() => DirectConvKernel.BackwardWeights(g, new float[16], new float[8], new float[18], new float[3], 1)).ParamName);
    }
}
