// LocalResponseNormKernel against the double-precision reference (explicit Jacobian): windows of
// both conventions (even and odd sizes, wider than the channel count, radius 0), batch 1 and odd,
// channel counts not a multiple of 8, positions around the 64-lane block; thread independence.
using Striate.Kernels.Normalization;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Normalization;

public class LocalResponseNormKernelTests
{
    public static TheoryData<int, int, int, int, int> Sweep => new()
    {
        // n, c, inner, before, after
        { 1, 1, 1, 0, 0 },
        { 1, 5, 7, 2, 2 },     // PyTorch size 5
        { 3, 7, 5, 2, 1 },     // PyTorch size 4 (even): ⌊4/2⌋ below, ⌊3/2⌋ above
        { 2, 13, 65, 1, 1 },   // 65 positions: a full 64-lane block and one more
        { 3, 4, 130, 4, 4 },   // window wider than the channels
        { 1, 9, 3, 0, 3 },     // one-sided window
        { 2, 3, 1, 1, 1 },     // one position per channel
        { 0, 4, 3, 1, 1 },     // empty batch
    };

    [Theory]
    [MemberData(nameof(Sweep))]
    public void ForwardAndBackward_MatchReference(int n, int c, int inner, int before, int after)
    {
        var window = new LrnWindow(before, after, 0.35f, 1.25f, 0.75f);
        int length = n * c * inner;
        var rng = new Rng((ulong)(n * 7 + c * 131 + inner * 3 + before));
        var x = new float[length];
        rng.FillUniform(x, -2f, 2f);
        var dy = new float[length];
        rng.FillUniform(dy, -1f, 1f);

        var y = new float[length];
        var scale = new float[length];
        LocalResponseNormKernel.Forward(x, n, c, inner, window, y, scale, 1);
        var xd = Array.ConvertAll(x, v => (double)v);
        var yRef = new double[length];
        LocalResponseNormReference.Forward<double>(xd, n, c, inner, window, yRef);
        AssertTensor.Close(y, yRef, [n, c, inner], Tolerances.Pointwise, $"LRN forward, window ({before}, {after})");

        var dx = new float[length];
        Array.Fill(dx, -0.5f);
        LocalResponseNormKernel.Backward(x, scale, dy, n, c, inner, window, dx, 1);
        var dxRef = new double[length];
        Array.Fill(dxRef, -0.5);
        LocalResponseNormReference.Backward<double>(xd, Array.ConvertAll(dy, v => (double)v), n, c, inner, window, dxRef);
        AssertTensor.Close(dx, dxRef, [n, c, inner], Tolerances.Accumulation, $"LRN backward (added to −0.5), window ({before}, {after})");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(5)]
    public void PyTorchWindow_MatchesTensorFlowWindowWithScaledAlpha(int size)
    {
        // Odd sizes are symmetric, so PyTorch(size, alpha·size, β, k) = TensorFlow(r = (size−1)/2, k, alpha, β).
        var torch = LrnWindow.PyTorch(size, 0.3f * size, 0.75f, 2f);
        Assert.Equal((size / 2, (size - 1) / 2), (torch.Before, torch.After));
        Assert.Equal(0.3f, torch.Alpha, 1e-7f);
        if (size % 2 == 1) Assert.Equal(LrnWindow.TensorFlow((size - 1) / 2, 2f, torch.Alpha, 0.75f), torch);
    }

    [Fact]
    public void ForwardAndBackward_AreBitIdenticalForAnyThreadCount()
    {
        const int n = 5, c = 11, inner = 300;
        var window = LrnWindow.PyTorch(5, 0.5f, 0.75f, 2f);
        var rng = new Rng(71);
        var x = new float[n * c * inner];
        rng.FillUniform(x, -3f, 3f);
        var dy = new float[x.Length];
        rng.FillUniform(dy, -1f, 1f);
        float[] Run(int threads)
        {
            var y = new float[x.Length];
            var scale = new float[x.Length];
            var dx = new float[x.Length];
            LocalResponseNormKernel.Forward(x, n, c, inner, window, y, scale, threads);
            LocalResponseNormKernel.Backward(x, scale, dy, n, c, inner, window, dx, threads);
            return [.. y, .. dx];
        }
        var one = Run(1);
        AssertTensor.BitIdentical(one, Run(2), "LRN, 2 threads");
        AssertTensor.BitIdentical(one, Run(7), "LRN, 7 threads");
    }

    [Fact]
    public void InvalidWindowOrSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => new LrnWindow(-1, 0, 1f, 1f, 0.5f).Validate());
        Assert.Throws<ArgumentException>(() => new LrnWindow(1, 1, 1f, 0f, 0.5f).Validate());
        Assert.Throws<ArgumentException>(() => new LrnWindow(1, 1, -1f, 1f, 0.5f).Validate());
        Assert.Throws<ArgumentException>(() => new LrnWindow(1, 1, 1f, 1f, float.NaN).Validate());
        var w = LrnWindow.PyTorch(3, 1f, 0.75f, 1f);
        Assert.Throws<ArgumentException>(() => LocalResponseNormKernel.Forward(new float[6], -1, 3, 2, w, new float[6], new float[6], 1));
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => LocalResponseNormKernel.Forward(new float[6], 1, 3, 2, w, new float[6], new float[5], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => LocalResponseNormKernel.Backward(new float[6], new float[6], new float[6], 1, 3, 2, w, new float[2], 1)).ParamName);
    }
}
