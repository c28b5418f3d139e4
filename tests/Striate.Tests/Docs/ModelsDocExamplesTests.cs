// The C# examples of docs/models.md, verbatim, with the numbers the page shows; the text-table excerpt
// on the page is checked against ToText(), and a last test checks that every code block of the page
// still appears in this file.
using System.Runtime.CompilerServices;
using Striate.Layers;
using Striate.Models;

namespace Striate.Tests.Docs;

public class ModelsDocExamplesTests
{
    [Fact]
    public void Zoo_Example()
    {
        var net = ModelZoo.Create("resnet20", new Rng(0), classes: 10, inputShape: [1, 28, 28]);  // Fashion-MNIST-sized
        long parameters = net.ParameterCount();                                                    // 269,722 − 288 = 269,434

        Assert.Equal(269_434, parameters);
    }

    [Fact]
    public void Summary_Example()
    {
        var summary = LeNet5.Create(rng: new Rng(0)).Summarize(1, 28, 28);
        var conv2 = summary.Rows[3];                       // Conv2d 6→16, 5×5: (1, 16, 10, 10)
        long conv2Macs = conv2.MultiplyAccumulates;        // 16·10·10 · 6·5·5 = 240,000
        double conv2Field = conv2.ReceptiveField![0];      // 6 + (5 − 1)·2 = 14 pixels, jump 2
        long total = summary.TotalMultiplyAccumulates;     // 117,600 + 240,000 + 48,000 + 10,080 + 840 = 416,520

        Assert.Equal([1, 16, 10, 10], conv2.OutputShape);
        Assert.Equal(240_000, conv2Macs);
        Assert.Equal(14, conv2Field);
        Assert.Equal(2, conv2.Jump![0]);
        Assert.Equal(416_520, total);

        // The excerpt of ToText() on the page: its lines are the table's first lines.
        var page = Blocks().Single(b => b[0].StartsWith("Layer  Type", StringComparison.Ordinal));
        var text = summary.ToText().Split('\n');
        Assert.Equal(page, text[1..(1 + page.Length)]);
    }

    [Fact]
    public void LeNet5Classic_Example()
    {
        var classic = LeNet5.Classic(classes: 10, rng: new Rng(0));        // 1×32×32 input (padding: 2 for 28×28)
        long classicParameters = classic.ParameterCount();                 // 60,000 + 84·10 + 10 = 60,850
        var c3 = new ConnectionTableConv2d(6, 5, LeNet5.C3Table, rng: new Rng(0));
        long c3Parameters = c3.ParameterCount();                           // 60·25 + 16 = 1,516

        Assert.Equal(60_850, classicParameters);
        Assert.Equal(1_516, c3Parameters);
    }

    [Fact]
    public void VggFeatures_Example()
    {
        var backbone = Vgg.Features(depth: 11, batchNorm: true, rng: new Rng(0));  // (N, 3, H, W) → (N, 512, H/32, W/32)
        long backboneParameters = backbone.ParameterCount();                         // 132,868,840 − 123,642,856 = 9,225,984

        Assert.Equal(9_225_984, backboneParameters);
        Assert.Equal([1, 512, 2, 3], backbone.Summarize(3, 64, 96).OutputShape);
    }

    [Fact]
    public void NetworkInNetwork_Example()
    {
        var nin = NetworkInNetwork.Cifar(classes: 10, inChannels: 1, rng: new Rng(0));  // for 28×28 grey images
        long ninParameters = nin.ParameterCount();                                        // 966,986 − 192·2·25 = 957,386

        Assert.Equal(957_386, ninParameters);
    }

    [Fact]
    public void GoogLeNet_AuxiliaryLossExample()
    {
        var googLeNet = (AuxiliaryClassifierNet)GoogLeNet.Create(classes: 10, rng: new Rng(0));
        var images = Tensor.Normal(new Rng(1), 0, 1, 2, 3, 32, 32);
        int[] labels = [3, 7];
        var logits = googLeNet.Forward(images);                   // (2, 10); training mode: 2 auxiliary outputs too
        var loss = googLeNet.Loss(logits, labels);                // CE + 0.3 · (CE(aux1) + CE(aux2))
        int auxiliaryCount = googLeNet.AuxiliaryOutputs.Count;    // 2

        Assert.Equal([2, 10], logits.Shape);
        Assert.Equal(2, auxiliaryCount);
        float expected = Functional.CrossEntropy(logits, labels).Item()
            + 0.3f * (Functional.CrossEntropy(googLeNet.AuxiliaryOutputs[0], labels).Item() + Functional.CrossEntropy(googLeNet.AuxiliaryOutputs[1], labels).Item());
        Assert.Equal(expected, loss.Item(), 1e-4f);
    }

    [Fact]
    public void ResNet20_Example()
    {
        var resnet20 = ResNet.Cifar(depth: 20, classes: 10, rng: new Rng(0));
        long resnet20Parameters = resnet20.ParameterCount();                        // 269,722
        long resnet20Macs = resnet20.Summarize(3, 32, 32).TotalMultiplyAccumulates;  // 40,551,040

        Assert.Equal(269_722, resnet20Parameters);
        Assert.Equal(40_551_040, resnet20Macs);
    }

    [Fact]
    public void Page_EveryCodeBlock_AppearsVerbatimInThisFile()
    {
        var source = File.ReadAllLines(ThisFile()).Select(l => l.Trim()).ToArray();
        var blocks = CodeBlocks("csharp");
        Assert.Equal(7, blocks.Count);
        foreach (var block in blocks)
        {
            var wanted = block.Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            int start = Array.IndexOf(source, wanted[0]);
            Assert.True(start >= 0, $"models.md: the line '{wanted[0]}' is not in this file");
            for (int j = 0; j < wanted.Length; j++)
                Assert.True(start + j < source.Length && source[start + j] == wanted[j], $"models.md: block starting '{wanted[0]}' differs at '{wanted[j]}'");
        }
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static string Page() => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ThisFile())!, "..", "..", "..", "docs", "models.md"));

    private static List<string[]> Blocks() => CodeBlocks("");

    // The fenced blocks of the page whose info string is `language` ("" for plain ``` blocks).
    private static List<string[]> CodeBlocks(string language)
    {
        var lines = File.ReadAllLines(Page());
        var blocks = new List<string[]>();
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith("```", StringComparison.Ordinal)) continue;
            int end = Array.FindIndex(lines, i + 1, l => l.Trim() == "```");
            Assert.True(end > i, $"models.md: unterminated code block at line {i + 1}");
            if (lines[i].Trim() == "```" + language) blocks.Add(lines[(i + 1)..end]);
            i = end;
        }
        return blocks;
    }
}
