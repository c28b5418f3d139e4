// Summary on small hand-checkable models: nested Sequentials get dotted names, frozen and
// shared parameters are counted right, training mode is restored, and bad shapes name the layer;
// Branches and Residual blocks show their sub-rows; multiply-accumulates follow K·P·Q·(C/G)·R·S and
// in·out; receptive fields follow r_out = r_in + (k − 1)·d·j_in, checked against the support of an
// actual gradient; the shapes the summary infers for convolutions equal the computed ones.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;

namespace Striate.Tests.Layers;

public class SummaryTests
{
    [Fact]
    public void Summarize_NestedSequential_WalksIntoChildrenWithDottedNames()
    {
        var model = new Sequential(
            new Flatten(),
            new Sequential(new Linear(6, 4, rng: new Rng(1)), new Tanh()),
            new Sequential(new Sequential(new Linear(4, 2, bias: false, rng: new Rng(2))), new Sigmoid()));

        var summary = model.Summarize(2, 3);

        Assert.Equal(["0", "1.0", "1.1", "2.0.0", "2.1"], summary.Rows.Select(r => r.Name));
        Assert.Equal(["Flatten", "Linear", "Tanh", "Linear", "Sigmoid"], summary.Rows.Select(r => r.Type));
        Assert.Equal(["(1, 6)", "(1, 4)", "(1, 4)", "(1, 2)", "(1, 2)"], summary.Rows.Select(r => Tensor.ShapeText([.. r.OutputShape])));
        Assert.Equal([0L, 6 * 4 + 4, 0, 4 * 2, 0], summary.Rows.Select(r => r.Parameters));
        Assert.Equal("4→2, no bias", summary.Rows[3].Description);
        Assert.Equal(36, summary.TotalParameters);
    }

