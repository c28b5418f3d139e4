// Unsupervised k-means features (Coates, Lee & Ng 2011, "An analysis of single-layer networks in
// unsupervised feature learning"):
//   1. take M random R×R patches x (C·R·R = D values each) from the training images;
//   2. normalise each: x̃ = (x − mean(x)) / √(var(x) + ε)        (var with D − 1, as MATLAB's var);
//   3. ZCA-whiten: x_w = P(x̃ − m),  P = V·diag(1/√(λ + ε_zca))·Vᵀ  (Σ = V·diag(λ)·Vᵀ the patch covariance);
//   4. k-means on x_w (k-means++ seeding): assign i to argmax_k c_k·x_w,i − ½‖c_k‖², move c_k to its patches' mean;
//   5. encode every patch of an image ("triangle"): z_k = ‖x_w − c_k‖, f_k = max(0, mean_j z_j − z_k),
//      or ("soft threshold") f_k = max(0, c_k·x_w − α).
// The encoder runs as a convolution: c_k·x_w = ((P c_k)·x − μ·Σ(P c_k))/σ − (P c_k)·m with μ, σ the
// patch's mean and standard deviation, so the whitened centroids P c_k are the convolution kernels;
// ‖x_w‖² (for the triangle distance) comes from D more kernels, the rows of P.
// Shapes: x: (N, C, H, W)  patches: (M, D)  centroids: (K, D)  features: (N, K, H − R + 1, W − R + 1).
using System.Globalization;
using Striate.Autograd;
using Striate.Kernels.Parallel;
using Striate.Layers;

namespace Striate.Features;

/// <summary>How a <see cref="KMeansEncoder2d"/> turns distances to the centroids into features.</summary>
public enum KMeansEncoding
{
    /// <summary>f_k = max(0, mean_j z_j − z_k), z_k = ‖x_w − c_k‖: Coates et al.'s best ("k-means triangle").</summary>
    Triangle,

    /// <summary>f_k = max(0, c_k·x_w − α) with the threshold α (Coates and Ng 2011).</summary>
    SoftThreshold,
}

/// <summary>Settings of <see cref="KMeansFeatures.Fit"/>; the defaults are Coates et al.'s, rescaled for pixels in [0, 1].</summary>
public sealed record KMeansFeatureOptions
{
    /// <summary>R, the side of a patch (6 in the paper).</summary>
    public int PatchSize { get; init; } = 6;

    /// <summary>K, the number of centroids (features per position).</summary>
    public int Centroids { get; init; } = 256;

    /// <summary>M, the number of random patches k-means runs on.</summary>
    public int Patches { get; init; } = 50_000;

    /// <summary>k-means iterations (the paper: 10).</summary>
    public int Iterations { get; init; } = 10;

    /// <summary>ε of the contrast normalisation (the paper's 10 for pixels in 0..255 is 1.5e-4 in [0, 1]; 0.01 also damps flat patches' noise).</summary>
    public float NormalizationEpsilon { get; init; } = 0.01f;

    /// <summary>ε_zca added to the covariance's eigenvalues before whitening (the paper: 0.1, on normalised patches).</summary>
    public float WhiteningEpsilon { get; init; } = 0.1f;

    /// <summary>The encoding of the fitted encoder.</summary>
    public KMeansEncoding Encoding { get; init; } = KMeansEncoding.Triangle;

    /// <summary>α of <see cref="KMeansEncoding.SoftThreshold"/>.</summary>
    public float Threshold { get; init; } = 0.5f;
}

/// <summary>The result of <see cref="KMeansFeatures.KMeans"/>.</summary>
/// <param name="Centroids">(K, D) row-major.</param>
/// <param name="Assignments">The centroid of every point after the last iteration.</param>
/// <param name="Inertia">Σ_i ‖x_i − c_assigned(i)‖² before each iteration's update, one value per iteration.</param>
public sealed record KMeansResult(float[] Centroids, int[] Assignments, IReadOnlyList<double> Inertia);

