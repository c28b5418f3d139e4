// Detector-stage activations, forward and backward side by side. x, y, dy, dx: any shape, one
// element at a time; PReLU's x: (N, C, inner) with one slope per channel (or one for all).
//   ReLU:       y = max(x, 0)                                   dx += dy · [y > 0]
//   tanh:       y = tanh(x)                                     dx += dy · (1 − y²)
//   sigmoid:    y = 1 / (1 + e^−x)                              dx += dy · y · (1 − y)
//   LeakyReLU:  y = x > 0 ? x : s·x                             dx += dy · (x > 0 ? 1 : s)
//   PReLU:      y = x > 0 ? x : a_c·x                           dx += dy · (x > 0 ? 1 : a_c),  da_c += Σ dy · (x > 0 ? 0 : x)
//   ELU:        y = x > 0 ? x : α(e^x − 1)                      dx += dy · (x > 0 ? 1 : α·e^x)
//   SELU:       y = λ·(x > 0 ? x : α(e^x − 1))                  dx += dy · λ·(x > 0 ? 1 : α·e^x),  α ≈ 1.6733, λ ≈ 1.0507
//   GELU:       y = x·Φ(x) = ½x(1 + erf(x/√2))                  dx += dy · (Φ(x) + x·φ(x)),  φ(x) = e^(−x²/2)/√(2π)
//   GELU tanh:  y = ½x(1 + tanh u),  u = √(2/π)(x + 0.044715x³)  dx += dy · (½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²))
//   SiLU:       y = x·σ(x)                                      dx += dy · σ(x)(1 + x(1 − σ(x)))
//   Softplus:   y = βx > t ? x : log(1 + e^(βx))/β              dx += dy · (βx > t ? 1 : σ(βx))
//   Softsign:   y = x / (1 + |x|)                               dx += dy / (1 + |x|)²
//   Hardtanh:   y = min(max(x, lo), hi)                         dx += dy · [lo < x < hi]
//   erf:        y = erf(x) = (2/√π)∫₀ˣ e^(−t²) dt               dx += dy · (2/√π)·e^(−x²)
// The ReLU/tanh/sigmoid backwards take the forward output y; the others take x, as PyTorch's do,
// which also fixes the derivative at the kinks the way PyTorch does (slope s at x = 0 for LeakyReLU,
// α at 0 for ELU, 0 at the clamp bounds for Hardtanh).
// All of them run on System.Numerics vectors (Vector<float>, with ConditionalSelect for the
// branches). The transcendental ones widen to Vector<double>, use Vector.Exp/Log and round once to
// float, so they are within an ulp or so of the exact result: exp(x) − 1 and log(1 + e^z) lose
// nothing near 0 in double at float precision, and GELU needs erf, which .NET lacks (see Erfc below).
// Threading: work items are 1,024-element blocks and every element takes the same vector code (the
// array's last few through a padded vector), so any thread count gives the same bits; the PReLU
// slope gradient is summed per channel in (n, position) order by one work item per channel.
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Elementwise;

/// <summary>Elementwise activation kernels.</summary>
public static unsafe class ActivationKernel
{
    /// <summary>SELU's α = 1.6732632423543772848170429916717 (Klambauer et al., 2017), as PyTorch.</summary>
    public const double SeluAlpha = 1.6732632423543772848170429916717;

    /// <summary>SELU's scale λ = 1.0507009873554804934193349852946 (Klambauer et al., 2017), as PyTorch.</summary>
    public const double SeluScale = 1.0507009873554804934193349852946;

    // Below ~16k elements a thread costs more than it saves.
    private const int MinElementsPerThread = 16_384;

