// The contract every GEMM micro-kernel meets, and the row counts its partial tiles are compiled for.
//
// A micro-kernel updates one register tile of C, `rows` × Nr (rows ≤ Mr), from a packed sliver of
// A and a sliver of B:
//   acc[r, j] = cScale · c[r·ldc + j]           (cScale = 0: C is not read, so NaN in C is ignored)
//   acc[r, j] = fma(a[p·Mr + r], b[p·ldb + j], acc[r, j])      for p = 0 .. kc−1, in that order
//   c[r·ldc + j] = acc[r, j]
// a: kc × Mr (k-major, Mr values per k; rows ≥ `rows` are never read).  b: kc rows of Nr values,
// ldb apart (Nr when packed, n when read straight from a row-major B).  c: rows × Nr, ldc apart.
//
// Every variant performs exactly these fused multiply-adds in exactly this order, so every variant,
// block size, packing choice and thread count produces the same bits: the tests compare them for
// equality, not within a tolerance.
namespace Striate.Kernels.Gemm;

/// <summary>A register-tiled GEMM micro-kernel with its tile (Mr × Nr) and cache-block sizes.</summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of C per tile (the height of a packed A sliver).</summary>
    static abstract int Mr { get; }

    /// <summary>Columns of C per tile (the width of a B sliver).</summary>
    static abstract int Nr { get; }

    /// <summary>Depth of one k block: a B sliver of Kc × Nr stays in L1 while A slivers stream past it.</summary>
    static abstract int Kc { get; }

    /// <summary>Largest row block: the packed Mc × Kc block of A stays in L2.</summary>
    static abstract int Mc { get; }

    /// <summary>Widest column block: the packed Kc × Nc block of B stays in L3.</summary>
    static abstract int Nc { get; }

    /// <summary>Whether this machine can run the kernel.</summary>
    static abstract bool IsSupported { get; }

    /// <summary>Updates a <paramref name="rows"/> × Nr tile of C (contract in the file header).</summary>
    static abstract void Run(int rows, int kc, float* a, float* b, nint ldb, float* c, nint ldc, float cScale);
}

/// <summary>A row count fixed at JIT time, so a partial tile compiles to code with only its live accumulators.</summary>
internal interface IRowCount
{
    /// <summary>The number of rows.</summary>
    static abstract int N { get; }
}

// One type per partial-tile height; the JIT specialises each micro-kernel per type and folds `if (T.N > r)` away.
internal struct Rows1 : IRowCount { public static int N => 1; }
internal struct Rows2 : IRowCount { public static int N => 2; }
internal struct Rows3 : IRowCount { public static int N => 3; }
internal struct Rows4 : IRowCount { public static int N => 4; }
internal struct Rows5 : IRowCount { public static int N => 5; }
internal struct Rows6 : IRowCount { public static int N => 6; }
internal struct Rows7 : IRowCount { public static int N => 7; }
internal struct Rows8 : IRowCount { public static int N => 8; }
internal struct Rows9 : IRowCount { public static int N => 9; }
internal struct Rows10 : IRowCount { public static int N => 10; }
internal struct Rows11 : IRowCount { public static int N => 11; }
internal struct Rows12 : IRowCount { public static int N => 12; }
internal struct Rows13 : IRowCount { public static int N => 13; }
internal struct Rows14 : IRowCount { public static int N => 14; }
