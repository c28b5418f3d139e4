// Gabor functions, the model of V1 simple cells the chapter gives (and what first-layer filters of
// trained CNNs tend to look like):
//   w(x, y) = α · exp(−βx·x'² − βy·y'²) · cos(f·x' + φ)
//   x' =  (x − x0)·cos τ + (y − y0)·sin τ
//   y' = −(x − x0)·sin τ + (y − y0)·cos τ
// A simple cell responds s(I) = Σ_{x,y} w(x, y)·I(x, y); a complex cell combines a quadrature pair
// (phases φ and φ + π/2) as c(I) = √(s0(I)² + s1(I)²), which barely changes when the image shifts.
// Kernel coordinates: x is the column and y the row (downwards) offset from the kernel's centre, so
// τ = 0 varies along the rows (vertical stripes) and x0 > 0 moves the centre to the right.
//   complex cell backward: c = √(s0² + s1²)  →  ds0 += g·s0/c, ds1 += g·s1/c  (0 where c = 0)
using Striate.Autograd;

namespace Striate.Features;

/// <summary>
/// The parameters of one Gabor function w(x, y) = α·exp(−βx·x'² − βy·y'²)·cos(f·x' + φ), with
/// x' = (x − x0)cos τ + (y − y0)sin τ and y' = −(x − x0)sin τ + (y − y0)cos τ.
/// </summary>
/// <param name="Alpha">α, the amplitude.</param>
/// <param name="BetaX">βx ≥ 0, the Gaussian envelope's decay along x' (larger: narrower).</param>
/// <param name="BetaY">βy ≥ 0, the envelope's decay along y'.</param>
/// <param name="Frequency">f, radians per pixel along x' (2π/f is the wavelength).</param>
/// <param name="Phase">φ in radians: 0 gives an even (cosine) filter, π/2 an odd (sine) one.</param>
/// <param name="X0">x0, the centre's column offset from the kernel centre.</param>
/// <param name="Y0">y0, the centre's row offset from the kernel centre.</param>
/// <param name="Tau">τ in radians, the orientation of x' measured from the horizontal.</param>
public readonly record struct GaborParameters(double Alpha, double BetaX, double BetaY, double Frequency, double Phase, double X0 = 0, double Y0 = 0, double Tau = 0)
{
    /// <summary>The same filter shifted in phase by π/2: its quadrature partner for a complex cell.</summary>
    public GaborParameters Quadrature() => this with { Phase = Phase + Math.PI / 2 };
}

/// <summary>Gabor functions, kernels, banks and the complex-cell energy.</summary>
public static class Gabor
{
    /// <summary>w(x, y) = α·exp(−βx·x'² − βy·y'²)·cos(f·x' + φ) for the given parameters (see <see cref="GaborParameters"/>).</summary>
    /// <param name="p">The Gabor parameters.</param>
    /// <param name="x">Column coordinate.</param>
    /// <param name="y">Row coordinate (downwards).</param>
    public static double Evaluate(GaborParameters p, double x, double y)
    {
        double dx = x - p.X0, dy = y - p.Y0, cos = Math.Cos(p.Tau), sin = Math.Sin(p.Tau);
        double xr = dx * cos + dy * sin, yr = -dx * sin + dy * cos;
        return p.Alpha * Math.Exp(-p.BetaX * xr * xr - p.BetaY * yr * yr) * Math.Cos(p.Frequency * xr + p.Phase);
    }

    /// <summary>
    /// The Gabor function sampled on a size×size grid centred on the kernel: K[r, s] = w(s − (size−1)/2, r − (size−1)/2).
    /// </summary>
    /// <param name="p">The Gabor parameters.</param>
    /// <param name="size">Side of the kernel, at least 1.</param>
    /// <returns>(size, size).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="ArgumentException">A parameter is not finite, or βx or βy is negative (<c>p</c>).</exception>
    public static Tensor Kernel(GaborParameters p, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        Check(p, nameof(p));
        var values = new float[size * size];
        double centre = (size - 1) / 2.0;
        for (int r = 0; r < size; r++)
            for (int s = 0; s < size; s++) values[r * size + s] = (float)Evaluate(p, s - centre, r - centre);
        return Tensor.FromArray(values, size, size);
    }

