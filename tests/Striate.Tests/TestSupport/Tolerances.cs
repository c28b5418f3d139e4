// The one place for numeric tolerances in the tests, each with the reason for its size.
// Expected values are float64 results (PyTorch fixtures, double-precision references), so a
// tolerance bounds Striate's float32 error. float32's unit roundoff is u = 2^-24 ≈ 6.0e-8.
using System.Globalization;

namespace Striate.Tests.TestSupport;

/// <summary>|actual − expected| ≤ <see cref="Absolute"/> + <see cref="Relative"/>·|expected|, and why.</summary>
/// <remarks>
/// With <see cref="ScalesWithLargestExpected"/>, the absolute part is multiplied by the largest |expected| value of the
/// tensor being compared (when above 1): for sums whose rounding follows the size of the running sums, not of each result.
/// </remarks>
public sealed record Tolerance(double Absolute, double Relative, string Reason, bool ScalesWithLargestExpected = false)
{
    /// <summary>The largest |actual − expected| accepted for <paramref name="expected"/>.</summary>
    public double Allowed(double expected) => Absolute + Relative * Math.Abs(expected);

    /// <summary>|actual − expected| / allowed: ≤ 1 passes; NaN/∞ mismatches give +∞.</summary>
    public double Ratio(double expected, double actual)
    {
        if (double.IsNaN(expected) && double.IsNaN(actual)) return 0;
        if (double.IsInfinity(expected) || double.IsInfinity(actual)) return expected == actual ? 0 : double.PositiveInfinity;
        double diff = Math.Abs(actual - expected);
        if (double.IsNaN(diff)) return double.PositiveInfinity;
        double allowed = Allowed(expected);
        return allowed == 0 ? (diff == 0 ? 0 : double.PositiveInfinity) : diff / allowed;
    }

    /// <summary>
    /// The same tolerance with its absolute part multiplied by <paramref name="magnitude"/> (when above 1):
    /// for ops whose float32 error is set by the size of their inputs rather than of their result.
    /// </summary>
    public Tolerance ScaledBy(double magnitude) =>
        magnitude <= 1 ? this with { ScalesWithLargestExpected = false } : this with
        {
            Absolute = Absolute * magnitude,
            ScalesWithLargestExpected = false,
            Reason = Reason + string.Create(CultureInfo.InvariantCulture, $"; absolute part scaled by {magnitude:G4}"),
        };

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"atol {Absolute:G3}, rtol {Relative:G3}");
}

/// <summary>Every tolerance the tests use.</summary>
public static class Tolerances
{
    /// <summary>float32 unit roundoff, 2^-24.</summary>
    public const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>Ops that only move or select values (flatten, max, max-pool, ReLU, their gradients).</summary>
    public static readonly Tolerance Selection = new(0, 1e-8,
        "no arithmetic: the value is copied, so the only difference is the fixture's 9-significant-digit rounding (≤ 5e-9 relative)");

    /// <summary>Pointwise arithmetic (+ − · /) forward and the gradients that need no sum.</summary>
    public static readonly Tolerance Pointwise = new(2e-7, 1e-6,
        "one to three float32 roundings (u ≈ 6e-8 each; observed ≤ 1.6e-7 relative); the absolute part covers results " +
        "that cancel to near zero, such as x − y of close operands, which keep only the operands' ulp ≈ 1.2e-7 absolute accuracy");

    /// <summary>tanh and sigmoid, forward and backward.</summary>
    public static readonly Tolerance Activation = new(1e-6, 2e-6,
        "TensorPrimitives' tanh/sigmoid are accurate to a few ulp rather than 0.5; the backward 1 − y² (tanh) and y·(1 − y) " +
        "(sigmoid) of a saturated y cancel, leaving the absolute error of y (a few ulp(1) ≈ 1e-7 each) amplified by 2");

    /// <summary>Ops that sum many float32 terms: reductions, broadcast-gradient sums, matmul, linear, convolution.</summary>
    public static readonly Tolerance Accumulation = new(2e-6, 1e-5,
        "a float32 sum of n random-sign terms drifts by about u·√n·|running sum|, and the running sums are as large as the " +
        "largest result, so the absolute part is 2e-6 per unit of the tensor's largest |expected|. Worst case here: LeNet C1's " +
        "weight gradient, n = N·P·Q = 1,568 terms, results up to 34: u·√n·34 ≈ 8e-5 predicted, 2.3e-5 observed, 6.8e-5 allowed; " +
        "one wrong or missing term (|x·dy| ~ 0.1) is still over a thousand times larger",
        ScalesWithLargestExpected: true);

    /// <summary>Log-softmax and cross-entropy; scale with <see cref="Tolerance.ScaledBy"/> by the largest |logit|.</summary>
    public static readonly Tolerance Softmax = new(2e-7, 1e-5,
        "y = x − (max + log Σ exp(x − max)) is formed in float32, so y carries the rounding of the logits' magnitude, " +
        "half an ulp = 2^-24·|x| ≈ 6e-8·|x| (3e-5 for logits near 1000); the absolute part allows ~3 such roundings per unit of |x|, " +
        "and the relative part covers the exp/log of the double-precision sum");

    /// <summary>Lp-pooling gradient dy·(K/n)·x^(p−1)·y/T (T = Σ x^p over a window of up to 27 cells).</summary>
    public static readonly Tolerance LpPoolGradient = new(1e-6, 1e-5,
        "T is a float32 sum of up to 27 non-cancelling terms (x² or |x|^p; for p = 1, y/T is exactly 1), so ≤ 27·u ≈ 1.6e-6 " +
        "relative, plus MathF.Pow/Sqrt (a few ulp) for x^(p−1) and y and three roundings in the product: ~2e-6 relative " +
        "predicted, 1e-5 allowed; the absolute part covers gradients that are sums of terms of both signs over overlapping windows");

