// k-means features (Coates et al. 2011): each step against its definition (normalisation by hand,
// whitened covariance ≈ I, k-means finding separated clusters with falling inertia), the convolutional
// encoder against the step-by-step patch encoding at every position, bit-identical for any thread
// count, and the whole pipeline on synthetic shapes well above chance.
using Striate.Data.Synthetic;
using Striate.Features;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Features;

public sealed class KMeansFeaturesTests
{
    [Fact]
    public void NormalizePatches_SubtractsTheMeanAndDividesByTheStandardDeviation()
    {
        float[] patches = [1, 2, 3, 4, 5, 5, 5, 5];

        KMeansFeatures.NormalizePatches(patches, 4, 0.01f);

        // Row 1: mean 2.5, var (2.25 + 0.25 + 0.25 + 2.25)/3 = 5/3. Row 2 is flat: all zeros.
        double s = Math.Sqrt(5.0 / 3 + 0.01);
        Assert.Equal([(float)(-1.5 / s), (float)(-0.5 / s), (float)(0.5 / s), (float)(1.5 / s), 0, 0, 0, 0], patches);
    }

    [Fact]
    public void ZcaWhitening_WhitenedCovarianceIsTheIdentity()
    {
        // Correlated 5-D data: x = A·g + offset with g ~ N(0, I).
        var rng = new Rng(1);
        const int m = 4000, d = 5;
        var a = Tensor.Normal(rng, 0, 1, d, d).ToArray();
        var data = new float[m * d];
        var g = new float[d];
        for (int i = 0; i < m; i++)
        {
            rng.FillNormal(g, 0, 1);
            for (int r = 0; r < d; r++)
            {
                double s = 3 + r;
                for (int c = 0; c < d; c++) s += a[r * d + c] * g[c];
                data[i * d + r] = (float)s;
            }
        }

        var (mean, p) = KMeansFeatures.ZcaWhitening(data, d, 0f);
        var white = KMeansFeatures.Whiten(data, d, mean, p);

        for (int r = 0; r < d; r++)
        {
            Assert.Equal(p[r * d + (r + 1) % d], p[(r + 1) % d * d + r], 4); // P is symmetric (ZCA, not PCA whitening)
            for (int c = 0; c < d; c++)
            {
                double cov = 0;
                for (int i = 0; i < m; i++) cov += white[i * d + r] * white[i * d + c];
                Assert.True(Math.Abs(cov / (m - 1) - (r == c ? 1 : 0)) < 1e-3, $"covariance[{r},{c}] = {cov / (m - 1)}");
            }
        }
    }

    [Fact]
    public void KMeans_SeparatedBlobs_FindsTheirCentresAndInertiaNeverRises()
    {
        var rng = new Rng(2);
        float[][] centres = [[0, 0], [10, 0], [0, 10]];
        var data = new float[300 * 2];
        for (int i = 0; i < 300; i++)
        {
            data[2 * i] = centres[i % 3][0] + (rng.NextSingle() - 0.5f);
            data[2 * i + 1] = centres[i % 3][1] + (rng.NextSingle() - 0.5f);
        }

        var result = KMeansFeatures.KMeans(data, 2, 3, 10, new Rng(3));

        for (int i = 1; i < result.Inertia.Count; i++) Assert.True(result.Inertia[i] <= result.Inertia[i - 1] * (1 + 1e-9), $"inertia rose: {string.Join(", ", result.Inertia)}");
        foreach (var centre in centres)
        {
            double nearest = Enumerable.Range(0, 3).Min(k => Math.Abs(result.Centroids[2 * k] - centre[0]) + Math.Abs(result.Centroids[2 * k + 1] - centre[1]));
            Assert.True(nearest < 0.2, $"no centroid near ({centre[0]}, {centre[1]}): {string.Join(", ", result.Centroids)}");
        }
        for (int i = 3; i < 300; i++) Assert.Equal(result.Assignments[i % 3], result.Assignments[i]);
    }

