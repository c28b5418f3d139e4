// Naive local response normalization, the oracle for LocalResponseNormKernel:
//   x, y: (N, C, inner)
//   s[n,c,i] = k + α′ · Σ_{c′ = max(0, c − before)}^{min(C−1, c + after)} x[n,c′,i]²,   y = x · s^(−β)
//   dx[n,j,i] += Σ_c dy[n,c,i] · ∂y_c/∂x_j  with the Jacobian written out element by element:
//                ∂y_c/∂x_j = [c = j]·s_c^(−β) − β·x_c·s_c^(−β−1)·2α′·x_j·[c − before ≤ j ≤ c + after]
// Unlike the kernel, it loops over (c, j) pairs and tests window membership directly, so it does not
// share the kernel's inverted window bounds.
using System.Numerics;
using Striate.Kernels.Normalization;

namespace Striate.Kernels.Reference;

/// <summary>Naive local response normalization, generic so gradient checks can run in double.</summary>
public static class LocalResponseNormReference
{
    /// <summary>y = x·s^(−β) (formula in the file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="inner">Positions per channel.</param>
    /// <param name="window">Window and constants.</param>
    /// <param name="y">Output (N, C, inner).</param>
    public static void Forward<T>(ReadOnlySpan<T> x, int n, int c, int inner, LrnWindow window, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        T beta = T.CreateChecked(window.Beta);
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < inner; i++)
        {
            T s = Scale(x, b, ch, i, c, inner, window);
            y[(b * c + ch) * inner + i] = x[(b * c + ch) * inner + i] * T.Pow(s, -beta);
        }
    }

    /// <summary>dx += Jᵀ·dy with the Jacobian of the file header.</summary>
    /// <param name="x">Forward input (N, C, inner).</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="inner">Positions per channel.</param>
    /// <param name="window">Window and constants.</param>
    /// <param name="dx">Input gradient, added to.</param>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int n, int c, int inner, LrnWindow window, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        T beta = T.CreateChecked(window.Beta), alpha = T.CreateChecked(window.Alpha), two = T.CreateChecked(2);
        for (int b = 0; b < n; b++)
        for (int i = 0; i < inner; i++)
        for (int j = 0; j < c; j++)
        {
            T xj = x[(b * c + j) * inner + i], g = T.Zero;
            for (int ch = 0; ch < c; ch++)
            {
                T s = Scale(x, b, ch, i, c, inner, window), xc = x[(b * c + ch) * inner + i];
                T jacobian = ch == j ? T.Pow(s, -beta) : T.Zero;
                if (ch - window.Before <= j && j <= ch + window.After)
                    jacobian -= beta * xc * T.Pow(s, -beta - T.One) * two * alpha * xj;
                g += dy[(b * c + ch) * inner + i] * jacobian;
            }
            dx[(b * c + j) * inner + i] += g;
        }
    }

    private static T Scale<T>(ReadOnlySpan<T> x, int b, int ch, int i, int c, int inner, LrnWindow window) where T : IFloatingPointIeee754<T>
    {
        T sum = T.Zero;
        for (int cc = ch - window.Before; cc <= ch + window.After; cc++)
        {
            if (cc < 0 || cc >= c) continue;
            T v = x[(b * c + cc) * inner + i];
            sum += v * v;
        }
        return T.CreateChecked(window.K) + T.CreateChecked(window.Alpha) * sum;
    }
}
