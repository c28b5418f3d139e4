// The C# examples of docs/ops/unshared-convolution.md, verbatim, with the numbers the page shows;
// a last test checks that every code block of the page still appears in this file.
using System.Runtime.CompilerServices;
using Striate.Layers;
using Striate.Teaching;

namespace Striate.Tests.Docs;

public class UnsharedConvolutionDocExamplesTests
{
    [Fact]
    public void LocallyConnected1d_WorkedExample()
    {
        var x = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 4);               // (N, C, L)
        var w = Tensor.FromArray([1f, 0, 0, 1, 1, 1], 1, 3, 1, 2);      // (K, Lout, C, S): one kernel per position
        var b = Tensor.FromArray([0.5f, 0, -1], 1, 3);                  // (K, Lout): one bias per unit
        var y = Functional.LocallyConnected1d(x, w, b);                 // [1.5, 3, 6]

        Assert.Equal([1, 1, 3], y.Shape);
        Assert.Equal([1.5f, 3, 6], y.ToArray());
    }

    [Fact]
    public void LocallyConnected2d_LayerExample()
    {
        var layer = new LocallyConnected2d(inChannels: 1, outChannels: 6, inputSize: (28, 28), kernelSize: 5, rng: new Rng(0));
        long count = layer.ParameterCount();                            // 6·24·24·1·5·5 + 6·24·24 = 89,856
        var features = layer.Forward(Tensor.Zeros(8, 1, 28, 28));       // (8, 6, 24, 24)

        Assert.Equal(89_856, count);
        Assert.Equal([8, 6, 24, 24], features.Shape);
        Assert.Equal(156, new Conv2d(1, 6, 5, rng: new Rng(0)).ParameterCount());
        Assert.Equal(576 * 156, count);
    }

    [Fact]
    public void TiledConv1d_WorkedExample()
    {
        var x = Tensor.FromArray([1f, 2, 4, 8, 16, 32], 1, 1, 6);       // (N, C, L)
        var w = Tensor.FromArray([1f, 1, 1, -1], 1, 2, 1, 2);           // (K, t, C, S): kernel 0 = (1, 1), kernel 1 = (1, −1)
        var y = Functional.TiledConv1d(x, w);                           // [3, -2, 12, -8, 48]

        Assert.Equal([3f, -2, 12, -8, 48], y.ToArray());
    }

    [Fact]
    public void TiledConv2d_LayerExample()
    {
        var tiled = new TiledConv2d(inChannels: 1, outChannels: 6, kernelSize: 5, tileSize: 2, rng: new Rng(0));
        long tiledCount = tiled.ParameterCount();                       // 6·2·2·1·5·5 + 6·2·2 = 624
        var maps = tiled.Forward(Tensor.Zeros(8, 1, 32, 32));           // (8, 6, 28, 28)

        Assert.Equal(624, tiledCount);
        Assert.Equal([8, 6, 28, 28], maps.Shape);
    }

    [Fact]
    public void ConvolutionMatrix_WorkedExample()
    {
        var kernel = Tensor.FromArray([1f, 2, 3, 4], 1, 1, 2, 2);          // (K, C, R, S)
        var c = ConvolutionMatrix.Build(kernel, inputShape: [1, 3, 3]);    // 4 × 9, printed above by c.ToText()
        var x = Tensor.FromArray([1f, 2, 3, 4, 5, 6, 7, 8, 9], 1, 3, 3);   // (C, H, W)
        var y = c.Multiply(x);                                             // (1, 2, 2): [37, 47, 67, 77], as Functional.Conv2d
        var dx = c.MultiplyTransposed(Tensor.Ones(1, 2, 2));               // (1, 3, 3): [1, 3, 2, 4, 10, 6, 3, 7, 4], the input gradient

        Assert.Equal("1 2 0 3 4 0 0 0 0\n0 1 2 0 3 4 0 0 0\n0 0 0 1 2 0 3 4 0\n0 0 0 0 1 2 0 3 4\n", c.ToText());
        Assert.Contains(c.ToText(), string.Join("\n", ExampleMatrixOnThePage()) + "\n", StringComparison.Ordinal);
        Assert.Equal([37f, 47, 67, 77], y.ToArray());
        Assert.Equal(Functional.Conv2d(x.Reshape(1, 1, 3, 3), kernel).ToArray(), y.ToArray());
        Assert.Equal([1f, 3, 2, 4, 10, 6, 3, 7, 4], dx.ToArray());
    }

    /// <summary>The plain code block of the page that shows the 4×9 matrix.</summary>
    private static string[] ExampleMatrixOnThePage()
    {
        var lines = File.ReadAllLines(Path.Combine(Root(), "docs", "ops", "unshared-convolution.md"));
        int start = Array.IndexOf(lines, "1 2 0 3 4 0 0 0 0");
        Assert.True(start >= 0, "the page no longer shows the 4×9 matrix");
        return lines[start..(start + 4)];
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile() =>
        AssertCodeBlocksIn("unshared-convolution.md", ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;

    // Shared with StructureDocExamplesTests: reads a page of docs/ops and checks its C# blocks against the test file that runs them.
    /// <summary>The repository root, found from the test source file's compile-time path.</summary>
    private static string Root([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    /// <summary>The ```csharp blocks of docs/ops/<paramref name="page"/>.</summary>
    internal static IReadOnlyList<string[]> CodeBlocks(string page)
    {
        var lines = File.ReadAllLines(Path.Combine(Root(), "docs", "ops", page));
        var blocks = new List<string[]>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"{page}: unterminated code block at line {i + 1}");
            blocks.Add(lines[(i + 1)..end]);
            i = end;
        }
        return blocks;
    }

    /// <summary>Asserts that every line of every C# block of the page occurs (trimmed) in <paramref name="testFile"/>, in order.</summary>
    internal static void AssertCodeBlocksIn(string page, string testFile)
    {
        var source = File.ReadAllLines(testFile).Select(l => l.Trim()).ToArray();
        var blocks = CodeBlocks(page);
        Assert.NotEmpty(blocks);
        foreach (var block in blocks)
        {
            var wanted = block.Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            int start = Array.IndexOf(source, wanted[0]);
            Assert.True(start >= 0, $"{page}: the line '{wanted[0]}' is not in {Path.GetFileName(testFile)}");
            for (int j = 0; j < wanted.Length; j++)
                Assert.True(start + j < source.Length && source[start + j] == wanted[j],
                    $"{page}: block starting '{wanted[0]}' differs from {Path.GetFileName(testFile)} at '{wanted[j]}'");
        }
    }
}
