// Upsampling (resizing) by nearest-neighbour or (bi/tri)linear interpolation, PyTorch's
// F.interpolate semantics, forward and backward side by side.
//   x: (planes, D, H, W)  y: (planes, D', H', W')   (1-D: D = H = 1; 2-D: D = 1; planes = N·C)
//   Each axis maps an output index o to taps (source index, weight):
//     Nearest: one tap, i = min(⌊o · scale⌋, in − 1), weight 1
//              scale = 1/scaleFactor when a factor was given, else in/out, in float32; o itself when
//              out = in, and o >> 1 when out = 2·in (PyTorch's nearest_idx, so indices match bit for bit)
//     Linear:  two taps i₀ = min(⌊src⌋, in − 1), i₁ = i₀ + (i₀ < in − 1), weights 1 − λ, λ = clamp(src − i₀, 0, 1) with
//              alignCorners:  src = o · (in − 1)/(out − 1)            (0 when out = 1)
//              otherwise:     src = max(scale · (o + ½) − ½, 0),  scale = 1/scaleFactor or in/out
//              An axis with in = out = 1 has the single tap (0, 1): it is not interpolated.
//   Forward:  y[p, d', h', w'] = Σ_{taps} w_D · w_H · w_W · x[p, i_D, i_H, i_W], nested as Σ_D w_D (Σ_H w_H (Σ_W w_W x))
//   Backward: dx[p, i_D, i_H, i_W] += w_D · w_H · w_W · dy[p, d', h', w']   for every output and tap
// Threading: one work item per plane; every y and dx element belongs to one plane, visited in a
// fixed order, so results are bit-identical for any thread count. Backward forms each plane's
// gradient in a zeroed scratch plane (outputs share taps) and adds it to dx once, so two identical
// calls add exactly twice one.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Resample;

/// <summary>How values between input samples are found.</summary>
public enum UpsampleInterpolation
{
    /// <summary>Copy the nearest input sample to the left (PyTorch's legacy <c>nearest</c>).</summary>
    Nearest,

    /// <summary>Linear interpolation along every axis whose size is not 1 → 1 (linear, bilinear, trilinear).</summary>
    Linear,
}

/// <summary>
/// Sizes of an upsampling: <see cref="Planes"/> independent (D, H, W) volumes resized to (OutD, OutH, OutW).
/// A scale of null means the output size was given and the scale is in/out; a value is the user's scale factor
/// (output/input), used as PyTorch uses it.
/// </summary>
/// <param name="Planes">Independent planes: batch × channels.</param>
/// <param name="InD">Input depth (1 for 1-D and 2-D data).</param>
/// <param name="InH">Input height (1 for 1-D data).</param>
/// <param name="InW">Input width (length for 1-D data).</param>
/// <param name="OutD">Output depth.</param>
/// <param name="OutH">Output height.</param>
/// <param name="OutW">Output width.</param>
/// <param name="Interpolation">Nearest or linear.</param>
/// <param name="AlignCorners">Linear only: map the corner samples of input and output onto each other.</param>
/// <param name="ScaleD">The depth scale factor the user gave, or null.</param>
/// <param name="ScaleH">The height scale factor the user gave, or null.</param>
/// <param name="ScaleW">The width scale factor the user gave, or null.</param>
public readonly record struct UpsampleGeometry(int Planes, int InD, int InH, int InW, int OutD, int OutH, int OutW,
    UpsampleInterpolation Interpolation, bool AlignCorners = false, double? ScaleD = null, double? ScaleH = null, double? ScaleW = null)
{
    /// <summary>Elements of x: Planes·InD·InH·InW.</summary>
    public long InputLength => (long)Planes * InD * InH * InW;

    /// <summary>Elements of y: Planes·OutD·OutH·OutW.</summary>
    public long OutputLength => (long)Planes * OutD * OutH * OutW;

    /// <summary>Throws unless the sizes describe a resize of non-empty planes.</summary>
    /// <exception cref="ArgumentException">Planes is negative, a size is not positive, a scale factor is not positive and finite, a tensor would not fit in an array, or AlignCorners is set for nearest.</exception>
    public void Validate()
    {
        if (Planes < 0) throw new ArgumentException($"Upsample planes must be non-negative, got {Planes}.");
        if (InD < 1 || InH < 1 || InW < 1 || OutD < 1 || OutH < 1 || OutW < 1)
            throw new ArgumentException($"Upsample sizes must be positive: input {InD}×{InH}×{InW}, output {OutD}×{OutH}×{OutW}.");
        foreach (var s in (ReadOnlySpan<double?>)[ScaleD, ScaleH, ScaleW])
            if (s is double v && !(v > 0 && double.IsFinite(v)))
                throw new ArgumentException($"Upsample scale factors must be positive and finite, got {v}.");
        if (InputLength > Array.MaxLength || OutputLength > Array.MaxLength)
            throw new ArgumentException($"Upsample tensors do not fit in an array: input {InputLength}, output {OutputLength} elements.");
        if (AlignCorners && Interpolation == UpsampleInterpolation.Nearest)
            throw new ArgumentException("Upsample alignCorners applies to linear interpolation only, as in PyTorch.");
    }
}

