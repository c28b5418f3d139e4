// striate bench conv2d [--case NAME ...] [--algo auto|all|im2col|direct|winograd|fft|benchmark] --threads T [--json]
// The eight layer shapes of anchors/torch_conv_bench.py, measured the way that script measures them, so
// the two can be run side by side:
//   x ~ N(0, 1) (N, C, H, W), w ~ 0.1·N(0, 1) (K, C, R, R), b = 0 (K)
//   forward:          y = conv2d(x, w, b) with no autograd recording
//   forward+backward: y = conv2d(x, w, b) recorded, then y.Backward(ones): dx, dw and db
//   flops = 2·N·K·P·Q·C·R·S for the forward, three times that for forward+backward
// Timing (the script's timeit): two untimed calls, then calls until at least --min-time seconds and
// three calls have passed; the time per call is the elapsed time over the number of calls.
// --algo names the convolution algorithm for every pass (auto: Striate's shape rules; all: one line per
// algorithm that can compute the case). --json prints one line per case and algorithm with case,
// threads, fwd_gflops, fwdbwd_gflops, fwd_ms, fwdbwd_ms, and the algorithm each pass ran.
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Striate.Autograd;
using Striate.Kernels.Conv;

namespace Striate.Cli.Commands;

/// <summary>The <c>bench conv2d</c> subcommand: PyTorch's anchor cases, same shapes and FLOP accounting.</summary>
public static class BenchConv2dCommand
{
    /// <summary>The anchor's cases: name, N, C, H, W, K, R (square kernel), stride, padding.</summary>
    public static IReadOnlyList<Conv2dBenchCase> Cases { get; } =
    [
        new("lenet_c1", 64, 1, 28, 28, 6, 5, 1, 2),
        new("lenet_c2", 64, 6, 14, 14, 16, 5, 1, 0),
        new("resnet_3x3_64", 16, 64, 56, 56, 64, 3, 1, 1),
        new("resnet_3x3_128", 16, 128, 28, 28, 128, 3, 1, 1),
        new("resnet_3x3_256", 16, 256, 14, 14, 256, 3, 1, 1),
        new("resnet_1x1_256_64", 16, 256, 56, 56, 64, 1, 1, 0),
        new("stem_7x7_s2", 8, 3, 224, 224, 64, 7, 2, 3),
        new("vgg_3x3_3_64", 8, 3, 224, 224, 64, 3, 1, 1),
    ];

    private static readonly Dictionary<string, ConvAlgorithm> s_algorithms = new(StringComparer.OrdinalIgnoreCase)
    {
        ["auto"] = ConvAlgorithm.Auto,
        ["benchmark"] = ConvAlgorithm.Benchmark,
        ["im2col"] = ConvAlgorithm.Im2colGemm,
        ["direct"] = ConvAlgorithm.Direct,
        ["winograd"] = ConvAlgorithm.Winograd,
        ["fft"] = ConvAlgorithm.Fft,
        ["separable"] = ConvAlgorithm.Separable,
    };

