// Naive batch normalization, the oracle for BatchNormKernel:
//   x, y: (N, C, inner);  per channel c over its m = N·inner values:
//   μ = (1/m) Σ x,  σ² = (1/m) Σ (x − μ)²,  x̂ = (x − μ)/√(σ² + ε),  y = γ·x̂ + β
//   Training backward with the Jacobian written out element by element (k, j in the same channel):
//     ∂y_k/∂x_j = γ/√(σ² + ε) · ([k = j] − 1/m − x̂_k·x̂_j/m),   dx_j += Σ_k dy_k·∂y_k/∂x_j
//   dγ += Σ dy·x̂,  dβ += Σ dy;  with given statistics ∂y_k/∂x_j = [k = j]·γ/√(σ² + ε).
// O(m²) per channel: for small test shapes only.
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Naive batch normalization, generic so gradient checks can run in double.</summary>
public static class BatchNormReference
{
    /// <summary>Forward (formula in the file header). With <paramref name="training"/> the batch statistics are computed into
    /// <paramref name="mean"/> and <paramref name="variance"/>; otherwise they are read from them.</summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="inner">Positions per channel and batch item.</param>
    /// <param name="weight">γ (C), or empty for 1.</param>
    /// <param name="bias">β (C), or empty for 0.</param>
    /// <param name="eps">ε.</param>
    /// <param name="training">Whether to use (and output) the batch statistics.</param>
    /// <param name="mean">μ (C): output when training, input otherwise.</param>
    /// <param name="variance">Biased σ² (C): output when training, input otherwise.</param>
    /// <param name="y">Output (N, C, inner).</param>
    public static void Forward<T>(ReadOnlySpan<T> x, int n, int c, int inner, ReadOnlySpan<T> weight, ReadOnlySpan<T> bias, T eps, bool training,
        Span<T> mean, Span<T> variance, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        T m = T.CreateChecked(n * inner);
        for (int ch = 0; ch < c; ch++)
        {
            if (training)
            {
                T sum = T.Zero;
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < inner; i++) sum += x[(b * c + ch) * inner + i];
                T mu = sum / m, squares = T.Zero;
                for (int b = 0; b < n; b++)
                    for (int i = 0; i < inner; i++)
                    {
                        T d = x[(b * c + ch) * inner + i] - mu;
                        squares += d * d;
                    }
                mean[ch] = mu;
                variance[ch] = squares / m;
            }
            T gamma = weight.IsEmpty ? T.One : weight[ch], beta = bias.IsEmpty ? T.Zero : bias[ch];
            T inv = T.One / T.Sqrt(variance[ch] + eps);
            for (int b = 0; b < n; b++)
                for (int i = 0; i < inner; i++)
                {
                    int at = (b * c + ch) * inner + i;
                    y[at] = gamma * (x[at] - mean[ch]) * inv + beta;
                }
        }
    }

    /// <summary>dx += Jᵀ·dy (Jacobian in the file header), dγ += Σ dy·x̂, dβ += Σ dy.</summary>
    /// <param name="x">Forward input (N, C, inner).</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="inner">Positions per channel and batch item.</param>
    /// <param name="mean">μ of the forward (C).</param>
    /// <param name="variance">σ² of the forward (C).</param>
    /// <param name="weight">γ (C), or empty for 1.</param>
    /// <param name="eps">ε.</param>
    /// <param name="training">Whether the statistics were the batch's.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="dWeight">dγ (C), added to.</param>
    /// <param name="dBias">dβ (C), added to.</param>
    public static void Backward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> dy, int n, int c, int inner, ReadOnlySpan<T> mean, ReadOnlySpan<T> variance,
        ReadOnlySpan<T> weight, T eps, bool training, Span<T> dx, Span<T> dWeight, Span<T> dBias) where T : IFloatingPointIeee754<T>
    {
        int m = n * inner;
        T mT = T.CreateChecked(m);
        for (int ch = 0; ch < c; ch++)
        {
            T gamma = weight.IsEmpty ? T.One : weight[ch];
            T inv = T.One / T.Sqrt(variance[ch] + eps);
            T mu = mean[ch];
            int Index(int k) => (k / inner * c + ch) * inner + k % inner; // k-th value of the channel, in (n, i) order
            T Hat(ReadOnlySpan<T> xs, int k) => (xs[Index(k)] - mu) * inv;
            for (int k = 0; k < m; k++)
            {
                dBias[ch] += dy[Index(k)];
                dWeight[ch] += dy[Index(k)] * Hat(x, k);
            }
            for (int j = 0; j < m; j++)
            {
                T g = T.Zero;
                for (int k = 0; k < m; k++)
                {
                    T jacobian = k == j ? gamma * inv : T.Zero;
                    if (training) jacobian -= gamma * inv * (T.One + Hat(x, k) * Hat(x, j)) / mT;
                    g += dy[Index(k)] * jacobian;
                }
                dx[Index(j)] += g;
            }
        }
    }
}
