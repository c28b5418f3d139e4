// Synthetic datasets: deterministic under a seed, balanced classes, values in range, and the
// geometry each generator documents: shape masks match the shape formulas and their boxes, signals
// follow their waveform, volumes hold their solid, videos move one way at constant speed.
using Striate.Data;
using Striate.Data.Synthetic;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Synthetic;

public class SyntheticTests
{
    [Fact]
    public void Shapes_SameSeed_SameData_DifferentSeed_Different()
    {
        var a = SyntheticShapes.Generate(12, new Rng(3));
        var b = SyntheticShapes.Generate(12, new Rng(3));
        var c = SyntheticShapes.Generate(12, new Rng(4));
        AssertTensor.BitIdentical(a.Images.AsSpan(), b.Images.AsSpan(), "same seed");
        Assert.Equal(a.SegmentationLabels, b.SegmentationLabels);
        Assert.NotEqual(a.Images.ToArray(), c.Images.ToArray());
    }

    [Fact]
    public void Shapes_MasksBoxesAndLabels_AreConsistent()
    {
        var d = SyntheticShapes.Generate(30, new Rng(1), new ShapesOptions { Size = 24, Channels = 3, MinRadius = 2, MaxRadius = 8, Noise = 0.05f });
        Assert.Equal([30, 3, 24, 24], d.Images.Shape);
        Assert.Equal([30, 1, 24, 24], d.Masks.Shape);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => i % 3), d.Labels);
        Assert.All(d.Images.ToArray(), v => Assert.InRange(v, 0f, 1f));
        for (int n = 0; n < 30; n++)
        {
            int xMin = (int)d.Boxes[n, 0], yMin = (int)d.Boxes[n, 1], xMax = (int)d.Boxes[n, 2], yMax = (int)d.Boxes[n, 3];
            int w = xMax - xMin, h = yMax - yMin;
            // Every shape spans 2r + 1 pixels in both directions (the triangle's apex and base row included).
            Assert.Equal(w, h);
            Assert.InRange(w, 4, 16);
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 24; x++)
                {
                    bool on = d.Masks[n, 0, y, x] == 1f;
                    Assert.Equal(on ? d.Labels[n] + 1 : 0, d.SegmentationLabels[n * 576 + y * 24 + x]);
                    if (on) Assert.True(x >= xMin && x <= xMax && y >= yMin && y <= yMax);
                    // Shape pixels are brighter than any background pixel in every channel.
                    for (int c = 0; c < 3; c++) Assert.True(on ? d.Images[n, c, y, x] >= 0.6f : d.Images[n, c, y, x] < 0.05f);
                }
            int area = (int)d.Masks.ToArray().Skip(n * 576).Take(576).Sum();
            int r = w / 2;
            int expected = d.Labels[n] switch { 0 => CircleArea(r), 1 => (2 * r + 1) * (2 * r + 1), _ => TriangleArea(r) };
            Assert.Equal(expected, area);
        }
        var classification = d.ToClassification();
        Assert.Equal("triangle", classification.ClassNames[2]);
    }

    private static int CircleArea(int r) => Enumerable.Range(-r, 2 * r + 1).Sum(dy => Enumerable.Range(-r, 2 * r + 1).Count(dx => dx * dx + dy * dy <= r * r));

    private static int TriangleArea(int r) => Enumerable.Range(-r, 2 * r + 1).Sum(dy => Enumerable.Range(-r, 2 * r + 1).Count(dx => 2 * Math.Abs(dx) <= dy + r));

    [Fact]
    public void Signals_FollowTheirWaveform()
    {
        var noiseless = SyntheticSignals.Generate(8, 64, new Rng(2), noise: 0f);
        Assert.Equal([8, 1, 64], noiseless.Images.Shape);
        Assert.Equal([0, 1, 2, 3, 0, 1, 2, 3], noiseless.Labels.ToArray());
        for (int n = 0; n < 8; n++)
        {
            var x = noiseless.GetImage(n).ToArray();
            float peak = x.Max(v => Math.Abs(v));
            Assert.InRange(peak, 0.3f, 1f);
            if (n % 4 == 1) Assert.All(x, v => Assert.Equal(peak, Math.Abs(v), 5)); // square: ±A only
        }
        // Same draws → the same waveform parameters: the noisy version is the noiseless one plus noise.
        var noisy = SyntheticSignals.Generate(8, 64, new Rng(2), noise: 0.1f);
        double diff = noisy.Images.ToArray().Zip(noiseless.Images.ToArray(), (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(diff, 0.05, 0.6);
        Assert.Equal(0.0, SyntheticSignals.Wave(2, 0.5), 12);
        Assert.Equal(1.0, SyntheticSignals.Wave(3, 0.5), 12);
    }

    [Fact]
    public void Volumes_HoldTheirSolid()
    {
        var v = SyntheticVolumes.Generate(6, 9, new Rng(5), noise: 0f);
        Assert.Equal([6, 1, 9, 9, 9], v.Images.Shape);
        for (int n = 0; n < 6; n++)
        {
            var x = v.GetImage(n).ToArray();
            int count = x.Count(a => a > 0);
            Assert.True(count > 0);
            float a = x.Max();
            Assert.All(x, value => Assert.True(value == 0 || value == a));
        }
        AssertTensor.BitIdentical(v.Images.AsSpan(), SyntheticVolumes.Generate(6, 9, new Rng(5), noise: 0f).Images.AsSpan(), "same seed");
    }

    [Fact]
    public void MovingShapes_MoveOneWayAtConstantSpeed()
    {
        var videos = MovingShapes.Generate(8, 5, 16, new Rng(7), maxRadius: 2, maxSpeed: 2, noise: 0f);
        Assert.Equal([8, 1, 5, 16, 16], videos.Images.Shape);
        for (int n = 0; n < 8; n++)
        {
            var centres = new List<(double X, double Y)>();
            for (int t = 0; t < 5; t++)
            {
                double sx = 0, sy = 0, m = 0;
                for (int y = 0; y < 16; y++)
                    for (int x = 0; x < 16; x++)
                    {
                        float p = videos.Images[n, 0, t, y, x];
                        if (p > 0) { sx += x; sy += y; m++; }
                    }
                Assert.True(m > 0, $"video {n} frame {t} lost its shape");
                centres.Add((sx / m, sy / m));
            }
            double dx = centres[1].X - centres[0].X, dy = centres[1].Y - centres[0].Y;
            for (int t = 1; t < 5; t++)
            {
                Assert.Equal(dx, centres[t].X - centres[t - 1].X, 9);
                Assert.Equal(dy, centres[t].Y - centres[t - 1].Y, 9);
            }
            var (ex, ey) = (n % 4) switch { 0 => (1, 0), 1 => (-1, 0), 2 => (0, 1), _ => (0, -1) };
            Assert.True(Math.Sign(dx) == ex && Math.Sign(dy) == ey, $"video {n}: moved ({dx}, {dy}), class {MovingShapes.ClassNames[n % 4]}");
        }
    }

    [Fact]
    public void Synthetic_FeedADataLoader()
    {
        var loader = new DataLoader(MovingShapes.Generate(6, 4, 12, new Rng(1)), batchSize: 4, shuffle: true, rng: new Rng(2));
        Assert.Equal([4, 1, 4, 12, 12], loader.First().Images.Shape);
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Equal("count", Assert.ThrowsAny<ArgumentException>(() => SyntheticShapes.Generate(0, new Rng(1))).ParamName);
        Assert.Equal("options", Assert.ThrowsAny<ArgumentException>(() => SyntheticShapes.Generate(1, new Rng(1), new ShapesOptions { Size = 8, MaxRadius = 4 })).ParamName);
        Assert.Equal("options", Assert.ThrowsAny<ArgumentException>(() => SyntheticShapes.Generate(1, new Rng(1), new ShapesOptions { Channels = 2 })).ParamName);
        Assert.Equal("length", Assert.ThrowsAny<ArgumentException>(() => SyntheticSignals.Generate(1, 3, new Rng(1))).ParamName);
        Assert.Equal("maxCycles", Assert.ThrowsAny<ArgumentException>(() => SyntheticSignals.Generate(1, 16, new Rng(1), maxCycles: 5)).ParamName);
        Assert.Equal("noise", Assert.ThrowsAny<ArgumentException>(() => SyntheticSignals.Generate(1, 16, new Rng(1), noise: -1)).ParamName);
        Assert.Equal("size", Assert.ThrowsAny<ArgumentException>(() => SyntheticVolumes.Generate(1, 4, new Rng(1))).ParamName);
        Assert.Equal("maxRadius", Assert.ThrowsAny<ArgumentException>(() => SyntheticVolumes.Generate(1, 9, new Rng(1), maxRadius: 5)).ParamName);
        Assert.Equal("size", Assert.ThrowsAny<ArgumentException>(() => MovingShapes.Generate(1, 10, 8, new Rng(1))).ParamName);
        Assert.Equal("rng", Assert.Throws<ArgumentNullException>(() => MovingShapes.Generate(1, 2, 8, null!)).ParamName);
    }
}
