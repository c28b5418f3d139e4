// Crops (torchvision's RandomCrop, CenterCrop, RandomResizedCrop) and resizing:
//   RandomCrop:        x padded by p on every side with the border rule (zeros, reflect, replicate,
//                      circular), then y[c, r, s] = xpad[c, top + r, left + s] with top ~ U{0..H + 2p − h}
//                      and left ~ U{0..W + 2p − w} (two draws, top first); the padded image is never built:
//                      each output reads its source through the border rule (PadAxis.Source)
//   CenterCrop:        top = round((H − h)/2), left = round((W − w)/2), rounding half to even as Python does
//   RandomResizedCrop: a box of area s·H·W (s ~ U[scale]) and aspect ratio r (log r ~ U[log ratio]),
//                      w = round(√(s·H·W·r)), h = round(√(s·H·W / r)), placed uniformly; up to ten tries,
//                      then the central box of the closest allowed ratio (torchvision's get_params), and
//                      the box resized to the output size bilinearly
//   Resize:            bilinear resampling to (h, w)
// Bilinear resizing is PyTorch's F.interpolate(mode="bilinear", align_corners=False, antialias=False), done
// by UpsampleKernel: shrinking by more than 2× skips pixels rather than averaging them (no antialiasing).
using Striate.Kernels.Pad;
using Striate.Kernels.Resample;

namespace Striate.Data.Augmentations;

/// <summary>
/// Crops a random h×w window out of the image padded by <see cref="Padding"/> pixels on every side
/// (torchvision's <c>RandomCrop(size, padding, padding_mode)</c>): y[c, r, s] = xpad[c, top + r, left + s].
/// </summary>
public sealed class RandomCrop : ITransform
{
    /// <summary>Creates a square crop.</summary>
    /// <param name="size">Output height and width.</param>
    /// <param name="padding">Pixels added on each of the four sides before cropping (0: none).</param>
    /// <param name="padMode">How padded pixels are filled: <see cref="BorderMode.Constant"/> (with <paramref name="fill"/>, torchvision's default), Reflect, Replicate or Circular.</param>
    /// <param name="fill">The value of constant padding (0 by default).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive, <paramref name="padding"/> is negative, <paramref name="padMode"/> is undefined, or <paramref name="fill"/> is not finite.</exception>
    public RandomCrop(int size, int padding = 0, BorderMode padMode = BorderMode.Constant, float fill = 0f)
        : this((CheckSide(size, nameof(size)), size), padding, padMode, fill)
    {
    }

    /// <summary>Creates a crop of size.Height × size.Width (the square constructor with separate sides).</summary>
    /// <param name="size">Output (height, width).</param>
    /// <param name="padding">Pixels added on each of the four sides before cropping.</param>
    /// <param name="padMode">How padded pixels are filled.</param>
    /// <param name="fill">The value of constant padding.</param>
    /// <exception cref="ArgumentOutOfRangeException">A side of <paramref name="size"/> is not positive, <paramref name="padding"/> is negative, <paramref name="padMode"/> is undefined, or <paramref name="fill"/> is not finite.</exception>
    public RandomCrop((int Height, int Width) size, int padding = 0, BorderMode padMode = BorderMode.Constant, float fill = 0f)
    {
        CheckSide(size.Height, nameof(size));
        CheckSide(size.Width, nameof(size));
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        if (!Enum.IsDefined(padMode)) throw new ArgumentOutOfRangeException(nameof(padMode), padMode, $"Unknown padding mode {padMode}.");
        if (!float.IsFinite(fill)) throw new ArgumentOutOfRangeException(nameof(fill), fill, "The fill value must be finite.");
        (Height, Width, Padding, PadMode, Fill) = (size.Height, size.Width, padding, padMode, fill);
    }

