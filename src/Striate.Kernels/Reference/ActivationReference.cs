// Naive activations, the oracle for ActivationKernel, written straight from the textbook
// definitions (formulas in ActivationKernel.cs's header), one element at a time:
//   forward  y = f(x)          backward  dx += dy · f′(x)
// erf comes from its own definitions rather than the fast kernel's fitted series: the power
// series erf(z) = (2/√π)·e^(−z²)·Σ_k 2^k z^(2k+1) / (1·3·…·(2k+1)) (all terms positive, so no
// cancellation) for z ≤ 2.5, and the continued fraction
// erfc(z) = e^(−z²)/√π · 1/(z + ½/(z + 1/(z + 3/2/(z + 2/(z + …))))) for z > 2.5.
using System.Numerics;

namespace Striate.Kernels.Reference;

/// <summary>Which activation <see cref="ActivationReference"/> evaluates, with its parameters.</summary>
/// <param name="Name">One of <c>leaky_relu</c> (A = negative slope), <c>elu</c> (A = α), <c>selu</c>, <c>gelu</c>,
/// <c>gelu_tanh</c>, <c>silu</c>, <c>softplus</c> (A = β, B = threshold), <c>softsign</c>, <c>hardtanh</c> (A = min, B = max), <c>erf</c>.</param>
/// <param name="A">First parameter, as listed for <paramref name="Name"/>.</param>
/// <param name="B">Second parameter, as listed for <paramref name="Name"/>.</param>
public readonly record struct ActivationSpec(string Name, double A = 0, double B = 0);

