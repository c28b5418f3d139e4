// PyTorch golden values for every convolution algorithm (Fixtures/conv_algorithms.json, generator
// Fixtures/generate_conv_algorithms.py): each case is run with every algorithm its shape admits
// (im2col, direct, Winograd F(2×2)/F(4×4), FFT, separable for frozen rank-1 filters) and with Auto,
// forward and every input gradient, plain and with the fused ReLU.
using Striate.Kernels.Conv;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TorchConvAlgorithmsFixtureTests
{
    private const string File = "conv_algorithms.json";

    private static readonly Dictionary<string, ConvAlgorithm> Names = new()
    {
        ["auto"] = ConvAlgorithm.Auto,
        ["im2col"] = ConvAlgorithm.Im2colGemm,
        ["direct"] = ConvAlgorithm.Direct,
        ["winograd"] = ConvAlgorithm.Winograd,
        ["fft"] = ConvAlgorithm.Fft,
        ["separable"] = ConvAlgorithm.Separable,
    };

    public static TheoryData<string, string> Cases
    {
        get
        {
            var data = new TheoryData<string, string>();
            foreach (var c in Fixture.Load(File))
                foreach (string algorithm in c.Params.GetProperty("algorithms").EnumerateArray().Select(e => e.GetString()!).Prepend("auto"))
                    data.Add(c.Name, algorithm);
            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Conv2d_EveryApplicableAlgorithm_MatchesPyTorch(string name, string algorithm)
    {
        var c = Fixture.Case(File, name);
        var a = Names[algorithm];
        int stride = c.Int("stride"), padding = c.Int("padding"), dilation = c.Int("dilation"), groups = c.Int("groups");
        Func<Tensor[], Tensor> op = c.Bool("relu")
            ? t => Functional.Conv2dRelu(t[0], t[1], t[2], stride, padding, dilation, groups, a)
            : t => Functional.Conv2d(t[0], t[1], t[2], stride, padding, dilation, groups, algorithm: a);
        // Forward and gradients are float32 sums of C/G·R·S, N·P·Q and K/G·R·S products; Winograd's and the FFT's
        // transforms add a few roundings of the same magnitudes, inside the same tolerance at these sizes.
        TorchFixtureTests.Run(c, op, Tolerances.Accumulation, Tolerances.Accumulation);
    }

    [Fact]
    public void Fixture_CoversEveryAlgorithm()
    {
        var covered = Fixture.Load(File).SelectMany(c => c.Params.GetProperty("algorithms").EnumerateArray().Select(e => e.GetString()!)).ToHashSet();
        Assert.Equal(Names.Keys.Where(k => k != "auto").Order(), covered.Order());
    }
}
