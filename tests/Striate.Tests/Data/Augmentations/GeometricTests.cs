// Rotation, affine maps and elastic warps: identity maps are exact identities, a 90° rotation is
// np.rot90 (transpose + flip) within bilinear exactness, 180° flips both axes, whole-pixel shifts
// move pixels exactly, the displacement field has the documented smoothing, and every transform is
// deterministic under a seed.
using Striate.Data.Augmentations;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Data.Augmentations;

public class GeometricTests
{
    private static Tensor Image(int c, int h, int w, ulong seed = 1) => Tensor.Uniform(new Rng(seed), 0, 1, c, h, w);

    [Fact]
    public void Rotate90_IsTransposeThenVerticalFlip()
    {
        var x = Image(2, 6, 6);
        var y = Warp.Rotate(x, 90);
        // Counter-clockwise: y[c, i, j] = x[c, j, W − 1 − i] (np.rot90).
        var expected = new List<double>();
        for (int c = 0; c < 2; c++)
            for (int i = 0; i < 6; i++)
                for (int j = 0; j < 6; j++)
                    expected.Add(x[c, j, 5 - i]);
        AssertTensor.Close(y, [2, 6, 6], expected, new Tolerance(1e-12, 1e-12, "cos 90° ≈ 6e-17 moves the source point by ~1e-15"), "rotate 90°");
    }

    [Fact]
    public void RotateMinus90_AndOddSize_MatchRot90Clockwise()
    {
        var x = Image(1, 5, 5, seed: 4);
        var y = Warp.Rotate(x, -90);
        var expected = new List<double>();
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
                expected.Add(x[0, 4 - j, i]);
        AssertTensor.Close(y, [1, 5, 5], expected, new Tolerance(1e-12, 1e-12, "cos 90° ≈ 6e-17"), "rotate −90°");
    }