    /// <summary>y = max(x, 0).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, same length as <paramref name="x"/>; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx += dy · [y &gt; 0].</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="dy"/> is shorter than <paramref name="dx"/>.</exception>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        CheckLength(y.Length, dx.Length, nameof(y));
        CheckLength(dy.Length, dx.Length, nameof(dy));
        // Branch-free: a data-dependent branch mispredicts on about half of a ReLU's inputs. Where y ≤ 0 the
        // select keeps dx itself (not dx + 0, which would turn −0 into +0), so the result equals the scalar loop's.
        int i = 0;
        ref float yr = ref MemoryMarshal.GetReference(y), dyr = ref MemoryMarshal.GetReference(dy), dxr = ref MemoryMarshal.GetReference(dx);
        for (; i <= dx.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var mask = Vector.GreaterThan(Vector.LoadUnsafe(ref yr, (nuint)i), Vector<float>.Zero);
            var old = Vector.LoadUnsafe(ref dxr, (nuint)i);
            Vector.ConditionalSelect(mask, old + Vector.LoadUnsafe(ref dyr, (nuint)i), old).StoreUnsafe(ref dxr, (nuint)i);
        }
        for (; i < dx.Length; i++)
            if (y[i] > 0f) dx[i] += dy[i];
    }

    /// <summary>dz = dy · [y &gt; 0], overwriting <paramref name="dz"/>: the gradient through a ReLU fused into the op that produced y.</summary>
    /// <param name="y">Forward output (after the ReLU).</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dz">Gradient before the ReLU, same length; overwritten; may be <paramref name="dy"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> or <paramref name="dy"/> is shorter than <paramref name="dz"/>.</exception>
    public static void ReluMask(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        CheckLength(y.Length, dz.Length, nameof(y));
        CheckLength(dy.Length, dz.Length, nameof(dy));
        int i = 0;
        ref float yr = ref MemoryMarshal.GetReference(y), dyr = ref MemoryMarshal.GetReference(dy), dzr = ref MemoryMarshal.GetReference(dz);
        for (; i <= dz.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var mask = Vector.GreaterThan(Vector.LoadUnsafe(ref yr, (nuint)i), Vector<float>.Zero);
            Vector.ConditionalSelect(mask, Vector.LoadUnsafe(ref dyr, (nuint)i), Vector<float>.Zero).StoreUnsafe(ref dzr, (nuint)i);
        }
        for (; i < dz.Length; i++) dz[i] = y[i] > 0f ? dy[i] : 0f;
    }

    /// <summary>y = tanh(x).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, same length as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void TanhForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <summary>dx += dy · (1 − y²).</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    /// <summary>y = 1 / (1 + e^−x).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, same length as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void SigmoidForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>dx += dy · y · (1 − y).</summary>
    /// <param name="y">Forward output.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
    }

    /// <summary>Leaky ReLU: y = x &gt; 0 ? x : negativeSlope·x.</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="negativeSlope">Slope s for x ≤ 0.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void LeakyReluForward(ReadOnlySpan<float> x, float negativeSlope, Span<float> y, int threads = 1) =>
        Forward(new LeakyRelu(negativeSlope), x, y, threads);

    /// <summary>dx += dy · (x &gt; 0 ? 1 : negativeSlope).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="negativeSlope">Slope s for x ≤ 0.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void LeakyReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float negativeSlope, Span<float> dx, int threads = 1) =>
        Backward(new LeakyRelu(negativeSlope), x, dy, dx, threads);

    /// <summary>ELU: y = x &gt; 0 ? x : α(e^x − 1).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="alpha">α, the value approached as x → −∞ is −α.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void EluForward(ReadOnlySpan<float> x, float alpha, Span<float> y, int threads = 1) =>
        Forward(new Widened<Elu>(new Elu(alpha, 1.0)), x, y, threads);

    /// <summary>dx += dy · (x &gt; 0 ? 1 : α·e^x).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="alpha">α of the forward.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void EluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float alpha, Span<float> dx, int threads = 1) =>
        Backward(new Widened<Elu>(new Elu(alpha, 1.0)), x, dy, dx, threads);

    /// <summary>SELU: y = λ·(x &gt; 0 ? x : α(e^x − 1)) with <see cref="SeluAlpha"/> and <see cref="SeluScale"/>.</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void SeluForward(ReadOnlySpan<float> x, Span<float> y, int threads = 1) =>
        Forward(new Widened<Elu>(new Elu(SeluAlpha, SeluScale)), x, y, threads);

    /// <summary>dx += dy · λ·(x &gt; 0 ? 1 : α·e^x).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void SeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads = 1) =>
        Backward(new Widened<Elu>(new Elu(SeluAlpha, SeluScale)), x, dy, dx, threads);

    /// <summary>GELU, exact form: y = x·Φ(x) = ½x(1 + erf(x/√2)).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void GeluForward(ReadOnlySpan<float> x, Span<float> y, int threads = 1) => Forward(default(Widened<Gelu>), x, y, threads);

    /// <summary>dx += dy · (Φ(x) + x·φ(x)), φ the standard normal density.</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads = 1) =>
        Backward(default(Widened<Gelu>), x, dy, dx, threads);

    /// <summary>GELU, tanh approximation (PyTorch's <c>approximate='tanh'</c>): y = ½x(1 + tanh(√(2/π)(x + 0.044715x³))).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void GeluTanhForward(ReadOnlySpan<float> x, Span<float> y, int threads = 1) => Forward(default(Widened<GeluTanh>), x, y, threads);

    /// <summary>dx += dy · (½(1 + tanh u) + ½x(1 − tanh²u)·√(2/π)(1 + 3·0.044715x²)), u = √(2/π)(x + 0.044715x³).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void GeluTanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads = 1) =>
        Backward(default(Widened<GeluTanh>), x, dy, dx, threads);

    /// <summary>SiLU (swish): y = x·σ(x).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void SiluForward(ReadOnlySpan<float> x, Span<float> y, int threads = 1) => Forward(default(Widened<Silu>), x, y, threads);

    /// <summary>dx += dy · σ(x)(1 + x(1 − σ(x))).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void SiluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads = 1) =>
        Backward(default(Widened<Silu>), x, dy, dx, threads);

    /// <summary>Softplus: y = βx &gt; threshold ? x : log(1 + e^(βx))/β (linear above the threshold, as PyTorch).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="beta">β, the sharpness; positive.</param>
    /// <param name="threshold">Above βx = threshold the function is taken as linear.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void SoftplusForward(ReadOnlySpan<float> x, float beta, float threshold, Span<float> y, int threads = 1) =>
        Forward(new Widened<Softplus>(new Softplus(beta, threshold)), x, y, threads);

    /// <summary>dx += dy · (βx &gt; threshold ? 1 : σ(βx)).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="beta">β of the forward.</param>
    /// <param name="threshold">Threshold of the forward.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void SoftplusBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float beta, float threshold, Span<float> dx, int threads = 1) =>
        Backward(new Widened<Softplus>(new Softplus(beta, threshold)), x, dy, dx, threads);

    /// <summary>Softsign: y = x / (1 + |x|).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void SoftsignForward(ReadOnlySpan<float> x, Span<float> y, int threads = 1) => Forward(default(Softsign), x, y, threads);

    /// <summary>dx += dy / (1 + |x|)².</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void SoftsignBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads = 1) =>
        Backward(default(Softsign), x, dy, dx, threads);

    /// <summary>Hardtanh: y = min(max(x, minVal), maxVal).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="minVal">Lower bound lo.</param>
    /// <param name="maxVal">Upper bound hi (≥ lo).</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void HardtanhForward(ReadOnlySpan<float> x, float minVal, float maxVal, Span<float> y, int threads = 1) =>
        Forward(new Hardtanh(minVal, maxVal), x, y, threads);

    /// <summary>dx += dy · [minVal &lt; x &lt; maxVal] (zero at and beyond the bounds, as PyTorch).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="minVal">Lower bound of the forward.</param>
    /// <param name="maxVal">Upper bound of the forward.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void HardtanhBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, float minVal, float maxVal, Span<float> dx, int threads = 1) =>
        Backward(new Hardtanh(minVal, maxVal), x, dy, dx, threads);

    /// <summary>PReLU: y[n,c,i] = x &gt; 0 ? x : a_c·x, with one slope per channel or one shared slope.</summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="weight">Slopes a: C of them, or 1 shared by every channel.</param>
    /// <param name="n">Batch size N (the product of the dimensions before the channel).</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Elements per channel and batch item (the product of the dimensions after the channel).</param>
    /// <param name="y">Output (N, C, inner).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, <paramref name="weight"/> holds neither 1 nor C slopes, or a span is shorter than N·C·inner.</exception>
    public static void PReluForward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, int n, int c, int inner, Span<float> y, int threads = 1)
    {
        long length = CheckPRelu(weight.Length, n, c, inner);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(y.Length, length, nameof(y));
        fixed (float* px = x, pw = weight, py = y)
        {
            ParallelFor.Run(n * c, threads, new PReluForwardBody(px, pw, weight.Length == 1, c, inner, py), MinRows(inner));
        }
    }

    /// <summary>
    /// dx += dy · (x &gt; 0 ? 1 : a_c) and dWeight[c] += Σ_{n,i} dy · (x &gt; 0 ? 0 : x) (summed over every channel when one slope is shared).
    /// </summary>
    /// <param name="x">Forward input (N, C, inner).</param>
    /// <param name="weight">Slopes of the forward: C or 1.</param>
    /// <param name="dy">Output gradient (N, C, inner).</param>
    /// <param name="n">Batch size N.</param>
    /// <param name="c">Channels C.</param>
    /// <param name="inner">Elements per channel and batch item.</param>
    /// <param name="dx">Input gradient (N, C, inner), added to; empty to skip.</param>
    /// <param name="dWeight">Slope gradient (same length as <paramref name="weight"/>), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">A size is negative, <paramref name="weight"/> holds neither 1 nor C slopes, or a non-empty span is too short.</exception>
    public static void PReluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, ReadOnlySpan<float> dy, int n, int c, int inner,
        Span<float> dx, Span<float> dWeight, int threads = 1)
    {
        long length = CheckPRelu(weight.Length, n, c, inner);
        CheckLength(x.Length, length, nameof(x));
        CheckLength(dy.Length, length, nameof(dy));
        if (!dx.IsEmpty) CheckLength(dx.Length, length, nameof(dx));
        if (!dWeight.IsEmpty) CheckLength(dWeight.Length, weight.Length, nameof(dWeight));
        bool shared = weight.Length == 1;
        fixed (float* px = x, pw = weight, pdy = dy, pdx = dx, pdw = dWeight)
        {
            if (!dx.IsEmpty)
                ParallelFor.Run(n * c, threads, new PReluBackwardDataBody(px, pw, shared, c, inner, pdy, pdx), MinRows(inner));
            if (dWeight.IsEmpty || c == 0) return;
            // One partial per channel, each summed by one work item in (n, i) order; a shared slope
            // then adds the channel partials in channel order, so no thread count changes the sum.
            var partials = new double[c];
            fixed (double* pp = partials)
            {
                ParallelFor.Run(c, threads, new PReluSlopeBody(px, pdy, n, c, inner, pp), Math.Max(1, MinElementsPerThread / Math.Max(1, n * inner)));
            }
            if (shared)
            {
                double sum = 0;
                foreach (double p in partials) sum += p;
                dWeight[0] += (float)sum;
            }
            else
            {
                for (int ch = 0; ch < c; ch++) dWeight[ch] += (float)partials[ch];
            }
        }
    }

    /// <summary>
    /// The complementary error function erfc(z) = (2/√π)∫_z^∞ e^(−t²) dt, to about 2e-10 relative
    /// for z ≥ −10 (erfc(z) = 2 − erfc(−z) below 0); beyond z = 10, where erfc &lt; 2.1e-45 is under
    /// float's smallest subnormal, it returns 0. .NET has no erf, and GELU needs it. This is the
    /// vector routine GELU uses, applied to one value.
    /// </summary>
    /// <remarks>
    /// erfc(z) = t·exp(−z² + P(s)) with t = 1/(1 + z/2) (the form of Numerical Recipes' erfcc) and
    /// s = (12t − 7)/5 ∈ [−1, 1] for z ∈ [0, 10]. P is a degree-12 polynomial: a Chebyshev series fitted by
    /// least squares at 4,000 Chebyshev nodes to log(erfc(z)/t) + z², converted to powers of s and
    /// evaluated by Estrin's scheme (four dependent steps instead of twelve). The largest relative
    /// error over 100,001 points of [0, 10] is 1.8e-10, far below float's 6e-8. Tests compare it with a
    /// series/continued-fraction reference.
    /// </remarks>
    /// <param name="z">Argument.</param>
    /// <returns>erfc(z), in [0, 2].</returns>
    internal static double Erfc(double z) => Erfc(new Vector<double>(z))[0];

    /// <summary>erfc of each lane (see <see cref="Erfc(double)"/>).</summary>
    private static Vector<double> Erfc(Vector<double> z)
    {
        var a = Vector.Abs(z);
        var ten = new Vector<double>(10.0);
        var clamped = Vector.Min(a, ten);
        var t = Vector<double>.One / (Vector<double>.One + clamped * 0.5);
        var s = (t * 12.0 - new Vector<double>(7.0)) * 0.2;
        var s2 = s * s;
        var s4 = s2 * s2;
        var s8 = s4 * s4;
        var r0 = Pair(-0.55859535123499227, 0.57030715365547013, s) + Pair(0.0157448945777038, -0.029471350435142329, s) * s2;
        var r1 = Pair(-0.0010434577343089771, 0.0037131527724035634, s) + Pair(-0.00028489598682598244, -0.00054729439836830192, s) * s2;
        var r2 = Pair(0.00014709966864794765, 6.7834035067300898e-05, s) + Pair(-3.8172616933311064e-05, -4.7177413039609396e-06, s) * s2;
        var p = r0 + r1 * s4 + (r2 + s4 * 5.1056154372178449e-06) * s8;
        var tail = t * Vector.Exp(p - clamped * clamped);
        tail = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(a, ten), Vector<double>.Zero, tail);
        return Vector.ConditionalSelect(Vector.LessThan(z, Vector<double>.Zero), new Vector<double>(2.0) - tail, tail);

        static Vector<double> Pair(double c0, double c1, Vector<double> s) => new Vector<double>(c0) + s * c1;
    }

    /// <summary>The error function y = erf(x) = (2/√π)∫₀ˣ e^(−t²) dt, within an ulp or so of float (ONNX's <c>Erf</c>, <c>torch.erf</c>).</summary>
    /// <param name="x">Input, any shape.</param>
    /// <param name="y">Output, at least as long as <paramref name="x"/>.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="y"/> is shorter than <paramref name="x"/>.</exception>
    public static void ErfForward(ReadOnlySpan<float> x, Span<float> y, int threads = 1) => Forward(default(Widened<ErfOp>), x, y, threads);

    /// <summary>dx += dy · (2/√π)·e^(−x²).</summary>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient, same length.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException"><paramref name="dy"/> or <paramref name="dx"/> is shorter than <paramref name="x"/>.</exception>
    public static void ErfBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads = 1) =>
        Backward(default(Widened<ErfOp>), x, dy, dx, threads);

    // erf(x): near 0, 1 − erfc(x) would keep only erfc's absolute accuracy (2e-10), too little relative to a tiny
    // erf(x); there the Maclaurin series (2/√π)·Σ (−1)ⁿ x^(2n+1)/(n!(2n+1)) is used, 12 terms for |x| < ½
    // (the last term below 3e-18 relative). Elsewhere erf(x) = 1 − erfc(x) with |erf(x)| > 0.52.
    private readonly struct ErfOp : IDoubleActivation
    {
        private const double TwoOverSqrtPi = 1.1283791670955125739;

        /// <summary>(2/√π)·(−1)ⁿ/(n!(2n+1)), n = 0 … 11.</summary>
        private static readonly double[] Series = MakeSeries();

        private static double[] MakeSeries()
        {
            var c = new double[12];
            double factorial = 1;
            for (int n = 0; n < c.Length; n++)
            {
                if (n > 0) factorial *= n;
                c[n] = (n % 2 == 0 ? 1 : -1) * TwoOverSqrtPi / (factorial * (2 * n + 1));
            }
            return c;
        }

        public Vector<double> Forward(Vector<double> x)
        {
            var x2 = x * x;
            var sum = new Vector<double>(Series[^1]);
            for (int n = Series.Length - 2; n >= 0; n--) sum = sum * x2 + new Vector<double>(Series[n]);
            var small = Vector.LessThan(Vector.Abs(x), new Vector<double>(0.5));
            return Vector.ConditionalSelect(small, x * sum, Vector<double>.One - Erfc(x));
        }

        public Vector<double> Backward(Vector<double> x, Vector<double> dy) => dy * Vector.Exp(-(x * x)) * TwoOverSqrtPi;
    }

    // ---- Loop machinery, written once: an operator struct per activation, inlined into one loop per type. ----
    // Every element goes through the operator's vector code: whole vectors in place, and the last few
    // elements of the array through a zero-padded vector. No element ever takes a scalar path, so a
    // value's result does not depend on its position or on how [0, length) is split among threads.

    private interface IActivation
    {
        Vector<float> Forward(Vector<float> x);

        /// <summary>dy · f′(x): the term added to dx.</summary>
        Vector<float> Backward(Vector<float> x, Vector<float> dy);
    }

    /// <summary>An activation evaluated in double (widened from float, narrowed once at the end).</summary>
    private interface IDoubleActivation
    {
        Vector<double> Forward(Vector<double> x);

        Vector<double> Backward(Vector<double> x, Vector<double> dy);
    }

    private readonly struct Widened<T>(T op) : IActivation where T : struct, IDoubleActivation
    {
        public Vector<float> Forward(Vector<float> x)
        {
            Vector.Widen(x, out var lo, out var hi);
            return Vector.Narrow(op.Forward(lo), op.Forward(hi));
        }

        public Vector<float> Backward(Vector<float> x, Vector<float> dy)
        {
            Vector.Widen(x, out var xlo, out var xhi);
            Vector.Widen(dy, out var glo, out var ghi);
            return Vector.Narrow(op.Backward(xlo, glo), op.Backward(xhi, ghi));
        }
    }

    // Work items are blocks of 1,024 elements (a multiple of every vector width), so only the array's
    // last block can be partial.
    private const int Block = 1024;

    private static void Forward<TOp>(TOp op, ReadOnlySpan<float> x, Span<float> y, int threads) where TOp : struct, IActivation
    {
        CheckLength(y.Length, x.Length, nameof(y));
        fixed (float* px = x, py = y)
        {
            ParallelFor.Run((x.Length + Block - 1) / Block, threads, new ForwardBody<TOp>(op, px, py, x.Length), MinElementsPerThread / Block);
        }
    }

    private static void Backward<TOp>(TOp op, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx, int threads) where TOp : struct, IActivation
    {
        CheckLength(dy.Length, x.Length, nameof(dy));
        CheckLength(dx.Length, x.Length, nameof(dx));
        fixed (float* px = x, pdy = dy, pdx = dx)
        {
            ParallelFor.Run((x.Length + Block - 1) / Block, threads, new BackwardBody<TOp>(op, px, pdy, pdx, x.Length), MinElementsPerThread / Block);
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    private static long CheckPRelu(int slopes, int n, int c, int inner)
    {
        if (n < 0 || c < 0 || inner < 0) throw new ArgumentException($"PReLU sizes must be non-negative: N={n}, C={c}, inner={inner}.");
        if (slopes != 1 && slopes != c)
            throw new ArgumentException($"PReLU needs 1 slope or one per channel ({c}), got {slopes}.", "weight");
        return (long)n * c * inner;
    }

    private static int MinRows(int inner) => Math.Max(1, MinElementsPerThread / Math.Max(1, inner));

    private readonly struct ForwardBody<TOp>(TOp op, float* x, float* y, int length) : IParallelBody where TOp : struct, IActivation
    {
        public void Invoke(int start, int end)
        {
            int width = Vector<float>.Count;
            int from = start * Block, to = (int)Math.Min((long)end * Block, length);
            int i = from;
            for (; i <= to - width; i += width)
                Unsafe.WriteUnaligned(y + i, op.Forward(Unsafe.ReadUnaligned<Vector<float>>(x + i)));
            if (i == to) return;
            Span<float> pad = stackalloc float[width];
            pad.Clear();
            new ReadOnlySpan<float>(x + i, to - i).CopyTo(pad);
            var result = op.Forward(new Vector<float>(pad));
            for (int k = 0; k < to - i; k++) y[i + k] = result[k];
        }
    }

    private readonly struct BackwardBody<TOp>(TOp op, float* x, float* dy, float* dx, int length) : IParallelBody where TOp : struct, IActivation
    {
        public void Invoke(int start, int end)
        {
            int width = Vector<float>.Count;
            int from = start * Block, to = (int)Math.Min((long)end * Block, length);
            int i = from;
            for (; i <= to - width; i += width)
            {
                var g = op.Backward(Unsafe.ReadUnaligned<Vector<float>>(x + i), Unsafe.ReadUnaligned<Vector<float>>(dy + i));
                Unsafe.WriteUnaligned(dx + i, Unsafe.ReadUnaligned<Vector<float>>(dx + i) + g);
            }
            if (i == to) return;
            Span<float> padX = stackalloc float[width];
            Span<float> padDy = stackalloc float[width];
            padX.Clear();
            padDy.Clear();
            new ReadOnlySpan<float>(x + i, to - i).CopyTo(padX);
            new ReadOnlySpan<float>(dy + i, to - i).CopyTo(padDy);
            var result = op.Backward(new Vector<float>(padX), new Vector<float>(padDy));
            for (int k = 0; k < to - i; k++) dx[i + k] += result[k];
        }
    }

    private readonly struct LeakyRelu(float slope) : IActivation
    {
        public Vector<float> Forward(Vector<float> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), x, x * slope);

        public Vector<float> Backward(Vector<float> x, Vector<float> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<float>.Zero), dy, dy * slope);
    }

    // ELU and SELU: scale·(x > 0 ? x : α(e^x − 1)), in double so e^x − 1 keeps its digits near 0.
    private readonly struct Elu(double alpha, double scale) : IDoubleActivation
    {
        public Vector<double> Forward(Vector<double> x) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<double>.Zero), x * scale, (Vector.Exp(x) - Vector<double>.One) * (scale * alpha));

        public Vector<double> Backward(Vector<double> x, Vector<double> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<double>.Zero), dy * scale, dy * Vector.Exp(x) * (scale * alpha));
    }

    private readonly struct Gelu : IDoubleActivation
    {
        private const double InvSqrt2 = 0.70710678118654752440;
        private const double InvSqrt2Pi = 0.39894228040143267794;

        // Φ(x) = ½·erfc(−x/√2): accurate in both tails (1 − small for x > 0, small for x < 0).
        public Vector<double> Forward(Vector<double> x) => x * Erfc(x * -InvSqrt2) * 0.5;

        public Vector<double> Backward(Vector<double> x, Vector<double> dy)
        {
            var cdf = Erfc(x * -InvSqrt2) * 0.5;
            var pdf = Vector.Exp(x * x * -0.5) * InvSqrt2Pi;
            return dy * (cdf + x * pdf);
        }
    }

    private readonly struct GeluTanh : IDoubleActivation
    {
        private const double Beta = 0.79788456080286535588; // √(2/π)
        private const double Kappa = 0.044715;

        // tanh u = 1 − 2/(e^(2u) + 1): e^(2u) = ∞ gives 1 and e^(2u) = 0 gives −1, so no lane overflows to NaN.
        private static Vector<double> Tanh(Vector<double> x) =>
            Vector<double>.One - new Vector<double>(2.0) / (Vector.Exp(x * (2.0 * Beta) * (Vector<double>.One + x * x * Kappa)) + Vector<double>.One);

        public Vector<double> Forward(Vector<double> x) => x * (Vector<double>.One + Tanh(x)) * 0.5;

        public Vector<double> Backward(Vector<double> x, Vector<double> dy)
        {
            var th = Tanh(x);
            var left = (Vector<double>.One + th) * 0.5;
            var right = x * (Vector<double>.One - th * th) * (0.5 * Beta) * (Vector<double>.One + x * x * (3.0 * Kappa));
            return dy * (left + right);
        }
    }

    private readonly struct Silu : IDoubleActivation
    {
        private static Vector<double> Sigmoid(Vector<double> x) => Vector<double>.One / (Vector<double>.One + Vector.Exp(-x));

        public Vector<double> Forward(Vector<double> x) => x * Sigmoid(x);

        public Vector<double> Backward(Vector<double> x, Vector<double> dy)
        {
            var s = Sigmoid(x);
            return dy * s * (Vector<double>.One + x * (Vector<double>.One - s));
        }
    }

    private readonly struct Softplus(float beta, float threshold) : IDoubleActivation
    {
        // log(1 + e^z) = max(z, 0) + log(1 + e^(−|z|)): the exponent is never positive, so nothing overflows.
        public Vector<double> Forward(Vector<double> x)
        {
            var z = x * beta;
            var soft = (Vector.Max(z, Vector<double>.Zero) + Log1P(Vector.Exp(-Vector.Abs(z)))) / beta;
            return Vector.ConditionalSelect(Vector.GreaterThan(z, new Vector<double>(threshold)), x, soft);
        }

        public Vector<double> Backward(Vector<double> x, Vector<double> dy)
        {
            var z = x * beta;
            var sigmoid = dy / (Vector<double>.One + Vector.Exp(-z));
            return Vector.ConditionalSelect(Vector.GreaterThan(z, new Vector<double>(threshold)), dy, sigmoid);
        }

        // log(1 + u) for u in [0, 1] without losing u ≪ 1: (1 + u) rounds, and log(w)·u/(w − 1) cancels that rounding.
        private static Vector<double> Log1P(Vector<double> u)
        {
            var w = Vector<double>.One + u;
            var d = w - Vector<double>.One;
            var equal = Vector.Equals(d, Vector<double>.Zero);
            var safe = Vector.ConditionalSelect(equal, Vector<double>.One, d); // no 0/0 in the unused lanes
            return Vector.ConditionalSelect(equal, u, Vector.Log(w) * u / safe);
        }
    }

    private readonly struct Softsign : IActivation
    {
        public Vector<float> Forward(Vector<float> x) => x / (Vector<float>.One + Vector.Abs(x));

        public Vector<float> Backward(Vector<float> x, Vector<float> dy)
        {
            var d = Vector<float>.One + Vector.Abs(x);
            return dy / (d * d);
        }
    }

    private readonly struct Hardtanh(float lo, float hi) : IActivation
    {
        public Vector<float> Forward(Vector<float> x)
        {
            var low = new Vector<float>(lo);
            var high = new Vector<float>(hi);
            return Vector.ConditionalSelect(Vector.LessThan(x, low), low, Vector.ConditionalSelect(Vector.GreaterThan(x, high), high, x));
        }

        public Vector<float> Backward(Vector<float> x, Vector<float> dy) =>
            Vector.ConditionalSelect(Vector.GreaterThan(x, new Vector<float>(lo)) & Vector.LessThan(x, new Vector<float>(hi)), dy, Vector<float>.Zero);
    }

    // PReLU rows are whole work items, so the vector part and the scalar tail of a row never depend on
    // the thread count (and both compute the same select, so they agree anyway).
    private readonly struct PReluForwardBody(float* x, float* w, bool shared, int c, int inner, float* y) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int width = Vector<float>.Count;
            for (int row = start; row < end; row++)
            {
                float a = w[shared ? 0 : row % c];
                var va = new Vector<float>(a);
                float* xr = x + (long)row * inner;
                float* yr = y + (long)row * inner;
                int i = 0;
                for (; i <= inner - width; i += width)
                {
                    var v = Unsafe.ReadUnaligned<Vector<float>>(xr + i);
                    Unsafe.WriteUnaligned(yr + i, Vector.ConditionalSelect(Vector.GreaterThan(v, Vector<float>.Zero), v, v * va));
                }
                for (; i < inner; i++) yr[i] = xr[i] > 0f ? xr[i] : xr[i] * a;
            }
        }
    }

    private readonly struct PReluBackwardDataBody(float* x, float* w, bool shared, int c, int inner, float* dy, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int width = Vector<float>.Count;
            for (int row = start; row < end; row++)
            {
                float a = w[shared ? 0 : row % c];
                var va = new Vector<float>(a);
                long offset = (long)row * inner;
                float* xr = x + offset, gr = dy + offset, dr = dx + offset;
                int i = 0;
                for (; i <= inner - width; i += width)
                {
                    var g = Unsafe.ReadUnaligned<Vector<float>>(gr + i);
                    var term = Vector.ConditionalSelect(Vector.GreaterThan(Unsafe.ReadUnaligned<Vector<float>>(xr + i), Vector<float>.Zero), g, g * va);
                    Unsafe.WriteUnaligned(dr + i, Unsafe.ReadUnaligned<Vector<float>>(dr + i) + term);
                }
                for (; i < inner; i++) dr[i] += xr[i] > 0f ? gr[i] : gr[i] * a;
            }
        }
    }

    private readonly struct PReluSlopeBody(float* x, float* dy, int n, int c, int inner, double* partials) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int ch = start; ch < end; ch++)
            {
                double sum = 0;
                for (int b = 0; b < n; b++)
                {
                    long offset = ((long)b * c + ch) * inner;
                    // min(x, 0)·dy is x·dy where x ≤ 0 and 0 elsewhere, without a branch per element.
                    for (int i = 0; i < inner; i++) sum += (double)MathF.Min(x[offset + i], 0f) * dy[offset + i];
                }
                partials[ch] = sum;
            }
        }
    }
}
