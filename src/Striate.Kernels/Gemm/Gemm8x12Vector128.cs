// The 128-bit micro-kernel for ARM64 NEON (AdvSimd): an 8×12 tile of C in 24 Vector128 accumulators
// (of NEON's 32 registers, three hold the B row and one the broadcast A value). Written with the
// portable Vector128 API, which the JIT lowers to FMLA on ARM64 and to VFMADD on x64, so the same code
// is tested on x64 machines. Contract and operation order: GemmMicroKernel.cs.
//   acc[r, 0:12] = fma(broadcast(a[p·8 + r]), b[p·ldb + 0:12], acc[r, 0:12])   for p = 0 .. kc−1
// Why 8×12: 24 FMA chains cover the FMLA latency of ARM64's two to four 128-bit pipes.
// Blocks (typical ARM64 cores: 64 KB L1d, 1 MB L2): a 256 × 12 B sliver is 12 KB; the 256 × 256
// A block is 256 KB; the 256 × 4092 B block is 3 MB.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Striate.Kernels.Gemm;

/// <summary>8×12 register tile on 128-bit fused multiply-adds (ARM64 NEON FMLA).</summary>
internal unsafe struct Gemm8x12Vector128 : IGemmMicroKernel
{
    public static int Mr => 8;
    public static int Nr => 12;
    public static int Kc => 256;
    public static int Mc => 256;
    public static int Nc => 4092;
    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int rows, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale)
    {
        switch (rows)
        {
            case 8: Tile<Rows8>(kc, a, b, ldb, c, ldc, cScale); break;
            case 7: Tile<Rows7>(kc, a, b, ldb, c, ldc, cScale); break;
            case 6: Tile<Rows6>(kc, a, b, ldb, c, ldc, cScale); break;
            case 5: Tile<Rows5>(kc, a, b, ldb, c, ldc, cScale); break;
            case 4: Tile<Rows4>(kc, a, b, ldb, c, ldc, cScale); break;
            case 3: Tile<Rows3>(kc, a, b, ldb, c, ldc, cScale); break;
            case 2: Tile<Rows2>(kc, a, b, ldb, c, ldc, cScale); break;
            case 1: Tile<Rows1>(kc, a, b, ldb, c, ldc, cScale); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 8 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T>(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale) where T : struct, IRowCount
    {
        Vector128<float> c00 = default, c01 = default, c02 = default;
        Vector128<float> c10 = default, c11 = default, c12 = default;
        Vector128<float> c20 = default, c21 = default, c22 = default;
        Vector128<float> c30 = default, c31 = default, c32 = default;
        Vector128<float> c40 = default, c41 = default, c42 = default;
        Vector128<float> c50 = default, c51 = default, c52 = default;
        Vector128<float> c60 = default, c61 = default, c62 = default;
        Vector128<float> c70 = default, c71 = default, c72 = default;
        if (cScale != 0f)
        {
            var s = Vector128.Create(cScale);
            float* cr = c;
            if (T.N > 0) { c00 = Vector128.Load(cr) * s; c01 = Vector128.Load(cr + 4) * s; c02 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 1) { c10 = Vector128.Load(cr) * s; c11 = Vector128.Load(cr + 4) * s; c12 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 2) { c20 = Vector128.Load(cr) * s; c21 = Vector128.Load(cr + 4) * s; c22 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 3) { c30 = Vector128.Load(cr) * s; c31 = Vector128.Load(cr + 4) * s; c32 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 4) { c40 = Vector128.Load(cr) * s; c41 = Vector128.Load(cr + 4) * s; c42 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 5) { c50 = Vector128.Load(cr) * s; c51 = Vector128.Load(cr + 4) * s; c52 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 6) { c60 = Vector128.Load(cr) * s; c61 = Vector128.Load(cr + 4) * s; c62 = Vector128.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 7) { c70 = Vector128.Load(cr) * s; c71 = Vector128.Load(cr + 4) * s; c72 = Vector128.Load(cr + 8) * s; cr += ldc; }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector128.Load(b);
            var b1 = Vector128.Load(b + 4);
            var b2 = Vector128.Load(b + 8);
            Vector128<float> x;
            if (T.N > 0) { x = Vector128.Create(a[0]); c00 = Vector128.FusedMultiplyAdd(x, b0, c00); c01 = Vector128.FusedMultiplyAdd(x, b1, c01); c02 = Vector128.FusedMultiplyAdd(x, b2, c02); }
            if (T.N > 1) { x = Vector128.Create(a[1]); c10 = Vector128.FusedMultiplyAdd(x, b0, c10); c11 = Vector128.FusedMultiplyAdd(x, b1, c11); c12 = Vector128.FusedMultiplyAdd(x, b2, c12); }
            if (T.N > 2) { x = Vector128.Create(a[2]); c20 = Vector128.FusedMultiplyAdd(x, b0, c20); c21 = Vector128.FusedMultiplyAdd(x, b1, c21); c22 = Vector128.FusedMultiplyAdd(x, b2, c22); }
            if (T.N > 3) { x = Vector128.Create(a[3]); c30 = Vector128.FusedMultiplyAdd(x, b0, c30); c31 = Vector128.FusedMultiplyAdd(x, b1, c31); c32 = Vector128.FusedMultiplyAdd(x, b2, c32); }
            if (T.N > 4) { x = Vector128.Create(a[4]); c40 = Vector128.FusedMultiplyAdd(x, b0, c40); c41 = Vector128.FusedMultiplyAdd(x, b1, c41); c42 = Vector128.FusedMultiplyAdd(x, b2, c42); }
            if (T.N > 5) { x = Vector128.Create(a[5]); c50 = Vector128.FusedMultiplyAdd(x, b0, c50); c51 = Vector128.FusedMultiplyAdd(x, b1, c51); c52 = Vector128.FusedMultiplyAdd(x, b2, c52); }
            if (T.N > 6) { x = Vector128.Create(a[6]); c60 = Vector128.FusedMultiplyAdd(x, b0, c60); c61 = Vector128.FusedMultiplyAdd(x, b1, c61); c62 = Vector128.FusedMultiplyAdd(x, b2, c62); }
            if (T.N > 7) { x = Vector128.Create(a[7]); c70 = Vector128.FusedMultiplyAdd(x, b0, c70); c71 = Vector128.FusedMultiplyAdd(x, b1, c71); c72 = Vector128.FusedMultiplyAdd(x, b2, c72); }
            a += 8;
            b += ldb;
        }
        {
            float* cr = c;
            if (T.N > 0) { c00.Store(cr); c01.Store(cr + 4); c02.Store(cr + 8); cr += ldc; }
            if (T.N > 1) { c10.Store(cr); c11.Store(cr + 4); c12.Store(cr + 8); cr += ldc; }
            if (T.N > 2) { c20.Store(cr); c21.Store(cr + 4); c22.Store(cr + 8); cr += ldc; }
            if (T.N > 3) { c30.Store(cr); c31.Store(cr + 4); c32.Store(cr + 8); cr += ldc; }
            if (T.N > 4) { c40.Store(cr); c41.Store(cr + 4); c42.Store(cr + 8); cr += ldc; }
            if (T.N > 5) { c50.Store(cr); c51.Store(cr + 4); c52.Store(cr + 8); cr += ldc; }
            if (T.N > 6) { c60.Store(cr); c61.Store(cr + 4); c62.Store(cr + 8); cr += ldc; }
            if (T.N > 7) { c70.Store(cr); c71.Store(cr + 4); c72.Store(cr + 8); cr += ldc; }
        }
    }
}
