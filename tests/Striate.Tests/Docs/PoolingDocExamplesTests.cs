// The C# examples of docs/ops/pooling.md, verbatim, each followed by assertions on the numbers the
// page shows, so the page never shows code that does not compile or results that are not true.
using System.Runtime.CompilerServices;
using Striate.Layers;

namespace Striate.Tests.Docs;

public class PoolingDocExamplesTests
{
    [Fact]
    public void MaxPoolingExample_CS231n()
    {
        var x = Tensor.FromArray(new float[] { 1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4 }, 1, 1, 4, 4);
        var y = Functional.MaxPool2d(x, kernelSize: 2);   // stride defaults to 2
        // y = [[6, 8], [3, 4]]

        Assert.Equal([1, 1, 2, 2], y.Shape);
        Assert.Equal([6f, 8, 3, 4], y.ToArray());
    }

    [Fact]
    public void FourPoolingTypesExample()
    {
        var a = Tensor.FromArray(new float[] { 1, 3, 2, 1, 2, 9, 1, 1, 1, 3, 2, 3, 5, 6, 1, 2 }, 1, 1, 4, 4);
        var max = Functional.MaxPool2d(a, 2);         // [[9, 2], [6, 3]]
        var mean = Functional.AvgPool2d(a, 2);        // [[3.75, 1.25], [3.75, 2]]
        var sum = Functional.SumPool2d(a, 2);         // [[15, 5], [15, 8]]
        var l2 = Functional.LpPool2d(a, 2f, 2);       // [[√95, √7], [√71, √18]] ≈ [[9.7468, 2.6458], [8.4261, 4.2426]]

        Assert.Equal([9f, 2, 6, 3], max.ToArray());
        Assert.Equal([3.75f, 1.25f, 3.75f, 2f], mean.ToArray());
        Assert.Equal([15f, 5, 15, 8], sum.ToArray());
        Assert.Equal([MathF.Sqrt(95), MathF.Sqrt(7), MathF.Sqrt(71), MathF.Sqrt(18)], l2.ToArray());
        Assert.Equal([9.7468f, 2.6458f, 8.4261f, 4.2426f], l2.ToArray().Select(v => MathF.Round(v, 4)).ToArray());
    }

    [Fact]
    public void ShiftInvarianceExample()
    {
        var detector = Tensor.FromArray(new float[] { 0.1f, 1f, 0.2f, 0.1f }, 1, 1, 4);
        var shifted = Tensor.FromArray(new float[] { 0.3f, 0.1f, 1f, 0.2f }, 1, 1, 4);
        var pooled = Functional.MaxPool1d(detector, kernelSize: 3, stride: 1, padding: 1);        // [1, 1, 1, 0.2]
        var pooledShifted = Functional.MaxPool1d(shifted, kernelSize: 3, stride: 1, padding: 1);  // [0.3, 1, 1, 1]

        Assert.Equal([1f, 1f, 1f, 0.2f], pooled.ToArray());
        Assert.Equal([0.3f, 1f, 1f, 1f], pooledShifted.ToArray());
        Assert.Equal(2, pooled.ToArray().Zip(pooledShifted.ToArray()).Count(p => p.First != p.Second));
    }