/// <summary>Naive activations, generic so gradient checks and oracles can run in double.</summary>
public static class ActivationReference
{
    /// <summary>y[i] = f(x[i]) for the activation named by <paramref name="spec"/>.</summary>
    /// <param name="spec">Activation and parameters.</param>
    /// <param name="x">Input.</param>
    /// <param name="y">Output, same length.</param>
    /// <exception cref="ArgumentException">Unknown activation name.</exception>
    public static void Forward<T>(ActivationSpec spec, ReadOnlySpan<T> x, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) y[i] = Value(spec, x[i]);
    }

    /// <summary>dx[i] += dy[i] · f′(x[i]).</summary>
    /// <param name="spec">Activation and parameters.</param>
    /// <param name="x">Forward input.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <exception cref="ArgumentException">Unknown activation name.</exception>
    public static void Backward<T>(ActivationSpec spec, ReadOnlySpan<T> x, ReadOnlySpan<T> dy, Span<T> dx) where T : IFloatingPointIeee754<T>
    {
        for (int i = 0; i < x.Length; i++) dx[i] += dy[i] * Derivative(spec, x[i]);
    }

    /// <summary>PReLU: y[n,c,i] = x &gt; 0 ? x : a[c or 0]·x.</summary>
    /// <param name="x">Input (N, C, inner).</param>
    /// <param name="weight">C slopes or 1.</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="inner">Elements per (n, c).</param>
    /// <param name="y">Output (N, C, inner).</param>
    public static void PReluForward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, int n, int c, int inner, Span<T> y) where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < inner; i++)
        {
            int at = (b * c + ch) * inner + i;
            T a = weight[weight.Length == 1 ? 0 : ch];
            y[at] = x[at] > T.Zero ? x[at] : a * x[at];
        }
    }

    /// <summary>dx += dy · (x &gt; 0 ? 1 : a), dWeight += Σ dy · min(x, 0)-side x.</summary>
    /// <param name="x">Forward input (N, C, inner).</param>
    /// <param name="weight">C slopes or 1.</param>
    /// <param name="dy">Output gradient.</param>
    /// <param name="n">N.</param>
    /// <param name="c">C.</param>
    /// <param name="inner">Elements per (n, c).</param>
    /// <param name="dx">Input gradient, added to.</param>
    /// <param name="dWeight">Slope gradient, added to.</param>
    public static void PReluBackward<T>(ReadOnlySpan<T> x, ReadOnlySpan<T> weight, ReadOnlySpan<T> dy, int n, int c, int inner, Span<T> dx, Span<T> dWeight)
        where T : IFloatingPointIeee754<T>
    {
        for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
        for (int i = 0; i < inner; i++)
        {
            int at = (b * c + ch) * inner + i;
            int w = weight.Length == 1 ? 0 : ch;
            bool positive = x[at] > T.Zero;
            dx[at] += positive ? dy[at] : weight[w] * dy[at];
            if (!positive) dWeight[w] += x[at] * dy[at];
        }
    }

    /// <summary>f(x).</summary>
    /// <exception cref="ArgumentException">Unknown activation name.</exception>
    public static T Value<T>(ActivationSpec spec, T x) where T : IFloatingPointIeee754<T>
    {
        T a = T.CreateChecked(spec.A), b = T.CreateChecked(spec.B), one = T.One, half = T.CreateChecked(0.5);
        return spec.Name switch
        {
            "leaky_relu" => x > T.Zero ? x : a * x,
            "elu" => x > T.Zero ? x : a * (T.Exp(x) - one),
            "selu" => T.CreateChecked(SeluScale) * (x > T.Zero ? x : T.CreateChecked(SeluAlpha) * (T.Exp(x) - one)),
            "gelu" => x * Phi(x),
            "gelu_tanh" => half * x * (one + T.Tanh(TanhArgument(x))),
            "silu" => x / (one + T.Exp(-x)),
            "softplus" => a * x > b ? x : T.Log(one + T.Exp(a * x)) / a,
            "softsign" => x / (one + T.Abs(x)),
            "hardtanh" => T.Min(T.Max(x, a), b),
            "erf" => Erf(x),
            _ => throw new ArgumentException($"Unknown activation '{spec.Name}'.", nameof(spec)),
        };
    }

    /// <summary>f′(x), with PyTorch's choice at the kinks.</summary>
    /// <exception cref="ArgumentException">Unknown activation name.</exception>
    public static T Derivative<T>(ActivationSpec spec, T x) where T : IFloatingPointIeee754<T>
    {
        T a = T.CreateChecked(spec.A), b = T.CreateChecked(spec.B), one = T.One, half = T.CreateChecked(0.5);
        switch (spec.Name)
        {
            case "leaky_relu": return x > T.Zero ? one : a;
            case "elu": return x > T.Zero ? one : a * T.Exp(x);
            case "selu": return T.CreateChecked(SeluScale) * (x > T.Zero ? one : T.CreateChecked(SeluAlpha) * T.Exp(x));
            case "gelu": return Phi(x) + x * T.Exp(-half * x * x) / T.Sqrt(T.CreateChecked(2) * T.Pi);
            case "gelu_tanh":
            {
                // d/dx ½x(1 + tanh u) = ½(1 + tanh u) + ½x·sech²u·u′,  u′ = √(2/π)(1 + 3·0.044715x²)
                T th = T.Tanh(TanhArgument(x));
                T du = T.Sqrt(T.CreateChecked(2) / T.Pi) * (one + T.CreateChecked(3 * 0.044715) * x * x);
                return half * (one + th) + half * x * (one - th * th) * du;
            }
            case "silu":
            {
                T s = one / (one + T.Exp(-x));
                return s + x * s * (one - s);
            }
            case "softplus": return a * x > b ? one : one / (one + T.Exp(-a * x));
            case "softsign":
            {
                T d = one + T.Abs(x);
                return one / (d * d);
            }
            case "hardtanh": return x > a && x < b ? one : T.Zero;
            case "erf": return T.CreateChecked(2) / T.Sqrt(T.Pi) * T.Exp(-x * x);
            default: throw new ArgumentException($"Unknown activation '{spec.Name}'.", nameof(spec));
        }
    }

    /// <summary>The standard normal CDF Φ(x) = ½·erfc(−x/√2).</summary>
    public static T Phi<T>(T x) where T : IFloatingPointIeee754<T> =>
        T.CreateChecked(0.5) * Erfc(-x / T.Sqrt(T.CreateChecked(2)));

    /// <summary>erfc(z) from the power series (z ≤ 2.5) or the continued fraction (z &gt; 2.5); see the file header.</summary>
    public static T Erfc<T>(T z) where T : IFloatingPointIeee754<T>
    {
        T one = T.One, two = T.CreateChecked(2);
        if (T.IsNaN(z)) return z;
        if (z < T.Zero) return two - Erfc(-z);
        if (z <= T.CreateChecked(2.5))
        {
            // Σ_k 2^k z^(2k+1) / (2k+1)!!: term_k = term_{k−1} · 2z² / (2k + 1).
            T term = z, sum = z, z2 = two * z * z;
            for (int k = 1; k < 500; k++)
            {
                term = term * z2 / T.CreateChecked(2 * k + 1);
                sum += term;
                if (term <= sum * T.CreateChecked(1e-18)) break; // past double's precision
            }
            return one - two / T.Sqrt(T.Pi) * T.Exp(-z * z) * sum;
        }
        // Evaluated from the tail: f = z + (k/2)/f for k = K … 1, then erfc = e^(−z²)/(√π·f).
        T f = z;
        for (int k = 400; k >= 1; k--) f = z + T.CreateChecked(k / 2.0) / f;
        return T.Exp(-z * z) / (T.Sqrt(T.Pi) * f);
    }

    /// <summary>
    /// erf(z) = (2/√π)·e^(−z²)·Σ_k 2^k z^(2k+1)/(2k+1)!! for |z| ≤ 2.5 (the series of <see cref="Erfc{T}"/>, without
    /// subtracting from 1, so tiny arguments keep their relative accuracy), 1 − erfc(z) beyond; odd in z.
    /// </summary>
    public static T Erf<T>(T z) where T : IFloatingPointIeee754<T>
    {
        if (T.IsNaN(z)) return z;
        if (z < T.Zero) return -Erf(-z);
        if (z > T.CreateChecked(2.5)) return T.One - Erfc(z);
        T two = T.CreateChecked(2), term = z, sum = z, z2 = two * z * z;
        for (int k = 1; k < 500; k++)
        {
            term = term * z2 / T.CreateChecked(2 * k + 1);
            sum += term;
            if (term <= sum * T.CreateChecked(1e-18)) break;
        }
        return two / T.Sqrt(T.Pi) * T.Exp(-z * z) * sum;
    }

    private static T TanhArgument<T>(T x) where T : IFloatingPointIeee754<T> =>
        T.Sqrt(T.CreateChecked(2) / T.Pi) * (x + T.CreateChecked(0.044715) * x * x * x);

    private const double SeluAlpha = 1.6732632423543772848170429916717;
    private const double SeluScale = 1.0507009873554804934193349852946;
}
