// The AVX-512 micro-kernel: a 14×32 tile of C in 28 Vector512 accumulators (of the 32 zmm registers,
// two hold the B row and one the broadcast A value). Contract and operation order: GemmMicroKernel.cs.
//   acc[r, 0:32] = fma(broadcast(a[p·14 + r]), b[p·ldb + 0:32], acc[r, 0:32])   for p = 0 .. kc−1
// Why 14×32: 28 independent FMA chains hide the 4-cycle FMA latency of two FMA pipes several times over,
// and a k step needs 2 vector loads and 14 broadcasts for 28 FMAs, inside two loads per cycle.
// Blocks (AVX-512 cores: Zen 4/5 with 32–48 KB L1d and 1 MB L2): the 168 × 512 A block is 336 KB (L2);
// the 512 × 2048 B block is 4 MB (L3). Kc = 512 is deeper than an L1-resident B sliver (64 KB) would allow:
// measured on Zen 5 at 1024³, fewer passes over C (each reads and writes the whole of C) won more than
// L1 residency, since streaming the sliver from L2 needs under 10 B/cycle of its 64 B/cycle.
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Striate.Kernels.Gemm;

/// <summary>14×32 register tile on AVX-512F fused multiply-adds.</summary>
internal unsafe struct Gemm14x32Avx512 : IGemmMicroKernel
{
    public static int Mr => 14;
    public static int Nr => 32;
    public static int Kc => 512;
    public static int Mc => 168;
    public static int Nc => 2048;
    public static bool IsSupported => Avx512F.IsSupported;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int rows, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale)
    {
        switch (rows)
        {
            case 14: Tile<Rows14>(kc, a, b, ldb, c, ldc, cScale); break;
            case 13: Tile<Rows13>(kc, a, b, ldb, c, ldc, cScale); break;
            case 12: Tile<Rows12>(kc, a, b, ldb, c, ldc, cScale); break;
            case 11: Tile<Rows11>(kc, a, b, ldb, c, ldc, cScale); break;
            case 10: Tile<Rows10>(kc, a, b, ldb, c, ldc, cScale); break;
            case 9: Tile<Rows9>(kc, a, b, ldb, c, ldc, cScale); break;
            case 8: Tile<Rows8>(kc, a, b, ldb, c, ldc, cScale); break;
            case 7: Tile<Rows7>(kc, a, b, ldb, c, ldc, cScale); break;
            case 6: Tile<Rows6>(kc, a, b, ldb, c, ldc, cScale); break;
            case 5: Tile<Rows5>(kc, a, b, ldb, c, ldc, cScale); break;
            case 4: Tile<Rows4>(kc, a, b, ldb, c, ldc, cScale); break;
            case 3: Tile<Rows3>(kc, a, b, ldb, c, ldc, cScale); break;
            case 2: Tile<Rows2>(kc, a, b, ldb, c, ldc, cScale); break;
            case 1: Tile<Rows1>(kc, a, b, ldb, c, ldc, cScale); break;
            default: throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 14 rows.");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T>(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale) where T : struct, IRowCount
    {
        Vector512<float> c00 = default, c01 = default;
        Vector512<float> c10 = default, c11 = default;
        Vector512<float> c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default;
        Vector512<float> c40 = default, c41 = default;
        Vector512<float> c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default;
        Vector512<float> c70 = default, c71 = default;
        Vector512<float> c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default;
        Vector512<float> cA0 = default, cA1 = default;
        Vector512<float> cB0 = default, cB1 = default;
        Vector512<float> cC0 = default, cC1 = default;
        Vector512<float> cD0 = default, cD1 = default;
        if (cScale != 0f)
        {
            var s = Vector512.Create(cScale);
            float* cr = c;
            if (T.N > 0) { c00 = Vector512.Load(cr) * s; c01 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 1) { c10 = Vector512.Load(cr) * s; c11 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 2) { c20 = Vector512.Load(cr) * s; c21 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 3) { c30 = Vector512.Load(cr) * s; c31 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 4) { c40 = Vector512.Load(cr) * s; c41 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 5) { c50 = Vector512.Load(cr) * s; c51 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 6) { c60 = Vector512.Load(cr) * s; c61 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 7) { c70 = Vector512.Load(cr) * s; c71 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 8) { c80 = Vector512.Load(cr) * s; c81 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 9) { c90 = Vector512.Load(cr) * s; c91 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 10) { cA0 = Vector512.Load(cr) * s; cA1 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 11) { cB0 = Vector512.Load(cr) * s; cB1 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 12) { cC0 = Vector512.Load(cr) * s; cC1 = Vector512.Load(cr + 16) * s; cr += ldc; }
            if (T.N > 13) { cD0 = Vector512.Load(cr) * s; cD1 = Vector512.Load(cr + 16) * s; cr += ldc; }
        }
        for (int p = 0; p < kc; p++)
        {
            var b0 = Vector512.Load(b);
            var b1 = Vector512.Load(b + 16);
            Vector512<float> x;
            if (T.N > 0) { x = Vector512.Create(a[0]); c00 = Avx512F.FusedMultiplyAdd(x, b0, c00); c01 = Avx512F.FusedMultiplyAdd(x, b1, c01); }
            if (T.N > 1) { x = Vector512.Create(a[1]); c10 = Avx512F.FusedMultiplyAdd(x, b0, c10); c11 = Avx512F.FusedMultiplyAdd(x, b1, c11); }
            if (T.N > 2) { x = Vector512.Create(a[2]); c20 = Avx512F.FusedMultiplyAdd(x, b0, c20); c21 = Avx512F.FusedMultiplyAdd(x, b1, c21); }
            if (T.N > 3) { x = Vector512.Create(a[3]); c30 = Avx512F.FusedMultiplyAdd(x, b0, c30); c31 = Avx512F.FusedMultiplyAdd(x, b1, c31); }
            if (T.N > 4) { x = Vector512.Create(a[4]); c40 = Avx512F.FusedMultiplyAdd(x, b0, c40); c41 = Avx512F.FusedMultiplyAdd(x, b1, c41); }
            if (T.N > 5) { x = Vector512.Create(a[5]); c50 = Avx512F.FusedMultiplyAdd(x, b0, c50); c51 = Avx512F.FusedMultiplyAdd(x, b1, c51); }
            if (T.N > 6) { x = Vector512.Create(a[6]); c60 = Avx512F.FusedMultiplyAdd(x, b0, c60); c61 = Avx512F.FusedMultiplyAdd(x, b1, c61); }
            if (T.N > 7) { x = Vector512.Create(a[7]); c70 = Avx512F.FusedMultiplyAdd(x, b0, c70); c71 = Avx512F.FusedMultiplyAdd(x, b1, c71); }
            if (T.N > 8) { x = Vector512.Create(a[8]); c80 = Avx512F.FusedMultiplyAdd(x, b0, c80); c81 = Avx512F.FusedMultiplyAdd(x, b1, c81); }
            if (T.N > 9) { x = Vector512.Create(a[9]); c90 = Avx512F.FusedMultiplyAdd(x, b0, c90); c91 = Avx512F.FusedMultiplyAdd(x, b1, c91); }
            if (T.N > 10) { x = Vector512.Create(a[10]); cA0 = Avx512F.FusedMultiplyAdd(x, b0, cA0); cA1 = Avx512F.FusedMultiplyAdd(x, b1, cA1); }
            if (T.N > 11) { x = Vector512.Create(a[11]); cB0 = Avx512F.FusedMultiplyAdd(x, b0, cB0); cB1 = Avx512F.FusedMultiplyAdd(x, b1, cB1); }
            if (T.N > 12) { x = Vector512.Create(a[12]); cC0 = Avx512F.FusedMultiplyAdd(x, b0, cC0); cC1 = Avx512F.FusedMultiplyAdd(x, b1, cC1); }
            if (T.N > 13) { x = Vector512.Create(a[13]); cD0 = Avx512F.FusedMultiplyAdd(x, b0, cD0); cD1 = Avx512F.FusedMultiplyAdd(x, b1, cD1); }
            a += 14;
            b += ldb;
        }
        {
            float* cr = c;
            if (T.N > 0) { c00.Store(cr); c01.Store(cr + 16); cr += ldc; }
            if (T.N > 1) { c10.Store(cr); c11.Store(cr + 16); cr += ldc; }
            if (T.N > 2) { c20.Store(cr); c21.Store(cr + 16); cr += ldc; }
            if (T.N > 3) { c30.Store(cr); c31.Store(cr + 16); cr += ldc; }
            if (T.N > 4) { c40.Store(cr); c41.Store(cr + 16); cr += ldc; }
            if (T.N > 5) { c50.Store(cr); c51.Store(cr + 16); cr += ldc; }
            if (T.N > 6) { c60.Store(cr); c61.Store(cr + 16); cr += ldc; }
            if (T.N > 7) { c70.Store(cr); c71.Store(cr + 16); cr += ldc; }
            if (T.N > 8) { c80.Store(cr); c81.Store(cr + 16); cr += ldc; }
            if (T.N > 9) { c90.Store(cr); c91.Store(cr + 16); cr += ldc; }
            if (T.N > 10) { cA0.Store(cr); cA1.Store(cr + 16); cr += ldc; }
            if (T.N > 11) { cB0.Store(cr); cB1.Store(cr + 16); cr += ldc; }
            if (T.N > 12) { cC0.Store(cr); cC1.Store(cr + 16); cr += ldc; }
            if (T.N > 13) { cD0.Store(cr); cD1.Store(cr + 16); cr += ldc; }
        }
    }
}
