// The portable fallback micro-kernel: a 4×4 tile of C in plain float arithmetic (one row of four
// accumulators at a time), for machines with neither AVX2 nor ARM64 NEON.
// Contract and operation order: GemmMicroKernel.cs.
//   acc[r, j] = MathF.FusedMultiplyAdd(a[p·4 + r], b[p·ldb + j], acc[r, j])   for p = 0 .. kc−1
// MathF.FusedMultiplyAdd rounds once, like the vector FMA instructions, so this kernel produces the
// same bits as every other variant (on hardware without FMA it is emulated: correct, but slow).
using System.Runtime.CompilerServices;

namespace Striate.Kernels.Gemm;

/// <summary>4×4 register tile on scalar fused multiply-adds.</summary>
internal unsafe struct Gemm4x4Scalar : IGemmMicroKernel
{
    public static int Mr => 4;
    public static int Nr => 4;
    public static int Kc => 256;
    public static int Mc => 128;
    public static int Nc => 4096;
    public static bool IsSupported => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(int rows, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale)
    {
        if (rows is < 1 or > 4) throw new ArgumentOutOfRangeException(nameof(rows), rows, "A tile has 1 to 4 rows.");
        for (int r = 0; r < rows; r++)
        {
            float* cr = c + r * ldc;
            float c0 = 0f, c1 = 0f, c2 = 0f, c3 = 0f;
            if (cScale != 0f)
            {
                c0 = cScale * cr[0];
                c1 = cScale * cr[1];
                c2 = cScale * cr[2];
                c3 = cScale * cr[3];
            }
            float* ap = a + r;
            float* bp = b;
            for (int p = 0; p < kc; p++)
            {
                float x = *ap;
                c0 = MathF.FusedMultiplyAdd(x, bp[0], c0);
                c1 = MathF.FusedMultiplyAdd(x, bp[1], c1);
                c2 = MathF.FusedMultiplyAdd(x, bp[2], c2);
                c3 = MathF.FusedMultiplyAdd(x, bp[3], c3);
                ap += 4;
                bp += ldb;
            }
            cr[0] = c0;
            cr[1] = c1;
            cr[2] = c2;
            cr[3] = c3;
        }
    }
}
