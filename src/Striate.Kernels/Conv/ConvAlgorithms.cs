// Algorithm selection and dispatch for the convolution passes:
//   Forward:         y = epilogue(conv(x, w) + b)
//   BackwardData:    dx += ∂L/∂x        BackwardWeights: dw += ∂L/∂w, db += ∂L/∂b
// with every algorithm of ConvAlgorithm behind one call. The rules of Choose depend on the geometry
// alone (never on the thread count or on timings), so Auto makes the same choice, and gives the same
// bits, in every run. Benchmark times every applicable algorithm on the first call of a shape and keeps
// the fastest for the rest of the process (the cache key is geometry, pass and thread count): later
// calls are then bit-identical to each other, while two processes may pick different winners whose
// results differ within each algorithm's documented float32 error bound.
using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Numerics.Tensors;

namespace Striate.Kernels.Conv;

/// <summary>Chooses and runs convolution algorithms: shape rules, benchmark-on-first-use, and forced choices.</summary>
public static class ConvAlgorithms
{
    private static readonly ConcurrentDictionary<(ConvGeometry Geometry, ConvPass Pass, int Threads), ConvAlgorithm> s_benchmarked = new();

    /// <summary>
    /// The concrete algorithms that work for any filter values, in the order <see cref="ConvAlgorithm.Benchmark"/> tries them
    /// (Separable, which needs rank-1 filters, is chosen by rule or forced, never timed).
    /// </summary>
    public static IReadOnlyList<ConvAlgorithm> Concrete { get; } = [ConvAlgorithm.Im2colGemm, ConvAlgorithm.Direct, ConvAlgorithm.Winograd, ConvAlgorithm.Fft];

    /// <summary>
    /// Whether <paramref name="algorithm"/> can compute convolutions of geometry <paramref name="g"/>
    /// (Auto and Benchmark always can: they choose among the applicable ones).
    /// </summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="g">The convolution.</param>
    /// <returns>True when the algorithm handles the geometry.</returns>
    public static bool IsApplicable(ConvAlgorithm algorithm, in ConvGeometry g) => WhyNot(algorithm, g) is null;

    /// <summary>Why <paramref name="algorithm"/> cannot compute <paramref name="g"/>, or null when it can.</summary>
    /// <param name="algorithm">The algorithm.</param>
    /// <param name="g">The convolution.</param>
    /// <returns>A sentence naming the unmet requirement, or null.</returns>
    public static string? WhyNot(ConvAlgorithm algorithm, in ConvGeometry g) => algorithm switch
    {
        ConvAlgorithm.Auto or ConvAlgorithm.Benchmark or ConvAlgorithm.Im2colGemm => null,
        ConvAlgorithm.Direct => DirectConvKernel.IsApplicable(g) ? null : "direct convolution handles 1-D and 2-D convolutions only, and this one has a depth axis",
        ConvAlgorithm.Winograd => WinogradConvKernel.IsApplicable(g) ? null : "Winograd handles 2-D convolutions with 3×3 filters, stride 1 and dilation 1 only",
        ConvAlgorithm.Fft => FftConvKernel.IsApplicable(g) ? null : "FFT convolution handles 1-D and 2-D convolutions with stride 1 only",
        ConvAlgorithm.Separable => SeparableConvKernel.IsApplicable(g) ? null : "separable convolution handles 1-D and 2-D convolutions only, and this one has a depth axis",
        _ => $"{algorithm} is not a convolution algorithm",
    };

