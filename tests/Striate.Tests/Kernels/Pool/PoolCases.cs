// Shared pooling geometries for the kernel tests: 1-D, 2-D and 3-D; N = 1 and odd N; channel
// counts that are not multiples of 8; odd and prime sizes; 1×1 windows and windows equal to the
// input; strides 1 (overlap), 2 and 3 (gaps); padding 0, 1 and 2; dilation; ceil mode; adaptive
// axes that divide the input and that do not (overlapping windows), and outputs larger than the input.
using Striate.Kernels.Pool;

namespace Striate.Tests.Kernels.Pool;

internal static class PoolCases
{
    public static PoolAxis S(int size, int kernel, int stride, int padding = 0, int dilation = 1, bool ceil = false) =>
        PoolAxis.Sliding(size, kernel, stride, padding, dilation, ceil);

    public static PoolGeometry G1(int n, int c, PoolAxis w) => new(n, c, PoolAxis.Unit, PoolAxis.Unit, w);

    public static PoolGeometry G2(int n, int c, PoolAxis h, PoolAxis w) => new(n, c, PoolAxis.Unit, h, w);

    public static PoolGeometry G3(int n, int c, PoolAxis d, PoolAxis h, PoolAxis w) => new(n, c, d, h, w);

    /// <summary>Sliding windows with dilation (for max pooling).</summary>
    public static TheoryData<PoolGeometry> Dilated => new(
    [
        G1(2, 3, S(11, 3, 2, 1, 2)),
        G1(1, 5, S(13, 2, 1, 1, 3, ceil: true)),
        G2(2, 3, S(9, 3, 1, 1, 2), S(8, 2, 2, 0, 3)),
        G2(1, 2, S(7, 3, 2, 1, 2, ceil: true), S(10, 3, 3, 0, 2, ceil: true)),
        G3(2, 3, S(5, 2, 1, 1, 2), S(6, 3, 2, 1, 2), S(7, 2, 2, 0, 2)),
    ]);

    /// <summary>Sliding windows without dilation (valid for every pooling kind).</summary>
    public static TheoryData<PoolGeometry> Sliding => new(
    [
        G2(1, 1, S(4, 2, 2), S(4, 2, 2)),
        G2(2, 3, S(5, 1, 1), S(7, 1, 1)),
        G2(1, 2, S(5, 5, 1), S(5, 5, 1)),
        G2(3, 2, S(7, 3, 2, 1), S(7, 3, 2, 1)),
        G2(2, 17, S(9, 3, 3, 1), S(8, 3, 3)),
        G2(1, 4, S(11, 4, 3, 2), S(10, 4, 2, 2)),
        G2(2, 3, S(6, 2, 3, 1), S(9, 3, 1, 1)),
        G2(3, 5, S(13, 3, 1), S(13, 2, 2, 1)),
        G2(1, 1, S(1, 3, 1, 1), S(1, 3, 1, 1)),
        G2(2, 6, S(28, 2, 2), S(28, 2, 2)),
        G2(3, 16, S(10, 2, 2), S(10, 2, 2)),
        G2(2, 3, S(7, 2, 2, ceil: true), S(6, 3, 2, 1, ceil: true)),
        G2(1, 3, S(5, 3, 3, 1, ceil: true), S(8, 4, 3, 2, ceil: true)),
        G1(1, 1, S(7, 3, 2)),
        G1(3, 5, S(17, 4, 3, 2, ceil: true)),
        G1(2, 9, S(8, 1, 2)),
        G3(1, 2, S(4, 2, 2), S(5, 2, 2, ceil: true), S(6, 3, 2, 1)),
        G3(3, 3, S(5, 3, 1, 1), S(3, 1, 1), S(7, 2, 3, 1, ceil: true)),
    ]);

    /// <summary>Adaptive windows (average and max).</summary>
    public static TheoryData<PoolGeometry> Adaptive => new(
    [
        G2(2, 3, PoolAxis.Adaptive(7, 3), PoolAxis.Adaptive(8, 4)),
        G2(1, 5, PoolAxis.Adaptive(5, 5), PoolAxis.Adaptive(3, 7)),
        G2(3, 2, PoolAxis.Adaptive(13, 1), PoolAxis.Adaptive(11, 1)),
        G1(2, 3, PoolAxis.Adaptive(10, 3)),
        G3(1, 3, PoolAxis.Adaptive(5, 2), PoolAxis.Adaptive(6, 4), PoolAxis.Adaptive(7, 3)),
    ]);

    /// <summary>Every case above.</summary>
    public static IEnumerable<PoolGeometry> All(TheoryData<PoolGeometry> data) => ((IEnumerable<object[]>)data).Select(row => (PoolGeometry)row[0]);

    /// <summary>Coarse values (multiples of 1/4 in [-2, 2]) so windows hold ties.</summary>
    public static float[] Coarse(Rng rng, long length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (rng.NextInt(17) - 8) / 4f;
        return x;
    }
}
