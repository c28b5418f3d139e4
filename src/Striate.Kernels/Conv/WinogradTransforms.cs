// The Winograd tile transforms of F(2×2,3×3) and F(4×4,3×3) (Lavin & Gray 2016), written out with
// shared subexpressions and applied to Vector256 registers that each hold the same element of 8 tiles.
// A 2-D transform X·M·Y is two passes of one 1-D transform: along the rows of the tile, then along the
// columns. The F(4×4) input and output transforms work on values (WinogradConvKernel's tile kernels load
// rows straight from memory into them); the F(2×2) ones, four additions per row, are written out in those
// kernels; the gradient transforms take pointer strides.
//   F(2×2,3×3), α = 4:   Bᵀ = [1 0 −1 0; 0 1 1 0; 0 −1 1 0; 0 1 0 −1]     Aᵀ = [1 1 1 0; 0 1 −1 −1]
//   F(4×4,3×3), α = 6:   Bᵀ = [4 0 −5 0 1 0; 0 −4 −4 1 1 0; 0 4 −4 −1 1 0; 0 −2 −1 2 1 0; 0 2 −1 −2 1 0; 0 4 0 −5 0 1]
//                        Aᵀ = [1 1 1 1 1 0; 0 1 −1 2 −2 0; 0 1 1 4 4 0; 0 1 −1 8 −8 1]
//   Input   v = Bᵀ·d  (α → α)        Output  y = Aᵀ·m  (α → m)        Gradient  g = A·dy  (m → α, the adjoint of the output)
// The F(4×4) input transform costs 12 vector operations per row instead of 36 multiply-adds, the output 10, the gradient 8.
// StoreInterleaved writes m registers (output column v of 8 consecutive tiles) as one contiguous output
// row segment of 8·m floats: the 4×8 (or 2×8) transpose runs in AVX shuffles where available.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Striate.Kernels.Conv;

/// <summary>Vectorised Winograd tile transforms (8 tiles per register).</summary>
internal static unsafe class WinogradTransforms
{
    /// <summary>o[i·os] = (A·g)[i], i &lt; α, for the m inputs g[j·gs] (the adjoint of the output transform).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Gradient(int m, Vector256<float>* g, int gs, Vector256<float>* o, int os)
    {
        if (m == 4) Gradient6(g, gs, o, os);
        else Gradient4(g, gs, o, os);
    }

