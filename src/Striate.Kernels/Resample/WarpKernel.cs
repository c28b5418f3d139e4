// Bilinear warping by an inverse map, for geometric data augmentation (rotation, affine, elastic):
//   x: (C, H, W)  y: (C, H', W')
// Output pixel (i, j) — row i, column j, in pixel-centre units — reads the input at the source point
// (u, v) = (column, row):
//   Affine:   u = m₀·j + m₁·i + m₂,   v = m₃·j + m₄·i + m₅           (m: 6 doubles, output → input)
//   Field:    u = j + dx[i, j],       v = i + dy[i, j]                (displacement field (H', W') each)
// and interpolates bilinearly between its four neighbours:
//   j₀ = ⌊u⌋, i₀ = ⌊v⌋, α = u − j₀, β = v − i₀
//   y[c, i, j] = (1−α)(1−β)·X(i₀, j₀) + α(1−β)·X(i₀, j₀+1) + (1−α)β·X(i₀+1, j₀) + αβ·X(i₀+1, j₀+1)
//   X(r, s) = x[c, r, s] inside the image, `fill` outside
// With fill = 0 this is PyTorch's F.grid_sample(mode="bilinear", padding_mode="zeros",
// align_corners=False) with the grid in pixel units: grid value g maps to ((g + 1)·W − 1)/2.
// Coordinates are formed in double (so a 90° rotation lands within ~1e-15 of pixel centres), the four
// weights in float32. A non-finite source point reads `fill`. There is no backward: augmentation runs
// outside autograd.
// Work is split by output rows; each row computes its taps once and applies them to every channel,
// so results do not depend on the thread count.
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Resample;

/// <summary>Sizes of a warp: x (Channels, InH, InW) → y (Channels, OutH, OutW).</summary>
/// <param name="Channels">Planes warped with the same map (C).</param>
/// <param name="InH">Input height H.</param>
/// <param name="InW">Input width W.</param>
/// <param name="OutH">Output height H'.</param>
/// <param name="OutW">Output width W'.</param>
public readonly record struct WarpGeometry(int Channels, int InH, int InW, int OutH, int OutW)
{
    /// <summary>Elements of x: C·H·W.</summary>
    public long InputLength => (long)Channels * InH * InW;

    /// <summary>Elements of y: C·H'·W'.</summary>
    public long OutputLength => (long)Channels * OutH * OutW;

    /// <summary>Elements of one displacement field: H'·W'.</summary>
    public long FieldLength => (long)OutH * OutW;

    /// <summary>Throws unless every size is positive and the tensors fit in arrays.</summary>
    /// <exception cref="ArgumentException">A size is not positive, or a tensor would exceed an array's length.</exception>
    public void Validate()
    {
        if (Channels < 1 || InH < 1 || InW < 1 || OutH < 1 || OutW < 1)
            throw new ArgumentException($"Warp sizes must be positive: {Channels} channel(s), input {InH}×{InW}, output {OutH}×{OutW}.");
        if (InputLength > Array.MaxLength || OutputLength > Array.MaxLength)
            throw new ArgumentException($"Warp tensors do not fit in an array: input {InputLength}, output {OutputLength} elements.");
    }
}

/// <summary>Bilinear sampling of (C, H, W) images at affine or displaced source points (formulas in the file header).</summary>
public static unsafe class WarpKernel
{
    /// <summary>y[c, i, j] = bilinear(x[c], u, v) with (u, v) = (m₀j + m₁i + m₂, m₃j + m₄i + m₅); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes.</param>
    /// <param name="matrix">The inverse map m₀..m₅ (output pixel → input point), finite.</param>
    /// <param name="fill">The value read outside the input.</param>
    /// <param name="x">Input (C, H, W).</param>
    /// <param name="y">Output (C, H', W').</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, a matrix that is not 6 finite values, or a span shorter than its tensor.</exception>
    public static void Affine(WarpGeometry g, ReadOnlySpan<double> matrix, float fill, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        g.Validate();
        if (matrix.Length != 6) throw new ArgumentException($"An affine warp needs 6 matrix values, got {matrix.Length}.", nameof(matrix));
        foreach (double m in matrix)
            if (!double.IsFinite(m)) throw new ArgumentException("The affine warp matrix holds a non-finite value.", nameof(matrix));
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        var map = new Map(matrix[0], matrix[1], matrix[2], matrix[3], matrix[4], matrix[5], null, null);
        fixed (float* px = x, py = y)
        {
            ParallelFor.Run(g.OutH, threads, new Body(g, map, fill, px, py), minItemsPerThread: Math.Max(1, 4096 / Math.Max(1, g.OutW * g.Channels)));
        }
    }