    private static int CheckSide(int side, string name)
    {
        if (side < 1) throw new ArgumentOutOfRangeException(name, side, "Crop sides must be positive.");
        return side;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Pixels of padding on each side.</summary>
    public int Padding { get; }

    /// <summary>How padded pixels are filled.</summary>
    public BorderMode PadMode { get; }

    /// <summary>The value of constant padding.</summary>
    public float Fill { get; }

    /// <summary>(C, height, width).</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">
    /// Not a non-empty (C, H, W) shape; the crop is larger than the padded image (H + 2p, W + 2p); reflect padding
    /// is not smaller than H and W; circular padding exceeds H or W.
    /// </exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (c, h, w) = Images.Dims(inputShape, nameof(inputShape));
        if (Height > h + 2 * Padding || Width > w + 2 * Padding)
            throw new ArgumentException($"A {Height}×{Width} crop does not fit in a {h}×{w} image padded by {Padding} ({h + 2 * Padding}×{w + 2 * Padding}).", nameof(inputShape));
        int smaller = Math.Min(h, w);
        if (Padding > 0 && ((PadMode == BorderMode.Reflect && Padding >= smaller) || (PadMode == BorderMode.Circular && Padding > smaller)))
            throw new ArgumentException($"{PadMode} padding by {Padding} needs images larger than {Padding} pixels on each side; got {h}×{w}.", nameof(inputShape));
        return [c, Height, Width];
    }

    /// <summary>Draws top ∈ {0..H + 2p − h} then left ∈ {0..W + 2p − w}; y[c, r, s] = xpad[c, top + r, left + s].</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">Two integer draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The image does not suit the crop (see <see cref="OutputShape"/>).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        Images.Check(image, rng);
        OutputShape(image.Dims);
        int h = image.Dims[1], w = image.Dims[2];
        int top = rng.NextInt(h + 2 * Padding - Height + 1);
        int left = rng.NextInt(w + 2 * Padding - Width + 1);
        return CropAt(image, top, left);
    }

    /// <summary>The crop whose top-left corner is at (<paramref name="top"/>, <paramref name="left"/>) of the padded image: what <see cref="Apply"/> returns after its draws.</summary>
    /// <param name="image">(C, H, W).</param>
    /// <param name="top">Row of the padded image, 0 ≤ top ≤ H + 2p − height.</param>
    /// <param name="left">Column of the padded image, 0 ≤ left ≤ W + 2p − width.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> is null.</exception>
    /// <exception cref="ArgumentException">The image does not suit the crop.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="top"/> or <paramref name="left"/> puts the window outside the padded image.</exception>
    public Tensor CropAt(Tensor image, int top, int left)
    {
        ArgumentNullException.ThrowIfNull(image);
        var (c, _, _) = Images.Dims(image.Dims, nameof(image));
        OutputShape(image.Dims);
        int h = image.Dims[1], w = image.Dims[2];
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(top, h + 2 * Padding - Height);
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(left, w + 2 * Padding - Width);
        var rows = new PadAxis(h, Padding, Padding);
        var cols = new PadAxis(w, Padding, Padding);
        Span<int> colSource = Width <= 1024 ? stackalloc int[Width] : new int[Width];
        for (int s = 0; s < Width; s++) colSource[s] = cols.Source(left + s, PadMode);
        var y = Images.New(c, Height, Width);
        ReadOnlySpan<float> src = image.AsSpan();
        Span<float> dst = y.AsSpan();
        for (int ch = 0; ch < c; ch++)
            for (int r = 0; r < Height; r++)
            {
                int sr = rows.Source(top + r, PadMode);
                var d = dst.Slice((ch * Height + r) * Width, Width);
                if (sr < 0) { d.Fill(Fill); continue; }
                var row = src.Slice((ch * h + sr) * w, w);
                for (int s = 0; s < Width; s++) d[s] = colSource[s] < 0 ? Fill : row[colSource[s]];
            }
        return y;
    }

    /// <summary>E.g. <c>RandomCrop(size=(28, 28), padding=4, mode=Reflect)</c>.</summary>
    public override string ToString() => $"RandomCrop(size=({Height}, {Width}), padding={Padding}, mode={PadMode})";
}

