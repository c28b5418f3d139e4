// Rotation, scaling, translation and shearing about the image centre, by bilinear inverse mapping
// (WarpKernel). Coordinates: column u to the right, row v down, pixel centres at integers, centre
// (cx, cy) = ((W − 1)/2, (H − 1)/2). The forward map of a point p (relative to the centre) is
//   p' = A·p + t,   A = s · R(θ) · ShX(φx) · ShY(φy)
//   R(θ) = [[cos θ, sin θ], [−sin θ, cos θ]]   (positive θ turns the picture counter-clockwise on screen)
//   ShX(φ) = [[1, tan φ], [0, 1]],  ShY(φ) = [[1, 0], [tan φ, 1]]
// and each output pixel (j, i) reads the input at c + A⁻¹·((j, i) − c − t), interpolated bilinearly
// with `fill` outside. With θ = 0, t = 0, s = 1, φ = 0 the map is exactly the identity. At 90°, output
// (i, j) of an n×n image reads input (j, n − 1 − i) — np.rot90 — up to cos 90° ≈ 6e-17 in the
// coordinates, so values agree to ~1e-15.
// RandomRotation and RandomAffine follow torchvision's parameter ranges (angle ~ U[−d, d]; translation
// ~ U[−f·W, f·W] rounded to whole pixels; scale ~ U[min, max]; shear ~ U[−φ, φ]) with bilinear
// interpolation (torchvision defaults to nearest). Unlike torchvision's F.affine, whose angle turns
// clockwise, both use the counter-clockwise convention of F.rotate.
using Striate.Kernels.Resample;

namespace Striate.Data.Augmentations;

/// <summary>Deterministic geometric warps of (C, H, W) images (the building blocks of the random geometric transforms).</summary>
public static class Warp
{
    /// <summary>
    /// The inverse map m₀..m₅ (output pixel (j, i) → input point (u, v) = (m₀j + m₁i + m₂, m₃j + m₄i + m₅)) of the
    /// forward map p' = s·R(θ)·ShX(φx)·ShY(φy)·p + t about the centre of an H×W image (file header).
    /// </summary>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="degrees">Rotation θ in degrees, counter-clockwise on screen.</param>
    /// <param name="translateX">Translation t_x in pixels (to the right).</param>
    /// <param name="translateY">Translation t_y in pixels (down).</param>
    /// <param name="scale">Scale s &gt; 0.</param>
    /// <param name="shearXDegrees">Shear φx in degrees, parallel to the x axis, in (−90, 90).</param>
    /// <param name="shearYDegrees">Shear φy in degrees, parallel to the y axis, in (−90, 90).</param>
    /// <returns>Six coefficients.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, <paramref name="scale"/> is not positive, a shear is outside (−90, 90), or a value is not finite.</exception>
    public static double[] InverseAffineMatrix(int height, int width, double degrees, double translateX = 0, double translateY = 0,
        double scale = 1, double shearXDegrees = 0, double shearYDegrees = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        Finite(degrees, nameof(degrees));
        Finite(translateX, nameof(translateX));
        Finite(translateY, nameof(translateY));
        if (!(scale > 0 && double.IsFinite(scale))) throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale must be positive and finite.");
        if (!(Math.Abs(shearXDegrees) < 90)) throw new ArgumentOutOfRangeException(nameof(shearXDegrees), shearXDegrees, "A shear angle must be in (−90, 90) degrees.");
        if (!(Math.Abs(shearYDegrees) < 90)) throw new ArgumentOutOfRangeException(nameof(shearYDegrees), shearYDegrees, "A shear angle must be in (−90, 90) degrees.");

        double theta = degrees * Math.PI / 180, cos = Math.Cos(theta), sin = Math.Sin(theta);
        double tx = Math.Tan(shearXDegrees * Math.PI / 180), ty = Math.Tan(shearYDegrees * Math.PI / 180);
        // Sh = ShX·ShY = [[1 + tx·ty, tx], [ty, 1]];  A = s·R·Sh.
        double h00 = 1 + tx * ty, h01 = tx, h10 = ty, h11 = 1;
        double a00 = scale * (cos * h00 + sin * h10), a01 = scale * (cos * h01 + sin * h11);
        double a10 = scale * (-sin * h00 + cos * h10), a11 = scale * (-sin * h01 + cos * h11);
        double det = a00 * a11 - a01 * a10; // s² (rotations and shears have determinant 1)
        double b00 = a11 / det, b01 = -a01 / det, b10 = -a10 / det, b11 = a00 / det;
        double cx = (width - 1) * 0.5, cy = (height - 1) * 0.5;
        return
        [
            b00, b01, cx - b00 * (cx + translateX) - b01 * (cy + translateY),
            b10, b11, cy - b10 * (cx + translateX) - b11 * (cy + translateY),
        ];
    }