    /// <summary>
    /// The algorithm the shape rules pick for one pass of <paramref name="g"/> (never Auto or Benchmark). The rules use the
    /// geometry only, so a shape gets the same algorithm, and the same bits, in every run and at every thread count. They
    /// come from timing every algorithm on the anchor's layer shapes and on large kernels (docs/kernels/convolution-algorithms.md):
    /// <list type="bullet">
    /// <item>Winograd for every pass of a 2-D 3×3, stride-1, dilation-1 layer with at least 16 input and 16 output channels
    /// per group, at least 100 output positions per image and at least 400 in the batch (ResNet's 56×56, 28×28 and 14×14 stages
    /// in training; at batch 1 the 14×14 stage has 49 F(2×2) tiles, too few columns for the α² transform-domain GEMMs, and
    /// im2col wins; F(4×4) from 32×32 up, F(2×2) below);</item>
    /// <item>direct convolution for a 1-D/2-D forward with at most 8 input channels per group (LeNet, RGB stems) or a kernel of
    /// 49 taps or more; for a stride-1 data gradient with at most 8 output channels per group or 121 taps or more, or with
    /// 25 taps or more, at most 8 input channels per group and rows of at most 16 (LeNet's C3, whose col2im scatter of
    /// 10-float rows cost more than the direct kernel's two rows per Vector512); for a
    /// stride-1 weight gradient with at most 2 input channels per group, or 121 taps or more and at most 16, or 13 taps or
    /// more with one group, at least 8 filters and a gradient small enough for the filters-in-lanes blocking (N·P·Q·⌈K/16⌉·16
    /// ≤ 2²⁰: LeNet's C3);</item>
    /// <item>im2col + GEMM otherwise (1×1 layers, strided backwards, 3-D).</item>
    /// </list>
    /// FFT is never the rule's choice: on the shapes measured, direct convolution beat it (force it, or let
    /// <see cref="ConvAlgorithm.Benchmark"/> time it).
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="pass">Which computation.</param>
    /// <returns>The chosen algorithm.</returns>
    public static ConvAlgorithm Choose(in ConvGeometry g, ConvPass pass)
    {
        if (WinogradConvKernel.IsApplicable(g) && g.CPerGroup >= 16 && g.KPerGroup >= 16 && g.OutputVolume >= 100 && (long)g.N * g.OutputVolume >= 400)
            return ConvAlgorithm.Winograd;
        bool planar = DirectConvKernel.IsApplicable(g) && g.KernelVolume > 1;
        bool unitStride = g.Height.Stride == 1 && g.Width.Stride == 1;
        int taps = g.KernelVolume;
        bool direct = pass switch
        {
            ConvPass.Forward => planar && (g.CPerGroup <= 8 || taps >= 49),
            ConvPass.BackwardData => planar && unitStride && (g.KPerGroup <= 8 || taps >= 121
                || (taps >= 25 && g.CPerGroup <= 8 && g.Width.Input <= 16)),
            _ => planar && unitStride && (g.CPerGroup <= 2 || (taps >= 121 && g.CPerGroup <= 16)
                || (taps >= 13 && DirectConvKernel.PrefersChannelLaneWeights(g))),
        };
        return direct ? ConvAlgorithm.Direct : ConvAlgorithm.Im2colGemm;
    }

    /// <summary>
    /// <see cref="Choose"/> for a layer whose filters are frozen (not trained): when every R×S slice (R, S ≥ 3) is rank 1
    /// (<see cref="SeparableConvKernel.IsSeparable"/>), the forward and the data gradient run the separable kernels, R + S
    /// multiply-adds per output instead of R·S; otherwise the shape rules decide.
    /// </summary>
    /// <param name="g">The convolution.</param>
    /// <param name="pass">Which computation.</param>
    /// <param name="w">The frozen filters (K, C/G, R, S).</param>
    /// <returns>The chosen algorithm.</returns>
    /// <exception cref="ArgumentException"><paramref name="w"/> is shorter than the filters.</exception>
    public static ConvAlgorithm ChooseFrozen(in ConvGeometry g, ConvPass pass, ReadOnlySpan<float> w)
    {
        bool worthIt = pass != ConvPass.BackwardWeights && g.Height.Kernel >= 3 && g.Width.Kernel >= 3;
        return worthIt && SeparableConvKernel.IsSeparable(g, w) ? ConvAlgorithm.Separable : Choose(g, pass);
    }

    /// <summary>The winner <see cref="ConvAlgorithm.Benchmark"/> stored for this shape, pass and thread count, if it has run.</summary>
    /// <param name="g">The convolution.</param>
    /// <param name="pass">Which computation.</param>
    /// <param name="threads">The thread bound the calls used.</param>
    /// <param name="algorithm">The stored winner.</param>
    /// <returns>True when a winner is stored.</returns>
    public static bool TryGetBenchmarked(in ConvGeometry g, ConvPass pass, int threads, out ConvAlgorithm algorithm) =>
        s_benchmarked.TryGetValue((g, pass, threads), out algorithm);

