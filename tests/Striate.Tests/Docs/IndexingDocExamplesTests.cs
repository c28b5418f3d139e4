// The C# examples of docs/ops/indexing.md, verbatim, with the numbers the page shows; a last test
// checks that every code block of the page still appears in this file.
using System.Runtime.CompilerServices;

namespace Striate.Tests.Docs;

public class IndexingDocExamplesTests
{
    [Fact]
    public void Permute_Example()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 1, 2, 3);         // (N=1, C=2, L=3): [[1, 2, 3], [4, 5, 6]]
        var channelsLast = Functional.Permute(x, 0, 2, 1);              // (1, 3, 2): [[1, 4], [2, 5], [3, 6]]

        Assert.Equal([1, 3, 2], channelsLast.Shape);
        Assert.Equal([1f, 4, 2, 5, 3, 6], channelsLast.ToArray());
    }

    [Fact]
    public void ChannelShuffle_Example()
    {
        var maps = Tensor.FromArray([0f, 1, 2, 3, 4, 5], 1, 6, 1, 1);   // six 1×1 channels 0…5
        var grouped = maps.Reshape(1, 2, 3, 1, 1);                      // g = 2 groups of 3
        var shuffled = Functional.Permute(grouped, 0, 2, 1, 3, 4).Reshape(1, 6, 1, 1);  // channels 0 3 1 4 2 5

        Assert.Equal([0f, 3, 1, 4, 2, 5], shuffled.ToArray());
    }

    [Fact]
    public void Slice_Examples()
    {
        var row = Tensor.FromArray([0f, 1, 2, 3, 4, 5, 6], 7);
        var inner = Functional.Slice(row, 0, 1, -1);                    // x[1:-1]  = [1, 2, 3, 4, 5]
        var every3 = Functional.Slice(row, 0, 1, int.MaxValue, 3);      // x[1::3]  = [1, 4]
        var reversed = Functional.Slice(row, 0, -1, int.MinValue, -2);  // x[::-2]  = [6, 4, 2, 0]
        var clamped = Functional.Slice(row, 0, -100, 2);                // x[-100:2] = [0, 1]

        Assert.Equal([1f, 2, 3, 4, 5], inner.ToArray());
        Assert.Equal([1f, 4], every3.ToArray());
        Assert.Equal([6f, 4, 2, 0], reversed.ToArray());
        Assert.Equal([0f, 1], clamped.ToArray());
    }

    [Fact]
    public void IndexSelect_Example()
    {
        var m = Tensor.FromArray([1f, 2, 3, 4, 5, 6], 2, 3);           // [[1, 2, 3], [4, 5, 6]]
        m.RequiresGrad = true;
        var picked = Functional.IndexSelect(m, 1, [2, 0, 2]);          // [[3, 1, 3], [6, 4, 6]]
        picked.Backward(Tensor.Full(1f, 2, 3));
        // m.Grad = [[1, 0, 2], [1, 0, 2]]: column 2 was picked twice

        Assert.Equal([3f, 1, 3, 6, 4, 6], picked.ToArray());
        Assert.Equal([1f, 0, 2, 1, 0, 2], m.Grad!.ToArray());
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile() =>
        UnsharedConvolutionDocExamplesTests.AssertCodeBlocksIn("indexing.md", ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;
}
