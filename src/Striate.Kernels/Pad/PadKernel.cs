// Padding of the last one to three axes of a tensor, as torch.nn.functional.pad:
//   x: (planes, D, H, W)  y: (planes, D + bd + ad, H + bh + ah, W + bw + aw)   (unused leading axes have size 1, no padding)
// Per axis of input size n with pads (before, after): a negative pad first crops that many elements
// from its side, leaving the m = n − max(0, −before) − max(0, −after) elements starting at
// s = max(0, −before); the positive pads are then filled from that cropped range. Output j reads the
// cropped element e = j − max(0, before) through the border rule:
//   Constant:  e ∈ [0, m) ? x[s + e] : value
//   Reflect:   mirror without repeating the edge, e = −e below 0 and e = 2(m − 1) − e past the end (pad < m)
//   Replicate: clamp e to [0, m − 1]
//   Circular:  e mod m  (pad ≤ m, so the cropped range wraps at most once)
//   Forward:   y[p, j] = x[p, s + map(j − max(0, before))]  (or value)
//   Backward:  dx[p, s + map(j − max(0, before))] += dy[p, j]  for every j that reads the input
// Backward sums into a zeroed per-plane scratch in output order and adds it to dx once per element,
// so two identical backward calls add exactly twice the gradient of one. Planes are independent and
// split across threads, so results do not depend on the thread count.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pad;

/// <summary>How padded positions are filled.</summary>
public enum BorderMode
{
    /// <summary>A constant value.</summary>
    Constant,

    /// <summary>The mirror image without repeating the edge element: 3 2 | 1 2 3 4 | 3 2.</summary>
    Reflect,

    /// <summary>The edge element repeated: 1 1 | 1 2 3 4 | 4 4.</summary>
    Replicate,

    /// <summary>The other end of the signal, as if it repeated periodically: 3 4 | 1 2 3 4 | 1 2.</summary>
    Circular,
}

/// <summary>One axis of a padding: input size and the pad added before and after (negative crops).</summary>
/// <param name="Input">Input size n.</param>
/// <param name="Before">Elements added before the first (negative: removed from the start).</param>
/// <param name="After">Elements added after the last (negative: removed from the end).</param>
public readonly record struct PadAxis(int Input, int Before = 0, int After = 0)
{
    /// <summary>Output size, Input + Before + After.</summary>
    public int Output => Input + Before + After;

    /// <summary>First input element kept after cropping, max(0, −Before).</summary>
    public int CropStart => Math.Max(0, -Before);

    /// <summary>Input elements kept after cropping, m = Input − max(0, −Before) − max(0, −After).</summary>
    public int Kept => Input - Math.Max(0, -Before) - Math.Max(0, -After);

    /// <summary>
    /// The input index output <paramref name="j"/> reads (cropped range, then the border rule), or −1 for a
    /// constant-mode position outside the input.
    /// </summary>
    /// <param name="j">Output index, 0 ≤ j &lt; Output.</param>
    /// <param name="mode">Border rule.</param>
    public int Source(int j, BorderMode mode)
    {
        int m = Kept, e = j - Math.Max(0, Before);
        if ((uint)e < (uint)m) return CropStart + e;
        switch (mode)
        {
            case BorderMode.Reflect:
                e = e < 0 ? -e : 2 * (m - 1) - e;
                break;
            case BorderMode.Replicate:
                e = e < 0 ? 0 : m - 1;
                break;
            case BorderMode.Circular:
                e = (e % m + m) % m;
                break;
            default:
                return -1;
        }
        return CropStart + e;
    }

    /// <summary>Throws unless the pads are allowed for <paramref name="mode"/> (see <see cref="PadGeometry.Validate"/>).</summary>
    internal void Validate(string name, BorderMode mode)
    {
        if (Input < 0) throw new ArgumentException($"Padding {name} input size must be non-negative, got {Input}.");
        if (Kept < 0 || Output < 0)
            throw new ArgumentException($"Padding {name} crops more than the input holds: input {Input}, pads ({Before}, {After}).");
        if (mode == BorderMode.Constant || (Before <= 0 && After <= 0)) return;
        int m = Kept, most = Math.Max(Before, After);
        switch (mode)
        {
            case BorderMode.Reflect when most >= m:
                throw new ArgumentException($"Reflect padding of {name} by {most} needs more than {most} input elements, got {m} (input {Input}, pads ({Before}, {After})).");
            case BorderMode.Replicate when m < 1:
            case BorderMode.Circular when m < 1:
                throw new ArgumentException($"{mode} padding of {name} needs a non-empty input, got {m} elements (input {Input}, pads ({Before}, {After})).");
            case BorderMode.Circular when most > m:
                throw new ArgumentException($"Circular padding of {name} by {most} would wrap around the {m} input elements more than once (input {Input}, pads ({Before}, {After})).");
        }
    }
}

