// PyTorch golden values for Conv2d and MaxPool2d (Fixtures/conv2d.json, Fixtures/max_pool2d.json):
// stride, padding, bias, 1×1 and rectangular kernels, odd sizes, overlapping pooling windows and
// the LeNet C1 shape, forward and every input gradient after Backward(upstream).
using Striate.Tests.TestSupport;

namespace Striate.Tests.Autograd.Ops;

public class TorchConvPoolFixtureTests
{
    public static TheoryData<string> Conv2dCases => Fixture.Names("conv2d.json", "conv2d");

    [Theory]
    [MemberData(nameof(Conv2dCases))]
    public void Conv2d_MatchesPyTorch(string name)
    {
        var c = Fixture.Case("conv2d.json", name);
        TorchFixtureTests.Run(c,
            t => Functional.Conv2d(t[0], t[1], t.Length > 2 ? t[2] : null, c.Int("stride"), c.Int("padding")),
            Tolerances.Accumulation, Tolerances.Accumulation);
    }

    public static TheoryData<string> MaxPool2dCases => Fixture.Names("max_pool2d.json", "max_pool2d");

    [Theory]
    [MemberData(nameof(MaxPool2dCases))]
    public void MaxPool2d_MatchesPyTorch(string name)
    {
        var c = Fixture.Case("max_pool2d.json", name);
        // Inputs have no ties, so the selected element is unique. The forward copies it; the gradient
        // sums dy over the overlapping windows that selected the same element (at most a few terms).
        TorchFixtureTests.Run(c,
            t => Functional.MaxPool2d(t[0], c.Int("kernel_size"), c.IntOrNull("stride"), c.Int("padding")),
            Tolerances.Selection, Tolerances.Pointwise);
    }

    [Fact]
    public void Fixtures_CoverTheRequiredConfigurations()
    {
        var conv = Fixture.Load("conv2d.json");
        Assert.Contains(conv, c => c.Int("stride") == 2 && c.Int("padding") == 1);
        Assert.Contains(conv, c => c.Int("padding") == 2);
        Assert.Contains(conv, c => c.Inputs.Count == 2); // no bias
        Assert.Contains(conv, c => c.Inputs[1].Shape[2] == 1 && c.Inputs[1].Shape[3] == 1); // 1×1 kernel
        Assert.Contains(conv, c => c.Inputs[0].Shape is [2, 1, 28, 28] && c.Inputs[1].Shape is [6, 1, 5, 5] && c.Int("padding") == 2); // LeNet C1
        var pool = Fixture.Load("max_pool2d.json");
        Assert.Contains(pool, c => c.IntOrNull("stride") == 1); // overlapping windows
        Assert.Contains(pool, c => c.Int("kernel_size") == 3 && c.IntOrNull("stride") == 2 && c.Int("padding") == 1);
    }
}
