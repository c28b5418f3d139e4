// Naive maxout, the oracle for MaxoutKernel:
//   y[n,c,l] = max_{j < k} x[n, c·k + j, l] (first maximum wins, a NaN always wins); indices = that j
//   dx[n, c·k + indices[n,c,l], l] += dy[n,c,l]
// Written element by element with j innermost (the kernel runs j outermost).
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive maxout, generic so gradient checks can run in double.</summary>
public static class MaxoutReference
{
    /// <summary>y and indices of maxout (formula in the file header); both overwritten.</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Output channels C.</param>
    /// <param name="poolSize">k.</param>
    /// <param name="plane">L.</param>
    /// <param name="x">Input (N, C·k, L).</param>
    /// <param name="y">Output (N, C, L).</param>
    /// <param name="indices">Winning j (N, C, L).</param>
    public static void Forward<T>(int n, int channels, int poolSize, int plane, ReadOnlySpan<T> x, Span<T> y, Span<int> indices)
        where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
        for (int c = 0; c < channels; c++)
        for (int l = 0; l < plane; l++)
        {
            T best = T.NegativeInfinity;
            int winner = -1;
            for (int j = 0; j < poolSize; j++)
            {
                T value = x[((b * channels + c) * poolSize + j) * plane + l];
                if (winner < 0 || value > best || T.IsNaN(value))
                {
                    best = value;
                    winner = j;
                }
            }
            y[(b * channels + c) * plane + l] = best;
            indices[(b * channels + c) * plane + l] = winner;
        }
    }

    /// <summary>dx[n, c·k + indices[n,c,l], l] += dy[n,c,l].</summary>
    /// <param name="n">Batch size.</param>
    /// <param name="channels">Output channels C.</param>
    /// <param name="poolSize">k.</param>
    /// <param name="plane">L.</param>
    /// <param name="dy">Output gradient (N, C, L).</param>
    /// <param name="indices">Winning j from <see cref="Forward{T}"/>.</param>
    /// <param name="dx">Input gradient (N, C·k, L), added to.</param>
    public static void Backward<T>(int n, int channels, int poolSize, int plane, ReadOnlySpan<T> dy, ReadOnlySpan<int> indices, Span<T> dx)
        where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
        for (int c = 0; c < channels; c++)
        for (int l = 0; l < plane; l++)
        {
            int o = (b * channels + c) * plane + l;
            dx[((b * channels + c) * poolSize + indices[o]) * plane + l] += dy[o];
        }
    }
}
