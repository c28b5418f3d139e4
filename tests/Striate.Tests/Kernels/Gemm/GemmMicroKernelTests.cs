// Every GEMM micro-kernel variant this machine can run (Gemm4x4Scalar, Gemm8x12Vector128,
// Gemm6x16Avx2Fma and, where AVX-512 exists, Gemm14x32Avx512), forced through the internal entry
// point, with B packed and read in place (the dot-product path: GemmDotTests). Sizes sweep around each variant's own tile (Mr × Nr) and
// cache blocks (Kc, Mc, Nc): partial tiles, k below/at/above the block, several blocks, primes. Every
// result must equal the exact FMA chain bit for bit (so all variants agree with each other) and the
// double-precision reference within the float32 error bound.
using Striate.Kernels.Gemm;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Kernels.Gemm;

public class GemmMicroKernelTests
{
    private static readonly bool[] s_bools = [false, true];

    public static TheoryData<string> Variants() => [.. GemmCheck.SupportedVariants()];

    public static TheoryData<string, string> VariantsAndAccess()
    {
        var data = new TheoryData<string, string>();
        foreach (string v in GemmCheck.SupportedVariants())
            foreach (string access in new[] { nameof(GemmPath.PackedB), nameof(GemmPath.InPlaceB) })
                data.Add(v, access);
        return data;
    }

    private static int[] Around(int size, params int[] extra) =>
        [.. new[] { 1, size - 1, size, size + 1 }.Concat(extra).Where(s => s > 0).Distinct().Order()];

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_SizesAroundTheTile_EqualTheFmaChain(string variant, string access)
    {
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        var (mr, nr, _, _, _) = GemmKernel.BlockSizes(v);
        var rng = new Rng((ulong)(mr * 100 + nr));
        foreach (bool ta in s_bools)
            foreach (bool tb in s_bools)
                foreach (int m in Around(mr, 2 * mr + 1, 3 * mr + 2))
                    foreach (int n in Around(nr, 2 * nr + 3))
                        foreach (int k in new[] { 1, 2, 13 })
                            GemmCheck.Check(v, b, ta, tb, m, n, k, 1f, 0f, rng);
    }

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_KAroundTheKcBlock_EqualsTheFmaChain(string variant, string access)
    {
        // Past Kc the tile is written to C and read back for the next block: beta must apply once, to the first.
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        var (mr, nr, kc, _, _) = GemmKernel.BlockSizes(v);
        var rng = new Rng((ulong)kc);
        foreach (bool ta in s_bools)
            foreach (bool tb in s_bools)
                foreach (int k in new[] { kc - 1, kc, kc + 1, 2 * kc + 3 })
                    foreach (float beta in new[] { 0f, 1.5f })
                        GemmCheck.Check(v, b, ta, tb, mr + 3, nr + 5, k, 1f, beta, rng);
    }

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_MAroundTheMcBlock_EqualsTheFmaChain(string variant, string access)
    {
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        var (mr, nr, _, mc, _) = GemmKernel.BlockSizes(v);
        var rng = new Rng((ulong)mc);
        foreach (bool ta in s_bools)
            foreach (int m in new[] { mc - 1, mc, mc + 1, 2 * mc + mr + 1 })
                foreach (int threads in new[] { 1, 2 })
                    GemmCheck.Check(v, b, ta, false, m, nr + 3, 7, 1f, 0.5f, rng, threads);
    }

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_NAroundTheNcBlock_EqualsTheFmaChain(string variant, string access)
    {
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        var (_, nr, _, _, nc) = GemmKernel.BlockSizes(v);
        var rng = new Rng((ulong)nc);
        foreach (bool tb in s_bools)
            foreach (int n in new[] { nc - 1, nc + 1, nc + nr + 2 })
                GemmCheck.Check(v, b, false, tb, 3, n, 5, 1f, 0f, rng);
    }

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_AlphaBeta_EqualTheFmaChain(string variant, string access)
    {
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        var (mr, nr, _, _, _) = GemmKernel.BlockSizes(v);
        var rng = new Rng(21);
        foreach (var (alpha, beta) in new[] { (1f, 1f), (0.5f, -2f), (-1.5f, 0.25f), (0f, 1f), (2f, 0f), (0.1f, 0.3f) })
            foreach (bool ta in s_bools)
                foreach (bool tb in s_bools)
                    GemmCheck.Check(v, b, ta, tb, mr + 2, 2 * nr - 1, 29, alpha, beta, rng);
    }

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_OneTwoThreeThreads_BitIdentical(string variant, string access)
    {
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        // Split by rows (150 rows: at least four slivers per thread) and by columns (10 rows).
        foreach (var (m, n, k) in new[] { (150, 130, 70), (10, 1500, 80) })
        {
            float[] first = [];
            foreach (int threads in new[] { 1, 2, 3 })
            {
                var c = GemmCheck.Check(v, b, false, false, m, n, k, 1f, 0.5f, new Rng((ulong)(m + n)), threads);
                if (threads == 1) first = c;
                else AssertTensor.BitIdentical(first, c, $"{variant} (B {access}) {m}×{n}×{k} threads 1 vs {threads}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(VariantsAndAccess))]
    public void Variant_BetaZero_IgnoresNaNInCIncludingRaggedTiles(string variant, string access)
    {
        var v = Enum.Parse<GemmVariant>(variant);
        var b = Enum.Parse<GemmPath>(access);
        var (mr, nr, kc, _, _) = GemmKernel.BlockSizes(v);
        var rng = new Rng(22);
        int m = mr + 1, n = nr + 1;
        foreach (int k in new[] { 3, kc + 2 })
        {
            float[] a = GemmCheck.Random(rng, m * k), bm = GemmCheck.Random(rng, k * n);
            var c = new float[m * n];
            Array.Fill(c, float.NaN);
            GemmKernel.GemmOn(v, b, false, false, m, n, k, 1f, a, bm, 0f, c, 1);
            for (int i = 0; i < c.Length; i++)
                Assert.True(float.IsFinite(c[i]), $"{variant} (B {access}) k {k}: C{AssertTensor.MultiIndex(i, [m, n])} of ({m}, {n}) is {c[i]} after beta = 0 over a NaN-filled C.");
        }
    }

    [Fact]
    public void Best_IsSupportedAndAmongTheVariants()
    {
        Assert.True(GemmKernel.IsSupported(GemmKernel.Best), $"selected {GemmKernel.Best}");
        Assert.Contains(GemmKernel.Best.ToString(), GemmCheck.SupportedVariants());
        Assert.Contains(nameof(GemmVariant.Gemm4x4Scalar), GemmCheck.SupportedVariants());
    }
}