    /// <summary>Forgets every benchmarked winner, so the next Benchmark call of each shape times the algorithms again.</summary>
    public static void ClearBenchmarks() => s_benchmarked.Clear();

    /// <summary>
    /// y = epilogue(conv(x, w) + b) with <paramref name="algorithm"/> (Auto: <see cref="Choose"/>; Benchmark: the cached or newly
    /// timed winner): y[n,k,o] = b[k] + Σ_{c',t} w[k,c',t] · x[n, c0(k) + c', o·stride − padBefore + t·dilation].
    /// <paramref name="y"/> is overwritten.
    /// </summary>
    /// <param name="algorithm">The algorithm, or Auto/Benchmark to choose.</param>
    /// <param name="g">Sizes, stride, dilation, padding and groups.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="w">Filters (K, C/G, KD, KH, KW).</param>
    /// <param name="bias">Bias (K), or empty for none.</param>
    /// <param name="y">Output (N, K, OD, OH, OW).</param>
    /// <param name="threads">Upper bound on threads; for a fixed algorithm the result is the same for every value.</param>
    /// <param name="epilogue">ReLU applied to every output, or none.</param>
    /// <param name="frozenWeights">The filters are not being trained: Auto may then pick the separable kernels (<see cref="ChooseFrozen"/>).</param>
    /// <returns>The algorithm that ran.</returns>
    /// <exception cref="ArgumentException">
    /// Invalid geometry, a span shorter than its tensor, a bias neither empty nor K long, an algorithm that cannot compute
    /// this geometry (<c>algorithm</c>), or Separable forced on filters that are not rank 1 (<c>w</c>).
    /// </exception>
    public static ConvAlgorithm Forward(ConvAlgorithm algorithm, ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads, ConvEpilogue epilogue = ConvEpilogue.None, bool frozenWeights = false)
    {
        ConvSupport.CheckForward(g, x.Length, w.Length, bias.Length, y.Length);
        var chosen = algorithm == ConvAlgorithm.Auto && frozenWeights ? ChooseFrozen(g, ConvPass.Forward, w) : Resolve(algorithm, g, ConvPass.Forward, threads);
        if (chosen == ConvAlgorithm.Benchmark) chosen = BenchmarkForward(g, x, w, bias, threads, epilogue);
        RunForward(chosen, g, x, w, bias, y, threads, epilogue);
        return chosen;
    }

    /// <summary>
    /// dx += ∂L/∂x with <paramref name="algorithm"/>: dx[n,c,i] += Σ w[k, c − c0(k), t] · dy[n,k,o] over the (k, t, o) whose
    /// tap t of output o reads input i. The sum is formed first and added once.
    /// </summary>
    /// <param name="algorithm">The algorithm, or Auto/Benchmark to choose.</param>
    /// <param name="g">Geometry of the forward convolution.</param>
    /// <param name="dy">Output gradient (N, K, OD, OH, OW).</param>
    /// <param name="w">Filters (K, C/G, KD, KH, KW).</param>
    /// <param name="dx">Input gradient (N, C, D, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; for a fixed algorithm the result is the same for every value.</param>
    /// <param name="frozenWeights">The filters are not being trained: Auto may then pick the separable kernels (<see cref="ChooseFrozen"/>).</param>
    /// <returns>The algorithm that ran.</returns>
    /// <exception cref="ArgumentException">
    /// Invalid geometry, a span shorter than its tensor, an algorithm that cannot compute this geometry (<c>algorithm</c>), or
    /// Separable forced on filters that are not rank 1 (<c>w</c>).
    /// </exception>
    public static ConvAlgorithm BackwardData(ConvAlgorithm algorithm, ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads, bool frozenWeights = false)
    {
        ConvSupport.CheckBackwardData(g, dy.Length, w.Length, dx.Length);
        var chosen = algorithm == ConvAlgorithm.Auto && frozenWeights ? ChooseFrozen(g, ConvPass.BackwardData, w) : Resolve(algorithm, g, ConvPass.BackwardData, threads);
        if (chosen == ConvAlgorithm.Benchmark) chosen = BenchmarkBackwardData(g, dy, w, threads);
        RunBackwardData(chosen, g, dy, w, dx, threads);
        return chosen;
    }