/// <summary>Patches, contrast normalisation, ZCA whitening and k-means: the steps of Coates et al. (2011).</summary>
public static class KMeansFeatures
{
    /// <summary>Fits a k-means encoder on random patches of <paramref name="images"/> (steps 1–4 of the file header).</summary>
    /// <param name="images">(N, C, H, W) training images, H and W at least the patch size.</param>
    /// <param name="rng">Chooses the patches and the initial centroids.</param>
    /// <param name="options">The settings; <see cref="KMeansFeatureOptions"/>'s defaults when null.</param>
    /// <returns>An encoder mapping (N, C, H, W) to (N, K, H − R + 1, W − R + 1).</returns>
    /// <exception cref="ArgumentException">The images are not (N, C, H, W) with N ≥ 1 and H, W ≥ R (<c>images</c>), or a setting is out of range (<c>options</c>).</exception>
    public static KMeansEncoder2d Fit(Tensor images, Rng rng, KMeansFeatureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rng);
        var o = options ?? new KMeansFeatureOptions();
        if (o.PatchSize < 1 || o.Centroids < 1 || o.Patches < 2 || o.Iterations < 1 || !(o.NormalizationEpsilon > 0) || !(o.WhiteningEpsilon >= 0) || !float.IsFinite(o.Threshold))
            throw new ArgumentException($"Invalid k-means settings: {o}.", nameof(options));
        int r = o.PatchSize;
        if (images.Rank != 4 || images.Dims[0] < 1 || images.Dims[2] < r || images.Dims[3] < r)
            throw new ArgumentException($"The images must be (N, C, H, W) with H and W at least the patch size {r}; got {Tensor.ShapeText(images.Dims)}.", nameof(images));
        int c = images.Dims[1], d = c * r * r;

        float[] patches = ExtractPatches(images, r, o.Patches, rng);
        NormalizePatches(patches, d, o.NormalizationEpsilon);
        var (mean, whitening) = ZcaWhitening(patches, d, o.WhiteningEpsilon);
        float[] white = Whiten(patches, d, mean, whitening);
        var result = KMeans(white, d, o.Centroids, o.Iterations, rng);

