// Per-sample data transforms (torchvision.transforms), composable and with explicit randomness:
//   image: (C, H, W) float32, usually in [0, 1] before Normalize   →   output: OutputShape((C, H, W))
// Every random choice is drawn from the Rng passed to Apply, in a fixed order, so the same Rng state
// gives the same output. Transforms hold configuration only: one instance may be applied to many
// samples at once from several threads, each with its own Rng.
//
// The DataLoader derives each sample's Rng from (an epoch seed, the sample's position in the epoch)
// with Transforms.SampleRng, so augmentation does not depend on prefetching or thread count.
using System.Globalization;

namespace Striate.Data.Augmentations;

/// <summary>
/// A per-sample transform of a (C, H, W) image: a data augmentation (random flips, crops, warps, colour
/// changes) or a deterministic step (normalization). The input is never modified and the operation is
/// not recorded by autograd.
/// </summary>
/// <remarks>
/// Implementations keep no mutable state: every random choice comes from the <see cref="Rng"/> given to
/// <see cref="Apply"/>, so an instance can serve several threads at once, each with its own generator.
/// </remarks>
public interface ITransform
{
    /// <summary>The shape of <see cref="Apply"/>'s result for an input of shape <paramref name="inputShape"/>.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <returns>The output shape, e.g. (C, size, size) for a crop.</returns>
    /// <exception cref="ArgumentException">The transform cannot apply to images of this shape (wrong rank, too small, wrong channel count).</exception>
    int[] OutputShape(ReadOnlySpan<int> inputShape);

    /// <summary>Transforms one image, drawing its random choices from <paramref name="rng"/>.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">The source of every random choice.</param>
    /// <returns>A new tensor of shape <see cref="OutputShape"/>(image shape).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">The image's shape does not suit the transform (see <see cref="OutputShape"/>).</exception>
    Tensor Apply(Tensor image, Rng rng);
}

/// <summary>Applies transforms one after another (torchvision's <c>Compose</c>), all drawing from the same Rng.</summary>
public sealed class Compose : ITransform
{
    private readonly ITransform[] _transforms;

    /// <summary>Chains <paramref name="transforms"/>: y = t_k(… t_2(t_1(x))).</summary>
    /// <param name="transforms">The steps, applied first to last.</param>
    /// <exception cref="ArgumentNullException"><paramref name="transforms"/> or one of its elements is null.</exception>
    public Compose(params ITransform[] transforms)
    {
        ArgumentNullException.ThrowIfNull(transforms);
        for (int i = 0; i < transforms.Length; i++)
            if (transforms[i] is null) throw new ArgumentNullException(nameof(transforms), $"Transform {i} of the composition is null.");
        _transforms = (ITransform[])transforms.Clone();
    }

    /// <summary>The steps, in the order they are applied.</summary>
    public IReadOnlyList<ITransform> Transforms => _transforms;

    /// <summary>The shape after every step: the steps' <see cref="ITransform.OutputShape"/> chained.</summary>
    /// <param name="inputShape">(C, H, W).</param>
    /// <exception cref="ArgumentException">A step cannot apply to the shape it receives; the message names the step.</exception>
    public int[] OutputShape(ReadOnlySpan<int> inputShape)
    {
        int[] shape = inputShape.ToArray();
        for (int i = 0; i < _transforms.Length; i++)
        {
            try
            {
                shape = _transforms[i].OutputShape(shape);
            }
            catch (ArgumentException e)
            {
                throw new ArgumentException($"Step {i} ({_transforms[i]}) of the composition cannot take {Tensor.ShapeText(shape)} images: {e.Message}", nameof(inputShape), e);
            }
        }
        return shape;
    }

    /// <summary>Applies the steps in order to <paramref name="image"/>, each drawing from <paramref name="rng"/> in turn.</summary>
    /// <param name="image">(C, H, W); not modified.</param>
    /// <param name="rng">Shared by the steps, in order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentException">A step cannot take the shape it receives.</exception>
    public Tensor Apply(Tensor image, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(rng);
        if (_transforms.Length == 0) return image.Clone();
        var x = image;
        foreach (var t in _transforms) x = t.Apply(x, rng);
        return x;
    }

