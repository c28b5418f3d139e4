// Complex fast Fourier transform of any length (mixed radix), Striate's own, for FFT convolution:
//   Forward:  X[k] = Σ_{j<n} x[j] · e^{−2πi·jk/n}
//   Inverse:  x[j] = (1/n) · Σ_{k<n} X[k] · e^{+2πi·jk/n}
// Data are split real and imaginary spans (re[j] + i·im[j]).
// Algorithm: recursive decimation in time (Cooley–Tukey) over the factors of n: n = r·m, the r
// decimated subsequences x[q + r·j] are transformed into consecutive blocks of m, then each output
// column k is combined by an r-point DFT of the twiddled block values:
//   X[k + s·m] = Σ_{q<r} (Y_q[k] · W_n^{q·k}) · W_r^{q·s},   W_n = e^{−2πi/n}
// Radix 4, 2 and 3 have hand-written butterflies; 5 and any larger prime factor use the r² definition
// (so a prime length costs O(n²), as a DFT). Twiddles W_N^j for the plan's length N are computed in
// double and stored in float; a sub-transform of length n uses every (N/n)-th. The inverse conjugates
// its input and output around the forward transform and scales by 1/n.
// Error: each output passes through log_r(n) butterflies; |error| ≲ c·u·log2(n)·‖x‖₂ per output (u = 2^-24).
using System.Buffers;

namespace Striate.Kernels.Fft;

/// <summary>A reusable plan for complex FFTs of one length: factors and twiddle factors, computed once. Thread-safe to share.</summary>
public sealed unsafe class FftPlan
{
    private readonly int[] _factors;
    private readonly float[] _cos;
    private readonly float[] _sin; // −sin(2πj/N): the imaginary part of W_N^j

