// LeNet-5: parameter names, shapes and counts (hand-computed), output shapes for a batch,
// per-layer shapes from the summary, and reproducible initialisation in layer order.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Models;

public class LeNet5Tests
{
    [Fact]
    public void Create_ParameterNamesAndShapes_MatchTheArchitecture()
    {
        var model = LeNet5.Create(rng: new Rng(1));

        var actual = model.NamedParameters().Select(p => (p.Key, Tensor.ShapeText(p.Value.Dims))).ToList();

        (string, string)[] expected =
        [
            ("0.weight", "(6, 1, 5, 5)"), ("0.bias", "(6,)"),
            ("3.weight", "(16, 6, 5, 5)"), ("3.bias", "(16,)"),
            ("7.weight", "(120, 400)"), ("7.bias", "(120,)"),
            ("9.weight", "(84, 120)"), ("9.bias", "(84,)"),
            ("11.weight", "(10, 84)"), ("11.bias", "(10,)"),
        ];
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Create_LayerTypes_InOrder()
    {
        var model = LeNet5.Create(rng: new Rng(1));
        Assert.Equal(
            ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear", "ReLU", "Linear"],
            model.Layers.Select(l => l.GetType().Name));
        var conv1 = Assert.IsType<Conv2d>(model[0]);
        Assert.Equal((1, 6, 5, 1, 2), (conv1.InChannels, conv1.OutChannels, conv1.KernelSize, conv1.Stride, conv1.Padding));
        var conv2 = Assert.IsType<Conv2d>(model[3]);
        Assert.Equal((6, 16, 5, 1, 0), (conv2.InChannels, conv2.OutChannels, conv2.KernelSize, conv2.Stride, conv2.Padding));
        var pool = Assert.IsType<MaxPool2d>(model[2]);
        Assert.Equal((2, 2, 0), (pool.KernelSize, pool.Stride, pool.Padding));
    }

    [Fact]
    public void Create_TotalParameters_Is61706()
    {
        // conv1 6·1·25 + 6 = 156; conv2 16·6·25 + 16 = 2,416; fc1 400·120 + 120 = 48,120;
        // fc2 120·84 + 84 = 10,164; fc3 84·10 + 10 = 850.
        Assert.Equal(156 + 2_416 + 48_120 + 10_164 + 850, 61_706);
        Assert.Equal(61_706, LeNet5.Create(rng: new Rng(1)).ParameterCount());
    }

    [Fact]
    public void Create_ClassCount_SetsTheLastLayer()
    {
        var model = LeNet5.Create(classes: 3, rng: new Rng(1));
        Assert.Equal(61_706 - 850 + (84 * 3 + 3), model.ParameterCount());
        using (GradMode.NoGrad())
            Assert.Equal([2, 3], model.Forward(Tensor.Zeros(2, 1, 28, 28)).Shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => LeNet5.Create(classes: 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void Forward_BatchOfImages_GivesFiniteLogitsPerImage(int batch)
    {
        var model = LeNet5.Create(rng: new Rng(11));
        var input = Tensor.Normal(new Rng(12), 0, 1, batch, 1, 28, 28);

        Tensor output;
        using (GradMode.NoGrad()) output = model.Forward(input);

        Assert.Equal([batch, 10], output.Shape);
        Assert.All(output.ToArray(), v => Assert.True(float.IsFinite(v)));
        Assert.Contains(output.ToArray(), v => v != 0f);
    }

    [Fact]
    public void Forward_ImagesInABatch_AreIndependent()
    {
        // Image 1 of a batch gives the same logits as the same image alone.
        var model = LeNet5.Create(rng: new Rng(11));
        var batch = Tensor.Normal(new Rng(13), 0, 1, 2, 1, 28, 28);
        var second = Tensor.FromArray(batch.AsSpan()[784..].ToArray(), 1, 1, 28, 28);
        using (GradMode.NoGrad())
        {
            var all = model.Forward(batch).ToArray();
            var one = model.Forward(second).ToArray();
            AssertTensor.Close(one, [.. all[10..].Select(v => (double)v)], [1, 10], Tolerances.Accumulation, "logits of image 1 alone vs in a batch");
        }
    }

    [Fact]
    public void Create_Initialisation_DrawsFromTheRngInLayerOrder()
    {
        var rng = new Rng(77);
        Tensor[] expected =
        [
            .. new Conv2d(1, 6, 5, padding: 2, rng: rng).Parameters(),
            .. new Conv2d(6, 16, 5, rng: rng).Parameters(),
            .. new Linear(400, 120, rng: rng).Parameters(),
            .. new Linear(120, 84, rng: rng).Parameters(),
            .. new Linear(84, 10, rng: rng).Parameters(),
        ];

        var actual = LeNet5.Create(rng: new Rng(77)).Parameters().ToArray();

        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) AssertTensor.BitIdentical(expected[i].AsSpan(), actual[i].AsSpan(), $"parameter {i}");
        Assert.NotEqual(actual[0].ToArray(), LeNet5.Create(rng: new Rng(78)).Parameters().First().ToArray());
    }

    [Fact]
    public void Summary_LeNet5_OutputShapesAndParameterCountsPerLayer()
    {
        var summary = LeNet5.Create(rng: new Rng(1)).Summarize(1, 28, 28);

        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"], summary.Rows.Select(r => r.Name));
        Assert.Equal(
            ["(1, 6, 28, 28)", "(1, 6, 28, 28)", "(1, 6, 14, 14)", "(1, 16, 10, 10)", "(1, 16, 10, 10)", "(1, 16, 5, 5)",
             "(1, 400)", "(1, 120)", "(1, 120)", "(1, 84)", "(1, 84)", "(1, 10)"],
            summary.Rows.Select(r => Tensor.ShapeText([.. r.OutputShape])));
        Assert.Equal([156L, 0, 0, 2_416, 0, 0, 0, 48_120, 0, 10_164, 0, 850], summary.Rows.Select(r => r.Parameters));
        Assert.Equal([1, 1, 28, 28], summary.InputShape);
        Assert.Equal([1, 10], summary.OutputShape);
        Assert.Equal(61_706, summary.TotalParameters);
        Assert.Equal(61_706, summary.TrainableParameters);
        Assert.Equal(0, summary.NonTrainableParameters);
    }

    [Fact]
    public void Summary_LeNet5Text_ShowsTotalsAndAlignedRows()
    {
        string text = LeNet5.Create(rng: new Rng(1)).Summarize(1, 28, 28).ToText();
        var lines = text.Split('\n');

        Assert.Equal("Input: (1, 1, 28, 28)", lines[0]);
        Assert.StartsWith("Layer  Type", lines[1], StringComparison.Ordinal);
        Assert.Equal(12 + 10, lines.Length); // input, header, rule, 12 rows, 6 totals, trailing empty
        var tableLines = lines[1..15];
        Assert.Single(tableLines.Select(l => l.Length).Distinct()); // every row padded to the same width
        // Row 7 (linear 400→120): 48,120 parameters, 48,000 multiply-accumulates, 480 bytes out, field 32 (the whole 28×28 + padding).
        Assert.Matches(@"^7 +Linear +400→120 +\(1, 120\) +48,120 +0 +48\.0 K +480 B +32 +20$", lines[3 + 7]);
        Assert.Contains("Total parameters: 61,706", text, StringComparison.Ordinal);
        Assert.Contains("Trainable parameters: 61,706", text, StringComparison.Ordinal);
        // conv1 6·28·28·25 = 117,600; conv2 16·10·10·150 = 240,000; fc 48,000 + 10,080 + 840.
        Assert.Contains("Multiply-accumulates: 416,520 (417 K)", text, StringComparison.Ordinal);

        string markdown = LeNet5.Create(rng: new Rng(1)).Summarize(1, 28, 28).ToMarkdown();
        Assert.Contains("| Layer | Type | Description | Output shape | Params | Frozen | MACs | Memory | RF | Jump |", markdown, StringComparison.Ordinal);
        Assert.Contains("| (1, 16, 5, 5) | 0 | 0 | 0 | 1.56 KiB | 16 | 4 |", markdown, StringComparison.Ordinal);
        Assert.Equal(12, markdown.Split('\n').Count(l => l.StartsWith("| ", StringComparison.Ordinal)) - 1);
    }

    [Fact]
    public void Summary_LeNet5_ReceptiveFieldsGrowAsThePaperSays()
    {
        // r_out = r_in + (k − 1)·j_in, j_out = j_in·s: conv5 → 5, pool2 → 6 (jump 2), conv5 → 14, pool2 → 16 (jump 4),
        // flatten covers the 5×5 maps: 16 + 4·4 = 32 (the padded 32×32 field), jump 20.
        var summary = LeNet5.Create(rng: new Rng(1)).Summarize(1, 28, 28);
        Assert.Equal([5.0, 5, 6, 14, 14, 16, 32], summary.Rows.Take(7).Select(r => r.ReceptiveField![0]));
        Assert.Equal([1.0, 1, 2, 2, 2, 4, 20], summary.Rows.Take(7).Select(r => r.Jump![0]));
        Assert.Equal([32.0, 32.0], summary.ReceptiveField);
    }

    [Fact]
    public void Classic_ParametersAre60000PlusTheOutputLayer()
    {
        var model = LeNet5.Classic(rng: new Rng(1));
        // C1 156, S2 12, C3 1,516, S4 32, C5 48,120, F6 10,164: the paper's 60,000; output 84·10 + 10.
        long[] perLayer = [.. model.Layers.Select(l => l.ParameterCount()).Where(n => n > 0)];
        Assert.Equal([156L, 12, 1_516, 32, 48_120, 10_164, 850], perLayer);
        Assert.Equal(60_000, perLayer[..^1].Sum());
        Assert.Equal(60_850, model.ParameterCount());
        Assert.Equal(60_000 + 84 * 3 + 3, LeNet5.Classic(classes: 3, rng: new Rng(1)).ParameterCount());
    }

    [Fact]
    public void Classic_Summary_ShowsThePapersFeatureMaps()
    {
        var summary = LeNet5.Classic(rng: new Rng(1)).Summarize(1, 32, 32);
        var shapes = summary.Rows.Where(r => r.Type is "Conv2d" or "ConnectionTableConv2d" or "Linear").Select(r => Tensor.ShapeText([.. r.OutputShape]));
        // C1, S2's 1×1 coefficient, C3, S4's coefficient, C5, F6, output.
        Assert.Equal(["(1, 6, 28, 28)", "(1, 6, 14, 14)", "(1, 16, 10, 10)", "(1, 16, 5, 5)", "(1, 120, 1, 1)", "(1, 84)", "(1, 10)"], shapes);
        Assert.Equal(6, summary.Rows.Count(r => r.Type == "Tanh"));
        // C1 6·28²·25 + S2 6·14² + C3 60·25·10² + S4 16·5² + C5 120·400 + F6 84·120 + out 10·84.
        Assert.Equal(117_600 + 1_176 + 150_000 + 400 + 48_000 + 10_080 + 840, summary.TotalMultiplyAccumulates);
        Assert.Equal([32.0, 32.0], summary.ReceptiveField);
    }

    [Fact]
    public void Classic_SubSampling_IsTheSumTimesACoefficientPlusABiasPerMap()
    {
        var model = LeNet5.Classic(rng: new Rng(1));
        var coefficient = Assert.IsType<Conv2d>(model[3]);
        Assert.IsType<SumPool2d>(model[2]);
        Assert.Equal((6, 6, 1), (coefficient.InChannels, coefficient.Groups, coefficient.KernelSize));
        coefficient.Weight.AsSpan().Fill(0.5f);
        coefficient.Bias!.AsSpan().Fill(-1f);
        var maps = Tensor.FromArray([.. Enumerable.Range(0, 6 * 4).Select(i => (float)i)], 1, 6, 2, 2);
        using (GradMode.NoGrad())
        {
            var y = coefficient.Forward(model[2].Forward(maps)).ToArray();
            Assert.Equal([.. Enumerable.Range(0, 6).Select(c => 0.5f * (16 * c + 6) - 1f)], y); // 0.5·(4c + 4c+1 + 4c+2 + 4c+3) − 1
        }
    }

    [Fact]
    public void Classic_28x28WithPadding2_GivesTheSameSizesAs32x32()
    {
        var summary = LeNet5.Classic(padding: 2, rng: new Rng(1)).Summarize(1, 28, 28);
        Assert.Equal([1, 6, 28, 28], summary.Rows[0].OutputShape);
        Assert.Equal([1, 10], summary.OutputShape);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => LeNet5.Classic(padding: -1)).ParamName);
    }

    [Fact]
    public void Summary_WrongInputSize_NamesTheFailingLayer()
    {
        // 32×32 input: after the two conv/pool stages the flatten gives 16·6·6 = 576, not 400.
        var e = Assert.Throws<LayerInputException>(() => LeNet5.Create(rng: new Rng(1)).Summarize(1, 32, 32));
        Assert.StartsWith("Layer 7 (Linear, 400→120) rejected its input of shape (1, 576)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_WrongChannelCount_NamesTheFirstConvolution()
    {
        var e = Assert.Throws<LayerInputException>(() => LeNet5.Create(rng: new Rng(1)).Summarize(3, 28, 28));
        Assert.StartsWith("Layer 0 (Conv2d", e.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 3, 28, 28)", e.Message, StringComparison.Ordinal);
    }
}