    /// <summary>(o0 … o5) = Bᵀ·(d0 … d5) for F(4×4,3×3), on values (the tile kernels keep them in registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Input6(Vector256<float> d0, Vector256<float> d1, Vector256<float> d2, Vector256<float> d3, Vector256<float> d4,
        Vector256<float> d5, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3,
        out Vector256<float> o4, out Vector256<float> o5)
    {
        var four = Vector256.Create(4f);
        var minusFour = Vector256.Create(-4f);
        var minusFive = Vector256.Create(-5f);
        var a = Vector256.MultiplyAddEstimate(minusFour, d2, d4); // d4 − 4·d2
        var b = Vector256.MultiplyAddEstimate(minusFour, d1, d3); // d3 − 4·d1
        var c = d4 - d2;
        var e = (d3 - d1) * 2f;
        o0 = Vector256.MultiplyAddEstimate(four, d0, Vector256.MultiplyAddEstimate(minusFive, d2, d4)); // 4·d0 − 5·d2 + d4
        o1 = a + b;                                                                                       // −4·d1 − 4·d2 + d3 + d4
        o2 = a - b;                                                                                       // 4·d1 − 4·d2 − d3 + d4
        o3 = c + e;                                                                                       // −2·d1 − d2 + 2·d3 + d4
        o4 = c - e;                                                                                       // 2·d1 − d2 − 2·d3 + d4
        o5 = Vector256.MultiplyAddEstimate(four, d1, Vector256.MultiplyAddEstimate(minusFive, d3, d5)); // 4·d1 − 5·d3 + d5
    }

    /// <summary>(o0 … o3) = Aᵀ·(m0 … m5) for F(4×4,3×3), on values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Output6(Vector256<float> m0, Vector256<float> m1, Vector256<float> m2, Vector256<float> m3, Vector256<float> m4,
        Vector256<float> m5, out Vector256<float> o0, out Vector256<float> o1, out Vector256<float> o2, out Vector256<float> o3)
    {
        var a = m1 + m2;
        var b = m1 - m2;
        var c = m3 + m4;
        var d = m3 - m4;
        o0 = m0 + a + c;                                                          // m0 + m1 + m2 + m3 + m4
        o1 = Vector256.MultiplyAddEstimate(Vector256.Create(2f), d, b);          // m1 − m2 + 2·(m3 − m4)
        o2 = Vector256.MultiplyAddEstimate(Vector256.Create(4f), c, a);          // m1 + m2 + 4·(m3 + m4)
        o3 = Vector256.MultiplyAddEstimate(Vector256.Create(8f), d, b) + m5;     // m1 − m2 + 8·(m3 − m4) + m5
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradient6(Vector256<float>* g, int gs, Vector256<float>* o, int os)
    {
        Vector256<float> y0 = g[0], y1 = g[gs], y2 = g[2 * gs], y3 = g[3 * gs];
        var e = y0 + y2;
        var f = y1 + y3;
        var h = Vector256.MultiplyAddEstimate(Vector256.Create(4f), y2, y0);                                     // y0 + 4·y2
        var k = Vector256.MultiplyAddEstimate(Vector256.Create(8f), y3, y1 * 2f);                               // 2·y1 + 8·y3
        o[0] = y0;
        o[os] = e + f;
        o[2 * os] = e - f;
        o[3 * os] = h + k;
        o[4 * os] = h - k;
        o[5 * os] = y3;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Gradient4(Vector256<float>* g, int gs, Vector256<float>* o, int os)
    {
        Vector256<float> y0 = g[0], y1 = g[gs];
        o[0] = y0;
        o[os] = y0 + y1;
        o[2 * os] = y0 - y1;
        o[3 * os] = -y1;
    }

    /// <summary>
    /// dst[l·m + v] = o[v][l] for the 8 tiles l (or dst[…] += … when accumulating): m registers of one output row become
    /// 8·m contiguous floats.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreInterleaved(int m, Vector256<float>* o, float* dst, bool accumulate)
    {
        if (Avx.IsSupported)
        {
            if (m == 4)
            {
                Vector256<float> lo01 = Avx.UnpackLow(o[0], o[1]), hi01 = Avx.UnpackHigh(o[0], o[1]);
                Vector256<float> lo23 = Avx.UnpackLow(o[2], o[3]), hi23 = Avx.UnpackHigh(o[2], o[3]);
                // Tiles (0|4), (1|5), (2|6), (3|7): four floats of one tile in each 128-bit half.
                var t04 = Avx.UnpackLow(lo01.AsDouble(), lo23.AsDouble()).AsSingle();
                var t15 = Avx.UnpackHigh(lo01.AsDouble(), lo23.AsDouble()).AsSingle();
                var t26 = Avx.UnpackLow(hi01.AsDouble(), hi23.AsDouble()).AsSingle();
                var t37 = Avx.UnpackHigh(hi01.AsDouble(), hi23.AsDouble()).AsSingle();
                Put(dst, Avx.Permute2x128(t04, t15, 0x20), accumulate);
                Put(dst + 8, Avx.Permute2x128(t26, t37, 0x20), accumulate);
                Put(dst + 16, Avx.Permute2x128(t04, t15, 0x31), accumulate);
                Put(dst + 24, Avx.Permute2x128(t26, t37, 0x31), accumulate);
            }
            else
            {
                Vector256<float> lo = Avx.UnpackLow(o[0], o[1]), hi = Avx.UnpackHigh(o[0], o[1]);
                Put(dst, Avx.Permute2x128(lo, hi, 0x20), accumulate);
                Put(dst + 8, Avx.Permute2x128(lo, hi, 0x31), accumulate);
            }
            return;
        }
        for (int l = 0; l < 8; l++)
            for (int v = 0; v < m; v++)
            {
                float value = o[v].GetElement(l);
                if (accumulate) dst[l * m + v] += value;
                else dst[l * m + v] = value;
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(float* dst, Vector256<float> v, bool accumulate)
    {
        if (accumulate) v += Vector256.Load(dst);
        v.Store(dst);
    }
}