    /// <summary>
    /// dw += ∂L/∂w and db += ∂L/∂b with <paramref name="algorithm"/>: dw[k,c',t] += Σ_{n,o} dy[n,k,o] · x[n, c0(k) + c', o·stride − padBefore + t·dilation],
    /// db[k] += Σ_{n,o} dy[n,k,o]. Each sum is formed first and added once; either destination may be empty to skip it.
    /// </summary>
    /// <param name="algorithm">The algorithm, or Auto/Benchmark to choose.</param>
    /// <param name="g">Geometry of the forward convolution.</param>
    /// <param name="x">Input (N, C, D, H, W).</param>
    /// <param name="dy">Output gradient (N, K, OD, OH, OW).</param>
    /// <param name="dw">Filter gradient (K, C/G, KD, KH, KW), added to; empty to skip.</param>
    /// <param name="db">Bias gradient (K), added to; empty to skip.</param>
    /// <param name="threads">Upper bound on threads; for a fixed algorithm the result is the same for every value.</param>
    /// <returns>The algorithm that ran.</returns>
    /// <exception cref="ArgumentException">
    /// Invalid geometry, a span shorter than its tensor, a db neither empty nor K long, or an algorithm that cannot compute this
    /// geometry (<c>algorithm</c>).
    /// </exception>
    public static ConvAlgorithm BackwardWeights(ConvAlgorithm algorithm, ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads)
    {
        ConvSupport.CheckBackwardWeights(g, x.Length, dy.Length, dw.Length, db.Length);
        var chosen = Resolve(algorithm, g, ConvPass.BackwardWeights, threads);
        if (chosen == ConvAlgorithm.Benchmark) chosen = BenchmarkBackwardWeights(g, x, dy, threads);
        RunBackwardWeights(chosen, g, x, dy, dw, db, threads);
        return chosen;
    }

    /// <summary>The algorithm to run: a forced one (checked), the rules' choice, a stored benchmark winner, or Benchmark when timing is needed.</summary>
    private static ConvAlgorithm Resolve(ConvAlgorithm algorithm, in ConvGeometry g, ConvPass pass, int threads)
    {
        if (!Enum.IsDefined(algorithm))
            throw new ArgumentException($"{algorithm} is not a convolution algorithm.", nameof(algorithm));
        if (algorithm == ConvAlgorithm.Auto) return Choose(g, pass);
        if (algorithm == ConvAlgorithm.Benchmark)
            return s_benchmarked.TryGetValue((g, pass, threads), out var stored) ? stored : ConvAlgorithm.Benchmark;
        if (WhyNot(algorithm, g) is { } reason)
            throw new ArgumentException($"Convolution algorithm {algorithm} cannot compute this convolution: {reason} (geometry {g}).", nameof(algorithm));
        return algorithm;
    }