    /// <summary>
    /// A bank over orientations × frequencies × phases: τ = kπ/<paramref name="orientations"/> for
    /// k = 0 … orientations − 1, filters ordered frequency-major, then orientation, then phase.
    /// </summary>
    /// <param name="size">Side of every kernel.</param>
    /// <param name="orientations">Number of evenly spaced orientations in [0, π), at least 1.</param>
    /// <param name="frequencies">f values (radians per pixel), at least one.</param>
    /// <param name="phases">φ values (radians), at least one; {0, π/2} gives quadrature pairs.</param>
    /// <param name="betaX">βx of every filter.</param>
    /// <param name="betaY">βy of every filter.</param>
    /// <param name="alpha">α of every filter.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> or <paramref name="orientations"/> is not positive.</exception>
    /// <exception cref="ArgumentException">frequencies or phases is empty (named), or a value is not finite or a β negative.</exception>
    public static GaborBank Bank(int size, int orientations, IReadOnlyList<double> frequencies, IReadOnlyList<double> phases, double betaX, double betaY, double alpha = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(orientations);
        ArgumentNullException.ThrowIfNull(frequencies);
        ArgumentNullException.ThrowIfNull(phases);
        if (frequencies.Count == 0) throw new ArgumentException("At least one frequency is needed.", nameof(frequencies));
        if (phases.Count == 0) throw new ArgumentException("At least one phase is needed.", nameof(phases));
        var filters = new List<GaborParameters>();
        foreach (double f in frequencies)
            for (int k = 0; k < orientations; k++)
                foreach (double phi in phases)
                    filters.Add(new GaborParameters(alpha, betaX, betaY, f, phi, Tau: k * Math.PI / orientations));
        return new GaborBank(size, filters);
    }

    /// <summary>
    /// The complex-cell energy c = √(s0² + s1²) elementwise, differentiable (the gradient is taken as 0 where c = 0).
    /// </summary>
    /// <param name="s0">Responses of the even simple cells (any shape).</param>
    /// <param name="s1">Responses of their quadrature partners, same shape.</param>
    /// <returns>A tensor of the same shape.</returns>
    /// <exception cref="ArgumentException">The shapes differ (<c>s1</c>).</exception>
    public static Tensor ComplexCell(Tensor s0, Tensor s1) => ComplexCellNode.Forward(s0, s1);

    /// <summary>
    /// The chapter's three parameter sweeps, nine filters each, for pictures of 31×31 kernels (row-major 3×3):
    /// (1) centre and orientation: x0, y0 ∈ {−6, 0, 6} by column and row, τ = iπ/9 for filter i;
    /// (2) Gaussian scale: βx ∈ {0.08, 0.02, 0.005} by column, βy the same by row (decreasing left to right, top to bottom);
    /// (3) sinusoid: f ∈ {0.3, 0.6, 1.2} increasing by row, φ ∈ {0, π/2, π} by column.
    /// Unless swept: α = 1, βx = βy = 0.02, f = 0.6, φ = 0, x0 = y0 = τ = 0.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<GaborParameters>> ChapterSweeps()
    {
        var basic = new GaborParameters(1, 0.02, 0.02, 0.6, 0);
        double[] offsets = [-6, 0, 6], betas = [0.08, 0.02, 0.005], frequencies = [0.3, 0.6, 1.2], phases = [0, Math.PI / 2, Math.PI];
        var centre = new List<GaborParameters>();
        var scale = new List<GaborParameters>();
        var sinusoid = new List<GaborParameters>();
        for (int i = 0; i < 9; i++)
        {
            int row = i / 3, column = i % 3;
            centre.Add(basic with { X0 = offsets[column], Y0 = offsets[row], Tau = i * Math.PI / 9 });
            scale.Add(basic with { BetaX = betas[column], BetaY = betas[row] });
            sinusoid.Add(basic with { Frequency = frequencies[row], Phase = phases[column] });
        }
        return [centre, scale, sinusoid];
    }

