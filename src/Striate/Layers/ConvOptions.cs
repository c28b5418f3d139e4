// The options every convolution shares, as public types in the Striate namespace so Functional and
// the layers take the same values:
//   ConvPadding      how much zero (or mode) padding each spatial axis gets: an int for every side,
//                    "valid" (none), "same" (output = input at stride 1; an even kernel's extra pad
//                    goes after, as in PyTorch), "full" (every tap visits every input: n + d(k−1)),
//                    per axis, or per side (asymmetric)
//   PaddingMode      what the padding holds (PyTorch's padding_mode): zeros, reflect, replicate, circular
//   ConvolutionMode  cross-correlation (the default, every framework's "convolution") or true
//                    convolution (the kernel flipped along every spatial axis, commutative)
//   ConvOptions      all of them plus per-axis stride and dilation and the algorithm, for Functional.Convolution
// Per axis with kernel k and dilation d, the resolved pads (before, after) are
//   explicit p: (p, p)   valid: (0, 0)   same: (⌊d(k−1)/2⌋, d(k−1) − ⌊d(k−1)/2⌋)   full: (d(k−1), d(k−1)).
using System.Globalization;
using Striate.Kernels.Conv;

namespace Striate;

/// <summary>What the padding around a convolution's input holds (PyTorch's <c>padding_mode</c>).</summary>
public enum PaddingMode
{
    /// <summary>Zeros (the default).</summary>
    Zeros,

    /// <summary>The input mirrored at its edge without repeating the edge: 2 1 | 0 1 2 3 | 2 1.</summary>
    Reflect,

    /// <summary>The edge value repeated: 0 0 | 0 1 2 3 | 3 3.</summary>
    Replicate,

    /// <summary>The input wrapped around, as if periodic: 2 3 | 0 1 2 3 | 0 1.</summary>
    Circular,
}

/// <summary>Whether a convolution layer flips its kernel.</summary>
public enum ConvolutionMode
{
    /// <summary>y[o] = Σ_t w[t]·x[o + t]: the kernel is not flipped (what every framework calls convolution).</summary>
    CrossCorrelation,

    /// <summary>y[o] = Σ_t w[T − 1 − t]·x[o + t]: the kernel flipped along every spatial axis, the commutative convolution of signal processing.</summary>
    TrueConvolution,
}

/// <summary>How <see cref="ConvPadding"/> decides the pads.</summary>
public enum ConvPaddingKind
{
    /// <summary>Given numbers of zeros per side.</summary>
    Explicit,

    /// <summary>No padding: only positions where the kernel lies entirely inside the input.</summary>
    Valid,

    /// <summary>Output as large as the input (stride 1): d(k−1) in total per axis, the extra one after when it is odd.</summary>
    Same,

    /// <summary>d(k−1) on each side: every input element is visited by every tap, output n + d(k−1).</summary>
    Full,
}

