// Argument checks and small helpers shared by the convolution algorithms (Direct, Winograd, FFT,
// separable): the same parameter names and messages as ConvNdKernel, the test for a geometry without a
// depth axis, the flipped-transposed filters that turn a data gradient into a forward convolution,
// and the bias/ReLU epilogue on a finished row.
//   w: (K, C/G, R, S)  →  wᵀ: (C, K/G, R, S) with wᵀ[c, k', r, s] = w[g·K/G + k', c − g·C/G, R − 1 − r, S − 1 − s]  (g = group of c)
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Striate.Kernels.Conv;

/// <summary>Checks and helpers shared by the convolution algorithms.</summary>
internal static unsafe class ConvSupport
{
    /// <summary>Whether the geometry has no depth axis (a 1-D or 2-D convolution).</summary>
    public static bool IsPlanar(in ConvGeometry g) =>
        g.Depth.Input == 1 && g.Depth.Kernel == 1 && g.Depth.PadBefore == 0 && g.Depth.PadAfter == 0;

    /// <summary>Checks a forward call's geometry and spans (names as in <see cref="ConvNdKernel.Forward"/>).</summary>
    /// <exception cref="ArgumentException">Invalid geometry, a short span, or a bias that is neither empty nor K long.</exception>
    public static void CheckForward(in ConvGeometry g, int x, int w, int bias, int y)
    {
        g.Validate();
        CheckLength(x, g.InputLength, "x");
        CheckLength(w, g.WeightLength, "w");
        CheckLength(y, g.OutputLength, "y");
        if (bias != 0 && bias != g.K)
            throw new ArgumentException($"bias holds {bias} values, needs 0 or K = {g.K}.", nameof(bias));
    }

    /// <summary>Checks a data-gradient call's geometry and spans.</summary>
    /// <exception cref="ArgumentException">Invalid geometry or a short span.</exception>
    public static void CheckBackwardData(in ConvGeometry g, int dy, int w, int dx)
    {
        g.Validate();
        CheckLength(dy, g.OutputLength, "dy");
        CheckLength(w, g.WeightLength, "w");
        CheckLength(dx, g.InputLength, "dx");
    }

    /// <summary>Checks a weight-gradient call's geometry and spans (either destination may be empty).</summary>
    /// <exception cref="ArgumentException">Invalid geometry, a short span, or a db that is neither empty nor K long.</exception>
    public static void CheckBackwardWeights(in ConvGeometry g, int x, int dy, int dw, int db)
    {
        g.Validate();
        CheckLength(x, g.InputLength, "x");
        CheckLength(dy, g.OutputLength, "dy");
        if (dw != 0) CheckLength(dw, g.WeightLength, "dw");
        if (db != 0 && db != g.K) throw new ArgumentException($"db holds {db} values, needs 0 or K = {g.K}.", nameof(db));
    }

    /// <summary>Throws when a span holds fewer values than its tensor.</summary>
    /// <exception cref="ArgumentException"><paramref name="actual"/> &lt; <paramref name="needed"/>.</exception>
    public static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    /// <summary>Fills every output with its bias (or zero) and applies the epilogue: the answer when there is no input channel.</summary>
    public static void FillBias(in ConvGeometry g, ReadOnlySpan<float> bias, Span<float> y, ConvEpilogue epilogue)
    {
        int volume = g.OutputVolume;
        for (int n = 0; n < g.N; n++)
            for (int k = 0; k < g.K; k++)
            {
                float b = bias.IsEmpty ? 0f : bias[k];
                if (epilogue == ConvEpilogue.Relu) b = Relu(b);
                y.Slice((n * g.K + k) * volume, volume).Fill(b);
            }
    }

    /// <summary>max(v, 0) with the same NaN and signed-zero behaviour as the vector epilogue.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Relu(float v) => Vector128.Max(Vector128.CreateScalar(v), Vector128<float>.Zero).ToScalar();

    /// <summary>
    /// wᵀ[c, k', r, s] = w[g·K/G + k', c − g·C/G, R − 1 − r, S − 1 − s]: the filters of the convolution whose forward is this
    /// convolution's data gradient (input channels K, output channels C, same groups; file header).
    /// </summary>
    public static void FlipTranspose(in ConvGeometry g, float* w, float* wt)
    {
        int cg = g.CPerGroup, kg = g.KPerGroup, taps = g.KernelVolume;
        for (int c = 0; c < g.C; c++)
        {
            int grp = c / cg, cc = c - grp * cg;
            for (int kk = 0; kk < kg; kk++)
            {
                float* src = w + ((long)(grp * kg + kk) * cg + cc) * taps;
                float* dst = wt + ((long)c * kg + kk) * taps;
                for (int t = 0; t < taps; t++) dst[t] = src[taps - 1 - t];
            }
        }
    }

    /// <summary>Smallest multiple of <paramref name="m"/> at or above <paramref name="v"/>.</summary>
    public static int RoundUp(int v, int m) => (v + m - 1) / m * m;
}
