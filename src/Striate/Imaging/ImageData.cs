// A decoded raster image: Width × Height pixels of 1–4 interleaved channels (grey, grey+alpha,
// RGB, RGBA), 8 bits per sample, plus the full 16-bit samples when it was decoded from a 16-bit
// file. Converts to and from (C, H, W) tensors in [0, 1]:
//   tensor[c, y, x] = Pixels[(y·W + x)·C + c] / 255      (or Samples16[…] / 65535 for 16-bit images)
//   Pixels[(y·W + x)·C + c] = round(clamp(tensor[c, y, x], 0, 1) · 255)
namespace Striate.Imaging;

/// <summary>
/// A raster image held as interleaved samples, row by row from the top: sample <c>c</c> of the pixel
/// at column <c>x</c> and row <c>y</c> is <c>Pixels[(y·Width + x)·Channels + c]</c>.
/// </summary>
public sealed class ImageData
{
    private readonly byte[] _pixels;
    private readonly ushort[]? _samples16;

    /// <summary>Wraps 8-bit interleaved samples (the array is used as is, not copied).</summary>
    /// <param name="width">Pixels per row, at least 1.</param>
    /// <param name="height">Rows, at least 1.</param>
    /// <param name="channels">1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.</param>
    /// <param name="pixels">width·height·channels samples, row-major, channels interleaved.</param>
    /// <exception cref="ArgumentOutOfRangeException">width or height is not positive, or channels is not 1–4.</exception>
    /// <exception cref="ArgumentException"><paramref name="pixels"/> does not hold width·height·channels samples.</exception>
    public ImageData(int width, int height, int channels, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        Check(width, height, channels, pixels.Length);
        Width = width;
        Height = height;
        Channels = channels;
        _pixels = pixels;
    }

    /// <summary>A 16-bit image: the 16-bit samples and their 8-bit roundings (made by the decoder, which has checked the sizes).</summary>
    internal ImageData(int width, int height, int channels, byte[] pixels, ushort[] samples16)
    {
        Check(width, height, channels, pixels.Length);
        if (samples16.Length != pixels.Length) throw new ArgumentException("The 16-bit samples and the 8-bit pixels differ in length.", nameof(samples16));
        Width = width;
        Height = height;
        Channels = channels;
        _pixels = pixels;
        _samples16 = samples16;
    }

    private static void Check(int width, int height, int channels, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 4);
        if ((long)width * height * channels != length)
            throw new ArgumentException($"A {width}×{height} image with {channels} channel(s) holds {(long)width * height * channels} samples, but {length} were given.", "pixels");
    }

    /// <summary>Pixels per row.</summary>
    public int Width { get; }

    /// <summary>Number of rows.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>8 for ordinary images, 16 when the full 16-bit samples are available in <see cref="Samples16"/>.</summary>
    public int BitDepth => _samples16 is null ? 8 : 16;

    /// <summary>The 8-bit samples, interleaved, row-major (for a 16-bit image: each sample rounded, round(v·255/65535)).</summary>
    public byte[] Pixels => _pixels;

    /// <summary>The 16-bit samples of an image decoded from a 16-bit file, laid out like <see cref="Pixels"/>; null otherwise.</summary>
    public ReadOnlySpan<ushort> Samples16 => _samples16;

    /// <summary>Whether <see cref="Samples16"/> holds the image's 16-bit samples.</summary>
    public bool HasSamples16 => _samples16 is not null;

    /// <summary>The 8-bit sample of channel <paramref name="channel"/> at column <paramref name="x"/>, row <paramref name="y"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A coordinate or the channel is outside the image.</exception>
    public byte this[int y, int x, int channel]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)y, (uint)Height, nameof(y));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)x, (uint)Width, nameof(x));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)channel, (uint)Channels, nameof(channel));
            return _pixels[((long)y * Width + x) * Channels + channel];
        }
    }

    /// <summary>
    /// The image as a (C, H, W) tensor in [0, 1]: tensor[c, y, x] = sample / 255, or sample / 65535
    /// for a 16-bit image (full precision).
    /// </summary>
    public Tensor ToTensor()
    {
        int plane = Width * Height;
        var data = new float[plane * Channels];
        for (int i = 0; i < plane; i++)
            for (int c = 0; c < Channels; c++)
            {
                int s = i * Channels + c;
                data[c * plane + i] = _samples16 is null ? _pixels[s] / 255f : _samples16[s] / 65535f;
            }
        return Tensor.Wrap(data, [Channels, Height, Width]);
    }

    /// <summary>
    /// An 8-bit image from a (C, H, W) tensor with C = 1–4 or an (H, W) tensor (grey), values in [0, 1]:
    /// sample = round(clamp(v, 0, 1) · 255). Values outside [0, 1] are clipped.
    /// </summary>
    /// <param name="image">(C, H, W) with C in 1–4, or (H, W).</param>
    /// <exception cref="ArgumentException">The tensor is not (H, W) or (C, H, W) with 1–4 channels and a positive size, or holds NaN.</exception>
    public static ImageData FromTensor(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        int channels, height, width;
        if (image.Rank == 2) (channels, height, width) = (1, image.Dims[0], image.Dims[1]);
        else if (image.Rank == 3) (channels, height, width) = (image.Dims[0], image.Dims[1], image.Dims[2]);
        else throw new ArgumentException($"An image tensor is (H, W) or (C, H, W); got shape {Tensor.ShapeText(image.Dims)}.", nameof(image));
        if (channels is < 1 or > 4 || height < 1 || width < 1)
            throw new ArgumentException($"An image tensor needs 1–4 channels and a positive height and width; got shape {Tensor.ShapeText(image.Dims)}.", nameof(image));
        int plane = width * height;
        var pixels = new byte[plane * channels];
        var src = image.AsSpan();
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++)
            {
                float v = src[c * plane + i];
                if (float.IsNaN(v))
                    throw new ArgumentException($"The image tensor holds NaN at channel {c}, row {i / width}, column {i % width}.", nameof(image));
                pixels[i * channels + c] = (byte)MathF.Round(Math.Clamp(v, 0f, 1f) * 255f);
            }
        return new ImageData(width, height, channels, pixels);
    }
}