    /// <summary>Builds the <c>conv2d</c> subcommand.</summary>
    public static Command Create()
    {
        var cases = new Option<string[]>("--case")
        {
            Description = "Run only these cases (repeatable): " + string.Join(", ", Cases.Select(c => c.Name)),
            AllowMultipleArgumentsPerToken = true,
        };
        var algo = new Option<string>("--algo")
        {
            Description = "Algorithm for every pass: auto, all, benchmark, " + string.Join(", ", s_algorithms.Keys.Where(k => k is not ("auto" or "benchmark")).Order()),
            DefaultValueFactory = _ => "auto",
        };
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var minTime = new Option<double>("--min-time") { Description = "Seconds each measurement lasts at least (the anchor uses 1)", DefaultValueFactory = _ => 1.0 };
        var json = new Option<bool>("--json") { Description = "One JSON line per case instead of text" };
        var command = new Command("conv2d", "Conv2d forward and forward+backward GFLOP/s on the PyTorch anchor's eight layer shapes.")
        {
            cases, algo, threads, minTime, json,
        };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(cases) ?? [], parse.GetValue(algo) ?? "auto",
            parse.GetValue(threads), parse.GetValue(minTime), parse.GetValue(json), Console.Out)));
        return command;
    }

    /// <summary>Runs the selected cases and writes one line per case and algorithm; returns the exit code.</summary>
    /// <param name="caseNames">Cases to run; empty for all eight.</param>
    /// <param name="algorithm">auto, all, benchmark, im2col, direct, winograd or fft.</param>
    /// <param name="threads">Upper bound on threads (at least 1).</param>
    /// <param name="minTime">Seconds each measurement lasts at least (positive, at most 60).</param>
    /// <param name="json">JSON lines instead of text.</param>
    /// <param name="output">Where the lines go.</param>
    /// <exception cref="ArgumentException">An unknown case or algorithm, or a value out of range.</exception>
    public static int Run(IReadOnlyList<string> caseNames, string algorithm, int threads, double minTime, bool json, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(caseNames);
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(output);
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.", nameof(threads));
        if (!(minTime > 0 && minTime <= 60)) throw new ArgumentException($"--min-time must be above 0 and at most 60 seconds, got {minTime}.", nameof(minTime));
        foreach (string name in caseNames)
            if (!Cases.Any(c => c.Name == name))
                throw new ArgumentException($"--case {name} is not a case; the cases are {string.Join(", ", Cases.Select(c => c.Name))}.", nameof(caseNames));
        bool all = algorithm.Equals("all", StringComparison.OrdinalIgnoreCase);
        if (!all && !s_algorithms.ContainsKey(algorithm))
            throw new ArgumentException($"--algo must be auto, all or one of {string.Join(", ", s_algorithms.Keys.Where(k => k != "auto"))}, got \"{algorithm}\".", nameof(algorithm));

        using (Compute.UseThreads(threads))
        {
            foreach (var c in Cases.Where(c => caseNames.Count == 0 || caseNames.Contains(c.Name)))
            {
                var algorithms = all
                    ? ConvAlgorithms.Concrete.Where(a => ConvAlgorithms.IsApplicable(a, c.Geometry))
                    : [s_algorithms[algorithm]];
                foreach (var a in algorithms)
                {
                    var line = Measure(c, a, threads, minTime);
                    output.WriteLine(json ? JsonSerializer.Serialize(line, Conv2dBenchLineContext.Default.Conv2dBenchLine) : Text(line));
                }
            }
        }
        return CliError.Ok;
    }

    /// <summary>Command-line name of an algorithm.</summary>
    private static string NameOf(ConvAlgorithm a) => s_algorithms.First(kv => kv.Value == a).Key;

    private static string Text(Conv2dBenchLine l) => string.Create(CultureInfo.InvariantCulture,
        $"{l.Case,-18} {l.Threads} thr  {l.Algo,-9} fwd {l.FwdGflops,7:F2} GFLOP/s ({l.FwdMs,9:F3} ms)  fwd+bwd {l.FwdbwdGflops,7:F2} GFLOP/s ({l.FwdbwdMs,9:F3} ms)  [{l.ForwardAlgo}, {l.DataAlgo}, {l.WeightsAlgo}]");

    private static Conv2dBenchLine Measure(Conv2dBenchCase c, ConvAlgorithm algorithm, int threads, double minTime)
    {
        var rng = new Rng(0);
        var x = Tensor.Normal(rng, 0f, 1f, c.N, c.C, c.H, c.W);
        var w = Tensor.Normal(rng, 0f, 0.1f, c.K, c.C, c.R, c.R);
        var b = Tensor.Zeros(c.K);
        double flops = c.Flops;
        double forward;
        using (GradMode.NoGrad())
            forward = TimePerCall(() => Functional.Conv2d(x, w, b, c.Stride, c.Padding, algorithm: algorithm), minTime);
        var xg = x.Clone();
        var wg = w.Clone();
        var bg = b.Clone();
        xg.RequiresGrad = wg.RequiresGrad = bg.RequiresGrad = true;
        var ones = Tensor.Ones(c.N, c.K, c.P, c.P);
        double both = TimePerCall(() => Functional.Conv2d(xg, wg, bg, c.Stride, c.Padding, algorithm: algorithm).Backward(ones), minTime);
        var g = c.Geometry;
        string Ran(ConvPass pass) =>
            algorithm == ConvAlgorithm.Auto ? NameOf(ConvAlgorithms.Choose(g, pass))
            : algorithm == ConvAlgorithm.Benchmark && ConvAlgorithms.TryGetBenchmarked(g, pass, threads, out var won) ? NameOf(won)
            : NameOf(algorithm);
        return new Conv2dBenchLine(c.Name, threads, NameOf(algorithm),
            Math.Round(flops / forward / 1e9, 2), Math.Round(3 * flops / both / 1e9, 2),
            Math.Round(forward * 1e3, 3), Math.Round(both * 1e3, 3),
            Ran(ConvPass.Forward), Ran(ConvPass.BackwardData), Ran(ConvPass.BackwardWeights));
    }

    /// <summary>The anchor's timeit: two untimed calls, then calls until minTime seconds and 3 calls; seconds per call.</summary>
    private static double TimePerCall(Action call, double minTime)
    {
        call();
        call();
        int n = 0;
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            call();
            n++;
            double elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (elapsed > minTime && n >= 3) return elapsed / n;
        }
    }
}