/// <summary>Nearest and (bi/tri)linear upsampling, forward and backward (formulas in the file header).</summary>
public static unsafe class UpsampleKernel
{
    /// <summary>
    /// Source index along one axis for nearest: PyTorch's nearest_idx, with the scale in float32 as PyTorch computes it.
    /// </summary>
    /// <param name="o">Output index.</param>
    /// <param name="inSize">Input size of the axis.</param>
    /// <param name="outSize">Output size of the axis.</param>
    /// <param name="scaleFactor">The user's scale factor, or null when the size was given.</param>
    public static int NearestIndex(int o, int inSize, int outSize, double? scaleFactor)
    {
        if (outSize == inSize) return o;
        if (outSize == 2 * inSize) return o >> 1;
        float scale = scaleFactor is double f ? (float)(1.0 / f) : (float)inSize / outSize;
        return Math.Min((int)MathF.Floor(o * scale), inSize - 1);
    }

    /// <summary>
    /// Taps along one axis for linear interpolation: source indices i₀ ≤ i₁ and the weight λ of i₁
    /// (i₀ gets 1 − λ), as PyTorch's area_pixel_compute_source_index and guard_index_and_lambda compute them in float32.
    /// </summary>
    /// <param name="o">Output index.</param>
    /// <param name="inSize">Input size of the axis.</param>
    /// <param name="outSize">Output size of the axis.</param>
    /// <param name="alignCorners">Whether corner samples are aligned.</param>
    /// <param name="scaleFactor">The user's scale factor, or null when the size was given.</param>
    public static (int I0, int I1, float Lambda) LinearTaps(int o, int inSize, int outSize, bool alignCorners, double? scaleFactor)
    {
        float src;
        if (alignCorners)
        {
            float scale = outSize > 1 ? (float)(inSize - 1) / (outSize - 1) : 0f;
            src = scale * o;
        }
        else
        {
            float scale = scaleFactor is double f ? (float)(1.0 / f) : (float)inSize / outSize;
            // PyTorch forms scale · (o + 0.5) − 0.5 with a double 0.5, then narrows to float.
            src = (float)(scale * (o + 0.5) - 0.5);
            if (src < 0f) src = 0f;
        }
        int i0 = Math.Min((int)MathF.Floor(src), inSize - 1);
        float lambda = Math.Clamp(src - i0, 0f, 1f);
        int i1 = i0 + (i0 < inSize - 1 ? 1 : 0);
        return (i0, i1, lambda);
    }

