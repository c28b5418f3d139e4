// Rng: reproducibility, pinned sequences from an independent implementation of the published
// algorithms, and statistical sanity of the derived distributions.
using Striate.Tests.TestSupport;

namespace Striate.Tests.Tensors;

public class RngTests
{
    [Fact]
    public void SameSeed_SameSequence()
    {
        var a = new Rng(123);
        var b = new Rng(123);
        for (int i = 0; i < 1000; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());
    }

    [Fact]
    public void DifferentSeeds_DifferentSequences()
    {
        Assert.NotEqual(new Rng(1).NextUInt64(), new Rng(2).NextUInt64());
    }

    // Pinned values: xoshiro256** (Blackman & Vigna) seeded with four SplitMix64 outputs, computed
    // by an independent Python transcription of the reference C code, not by Striate. The seed-0
    // value is the well-known first output of that seeding. These values must never change:
    // saved experiments and tests depend on the sequence.
    [Theory]
    [InlineData(0UL, 0x99ec5f36cb75f2b4UL, 0xbf6e1f784956452aUL, 0x1a5f849d4933e6e0UL, 0x6aa594f1262d2d2cUL)]
    [InlineData(42UL, 0x15780b2e0c2ec716UL, 0x6104d9866d113a7eUL, 0xae17533239e499a1UL, 0xecb8ad4703b360a1UL)]
    public void NextUInt64_KnownFirstValues(ulong seed, ulong v0, ulong v1, ulong v2, ulong v3)
    {
        var rng = new Rng(seed);
        Assert.Equal([v0, v1, v2, v3], new[] { rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64(), rng.NextUInt64() });
    }

    [Fact]
    public void NextDoubleAndNextSingle_KnownFirstValues()
    {
        // The top 53 (double) or 24 (float) bits of the pinned seed-42 outputs, scaled to [0, 1).
        var d = new Rng(42);
        Assert.Equal([0.08386297105988216, 0.3789802506626686, 0.6800434110281394], new[] { d.NextDouble(), d.NextDouble(), d.NextDouble() });
        var s = new Rng(42);
        Assert.Equal([0.08386296033859253f, 0.37898021936416626f, 0.6800433993339539f], new[] { s.NextSingle(), s.NextSingle(), s.NextSingle() });
    }

    [Fact]
    public void NextInt_KnownFirstValues()
    {
        // Lemire's multiply-shift on the top 32 bits of the seed-42 outputs (same Python transcription).
        var rng = new Rng(42);
        var values = new int[10];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextInt(10);
        Assert.Equal([0, 3, 6, 9, 9, 7, 7, 8, 7, 5], values);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(1000)]
    [InlineData(int.MaxValue)]
    public void NextInt_StaysInRange(int maxExclusive)
    {
        var rng = new Rng(5);
        for (int i = 0; i < 10_000; i++) Assert.InRange(rng.NextInt(maxExclusive), 0, maxExclusive - 1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void NextInt_NonPositive_ThrowsNamingParameter(int maxExclusive)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Rng(1).NextInt(maxExclusive));
        Assert.Equal("maxExclusive", e.ParamName);
    }

    [Fact]
    public void NextInt_IsRoughlyUniform()
    {
        const int Buckets = 10, Samples = 100_000;
        var rng = new Rng(99);
        var counts = new int[Buckets];
        for (int i = 0; i < Samples; i++) counts[rng.NextInt(Buckets)]++;
        double expected = (double)Samples / Buckets;
        double chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        Assert.True(chiSquare < Tolerances.ChiSquare9Bound,
            $"χ² = {chiSquare:F2} ≥ {Tolerances.ChiSquare9Bound} for counts [{string.Join(", ", counts)}].");
    }

    [Fact]
    public void NextDouble_InUnitInterval()
    {
        var rng = new Rng(6);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.InRange(rng.NextDouble(), 0.0, Math.BitDecrement(1.0));
            Assert.InRange(rng.NextSingle(), 0f, MathF.BitDecrement(1f));
        }
    }

    [Fact]
    public void FillNormal_100kSamples_MeanAndStdWithinFiveStandardErrors()
    {
        var values = new float[100_000];
        new Rng(2024).FillNormal(values, 0f, 1f);
        double mean = values.Average(v => (double)v);
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        Assert.True(Math.Abs(mean) < Tolerances.NormalMeanBound, $"mean {mean:G5} not within ±{Tolerances.NormalMeanBound}.");
        Assert.True(Math.Abs(std - 1) < Tolerances.NormalStdBound, $"std {std:G5} not within 1 ± {Tolerances.NormalStdBound}.");
        Assert.All(values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void FillNormal_ScalesByMeanAndStd()
    {
        var unit = new float[101];
        var scaled = new float[101];
        new Rng(3).FillNormal(unit, 0f, 1f);
        new Rng(3).FillNormal(scaled, 5f, 2f);
        for (int i = 0; i < unit.Length; i++) Assert.Equal(5f + 2f * unit[i], scaled[i], 4);
    }

    [Fact]
    public void FillUniform_StaysInRange()
    {
        var values = new float[10_000];
        new Rng(4).FillUniform(values, -3f, 2f);
        Assert.All(values, v => Assert.InRange(v, -3f, 2f));
        Assert.True(values.Min() < -2.9f && values.Max() > 1.9f, "10,000 uniform samples should reach both ends of the range.");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(17)]
    [InlineData(1000)]
    public void Permutation_IsAPermutation(int count)
    {
        var p = new Rng(8).Permutation(count);
        Assert.Equal(count, p.Length);
        Assert.Equal(Enumerable.Range(0, count), p.Order());
    }

    [Fact]
    public void Permutation_ActuallyShuffles()
    {
        var p = new Rng(8).Permutation(1000);
        int fixedPoints = p.Where((v, i) => v == i).Count();
        Assert.True(fixedPoints < 10, $"{fixedPoints} of 1000 elements stayed in place (expected about 1).");
    }

    [Fact]
    public void Fork_IsReproducibleAndIndependentOfParent()
    {
        var a = new Rng(10);
        var b = new Rng(10);
        var fa = a.Fork();
        var fb = b.Fork();
        Assert.Equal(fa.NextUInt64(), fb.NextUInt64());
        Assert.NotEqual(a.NextUInt64(), fa.NextUInt64());
    }
}
