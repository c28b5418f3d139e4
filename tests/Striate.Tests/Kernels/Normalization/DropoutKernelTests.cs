// DropoutKernel against the reference: element-wise and grouped masks, accumulation into dx,
// in-place use, thread independence and short spans.
using Striate.Kernels.Normalization;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Normalization;

public class DropoutKernelTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(37, 1)]    // element-wise
    [InlineData(6, 13)]    // N·C channels of 13 positions
    [InlineData(5, 64)]
    [InlineData(0, 4)]
    public void ForwardAndBackward_MatchReference(int groups, int groupSize)
    {
        var rng = new Rng((ulong)(groups * 100 + groupSize));
        var x = new float[groups * groupSize];
        rng.FillUniform(x, -2f, 2f);
        var mask = new float[groups];
        for (int g = 0; g < groups; g++) mask[g] = rng.NextSingle() < 0.3f ? 0f : 1f / 0.7f;
        var y = new float[x.Length];
        DropoutKernel.Forward(x, mask, groupSize, y, 1);
        var yRef = new double[x.Length];
        DropoutReference.Forward<double>(Array.ConvertAll(x, v => (double)v), Array.ConvertAll(mask, v => (double)v), groupSize, yRef);
        AssertTensor.Close(y, yRef, [groups, groupSize], Tolerances.Pointwise, "dropout forward");

        var dx = new float[x.Length];
        Array.Fill(dx, 1f);
        DropoutKernel.Backward(x, mask, groupSize, dx, 1);
        var dxRef = new double[x.Length];
        Array.Fill(dxRef, 1.0);
        DropoutReference.Backward<double>(Array.ConvertAll(x, v => (double)v), Array.ConvertAll(mask, v => (double)v), groupSize, dxRef);
        AssertTensor.Close(dx, dxRef, [groups, groupSize], Tolerances.Pointwise, "dropout backward (added to 1)");
    }

    [Fact]
    public void Forward_InPlaceAndAnyThreadCount_GiveTheSameBits()
    {
        const int groups = 700, groupSize = 333;
        var rng = new Rng(7);
        var x = new float[groups * groupSize];
        rng.FillUniform(x, -2f, 2f);
        var mask = new float[groups];
        for (int g = 0; g < groups; g++) mask[g] = rng.NextSingle() < 0.5f ? 0f : 2f;
        var one = new float[x.Length];
        DropoutKernel.Forward(x, mask, groupSize, one, 1);
        var many = new float[x.Length];
        DropoutKernel.Forward(x, mask, groupSize, many, 4);
        AssertTensor.BitIdentical(one, many, "dropout, 4 threads");
        var inPlace = (float[])x.Clone();
        DropoutKernel.Forward(inPlace, mask, groupSize, inPlace, 3);
        AssertTensor.BitIdentical(one, inPlace, "dropout in place");
    }

    [Fact]
    public void ShortSpans_ThrowNamingThem()
    {
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => DropoutKernel.Forward(new float[6], new float[2], 3, new float[5], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => DropoutKernel.Backward(new float[6], new float[2], 3, new float[5], 1)).ParamName);
        Assert.Equal("groupSize", Assert.Throws<ArgumentException>(() => DropoutKernel.Forward(new float[6], new float[2], -3, new float[6], 1)).ParamName);
    }
}
