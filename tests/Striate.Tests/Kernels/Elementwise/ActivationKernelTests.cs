// ActivationKernel against the double-precision ActivationReference: every activation forward and
// backward over lengths around the thread split, tails and kinks; thread-count independence; the
// fitted erfc against the series/continued-fraction reference; PReLU per channel and shared.
using Striate.Kernels.Elementwise;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Elementwise;

public class ActivationKernelTests
{
    private delegate void ForwardKernel(ReadOnlySpan<float> x, Span<float> y, int threads);

    private delegate void BackwardKernel(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads);

    private static readonly Dictionary<string, (ActivationSpec Spec, ForwardKernel Forward, BackwardKernel Backward)> Kernels = new()
    {
        ["leaky_relu"] = (new("leaky_relu", 0.01), (x, y, t) => ActivationKernel.LeakyReluForward(x, 0.01f, y, t),
            (x, dy, dx, t) => ActivationKernel.LeakyReluBackward(x, dy, 0.01f, dx, t)),
        ["leaky_relu_negative_slope"] = (new("leaky_relu", -0.75), (x, y, t) => ActivationKernel.LeakyReluForward(x, -0.75f, y, t),
            (x, dy, dx, t) => ActivationKernel.LeakyReluBackward(x, dy, -0.75f, dx, t)),
        ["elu"] = (new("elu", 1.0), (x, y, t) => ActivationKernel.EluForward(x, 1f, y, t),
            (x, dy, dx, t) => ActivationKernel.EluBackward(x, dy, 1f, dx, t)),
        ["elu_alpha0.5"] = (new("elu", 0.5), (x, y, t) => ActivationKernel.EluForward(x, 0.5f, y, t),
            (x, dy, dx, t) => ActivationKernel.EluBackward(x, dy, 0.5f, dx, t)),
        ["selu"] = (new("selu"), ActivationKernel.SeluForward, ActivationKernel.SeluBackward),
        ["gelu"] = (new("gelu"), ActivationKernel.GeluForward, ActivationKernel.GeluBackward),
        ["gelu_tanh"] = (new("gelu_tanh"), ActivationKernel.GeluTanhForward, ActivationKernel.GeluTanhBackward),
        ["silu"] = (new("silu"), ActivationKernel.SiluForward, ActivationKernel.SiluBackward),
        ["softplus"] = (new("softplus", 1.0, 20.0), (x, y, t) => ActivationKernel.SoftplusForward(x, 1f, 20f, y, t),
            (x, dy, dx, t) => ActivationKernel.SoftplusBackward(x, dy, 1f, 20f, dx, t)),
        ["softplus_beta2_thr3"] = (new("softplus", 2.0, 3.0), (x, y, t) => ActivationKernel.SoftplusForward(x, 2f, 3f, y, t),
            (x, dy, dx, t) => ActivationKernel.SoftplusBackward(x, dy, 2f, 3f, dx, t)),
        ["softsign"] = (new("softsign"), ActivationKernel.SoftsignForward, ActivationKernel.SoftsignBackward),
        ["hardtanh"] = (new("hardtanh", -1.0, 1.0), (x, y, t) => ActivationKernel.HardtanhForward(x, -1f, 1f, y, t),
            (x, dy, dx, t) => ActivationKernel.HardtanhBackward(x, dy, -1f, 1f, dx, t)),
        ["hardtanh_asymmetric"] = (new("hardtanh", -2.0, 0.5), (x, y, t) => ActivationKernel.HardtanhForward(x, -2f, 0.5f, y, t),
            (x, dy, dx, t) => ActivationKernel.HardtanhBackward(x, dy, -2f, 0.5f, dx, t)),
    };

    public static TheoryData<string> Names => [.. Kernels.Keys];

