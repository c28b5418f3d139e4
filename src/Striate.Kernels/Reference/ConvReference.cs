// Naive N-d grouped convolution (cross-correlation), the oracle for ConvNdKernel:
//   x: (N, C, D, H, W)  w: (K, C/G, KD, KH, KW)  b: (K)  y: (N, K, OD, OH, OW)
//   i = o·stride − padBefore + t·dilation per axis; reads outside the input are zero padding.
//   Forward:         y[n,k,o]    = b[k] + Σ_{c' < C/G, t} w[k,c',t] · x[n, g(k)·C/G + c', i(o,t)]
//   BackwardData:    dx[n, g(k)·C/G + c', i(o,t)] += w[k,c',t] · dy[n,k,o]   for every read inside the input
//   BackwardWeights: dw[k,c',t] += Σ_{n,o} dy[n,k,o] · x[n, g(k)·C/G + c', i(o,t)]
//                    db[k]      += Σ_{n,o} dy[n,k,o]
// with g(k) = ⌊k / (K/G)⌋. One loop nest per formula, no im2col, no blocking.
using System.Numerics;
using Striate.Kernels.Conv;

namespace Striate.Kernels.Reference;

/// <summary>Naive N-d convolution loops, generic so gradient checks can run in double.</summary>
public static class ConvReference
{
    /// <summary>y = conv(x, w) + b (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes, stride, dilation, padding and groups.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="w">Filters (K, C/G, KD, KH, KW).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, OD, OH, OW).</param>
    /// <exception cref="ArgumentException">Invalid geometry.</exception>
    public static void Forward<T>(ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> w, ReadOnlySpan<T> bias, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int n = 0; n < g.N; n++)
        for (int k = 0; k < g.K; k++)
        for (int o = 0; o < g.OutputVolume; o++)
        {
            T sum = bias.IsEmpty ? T.Zero : bias[k];
            for (int cg = 0; cg < g.CPerGroup; cg++)
            for (int t = 0; t < g.KernelVolume; t++)
            {
                long i = InputIndex(g, n, Channel(g, k, cg), o, t);
                if (i >= 0) sum += w[WeightIndex(g, k, cg, t)] * x[(int)i];
            }
            y[(n * g.K + k) * g.OutputVolume + o] = sum;
        }
    }

    /// <summary>dx += ∂L/∂x for the forward convolution (formula in the file header).</summary>
    /// <param name="g">Geometry of the forward convolution.</param>
    /// <param name="dy">Output gradient (N, K, OD, OH, OW).</param>
    /// <param name="w">Filters (K, C/G, KD, KH, KW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    /// <exception cref="ArgumentException">Invalid geometry.</exception>
    public static void BackwardData<T>(ConvGeometry g, ReadOnlySpan<T> dy, ReadOnlySpan<T> w, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int n = 0; n < g.N; n++)
        for (int k = 0; k < g.K; k++)
        for (int o = 0; o < g.OutputVolume; o++)
        {
            T grad = dy[(n * g.K + k) * g.OutputVolume + o];
            for (int cg = 0; cg < g.CPerGroup; cg++)
            for (int t = 0; t < g.KernelVolume; t++)
            {
                long i = InputIndex(g, n, Channel(g, k, cg), o, t);
                if (i >= 0) dx[(int)i] += w[WeightIndex(g, k, cg, t)] * grad;
            }
        }
    }

    /// <summary>dw += ∂L/∂w and db += ∂L/∂b for the forward convolution (formulas in the file header).</summary>
    /// <param name="g">Geometry of the forward convolution.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="dy">Output gradient (N, K, OD, OH, OW).</param>
    /// <param name="dw">Filter gradient (K, C/G, KD, KH, KW), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <exception cref="ArgumentException">Invalid geometry.</exception>
    public static void BackwardWeights<T>(ConvGeometry g, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dw, Span<T> db)
        where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int k = 0; k < g.K; k++)
        {
            if (!db.IsEmpty)
            {
                T sum = T.Zero;
                for (int n = 0; n < g.N; n++)
                for (int o = 0; o < g.OutputVolume; o++)
                    sum += dy[(n * g.K + k) * g.OutputVolume + o];
                db[k] += sum;
            }
            if (dw.IsEmpty) continue;
            for (int cg = 0; cg < g.CPerGroup; cg++)
            for (int t = 0; t < g.KernelVolume; t++)
            {
                T sum = T.Zero;
                for (int n = 0; n < g.N; n++)
                for (int o = 0; o < g.OutputVolume; o++)
                {
                    long i = InputIndex(g, n, Channel(g, k, cg), o, t);
                    if (i >= 0) sum += dy[(n * g.K + k) * g.OutputVolume + o] * x[(int)i];
                }
                dw[WeightIndex(g, k, cg, t)] += sum;
            }
        }
    }

    /// <summary>Input channel c' of output channel k's group: ⌊k / (K/G)⌋·C/G + c'.</summary>
    private static int Channel(in ConvGeometry g, int k, int cg) => k / g.KPerGroup * g.CPerGroup + cg;

    private static int WeightIndex(in ConvGeometry g, int k, int cg, int t) => (k * g.CPerGroup + cg) * g.KernelVolume + t;

    /// <summary>Flat index into x of the read of output position o (flat over OD·OH·OW) by tap t (flat over KD·KH·KW), or −1 in the padding.</summary>
    private static long InputIndex(in ConvGeometry g, int n, int c, int o, int t)
    {
        int ow = o % g.Width.Output, oh = o / g.Width.Output % g.Height.Output, od = o / g.Width.Output / g.Height.Output;
        int tw = t % g.Width.Kernel, th = t / g.Width.Kernel % g.Height.Kernel, td = t / g.Width.Kernel / g.Height.Kernel;
        long id = Read(g.Depth, od, td), ih = Read(g.Height, oh, th), iw = Read(g.Width, ow, tw);
        if (id < 0 || ih < 0 || iw < 0) return -1;
        return (((long)n * g.C + c) * g.Depth.Input + id) * g.Height.Input * g.Width.Input + ih * g.Width.Input + iw;
    }

    /// <summary>The input index o·stride − padBefore + t·dilation, or −1 when it falls outside the input.</summary>
    private static long Read(in ConvAxis a, int o, int t)
    {
        long i = (long)o * a.Stride - a.PadBefore + (long)t * a.Dilation;
        return i >= 0 && i < a.Input ? i : -1;
    }
}