/// <summary>Sizes of a padding: x (Planes, D, H, W) → y (Planes, D', H', W'); unpadded axes have pads 0.</summary>
/// <param name="Planes">Product of the leading (unpadded) dimensions.</param>
/// <param name="Depth">Third-from-last axis (size 1, no pads, when only two axes are padded).</param>
/// <param name="Height">Second-from-last axis.</param>
/// <param name="Width">Last axis.</param>
/// <param name="Mode">Border rule.</param>
public readonly record struct PadGeometry(int Planes, PadAxis Depth, PadAxis Height, PadAxis Width, BorderMode Mode = BorderMode.Constant)
{
    /// <summary>Input elements per plane, D·H·W.</summary>
    public int InputVolume => Depth.Input * Height.Input * Width.Input;

    /// <summary>Output elements per plane, D'·H'·W'.</summary>
    public int OutputVolume => Depth.Output * Height.Output * Width.Output;

    /// <summary>Elements of x.</summary>
    public long InputLength => (long)Planes * InputVolume;

    /// <summary>Elements of y.</summary>
    public long OutputLength => (long)Planes * OutputVolume;

    /// <summary>
    /// Throws unless the pads are valid: crops never exceed the input; reflect pads are smaller than the
    /// (cropped) input; replicate and circular need a non-empty input; circular pads are at most its size.
    /// </summary>
    /// <exception cref="ArgumentException">Planes is negative or an axis violates the rule of the mode.</exception>
    public void Validate()
    {
        if (Planes < 0) throw new ArgumentException($"Padding planes must be non-negative, got {Planes}.");
        Depth.Validate("depth", Mode);
        Height.Validate("height", Mode);
        Width.Validate("width", Mode);
        if ((long)Depth.Output * Height.Output * Width.Output > Array.MaxLength)
            throw new ArgumentException("Padded plane does not fit in an array.");
    }
}