/// <summary>
/// The padding of a convolution's spatial axes: a number for every side (<c>padding: 1</c>), a rule
/// (<c>"valid"</c>, <c>"same"</c>, <c>"full"</c>), one number per axis, or (before, after) per axis.
/// Converts implicitly from <see cref="int"/> and from those strings. The default is no padding.
/// Per axis with kernel k and dilation d: same = (⌊d(k−1)/2⌋, d(k−1) − ⌊d(k−1)/2⌋), full = (d(k−1), d(k−1)).
/// </summary>
public readonly record struct ConvPadding
{
    // Rank 0: (_b0, _a0) applies to every axis. Otherwise pads for axes 0 .. rank − 1 (depth/height/width order).
    private readonly int _rank, _b0, _a0, _b1, _a1, _b2, _a2;

    private ConvPadding(ConvPaddingKind kind, int rank, int b0, int a0, int b1, int a1, int b2, int a2)
    {
        Kind = kind;
        _rank = rank;
        (_b0, _a0, _b1, _a1, _b2, _a2) = (b0, a0, b1, a1, b2, a2);
    }

    /// <summary>The rule these pads follow.</summary>
    public ConvPaddingKind Kind { get; }

    /// <summary>Number of axes given explicitly: 0 when one value applies to every axis (or for a rule).</summary>
    public int Rank => _rank;

    /// <summary>No padding (PyTorch's <c>padding='valid'</c>).</summary>
    public static ConvPadding Valid => new(ConvPaddingKind.Valid, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>Output size equal to the input size at stride 1 (PyTorch's <c>padding='same'</c>): d(k−1) per axis, the odd one after.</summary>
    public static ConvPadding Same => new(ConvPaddingKind.Same, 0, 0, 0, 0, 0, 0, 0);

    /// <summary>d(k−1) zeros on each side, so the output has n + d(k−1) positions (the chapter's "full" convolution).</summary>
    public static ConvPadding Full => new(ConvPaddingKind.Full, 0, 0, 0, 0, 0, 0, 0);

    /// <summary><paramref name="padding"/> elements on both sides of every spatial axis.</summary>
    /// <param name="padding">Pads per side; must be non-negative where it is used.</param>
    public static ConvPadding Uniform(int padding) => new(ConvPaddingKind.Explicit, 0, padding, padding, 0, 0, 0, 0);

    /// <summary>The same pad on both sides of each axis, one value per spatial axis (depth, height, width order).</summary>
    /// <param name="perAxis">One to three non-negative pads.</param>
    /// <exception cref="ArgumentException">Not one to three values.</exception>
    public static ConvPadding Symmetric(params int[] perAxis)
    {
        ArgumentNullException.ThrowIfNull(perAxis);
        return Explicit([.. perAxis.Select(p => (p, p))]);
    }

    /// <summary>(before, after) pads per spatial axis, in depth, height, width order: asymmetric padding.</summary>
    /// <param name="perAxis">One to three (before, after) pairs, e.g. <c>((0, 1), (2, 2))</c> = top 0, bottom 1, left 2, right 2.</param>
    /// <exception cref="ArgumentException">Not one to three pairs.</exception>
    public static ConvPadding Explicit(params (int Before, int After)[] perAxis)
    {
        ArgumentNullException.ThrowIfNull(perAxis);
        if (perAxis.Length is < 1 or > 3)
            throw new ArgumentException($"Convolution padding needs one (before, after) pair per spatial axis (1 to 3), got {perAxis.Length}.", "padding");
        (int, int) At(int i) => i < perAxis.Length ? perAxis[i] : (0, 0);
        var (b0, a0) = At(0);
        var (b1, a1) = At(1);
        var (b2, a2) = At(2);
        return new(ConvPaddingKind.Explicit, perAxis.Length, b0, a0, b1, a1, b2, a2);
    }

    /// <summary>"valid", "same" or "full" (any case), as PyTorch's string padding.</summary>
    /// <param name="text">The rule's name.</param>
    /// <exception cref="ArgumentException">Any other text.</exception>
    public static ConvPadding Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "valid" => Valid,
            "same" => Same,
            "full" => Full,
            _ => throw new ArgumentException($"Convolution padding must be a number, \"valid\", \"same\" or \"full\", got \"{text}\".", "padding"),
        };
    }

    /// <summary><paramref name="padding"/> on every side: <c>padding: 1</c>.</summary>
    public static implicit operator ConvPadding(int padding) => Uniform(padding);

    /// <summary>A rule by name: <c>padding: "same"</c>.</summary>
    /// <exception cref="ArgumentException">Not "valid", "same" or "full".</exception>
    public static implicit operator ConvPadding(string text) => Parse(text);

    /// <summary>The pads as an int when one value applies to every side, else null.</summary>
    public int? AsUniform => Kind == ConvPaddingKind.Explicit && _rank == 0 ? _b0 : null;

    /// <summary>
    /// The explicit pads as (before, after) pairs per axis for a <paramref name="spatialRank"/>-d
    /// convolution (a uniform value repeated), or null for a rule.
    /// </summary>
    /// <param name="spatialRank">Number of spatial axes (1 to 3).</param>
    public (int Before, int After)[]? ExplicitPads(int spatialRank)
    {
        if (Kind != ConvPaddingKind.Explicit) return null;
        var pads = new (int, int)[spatialRank];
        for (int i = 0; i < spatialRank; i++) pads[i] = _rank == 0 ? (_b0, _a0) : PairAt(i);
        return pads;
    }

    /// <summary>The (before, after) pads of axis <paramref name="axis"/> for a kernel of <paramref name="kernel"/> taps at dilation <paramref name="dilation"/> (formulas in the type summary).</summary>
    /// <param name="axis">Spatial axis index (0 = first spatial axis).</param>
    /// <param name="kernel">Kernel size k along the axis.</param>
    /// <param name="dilation">Dilation d along the axis.</param>
    public (int Before, int After) Resolve(int axis, int kernel, int dilation)
    {
        int span = dilation * (kernel - 1);
        return Kind switch
        {
            ConvPaddingKind.Valid => (0, 0),
            ConvPaddingKind.Same => (span / 2, span - span / 2),
            ConvPaddingKind.Full => (span, span),
            _ => _rank == 0 ? (_b0, _a0) : PairAt(axis),
        };
    }

    private (int, int) PairAt(int i) => i switch
    {
        0 => (_b0, _a0),
        1 => (_b1, _a1),
        2 => (_b2, _a2),
        _ => (0, 0),
    };

    /// <summary><c>2</c>, <c>same</c>, <c>(1, 2)</c> (symmetric per axis) or <c>((0, 1), (1, 1))</c> (per side).</summary>
    public override string ToString()
    {
        if (Kind != ConvPaddingKind.Explicit) return Kind.ToString().ToLowerInvariant();
        if (_rank == 0) return _b0.ToString(CultureInfo.InvariantCulture);
        var pairs = Enumerable.Range(0, _rank).Select(PairAt).ToArray();
        return pairs.All(p => p.Item1 == p.Item2)
            ? "(" + string.Join(", ", pairs.Select(p => p.Item1.ToString(CultureInfo.InvariantCulture))) + ")"
            : "(" + string.Join(", ", pairs.Select(p => string.Create(CultureInfo.InvariantCulture, $"({p.Item1}, {p.Item2})"))) + ")";
    }
}

