// SoftmaxKernel against the double-precision SoftmaxReference (full Jacobian backward) over
// layouts around the 64-lane block, huge logits, thread-count independence and bad sizes.
using Striate.Kernels.Elementwise;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Elementwise;

public class SoftmaxKernelTests
{
    public static TheoryData<int, int, int> Layouts => new()
    {
        { 1, 1, 1 },     // a single logit: probability 1
        { 3, 5, 1 },     // rows
        { 2, 7, 3 },     // strided lanes
        { 1, 13, 129 },  // lanes spanning three 64-lane blocks
        { 4, 3, 64 },    // exactly one block
        { 5, 10, 65 },   // one block and one lane
        { 0, 3, 2 },     // empty
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public void ForwardAndBackward_MatchReference(int outer, int n, int inner)
    {
        int length = outer * n * inner;
        var rng = new Rng((ulong)(outer * 1000 + n * 10 + inner));
        var x = new float[length];
        rng.FillUniform(x, -6f, 6f);
        var dy = new float[length];
        rng.FillUniform(dy, -1f, 1f);

        var y = new float[length];
        SoftmaxKernel.Forward(x, outer, n, inner, y, 1);
        var yRef = new double[length];
        SoftmaxReference.Forward<double>(Array.ConvertAll(x, v => (double)v), outer, n, inner, yRef);
        AssertTensor.Close(y, yRef, [outer, n, inner], Tolerances.Pointwise, "softmax forward");

        var dx = new float[length];
        Array.Fill(dx, 0.5f);
        SoftmaxKernel.Backward(y, dy, outer, n, inner, dx, 1);
        var dxRef = new double[length];
        Array.Fill(dxRef, 0.5);
        SoftmaxReference.Backward<double>(yRef, Array.ConvertAll(dy, v => (double)v), outer, n, inner, dxRef);
        AssertTensor.Close(dx, dxRef, [outer, n, inner], Tolerances.Pointwise, "softmax backward (added to 0.5)");
    }

    [Fact]
    public void Forward_HugeLogits_MatchReference()
    {
        float[] x = [1000f, 1001f, 999f, 998.5f, -1000f, -1001f, -999.5f, -1002f, 1000f, -1000f, 0f, 500f];
        var y = new float[12];
        SoftmaxKernel.Forward(x, 3, 4, 1, y, 1);
        var yRef = new double[12];
        SoftmaxReference.Forward<double>(Array.ConvertAll(x, v => (double)v), 3, 4, 1, yRef);
        AssertTensor.Close(y, yRef, [3, 4], Tolerances.Pointwise, "softmax of ±1000 logits");
    }

    [Fact]
    public void Forward_InfinityOrNaNInARow_GivesNaNOnlyThere()
    {
        float[] x = [float.PositiveInfinity, 1f, float.NaN, 1f, 0f, 0f];
        var y = new float[6];
        SoftmaxKernel.Forward(x, 3, 2, 1, y, 1);
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[2]));
        Assert.Equal([0.5f, 0.5f], y[4..]);
    }

    [Fact]
    public void ForwardAndBackward_AreBitIdenticalForAnyThreadCount()
    {
        const int outer = 9, n = 31, inner = 1000;
        var rng = new Rng(91);
        var x = new float[outer * n * inner];
        rng.FillUniform(x, -10f, 10f);
        var dy = new float[x.Length];
        rng.FillUniform(dy, -1f, 1f);
        (float[] Y, float[] Dx) Run(int threads)
        {
            var y = new float[x.Length];
            var dx = new float[x.Length];
            SoftmaxKernel.Forward(x, outer, n, inner, y, threads);
            SoftmaxKernel.Backward(y, dy, outer, n, inner, dx, threads);
            return (y, dx);
        }
        var one = Run(1);
        foreach (int threads in new[] { 2, 5 })
        {
            var many = Run(threads);
            AssertTensor.BitIdentical(one.Y, many.Y, $"softmax forward, {threads} threads");
            AssertTensor.BitIdentical(one.Dx, many.Dx, $"softmax backward, {threads} threads");
        }
    }

    [Fact]
    public void BadSizes_Throw()
    {
        Assert.Throws<ArgumentException>(() => SoftmaxKernel.Forward(new float[6], -1, 3, 2, new float[6], 1));
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => SoftmaxKernel.Forward(new float[6], 1, 3, 2, new float[5], 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => SoftmaxKernel.Backward(new float[6], new float[6], 1, 3, 2, new float[5], 1)).ParamName);
    }
}