    private static ConvAlgorithm BenchmarkForward(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        int threads, ConvEpilogue epilogue)
    {
        float[] scratch = ArrayPool<float>.Shared.Rent((int)Math.Max(1, g.OutputLength));
        try
        {
            return Pick(g, ConvPass.Forward, threads, (a, x2, w2, b2, sink) => RunForward(a, g, x2, w2, b2, sink, threads, epilogue),
                x, w, bias, scratch.AsSpan(0, (int)g.OutputLength));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static ConvAlgorithm BenchmarkBackwardData(ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, int threads)
    {
        float[] scratch = ArrayPool<float>.Shared.Rent((int)Math.Max(1, g.InputLength));
        try
        {
            var sink = scratch.AsSpan(0, (int)g.InputLength);
            sink.Clear();
            return Pick(g, ConvPass.BackwardData, threads, (a, dy2, w2, _, s) => RunBackwardData(a, g, dy2, w2, s, threads), dy, w, default, sink);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private static ConvAlgorithm BenchmarkBackwardWeights(ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int threads)
    {
        float[] scratch = ArrayPool<float>.Shared.Rent((int)Math.Max(1, g.WeightLength));
        try
        {
            var sink = scratch.AsSpan(0, (int)g.WeightLength);
            sink.Clear();
            return Pick(g, ConvPass.BackwardWeights, threads, (a, x2, dy2, _, s) => RunBackwardWeights(a, g, x2, dy2, s, default, threads), x, dy, default, sink);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scratch);
        }
    }

    private delegate void Candidate(ConvAlgorithm algorithm, ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> sink);

    /// <summary>
    /// Times every applicable algorithm twice on the real operands (writing into <paramref name="sink"/>, not the destination),
    /// keeps the faster run of each, and stores the fastest algorithm; if another thread stored one first, that one wins.
    /// </summary>
    private static ConvAlgorithm Pick(in ConvGeometry g, ConvPass pass, int threads, Candidate run,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> c, Span<float> sink)
    {
        var best = ConvAlgorithm.Im2colGemm;
        double bestSeconds = double.PositiveInfinity;
        foreach (var candidate in Concrete)
        {
            if (!IsApplicable(candidate, g)) continue;
            double seconds = double.PositiveInfinity;
            for (int trial = 0; trial < 2; trial++)
            {
                long start = Stopwatch.GetTimestamp();
                run(candidate, a, b, c, sink);
                seconds = Math.Min(seconds, Stopwatch.GetElapsedTime(start).TotalSeconds);
            }
            if (seconds < bestSeconds)
            {
                bestSeconds = seconds;
                best = candidate;
            }
        }
        return s_benchmarked.GetOrAdd((g, pass, threads), best);
    }

    private static void RunForward(ConvAlgorithm algorithm, in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w,
        ReadOnlySpan<float> bias, Span<float> y, int threads, ConvEpilogue epilogue)
    {
        switch (algorithm)
        {
            case ConvAlgorithm.Direct:
                DirectConvKernel.Forward(g, x, w, bias, y, threads, epilogue);
                break;
            case ConvAlgorithm.Winograd:
                WinogradConvKernel.Forward(g, x, w, bias, y, threads, epilogue);
                break;
            case ConvAlgorithm.Fft:
                FftConvKernel.Forward(g, x, w, bias, y, threads, epilogue);
                break;
            case ConvAlgorithm.Separable:
                SeparableConvKernel.Forward(g, x, w, bias, y, threads, epilogue);
                break;
            default:
                ConvNdKernel.Forward(g, x, w, bias, y, threads);
                if (epilogue == ConvEpilogue.Relu)
                {
                    var outputs = y[..(int)g.OutputLength];
                    TensorPrimitives.Max(outputs, 0f, outputs);
                }
                break;
        }
    }

    private static void RunBackwardData(ConvAlgorithm algorithm, in ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w,
        Span<float> dx, int threads)
    {
        switch (algorithm)
        {
            case ConvAlgorithm.Direct:
                DirectConvKernel.BackwardData(g, dy, w, dx, threads);
                break;
            case ConvAlgorithm.Winograd:
                WinogradConvKernel.BackwardData(g, dy, w, dx, threads);
                break;
            case ConvAlgorithm.Fft:
                FftConvKernel.BackwardData(g, dy, w, dx, threads);
                break;
            case ConvAlgorithm.Separable:
                SeparableConvKernel.BackwardData(g, dy, w, dx, threads);
                break;
            default:
                ConvNdKernel.BackwardData(g, dy, w, dx, threads);
                break;
        }
    }

    private static void RunBackwardWeights(ConvAlgorithm algorithm, in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> dy,
        Span<float> dw, Span<float> db, int threads)
    {
        switch (algorithm)
        {
            case ConvAlgorithm.Direct:
                DirectConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
                break;
            case ConvAlgorithm.Winograd:
                WinogradConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
                break;
            case ConvAlgorithm.Fft:
                FftConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
                break;
            case ConvAlgorithm.Separable:
                SeparableConvKernel.BackwardWeights(g, x, dy, dw, db, threads);
                break;
            default:
                ConvNdKernel.BackwardWeights(g, x, dy, dw, db, threads);
                break;
        }
    }
}