    [Fact]
    public void Summarize_FrozenParameters_AreNotTrainable()
    {
        var first = new Linear(3, 2, rng: new Rng(1));
        foreach (var p in first.Parameters()) p.RequiresGrad = false;
        var model = new Sequential(first, new ReLU(), new Linear(2, 1, rng: new Rng(2)));

        var summary = model.Summarize(3);

        Assert.Equal(8 + 3, summary.TotalParameters);
        Assert.Equal(3, summary.TrainableParameters);
        Assert.Equal(8, summary.NonTrainableParameters);
        Assert.Contains("Non-trainable parameters: 8", summary.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_SharedLayer_CountsItsParametersOnceInTheTotal()
    {
        var shared = new Linear(2, 2, rng: new Rng(1));
        var summary = new Sequential(shared, new Tanh(), shared).Summarize(2);
        Assert.Equal([6L, 0, 6], summary.Rows.Select(r => r.Parameters));
        Assert.Equal(6, summary.TotalParameters);
    }

    [Fact]
    public void Summarize_LeafModel_GivesOneRow()
    {
        var summary = new Linear(5, 3, rng: new Rng(1)).Summarize(5);
        var row = Assert.Single(summary.Rows);
        Assert.Equal(("model", "Linear", 18L), (row.Name, row.Type, row.Parameters));
        Assert.Equal([1, 3], summary.OutputShape);
    }

    [Fact]
    public void Summarize_RestoresTrainingModeAndRecordsNoGraph()
    {
        var inner = new Sequential(new Linear(2, 2, rng: new Rng(1)));
        var model = new Sequential(inner, new ReLU());
        inner.Eval();

        model.Summarize(2);

        Assert.True(model.IsTraining);
        Assert.False(inner.IsTraining);
        Assert.False(inner[0].IsTraining);
        Assert.True(model[1].IsTraining);
        Assert.All(model.Parameters(), p => Assert.Null(p.Grad));
    }

    [Fact]
    public void Summarize_ShapeErrorInNestedLayer_NamesItsPath()
    {
        var model = new Sequential(new Flatten(), new Sequential(new ReLU(), new Linear(7, 2, rng: new Rng(1))));
        var e = Assert.Throws<LayerInputException>(() => model.Summarize(2, 3));
        Assert.StartsWith("Layer 1.1 (Linear, 7→2) rejected its input of shape (1, 6)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_NonPositiveInputDimension_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new Sequential(new ReLU()).Summarize(3, 0));
        Assert.Equal("inputShape", e.ParamName);
    }

    [Fact]
    public void ToMarkdown_RendersRowsAndRightAlignsNumbers()
    {
        string markdown = new Sequential(new Linear(2, 3, rng: new Rng(1))).Summarize(2).ToMarkdown();
        string[] lines = markdown.Split('\n');
        Assert.Equal("Input: `(1, 2)`", lines[0]);
        Assert.Equal("| Layer | Type | Description | Output shape | Params | Frozen | MACs | Memory | RF | Jump |", lines[2]);
        Assert.Equal("|---|---|---|---|---:|---:|---:|---:|---:|---:|", lines[3]);
        Assert.Equal("| 0 | Linear | 2→3 | (1, 3) | 9 | 0 | 6 | 12 B | - | - |", lines[4]);
        Assert.Contains("Multiply-accumulates: 6 (6)  ", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public void MultiplyAccumulates_FollowTheFormulaPerLayerType()
    {
        var rng = new Rng(3);
        var model = new Sequential(
            new Conv2d(6, 8, 3, stride: 2, padding: 1, groups: 2, rng: rng),    // 8·5·5·3·9
            new Conv2d(8, 4, 3, padding: 2, dilation: 2, bias: false, rng: rng), // 4·5·5·8·9
            new BatchNorm2d(4), new ReLU(), new MaxPool2d(2, stride: 1),         // 0
            new ConvTranspose2d(4, 6, 3, stride: 2, rng: rng),                   // 4·4·4·6·9 (per input position)
            new Flatten(), new Linear(6 * 9 * 9, 7, rng: rng));                  // 486·7
        var summary = model.Summarize(6, 9, 9);

        long[] expected = [8L * 25 * 3 * 9, 4L * 25 * 8 * 9, 0, 0, 0, 4L * 16 * 6 * 9, 0, 486L * 7];
        Assert.Equal(expected, summary.Rows.Select(r => r.MultiplyAccumulates));
        Assert.Equal(expected.Sum(), summary.TotalMultiplyAccumulates);
        Assert.Equal(summary.Rows.Sum(r => r.ActivationBytes), summary.TotalActivationBytes);
        Assert.Equal(4L * 8 * 5 * 5, summary.Rows[0].ActivationBytes);
    }

    [Fact]
    public void MultiplyAccumulates_Conv1dAndConv3d_UseEveryAxis()
    {
        var rng = new Rng(4);
        Assert.Equal(5L * 9 * 2 * 3, new Conv1d(2, 5, 3, stride: 2, rng: rng).Summarize(2, 20).Rows[0].MultiplyAccumulates);
        Assert.Equal(3L * (4 * 4 * 4) * 2 * 27, new Conv3d(2, 3, 3, rng: rng).Summarize(2, 6, 6, 6).Rows[0].MultiplyAccumulates);
    }

    [Fact]
    public void ReceptiveField_FollowsTheRecurrence()
    {
        var rng = new Rng(5);
        var model = new Sequential(
            new Conv2d(1, 2, 3, rng: rng),                                  // r 3, j 1
            new Conv2d(2, 2, 3, stride: 2, padding: 1, rng: rng),          // r 5, j 2
            new AvgPool2d(3, stride: 3),                                    // r 9, j 6
            new Conv2d(2, 2, 3, padding: 2, dilation: 2, rng: rng),        // r 9 + 2·2·6 = 33, j 6
            new ReLU());                                                    // unchanged
        var summary = model.Summarize(1, 40, 40);

        Assert.Equal([3.0, 5, 9, 33, 33], summary.Rows.Select(r => r.ReceptiveField![0]));
        Assert.Equal([1.0, 2, 6, 6, 6], summary.Rows.Select(r => r.Jump![0]));
        Assert.Equal([33.0, 33.0], summary.ReceptiveField);
    }

    [Theory]
    [InlineData(3, 1, 1, 2, 1, 2)]
    [InlineData(5, 2, 1, 3, 3, 1)]
    [InlineData(3, 1, 2, 2, 2, 3)]
    [InlineData(4, 3, 1, 2, 1, 1)]
    public void ReceptiveField_EqualsTheSupportOfTheGradientOfOneOutput(int k1, int s1, int d1, int pool, int k2, int d2)
    {
        // Outside ground truth: with positive weights and average pooling, the input pixels one output position depends on
        // are exactly those where its gradient is non-zero.
        var model = new Sequential(
            new Conv2d(1, 1, k1, stride: s1, dilation: d1, bias: false, rng: new Rng(6)),
            new AvgPool2d(pool),
            new Conv2d(1, 1, k2, dilation: d2, bias: false, rng: new Rng(7)));
        foreach (var p in model.Parameters()) p.AsSpan().Fill(1f);
        const int size = 64;
        var summary = model.Summarize(1, size, size);
        var x = Tensor.Zeros(1, 1, size, size);
        x.RequiresGrad = true;
        var y = model.Forward(x);
        int q = y.Shape[3] / 2;
        var pick = Tensor.Zeros([.. y.Shape]);
        pick.AsSpan()[q * y.Shape[3] + q] = 1f;
        (y * pick).Sum().Backward();

        var grad = x.Grad!.ToArray();
        var columns = Enumerable.Range(0, size).Where(c => Enumerable.Range(0, size).Any(r => grad[r * size + c] != 0)).ToArray();
        Assert.Equal(summary.ReceptiveField![1], columns[^1] - columns[0] + 1);
        Assert.Equal(s1 * pool, summary.Jump![1]);
    }

    [Fact]
    public void ReceptiveField_FlattenAndGlobalPoolingCoverTheWholeMap()
    {
        var rng = new Rng(8);
        var summary = new Sequential(new Conv2d(1, 2, 3, stride: 2, rng: rng), new GlobalAvgPool(), new Linear(2, 3, rng: rng)).Summarize(1, 11, 9);
        // conv: r 3, j 2 on 5×4 maps; global pooling: r 3 + 4·2 = 11 by 3 + 3·2 = 9.
        Assert.Equal([3.0, 3.0], summary.Rows[0].ReceptiveField);
        Assert.Equal([11.0, 9.0], summary.Rows[1].ReceptiveField);
        Assert.Equal([11.0, 9.0], summary.Rows[2].ReceptiveField);
        Assert.Equal("11×9", ModelSummary.Field(summary.ReceptiveField));
    }

    [Fact]
    public void Branches_ShowEachBranchAsIndentedSubRowsThenTheConcat()
    {
        var rng = new Rng(9);
        var model = new Sequential(
            new Conv2d(1, 4, 3, padding: 1, rng: rng),
            new Branches(
                new Conv2d(4, 2, 1, rng: rng),
                new Sequential(new Conv2d(4, 3, 1, rng: rng), new Conv2d(3, 5, 3, padding: 1, rng: rng)),
                new Sequential(new MaxPool2d(3, stride: 1, padding: 1), new Conv2d(4, 1, 1, rng: rng))));
        var summary = model.Summarize(1, 6, 6);

        var block = summary.Rows[1];
        Assert.Equal((SummaryRowKind.Block, "1", "Branches"), (block.Kind, block.Name, block.Type));
        Assert.Equal(["1.0", "1.1.0", "1.1.1", "1.2.0", "1.2.1", "1.concat"], block.Children.Select(r => r.Name));
        Assert.All(block.Children, r => Assert.Equal(1, r.Depth));
        Assert.Equal([1, 8, 6, 6], block.OutputShape);
        var concat = block.Children[^1];
        Assert.Equal((SummaryRowKind.Merge, "Concat", 0L, 0L), (concat.Kind, concat.Type, concat.Parameters, concat.MultiplyAccumulates));
        Assert.Equal(block.Children.Sum(r => r.Parameters), block.Parameters);
        Assert.Equal(block.Children.Sum(r => r.MultiplyAccumulates), block.MultiplyAccumulates);
        Assert.Equal(summary.TotalParameters, summary.Rows.Sum(r => r.Parameters));
        // The widest branch sets the field: 3 (first conv) + 2 (the 3×3 of branch 1 or the pool of branch 2) = 5.
        Assert.Equal([5.0, 5.0], block.ReceptiveField);
        Assert.Equal(8, summary.AllRows.Count());
        Assert.Equal(6, summary.Layers.Count());

        var lines = summary.ToText().Split('\n');
        Assert.StartsWith("1        ", lines[4], StringComparison.Ordinal);
        Assert.StartsWith("  1.1.0  ", lines[6], StringComparison.Ordinal);
        Assert.StartsWith("  1.concat", lines[10], StringComparison.Ordinal);
    }

    [Fact]
    public void Residual_ShowsBodyRowsThenShortcutThenTheAdd()
    {
        var rng = new Rng(10);
        var block = new Residual(
            new Sequential(new Conv2d(2, 4, 3, stride: 2, padding: 1, rng: rng), new ReLU(), new Conv2d(4, 4, 3, padding: 1, rng: rng)),
            new Conv2d(2, 4, 1, stride: 2, rng: rng));
        var summary = new Sequential(block, new ReLU()).Summarize(2, 8, 8);

        var row = summary.Rows[0];
        Assert.Equal(["0.body.0", "0.body.1", "0.body.2", "0.shortcut", "0.add"], row.Children.Select(r => r.Name));
        Assert.Equal(["Conv2d", "ReLU", "Conv2d", "Conv2d", "Add"], row.Children.Select(r => r.Type));
        Assert.Equal("body(x) + shortcut(x)", row.Children[^1].Description);
        Assert.Equal(4L * 16 * 2 * 9 + 4L * 16 * 4 * 9 + 4L * 16 * 2, row.MultiplyAccumulates);
        Assert.Equal(block.ParameterCount(), row.Parameters);
        Assert.Equal([7.0, 7.0], row.ReceptiveField); // body: 3 (jump 2), then 3 + 2·2 = 7; shortcut 1
        Assert.Equal([1, 4, 4, 4], summary.OutputShape);

        var identity = new Residual(new Sequential(new Conv2d(2, 2, 3, padding: 1, rng: rng))).Summarize(2, 5, 5).Rows[0];
        Assert.Equal(["body.0", "add"], identity.Children.Select(r => r.Name));
        Assert.Equal("body(x) + x", identity.Children[^1].Description);
    }

    [Fact]
    public void Residual_ShapeMismatch_NamesTheBlock()
    {
        var model = new Sequential(new Residual(new Conv2d(2, 3, 1, rng: new Rng(1))));
        var e = Assert.Throws<LayerInputException>(() => model.Summarize(2, 4, 4));
        Assert.StartsWith("Layer 0 (Residual", e.Message, StringComparison.Ordinal);
    }

    private sealed class Doubler : Module, ICostModel
    {
        public override Tensor Forward(Tensor input) => Functional.Upsample(input, scaleFactor: [2.0]);

        public long MultiplyAccumulates(IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape) => 1000 + outputShape[^1];

        public SpatialWindow? Window => new(3, 1);
    }

    [Fact]
    public void CostModel_LetsAnUnknownLayerReportItsCostAndWindow()
    {
        var row = new Sequential(new Doubler()).Summarize(1, 4, 4).Rows[0];
        Assert.Equal(1008, row.MultiplyAccumulates);
        Assert.Equal([3.0, 3.0], row.ReceptiveField);
    }

    private sealed class Resizer : Module
    {
        public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, 2);
    }

    [Fact]
    public void UnknownLayerChangingTheSize_MakesTheFieldUnknown()
    {
        var summary = new Sequential(new Conv2d(1, 1, 3, rng: new Rng(1)), new Resizer(), new ReLU()).Summarize(1, 9, 9);
        Assert.Equal([3.0, 3.0], summary.Rows[0].ReceptiveField);
        Assert.Null(summary.Rows[1].ReceptiveField);
        Assert.Null(summary.ReceptiveField);
        Assert.Contains("Receptive field: ?, jump ?", summary.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluationPath_IsWhatTheSummaryWalks()
    {
        var main = new Sequential(new Conv2d(1, 2, 3, rng: new Rng(1)), new Flatten(), new Linear(2 * 4 * 4, 3, rng: new Rng(2)));
        var head = new Sequential(new Flatten(), new Linear(2 * 4 * 4, 3, rng: new Rng(3)));
        var model = new AuxiliaryClassifierNet(main, [0], [head]);

        var summary = model.Summarize(1, 6, 6);

        Assert.Equal(["main.0", "main.1", "main.2"], summary.Rows.Select(r => r.Name));
        Assert.Equal(model.ParameterCount(), summary.TotalParameters); // the head's parameters are in the totals
        Assert.True(model.IsTraining);
    }

    [Theory]
    [InlineData(0, "0")]
    [InlineData(999, "999")]
    [InlineData(1_000, "1.00 K")]
    [InlineData(48_000, "48.0 K")]
    [InlineData(416_520, "417 K")]
    [InlineData(1_814_073_344, "1.81 G")]
    [InlineData(15_470_264_320, "15.5 G")]
    public void Metric_ThreeSignificantDigits(long value, string expected) => Assert.Equal(expected, ModelSummary.Metric(value));

    [Theory]
    [InlineData(12, "12 B")]
    [InlineData(1_600, "1.56 KiB")]
    [InlineData(3_211_264, "3.06 MiB")]
    public void Bytes_BinaryUnits(long value, string expected) => Assert.Equal(expected, ModelSummary.Bytes(value));

    [Theory]
    [InlineData("resnet20", 1, 28)]
    [InlineData("googlenet", 3, 40)]
    [InlineData("lenet5-classic", 1, 32)]
    [InlineData("nin-cifar", 3, 20)]
    [InlineData("zfnet-384", 3, 64)]
    public void InferredShapes_EqualComputedShapes(string name, int channels, int size)
    {
        // The summary skips computing convolutions and linear layers; their shapes must be what the layers produce.
        var model = ModelZoo.Create(name, new Rng(1), 7, [channels, size, size]);
        var inferred = Summary.Summarize(model, [channels, size, size], computeEverything: false);
        var computed = Summary.Summarize(model, [channels, size, size], computeEverything: true);

        Assert.Equal(computed.AllRows.Select(r => (r.Name, string.Join(',', r.OutputShape))), inferred.AllRows.Select(r => (r.Name, string.Join(',', r.OutputShape))));
        Assert.Equal(computed.TotalMultiplyAccumulates, inferred.TotalMultiplyAccumulates);
        using (GradMode.NoGrad())
            Assert.Equal(model.Eval().Forward(Tensor.Zeros(1, channels, size, size)).Shape, inferred.OutputShape);
    }
}