    /// <summary>Rotates the image by <paramref name="degrees"/> counter-clockwise about its centre (torchvision's <c>F.rotate</c> with bilinear interpolation).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="degrees">Angle θ in degrees.</param>
    /// <param name="fill">The value of pixels whose source lies outside the image.</param>
    /// <returns>(C, H, W): y[c, i, j] = bilinear(x[c], c + R(−θ)·((j, i) − c)).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W), or an angle or the fill is not finite.</exception>
    public static Tensor Rotate(Tensor image, double degrees, float fill = 0f) => Affine(image, degrees, fill: fill);

    /// <summary>Applies the affine map of <see cref="InverseAffineMatrix"/> about the image centre, bilinearly, with <paramref name="fill"/> outside.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="degrees">Rotation θ in degrees, counter-clockwise.</param>
    /// <param name="translateX">Translation in pixels to the right.</param>
    /// <param name="translateY">Translation in pixels down.</param>
    /// <param name="scale">Scale s &gt; 0 (above 1 enlarges).</param>
    /// <param name="shearXDegrees">Shear parallel to the x axis, in (−90, 90) degrees.</param>
    /// <param name="shearYDegrees">Shear parallel to the y axis, in (−90, 90) degrees.</param>
    /// <param name="fill">The value of pixels whose source lies outside the image.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W), or a parameter is out of range (see <see cref="InverseAffineMatrix"/>), or <paramref name="fill"/> is not finite.</exception>
    public static Tensor Affine(Tensor image, double degrees, double translateX = 0, double translateY = 0, double scale = 1,
        double shearXDegrees = 0, double shearYDegrees = 0, float fill = 0f)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (c, h, w) = Images.Dims(image.Dims, nameof(image));
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        var m = InverseAffineMatrix(h, w, degrees, translateX, translateY, scale, shearXDegrees, shearYDegrees);
        var y = Images.New(c, h, w);
        WarpKernel.Affine(new WarpGeometry(c, h, w, h, w), m, fill, image.AsSpan(), y.AsSpan(), threads: 1);
        return y;
    }

    /// <summary>Moves every pixel by a displacement field: y[c, i, j] = bilinear(x[c], j + dx[i, j], i + dy[i, j]).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="dx">Column displacements, H·W values row-major.</param>
    /// <param name="dy">Row displacements, H·W values row-major.</param>
    /// <param name="fill">The value of pixels whose source lies outside the image.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W), a field does not hold H·W values, or <paramref name="fill"/> is not finite.</exception>
    public static Tensor Displace(Tensor image, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, float fill = 0f)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (c, h, w) = Images.Dims(image.Dims, nameof(image));
        if (dx.Length != h * w) throw new ArgumentException($"The column displacement field holds {dx.Length} values; a {h}×{w} image needs {h * w}.", nameof(dx));
        if (dy.Length != h * w) throw new ArgumentException($"The row displacement field holds {dy.Length} values; a {h}×{w} image needs {h * w}.", nameof(dy));
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        var y = Images.New(c, h, w);
        WarpKernel.Displace(new WarpGeometry(c, h, w, h, w), dx, dy, fill, image.AsSpan(), y.AsSpan(), threads: 1);
        return y;
    }

    private static void Finite(double value, string name)
    {
        if (!double.IsFinite(value)) throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite.");
    }
}

/// <summary>Rotates the image by a random angle θ ~ U[min, max] degrees about its centre, bilinearly (torchvision's <c>RandomRotation</c>).</summary>
public sealed class RandomRotation : ITransform
{
    /// <summary>Creates the transform with angles in [−<paramref name="degrees"/>, <paramref name="degrees"/>].</summary>
    /// <param name="degrees">The largest angle in either direction, ≥ 0.</param>
    /// <param name="fill">The value of pixels rotated in from outside the image.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degrees"/> is negative or not finite, or <paramref name="fill"/> is not finite.</exception>
    public RandomRotation(double degrees, float fill = 0f)
        : this((-CheckDegrees(degrees), degrees), fill)
    {
    }

    /// <summary>Creates the transform with angles in [min, max] (the symmetric constructor with an explicit range).</summary>
    /// <param name="degrees">The angle range in degrees, min ≤ max, counter-clockwise positive.</param>
    /// <param name="fill">The value of pixels rotated in from outside the image.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="degrees"/> is not a finite interval, or <paramref name="fill"/> is not finite.</exception>
    public RandomRotation((double Min, double Max) degrees, float fill = 0f)
    {
        Images.CheckInterval(degrees, -1e6, 1e6, nameof(degrees));
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        (Degrees, Fill) = (degrees, fill);
    }

    private static double CheckDegrees(double degrees)
    {
        Images.CheckRange(degrees, 0, 1e6, nameof(degrees));
        return degrees;
    }

    /// <summary>The angle range in degrees.</summary>
    public (double Min, double Max) Degrees { get; }

    /// <summary>The value of pixels rotated in from outside.</summary>
    public float Fill { get; }

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        Images.Dims(inputShape, nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>Draws θ ~ U[min, max] (one draw) and returns <see cref="Warp.Rotate"/>(image, θ, fill).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">One uniform draw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        Images.Check(image, rng);
        return Warp.Rotate(image, Images.Uniform(rng, Degrees.Min, Degrees.Max), Fill);
    }

