// Naive upsampling, the oracle for UpsampleKernel: each output element is formed on its own from
// the per-axis taps (UpsampleKernel.NearestIndex and LinearTaps define where an output samples;
// PyTorch fixtures check those definitions), with no tables and no nesting:
//   Forward:  y[p, d', h', w'] = Σ_{a,b,c} wD[a] · wH[b] · wW[c] · x[p, iD[a], iH[b], iW[c]]
//   Backward: dx[p, iD[a], iH[b], iW[c]] += wD[a] · wH[b] · wW[c] · dy[p, d', h', w']
// Nearest, and an axis with in = out = 1, has the single tap (index, 1).
using System.Numerics;
using Striate.Kernels.Resample;

namespace Striate.Kernels.Reference;

/// <summary>Naive upsampling loops, generic so gradient checks can run in double.</summary>
public static class UpsampleReference
{
    /// <summary>y = upsample(x) (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes, interpolation and scales.</param>
    /// <param name="x">Input (Planes, InD, InH, InW).</param>
    /// <param name="y">Output (Planes, OutD, OutH, OutW).</param>
    public static void Forward<T>(UpsampleGeometry g, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int p = 0; p < g.Planes; p++)
        for (int od = 0; od < g.OutD; od++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++)
        {
            var (dIdx, dW) = Taps<T>(g, od, g.InD, g.OutD, g.ScaleD);
            var (hIdx, hW) = Taps<T>(g, oh, g.InH, g.OutH, g.ScaleH);
            var (wIdx, wW) = Taps<T>(g, ow, g.InW, g.OutW, g.ScaleW);
            T sum = T.Zero;
            for (int a = 0; a < dIdx.Length; a++)
            for (int b = 0; b < hIdx.Length; b++)
            for (int c = 0; c < wIdx.Length; c++)
                sum += dW[a] * hW[b] * wW[c] * x[((p * g.InD + dIdx[a]) * g.InH + hIdx[b]) * g.InW + wIdx[c]];
            y[((p * g.OutD + od) * g.OutH + oh) * g.OutW + ow] = sum;
        }
    }

    /// <summary>dx += ∂L/∂x for the forward upsampling (formula in the file header).</summary>
    /// <param name="g">Sizes, interpolation and scales of the forward pass.</param>
    /// <param name="dy">Output gradient (Planes, OutD, OutH, OutW).</param>
    /// <param name="dx">Input gradient (Planes, InD, InH, InW), added to.</param>
    public static void Backward<T>(UpsampleGeometry g, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int p = 0; p < g.Planes; p++)
        for (int od = 0; od < g.OutD; od++)
        for (int oh = 0; oh < g.OutH; oh++)
        for (int ow = 0; ow < g.OutW; ow++)
        {
            var (dIdx, dW) = Taps<T>(g, od, g.InD, g.OutD, g.ScaleD);
            var (hIdx, hW) = Taps<T>(g, oh, g.InH, g.OutH, g.ScaleH);
            var (wIdx, wW) = Taps<T>(g, ow, g.InW, g.OutW, g.ScaleW);
            T grad = dy[((p * g.OutD + od) * g.OutH + oh) * g.OutW + ow];
            for (int a = 0; a < dIdx.Length; a++)
            for (int b = 0; b < hIdx.Length; b++)
            for (int c = 0; c < wIdx.Length; c++)
                dx[((p * g.InD + dIdx[a]) * g.InH + hIdx[b]) * g.InW + wIdx[c]] += dW[a] * hW[b] * wW[c] * grad;
        }
    }

    private static (int[] Index, T[] Weight) Taps<T>(in UpsampleGeometry g, int o, int inSize, int outSize, double? scale)
        where T : IFloatingPointIeee754<T>
    {
        if (g.Interpolation == UpsampleInterpolation.Nearest)
            return ([UpsampleKernel.NearestIndex(o, inSize, outSize, scale)], [T.One]);
        if (inSize == 1 && outSize == 1) return ([0], [T.One]);
        var (i0, i1, lambda) = UpsampleKernel.LinearTaps(o, inSize, outSize, g.AlignCorners, scale);
        // The weights are float32 in the kernel (as in PyTorch); the oracle uses the same values.
        return ([i0, i1], [T.CreateChecked(1f - lambda), T.CreateChecked(lambda)]);
    }
}