    /// <summary>The steps, e.g. <c>Compose(RandomHorizontalFlip(p=0.5), Normalize(...))</c>.</summary>
    public override string ToString() => $"Compose({string.Join(", ", _transforms.Select(t => t.ToString()))})";
}

/// <summary>How augmentation randomness is derived, shared by <see cref="DataLoader"/> and the CLI.</summary>
public static class Transforms
{
    /// <summary>
    /// The generator for the sample at <paramref name="position"/> of an epoch whose transform seed is
    /// <paramref name="epochSeed"/>: seeded with SplitMix64(epochSeed ⊕ SplitMix64(position)). It depends on
    /// nothing else, so batches built in any order, on any thread, see the same random choices.
    /// </summary>
    /// <param name="epochSeed">The epoch's transform seed.</param>
    /// <param name="position">The sample's position in the epoch's order (0 for the first sample of the first batch).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="position"/> is negative.</exception>
    public static Rng SampleRng(ulong epochSeed, long position)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        return new Rng(Mix(epochSeed ^ Mix((ulong)position)));
    }

    /// <summary>A seed summarising a generator state without drawing from it (SplitMix64 folded over the words).</summary>
    internal static ulong SeedFromState(ReadOnlySpan<ulong> state)
    {
        ulong h = 0x5851F42D4C957F2DUL;
        foreach (ulong w in state) h = Mix(h ^ w);
        return h;
    }

    /// <summary>SplitMix64's output function: a bijective 64-bit mixer.</summary>
    internal static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>Shape checks and small helpers shared by the transforms.</summary>
internal static class Images
{
    /// <summary>(C, H, W) of an image shape, or an <see cref="ArgumentException"/> naming <paramref name="paramName"/>.</summary>
    public static (int C, int H, int W) Dims(ReadOnlySpan<int> shape, string paramName)
    {
        if (shape.Length != 3)
            throw new ArgumentException($"Transforms take (C, H, W) images; got shape {Tensor.ShapeText(shape)}.", paramName);
        if (shape[0] < 1 || shape[1] < 1 || shape[2] < 1)
            throw new ArgumentException($"Transforms take non-empty (C, H, W) images; got shape {Tensor.ShapeText(shape)}.", paramName);
        return (shape[0], shape[1], shape[2]);
    }

    /// <summary>(C, H, W) of <paramref name="image"/> after the null checks every Apply makes.</summary>
    public static (int C, int H, int W) Check(Tensor image, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(rng);
        return Dims(image.Dims, nameof(image));
    }

    /// <summary>A new (C, H, W) tensor whose contents the caller overwrites.</summary>
    public static Tensor New(int c, int h, int w) => Tensor.Uninitialized(c, h, w);

    /// <summary>A uniform double in [<paramref name="low"/>, <paramref name="high"/>) (exactly <paramref name="low"/> when they are equal; one draw either way).</summary>
    public static double Uniform(Rng rng, double low, double high) => low + (high - low) * rng.NextDouble();

    /// <summary>Throws unless <paramref name="value"/> is finite and in [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public static void CheckRange(double value, double min, double max, string paramName)
    {
        if (!(value >= min && value <= max))
            throw new ArgumentOutOfRangeException(paramName, value, $"{paramName} must be in [{F(min)}, {F(max)}], got {F(value)}.");
    }

    /// <summary>Throws unless low ≤ high and both are within [min, max].</summary>
    public static void CheckInterval((double Low, double High) interval, double min, double max, string paramName)
    {
        if (!(interval.Low >= min && interval.High <= max && interval.Low <= interval.High))
            throw new ArgumentOutOfRangeException(paramName, interval,
                $"{paramName} must be an interval (low ≤ high) within [{F(min)}, {F(max)}], got ({F(interval.Low)}, {F(interval.High)}).");
    }

    /// <summary>A number in invariant culture for messages and descriptions.</summary>
    public static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