/// <summary>
/// Every option of an N-d convolution, for <see cref="Functional.Convolution"/>: stride and dilation
/// per spatial axis (one value for all axes, or one per axis), padding, groups, padding mode and
/// whether the kernel is flipped. The defaults are PyTorch's: stride 1, no padding, dilation 1, one group, zeros.
/// </summary>
public sealed record ConvOptions
{
    /// <summary>Step between output positions: one value for every axis, or one per spatial axis. Default [1].</summary>
    public IReadOnlyList<int> Stride { get; init; } = [1];

    /// <summary>Padding of the spatial axes. Default none.</summary>
    public ConvPadding Padding { get; init; }

    /// <summary>Step between kernel taps: one value for every axis, or one per spatial axis. Default [1].</summary>
    public IReadOnlyList<int> Dilation { get; init; } = [1];

    /// <summary>Channel groups G: input channels c·C/G.. and output channels k·K/G.. connect only within a group. Default 1.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>What the padding holds. Default zeros.</summary>
    public PaddingMode PaddingMode { get; init; }

    /// <summary>Cross-correlation (default) or true convolution.</summary>
    public ConvolutionMode ConvolutionMode { get; init; }

    /// <summary>How to compute the convolution: Auto (default, chosen per pass by shape), Benchmark (timed on first use), or a forced algorithm.</summary>
    public ConvAlgorithm Algorithm { get; init; }
}

/// <summary>
/// Every option of an N-d transposed convolution, for <see cref="Functional.ConvTranspose"/>, each per spatial axis
/// (one value for all axes, or one per axis). The defaults are PyTorch's: stride 1, padding 0, output padding 0, dilation 1, one group.
/// </summary>
public sealed record ConvTransposeOptions
{
    /// <summary>Upsampling factor: input step i moves the output by stride. Default [1].</summary>
    public IReadOnlyList<int> Stride { get; init; } = [1];

    /// <summary>Rows removed from both ends of the full output: the padding of the convolution this transposes. Default [0].</summary>
    public IReadOnlyList<int> Padding { get; init; } = [0];

    /// <summary>Extra rows added at the end of the output (smaller than the stride or the dilation), to reach sizes a strided convolution maps onto the same input. Default [0].</summary>
    public IReadOnlyList<int> OutputPadding { get; init; } = [0];

    /// <summary>Step between kernel taps. Default [1].</summary>
    public IReadOnlyList<int> Dilation { get; init; } = [1];

    /// <summary>Channel groups G. Default 1.</summary>
    public int Groups { get; init; } = 1;
}
