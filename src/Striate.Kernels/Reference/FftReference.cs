// Naive discrete Fourier transform, the oracle for FftPlan (O(n²), generic so tests run it in double):
//   Forward:  X[k] = Σ_{j<n} x[j] · e^{−2πi·jk/n}
//   Inverse:  x[j] = (1/n) · Σ_{k<n} X[k] · e^{+2πi·jk/n}
// The angle 2π·(jk mod n)/n is reduced before the cosine and sine so large products keep full accuracy.
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>The DFT by its definition.</summary>
public static class FftReference
{
    /// <summary>(outRe, outIm) = DFT of (re, im): X[k] = Σ_j x[j]·e^{∓2πi·jk/n}, divided by n for the inverse.</summary>
    /// <param name="re">Real parts of x, n values.</param>
    /// <param name="im">Imaginary parts of x, n values.</param>
    /// <param name="outRe">Real parts of X, n values, overwritten.</param>
    /// <param name="outIm">Imaginary parts of X, n values, overwritten.</param>
    /// <param name="inverse">The inverse transform (positive exponent, scaled by 1/n).</param>
    /// <exception cref="ArgumentException">The spans do not all hold the same number of values.</exception>
    public static void Transform<T>(ReadOnlySpan<T> re, ReadOnlySpan<T> im, Span<T> outRe, Span<T> outIm, bool inverse = false)
        where T : IFloatingPointIeee754<T>
    {
        int n = re.Length;
        if (im.Length != n || outRe.Length != n || outIm.Length != n)
            throw new ArgumentException($"re, im, outRe and outIm must have the same length, got {n}, {im.Length}, {outRe.Length}, {outIm.Length}.", nameof(im));
        T sign = inverse ? T.One : -T.One;
        T scale = inverse ? T.One / T.CreateChecked(n) : T.One;
        for (int k = 0; k < n; k++)
        {
            T sumRe = T.Zero, sumIm = T.Zero;
            for (int j = 0; j < n; j++)
            {
                T angle = T.CreateChecked(2 * Math.PI * ((long)j * k % n) / n);
                T c = T.Cos(angle), s = sign * T.Sin(angle);
                sumRe += re[j] * c - im[j] * s;
                sumIm += re[j] * s + im[j] * c;
            }
            outRe[k] = sumRe * scale;
            outIm[k] = sumIm * scale;
        }
    }
}
