// The Lp-pooling kernels against the naive double-precision reference (which differentiates term by
// term rather than through the kernel's y / T shortcut) for p = 1, 2, 3 and 1.5, over the sliding
// sweep without padding; thread-count determinism; accumulation; the zero-window gradient rule.
using Striate.Kernels.Pool;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using static Striate.Tests.Kernels.Pool.PoolCases;

namespace Striate.Tests.Kernels.Pool;

public class LpPoolKernelTests
{
    /// <summary>The sliding cases with their padding removed (Lp pooling has none), each with every p.</summary>
    public static TheoryData<PoolGeometry, float> Cases
    {
        get
        {
            var data = new TheoryData<PoolGeometry, float>();
            foreach (var g in All(PoolCases.Sliding))
            {
                var u = new PoolGeometry(g.N, g.C, Unpadded(g.Depth), Unpadded(g.Height), Unpadded(g.Width));
                if (u.Depth.Output < 1 || u.Height.Output < 1 || u.Width.Output < 1) continue;
                foreach (float p in new[] { 1f, 2f, 3f, 1.5f }) data.Add(u, p);
            }
            return data;
        }
    }

    private static PoolAxis Unpadded(PoolAxis a) =>
        PoolAxis.Sliding(a.Size, Math.Min(a.Kernel, a.Size), a.Stride, 0, 1, a.Output != PoolAxis.OutputSize(a.Size, a.Kernel, a.Stride, a.Padding, 1, false));

    /// <summary>Inputs of both signs for integer p, positive for fractional p (x^1.5 of a negative number is NaN).</summary>
    private static float[] Inputs(Rng rng, long length, float p)
    {
        var x = new float[length];
        if (p == MathF.Floor(p)) rng.FillUniform(x, -2f, 2f);
        else rng.FillUniform(x, 0.1f, 2f);
        // p = 3 with random signs makes negative window sums (NaN, as in PyTorch): keep them positive there.
        if (p == 3f) for (int i = 0; i < x.Length; i++) x[i] = Math.Abs(x[i]) + 0.1f;
        return x;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_EdgeCaseSweep_MatchReference(PoolGeometry g, float p)
    {
        var rng = new Rng(13);
        var x = Inputs(rng, g.InputLength, p);
        var y = new float[g.OutputLength];
        LpPoolKernel.Forward(g, p, x, y, threads: 2);
        int[] shape = [g.N, g.C, g.Depth.Output, g.Height.Output, g.Width.Output];
        var xd = Array.ConvertAll(x, v => (double)v);
        var expectedY = new double[g.OutputLength];
        LpPoolReference.Forward<double>(g, p, xd, expectedY);
        AssertTensor.Close(y, expectedY, shape, Tolerances.Accumulation, $"Forward {g}, p={p}");

        var dy = new float[g.OutputLength];
        rng.FillUniform(dy, -1f, 1f);
        var dx = new float[g.InputLength];
        LpPoolKernel.Backward(g, p, x, y, dy, dx, threads: 2);
        var expectedDx = new double[g.InputLength];
        LpPoolReference.Backward<double>(g, p, xd, Array.ConvertAll(dy, v => (double)v), expectedDx);
        AssertTensor.Close(dx, expectedDx, [g.N, g.C, g.Depth.Size, g.Height.Size, g.Width.Size], Tolerances.LpPoolGradient, $"Backward {g}, p={p}");

        // Into a non-zero destination the plane's gradient is added once.
        var dx0 = new float[g.InputLength];
        rng.FillUniform(dx0, -1f, 1f);
        var accumulated = (float[])dx0.Clone();
        LpPoolKernel.Backward(g, p, x, y, dy, accumulated, threads: 2);
        AssertTensor.BitIdentical([.. dx0.Zip(dx, (a, b) => a + b)], accumulated, $"Backward accumulation {g}");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackward_OneVersusThreeThreads_BitIdentical(PoolGeometry g, float p)
    {
        var rng = new Rng(14);
        var x = Inputs(rng, g.InputLength, p);
        var dy = new float[g.OutputLength];
        rng.FillUniform(dy, -1f, 1f);
        (float[] Y, float[] Dx) Run(int threads)
        {
            var y = new float[g.OutputLength];
            var dx = new float[g.InputLength];
            LpPoolKernel.Forward(g, p, x, y, threads);
            LpPoolKernel.Backward(g, p, x, y, dy, dx, threads);
            return (y, dx);
        }
        var one = Run(1);
        var three = Run(3);
        AssertTensor.BitIdentical(one.Y, three.Y, $"y with 1 vs 3 threads, {g}");
        AssertTensor.BitIdentical(one.Dx, three.Dx, $"dx with 1 vs 3 threads, {g}");
    }

    [Fact]
    public void Backward_AllZeroWindow_GivesZeroGradient()
    {
        var g = G1(1, 1, S(4, 2, 2));
        float[] x = [0, 0, 3, 4];
        var y = new float[2];
        LpPoolKernel.Forward(g, 2f, x, y, 1);
        Assert.Equal([0f, 5f], y);
        var dx = new float[4];
        LpPoolKernel.Backward(g, 2f, x, y, [1f, 10f], dx, 1);
        // d√(x² + y²)/dx = x / √(x² + y²): 3/5 and 4/5 of the upstream 10; nothing (not NaN) for the zero window.
        Assert.Equal([0f, 0f, 6f, 8f], dx);
    }

    [Fact]
    public void Forward_PaddedOrAdaptiveGeometry_ThrowsNamingG()
    {
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => LpPoolKernel.Forward(G1(1, 1, S(4, 3, 1, 1)), 2f, new float[4], new float[4], 1)).ParamName);
        Assert.Equal("g", Assert.Throws<ArgumentException>(() => LpPoolKernel.Forward(G1(1, 1, PoolAxis.Adaptive(4, 2)), 2f, new float[4], new float[2], 1)).ParamName);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NaN)]
    public void Forward_BadNormType_ThrowsNamingIt(float p)
    {
        var ex = Assert.Throws<ArgumentException>(() => LpPoolKernel.Forward(G1(1, 1, S(4, 2, 2)), p, new float[4], new float[2], 1));
        Assert.Equal("normType", ex.ParamName);
    }
}
