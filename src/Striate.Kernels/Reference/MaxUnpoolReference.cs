// Naive max unpooling, the oracle for MaxUnpoolKernel:
//   Forward:  y = 0; for every (n, c, i) in order: y[n, c, indices[n,c,i]] = x[n,c,i]
//   Backward: dx[n,c,i] += dy[n, c, indices[n,c,i]]
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive max unpooling, generic so gradient checks can run in double.</summary>
public static class MaxUnpoolReference
{
    /// <summary>y of max unpooling (formula in the file header); overwritten.</summary>
    /// <param name="planes">N·C.</param>
    /// <param name="inputPlane">Cells per input plane.</param>
    /// <param name="outputPlane">Cells per output plane.</param>
    /// <param name="x">Input (N, C, inputPlane).</param>
    /// <param name="indices">Target positions (N, C, inputPlane).</param>
    /// <param name="y">Output (N, C, outputPlane).</param>
    public static void Forward<T>(int planes, int inputPlane, int outputPlane, ReadOnlySpan<T> x, ReadOnlySpan<int> indices, Span<T> y)
        where T : IFloatingPointIeee754<T>
    {
        y[..(planes * outputPlane)].Clear();
        for (int nc = 0; nc < planes; nc++)
            for (int i = 0; i < inputPlane; i++)
                y[nc * outputPlane + indices[nc * inputPlane + i]] = x[nc * inputPlane + i];
    }

    /// <summary>dx[n,c,i] += dy[n, c, indices[n,c,i]].</summary>
    /// <param name="planes">N·C.</param>
    /// <param name="inputPlane">Cells per input plane.</param>
    /// <param name="outputPlane">Cells per output plane.</param>
    /// <param name="dy">Output gradient (N, C, outputPlane).</param>
    /// <param name="indices">Target positions (N, C, inputPlane).</param>
    /// <param name="dx">Input gradient (N, C, inputPlane), added to.</param>
    public static void Backward<T>(int planes, int inputPlane, int outputPlane, ReadOnlySpan<T> dy, ReadOnlySpan<int> indices, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        for (int nc = 0; nc < planes; nc++)
            for (int i = 0; i < inputPlane; i++)
                dx[nc * inputPlane + i] += dy[nc * outputPlane + indices[nc * inputPlane + i]];
    }
}