/// <summary>Crops the central h×w window (torchvision's <c>CenterCrop</c>); deterministic.</summary>
public sealed class CenterCrop : ITransform
{
    /// <summary>Creates the crop.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width; <see langword="null"/> for a square crop of side <paramref name="height"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is not positive.</exception>
    public CenterCrop(int height, int? width = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (width is int wv) ArgumentOutOfRangeException.ThrowIfNegativeOrZero(wv, nameof(width));
        (Height, Width) = (height, width ?? height);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>(C, height, width).</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape, or the crop is larger than the image.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (c, h, w) = Images.Dims(inputShape, nameof(inputShape));
        if (Height > h || Width > w)
            throw new ArgumentException($"A {Height}×{Width} centre crop does not fit in a {h}×{w} image.", nameof(inputShape));
        return [c, Height, Width];
    }

    /// <summary>y[c, r, s] = x[c, top + r, left + s] with top = round((H − h)/2), left = round((W − w)/2) (half to even).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">Not drawn from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The crop is larger than the image, or it is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, h, w) = Images.Check(image, rng);
        OutputShape(image.Dims);
        int top = (int)Math.Round((h - Height) / 2.0), left = (int)Math.Round((w - Width) / 2.0);
        return Resampling.Crop(image, c, h, w, top, left, Height, Width);
    }

    /// <summary>E.g. <c>CenterCrop(size=(24, 24))</c>.</summary>
    public override string ToString() => $"CenterCrop(size=({Height}, {Width}))";
}

/// <summary>
/// Crops a box of random area and aspect ratio and resizes it bilinearly to a fixed size
/// (torchvision's <c>RandomResizedCrop(size, scale=(0.08, 1), ratio=(3/4, 4/3))</c>, the Inception crop).
/// </summary>
public sealed class RandomResizedCrop : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="size">Output height and width.</param>
    /// <param name="scale">Range of the box's area as a fraction of the image's, within (0, 1]; default (0.08, 1).</param>
    /// <param name="ratio">Range of the box's aspect ratio width/height, positive; default (3/4, 4/3).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive, <paramref name="scale"/> is not an interval within (0, 1], or <paramref name="ratio"/> is not a positive finite interval.</exception>
    public RandomResizedCrop(int size, (double Low, double High)? scale = null, (double Low, double High)? ratio = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var s = scale ?? (0.08, 1.0);
        var r = ratio ?? (3.0 / 4.0, 4.0 / 3.0);
        Images.CheckInterval(s, double.Epsilon, 1, nameof(scale));
        Images.CheckInterval(r, double.Epsilon, double.MaxValue, nameof(ratio));
        (Size, Scale, Ratio) = (size, s, r);
    }

    /// <summary>Output height and width.</summary>
    public int Size { get; }

    /// <summary>Range of the box's area fraction.</summary>
    public (double Low, double High) Scale { get; }

    /// <summary>Range of the box's aspect ratio (width / height).</summary>
    public (double Low, double High) Ratio { get; }

    /// <summary>(C, size, size).</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (c, _, _) = Images.Dims(inputShape, nameof(inputShape));
        return [c, Size, Size];
    }

    /// <summary>
    /// The box (top, left, height, width) for an H×W image: up to ten tries of two uniform draws (area fraction,
    /// log aspect ratio) and, for a box that fits, two integer draws (top, left); else the central fallback box.
    /// </summary>
    /// <param name="height">Image height H.</param>
    /// <param name="width">Image width W.</param>
    /// <param name="rng">The draws, in torchvision's order.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="height"/> or <paramref name="width"/> is not positive.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="rng"/> is null.</exception>
    public (int Top, int Left, int Height, int Width) SampleBox(int height, int width, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentNullException.ThrowIfNull(rng);
        double area = (double)height * width;
        double logLow = Math.Log(Ratio.Low), logHigh = Math.Log(Ratio.High);
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * Images.Uniform(rng, Scale.Low, Scale.High);
            double aspect = Math.Exp(Images.Uniform(rng, logLow, logHigh));
            int w = (int)Math.Round(Math.Sqrt(target * aspect));
            int h = (int)Math.Round(Math.Sqrt(target / aspect));
            if (w > 0 && w <= width && h > 0 && h <= height)
                return (rng.NextInt(height - h + 1), rng.NextInt(width - w + 1), h, w);
        }
        double inRatio = (double)width / height;
        int bw = width, bh = height;
        if (inRatio < Ratio.Low) bh = Math.Max(1, (int)Math.Round(bw / Ratio.Low));
        else if (inRatio > Ratio.High) bw = Math.Max(1, (int)Math.Round(bh * Ratio.High));
        return ((height - bh) / 2, (width - bw) / 2, bh, bw);
    }

    /// <summary>Draws a box (<see cref="SampleBox"/>) and resizes it to size×size bilinearly (align_corners=False).</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">The box's draws.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        var (c, h, w) = Images.Check(image, rng);
        var (top, left, bh, bw) = SampleBox(h, w, rng);
        var box = Resampling.Crop(image, c, h, w, top, left, bh, bw);
        return Resampling.Bilinear(box, Size, Size);
    }

    /// <summary>E.g. <c>RandomResizedCrop(size=24, scale=(0.08, 1), ratio=(0.75, 1.33333))</c>.</summary>
    public override string ToString() =>
        $"RandomResizedCrop(size={Size}, scale=({Images.F(Scale.Low)}, {Images.F(Scale.High)}), ratio=({Images.F(Ratio.Low)}, {Images.F(Ratio.High)}))";
}

