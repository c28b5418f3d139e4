// BatchNormKernel against the double-precision reference (explicit Jacobian): training and given
// statistics, with and without γ/β, N = 1 and odd N, channel counts not a multiple of 8, rows
// shorter and longer than a vector, a mean far from 0; thread independence and bad sizes.
using Striate.Kernels.Normalization;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Normalization;

public class BatchNormKernelTests
{
    public static TheoryData<int, int, int, bool, bool> Sweep => new()
    {
        // n, c, inner, affine, training
        { 4, 3, 1, true, true },     // (N, C)
        { 1, 3, 7, true, true },     // batch of one: statistics over positions only
        { 3, 5, 17, true, true },    // odd sizes, rows longer than a vector plus a tail
        { 2, 13, 9, false, true },   // no affine
        { 5, 2, 33, true, false },   // given statistics
        { 1, 9, 3, false, false },
        { 2, 1, 64, true, true },    // one channel
    };

    [Theory]
    [MemberData(nameof(Sweep))]
    public void ForwardAndBackward_MatchReference(int n, int c, int inner, bool affine, bool training)
    {
        const float eps = 1e-5f;
        int length = n * c * inner;
        var rng = new Rng((ulong)(n * 1009 + c * 31 + inner + (affine ? 7 : 0) + (training ? 3 : 0)));
        var x = new float[length];
        rng.FillUniform(x, -2f, 3f);
        var dy = new float[length];
        rng.FillUniform(dy, -1f, 1f);
        float[] w = affine ? new float[c] : [], b = affine ? new float[c] : [];
        rng.FillUniform(w, 0.5f, 1.5f);
        rng.FillUniform(b, -0.5f, 0.5f);
        var givenMean = new float[c];
        var givenVar = new float[c];
        rng.FillUniform(givenMean, -0.5f, 0.5f);
        rng.FillUniform(givenVar, 0.5f, 2f);

        var y = new float[length];
        var mean = new float[c];
        var variance = new float[c];
        var invStd = new float[c];
        if (training) BatchNormKernel.ForwardTraining(x, n, c, inner, w, b, eps, y, mean, variance, invStd, 1);
        else
        {
            givenMean.CopyTo(mean, 0);
            givenVar.CopyTo(variance, 0);
            BatchNormKernel.ForwardInference(x, n, c, inner, mean, variance, w, b, eps, y, invStd, 1);
        }

        static double[] D(float[] v) => Array.ConvertAll(v, f => (double)f);
        var meanRef = training ? new double[c] : D(givenMean);
        var varRef = training ? new double[c] : D(givenVar);
        var yRef = new double[length];
        BatchNormReference.Forward<double>(D(x), n, c, inner, D(w), D(b), eps, training, meanRef, varRef, yRef);
        AssertTensor.Close(y, yRef, [n, c, inner], Tolerances.Accumulation, "y");
        if (training)
        {
            AssertTensor.Close(mean, meanRef, [c], Tolerances.Accumulation, "batch mean");
            AssertTensor.Close(variance, varRef, [c], Tolerances.Accumulation, "batch variance");
        }

        var dx = new float[length];
        Array.Fill(dx, 0.125f);
        var dw = new float[c];
        var db = new float[c];
        BatchNormKernel.Backward(x, dy, n, c, inner, mean, invStd, w, training, dx, affine ? dw : default, affine ? db : default, 1);
        var dxRef = new double[length];
        Array.Fill(dxRef, 0.125);
        var dwRef = new double[c];
        var dbRef = new double[c];
        BatchNormReference.Backward<double>(D(x), D(dy), n, c, inner, meanRef, varRef, D(w), eps, training, dxRef, dwRef, dbRef);
        AssertTensor.Close(dx, dxRef, [n, c, inner], Tolerances.Accumulation, "dx (added to 0.125)");
        if (affine)
        {
            AssertTensor.Close(dw, dwRef, [c], Tolerances.Accumulation, "dweight");
            AssertTensor.Close(db, dbRef, [c], Tolerances.Accumulation, "dbias");
        }
    }

    [Fact]
    public void Forward_MeanFarFromZero_KeepsTheDeviationsAccurate()
    {
        // E[x²] − E[x]² would lose every digit of a variance of ~0.08 around a mean of 1000 in float32.
        const int n = 8, inner = 50;
        var x = new float[n * inner];
        new Rng(3).FillUniform(x, 999.5f, 1000.5f);
        var y = new float[x.Length];
        float[] mean = new float[1], variance = new float[1], invStd = new float[1];
        BatchNormKernel.ForwardTraining(x, n, 1, inner, default, default, 1e-5f, y, mean, variance, invStd, 1);
        var meanRef = new double[1];
        var varRef = new double[1];
        var yRef = new double[x.Length];
        BatchNormReference.Forward<double>(Array.ConvertAll(x, v => (double)v), n, 1, inner, default, default, 1e-5, true, meanRef, varRef, yRef);
        Assert.Equal(varRef[0], variance[0], varRef[0] * 1e-6);
        AssertTensor.Close(y, yRef, [n, 1, inner], Tolerances.Pointwise, "normalized values around a mean of 1000");
    }

    [Fact]
    public void ForwardAndBackward_AreBitIdenticalForAnyThreadCount()
    {
        const int n = 6, c = 7, inner = 1001;
        var rng = new Rng(5);
        var x = new float[n * c * inner];
        rng.FillUniform(x, -3f, 3f);
        var dy = new float[x.Length];
        rng.FillUniform(dy, -1f, 1f);
        var w = new float[c];
        rng.FillUniform(w, 0.5f, 1.5f);
        var b = new float[c];
        float[] Run(int threads)
        {
            var y = new float[x.Length];
            float[] mean = new float[c], variance = new float[c], invStd = new float[c], dw = new float[c], db = new float[c];
            var dx = new float[x.Length];
            BatchNormKernel.ForwardTraining(x, n, c, inner, w, b, 1e-5f, y, mean, variance, invStd, threads);
            BatchNormKernel.Backward(x, dy, n, c, inner, mean, invStd, w, true, dx, dw, db, threads);
            return [.. y, .. mean, .. variance, .. dx, .. dw, .. db];
        }
        var one = Run(1);
        AssertTensor.BitIdentical(one, Run(2), "batch norm, 2 threads");
        AssertTensor.BitIdentical(one, Run(5), "batch norm, 5 threads");
    }

    [Fact]
    public void BadSizesOrSpans_Throw()
    {
        float[] s = new float[3];
        Assert.Throws<ArgumentException>(() => BatchNormKernel.ForwardTraining([], 0, 3, 1, default, default, 1e-5f, [], s, s, s, 1)); // no values: no statistics
        Assert.Equal("eps", Assert.Throws<ArgumentException>(() => BatchNormKernel.ForwardTraining(new float[6], 2, 3, 1, default, default, 0f, new float[6], s, s, s, 1)).ParamName);
        Assert.Equal("weight", Assert.Throws<ArgumentException>(() => BatchNormKernel.ForwardTraining(new float[6], 2, 3, 1, new float[2], default, 1e-5f, new float[6], s, s, s, 1)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => BatchNormKernel.ForwardInference(new float[6], 2, 3, 1, s, s, default, default, 1e-5f, new float[5], s, 1)).ParamName);
        Assert.Equal("dx", Assert.Throws<ArgumentException>(() => BatchNormKernel.Backward(new float[6], new float[6], 2, 3, 1, s, s, default, true, new float[5], default, default, 1)).ParamName);
    }
}
