// The average-pooling kernels against the naive reference over the sliding and adaptive sweeps,
// with every divisor rule (padding counted or not, divisor override, sum pooling), plus
// thread-count determinism and accumulation into a non-zero gradient.
using Striate.Kernels.Pool;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Pool.PoolCases;

namespace Striate.Tests.Kernels.Pool;

public class AvgPoolKernelTests
{
    public static TheoryData<PoolGeometry, bool, int> Cases
    {
        get
        {
            var data = new TheoryData<PoolGeometry, bool, int>();
            foreach (var g in All(PoolCases.Sliding))
            {
                data.Add(g, true, 0);
                data.Add(g, false, 0);
            }
            foreach (var g in All(PoolCases.Sliding).Take(6)) data.Add(g, true, 1); // sum pooling
            data.Add(G2(2, 3, S(7, 3, 2, 1), S(6, 3, 2, 1, ceil: true)), false, 5);
            foreach (var g in All(PoolCases.Adaptive)) data.Add(g, false, 0);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_EdgeCaseSweep_MatchReference(PoolGeometry g, bool countIncludePad, int divisorOverride)
    {
        var rng = new Rng(11);
        var x = new float[g.InputLength];
        rng.FillUniform(x, -2f, 2f);
        var y = new float[g.OutputLength];
        Array.Fill(y, float.NaN);
        AvgPoolKernel.Forward(g, countIncludePad, divisorOverride, x, y, threads: 2);

        // Same summation order and the same division as the float reference: bit for bit.
        var expectedY = new float[g.OutputLength];
        AvgPoolReference.Forward<float>(g, countIncludePad, divisorOverride, x, expectedY);
        AssertTensor.BitIdentical(expectedY, y, $"Forward {g}, includePad {countIncludePad}, divisor {divisorOverride}");
        // And within float32 summation error of the double-precision result.
        var exact = new double[g.OutputLength];
        AvgPoolReference.Forward<double>(g, countIncludePad, divisorOverride, Array.ConvertAll(x, v => (double)v), exact);
        AssertTensor.Close(y, exact, [g.N, g.C, g.Depth.Output, g.Height.Output, g.Width.Output], Tolerances.Accumulation, $"Forward vs double {g}");

        var dy = new float[g.OutputLength];
        rng.FillUniform(dy, -1f, 1f);
        var gradient = new float[g.InputLength];
        AvgPoolKernel.Backward(g, countIncludePad, divisorOverride, dy, gradient, threads: 2);
        var expectedGradient = new float[g.InputLength];
        AvgPoolReference.Backward<float>(g, countIncludePad, divisorOverride, dy, expectedGradient);
        AssertTensor.BitIdentical(expectedGradient, gradient, $"Backward {g}");

        var dx0 = new float[g.InputLength];
        rng.FillUniform(dx0, -1f, 1f);
        var dx = (float[])dx0.Clone();
        AvgPoolKernel.Backward(g, countIncludePad, divisorOverride, dy, dx, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gradient, (a, b) => a + b)], dx, $"Backward accumulation {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_OneVersusThreeThreads_BitIdentical(PoolGeometry g, bool countIncludePad, int divisorOverride)
    {
        var rng = new Rng(12);
        var x = new float[g.InputLength];
        var dy = new float[g.OutputLength];
        rng.FillUniform(x, -1f, 1f);
        rng.FillUniform(dy, -1f, 1f);
        (float[] Y, float[] Dx) Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            AvgPoolKernel.Forward(g, countIncludePad, divisorOverride, x, y, threads);
            AvgPoolKernel.Backward(g, countIncludePad, divisorOverride, dy, dx, threads);
            return (y, dx);
        }
        var one = Run(1);
        var three = Run(3);
        AssertTensor.BitIdentical(one.Y, three.Y, $"y with 1 vs 3 threads, {g}");
        AssertTensor.BitIdentical(one.Dx, three.Dx, $"dx with 1 vs 3 threads, {g}");
    }

    [Fact]
    public void Forward_PaddedCorner_DivisorCountsPaddingOrNot()
    {
        // 3×3 window, stride 2, padding 1 over a 3×3 input of ones: the corner window holds 4 real cells
        // and 5 padding cells. Counting padding gives 4/9; not counting gives 4/4.
        var g = G2(1, 1, S(3, 3, 2, 1), S(3, 3, 2, 1));
        var x = Enumerable.Repeat(1f, 9).ToArray();
        var y = new float[4];
        AvgPoolKernel.Forward(g, countIncludePad: true, 0, x, y, 1);
        Assert.Equal(4f / 9f, y[0]);
        AvgPoolKernel.Forward(g, countIncludePad: false, 0, x, y, 1);
        Assert.Equal(1f, y[0]);
    }

    [Fact]
    public void Forward_CeilModeWindowPastPadding_DividesByClippedSize()
    {
        // Length 5, kernel 2, stride 2, ceil: the last window starts at 4 and its second cell lies past the
        // input (and past the zero padding), so even counting padding the divisor is 1, as in PyTorch.
        var y = new float[3];
        AvgPoolKernel.Forward(G1(1, 1, S(5, 2, 2, ceil: true)), true, 0, [1f, 2, 3, 4, 5], y, 1);
        Assert.Equal([1.5f, 3.5f, 5f], y);
    }

    [Fact]
    public void Forward_DilatedGeometry_ThrowsNamingG()
    {
        var ex = Assert.Throws<ArgumentException>(() => AvgPoolKernel.Forward(G1(1, 1, S(7, 2, 1, 0, 2)), true, 0, new float[7], new float[5], 1));
        Assert.Equal("g", ex.ParamName);
    }

    [Fact]
    public void Forward_NegativeDivisor_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentException>(() => AvgPoolKernel.Forward(G1(1, 1, S(4, 2, 2)), true, -1, new float[4], new float[2], 1));
        Assert.Equal("divisorOverride", ex.ParamName);
    }
}
