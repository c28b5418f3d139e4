// Sizes of an N-d convolution (1, 2 or 3 spatial dimensions) in one shape, so every kernel and
// reference loops over (D, H, W) and 1-D/2-D convolutions are the same code with unit axes:
//   x: (N, C, D, H, W)  w: (K, C/G, KD, KH, KW)  b: (K)  y: (N, K, OD, OH, OW)
//   1-D: D = H = 1 (the length is the W axis); 2-D: D = 1.
// One axis: output o reads input i = o·stride − padBefore + t·dilation for tap t = 0..kernel−1, and
//   Output = ⌊(Input + PadBefore + PadAfter − Dilation·(Kernel − 1) − 1) / Stride⌋ + 1.
// Padding is zero padding (per side, so asymmetric "same" padding of even kernels needs no copy).
// PadAfter may be negative: the last −PadAfter inputs are then never read, which is how a transposed
// convolution's output padding (extra rows no forward tap reaches) maps onto this geometry.
namespace Striate.Kernels.Conv;

/// <summary>
/// One spatial axis of a convolution: input size, kernel size, stride, dilation and zero padding on
/// each side. Output position o reads input o·Stride − PadBefore + t·Dilation for taps t = 0..Kernel−1.
/// </summary>
/// <param name="Input">Input size along the axis.</param>
/// <param name="Kernel">Kernel size along the axis.</param>
/// <param name="Stride">Step between neighbouring output positions.</param>
/// <param name="Dilation">Step between neighbouring kernel taps (1: dense kernel; d: d − 1 holes between taps).</param>
/// <param name="PadBefore">Zeros added before the first input element.</param>
/// <param name="PadAfter">Zeros added after the last input element; negative trims that many trailing inputs from every window.</param>
public readonly record struct ConvAxis(int Input, int Kernel, int Stride = 1, int Dilation = 1, int PadBefore = 0, int PadAfter = 0)
{
    /// <summary>A size-1 axis with a size-1 kernel: what 1-D and 2-D convolutions use for their missing axes.</summary>
    public static ConvAxis Unit => new(1, 1);

    /// <summary>Extent of the dilated kernel, Dilation·(Kernel − 1) + 1.</summary>
    public long Span => (long)Dilation * (Kernel - 1) + 1;

    /// <summary>Input plus padding on both sides.</summary>
    public long PaddedInput => (long)Input + PadBefore + PadAfter;

    /// <summary>Output size, ⌊(Input + PadBefore + PadAfter − Dilation·(Kernel − 1) − 1) / Stride⌋ + 1 (valid after <see cref="ConvGeometry.Validate"/>).</summary>
    public int Output => (int)((PaddedInput - Span) / Stride + 1);

    /// <summary>The output positions whose tap <paramref name="tap"/> reads inside the input: 0 ≤ o·Stride − PadBefore + tap·Dilation &lt; Input.</summary>
    /// <param name="tap">Kernel tap index, 0 ≤ tap &lt; Kernel.</param>
    /// <returns>[Start, End) within [0, Output); empty (Start = End) when every such read falls in the padding.</returns>
    public (int Start, int End) ValidOutputs(int tap)
    {
        int output = Output;
        long lead = (long)PadBefore - (long)tap * Dilation; // o·Stride ≥ lead
        long start = lead <= 0 ? 0 : Math.Min(output, (lead + Stride - 1) / Stride);
        long last = Input - 1L + PadBefore - (long)tap * Dilation; // o·Stride ≤ last
        long end = last < 0 ? 0 : Math.Min(output, last / Stride + 1);
        return ((int)start, (int)Math.Max(start, end));
    }

    /// <summary>Throws unless the axis has a positive kernel, stride and dilation and at least one output position.</summary>
    /// <param name="name">Axis name for messages (depth, height, width).</param>
    /// <exception cref="ArgumentException">A size is out of range or the dilated kernel is larger than the padded input.</exception>
    internal void Validate(string name)
    {
        if (Input < 0) throw new ArgumentException($"Convolution {name} input size must be non-negative, got {Input}.");
        if (Kernel < 1) throw new ArgumentException($"Convolution {name} kernel size must be positive, got {Kernel}.");
        if (Stride < 1) throw new ArgumentException($"Convolution {name} stride must be positive, got {Stride}.");
        if (Dilation < 1) throw new ArgumentException($"Convolution {name} dilation must be positive, got {Dilation}.");
        if (PadBefore < 0) throw new ArgumentException($"Convolution {name} padding before the input must be non-negative, got {PadBefore}.");
        if (PadAfter < -(long)Input) throw new ArgumentException($"Convolution {name} padding after the input must be at least −{Input} (the input size), got {PadAfter}.");
        if (PaddedInput < Span)
            throw new ArgumentException($"Convolution {name} kernel spans {Span} (size {Kernel}, dilation {Dilation}) but the padded input is only {PaddedInput} (input {Input}, padding {PadBefore} + {PadAfter}).");
    }
}