    [Theory]
    [InlineData(1, 3, 9, 11, KMeansEncoding.Triangle)]
    [InlineData(2, 5, 7, 8, KMeansEncoding.SoftThreshold)]
    [InlineData(3, 2, 6, 6, KMeansEncoding.Triangle)]
    public void Forward_EqualsTheStepByStepPatchEncodingEverywhere(int channels, int patchSize, int height, int width, KMeansEncoding encoding)
    {
        var images = Tensor.Uniform(new Rng(4), 0, 1, 3, channels, height, width);
        var encoder = KMeansFeatures.Fit(images, new Rng(5), new KMeansFeatureOptions { PatchSize = patchSize, Centroids = 7, Patches = 300, Encoding = encoding, Threshold = 0.25f });

        var y = encoder.Forward(images);

        int p = height - patchSize + 1, q = width - patchSize + 1;
        Assert.Equal([3, 7, p, q], y.Shape);
        var patch = new float[channels * patchSize * patchSize];
        var x = images.AsSpan();
        var actual = y.AsSpan();
        double largest = 0;
        int positive = 0;
        for (int n = 0; n < 3; n++)
            for (int r = 0; r < p; r++)
                for (int c = 0; c < q; c++)
                {
                    for (int ch = 0; ch < channels; ch++)
                        for (int dy = 0; dy < patchSize; dy++)
                            for (int dx = 0; dx < patchSize; dx++)
                                patch[(ch * patchSize + dy) * patchSize + dx] = x[((n * channels + ch) * height + r + dy) * width + c + dx];
                    var expected = encoder.EncodePatch(patch);
                    for (int k = 0; k < 7; k++)
                    {
                        float a = actual[((n * 7 + k) * p + r) * q + c];
                        largest = Math.Max(largest, Math.Abs(expected[k]));
                        if (a > 0) positive++;
                        Assert.True(Tolerances.KMeansEncoder.Ratio(expected[k], a) <= 1, $"(n {n}, k {k}, {r}, {c}): {a} vs {expected[k]} ({encoding}, {Tolerances.KMeansEncoder})");
                    }
                }
        Assert.True(largest > 0.1 && positive > 0, "the features are not all zero");
    }

    [Fact]
    public void Forward_IsBitIdenticalForAnyThreadCount()
    {
        var images = Tensor.Uniform(new Rng(6), 0, 1, 5, 1, 12, 12);
        var encoder = KMeansFeatures.Fit(images, new Rng(7), new KMeansFeatureOptions { PatchSize = 4, Centroids = 9, Patches = 500 });
        float[] one, three;
        using (Compute.UseThreads(1)) one = encoder.Forward(images).ToArray();
        using (Compute.UseThreads(3)) three = encoder.Forward(images).ToArray();
        Assert.Equal(one, three);
    }

    [Fact]
    public void Pipeline_OnSyntheticShapes_IsWellAboveChance()
    {
        // Circles, squares and triangles (chance 1/3): k-means features + a linear classifier, test images never seen.
        var options = new ShapesOptions { Size = 16, MinRadius = 3, MaxRadius = 6 };
        var train = SyntheticShapes.Generate(600, new Rng(8), options);
        var test = SyntheticShapes.Generate(300, new Rng(9), options);
        var encoder = KMeansFeatures.Fit(train.Images, new Rng(10), new KMeansFeatureOptions { PatchSize = 5, Centroids = 32, Patches = 5000 });
        var extractor = KMeansFeatures.Extractor(encoder);

        var classifier = LinearProbe.Train(LinearProbe.ExtractFeatures(extractor, train.Images), train.Labels, 3, new Rng(11));
        var testFeatures = LinearProbe.ExtractFeatures(extractor, test.Images);
        double accuracy = LinearProbe.Accuracy(classifier, testFeatures, test.Labels);

        Assert.Equal([300, 32 * 4], testFeatures.Shape); // K centroids × 4 quadrants
        Assert.True(accuracy > 0.8, $"k-means features reach only {accuracy:P1} on shapes (chance 33%)");
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        var images = Tensor.Zeros(2, 1, 8, 8);
        Assert.Equal("images", Assert.Throws<ArgumentException>(() => KMeansFeatures.Fit(Tensor.Zeros(2, 1, 4, 4), new Rng(0))).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => KMeansFeatures.Fit(images, new Rng(0), new KMeansFeatureOptions { Centroids = 0 })).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => KMeansFeatures.KMeans(new float[6], 2, 4, 1, new Rng(0))).ParamName);
        Assert.Equal("clusters", Assert.Throws<ArgumentOutOfRangeException>(() => KMeansFeatures.KMeans(new float[6], 2, 0, 1, new Rng(0))).ParamName);
        Assert.Equal("patches", Assert.Throws<ArgumentException>(() => KMeansFeatures.NormalizePatches(new float[5], 2, 0.1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => KMeansFeatures.NormalizePatches(new float[4], 2, 0f)).ParamName);
        Assert.Equal("data", Assert.Throws<ArgumentException>(() => KMeansFeatures.ZcaWhitening(new float[3], 3, 0.1f)).ParamName);
        Assert.Equal("whitening", Assert.Throws<ArgumentException>(() => KMeansFeatures.Whiten(new float[4], 2, new float[2], new float[3])).ParamName);
        Assert.Equal("centroids", Assert.Throws<ArgumentOutOfRangeException>(() => new KMeansEncoder2d(1, 0, 3)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => new KMeansEncoder2d(2, 3, 3).Forward(images)).ParamName);
        Assert.Equal("patch", Assert.Throws<ArgumentException>(() => new KMeansEncoder2d(1, 3, 3).EncodePatch(new float[8])).ParamName);
    }
}