/// <summary>Constant, reflect, replicate and circular padding: forward and the gradient that folds the border back.</summary>
public static unsafe class PadKernel
{
    /// <summary>y[p, j] = x[p, source(j)], or <paramref name="value"/> where a constant pad reads outside the input (file header). <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes, pads and border rule.</param>
    /// <param name="x">Input (Planes, D, H, W).</param>
    /// <param name="value">Fill value of constant padding (ignored by the other modes).</param>
    /// <param name="y">Output (Planes, D', H', W').</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void Forward(PadGeometry g, ReadOnlySpan<float> x, float value, Span<float> y, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        if (g.OutputLength == 0) return;
        fixed (float* px = x, py = y)
        {
            ParallelFor.Run(g.Planes, threads, new ForwardBody(g, px, py, value), minItemsPerThread: Math.Max(1, 16384 / Math.Max(1, g.OutputVolume)));
        }
    }

    /// <summary>dx[p, source(j)] += dy[p, j] for every output j that reads the input (file header); the per-element sum is formed first and added once.</summary>
    /// <param name="g">Sizes, pads and border rule of the forward padding.</param>
    /// <param name="dy">Output gradient (Planes, D', H', W').</param>
    /// <param name="dx">Input gradient (Planes, D, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void Backward(PadGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int threads)
    {
        g.Validate();
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        CheckLength(dx.Length, g.InputLength, nameof(dx));
        if (g.InputLength == 0 || g.OutputLength == 0) return;
        fixed (float* pdy = dy, pdx = dx)
        {
            ParallelFor.Run(g.Planes, threads, new BackwardBody(g, pdy, pdx), minItemsPerThread: Math.Max(1, 16384 / Math.Max(1, g.OutputVolume)));
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>
    /// The source index of every output position of the three axes (−1: constant fill), laid out as
    /// depth, height, width in one pooled array the caller returns.
    /// </summary>
    private static int[] RentMaps(in PadGeometry g)
    {
        int od = g.Depth.Output, oh = g.Height.Output, ow = g.Width.Output;
        int[] maps = ArrayPool<int>.Shared.Rent(od + oh + ow);
        for (int j = 0; j < od; j++) maps[j] = g.Depth.Source(j, g.Mode);
        for (int j = 0; j < oh; j++) maps[od + j] = g.Height.Source(j, g.Mode);
        for (int j = 0; j < ow; j++) maps[od + oh + j] = g.Width.Source(j, g.Mode);
        return maps;
    }

    private readonly struct ForwardBody(PadGeometry g, float* x, float* y, float value) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int outD = g.Depth.Output, outH = g.Height.Output, outW = g.Width.Output;
            int inH = g.Height.Input, inW = g.Width.Input;
            // Outputs [w0, w1) copy the kept input run in order; only the borders go through the map.
            int w0 = Math.Max(0, g.Width.Before), w1 = Math.Max(w0, w0 + g.Width.Kept);
            int[] maps = RentMaps(g);
            try
            {
                var mapD = maps.AsSpan(0, outD);
                var mapH = maps.AsSpan(outD, outH);
                var mapW = maps.AsSpan(outD + outH, outW);
                for (int p = start; p < end; p++)
                {
                    float* xp = x + (long)p * g.InputVolume;
                    float* dst = y + (long)p * g.OutputVolume;
                    for (int od = 0; od < outD; od++)
                    {
                        for (int oh = 0; oh < outH; oh++, dst += outW)
                        {
                            int id = mapD[od], ih = mapH[oh];
                            if (id < 0 || ih < 0)
                            {
                                new Span<float>(dst, outW).Fill(value);
                                continue;
                            }
                            float* row = xp + ((long)id * inH + ih) * inW;
                            for (int ow = 0; ow < w0; ow++) dst[ow] = mapW[ow] < 0 ? value : row[mapW[ow]];
                            if (w1 > w0) new ReadOnlySpan<float>(row + g.Width.CropStart, w1 - w0).CopyTo(new Span<float>(dst + w0, w1 - w0));
                            for (int ow = w1; ow < outW; ow++) dst[ow] = mapW[ow] < 0 ? value : row[mapW[ow]];
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<int>.Shared.Return(maps);
            }
        }
    }

    private readonly struct BackwardBody(PadGeometry g, float* dy, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int outD = g.Depth.Output, outH = g.Height.Output, outW = g.Width.Output;
            int inH = g.Height.Input, inW = g.Width.Input, volume = g.InputVolume;
            int[] maps = RentMaps(g);
            float[] scratch = ArrayPool<float>.Shared.Rent(volume);
            try
            {
                var mapD = maps.AsSpan(0, outD);
                var mapH = maps.AsSpan(outD, outH);
                var mapW = maps.AsSpan(outD + outH, outW);
                fixed (float* sum = scratch)
                {
                    for (int p = start; p < end; p++)
                    {
                        new Span<float>(sum, volume).Clear();
                        float* src = dy + (long)p * g.OutputVolume;
                        for (int od = 0; od < outD; od++)
                        {
                            for (int oh = 0; oh < outH; oh++, src += outW)
                            {
                                int id = mapD[od], ih = mapH[oh];
                                if (id < 0 || ih < 0) continue;
                                float* row = sum + ((long)id * inH + ih) * inW;
                                for (int ow = 0; ow < outW; ow++)
                                {
                                    int iw = mapW[ow];
                                    if (iw >= 0) row[iw] += src[ow];
                                }
                            }
                        }
                        var dxp = new Span<float>(dx + (long)p * volume, volume);
                        TensorPrimitives.Add(dxp, new ReadOnlySpan<float>(sum, volume), dxp);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
                ArrayPool<int>.Shared.Return(maps);
            }
        }
    }
}