    /// <summary>SGD updates (fixture from torch.optim.SGD).</summary>
    public static readonly Tolerance Optimizer = new(1e-6, 1e-6,
        "three steps of a handful of float32 multiply-adds each on values of order 1: a few u per step");

    /// <summary>GEMM kernel against the double-precision reference, relative to Σ_k |α·a·b| + |β·c|.</summary>
    /// <remarks>
    /// The classic bound for a float32 dot product of length k is |error| ≤ γ_k·Σ|a·b| with γ_k ≈ k·u; fused
    /// multiply-adds (MultiplyAddEstimate may or may not fuse) only make it smaller. The α and β scalings add
    /// two more roundings. This factor times (k + 2) is the allowed error relative to the absolute sum.
    /// </remarks>
    public const double GemmPerTermRelative = UnitRoundoff;

    /// <summary>Step h of the finite-difference gradient checks.</summary>
    public const float GradCheckEpsilon = 1e-2f;

    /// <summary>Absolute tolerance of gradient checks.</summary>
    public const double GradCheckAbsolute = 1e-2;

    /// <summary>Relative tolerance of gradient checks.</summary>
    /// <remarks>
    /// Why 1e-2 (with h = 1e-2): the central difference has truncation error h²/6·|f‴| ≈ 2e-5 for the smooth ops
    /// here, and float32 evaluation noise ≈ u·|L|/h ≈ 6e-6·|L|; a wrong backward (a transposed index, a missing
    /// term, a factor of 1.5) is off by O(|gradient|), two orders above the tolerance.
    /// </remarks>
    public const double GradCheckRelative = 1e-2;

    /// <summary>Normal(0, 1) sample of 100,000: allowed |mean| and |std − 1|.</summary>
    /// <remarks>
    /// Standard errors are 1/√n = 0.0032 for the mean and 1/√(2n) = 0.0022 for the std; five standard errors
    /// (false-alarm probability ~6e-7 for a fresh seed; the seed is fixed anyway) give 0.016 and 0.011.
    /// </remarks>
    public const double NormalMeanBound = 0.016, NormalStdBound = 0.011;

    /// <summary>χ² bound for 10 equally likely buckets (9 degrees of freedom).</summary>
    /// <remarks>P(χ²₉ &gt; 40) ≈ 7e-6: a uniform generator essentially never exceeds it, a biased one (e.g. modulo bias toward low buckets) quickly does.</remarks>
    public const double ChiSquare9Bound = 40;

    /// <summary>Dropout keep rates: allowed |observed − (1 − p)| in standard errors √(p(1 − p)/n).</summary>
    /// <remarks>
    /// Five standard errors: a fair mask exceeds it with probability ~6e-7 (and the seeds are fixed), while a keep
    /// rate off by one percentage point over 10⁶ draws is ~20 standard errors out.
    /// </remarks>
    public const double KeepRateStandardErrors = 5;

    /// <summary>Bilinear sampling and resizing of values in [−1, 1] (warps, rotations, elastic distortion, resized crops).</summary>
    public static readonly Tolerance Bilinear = new(1e-6, 1e-6,
        "the four weights (1 − α)(1 − β), α(1 − β), … are formed in float32 from a double source point (two roundings each, " +
        "≤ 2.4e-7 relative) and the four products summed in float32 (three more roundings of values up to 1), so about 8 " +
        "roundings of magnitude-1 terms: ≤ 5e-7 absolute, kept under 1e-6");

    /// <summary>Hue rotation through float32 HSV of values in [0, 1] against colorsys in double.</summary>
    public static readonly Tolerance HueRotation = new(2e-6, 2e-6,
        "RGB → HSV → RGB in float32 chains about a dozen roundings (a division by max − min, ·6, mod 1, ·6, floor, " +
        "three products with V and S) of values ≤ 6, each ≤ 6e-8 relative: a few 1e-7 absolute, kept under 2e-6");

    /// <summary>The k-means encoder as a convolution against its step-by-step patch encoding (double sums over float32 inputs).</summary>
    public static readonly Tolerance KMeansEncoder = new(2e-3, 2e-3,
        "the convolution forms c·x_w as ((Pc)·x − μ·Σ(Pc))/σ − (Pc)·m and the triangle distance as √(‖x_w‖² − 2c·x_w + ‖c‖²): " +
        "float32 dot products of ~‖x_w‖² ≈ D = up to 75 terms of size up to ~10 (whitening amplifies low-variance directions " +
        "by 1/√(λ + 0.1) ≤ 3.2), rounded to ~1e-5 each, then cancelled in the subtraction and square root near a centroid: " +
        "a few 1e-4 expected, kept under 2e-3");

    /// <summary>Whole ONNX models (PyTorch exports run by Striate; Striate exports run by ONNX Runtime) on small inputs.</summary>
    public static readonly Tolerance OnnxModel = new(1e-5, 1e-4,
        "a whole network chains a few hundred float32 dot products, normalizations and transcendental activations whose " +
        "summation orders differ between the two runtimes: a few 1e-6 relative to the activations' size; the issue's " +
        "acceptance bound 1e-4 relative, with 1e-5 absolute for outputs near zero (cancellation in the last layer)");
}