    [Fact]
    public void BackwardExample()
    {
        var g = Tensor.FromArray(new float[] { 1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4 }, 1, 1, 4, 4);
        g.RequiresGrad = true;
        Functional.MaxPool2d(g, 2).Backward(Tensor.FromArray(new float[] { 10, 20, 30, 40 }, 1, 1, 2, 2));
        var routed = g.Grad!.ToArray();   // [[0, 0, 0, 0], [0, 10, 0, 20], [30, 0, 0, 0], [0, 0, 0, 40]]
        g.ZeroGrad();
        Functional.AvgPool2d(g, 2).Backward(Tensor.FromArray(new float[] { 4, 8, 12, 16 }, 1, 1, 2, 2));
        var spread = g.Grad!.ToArray();   // [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]

        Assert.Equal([0f, 0, 0, 0, 0, 10, 0, 20, 30, 0, 0, 0, 0, 0, 0, 40], routed);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], spread);
    }

    [Fact]
    public void PaddingAndCeilModeExample()
    {
        var s = Tensor.FromArray(new float[] { 3, 6, 9, 12, 15 }, 1, 1, 5);
        var floor = Functional.MaxPool1d(s, 2);                                  // [6, 12]
        var ceil = Functional.MaxPool1d(s, 2, ceilMode: true);                   // [6, 12, 15]
        var counted = Functional.AvgPool1d(s, 3, 2, padding: 1);                 // [3, 9, 9]
        var realOnly = Functional.AvgPool1d(s, 3, 2, padding: 1, countIncludePad: false);  // [4.5, 9, 13.5]

        Assert.Equal([6f, 12], floor.ToArray());
        Assert.Equal([6f, 12, 15], ceil.ToArray());
        Assert.Equal([3f, 9, 9], counted.ToArray());
        Assert.Equal([4.5f, 9, 13.5f], realOnly.ToArray());
    }

    [Fact]
    public void AdaptiveExample()
    {
        var v = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5 }, 1, 1, 5);
        var adaptiveMean = Functional.AdaptiveAvgPool1d(v, 3);   // [1.5, 3, 4.5]
        var adaptiveMax = Functional.AdaptiveMaxPool1d(v, 3);    // [2, 4, 5]
        var global = Functional.GlobalAvgPool(v);                // (1, 1): [3]

        Assert.Equal([1.5f, 3, 4.5f], adaptiveMean.ToArray());
        Assert.Equal([2f, 4, 5], adaptiveMax.ToArray());
        Assert.Equal([1, 1], global.Shape);
        Assert.Equal([3f], global.ToArray());
    }

    [Fact]
    public void IndicesAndUnpoolingExample()
    {
        var m = Tensor.FromArray(new float[] { 1, 1, 2, 4, 5, 6, 7, 8, 3, 2, 1, 0, 1, 2, 3, 4 }, 1, 1, 4, 4);
        var (pooledM, indices) = Functional.MaxPool2dWithIndices(m, 2);   // indices = [5, 7, 8, 15]
        var restored = Functional.MaxUnpool2d(pooledM, indices, 2);
        // restored = [[0, 0, 0, 0], [0, 6, 0, 8], [3, 0, 0, 0], [0, 0, 0, 4]]
        var two = Tensor.FromArray(new float[] { 1, 9, 3, 4, 8, 2, 7, 5 }, 1, 2, 2, 2);   // C = 2 planes of 2×2
        var (_, argmax) = Functional.MaxPool2dWithArgmax(two, 2);
        // maxima 9 at (h, w) = (0, 1) in channel 0 and 8 at (0, 0) in channel 1: argmax = [(0·2 + 1)·2 + 0, (0·2 + 0)·2 + 1] = [2, 1]

        Assert.Equal([5L, 7, 8, 15], indices);
        Assert.Equal([0f, 0, 0, 0, 0, 6, 0, 8, 3, 0, 0, 0, 0, 0, 0, 4], restored.ToArray());
        Assert.Equal([2L, 1], argmax);
    }

    [Fact]
    public void MaxoutExample()
    {
        var maps = Tensor.FromArray(new float[] { 1, 8, 5, 2, -1, 0, -3, 4 }, 1, 4, 2);  // 4 maps of 2 cells
        var pooledMaps = Functional.Maxout(maps, poolSize: 2);                          // [[5, 8], [-1, 4]]

        Assert.Equal([1, 2, 2], pooledMaps.Shape);
        Assert.Equal([5f, 8, -1, 4], pooledMaps.ToArray());
    }

    [Fact]
    public void LayersExample()
    {
        var net = new Sequential(
            new Conv2d(3, 16, kernelSize: 3, padding: 1), new ReLU(),
            new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true),
            new Conv2d(16, 32, kernelSize: 3, padding: 1), new ReLU(),
            new AdaptiveAvgPool2d(2),
            new Flatten(), new Linear(32 * 2 * 2, 10));
        var logits = net.Forward(Tensor.Zeros(1, 3, 37, 29));   // (1, 10) for any input size

        Assert.Equal([1, 10], logits.Shape);
        Assert.Equal([1, 10], net.Forward(Tensor.Zeros(1, 3, 16, 20)).Shape);
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile() => ActivationsDocExamplesTests.AssertCodeBlocksIn("pooling.md", ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