    /// <summary>Plans transforms of <paramref name="length"/> complex values.</summary>
    /// <param name="length">n ≥ 1; lengths whose prime factors are 2, 3 and 5 are fastest (see <see cref="GoodSize"/>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is less than 1 or above 2^28.</exception>
    public FftPlan(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 1 << 28);
        Length = length;
        _factors = Factor(length);
        _cos = new float[length];
        _sin = new float[length];
        for (int j = 0; j < length; j++)
        {
            double angle = 2 * Math.PI * j / length;
            _cos[j] = (float)Math.Cos(angle);
            _sin[j] = (float)-Math.Sin(angle);
        }
    }

    /// <summary>The transform length n.</summary>
    public int Length { get; }

    /// <summary>The radices the transform runs, first stage first (4s, then 2, 3, 5, then other primes); none for n = 1.</summary>
    public IReadOnlyList<int> Factors => _factors;

    /// <summary>The smallest n ≥ <paramref name="minimum"/> whose only prime factors are 2, 3 and 5 (a fast length).</summary>
    /// <param name="minimum">Lower bound, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minimum"/> is less than 1 or above 2^28.</exception>
    public static int GoodSize(int minimum)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimum, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimum, 1 << 28);
        for (int n = minimum; ; n++)
        {
            int r = n;
            foreach (int p in (ReadOnlySpan<int>)[2, 3, 5])
                while (r % p == 0) r /= p;
            if (r == 1) return n;
        }
    }

    /// <summary>In place: (re, im) ← X with X[k] = Σ_j x[j]·e^{−2πi·jk/n}. Rents a 2n workspace.</summary>
    /// <param name="re">Real parts, n values.</param>
    /// <param name="im">Imaginary parts, n values.</param>
    /// <exception cref="ArgumentException">A span does not hold exactly n values.</exception>
    public void Forward(Span<float> re, Span<float> im)
    {
        float[] workspace = ArrayPool<float>.Shared.Rent(2 * Length);
        try
        {
            Forward(re, im, workspace);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(workspace);
        }
    }

    /// <summary>In place: (re, im) ← X with X[k] = Σ_j x[j]·e^{−2πi·jk/n}, using the caller's workspace (no allocation).</summary>
    /// <param name="re">Real parts, n values.</param>
    /// <param name="im">Imaginary parts, n values.</param>
    /// <param name="workspace">At least 2n floats, overwritten.</param>
    /// <exception cref="ArgumentException">A span does not hold exactly n values, or the workspace is shorter than 2n.</exception>
    public void Forward(Span<float> re, Span<float> im, Span<float> workspace)
    {
        Check(re, im, workspace);
        fixed (float* pr = re, pi = im, pw = workspace)
        {
            Transform(pr, pi, pw);
        }
    }

    /// <summary>In place: (re, im) ← x with x[j] = (1/n)·Σ_k X[k]·e^{+2πi·jk/n}. Rents a 2n workspace.</summary>
    /// <param name="re">Real parts, n values.</param>
    /// <param name="im">Imaginary parts, n values.</param>
    /// <exception cref="ArgumentException">A span does not hold exactly n values.</exception>
    public void Inverse(Span<float> re, Span<float> im)
    {
        float[] workspace = ArrayPool<float>.Shared.Rent(2 * Length);
        try
        {
            Inverse(re, im, workspace);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(workspace);
        }
    }

    /// <summary>In place: (re, im) ← x with x[j] = (1/n)·Σ_k X[k]·e^{+2πi·jk/n}, using the caller's workspace (no allocation).</summary>
    /// <param name="re">Real parts, n values.</param>
    /// <param name="im">Imaginary parts, n values.</param>
    /// <param name="workspace">At least 2n floats, overwritten.</param>
    /// <exception cref="ArgumentException">A span does not hold exactly n values, or the workspace is shorter than 2n.</exception>
    public void Inverse(Span<float> re, Span<float> im, Span<float> workspace)
    {
        Check(re, im, workspace);
        fixed (float* pr = re, pi = im, pw = workspace)
        {
            // ifft(X) = conj(fft(conj(X))) / n
            int n = Length;
            for (int j = 0; j < n; j++) pi[j] = -pi[j];
            Transform(pr, pi, pw);
            float scale = 1f / n;
            for (int j = 0; j < n; j++)
            {
                pr[j] *= scale;
                pi[j] = -pi[j] * scale;
            }
        }
    }

    private void Check(Span<float> re, Span<float> im, Span<float> workspace)
    {
        if (re.Length != Length) throw new ArgumentException($"re holds {re.Length} values, the plan is for {Length}.", nameof(re));
        if (im.Length != Length) throw new ArgumentException($"im holds {im.Length} values, the plan is for {Length}.", nameof(im));
        if (workspace.Length < 2 * Length) throw new ArgumentException($"workspace holds {workspace.Length} values, needs 2n = {2 * Length}.", nameof(workspace));
        if (re.Overlaps(im) || re.Overlaps(workspace) || im.Overlaps(workspace))
            throw new ArgumentException("re, im and workspace must not overlap.", nameof(workspace));
    }

    /// <summary>Copies x into the workspace and transforms it back into (re, im).</summary>
    private void Transform(float* re, float* im, float* workspace)
    {
        int n = Length;
        if (n == 1) return;
        float* sr = workspace, si = workspace + n;
        new ReadOnlySpan<float>(re, n).CopyTo(new Span<float>(sr, n));
        new ReadOnlySpan<float>(im, n).CopyTo(new Span<float>(si, n));
        int largest = _factors.Max();
        // Per radix: the twiddled inputs t (2r) and the twiddles (2r), reused by every butterfly.
        float* scratch = stackalloc float[largest <= 1024 ? 4 * largest : 0];
        float[]? rented = largest <= 1024 ? null : ArrayPool<float>.Shared.Rent(4 * largest);
        try
        {
            fixed (float* big = rented)
            {
                Recurse(sr, si, 1, re, im, n, 0, rented is null ? scratch : big);
            }
        }
        finally
        {
            if (rented is not null) ArrayPool<float>.Shared.Return(rented);
        }
    }

    /// <summary>out[0..n) = DFT of in[0], in[stride], …, in[(n − 1)·stride] (factors from <paramref name="level"/> on).</summary>
    private void Recurse(float* inRe, float* inIm, int stride, float* outRe, float* outIm, int n, int level, float* scratch)
    {
        int r = _factors[level], m = n / r;
        if (m == 1)
        {
            Butterfly(r, inRe, inIm, stride, outRe, outIm, 1, null, null, scratch);
            return;
        }
        for (int q = 0; q < r; q++)
            Recurse(inRe + q * stride, inIm + q * stride, stride * r, outRe + q * m, outIm + q * m, m, level + 1, scratch);
        int step = Length / n;
        float* twRe = scratch + 2 * r, twIm = scratch + 3 * r;
        for (int k = 0; k < m; k++)
        {
            // Twiddles W_n^{q·k} = W_N^{q·k·N/n} for the q-th block's element k.
            for (int q = 1; q < r; q++)
            {
                int index = q * k * step;
                twRe[q] = _cos[index];
                twIm[q] = _sin[index];
            }
            Butterfly(r, outRe + k, outIm + k, m, outRe + k, outIm + k, m, twRe, twIm, scratch);
        }
    }

    /// <summary>
    /// The r-point DFT of t_q = in[q·inStride]·tw_q (tw_0 = 1; no twiddles when null), written to out[s·outStride]:
    /// out_s = Σ_q t_q·W_r^{q·s}. Input and output may be the same locations; <paramref name="scratch"/> holds t (2r floats).
    /// </summary>
    private void Butterfly(int r, float* inRe, float* inIm, int inStride, float* outRe, float* outIm, int outStride,
        float* twRe, float* twIm, float* scratch)
    {
        float* tr = scratch, ti = scratch + r;
        tr[0] = inRe[0];
        ti[0] = inIm[0];
        for (int q = 1; q < r; q++)
        {
            float a = inRe[q * inStride], b = inIm[q * inStride];
            if (twRe == null)
            {
                tr[q] = a;
                ti[q] = b;
            }
            else
            {
                tr[q] = a * twRe[q] - b * twIm[q];
                ti[q] = a * twIm[q] + b * twRe[q];
            }
        }
        switch (r)
        {
            case 2:
                outRe[0] = tr[0] + tr[1];
                outIm[0] = ti[0] + ti[1];
                outRe[outStride] = tr[0] - tr[1];
                outIm[outStride] = ti[0] - ti[1];
                return;
            case 3:
            {
                // W_3 = −1/2 − i·√3/2: X1,2 = t0 − (t1 + t2)/2 ∓ i·(√3/2)·(t1 − t2)
                const float H = 0.866025403784438646763723170752936183f;
                float sr = tr[1] + tr[2], si = ti[1] + ti[2], dr = tr[1] - tr[2], di = ti[1] - ti[2];
                float mr = tr[0] - 0.5f * sr, mi = ti[0] - 0.5f * si;
                outRe[0] = tr[0] + sr;
                outIm[0] = ti[0] + si;
                outRe[outStride] = mr + H * di;
                outIm[outStride] = mi - H * dr;
                outRe[2 * outStride] = mr - H * di;
                outIm[2 * outStride] = mi + H * dr;
                return;
            }
            case 4:
            {
                // W_4 = −i: X0 = (t0 + t2) + (t1 + t3), X2 = (t0 + t2) − (t1 + t3), X1 = (t0 − t2) − i(t1 − t3), X3 = (t0 − t2) + i(t1 − t3)
                float ar = tr[0] + tr[2], ai = ti[0] + ti[2], br = tr[0] - tr[2], bi = ti[0] - ti[2];
                float cr = tr[1] + tr[3], ci = ti[1] + ti[3], dr = tr[1] - tr[3], di = ti[1] - ti[3];
                outRe[0] = ar + cr;
                outIm[0] = ai + ci;
                outRe[outStride] = br + di;
                outIm[outStride] = bi - dr;
                outRe[2 * outStride] = ar - cr;
                outIm[2 * outStride] = ai - ci;
                outRe[3 * outStride] = br - di;
                outIm[3 * outStride] = bi + dr;
                return;
            }
            default:
            {
                // The definition: X_s = Σ_q t_q·W_r^{q·s}, W_r^j = W_N^{j·N/r}.
                int step = Length / r;
                for (int s = 0; s < r; s++)
                {
                    float xr = 0f, xi = 0f;
                    for (int q = 0; q < r; q++)
                    {
                        int index = q * s % r * step;
                        float c = _cos[index], si = _sin[index];
                        xr += tr[q] * c - ti[q] * si;
                        xi += tr[q] * si + ti[q] * c;
                    }
                    outRe[s * outStride] = xr;
                    outIm[s * outStride] = xi;
                }
                return;
            }
        }
    }

    /// <summary>The radices of n: as many 4s as possible, then a 2, 3s, 5s and the remaining primes in increasing order.</summary>
    private static int[] Factor(int n)
    {
        var factors = new List<int>();
        int rest = n;
        while (rest % 4 == 0)
        {
            factors.Add(4);
            rest /= 4;
        }
        for (int p = 2; p * p <= rest; p++)
            while (rest % p == 0)
            {
                factors.Add(p);
                rest /= p;
            }
        if (rest > 1) factors.Add(rest);
        return [.. factors];
    }
}
