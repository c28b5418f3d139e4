// Naive bilinear warping, the oracle for WarpKernel:
//   x: (C, H, W)  y: (C, H', W');  output (i, j) reads source point (u, v) (affine map or displacement field):
//   y[c, i, j] = Σ over the four neighbours (r, s) ∈ {⌊v⌋, ⌊v⌋+1} × {⌊u⌋, ⌊u⌋+1} of
//                (1 − |v − r|)(1 − |u − s|) · (x[c, r, s] inside the image, fill outside)
// Each output element is computed on its own in T (double in the tests), with no tap tables.
using System.Numerics;
using Striate.Kernels.Resample;

namespace Striate.Kernels.Reference;

/// <summary>Naive bilinear warping loops, generic so the oracle can run in double.</summary>
public static class WarpReference
{
    /// <summary>y[c, i, j] = bilinear(x[c], m₀j + m₁i + m₂, m₃j + m₄i + m₅) (file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes.</param>
    /// <param name="matrix">The inverse map m₀..m₅.</param>
    /// <param name="fill">The value read outside the input.</param>
    /// <param name="x">Input (C, H, W).</param>
    /// <param name="y">Output (C, H', W').</param>
    /// <exception cref="ArgumentException">Invalid geometry or a matrix that is not 6 values.</exception>
    public static void Affine<T>(WarpGeometry g, ReadOnlySpan<double> matrix, T fill, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        if (matrix.Length != 6) throw new ArgumentException($"An affine warp needs 6 matrix values, got {matrix.Length}.", nameof(matrix));
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.OutH; i++)
        for (int j = 0; j < g.OutW; j++)
        {
            T u = T.CreateChecked(matrix[0] * j + matrix[1] * i + matrix[2]);
            T v = T.CreateChecked(matrix[3] * j + matrix[4] * i + matrix[5]);
            y[(c * g.OutH + i) * g.OutW + j] = Sample(g, c, u, v, fill, x);
        }
    }

    /// <summary>y[c, i, j] = bilinear(x[c], j + dx[i, j], i + dy[i, j]) (file header); <paramref name="y"/> is overwritten.</summary>
    /// <param name="g">Sizes.</param>
    /// <param name="dx">Column displacements (H', W').</param>
    /// <param name="dy">Row displacements (H', W').</param>
    /// <param name="fill">The value read outside the input.</param>
    /// <param name="x">Input (C, H, W).</param>
    /// <param name="y">Output (C, H', W').</param>
    /// <exception cref="ArgumentException">Invalid geometry.</exception>
    public static void Displace<T>(WarpGeometry g, ReadOnlySpan<T> dx, ReadOnlySpan<T> dy, T fill, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        g.Validate();
        for (int c = 0; c < g.Channels; c++)
        for (int i = 0; i < g.OutH; i++)
        for (int j = 0; j < g.OutW; j++)
        {
            int o = i * g.OutW + j;
            y[(c * g.OutH + i) * g.OutW + j] = Sample(g, c, T.CreateChecked(j) + dx[o], T.CreateChecked(i) + dy[o], fill, x);
        }
    }

    private static T Sample<T>(WarpGeometry g, int c, T u, T v, T fill, ReadOnlySpan<T> x) where T : IFloatingPointIeee754<T>
    {
        // Far outside (or non-finite), all four neighbours read fill and their weights sum to 1.
        if (!(u > -T.One && u < T.CreateChecked(g.InW) && v > -T.One && v < T.CreateChecked(g.InH))) return fill;
        T sum = T.Zero;
        int r0 = int.CreateSaturating(T.Floor(v)), s0 = int.CreateSaturating(T.Floor(u));
        for (int r = r0; r <= r0 + 1; r++)
        for (int s = s0; s <= s0 + 1; s++)
        {
            T weight = (T.One - T.Abs(v - T.CreateChecked(r))) * (T.One - T.Abs(u - T.CreateChecked(s)));
            bool inside = r >= 0 && r < g.InH && s >= 0 && s < g.InW;
            sum += weight * (inside ? x[(c * g.InH + r) * g.InW + s] : fill);
        }
        return sum;
    }
}
