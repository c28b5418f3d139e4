// PyTorch golden values for the convolution family (Fixtures/convolution*.json, generator
// Fixtures/generate_convolution.py): conv1d/2d/3d with stride, dilation, groups (depthwise too),
// padding numbers, "valid"/"same" (even kernels)/"full", per-side padding, the reflect/replicate/
// circular padding modes and true convolution; conv_transpose1d/2d/3d with output padding, dilation
// and groups; F.pad in every mode; forward and every input gradient.
using System.Text.Json;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TorchConvolutionFixtureTests
{
    private const string ConvFile = "convolution.json";
    private const string PadFile = "convolution_pad.json";
    private const string TransposeFile = "convolution_transpose.json";

    public static TheoryData<string> ConvCases => Fixture.Names(ConvFile, "conv");

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void Convolution_MatchesPyTorch(string name)
    {
        var c = Fixture.Case(ConvFile, name);
        var options = Options(c);
        // Forward and gradients are float32 sums of (C/G)·kvol, N·out and K·kvol products.
        TorchFixtureTests.Run(c, t => Functional.Convolution(t[0], t[1], t.Length > 2 ? t[2] : null, options),
            Tolerances.Accumulation, Tolerances.Accumulation);
    }

    [Theory]
    [MemberData(nameof(ConvCases))]
    public void ConvNdFunctions_WithUniformStrideAndDilation_MatchPyTorch(string name)
    {
        var c = Fixture.Case(ConvFile, name);
        var o = Options(c);
        if (o.Stride.Distinct().Count() > 1 || o.Dilation.Distinct().Count() > 1) return; // per-axis options: Convolution only
        int dims = c.Int("dims");
        Func<Tensor[], Tensor> op = t =>
        {
            var b = t.Length > 2 ? t[2] : null;
            return dims switch
            {
                1 => Functional.Conv1d(t[0], t[1], b, o.Stride[0], o.Padding, o.Dilation[0], o.Groups, o.PaddingMode, o.ConvolutionMode),
                2 => Functional.Conv2d(t[0], t[1], b, o.Stride[0], o.Padding, o.Dilation[0], o.Groups, o.PaddingMode, o.ConvolutionMode),
                _ => Functional.Conv3d(t[0], t[1], b, o.Stride[0], o.Padding, o.Dilation[0], o.Groups, o.PaddingMode, o.ConvolutionMode),
            };
        };
        TorchFixtureTests.Run(c, op, Tolerances.Accumulation, Tolerances.Accumulation);
    }

    public static TheoryData<string> TransposeCases => Fixture.Names(TransposeFile, "conv_transpose");

    [Theory]
    [MemberData(nameof(TransposeCases))]
    public void ConvTranspose_MatchesPyTorch(string name)
    {
        var c = Fixture.Case(TransposeFile, name);
        var options = new ConvTransposeOptions
        {
            Stride = c.Ints("stride"),
            Padding = c.Ints("padding"),
            OutputPadding = c.Ints("output_padding"),
            Dilation = c.Ints("dilation"),
            Groups = c.Int("groups"),
        };
        TorchFixtureTests.Run(c, t => Functional.ConvTranspose(t[0], t[1], t.Length > 2 ? t[2] : null, options),
            Tolerances.Accumulation, Tolerances.Accumulation);
        bool uniform = new[] { options.Stride, options.Padding, options.OutputPadding, options.Dilation }.All(l => l.Distinct().Count() == 1);
        if (!uniform) return;
        TorchFixtureTests.Run(c, t =>
        {
            var b = t.Length > 2 ? t[2] : null;
            int s = options.Stride[0], p = options.Padding[0], op = options.OutputPadding[0], d = options.Dilation[0], g = options.Groups;
            return c.Int("dims") switch
            {
                1 => Functional.ConvTranspose1d(t[0], t[1], b, s, p, op, g, d),
                2 => Functional.ConvTranspose2d(t[0], t[1], b, s, p, op, g, d),
                _ => Functional.ConvTranspose3d(t[0], t[1], b, s, p, op, g, d),
            };
        }, Tolerances.Accumulation, Tolerances.Accumulation);
    }

    public static TheoryData<string> PadCases => Fixture.Names(PadFile, "pad");

    [Theory]
    [MemberData(nameof(PadCases))]
    public void Pad_MatchesPyTorch(string name)
    {
        var c = Fixture.Case(PadFile, name);
        int[] pads = c.Ints("pads");
        var mode = c.Params.GetProperty("mode").GetString() switch
        {
            "constant" => PadMode.Constant,
            "reflect" => PadMode.Reflect,
            "replicate" => PadMode.Replicate,
            "circular" => PadMode.Circular,
            var other => throw new InvalidOperationException($"Unknown pad mode {other} in {c}."),
        };
        // The forward copies values; a border element's gradient sums the few outputs that copied it.
        TorchFixtureTests.Run(c, t => Functional.Pad(t[0], pads, mode, c.Float("value")), Tolerances.Selection, Tolerances.Pointwise);
    }

    [Fact]
    public void Fixtures_CoverTheRequiredConfigurations()
    {
        var conv = Fixture.Load(ConvFile);
        foreach (int dims in new[] { 1, 2, 3 }) Assert.Contains(conv, c => c.Int("dims") == dims);
        Assert.Contains(conv, c => Options(c).Dilation.Any(d => d > 1));
        Assert.Contains(conv, c => Options(c).Stride.Any(s => s == 3));
        Assert.Contains(conv, c => Options(c).Groups > 1 && c.Inputs[1].Shape[1] == 1); // depthwise
        Assert.Contains(conv, c => Options(c).Padding.Kind == ConvPaddingKind.Same && c.Inputs[1].Shape.Skip(2).Any(k => k % 2 == 0)); // even kernel
        Assert.Contains(conv, c => Options(c).Padding.Kind == ConvPaddingKind.Valid);
        Assert.Contains(conv, c => Options(c).Padding.Kind == ConvPaddingKind.Full);
        Assert.Contains(conv, c => Options(c).Padding.ExplicitPads(c.Int("dims")) is { } p && p.Any(s => s.Before != s.After)); // asymmetric
        foreach (var mode in Enum.GetValues<PaddingMode>()) Assert.Contains(conv, c => Options(c).PaddingMode == mode);
        Assert.Contains(conv, c => Options(c).ConvolutionMode == ConvolutionMode.TrueConvolution && c.Int("dims") == 2);
        Assert.Contains(conv, c => c.Inputs.Count == 2); // no bias
        Assert.Contains(conv, c => c.Inputs[0].Shape[0] == 3); // odd batch
        var transpose = Fixture.Load(TransposeFile);
        foreach (int dims in new[] { 1, 2, 3 }) Assert.Contains(transpose, c => c.Int("dims") == dims && c.Ints("output_padding").Any(p => p > 0));
        Assert.Contains(transpose, c => c.Int("groups") > 1 && c.Inputs[1].Shape[1] == 1); // depthwise
        Assert.Contains(transpose, c => c.Ints("dilation").Any(d => d > 1) && c.Ints("output_padding").Zip(c.Ints("stride")).Any(p => p.First >= p.Second));
        var pad = Fixture.Load(PadFile);
        string Mode(FixtureCase c) => c.Params.GetProperty("mode").GetString()!;
        foreach (var mode in new[] { "constant", "reflect", "replicate", "circular" })
        {
            Assert.Contains(pad, c => Mode(c) == mode && c.Ints("pads").Length == 6); // 3-D padding in every mode
            Assert.Contains(pad, c => Mode(c) == mode && c.Ints("pads").Length == 4);
        }
        foreach (var mode in new[] { "constant", "reflect", "circular" })
            Assert.Contains(pad, c => Mode(c) == mode && c.Ints("pads").Any(p => p < 0)); // cropping
        Assert.Contains(pad, c => Mode(c) == "replicate" && c.Ints("pads").Max() > c.Inputs[0].Shape[^1]); // wider than the input
        Assert.Contains(pad, c => Mode(c) == "circular" && c.Ints("pads").Max() == c.Inputs[0].Shape[^1]); // wraps exactly once
    }

    /// <summary>The case's parameters as <see cref="ConvOptions"/> (layout in generate_convolution.py).</summary>
    internal static ConvOptions Options(FixtureCase c) => new()
    {
        Stride = c.Ints("stride"),
        Dilation = c.Ints("dilation"),
        Padding = ReadPadding(c.Params.GetProperty("padding")),
        Groups = c.Int("groups"),
        PaddingMode = c.Params.GetProperty("padding_mode").GetString() switch
        {
            "zeros" => PaddingMode.Zeros,
            "reflect" => PaddingMode.Reflect,
            "replicate" => PaddingMode.Replicate,
            "circular" => PaddingMode.Circular,
            var other => throw new InvalidOperationException($"Unknown padding mode {other} in {c}."),
        },
        ConvolutionMode = c.Params.GetProperty("mode").GetString() == "true_convolution"
            ? ConvolutionMode.TrueConvolution
            : ConvolutionMode.CrossCorrelation,
    };

    private static ConvPadding ReadPadding(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number => e.GetInt32(),
        JsonValueKind.String => ConvPadding.Parse(e.GetString()!),
        _ => ConvPadding.Explicit([.. e.EnumerateArray().Select(p => (p[0].GetInt32(), p[1].GetInt32()))]),
    };
}
