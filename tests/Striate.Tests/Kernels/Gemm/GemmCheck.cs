// Shared checks for the GEMM tests: two oracles for C = alpha·op(A)·op(B) + beta·C.
//  * FmaChain: the exact float32 operation sequence every variant promises (acc = beta·c, or 0 when
//    beta = 0; acc = fma(alpha·a, b, acc) for p = 0 .. K−1), so fast kernels must match it bit for bit.
//  * GemmReference in double: checks the chain itself computes the right product, within the float32
//    dot-product error bound (k + 2)·u·(Σ|α·a·b| + |β·c|).
using Striate.Kernels.Gemm;
using Striate.Kernels.Reference;
using Striate.Tests.TestSupport;
using Xunit.Sdk;

namespace Striate.Tests.Kernels.Gemm;

internal static class GemmCheck
{
    public static float[] Random(Rng rng, int count)
    {
        var values = new float[count];
        rng.FillUniform(values, -1f, 1f);
        return values;
    }

    /// <summary>The micro-kernel variants this machine runs, by name (xunit data must be public types).</summary>
    public static IEnumerable<string> SupportedVariants() =>
        Enum.GetValues<GemmVariant>().Where(v => v != GemmVariant.Auto && GemmKernel.IsSupported(v)).Select(v => v.ToString());

    /// <summary>The float32 fused-multiply-add chain every GEMM variant must reproduce exactly.</summary>
    public static float[] FmaChain(bool transA, bool transB, int m, int n, int k, float alpha, float[] a, float[] b, float beta, float[] c0)
    {
        var c = (float[])c0.Clone();
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (k == 0 || alpha == 0f)
                {
                    c[i * n + j] = beta == 0f ? 0f : beta * c0[i * n + j];
                    continue;
                }
                float acc = beta == 0f ? 0f : beta * c0[i * n + j];
                for (int p = 0; p < k; p++)
                {
                    float av = alpha * (transA ? a[p * m + i] : a[i * k + p]);
                    float bv = transB ? b[j * k + p] : b[p * n + j];
                    acc = MathF.FusedMultiplyAdd(av, bv, acc);
                }
                c[i * n + j] = acc;
            }
        }
        return c;
    }

    /// <summary>
    /// Runs <paramref name="variant"/> on random operands and asserts it equals <see cref="FmaChain"/> bit for bit
    /// and the double-precision reference within the float32 error bound. Returns the result.
    /// </summary>
    public static float[] Check(GemmVariant variant, GemmPath path, bool transA, bool transB, int m, int n, int k,
        float alpha, float beta, Rng rng, int threads = 1)
    {
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        var c = (float[])c0.Clone();
        // Threshold 0: more than one thread really splits the work, however small the problem.
        GemmKernel.GemmOn(variant, path, transA, transB, m, n, k, alpha, a, b, beta, c, threads, parallelMinMultiplyAdds: 0);
        string what = $"{variant} ({path}, transA {transA}, transB {transB}, m {m}, n {n}, k {k}, alpha {alpha}, beta {beta}, threads {threads})";
        AssertTensor.BitIdentical(FmaChain(transA, transB, m, n, k, alpha, a, b, beta, c0), c, what + " vs the FMA chain");
        AgainstReference(what, transA, transB, m, n, k, alpha, a, b, beta, c0, c);
        return c;
    }

    /// <summary>Asserts <paramref name="actual"/> is within (k + 2)·u·(Σ|α·a·b| + |β·c|) of the double reference.</summary>
    public static void AgainstReference(string what, bool transA, bool transB, int m, int n, int k, float alpha,
        float[] a, float[] b, float beta, float[] c0, float[] actual)
    {
        double[] ad = [.. a.Select(v => (double)v)], bd = [.. b.Select(v => (double)v)];
        double[] expected = [.. c0.Select(v => (double)v)];
        GemmReference.Gemm<double>(transA, transB, m, n, k, alpha, ad, bd, beta, expected);
        // Σ_k |α·a·b| per element: the scale of the rounding error.
        var magnitude = new double[m * n];
        GemmReference.Gemm<double>(transA, transB, m, n, k, Math.Abs(alpha), [.. ad.Select(Math.Abs)], [.. bd.Select(Math.Abs)], 0, magnitude);

        double perTerm = (k + 2) * Tolerances.GemmPerTermRelative;
        for (int i = 0; i < m * n; i++)
        {
            double scale = magnitude[i] + Math.Abs(beta * (double)c0[i]);
            double allowed = perTerm * scale + 1e-30;
            double diff = Math.Abs(actual[i] - expected[i]);
            if (!(diff <= allowed))
                throw new XunitException($"{what}: C{AssertTensor.MultiIndex(i, [m, n])} of shape ({m}, {n}): expected {expected[i]:G9}, " +
                    $"actual {actual[i]:G9}, |diff| {diff:G3} > allowed {allowed:G3} ((k + 2)·u·(Σ|α·a·b| + |β·c|): the float32 dot-product error bound).");
        }
    }
}