        var encoder = new KMeansEncoder2d(c, o.Centroids, r, o.NormalizationEpsilon, o.Encoding, o.Threshold);
        mean.CopyTo(encoder.Mean.AsSpan());
        whitening.CopyTo(encoder.Whitening.AsSpan());
        result.Centroids.CopyTo(encoder.CentroidWeights.AsSpan());
        return encoder;
    }

    /// <summary>
    /// The feature extractor of Coates et al.: the encoder, then an average over each of pool×pool regions of the map
    /// (the paper sums over the four quadrants: pool 2; the classifier standardises, so sum and mean are alike), flattened.
    /// </summary>
    /// <param name="encoder">A fitted encoder with K centroids.</param>
    /// <param name="pool">Regions per side, at least 1.</param>
    /// <returns>(N, C, H, W) → (N, K·pool·pool).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="pool"/> is not positive.</exception>
    public static Sequential Extractor(KMeansEncoder2d encoder, int pool = 2)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pool);
        return new Sequential(encoder, new AdaptiveAvgPool2d(pool), new Flatten());
    }

    /// <summary>
    /// <paramref name="count"/> patches of size×size at uniformly random images and positions, each laid out (C, R, R) like a convolution kernel.
    /// </summary>
    /// <param name="images">(N, C, H, W).</param>
    /// <param name="size">R, the patch side.</param>
    /// <param name="count">M, the number of patches.</param>
    /// <param name="rng">Chooses image and position for each patch.</param>
    /// <returns>(M, C·R·R) row-major.</returns>
    /// <exception cref="ArgumentException">The images are not (N, C, H, W) with N ≥ 1 and H, W ≥ size (<c>images</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">size or count is not positive.</exception>
    public static float[] ExtractPatches(Tensor images, int size, int count, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        if (images.Rank != 4 || images.Dims[0] < 1 || images.Dims[2] < size || images.Dims[3] < size)
            throw new ArgumentException($"The images must be (N, C, H, W) with H and W at least {size}; got {Tensor.ShapeText(images.Dims)}.", nameof(images));
        int n = images.Dims[0], c = images.Dims[1], h = images.Dims[2], w = images.Dims[3], d = c * size * size;
        ReadOnlySpan<float> x = images.AsSpan();
        var patches = new float[count * d];
        for (int i = 0; i < count; i++)
        {
            int image = rng.NextInt(n), top = rng.NextInt(h - size + 1), left = rng.NextInt(w - size + 1);
            for (int ch = 0; ch < c; ch++)
                for (int dy = 0; dy < size; dy++)
                    x.Slice(((image * c + ch) * h + top + dy) * w + left, size).CopyTo(patches.AsSpan(i * d + (ch * size + dy) * size, size));
        }
        return patches;
    }

    /// <summary>Contrast normalisation of every row in place: x ← (x − mean(x)) / √(var(x) + ε), var with D − 1 (D = 1: with D).</summary>
    /// <param name="patches">(M, D) row-major.</param>
    /// <param name="dim">D, values per patch.</param>
    /// <param name="epsilon">ε &gt; 0, keeps flat patches from blowing up.</param>
    /// <exception cref="ArgumentException">The length is not a multiple of dim (<c>patches</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">dim is not positive, or epsilon is not positive.</exception>
    public static void NormalizePatches(Span<float> patches, int dim, float epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be positive.");
        if (patches.Length % dim != 0) throw new ArgumentException($"{patches.Length} values are not whole patches of {dim}.", nameof(patches));
        for (int i = 0; i < patches.Length; i += dim)
        {
            var row = patches.Slice(i, dim);
            double sum = 0, squares = 0;
            foreach (float v in row) { sum += v; squares += (double)v * v; }
            var (mean, scale) = NormalizationOf(sum, squares, dim, epsilon);
            for (int j = 0; j < dim; j++) row[j] = (float)((row[j] - mean) * scale);
        }
    }

    /// <summary>The mean μ and 1/√(var + ε) of D values with sum S1 and sum of squares S2 (var = (S2 − D·μ²)/(D − 1), floored at 0).</summary>
    internal static (double Mean, double Scale) NormalizationOf(double sum, double squares, int dim, double epsilon)
    {
        double mean = sum / dim;
        double variance = Math.Max(0, (squares - dim * mean * mean) / Math.Max(1, dim - 1));
        return (mean, 1 / Math.Sqrt(variance + epsilon));
    }

    /// <summary>
    /// ZCA whitening of rows: the mean m and P = V·diag(1/√(λ + ε))·Vᵀ from the covariance Σ = V·diag(λ)·Vᵀ
    /// (divided by M − 1), so that P(x − m) has covariance ≈ I (exactly V·diag(λ/(λ + ε))·Vᵀ).
    /// </summary>
    /// <param name="data">(M, D) row-major, M ≥ 2.</param>
    /// <param name="dim">D.</param>
    /// <param name="epsilon">ε ≥ 0 added to every eigenvalue.</param>
    /// <returns>m (D) and P (D, D) row-major, symmetric.</returns>
    /// <exception cref="ArgumentException">The length is not at least two whole rows of dim (<c>data</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">dim is not positive, or epsilon is negative.</exception>
    public static (float[] Mean, float[] Whitening) ZcaWhitening(ReadOnlySpan<float> data, int dim, float epsilon)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        if (!(epsilon >= 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must not be negative.");
        if (data.Length % dim != 0 || data.Length / dim < 2) throw new ArgumentException($"Whitening needs at least two whole rows of {dim} values; got {data.Length} values.", nameof(data));
        int m = data.Length / dim;
        var mean = new double[dim];
        for (int i = 0; i < m; i++)
            for (int j = 0; j < dim; j++) mean[j] += data[i * dim + j];
        for (int j = 0; j < dim; j++) mean[j] /= m;
        var cov = new double[dim * dim];
        var centred = new double[dim];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < dim; j++) centred[j] = data[i * dim + j] - mean[j];
            for (int a = 0; a < dim; a++)
            {
                double ca = centred[a];
                for (int b = a; b < dim; b++) cov[a * dim + b] += ca * centred[b];
            }
        }
        for (int a = 0; a < dim; a++)
            for (int b = a; b < dim; b++) cov[b * dim + a] = cov[a * dim + b] /= m - 1;
        var (values, vectors) = SymmetricEigen.Decompose(cov, dim);
        var p = new float[dim * dim];
        for (int a = 0; a < dim; a++)
            for (int b = 0; b < dim; b++)
            {
                double s = 0;
                for (int k = 0; k < dim; k++) s += vectors[a * dim + k] * vectors[b * dim + k] / Math.Sqrt(Math.Max(values[k], 0) + epsilon);
                p[a * dim + b] = (float)s;
            }
        return ([.. mean.Select(v => (float)v)], p);
    }

    /// <summary>x_w = P(x − m) for every row.</summary>
    /// <param name="data">(M, D) row-major.</param>
    /// <param name="dim">D.</param>
    /// <param name="mean">m (D).</param>
    /// <param name="whitening">P (D, D) row-major.</param>
    /// <returns>(M, D) row-major.</returns>
    /// <exception cref="ArgumentException">The lengths do not match dim (named).</exception>
    public static float[] Whiten(ReadOnlySpan<float> data, int dim, ReadOnlySpan<float> mean, ReadOnlySpan<float> whitening)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        if (data.Length % dim != 0) throw new ArgumentException($"{data.Length} values are not whole rows of {dim}.", nameof(data));
        if (mean.Length != dim) throw new ArgumentException($"The mean must have {dim} values, got {mean.Length}.", nameof(mean));
        if (whitening.Length != dim * dim) throw new ArgumentException($"The whitening matrix must have {dim}×{dim} values, got {whitening.Length}.", nameof(whitening));
        var result = new float[data.Length];
        var centred = new float[dim];
        for (int i = 0; i < data.Length; i += dim)
        {
            for (int j = 0; j < dim; j++) centred[j] = data[i + j] - mean[j];
            for (int a = 0; a < dim; a++)
            {
                double s = 0;
                for (int b = 0; b < dim; b++) s += whitening[a * dim + b] * centred[b];
                result[i + a] = (float)s;
            }
        }
        return result;
    }

    /// <summary>
    /// Lloyd's k-means: centroids start at K points chosen by k-means++ seeding; each iteration assigns every point to the
    /// centroid with the largest c·x − ½‖c‖² (the nearest) and moves each centroid to the mean of its points
    /// (a centroid that lost all its points stays where it is). Ties go to the lower index.
    /// </summary>
    /// <param name="data">(M, D) row-major, M ≥ K.</param>
    /// <param name="dim">D.</param>
    /// <param name="clusters">K ≥ 1.</param>
    /// <param name="iterations">Number of assign-and-update rounds, at least 1.</param>
    /// <param name="rng">Chooses the starting points.</param>
    /// <exception cref="ArgumentException">The data is not at least K whole rows of dim (<c>data</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">dim, clusters or iterations is not positive.</exception>
    public static KMeansResult KMeans(ReadOnlySpan<float> data, int dim, int clusters, int iterations, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dim);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clusters);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(iterations);
        if (data.Length % dim != 0 || data.Length / dim < clusters)
            throw new ArgumentException($"k-means with {clusters} centroids needs at least {clusters} whole rows of {dim} values; got {data.Length} values.", nameof(data));
        int m = data.Length / dim;
        var points = Tensor.FromArray(data.ToArray(), m, dim);
        var centroids = SeedCentroids(data, m, dim, clusters, rng);
        var assignments = new int[m];
        var inertia = new List<double>(iterations);
        var norms = new double[m];
        for (int i = 0; i < m; i++)
        {
            double s = 0;
            foreach (float v in data.Slice(i * dim, dim)) s += (double)v * v;
            norms[i] = s;
        }
        using (GradMode.NoGrad())
        {
            for (int iteration = 0; iteration < iterations; iteration++)
            {
                // scores[i, k] = x_i·c_k: one (M, D)·(D, K) product.
                var transposed = new float[dim * clusters];
                var halfNorm = new double[clusters];
                for (int k = 0; k < clusters; k++)
                    for (int j = 0; j < dim; j++)
                    {
                        float v = centroids[k * dim + j];
                        transposed[j * clusters + k] = v;
                        halfNorm[k] += 0.5 * v * v;
                    }
                ReadOnlySpan<float> scores = Functional.MatMul(points, Tensor.FromArray(transposed, dim, clusters)).AsSpan();
                double total = 0;
                for (int i = 0; i < m; i++)
                {
                    int best = 0;
                    double bestScore = double.NegativeInfinity;
                    for (int k = 0; k < clusters; k++)
                    {
                        double s = scores[i * clusters + k] - halfNorm[k];
                        if (s > bestScore) { bestScore = s; best = k; }
                    }
                    assignments[i] = best;
                    total += Math.Max(0, norms[i] - 2 * bestScore); // ‖x − c‖² = ‖x‖² − 2(x·c − ½‖c‖²)
                }
                inertia.Add(total);
                var sums = new double[clusters * dim];
                var counts = new int[clusters];
                for (int i = 0; i < m; i++)
                {
                    int k = assignments[i];
                    counts[k]++;
                    for (int j = 0; j < dim; j++) sums[k * dim + j] += data[i * dim + j];
                }
                for (int k = 0; k < clusters; k++)
                    if (counts[k] > 0)
                        for (int j = 0; j < dim; j++) centroids[k * dim + j] = (float)(sums[k * dim + j] / counts[k]);
            }
        }
        return new KMeansResult(centroids, assignments, inertia);
    }

    // k-means++ seeding (Arthur & Vassilvitskii 2007): the first centroid is a random point, each next one a point drawn with
    // probability ∝ its squared distance to the nearest centroid so far, which keeps two centroids from starting in one cluster.
    private static float[] SeedCentroids(ReadOnlySpan<float> data, int m, int dim, int clusters, Rng rng)
    {
        var centroids = new float[clusters * dim];
        var nearest = new double[m];
        Array.Fill(nearest, double.PositiveInfinity);
        int chosen = rng.NextInt(m);
        for (int k = 0; k < clusters; k++)
        {
            data.Slice(chosen * dim, dim).CopyTo(centroids.AsSpan(k * dim, dim));
            double total = 0;
            for (int i = 0; i < m; i++)
            {
                double d2 = 0;
                for (int j = 0; j < dim; j++)
                {
                    double diff = data[i * dim + j] - centroids[k * dim + j];
                    d2 += diff * diff;
                }
                nearest[i] = Math.Min(nearest[i], d2);
                total += nearest[i];
            }
            if (k + 1 == clusters) break;
            double target = rng.NextDouble() * total, running = 0;
            chosen = -1;
            for (int i = 0; i < m && chosen < 0; i++)
            {
                running += nearest[i];
                if (running > target) chosen = i;
            }
            if (chosen < 0) chosen = rng.NextInt(m); // every point already is a centroid (total 0), or rounding
        }
        return centroids;
    }
}