    /// <summary>Random values in [−12, 12], with exact kinks, bounds and tails mixed in.</summary>
    private static float[] Inputs(int length, ulong seed)
    {
        var x = new float[length];
        new Rng(seed).FillUniform(x, -12f, 12f);
        float[] special = [0f, -0f, 1f, -1f, 0.5f, -2f, 20f, -20f, 1.5f, 1e-6f, -1e-6f, 88f, -88f, 3f];
        for (int i = 0; i < length; i += 7) x[i] = special[(i / 7) % special.Length];
        return x;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_MatchesReference(string name)
    {
        var (spec, forward, _) = Kernels[name];
        foreach (int length in new[] { 0, 1, 7, 33, 1000 })
        {
            var x = Inputs(length, (ulong)(length + 1));
            var y = new float[length];
            forward(x, y, 1);
            var expected = new double[length];
            ActivationReference.Forward<double>(spec, Array.ConvertAll(x, v => (double)v), expected);
            AssertTensor.Close(y, expected, [length], Tolerances.Pointwise, $"{name} forward, length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Backward_MatchesReferenceAndAccumulates(string name)
    {
        var (spec, _, backward) = Kernels[name];
        foreach (int length in new[] { 0, 1, 7, 33, 1000 })
        {
            var x = Inputs(length, (ulong)(length + 11));
            var dy = new float[length];
            new Rng(5).FillUniform(dy, -1f, 1f);
            var dx = new float[length];
            Array.Fill(dx, 0.25f); // backward adds to what is there
            backward(x, dy, dx, 1);
            var expected = new double[length];
            Array.Fill(expected, 0.25);
            ActivationReference.Backward<double>(spec, Array.ConvertAll(x, v => (double)v), Array.ConvertAll(dy, v => (double)v), expected);
            AssertTensor.Close(dx, expected, [length], Tolerances.Pointwise, $"{name} backward, length {length}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void ForwardAndBackward_AreBitIdenticalForAnyThreadCount(string name)
    {
        var (_, forward, backward) = Kernels[name];
        const int length = 100_003; // several 16k ranges and a ragged end
        var x = Inputs(length, 3);
        var dy = new float[length];
        new Rng(4).FillUniform(dy, -1f, 1f);
        var y1 = new float[length];
        var dx1 = new float[length];
        forward(x, y1, 1);
        backward(x, dy, dx1, 1);
        foreach (int threads in new[] { 2, 5 })
        {
            var y = new float[length];
            var dx = new float[length];
            forward(x, y, threads);
            backward(x, dy, dx, threads);
            AssertTensor.BitIdentical(y1, y, $"{name} forward, {threads} threads");
            AssertTensor.BitIdentical(dx1, dx, $"{name} backward, {threads} threads");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Forward_InPlace_GivesTheSameResult(string name)
    {
        var (_, forward, _) = Kernels[name];
        var x = Inputs(50, 9);
        var y = new float[50];
        forward(x, y, 1);
        forward(x, x, 1);
        Assert.Equal(y, x);
    }

    [Fact]
    public void Forward_DestinationTooShort_ThrowsNamingY()
    {
        var ex = Assert.Throws<ArgumentException>(() => ActivationKernel.EluForward(new float[5], 1f, new float[4]));
        Assert.Equal("y", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => ActivationKernel.GeluBackward(new float[5], new float[5], new float[4]));
        Assert.Equal("dx", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => ActivationKernel.GeluBackward(new float[5], new float[3], new float[5]));
        Assert.Equal("dy", ex.ParamName);
    }

    [Fact]
    public void Erfc_MatchesSeriesAndContinuedFractionReference()
    {
        // Dense sweep over [−6, 10.5]: both branches of the reference, the fit's whole range and past it.
        double worst = 0;
        for (double z = -6; z <= 10.5; z += 0.001)
        {
            double expected = ActivationReference.Erfc(z), actual = ActivationKernel.Erfc(z);
            double error = expected < 1e-300 ? Math.Abs(actual) : Math.Abs(actual / expected - 1);
            if (z >= 10) Assert.True(actual == 0 && expected < 2.1e-45, $"erfc({z}) = {actual}, reference {expected}");
            else worst = Math.Max(worst, error);
        }
        Assert.True(worst < 2e-10, $"largest relative error of the fitted erfc: {worst:G3}"); // documented: 1.8e-10
        Assert.Equal(1.0, ActivationKernel.Erfc(0), 2e-10); // the fit's documented bound
        Assert.Equal(2.0, ActivationKernel.Erfc(-40));
        Assert.True(double.IsNaN(ActivationKernel.Erfc(double.NaN)));
    }

    [Theory]
    [InlineData(0.5, 0.4795001221869535)]   // erfc(0.5), from tables (Abramowitz & Stegun 7.1)
    [InlineData(1.0, 0.15729920705028513)]
    [InlineData(2.0, 0.004677734981047266)]
    [InlineData(3.0, 2.209049699858544e-05)]
    [InlineData(5.0, 1.5374597944280349e-12)]
    public void Erfc_MatchesTabulatedValues(double z, double expected)
    {
        Assert.Equal(expected, ActivationKernel.Erfc(z), expected * 2e-10);
        Assert.Equal(expected, ActivationReference.Erfc(z), expected * 1e-12);
    }

    [Theory]
    [InlineData(2, 3, 5, 3)]
    [InlineData(2, 3, 5, 1)]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 7, 1, 7)]    // (N, C): inner 1
    [InlineData(5, 13, 11, 13)] // odd sizes, channels not a multiple of 8
    [InlineData(0, 3, 4, 3)]    // empty batch
    public void PRelu_MatchesReference(int n, int c, int inner, int slopes)
    {
        var rng = new Rng((ulong)(n * 100 + c * 10 + inner));
        int length = n * c * inner;
        var x = new float[length];
        rng.FillUniform(x, -2f, 2f);
        var w = new float[slopes];
        rng.FillUniform(w, -0.5f, 0.5f);
        var dy = new float[length];
        rng.FillUniform(dy, -1f, 1f);

        var y = new float[length];
        ActivationKernel.PReluForward(x, w, n, c, inner, y);
        var yRef = new double[length];
        var xd = Array.ConvertAll(x, v => (double)v);
        var wd = Array.ConvertAll(w, v => (double)v);
        ActivationReference.PReluForward<double>(xd, wd, n, c, inner, yRef);
        AssertTensor.Close(y, yRef, [n, c, inner], Tolerances.Pointwise, "PReLU forward");

        var dx = new float[length];
        var dw = new float[slopes];
        ActivationKernel.PReluBackward(x, w, dy, n, c, inner, dx, dw);
        var dxRef = new double[length];
        var dwRef = new double[slopes];
        ActivationReference.PReluBackward<double>(xd, wd, Array.ConvertAll(dy, v => (double)v), n, c, inner, dxRef, dwRef);
        AssertTensor.Close(dx, dxRef, [n, c, inner], Tolerances.Pointwise, "PReLU dx");
        AssertTensor.Close(dw, dwRef, [slopes], Tolerances.Accumulation, "PReLU dweight");
    }

    [Fact]
    public void PRelu_IsBitIdenticalForAnyThreadCount()
    {
        const int n = 7, c = 9, inner = 4099;
        var rng = new Rng(77);
        var x = new float[n * c * inner];
        rng.FillUniform(x, -2f, 2f);
        var dy = new float[x.Length];
        rng.FillUniform(dy, -1f, 1f);
        foreach (int slopes in new[] { 1, c })
        {
            var w = new float[slopes];
            rng.FillUniform(w, 0f, 0.5f);
            float[] Run(int threads, out float[] dx, out float[] dw)
            {
                var y = new float[x.Length];
                dx = new float[x.Length];
                dw = new float[slopes];
                ActivationKernel.PReluForward(x, w, n, c, inner, y, threads);
                ActivationKernel.PReluBackward(x, w, dy, n, c, inner, dx, dw, threads);
                return y;
            }
            var y1 = Run(1, out var dx1, out var dw1);
            var y3 = Run(3, out var dx3, out var dw3);
            AssertTensor.BitIdentical(y1, y3, "PReLU forward");
            AssertTensor.BitIdentical(dx1, dx3, "PReLU dx");
            AssertTensor.BitIdentical(dw1, dw3, "PReLU dweight");
        }
    }

    [Fact]
    public void PRelu_WrongSlopeCount_ThrowsNamingWeight()
    {
        var ex = Assert.Throws<ArgumentException>(() => ActivationKernel.PReluForward(new float[12], new float[2], 2, 3, 2, new float[12]));
        Assert.Equal("weight", ex.ParamName);
    }
}