    /// <summary>E.g. <c>RandomRotation(degrees=(-15, 15))</c>.</summary>
    public override string ToString() => $"RandomRotation(degrees=({Images.F(Degrees.Min)}, {Images.F(Degrees.Max)}){(Fill != 0 ? $", fill={Images.F(Fill)}" : "")})";
}

/// <summary>
/// A random affine map about the image centre: rotation, translation, scaling and shearing
/// (torchvision's <c>RandomAffine(degrees, translate, scale, shear)</c>), bilinear.
/// </summary>
public sealed class RandomAffine : ITransform
{
    /// <summary>Creates the transform; every range not given leaves that part of the map at identity.</summary>
    /// <param name="degrees">Rotation θ ~ U[−degrees, degrees], ≥ 0.</param>
    /// <param name="translate">Largest shift as a fraction of the width and height: t_x ~ U[−X·W, X·W] and t_y ~ U[−Y·H, Y·H], rounded to whole pixels; each in [0, 1].</param>
    /// <param name="scale">Scale s ~ U[Min, Max], 0 &lt; Min ≤ Max.</param>
    /// <param name="shear">Shear angles φx ~ U[−X, X] and φy ~ U[−Y, Y] in degrees, each in [0, 90).</param>
    /// <param name="fill">The value of pixels mapped in from outside the image.</param>
    /// <exception cref="ArgumentOutOfRangeException">A parameter is outside its range or not finite.</exception>
    public RandomAffine(double degrees, (double X, double Y)? translate = null, (double Min, double Max)? scale = null,
        (double X, double Y)? shear = null, float fill = 0f)
    {
        Images.CheckRange(degrees, 0, 1e6, nameof(degrees));
        var t = translate ?? (0, 0);
        if (!(t.X >= 0 && t.X <= 1 && t.Y >= 0 && t.Y <= 1))
            throw new ArgumentOutOfRangeException(nameof(translate), translate, "Translation fractions must be in [0, 1].");
        var s = scale ?? (1, 1);
        if (!(s.Min > 0 && s.Min <= s.Max && double.IsFinite(s.Max)))
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "The scale range needs 0 < min ≤ max, finite.");
        var sh = shear ?? (0, 0);
        if (!(sh.X >= 0 && sh.X < 90 && sh.Y >= 0 && sh.Y < 90))
            throw new ArgumentOutOfRangeException(nameof(shear), shear, "Shear angles must be in [0, 90) degrees.");
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        (Degrees, Translate, Scale, Shear, Fill) = (degrees, t, s, sh, fill);
    }

    /// <summary>The largest rotation in either direction, in degrees.</summary>
    public double Degrees { get; }

    /// <summary>The largest shift as fractions of width and height.</summary>
    public (double X, double Y) Translate { get; }

    /// <summary>The scale range.</summary>
    public (double Min, double Max) Scale { get; }

    /// <summary>The largest shear angles, in degrees.</summary>
    public (double X, double Y) Shear { get; }

    /// <summary>The value of pixels mapped in from outside.</summary>
    public float Fill { get; }

    /// <summary>The input shape (C, H, W) unchanged.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        Images.Dims(inputShape, nameof(inputShape));
        return inputShape.ToArray();
    }

    /// <summary>
    /// The map's parameters for an H×W image from six uniform draws in this order: θ, t_x, t_y (each rounded to a
    /// whole pixel), s, φx, φy.
    /// </summary>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="rng">Six draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public (double Degrees, double TranslateX, double TranslateY, double Scale, double ShearX, double ShearY) SampleParameters(int height, int width, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        double angle = Images.Uniform(rng, -Degrees, Degrees);
        double tx = Math.Round(Images.Uniform(rng, -Translate.X * width, Translate.X * width));
        double ty = Math.Round(Images.Uniform(rng, -Translate.Y * height, Translate.Y * height));
        double s = Images.Uniform(rng, Scale.Min, Scale.Max);
        double shx = Images.Uniform(rng, -Shear.X, Shear.X);
        double shy = Images.Uniform(rng, -Shear.Y, Shear.Y);
        return (angle, tx, ty, s, shx, shy);
    }

    /// <summary>Draws the parameters (<see cref="SampleParameters"/>) and returns <see cref="Warp.Affine"/> of the image with them.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">Six uniform draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (_, h, w) = Images.Check(image, rng);
        var p = SampleParameters(h, w, rng);
        return Warp.Affine(image, p.Degrees, p.TranslateX, p.TranslateY, p.Scale, p.ShearX, p.ShearY, Fill);
    }

    /// <summary>E.g. <c>RandomAffine(degrees=10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=(5, 0))</c>.</summary>
    public override string ToString() =>
        $"RandomAffine(degrees={Images.F(Degrees)}, translate=({Images.F(Translate.X)}, {Images.F(Translate.Y)}), " +
        $"scale=({Images.F(Scale.Min)}, {Images.F(Scale.Max)}), shear=({Images.F(Shear.X)}, {Images.F(Shear.Y)}))";
}