/// <summary>
/// The k-means feature encoder of Coates et al. (2011) as a layer: every R×R patch of the input is contrast-normalised,
/// whitened and compared with K centroids; y[n, k, p, q] is f_k of the patch at (p, q) (see <see cref="KMeansEncoding"/>).
/// Its state (whitening P, mean m, centroids) is buffers: it is fitted by <see cref="KMeansFeatures.Fit"/>, never trained,
/// and passes no gradient to its input.
/// </summary>
public sealed class KMeansEncoder2d : Module
{
    /// <summary>Creates an encoder with zero state, to be filled by <see cref="KMeansFeatures.Fit"/> or a checkpoint.</summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <param name="centroids">K, the number of centroids (output channels).</param>
    /// <param name="patchSize">R, the patch side.</param>
    /// <param name="normalizationEpsilon">ε of the contrast normalisation, positive.</param>
    /// <param name="encoding">Triangle or soft threshold.</param>
    /// <param name="threshold">α of the soft threshold (unused by the triangle encoding).</param>
    /// <exception cref="ArgumentOutOfRangeException">inChannels, centroids or patchSize is not positive, normalizationEpsilon is not positive, or threshold is not finite.</exception>
    public KMeansEncoder2d(int inChannels, int centroids, int patchSize, float normalizationEpsilon = 0.01f, KMeansEncoding encoding = KMeansEncoding.Triangle, float threshold = 0.5f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(centroids);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patchSize);
        if (!(normalizationEpsilon > 0) || !float.IsFinite(normalizationEpsilon))
            throw new ArgumentOutOfRangeException(nameof(normalizationEpsilon), normalizationEpsilon, "ε must be positive and finite.");
        if (!float.IsFinite(threshold)) throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be finite.");
        if (encoding is not (KMeansEncoding.Triangle or KMeansEncoding.SoftThreshold)) throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown encoding.");
        InChannels = inChannels;
        CentroidCount = centroids;
        PatchSize = patchSize;
        NormalizationEpsilon = normalizationEpsilon;
        Encoding = encoding;
        Threshold = threshold;
        int d = PatchLength;
        Whitening = RegisterBuffer("whitening", Tensor.Zeros(d, d));
        Mean = RegisterBuffer("mean", Tensor.Zeros(d));
        CentroidWeights = RegisterBuffer("centroids", Tensor.Zeros(centroids, d));
    }

    /// <summary>C, channels of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, the number of centroids and output channels.</summary>
    public int CentroidCount { get; }

    /// <summary>R, the patch side.</summary>
    public int PatchSize { get; }

    /// <summary>D = C·R·R, values per patch.</summary>
    public int PatchLength => InChannels * PatchSize * PatchSize;

    /// <summary>ε of the contrast normalisation.</summary>
    public float NormalizationEpsilon { get; }

    /// <summary>The encoding.</summary>
    public KMeansEncoding Encoding { get; }

    /// <summary>α of the soft-threshold encoding.</summary>
    public float Threshold { get; }

    /// <summary>P, (D, D) symmetric ZCA matrix.</summary>
    public Tensor Whitening { get; }

    /// <summary>m, (D) mean of the normalised patches.</summary>
    public Tensor Mean { get; }

    /// <summary>(K, D) centroids in whitened space, each laid out (C, R, R).</summary>
    public Tensor CentroidWeights { get; }

    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"{InChannels}→{CentroidCount}, {PatchSize}×{PatchSize} k-means {(Encoding == KMeansEncoding.Triangle ? "triangle" : $"soft threshold {Threshold}")}");

    /// <summary>
    /// The features of one patch computed step by step (normalise, whiten, compare): the reference the convolutional
    /// <see cref="Forward"/> is tested against.
    /// </summary>
    /// <param name="patch">D = C·R·R values laid out (C, R, R).</param>
    /// <returns>K features.</returns>
    /// <exception cref="ArgumentException">The patch does not have D values (<c>patch</c>).</exception>
    public float[] EncodePatch(ReadOnlySpan<float> patch)
    {
        int d = PatchLength, k = CentroidCount;
        if (patch.Length != d) throw new ArgumentException($"A patch has {d} values, got {patch.Length}.", nameof(patch));
        var normalized = patch.ToArray();
        KMeansFeatures.NormalizePatches(normalized, d, NormalizationEpsilon);
        float[] white = KMeansFeatures.Whiten(normalized, d, Mean.AsSpan(), Whitening.AsSpan());
        ReadOnlySpan<float> c = CentroidWeights.AsSpan();
        var features = new float[k];
        var z = new double[k];
        for (int j = 0; j < k; j++)
        {
            double dot = 0, distance = 0;
            for (int i = 0; i < d; i++)
            {
                dot += (double)c[j * d + i] * white[i];
                double diff = white[i] - c[j * d + i];
                distance += diff * diff;
            }
            z[j] = Math.Sqrt(distance);
            features[j] = (float)Math.Max(0, dot - Threshold);
        }
        if (Encoding == KMeansEncoding.Triangle)
        {
            double mean = z.Average();
            for (int j = 0; j < k; j++) features[j] = (float)Math.Max(0, mean - z[j]);
        }
        return features;
    }

    /// <inheritdoc/>
    /// <summary>Encodes every R×R patch (stride 1, no padding): (N, C, H, W) → (N, K, H − R + 1, W − R + 1).</summary>
    /// <exception cref="ArgumentException">The input is not (N, C, H, W) with this layer's C and H, W ≥ R (<c>input</c>).</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        int r = PatchSize, d = PatchLength, k = CentroidCount;
        if (input.Rank != 4 || input.Dims[1] != InChannels || input.Dims[2] < r || input.Dims[3] < r)
            throw new ArgumentException($"KMeansEncoder2d expects (N, {InChannels}, H, W) with H, W ≥ {r}; got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int n = input.Dims[0], p = input.Dims[2] - r + 1, q = input.Dims[3] - r + 1;

        // Kernels: K whitened centroids P·c_k, then the D rows of P, then a kernel of ones (the patch sum).
        ReadOnlySpan<float> pm = Whitening.AsSpan(), m = Mean.AsSpan(), c = CentroidWeights.AsSpan();
        int channels = k + d + 1;
        var weight = new float[channels * d];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++)
            {
                double s = 0;
                for (int b = 0; b < d; b++) s += pm[a * d + b] * c[j * d + b];
                weight[j * d + a] = (float)s;
            }
        pm.CopyTo(weight.AsSpan(k * d, d * d));
        weight.AsSpan((k + d) * d, d).Fill(1f);
        var rowSums = new double[channels];
        var offsets = new double[channels];
        for (int i = 0; i < k + d; i++)
            for (int a = 0; a < d; a++)
            {
                rowSums[i] += weight[i * d + a];
                offsets[i] += (double)weight[i * d + a] * m[a];
            }
        var centroidNorms = new double[k];
        for (int j = 0; j < k; j++)
            for (int a = 0; a < d; a++) centroidNorms[j] += (double)c[j * d + a] * c[j * d + a];

        Tensor responses, squares;
        using (GradMode.NoGrad())
        {
            var x = input.Detach();
            var xx = Tensor.FromArray(x.ToArray(), [.. x.Dims]);
            var sq = xx.AsSpan();
            for (int i = 0; i < sq.Length; i++) sq[i] *= sq[i];
            responses = Functional.Conv2d(x, Tensor.FromArray(weight, channels, InChannels, r, r));
            squares = Functional.Conv2d(xx, Tensor.FromArray(weight.AsSpan((k + d) * d, d).ToArray(), 1, InChannels, r, r));
        }
        var output = Tensor.Uninitialized(n, k, p, q);
        ParallelFor.Run(n, Compute.Threads, new EncodeBody(responses.Data, squares.Data, output.Data, rowSums, offsets, centroidNorms,
            k, d, p * q, NormalizationEpsilon, Encoding == KMeansEncoding.Triangle, Threshold));
        return output;
    }

    // One work item per image: every output value of image n is computed by that item alone, in a fixed order.
    private readonly struct EncodeBody(float[] responses, float[] squares, float[] output, double[] rowSums, double[] offsets,
        double[] centroidNorms, int k, int d, int positions, float epsilon, bool triangle, float threshold) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int channels = k + d + 1;
            var v = new double[k];
            for (int n = start; n < end; n++)
            {
                int inBase = n * channels * positions, outBase = n * k * positions;
                for (int pos = 0; pos < positions; pos++)
                {
                    double sum = responses[inBase + (k + d) * positions + pos];
                    var (mean, scale) = KMeansFeatures.NormalizationOf(sum, squares[n * positions + pos], d, epsilon);
                    double whiteNorm = 0;
                    for (int j = 0; j < d; j++)
                    {
                        int i = k + j;
                        double w = (responses[inBase + i * positions + pos] - mean * rowSums[i]) * scale - offsets[i];
                        whiteNorm += w * w;
                    }
                    double zMean = 0;
                    for (int j = 0; j < k; j++)
                    {
                        double dot = (responses[inBase + j * positions + pos] - mean * rowSums[j]) * scale - offsets[j];
                        v[j] = triangle ? Math.Sqrt(Math.Max(0, whiteNorm - 2 * dot + centroidNorms[j])) : dot;
                        zMean += v[j];
                    }
                    zMean /= k;
                    for (int j = 0; j < k; j++)
                        output[outBase + j * positions + pos] = (float)(triangle ? Math.Max(0, zMean - v[j]) : Math.Max(0, v[j] - threshold));
                }
            }
        }
    }
}

/// <summary>Eigenvalues and eigenvectors of a small symmetric matrix by cyclic Jacobi rotations (exact to rounding, fine for D ≤ a few hundred).</summary>
internal static class SymmetricEigen
{
    /// <summary>A = V·diag(λ)·Vᵀ; returns λ and V (row-major, eigenvectors as columns).</summary>
    public static (double[] Values, double[] Vectors) Decompose(double[] matrix, int n)
    {
        var a = (double[])matrix.Clone();
        var v = new double[n * n];
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            }
            if (off <= 1e-30 * Math.Max(diag, 1e-300)) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = a[p * n + q];
                    if (apq == 0) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double cos = 1 / Math.Sqrt(t * t + 1), sin = t * cos;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = cos * akp - sin * akq;
                        a[k * n + q] = sin * akp + cos * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = cos * apk - sin * aqk;
                        a[q * n + k] = sin * apk + cos * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = cos * vkp - sin * vkq;
                        v[k * n + q] = sin * vkp + cos * vkq;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        return (values, v);
    }
}
