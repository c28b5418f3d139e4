// The machine's floating-point peak, the yardstick for GEMM efficiency: loops of independent fused
// multiply-adds with no loads and 12 accumulators (enough to cover a 4–5-cycle FMA latency on two FMA
// pipes), on 128-, 256- and 512-bit vectors. Used by `striate bench fma` and the FmaPeak benchmarks.
// On hardware without 512-bit vectors the Vector512 loop runs emulated and measures nothing useful.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Striate.Kernels.Diagnostics;

/// <summary>FMA loops that measure the floating-point peak of one core.</summary>
public static class FmaLoop
{
    /// <summary>Independent FMAs per loop trip.</summary>
    public const int Accumulators = 12;

    /// <summary>Runs the loop of vector width <paramref name="width"/> bits (128, 256 or 512).</summary>
    /// <param name="width">Vector width in bits.</param>
    /// <param name="iterations">Loop trips.</param>
    /// <returns>The sum of the accumulators (kept so the JIT cannot drop the work).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> is not 128, 256 or 512.</exception>
    public static float Run(int width, int iterations) => width switch
    {
        512 => Vector512Loop(iterations),
        256 => Vector256Loop(iterations),
        128 => Vector128Loop(iterations),
        _ => throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be 128, 256 or 512 bits."),
    };

    // No calls and no memory inside the loops: all twelve accumulators stay in registers.
    /// <summary>12·<paramref name="iterations"/> independent Vector128 FMAs (8 flops each); returns their sum so the JIT keeps them.</summary>
    /// <param name="iterations">Loop trips.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Vector128Loop(int iterations)
    {
        var x = Vector128.Create(1.0000001f);
        var y = Vector128.Create(0.9999999f);
        Vector128<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector128<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector128.FusedMultiplyAdd(x, y, a0); a1 = Vector128.FusedMultiplyAdd(x, y, a1);
            a2 = Vector128.FusedMultiplyAdd(x, y, a2); a3 = Vector128.FusedMultiplyAdd(x, y, a3);
            a4 = Vector128.FusedMultiplyAdd(x, y, a4); a5 = Vector128.FusedMultiplyAdd(x, y, a5);
            a6 = Vector128.FusedMultiplyAdd(x, y, a6); a7 = Vector128.FusedMultiplyAdd(x, y, a7);
            a8 = Vector128.FusedMultiplyAdd(x, y, a8); a9 = Vector128.FusedMultiplyAdd(x, y, a9);
            a10 = Vector128.FusedMultiplyAdd(x, y, a10); a11 = Vector128.FusedMultiplyAdd(x, y, a11);
        }
        return Vector128.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    /// <summary>12·<paramref name="iterations"/> independent Vector256 FMAs (16 flops each); returns their sum so the JIT keeps them.</summary>
    /// <param name="iterations">Loop trips.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Vector256Loop(int iterations)
    {
        var x = Vector256.Create(1.0000001f);
        var y = Vector256.Create(0.9999999f);
        Vector256<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector256<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector256.FusedMultiplyAdd(x, y, a0); a1 = Vector256.FusedMultiplyAdd(x, y, a1);
            a2 = Vector256.FusedMultiplyAdd(x, y, a2); a3 = Vector256.FusedMultiplyAdd(x, y, a3);
            a4 = Vector256.FusedMultiplyAdd(x, y, a4); a5 = Vector256.FusedMultiplyAdd(x, y, a5);
            a6 = Vector256.FusedMultiplyAdd(x, y, a6); a7 = Vector256.FusedMultiplyAdd(x, y, a7);
            a8 = Vector256.FusedMultiplyAdd(x, y, a8); a9 = Vector256.FusedMultiplyAdd(x, y, a9);
            a10 = Vector256.FusedMultiplyAdd(x, y, a10); a11 = Vector256.FusedMultiplyAdd(x, y, a11);
        }
        return Vector256.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }

    /// <summary>12·<paramref name="iterations"/> independent Vector512 FMAs (32 flops each); returns their sum so the JIT keeps them.</summary>
    /// <param name="iterations">Loop trips.</param>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static float Vector512Loop(int iterations)
    {
        var x = Vector512.Create(1.0000001f);
        var y = Vector512.Create(0.9999999f);
        Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
        Vector512<float> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
        for (int i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(x, y, a0); a1 = Vector512.FusedMultiplyAdd(x, y, a1);
            a2 = Vector512.FusedMultiplyAdd(x, y, a2); a3 = Vector512.FusedMultiplyAdd(x, y, a3);
            a4 = Vector512.FusedMultiplyAdd(x, y, a4); a5 = Vector512.FusedMultiplyAdd(x, y, a5);
            a6 = Vector512.FusedMultiplyAdd(x, y, a6); a7 = Vector512.FusedMultiplyAdd(x, y, a7);
            a8 = Vector512.FusedMultiplyAdd(x, y, a8); a9 = Vector512.FusedMultiplyAdd(x, y, a9);
            a10 = Vector512.FusedMultiplyAdd(x, y, a10); a11 = Vector512.FusedMultiplyAdd(x, y, a11);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