/// <summary>One benchmark shape of the anchor: x (N, C, H, W), w (K, C, R, R), stride and symmetric zero padding.</summary>
/// <param name="Name">The anchor's case name.</param>
/// <param name="N">Batch size.</param>
/// <param name="C">Input channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="K">Output channels.</param>
/// <param name="R">Kernel side.</param>
/// <param name="Stride">Stride in both directions.</param>
/// <param name="Padding">Zero padding on every side.</param>
public sealed record Conv2dBenchCase(string Name, int N, int C, int H, int W, int K, int R, int Stride, int Padding)
{
    /// <summary>Output height (and width: the cases are square), (H + 2·padding − R)/stride + 1.</summary>
    public int P => (H + 2 * Padding - R) / Stride + 1;

    /// <summary>Forward flops as the anchor counts them, 2·N·K·P·Q·C·R·S.</summary>
    public double Flops => 2.0 * N * K * P * P * C * R * R;

    /// <summary>The kernels' geometry of the case.</summary>
    public ConvGeometry Geometry => ConvGeometry.TwoD(N, C, K, new ConvAxis(H, R, Stride, 1, Padding, Padding), new ConvAxis(W, R, Stride, 1, Padding, Padding));
}

/// <summary>One line of <c>bench conv2d --json</c>.</summary>
/// <param name="Case">Case name.</param>
/// <param name="Threads">Thread bound.</param>
/// <param name="Algo">The requested algorithm.</param>
/// <param name="FwdGflops">Forward flops / forward time, 10⁹ per second.</param>
/// <param name="FwdbwdGflops">3 × forward flops / forward+backward time.</param>
/// <param name="FwdMs">Forward time per call in milliseconds.</param>
/// <param name="FwdbwdMs">Forward+backward time per call in milliseconds.</param>
/// <param name="ForwardAlgo">The algorithm the forward ran.</param>
/// <param name="DataAlgo">The algorithm the data gradient ran.</param>
/// <param name="WeightsAlgo">The algorithm the weight gradient ran.</param>
public sealed record Conv2dBenchLine(
    [property: JsonPropertyName("case")] string Case,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("algo")] string Algo,
    [property: JsonPropertyName("fwd_gflops")] double FwdGflops,
    [property: JsonPropertyName("fwdbwd_gflops")] double FwdbwdGflops,
    [property: JsonPropertyName("fwd_ms")] double FwdMs,
    [property: JsonPropertyName("fwdbwd_ms")] double FwdbwdMs,
    [property: JsonPropertyName("fwd_algo")] string ForwardAlgo,
    [property: JsonPropertyName("bwd_data_algo")] string DataAlgo,
    [property: JsonPropertyName("bwd_weights_algo")] string WeightsAlgo);

[JsonSerializable(typeof(Conv2dBenchLine))]
internal sealed partial class Conv2dBenchLineContext : JsonSerializerContext;
