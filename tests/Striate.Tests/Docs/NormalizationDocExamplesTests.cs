// The C# examples of docs/ops/normalization.md (LRN, batch norm, dropout), verbatim, with the numbers the page shows; a last
// test checks that every code block of the page still appears in this file.
using System.Runtime.CompilerServices;
using Striate.Layers;

namespace Striate.Tests.Docs;

public class NormalizationDocExamplesTests
{
    private static void Near(double[] expected, Tensor actual)
    {
        var values = actual.ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 5e-5); // the page rounds to 4 decimals
    }

    [Fact]
    public void LocalResponseNorm_TinyExample()
    {
        var a = Tensor.FromArray([1f, 2f, 3f], 1, 3, 1);                                         // (N, C, L)
        var torchStyle = Functional.LocalResponseNorm(a, size: 3, alpha: 3f, beta: 1f, k: 1f);   // 0.1667, 0.1333, 0.2143
        var tfStyle = Functional.LocalResponseNormalization(a, depthRadius: 1, bias: 1f, alpha: 1f, beta: 1f); // the same
        var alexNetLrn = new LocalResponseNorm(size: 5, alpha: 1e-4f, beta: 0.75f, k: 2f);

        Near([0.1667, 0.1333, 0.2143], torchStyle);
        Near([0.1667, 0.1333, 0.2143], tfStyle);
        Assert.Equal(1f / 6, torchStyle.AsSpan()[0], 1e-7f);
        Assert.Equal(3f / 14, tfStyle.AsSpan()[2], 1e-7f);
        Assert.Equal([2, 8, 4, 4], alexNetLrn.Forward(Tensor.Ones(2, 8, 4, 4)).Shape);
    }

    [Fact]
    public void BatchNorm_TinyExample()
    {
        var bn = new BatchNorm1d(numFeatures: 1);
        var y = bn.Forward(Tensor.FromArray([1f, 2f, 3f, 6f], 4, 1)); // -1.0690, -0.5345, 0, 1.6036
        float runningMean = bn.RunningMean!.Item();                   // 0.3
        float runningVar = bn.RunningVar!.Item();                     // 1.3667
        bn.Eval();
        var z = bn.Forward(Tensor.FromArray([0.3f, 1.3f], 2, 1));     // 0, 0.8554: (x − 0.3)/√1.3667

        Near([-1.0690, -0.5345, 0, 1.6036], y);
        Assert.Equal(0.3, runningMean, 5e-5);
        Assert.Equal(1.3667, runningVar, 5e-5);
        Near([0, 0.8554], z);
    }

    [Fact]
    public void Dropout_Example()
    {
        var rng = new Rng(seed: 7);
        var dropout = new Dropout(p: 0.5f, rng);
        var x = Tensor.Ones(2, 4);
        var y = dropout.Forward(x);          // every element 0 or 2 = 1/(1 − 0.5)
        dropout.Eval();
        var same = dropout.Forward(x);       // evaluation mode: x itself
        var maps = Functional.Dropout2d(Tensor.Ones(1, 3, 2, 2), p: 0.5f, training: true, rng: rng); // each 2×2 map all 0 or all 2

        Assert.All(y.ToArray(), v => Assert.True(v == 0f || v == 2f));
        Assert.Same(x, same);
        var values = maps.ToArray();
        for (int c = 0; c < 3; c++)
        {
            Assert.True(values[c * 4] == 0f || values[c * 4] == 2f);
            Assert.All(values.Skip(c * 4).Take(4), v => Assert.Equal(values[c * 4], v));
        }
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile() =>
        ActivationsDocExamplesTests.AssertCodeBlocksIn("normalization.md", ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