/// <summary>Resizes the image to a fixed height×width by bilinear interpolation (align_corners=False, no antialiasing); deterministic.</summary>
/// <remarks>Unlike torchvision's <c>Resize(int)</c>, which scales the shorter side, both output sides are given.</remarks>
public sealed class Resize : ITransform
{
    /// <summary>Creates the transform.</summary>
    /// <param name="height">Output height.</param>
    /// <param name="width">Output width.</param>
    /// <exception cref="ArgumentOutOfRangeException">A side is not positive.</exception>
    public Resize(int height, int width)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        (Height, Width) = (height, width);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>(C, height, width).</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">Not a non-empty (C, H, W) shape.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        var (c, _, _) = Images.Dims(inputShape, nameof(inputShape));
        return [c, Height, Width];
    }

    /// <summary>y = bilinear resize of x to height×width: PyTorch's <c>F.interpolate(x, (h, w), mode="bilinear", align_corners=False)</c>.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">Not drawn from.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="image"/> is not (C, H, W).</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        Images.Check(image, rng);
        return Resampling.Bilinear(image, Height, Width);
    }

    /// <summary>E.g. <c>Resize(32, 32)</c>.</summary>
    public override string ToString() => $"Resize({Height}, {Width})";
}

/// <summary>Crop copies and bilinear resizing shared by the crop transforms and the image-folder dataset.</summary>
internal static class Resampling
{
    /// <summary>x[:, top:top + h, left:left + w] as a new (C, h, w) tensor; the window must lie inside the image.</summary>
    public static Tensor Crop(Tensor image, int c, int height, int width, int top, int left, int h, int w)
    {
        var y = Images.New(c, h, w);
        ReadOnlySpan<float> src = image.AsSpan();
        Span<float> dst = y.AsSpan();
        for (int ch = 0; ch < c; ch++)
            for (int r = 0; r < h; r++)
                src.Slice((ch * height + top + r) * width + left, w).CopyTo(dst.Slice((ch * h + r) * w, w));
        return y;
    }

    /// <summary>Bilinear resize of a (C, H, W) tensor to (C, outH, outW) with <see cref="UpsampleKernel"/> on one thread (callers parallelise over samples).</summary>
    public static Tensor Bilinear(Tensor image, int outH, int outW)
    {
        int c = image.Dims[0], h = image.Dims[1], w = image.Dims[2];
        if (h == outH && w == outW) return image.Clone();
        var y = Images.New(c, outH, outW);
        var g = new UpsampleGeometry(c, 1, h, w, 1, outH, outW, UpsampleInterpolation.Linear);
        UpsampleKernel.Forward(g, image.AsSpan(), y.AsSpan(), threads: 1);
        return y;
    }
}