/// <summary>
/// Sizes of a grouped N-d convolution: input x (N, C, D, H, W), filters w (K, C/Groups, KD, KH, KW),
/// output y (N, K, OD, OH, OW). 1-D and 2-D convolutions use <see cref="ConvAxis.Unit"/> for the
/// missing leading axes. Group g maps input channels [g·C/G, (g+1)·C/G) to output channels [g·K/G, (g+1)·K/G).
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Input channels.</param>
/// <param name="K">Output channels (filters).</param>
/// <param name="Depth">The depth axis (unit for 1-D and 2-D).</param>
/// <param name="Height">The height axis (unit for 1-D).</param>
/// <param name="Width">The width axis (the length of a 1-D signal).</param>
/// <param name="Groups">G: channel groups; C and K must both be multiples of it (G = C is depthwise).</param>
public readonly record struct ConvGeometry(int N, int C, int K, ConvAxis Depth, ConvAxis Height, ConvAxis Width, int Groups = 1)
{
    /// <summary>A 1-D convolution: x (N, C, L), w (K, C/G, KL), y (N, K, OL).</summary>
    public static ConvGeometry OneD(int n, int c, int k, ConvAxis length, int groups = 1) =>
        new(n, c, k, ConvAxis.Unit, ConvAxis.Unit, length, groups);

    /// <summary>A 2-D convolution: x (N, C, H, W), w (K, C/G, R, S), y (N, K, P, Q).</summary>
    public static ConvGeometry TwoD(int n, int c, int k, ConvAxis height, ConvAxis width, int groups = 1) =>
        new(n, c, k, ConvAxis.Unit, height, width, groups);

    /// <summary>Input channels per group, C/G.</summary>
    public int CPerGroup => C / Groups;

    /// <summary>Output channels per group, K/G.</summary>
    public int KPerGroup => K / Groups;

    /// <summary>Input positions per channel, D·H·W.</summary>
    public int InputVolume => Depth.Input * Height.Input * Width.Input;

    /// <summary>Kernel taps per channel, KD·KH·KW.</summary>
    public int KernelVolume => Depth.Kernel * Height.Kernel * Width.Kernel;

    /// <summary>Output positions per channel, OD·OH·OW.</summary>
    public int OutputVolume => Depth.Output * Height.Output * Width.Output;

    /// <summary>Rows of one group's im2col matrix (and columns of its filter matrix), C/G·KD·KH·KW.</summary>
    public int GroupRows => CPerGroup * KernelVolume;

    /// <summary>Elements of x: N·C·D·H·W.</summary>
    public long InputLength => (long)N * C * InputVolume;

    /// <summary>Elements of w: K·(C/G)·KD·KH·KW.</summary>
    public long WeightLength => (long)K * CPerGroup * KernelVolume;

    /// <summary>Elements of y: N·K·OD·OH·OW.</summary>
    public long OutputLength => (long)N * K * OutputVolume;

    /// <summary>Throws unless the sizes describe a convolution with at least one output position per axis.</summary>
    /// <exception cref="ArgumentException">
    /// A count is negative, the groups are not positive or do not divide C and K, an axis is invalid
    /// (see <see cref="ConvAxis"/>), or the im2col workspace would not fit in an array.
    /// </exception>
    public void Validate()
    {
        if (N < 0 || C < 0 || K < 0)
            throw new ArgumentException($"Convolution sizes must be non-negative: N={N}, C={C}, K={K}.");
        if (Groups < 1) throw new ArgumentException($"Convolution groups must be positive, got {Groups}.");
        if (C % Groups != 0 || K % Groups != 0)
            throw new ArgumentException($"Convolution groups ({Groups}) must divide both the input channels ({C}) and the output channels ({K}).");
        Depth.Validate("depth");
        Height.Validate("height");
        Width.Validate("width");
        if ((long)C * Depth.Kernel * Height.Kernel * Width.Kernel * Depth.Output * Height.Output * Width.Output > Array.MaxLength
            || (long)Depth.Input * Height.Input * Width.Input * Math.Max(C, K) > Array.MaxLength)
            throw new ArgumentException($"Convolution im2col workspace of {(long)C * KernelVolume}×{(long)Depth.Output * Height.Output * Width.Output} does not fit in an array.");
    }
}