    internal static void Check(GaborParameters p, string paramName)
    {
        if (!double.IsFinite(p.Alpha) || !double.IsFinite(p.BetaX) || !double.IsFinite(p.BetaY) || !double.IsFinite(p.Frequency)
            || !double.IsFinite(p.Phase) || !double.IsFinite(p.X0) || !double.IsFinite(p.Y0) || !double.IsFinite(p.Tau))
            throw new ArgumentException($"Every Gabor parameter must be finite: {p}.", paramName);
        if (p.BetaX < 0 || p.BetaY < 0)
            throw new ArgumentException($"βx and βy must not be negative (the envelope would grow): {p}.", paramName);
    }
}

/// <summary>A list of Gabor filters of one kernel size, ready to become convolution weights.</summary>
public sealed class GaborBank
{
    /// <summary>Creates a bank from explicit filters.</summary>
    /// <param name="size">Side of every kernel, at least 1.</param>
    /// <param name="filters">The filters, at least one.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="size"/> is not positive.</exception>
    /// <exception cref="ArgumentException">No filters, or a filter has a non-finite value or a negative β (<c>filters</c>).</exception>
    public GaborBank(int size, IEnumerable<GaborParameters> filters)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentNullException.ThrowIfNull(filters);
        var list = filters.ToList();
        if (list.Count == 0) throw new ArgumentException("A Gabor bank needs at least one filter.", nameof(filters));
        foreach (var f in list) Gabor.Check(f, nameof(filters));
        Size = size;
        Filters = list;
    }

    /// <summary>Side of every kernel.</summary>
    public int Size { get; }

    /// <summary>The filters, in weight order.</summary>
    public IReadOnlyList<GaborParameters> Filters { get; }

    /// <summary>Number of filters K.</summary>
    public int Count => Filters.Count;

    /// <summary>The bank with every filter replaced by its quadrature partner (phase + π/2).</summary>
    public GaborBank Quadrature() => new(Size, Filters.Select(f => f.Quadrature()));

    /// <summary>
    /// The filters as convolution weights: W[k, c] = kernel_k / C for every input channel c, so a
    /// C-channel image is filtered through its channel mean.
    /// </summary>
    /// <param name="inChannels">C, channels of the input.</param>
    /// <returns>(K, C, Size, Size).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inChannels"/> is not positive.</exception>
    public Tensor ToWeight(int inChannels = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        int taps = Size * Size;
        var w = new float[Count * inChannels * taps];
        for (int k = 0; k < Count; k++)
        {
            var kernel = Gabor.Kernel(Filters[k], Size).AsSpan();
            for (int c = 0; c < inChannels; c++)
                for (int t = 0; t < taps; t++) w[(k * inChannels + c) * taps + t] = kernel[t] / inChannels;
        }
        return Tensor.FromArray(w, Count, inChannels, Size, Size);
    }
}

/// <summary>Autograd node for the complex-cell energy c = √(s0² + s1²).</summary>
internal sealed class ComplexCellNode(Tensor s0, Tensor s1) : Node(s0, s1)
{
    public override string Name => "ComplexCell";

    public static Tensor Forward(Tensor s0, Tensor s1)
    {
        ArgumentNullException.ThrowIfNull(s0);
        ArgumentNullException.ThrowIfNull(s1);
        if (!s0.Dims.SequenceEqual(s1.Dims))
            throw new ArgumentException($"The quadrature responses must have the same shape: {Tensor.ShapeText(s0.Dims)} and {Tensor.ShapeText(s1.Dims)}.", nameof(s1));
        var c = s0.UninitializedLike();
        ReadOnlySpan<float> a = s0.Data, b = s1.Data;
        var y = c.Data.AsSpan();
        for (int i = 0; i < y.Length; i++) y[i] = MathF.Sqrt(a[i] * a[i] + b[i] * b[i]);
        if (ShouldRecord(s0, s1)) c.SetGradFn(new ComplexCellNode(s0, s1));
        return c;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        // c = √(s0² + s1²): ∂c/∂s0 = s0/c, ∂c/∂s1 = s1/c.
        ReadOnlySpan<float> c = output.Data;
        for (int which = 0; which < 2; which++)
        {
            var d = GradOf(which);
            if (d.IsEmpty) continue;
            ReadOnlySpan<float> s = Inputs[which].Data;
            for (int i = 0; i < d.Length; i++)
                if (c[i] > 0) d[i] += gradOutput[i] * s[i] / c[i];
        }
    }
}
