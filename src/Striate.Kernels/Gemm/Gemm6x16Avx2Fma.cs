// The AVX2 + FMA micro-kernel: a 6×16 tile of C in 12 Vector256 accumulators (of the 16 ymm registers,
// two hold the B row and one the broadcast A value). Contract and operation order: GemmMicroKernel.cs.
//   acc[r, 0:16] = fma(broadcast(a[p·6 + r]), b[p·ldb + 0:16], acc[r, 0:16])   for p = 0 .. kc−1
// Why 6×16: the largest tile that fits 16 registers; 12 independent FMA chains cover the FMA latency
// (4–5 cycles) of two FMA pipes, and a k step needs 2 loads and 6 broadcasts for 12 FMAs.
// Blocks (Zen 3: 32 KB L1d, 512 KB L2 per core, 32 MB L3): a 256 × 16 B sliver is 16 KB (L1);
// the 168 × 256 A block is 168 KB (L2); the 256 × 4080 B block is 3 MB (L3).
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Striate.Kernels.Gemm;

/// <summary>6×16 register tile on AVX2 with FMA3 fused multiply-adds.</summary>
internal unsafe struct Gemm6x16Avx2Fma : IGemmMicroKernel
{
    public static int Mr => 6;
    public static int Nr => 16;
    public static int Kc => 256;
    public static int Mc => 168;
    public static int Nc => 4080;
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int rows, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale)
    {
        switch (rows)
        {
            case 6: Tile<Rows6>(kc, a, b, ldb, c, ldc, cScale); break;
            case 5: Tile<Rows5>(kc, a, b, ldb, c, ldc, cScale); break;
            case 4: Tile<Rows4>(kc, a, b, ldb, c, ldc, cScale); break;
            case 3: Tile<Rows3>(kc, a, b, ldb, c, ldc, cScale); break;
            case 2: Tile<Rows2>(kc, a, b, ldb, c, ldc, cScale); break;
            case 1: Tile<Rows1>(kc, a, b, ldb, c, ldc, cScale); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 6 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T>(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale) where T : struct, IRowCount
    {
        Vector256<float> c00 = default, c01 = default;
        Vector256<float> c10 = default, c11 = default;
        Vector256<float> c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default;
        Vector256<float> c40 = default, c41 = default;
        Vector256<float> c50 = default, c51 = default;
        if (cScale != 0f)
        {
            var s = Vector256.Create(cScale);
            float* cr = c;
            if (T.N > 0) { c00 = Vector256.Load(cr) * s; c01 = Vector256.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 1) { c10 = Vector256.Load(cr) * s; c11 = Vector256.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 2) { c20 = Vector256.Load(cr) * s; c21 = Vector256.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 3) { c30 = Vector256.Load(cr) * s; c31 = Vector256.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 4) { c40 = Vector256.Load(cr) * s; c41 = Vector256.Load(cr + 8) * s; cr += ldc; }
            if (T.N > 5) { c50 = Vector256.Load(cr) * s; c51 = Vector256.Load(cr + 8) * s; cr += ldc; }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector256.Load(b);
            var b1 = Vector256.Load(b + 8);
            Vector256<float> x;
            if (T.N > 0) { x = Vector256.Create(a[0]); c00 = Fma.MultiplyAdd(x, b0, c00); c01 = Fma.MultiplyAdd(x, b1, c01); }
            if (T.N > 1) { x = Vector256.Create(a[1]); c10 = Fma.MultiplyAdd(x, b0, c10); c11 = Fma.MultiplyAdd(x, b1, c11); }
            if (T.N > 2) { x = Vector256.Create(a[2]); c20 = Fma.MultiplyAdd(x, b0, c20); c21 = Fma.MultiplyAdd(x, b1, c21); }
            if (T.N > 3) { x = Vector256.Create(a[3]); c30 = Fma.MultiplyAdd(x, b0, c30); c31 = Fma.MultiplyAdd(x, b1, c31); }
            if (T.N > 4) { x = Vector256.Create(a[4]); c40 = Fma.MultiplyAdd(x, b0, c40); c41 = Fma.MultiplyAdd(x, b1, c41); }
            if (T.N > 5) { x = Vector256.Create(a[5]); c50 = Fma.MultiplyAdd(x, b0, c50); c51 = Fma.MultiplyAdd(x, b1, c51); }
            a += 6;
            b += ldb;
        }
        {
            float* cr = c;
            if (T.N > 0) { c00.Store(cr); c01.Store(cr + 8); cr += ldc; }
            if (T.N > 1) { c10.Store(cr); c11.Store(cr + 8); cr += ldc; }
            if (T.N > 2) { c20.Store(cr); c21.Store(cr + 8); cr += ldc; }
            if (T.N > 3) { c30.Store(cr); c31.Store(cr + 8); cr += ldc; }
            if (T.N > 4) { c40.Store(cr); c41.Store(cr + 8); cr += ldc; }
            if (T.N > 5) { c50.Store(cr); c51.Store(cr + 8); cr += ldc; }
        }
    }
}