    [Fact]
    public void Rotate180_FlipsBothAxes_NonSquare()
    {
        var x = Image(3, 4, 7);
        var y = Warp.Rotate(x, 180);
        var expected = new List<double>();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 7; j++)
                    expected.Add(x[c, 3 - i, 6 - j]);
        AssertTensor.Close(y, [3, 4, 7], expected, new Tolerance(1e-12, 1e-12, "sin 180° ≈ 1e-16"), "rotate 180°");
    }

    [Fact]
    public void AffineIdentity_IsExactIdentity()
    {
        var x = Image(3, 7, 5);
        AssertTensor.BitIdentical(x.AsSpan(), Warp.Affine(x, 0).AsSpan(), "identity affine");
        AssertTensor.BitIdentical(x.AsSpan(), new RandomAffine(0).Apply(x, new Rng(1)).AsSpan(), "RandomAffine with no ranges");
        AssertTensor.BitIdentical(x.AsSpan(), new RandomRotation(0).Apply(x, new Rng(1)).AsSpan(), "RandomRotation(0)");
        Assert.Equal([1.0, 0, 0, 0, 1, 0], Warp.InverseAffineMatrix(7, 5, 0));
    }

    [Fact]
    public void Affine_WholePixelTranslation_ShiftsWithFill()
    {
        var x = FlipAndCropTests.Coded(1, 4, 5);
        var y = Warp.Affine(x, 0, translateX: 2, translateY: -1, fill: -1f);
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 5; j++)
            {
                int si = i + 1, sj = j - 2;
                float expected = si < 4 && sj >= 0 ? si * 10 + sj : -1f;
                Assert.Equal(expected, y[0, i, j]);
            }
    }

    [Fact]
    public void Affine_ScaleTwo_KeepsTheCentreAndSpreadsAroundIt()
    {
        // 5×5, centre (2, 2): output (i, j) reads (2 + (j − 2)/2, 2 + (i − 2)/2) for columns, rows.
        var x = FlipAndCropTests.Coded(1, 5, 5);
        var y = Warp.Affine(x, 0, scale: 2);
        Assert.Equal(22f, y[0, 2, 2]);
        Assert.Equal(21.5f, y[0, 2, 1], 5); // column 1.5
        Assert.Equal(11f, y[0, 0, 0], 5);   // (1, 1)
    }

    [Fact]
    public void InverseAffineMatrix_InvertsTheForwardMap()
    {
        // Forward: p' = s·R·ShX·ShY·p + t about the centre; map a point forward by hand and back with m.
        double deg = 23, s = 1.4, shx = 12, shy = -7, tx = 1.5, ty = -0.75;
        int h = 9, w = 6;
        double cx = 2.5, cy = 4, px = 1.2, py = -0.7; // a point relative to the centre
        double t = deg * Math.PI / 180, c = Math.Cos(t), sn = Math.Sin(t), a = Math.Tan(shx * Math.PI / 180), b = Math.Tan(shy * Math.PI / 180);
        double qx = px + a * (py + b * px), qy = py + b * px; // ShX·ShY·p
        double fx = s * (c * qx + sn * qy) + tx + cx, fy = s * (-sn * qx + c * qy) + ty + cy;
        var m = Warp.InverseAffineMatrix(h, w, deg, tx, ty, s, shx, shy);
        Assert.Equal(px + cx, m[0] * fx + m[1] * fy + m[2], 12);
        Assert.Equal(py + cy, m[3] * fx + m[4] * fy + m[5], 12);
    }

    [Fact]
    public void RandomRotation_DrawsOneAngleInRange_AndIsDeterministic()
    {
        var x = Image(1, 9, 9);
        var rotation = new RandomRotation(30);
        var twin = new Rng(5);
        double angle = -30 + 60 * twin.NextDouble();
        var expected = Warp.Rotate(x, angle);
        var rng = new Rng(5);
        var y = rotation.Apply(x, rng);
        AssertTensor.BitIdentical(expected.AsSpan(), y.AsSpan(), "the drawn angle");
        Assert.Equal(twin.NextUInt64(), rng.NextUInt64());
        Assert.Equal((10.0, 20.0), new RandomRotation((10, 20)).Degrees);
    }

    [Fact]
    public void RandomAffine_ParametersStayInTheirRanges()
    {
        var affine = new RandomAffine(15, translate: (0.1, 0.2), scale: (0.8, 1.2), shear: (10, 5));
        var rng = new Rng(8);
        for (int k = 0; k < 200; k++)
        {
            var p = affine.SampleParameters(20, 30, rng);
            Assert.InRange(p.Degrees, -15, 15);
            Assert.InRange(p.TranslateX, -3, 3);
            Assert.InRange(p.TranslateY, -4, 4);
            Assert.Equal(Math.Round(p.TranslateX), p.TranslateX);
            Assert.InRange(p.Scale, 0.8, 1.2);
            Assert.InRange(p.ShearX, -10, 10);
            Assert.InRange(p.ShearY, -5, 5);
        }
        var x = Image(2, 20, 30);
        AssertTensor.BitIdentical(affine.Apply(x, new Rng(3)).AsSpan(), affine.Apply(x, new Rng(3)).AsSpan(), "same seed");
    }

    [Fact]
    public void Elastic_ZeroAlpha_IsIdentity()
    {
        var x = Image(2, 8, 8);
        AssertTensor.BitIdentical(x.AsSpan(), new ElasticWarp(alpha: 0, sigma: 2).Apply(x, new Rng(1)).AsSpan(), "α = 0");
    }

    [Fact]
    public void Elastic_AppliesItsDisplacementField()
    {
        var x = Image(3, 12, 10);
        var elastic = new ElasticWarp(alpha: 8, sigma: 3);
        var (dx, dy) = elastic.DisplacementField(12, 10, new Rng(6));
        var expected = Warp.Displace(x, dx, dy);
        AssertTensor.BitIdentical(expected.AsSpan(), elastic.Apply(x, new Rng(6)).AsSpan(), "field then displace");
    }

    [Fact]
    public void Elastic_Field_IsTheScaledGaussianSmoothingOfUniformNoise()
    {
        var elastic = new ElasticWarp(alpha: 5, sigma: 1);
        Assert.Equal(4, elastic.Radius);
        var rng = new Rng(2);
        var raw = new float[6 * 7];
        rng.FillUniform(raw, -1, 1);
        var (dx, _) = elastic.DisplacementField(6, 7, new Rng(2));
        // Direct 2-D sum: dx[i, j] = α Σ_{a,b} g[a] g[b] raw[i + a, j + b] over the image (zero outside).
        double norm = Enumerable.Range(-4, 9).Sum(k => Math.Exp(-k * k / 2.0));
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 7; j++)
            {
                double sum = 0;
                for (int a = -4; a <= 4; a++)
                    for (int b = -4; b <= 4; b++)
                        if (i + a >= 0 && i + a < 6 && j + b >= 0 && j + b < 7)
                            sum += Math.Exp(-a * a / 2.0) * Math.Exp(-b * b / 2.0) / (norm * norm) * raw[(i + a) * 7 + j + b];
                Assert.Equal(5 * sum, dx[i * 7 + j], 5);
            }
        Assert.Equal(1.0, ElasticWarp.GaussianWeights(2.5f, 10).Sum(v => (double)v), 6);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("degrees", Assert.ThrowsAny<ArgumentException>(() => new RandomRotation(-1)).ParamName);
        Assert.Equal("degrees", Assert.ThrowsAny<ArgumentException>(() => new RandomRotation((10, -10))).ParamName);
        Assert.Equal("fill", Assert.ThrowsAny<ArgumentException>(() => new RandomRotation(5, float.NaN)).ParamName);
        Assert.Equal("degrees", Assert.ThrowsAny<ArgumentException>(() => new RandomAffine(double.NaN)).ParamName);
        Assert.Equal("translate", Assert.ThrowsAny<ArgumentException>(() => new RandomAffine(0, translate: (1.5, 0))).ParamName);
        Assert.Equal("scale", Assert.ThrowsAny<ArgumentException>(() => new RandomAffine(0, scale: (0, 1))).ParamName);
        Assert.Equal("shear", Assert.ThrowsAny<ArgumentException>(() => new RandomAffine(0, shear: (90, 0))).ParamName);
        Assert.Equal("alpha", Assert.ThrowsAny<ArgumentException>(() => new ElasticWarp(alpha: -1)).ParamName);
        Assert.Equal("sigma", Assert.ThrowsAny<ArgumentException>(() => new ElasticWarp(sigma: 0)).ParamName);
        Assert.Equal("scale", Assert.ThrowsAny<ArgumentException>(() => Warp.InverseAffineMatrix(3, 3, 0, scale: -1)).ParamName);
        Assert.Equal("shearXDegrees", Assert.ThrowsAny<ArgumentException>(() => Warp.InverseAffineMatrix(3, 3, 0, shearXDegrees: 95)).ParamName);
        Assert.Equal("image", Assert.ThrowsAny<ArgumentException>(() => Warp.Rotate(Tensor.Zeros(3, 3), 10)).ParamName);
        Assert.Equal("dx", Assert.ThrowsAny<ArgumentException>(() => Warp.Displace(Tensor.Zeros(1, 3, 3), new float[8], new float[9])).ParamName);
    }
}