    /// <summary>y[c, i, j] = bilinear(x[c], j + dx[i, j], i + dy[i, j]); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes.</param>
    /// <param name="dx">Column displacement of every output pixel (H', W').</param>
    /// <param name="dy">Row displacement of every output pixel (H', W').</param>
    /// <param name="fill">The value read outside the input (and at non-finite source points).</param>
    /// <param name="x">Input (C, H, W).</param>
    /// <param name="y">Output (C, H', W').</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span shorter than its tensor.</exception>
    public static void Displace(WarpGeometry g, ReadOnlySpan<float> dx, ReadOnlySpan<float> dy, float fill, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        g.Validate();
        CheckLength(dx.Length, g.FieldLength, nameof(dx));
        CheckLength(dy.Length, g.FieldLength, nameof(dy));
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        fixed (float* pdx = dx, pdy = dy, px = x, py = y)
        {
            var map = new Map(1, 0, 0, 0, 1, 0, pdx, pdy);
            ParallelFor.Run(g.OutH, threads, new Body(g, map, fill, px, py), minItemsPerThread: Math.Max(1, 4096 / Math.Max(1, g.OutW * g.Channels)));
        }
    }

    /// <summary>
    /// The four taps of source point (u, v): flat input offsets (−1 outside the image) and float32 weights, in the
    /// order (i₀, j₀), (i₀, j₀+1), (i₀+1, j₀), (i₀+1, j₀+1). A non-finite or far-away point gets four outside taps.
    /// </summary>
    /// <param name="u">Source column.</param>
    /// <param name="v">Source row.</param>
    /// <param name="height">Input height H.</param>
    /// <param name="width">Input width W.</param>
    /// <param name="offsets">Four offsets r·W + s, or −1.</param>
    /// <param name="weights">Four weights summing to 1.</param>
    public static void Taps(double u, double v, int height, int width, Span<int> offsets, Span<float> weights)
    {
        if (!(u > -1 && u < width && v > -1 && v < height))
        {
            // Covers NaN too: every neighbour lies outside, so only the fill value is read.
            offsets[..4].Fill(-1);
            weights[0] = 1; weights[1] = 0; weights[2] = 0; weights[3] = 0;
            return;
        }
        double fu = Math.Floor(u), fv = Math.Floor(v);
        int j0 = (int)fu, i0 = (int)fv;
        float a = (float)(u - fu), b = (float)(v - fv);
        weights[0] = (1 - a) * (1 - b);
        weights[1] = a * (1 - b);
        weights[2] = (1 - a) * b;
        weights[3] = a * b;
        bool top = i0 >= 0, bottom = i0 + 1 < height, left = j0 >= 0, right = j0 + 1 < width;
        offsets[0] = top && left ? i0 * width + j0 : -1;
        offsets[1] = top && right ? i0 * width + j0 + 1 : -1;
        offsets[2] = bottom && left ? (i0 + 1) * width + j0 : -1;
        offsets[3] = bottom && right ? (i0 + 1) * width + j0 + 1 : -1;
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>The inverse map: affine coefficients, plus the displacement fields when they are not null.</summary>
    private readonly struct Map(double m0, double m1, double m2, double m3, double m4, double m5, float* dx, float* dy)
    {
        public readonly double M0 = m0, M1 = m1, M2 = m2, M3 = m3, M4 = m4, M5 = m5;
        public readonly float* Dx = dx, Dy = dy;
    }

    private readonly struct Body(WarpGeometry g, Map map, float fill, float* x, float* y) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            long inPlane = (long)g.InH * g.InW, outPlane = (long)g.OutH * g.OutW;
            Span<int> offsets = stackalloc int[4];
            Span<float> weights = stackalloc float[4];
            for (int i = start; i < end; i++)
            {
                for (int j = 0; j < g.OutW; j++)
                {
                    long o = (long)i * g.OutW + j;
                    double u, v;
                    if (map.Dx is not null)
                    {
                        u = j + (double)map.Dx[o];
                        v = i + (double)map.Dy[o];
                    }
                    else
                    {
                        u = map.M0 * j + map.M1 * i + map.M2;
                        v = map.M3 * j + map.M4 * i + map.M5;
                    }
                    Taps(u, v, g.InH, g.InW, offsets, weights);
                    for (int c = 0; c < g.Channels; c++)
                    {
                        float* plane = x + c * inPlane;
                        float v00 = offsets[0] >= 0 ? plane[offsets[0]] : fill;
                        float v01 = offsets[1] >= 0 ? plane[offsets[1]] : fill;
                        float v10 = offsets[2] >= 0 ? plane[offsets[2]] : fill;
                        float v11 = offsets[3] >= 0 ? plane[offsets[3]] : fill;
                        y[c * outPlane + o] = weights[0] * v00 + weights[1] * v01 + weights[2] * v10 + weights[3] * v11;
                    }
                }
            }
        }
    }
}
