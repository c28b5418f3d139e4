// Shared checks for the convolution algorithms (direct, Winograd, FFT, separable): each pass against
// the naive N-d reference run in double, under the error model of the algorithm, plus thread-count
// determinism and accumulate-once backwards.
// Error model: a float32 sum of `terms` products differs from the exact sum by at most
// factor·(terms + 2)·u·Σ|terms| (Σ|terms| from the reference on |inputs|); factor = 1 for the
// algorithms that form the same products as the definition (im2col, direct). The transform
// algorithms round transformed values whose size is set by the transform matrices, not by the sum's
// length: they count as `transformTerms` extra terms (see each kernel's header). Winograd also mixes
// its whole α×α input tile into every output of an m×m tile, so an output whose own terms are few
// (a corner under padding 2 reads one pixel) carries the rounding of its neighbours' larger terms:
// with `tile` = m, an output's Σ|terms| is the largest of its tile's (tiles start at row and column 0).
using Striate.Kernels.Conv;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Conv;

/// <summary>One algorithm's three passes, as the checks call them.</summary>
internal interface IConvPasses
{
    string Name { get; }

    void Forward(ConvGeometry g, float[] x, float[] w, float[] bias, float[] y, int threads);

    void BackwardData(ConvGeometry g, float[] dy, float[] w, float[] dx, int threads);

    void BackwardWeights(ConvGeometry g, float[] x, float[] dy, float[] dw, float[] db, int threads);
}

