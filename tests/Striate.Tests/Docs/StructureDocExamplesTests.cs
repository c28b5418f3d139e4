// The C# examples of docs/ops/structure.md, verbatim, with the numbers the page shows; a last test
// checks that every code block of the page still appears in this file.
using System.Runtime.CompilerServices;
using Striate.Layers;

namespace Striate.Tests.Docs;

public class StructureDocExamplesTests
{
    [Fact]
    public void Concat_Example()
    {
        var a = Tensor.FromArray([1f, 2], 2, 1);                        // [[1], [2]]
        var b = Tensor.FromArray([3f, 4, 5, 6], 2, 2);                  // [[3, 4], [5, 6]]
        var joined = Functional.Concat([a, b], dim: 1);                 // (2, 3): [[1, 3, 4], [2, 5, 6]]

        Assert.Equal([2, 3], joined.Shape);
        Assert.Equal([1f, 3, 4, 2, 5, 6], joined.ToArray());
    }

    [Fact]
    public void Branches_InceptionExample()
    {
        var inception = new Branches(
            new Conv2d(3, 2, kernelSize: 1, rng: new Rng(0)),                                   // 1×1
            new Sequential(new Conv2d(3, 4, kernelSize: 1, rng: new Rng(1)), new ReLU(),
                           new Conv2d(4, 5, kernelSize: 3, padding: 1, rng: new Rng(2))),       // 1×1 then 3×3
            new Sequential(new MaxPool2d(3, 1, 1), new Conv2d(3, 1, kernelSize: 1, rng: new Rng(3))));  // pool then 1×1
        var mixed = inception.Forward(Tensor.Zeros(8, 3, 28, 28));                             // (8, 2 + 5 + 1 = 8, 28, 28)

        Assert.Equal([8, 8, 28, 28], mixed.Shape);
    }

    [Fact]
    public void Residual_Example()
    {
        var body = new Linear(2, 2, bias: false, rng: new Rng(0));
        body.Weight.AsSpan().Clear();
        body.Weight[0, 0] = 1f; body.Weight[1, 1] = 2f;                 // W = [[1, 0], [0, 2]]
        var block = new Residual(body);
        var sum = block.Forward(Tensor.FromArray([1f, 1], 1, 2));       // x + W·x = [1 + 1, 1 + 2] = [2, 3]
        var projected = new Residual(
            new Conv2d(4, 8, kernelSize: 3, stride: 2, padding: 1, rng: new Rng(1)),
            shortcut: new Conv2d(4, 8, kernelSize: 1, stride: 2, rng: new Rng(2)));
        var down = projected.Forward(Tensor.Zeros(1, 4, 8, 8));         // (1, 8, 4, 4)

        Assert.Equal([2f, 3], sum.ToArray());
        Assert.Equal([1, 8, 4, 4], down.Shape);
    }

    [Fact]
    public void Reshape_Example()
    {
        var grid = new Reshape(3, -1).Forward(Tensor.Zeros(2, 12));     // (2, 3, 4)

        Assert.Equal([2, 3, 4], grid.Shape);
    }

    [Fact]
    public void Upsample_Examples()
    {
        var signal = Tensor.FromArray([1f, 2, 3], 1, 1, 3);
        var doubled = Functional.Upsample(signal, scaleFactor: [2]);                                     // [1, 1, 2, 2, 3, 3]
        var ramp = Tensor.FromArray([0f, 4], 1, 1, 2);
        var halfPixel = Functional.Upsample(ramp, size: [4], mode: UpsampleMode.Linear);                   // [0, 1, 3, 4]
        var corners = Functional.Upsample(ramp, size: [4], mode: UpsampleMode.Linear, alignCorners: true); // [0, 1.333, 2.667, 4]
        var image = Tensor.FromArray([0f, 3, 6, 9], 1, 1, 2, 2);
        var smooth = new Upsample(size: [3, 3], mode: UpsampleMode.Bilinear, alignCorners: true).Forward(image); // [0, 1.5, 3, 3, 4.5, 6, 6, 7.5, 9]

        Assert.Equal([1f, 1, 2, 2, 3, 3], doubled.ToArray());
        Assert.Equal([0f, 1, 3, 4], halfPixel.ToArray());
        Assert.Equal([0, 1.333, 2.667, 4], corners.ToArray().Select(v => Math.Round(v, 3)));
        Assert.Equal([1, 1, 3, 3], smooth.Shape);
        Assert.Equal([0f, 1.5f, 3, 3, 4.5f, 6, 6, 7.5f, 9], smooth.ToArray());
        // The page's note on scale factors: 5 samples × 1.7 → 8 outputs reading ⌊o / 1.7⌋.
        var five = Tensor.FromArray([0f, 1, 2, 3, 4], 1, 1, 5);
        Assert.Equal([0f, 0, 1, 1, 2, 2, 3, 4], Functional.Upsample(five, scaleFactor: [1.7]).ToArray());
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile() =>
        UnsharedConvolutionDocExamplesTests.AssertCodeBlocksIn("structure.md", ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