    /// <summary>
    /// y[p, d', h', w'] = Σ over the taps of w_D · w_H · w_W · x[p, i_D, i_H, i_W]. <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="g">Sizes, interpolation and scales.</param>
    /// <param name="x">Input (Planes, InD, InH, InW).</param>
    /// <param name="y">Output (Planes, OutD, OutH, OutW).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void Forward(UpsampleGeometry g, ReadOnlySpan<float> x, Span<float> y, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        if (g.Planes == 0) return;
        int tapsLength = 2 * (g.OutD + g.OutH + g.OutW);
        int[] index = ArrayPool<int>.Shared.Rent(tapsLength);
        float[] weight = ArrayPool<float>.Shared.Rent(tapsLength);
        try
        {
            var taps = BuildTaps(g, index, weight);
            fixed (float* px = x, py = y)
            fixed (int* pi = index)
            fixed (float* pw = weight)
            {
                ParallelFor.Run(g.Planes, threads, new ForwardBody(g, taps.WithPointers(pi, pw), px, py));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(index);
            ArrayPool<float>.Shared.Return(weight);
        }
    }

    /// <summary>
    /// dx[p, i_D, i_H, i_W] += w_D · w_H · w_W · dy[p, d', h', w'] for every output and tap. Each plane's sum is
    /// formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Sizes, interpolation and scales of the forward pass.</param>
    /// <param name="dy">Output gradient (Planes, OutD, OutH, OutW).</param>
    /// <param name="dx">Input gradient (Planes, InD, InH, InW), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void Backward(UpsampleGeometry g, ReadOnlySpan<float> dy, Span<float> dx, int threads)
    {
        g.Validate();
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        CheckLength(dx.Length, g.InputLength, nameof(dx));
        if (g.Planes == 0) return;
        int tapsLength = 2 * (g.OutD + g.OutH + g.OutW);
        int[] index = ArrayPool<int>.Shared.Rent(tapsLength);
        float[] weight = ArrayPool<float>.Shared.Rent(tapsLength);
        try
        {
            var taps = BuildTaps(g, index, weight);
            fixed (float* pdy = dy, pdx = dx)
            fixed (int* pi = index)
            fixed (float* pw = weight)
            {
                ParallelFor.Run(g.Planes, threads, new BackwardBody(g, taps.WithPointers(pi, pw), pdy, pdx));
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(index);
            ArrayPool<float>.Shared.Return(weight);
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>
    /// Per-axis tap tables, two slots per output index (index, weight); an axis has 1 or 2 taps per output.
    /// Layout in the rented arrays: D's 2·OutD slots, then H's, then W's.
    /// </summary>
    private static Taps BuildTaps(in UpsampleGeometry g, int[] index, float[] weight)
    {
        int tapsD = Fill(g, g.InD, g.OutD, g.ScaleD, index.AsSpan(0, 2 * g.OutD), weight.AsSpan(0, 2 * g.OutD));
        int offH = 2 * g.OutD, offW = offH + 2 * g.OutH;
        int tapsH = Fill(g, g.InH, g.OutH, g.ScaleH, index.AsSpan(offH, 2 * g.OutH), weight.AsSpan(offH, 2 * g.OutH));
        int tapsW = Fill(g, g.InW, g.OutW, g.ScaleW, index.AsSpan(offW, 2 * g.OutW), weight.AsSpan(offW, 2 * g.OutW));
        return new Taps(tapsD, tapsH, tapsW, offH, offW, null, null);
    }

    private static int Fill(in UpsampleGeometry g, int inSize, int outSize, double? scale, Span<int> index, Span<float> weight)
    {
        bool linear = g.Interpolation == UpsampleInterpolation.Linear && !(inSize == 1 && outSize == 1);
        for (int o = 0; o < outSize; o++)
        {
            if (linear)
            {
                var (i0, i1, lambda) = LinearTaps(o, inSize, outSize, g.AlignCorners, scale);
                index[2 * o] = i0;
                index[2 * o + 1] = i1;
                weight[2 * o] = 1f - lambda;
                weight[2 * o + 1] = lambda;
            }
            else
            {
                index[2 * o] = index[2 * o + 1] = g.Interpolation == UpsampleInterpolation.Nearest ? NearestIndex(o, inSize, outSize, scale) : 0;
                weight[2 * o] = 1f;
                weight[2 * o + 1] = 0f;
            }
        }
        return linear ? 2 : 1;
    }

    private readonly struct Taps(int countD, int countH, int countW, int offH, int offW, int* index, float* weight)
    {
        public readonly int CountD = countD, CountH = countH, CountW = countW, OffH = offH, OffW = offW;
        public readonly int* Index = index;
        public readonly float* Weight = weight;

        public Taps WithPointers(int* index, float* weight) => new(CountD, CountH, CountW, OffH, OffW, index, weight);
    }

    private readonly struct ForwardBody(UpsampleGeometry g, Taps t, float* x, float* y) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            long inPlane = (long)g.InD * g.InH * g.InW, outPlane = (long)g.OutD * g.OutH * g.OutW;
            int* iD = t.Index, iH = t.Index + t.OffH, iW = t.Index + t.OffW;
            float* wD = t.Weight, wH = t.Weight + t.OffH, wW = t.Weight + t.OffW;
            for (int plane = start; plane < end; plane++)
            {
                float* xp = x + plane * inPlane;
                float* yp = y + plane * outPlane;
                for (int od = 0; od < g.OutD; od++)
                for (int oh = 0; oh < g.OutH; oh++)
                {
                    float* row = yp + ((long)od * g.OutH + oh) * g.OutW;
                    for (int ow = 0; ow < g.OutW; ow++)
                    {
                        float sumD = 0f;
                        for (int a = 0; a < t.CountD; a++)
                        {
                            float sumH = 0f;
                            for (int b = 0; b < t.CountH; b++)
                            {
                                float* src = xp + ((long)iD[2 * od + a] * g.InH + iH[2 * oh + b]) * g.InW;
                                float sumW = t.CountW == 1 ? src[iW[2 * ow]]
                                    : wW[2 * ow] * src[iW[2 * ow]] + wW[2 * ow + 1] * src[iW[2 * ow + 1]];
                                sumH = t.CountH == 1 ? sumW : b == 0 ? wH[2 * oh] * sumW : sumH + wH[2 * oh + 1] * sumW;
                            }
                            sumD = t.CountD == 1 ? sumH : a == 0 ? wD[2 * od] * sumH : sumD + wD[2 * od + 1] * sumH;
                        }
                        row[ow] = sumD;
                    }
                }
            }
        }
    }

    private readonly struct BackwardBody(UpsampleGeometry g, Taps t, float* dy, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int inPlane = g.InD * g.InH * g.InW, outPlane = g.OutD * g.OutH * g.OutW;
            int* iD = t.Index, iH = t.Index + t.OffH, iW = t.Index + t.OffW;
            float* wD = t.Weight, wH = t.Weight + t.OffH, wW = t.Weight + t.OffW;
            float[] rented = ArrayPool<float>.Shared.Rent(inPlane);
            try
            {
                fixed (float* scratch = rented)
                {
                    for (int plane = start; plane < end; plane++)
                    {
                        new Span<float>(scratch, inPlane).Clear();
                        float* dyp = dy + (long)plane * outPlane;
                        for (int od = 0; od < g.OutD; od++)
                        for (int oh = 0; oh < g.OutH; oh++)
                        {
                            float* row = dyp + ((long)od * g.OutH + oh) * g.OutW;
                            for (int ow = 0; ow < g.OutW; ow++)
                            {
                                float grad = row[ow];
                                for (int a = 0; a < t.CountD; a++)
                                {
                                    float gd = t.CountD == 1 ? grad : wD[2 * od + a] * grad;
                                    for (int b = 0; b < t.CountH; b++)
                                    {
                                        float gh = t.CountH == 1 ? gd : wH[2 * oh + b] * gd;
                                        float* dst = scratch + (iD[2 * od + a] * g.InH + iH[2 * oh + b]) * g.InW;
                                        if (t.CountW == 1) dst[iW[2 * ow]] += gh;
                                        else
                                        {
                                            dst[iW[2 * ow]] += wW[2 * ow] * gh;
                                            dst[iW[2 * ow + 1]] += wW[2 * ow + 1] * gh;
                                        }
                                    }
                                }
                            }
                        }
                        var dxp = new Span<float>(dx + (long)plane * inPlane, inPlane);
                        TensorPrimitives.Add(dxp, new ReadOnlySpan<float>(scratch, inPlane), dxp);
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(rented);
            }
        }
    }
}