internal static class ConvAlgorithmCheck
{
    public static void Forward(IConvPasses impl, ConvGeometry g, double factor, ulong seed = 1, bool globalBound = false, int transformTerms = 0, int tile = 1)
    {
        var rng = new Rng(seed);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.K);
        foreach (bool withBias in new[] { false, true })
        {
            float[] bias = withBias ? b : [];
            var y = new float[g.OutputLength];
            Array.Fill(y, float.NaN); // forward must overwrite, NaN included
            impl.Forward(g, x, wt, bias, y, 2);
            var expected = new double[g.OutputLength];
            var magnitude = new double[g.OutputLength];
            ConvReference.Forward<double>(g, ToDouble(x), ToDouble(wt), ToDouble(bias), expected);
            ConvReference.Forward<double>(g, Abs(x), Abs(wt), Abs(bias), magnitude);
            magnitude = TileMaximum(magnitude, g.Height.Output, g.Width.Output, tile);
            AssertClose(expected, magnitude, y, g.GroupRows + 1 + transformTerms, factor, $"{impl.Name} Forward (bias {withBias}) {g}", globalBound);
        }
    }

    public static void BackwardData(IConvPasses impl, ConvGeometry g, double factor, ulong seed = 2, bool globalBound = false, int transformTerms = 0, int tile = 1)
    {
        var rng = new Rng(seed);
        float[] dy = Random(rng, g.OutputLength), wt = Random(rng, g.WeightLength), dx0 = Random(rng, g.InputLength);
        var dx = (float[])dx0.Clone();
        impl.BackwardData(g, dy, wt, dx, 2);
        var expected = ToDouble(dx0);
        var magnitude = Abs(dx0);
        ConvReference.BackwardData<double>(g, ToDouble(dy), ToDouble(wt), expected);
        ConvReference.BackwardData<double>(g, Abs(dy), Abs(wt), magnitude);
        // The data gradient runs as a forward over dy, so its tiles lie on dx's (H, W) planes.
        magnitude = TileMaximum(magnitude, g.Height.Input, g.Width.Input, tile);
        AssertClose(expected, magnitude, dx, g.KPerGroup * g.KernelVolume + 1 + transformTerms, factor, $"{impl.Name} BackwardData {g}", globalBound);
    }

    public static void BackwardWeights(IConvPasses impl, ConvGeometry g, double factor, ulong seed = 3, bool globalBound = false, int transformTerms = 0)
    {
        var rng = new Rng(seed);
        float[] x = Random(rng, g.InputLength), dy = Random(rng, g.OutputLength);
        float[] dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.K);
        float[] dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        impl.BackwardWeights(g, x, dy, dw, db, 2);
        double[] expectedW = ToDouble(dw0), expectedB = ToDouble(db0), magnitudeW = Abs(dw0), magnitudeB = Abs(db0);
        ConvReference.BackwardWeights<double>(g, ToDouble(x), ToDouble(dy), expectedW, expectedB);
        ConvReference.BackwardWeights<double>(g, Abs(x), Abs(dy), magnitudeW, magnitudeB);
        AssertClose(expectedW, magnitudeW, dw, g.N * g.OutputVolume + 1 + transformTerms, factor, $"{impl.Name} BackwardWeights dw {g}", globalBound);
        AssertClose(expectedB, magnitudeB, db, g.N * g.OutputVolume + 1, 1, $"{impl.Name} BackwardWeights db {g}");
    }

    /// <summary>All three passes with 1, 2 and 5 threads give the same bits.</summary>
    public static void ThreadCountInvariant(IConvPasses impl, ConvGeometry g)
    {
        var rng = new Rng(4);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), b = Random(rng, g.K), dy = Random(rng, g.OutputLength);
        float[][] Run(int threads)
        {
            float[] y = new float[g.OutputLength], dx = new float[g.InputLength], dw = new float[g.WeightLength], db = new float[g.K];
            impl.Forward(g, x, wt, b, y, threads);
            impl.BackwardData(g, dy, wt, dx, threads);
            impl.BackwardWeights(g, x, dy, dw, db, threads);
            return [y, dx, dw, db];
        }
        var one = Run(1);
        string[] names = ["y", "dx", "dw", "db"];
        foreach (int threads in new[] { 2, 5 })
        {
            var many = Run(threads);
            for (int t = 0; t < one.Length; t++)
                AssertTensor.BitIdentical(one[t], many[t], $"{impl.Name} {names[t]} with 1 vs {threads} threads, {g}");
        }
    }

    /// <summary>Backward into a non-zero destination adds exactly the gradient computed into zeros.</summary>
    public static void AccumulatesOnce(IConvPasses impl, ConvGeometry g)
    {
        var rng = new Rng(6);
        float[] x = Random(rng, g.InputLength), wt = Random(rng, g.WeightLength), dy = Random(rng, g.OutputLength);
        float[] dx0 = Random(rng, g.InputLength), dw0 = Random(rng, g.WeightLength), db0 = Random(rng, g.K);
        float[] gx = new float[g.InputLength], gw = new float[g.WeightLength], gb = new float[g.K];
        impl.BackwardData(g, dy, wt, gx, 2);
        impl.BackwardWeights(g, x, dy, gw, gb, 2);
        float[] dx = (float[])dx0.Clone(), dw = (float[])dw0.Clone(), db = (float[])db0.Clone();
        impl.BackwardData(g, dy, wt, dx, 2);
        impl.BackwardWeights(g, x, dy, dw, db, 2);
        AssertTensor.BitIdentical([.. dx0.Zip(gx, (a, c) => a + c)], dx, $"{impl.Name} dx {g}");
        AssertTensor.BitIdentical([.. dw0.Zip(gw, (a, c) => a + c)], dw, $"{impl.Name} dw {g}");
        AssertTensor.BitIdentical([.. db0.Zip(gb, (a, c) => a + c)], db, $"{impl.Name} db {g}");
    }

    public static ConvAxis A(int input, int kernel, int stride = 1, int dilation = 1, int before = 0, int after = 0) =>
        new(input, kernel, stride, dilation, before, after);

    public static float[] Random(Rng rng, long length)
    {
        var a = new float[length];
        rng.FillUniform(a, -1f, 1f);
        return a;
    }

    public static double[] ToDouble(float[] a) => Array.ConvertAll(a, v => (double)v);

    public static double[] Abs(float[] a) => Array.ConvertAll(a, v => Math.Abs((double)v));

    /// <summary>
    /// |actual − expected| ≤ factor·(terms + 2)·u·Σ|terms| per element; with <paramref name="globalBound"/>, every element is
    /// allowed the error of the tensor's largest Σ|terms| (the FFT spreads rounding across a whole plane).
    /// </summary>
    /// <summary>
    /// Each element of planes (…, height, width) replaced by the largest of its tile × tile block (blocks start at
    /// row and column 0; edge blocks are partial); tile 1 returns the input.
    /// </summary>
    public static double[] TileMaximum(double[] planes, int height, int width, int tile)
    {
        if (tile <= 1) return planes;
        var result = new double[planes.Length];
        int plane = height * width;
        for (int b = 0; b < planes.Length / plane; b++)
            for (int i0 = 0; i0 < height; i0 += tile)
                for (int j0 = 0; j0 < width; j0 += tile)
                {
                    int i1 = Math.Min(i0 + tile, height), j1 = Math.Min(j0 + tile, width);
                    double largest = 0;
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++) largest = Math.Max(largest, planes[b * plane + i * width + j]);
                    for (int i = i0; i < i1; i++)
                        for (int j = j0; j < j1; j++) result[b * plane + i * width + j] = largest;
                }
        return result;
    }

    public static void AssertClose(double[] expected, double[] magnitude, float[] actual, int terms, double factor, string what, bool globalBound = false)
    {
        Assert.Equal(expected.Length, actual.Length);
        double perTerm = factor * (terms + 2) * Tolerances.GemmPerTermRelative;
        double largest = magnitude.Length == 0 ? 0 : magnitude.Max();
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = perTerm * (globalBound ? largest : magnitude[i]) + 1e-30;
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= allowed))
                throw new XunitException($"{what}: flat index {i}: expected {expected[i]:G9}, actual {actual[i]:G9}, " +
                    $"|diff| {diff:G3} > allowed {allowed:G3} ({factor}·(terms + 2)·u·Σ|terms|, terms = {terms}).");
        }
    }
}
