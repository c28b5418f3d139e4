// The C# examples of docs/ops/activations.md, verbatim, with the numbers the page shows; a last
// test checks that every code block of the page still appears in this file.
using System.Runtime.CompilerServices;
using Striate.Layers;

namespace Striate.Tests.Docs;

public class ActivationsDocExamplesTests
{
    private static void Near(double[] expected, Tensor actual)
    {
        var values = actual.ToArray();
        Assert.Equal(expected.Length, values.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], values[i], 5e-5); // the page rounds to 4 decimals: |error| ≤ half a unit of the 4th
    }

    [Fact]
    public void TinyExample()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 1f, 3f], 5);
        var leaky = Functional.LeakyRelu(x, negativeSlope: 0.1f); // -0.2, -0.05, 0, 1, 3
        var elu = Functional.Elu(x);                               // -0.8647, -0.3935, 0, 1, 3
        var gelu = Functional.Gelu(x);                             // -0.0455, -0.1543, 0, 0.8413, 2.9960
        var softplus = new Softplus().Forward(x);                  // 0.1269, 0.4741, 0.6931, 1.3133, 3.0486

        var probs = Functional.Softmax(Tensor.FromArray([1f, 2f, 3f], 1, 3), dim: 1);         // 0.0900, 0.2447, 0.6652
        var huge = Functional.Softmax(Tensor.FromArray([1000f, 1001f, 1002f], 1, 3), dim: 1); // 0.0900, 0.2447, 0.6652

        Near([-0.2, -0.05, 0, 1, 3], leaky);
        Near([-0.8647, -0.3935, 0, 1, 3], elu);
        Near([-0.0455, -0.1543, 0, 0.8413, 2.9960], gelu);
        Near([0.1269, 0.4741, 0.6931, 1.3133, 3.0486], softplus);
        Near([0.0900, 0.2447, 0.6652], probs);
        Near([0.0900, 0.2447, 0.6652], huge);
    }

    [Fact]
    public void PReluExample()
    {
        var prelu = new PReLU(numParameters: 2);
        prelu.Weight.AsSpan()[1] = -1f;                       // channel 0 keeps the initial 0.25
        var y = prelu.Forward(Tensor.FromArray([-2f, 3f, -4f, 5f], 1, 2, 2)); // -0.5, 3, 4, 5

        Assert.Equal([-0.5f, 3f, 4f, 5f], y.ToArray());
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile() => AssertCodeBlocksIn("activations.md", ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string Root([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));

    /// <summary>Asserts that the non-blank lines of every ```csharp block of docs/ops/<paramref name="page"/> occur, trimmed and in order, as consecutive non-blank lines of <paramref name="testFile"/>.</summary>
    internal static void AssertCodeBlocksIn(string page, string testFile)
    {
        var source = File.ReadAllLines(testFile).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        var lines = File.ReadAllLines(Path.Combine(Root(), "docs", "ops", page));
        int blocks = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```csharp") continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"{page}: unterminated code block at line {i + 1}");
            var wanted = lines[(i + 1)..end].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            int start = Array.IndexOf(source, wanted[0]);
            Assert.True(start >= 0, $"{page}: the line '{wanted[0]}' is not in {Path.GetFileName(testFile)}");
            for (int j = 0; j < wanted.Length; j++)
                Assert.True(start + j < source.Length && source[start + j] == wanted[j],
                    $"{page}: block starting '{wanted[0]}' differs from {Path.GetFileName(testFile)} at '{wanted[j]}'");
            blocks++;
            i = end;
        }
        Assert.True(blocks > 0, $"{page} has no C# example");
    }
}
