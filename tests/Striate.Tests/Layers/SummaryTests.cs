// Summary on small hand-checkable models: nested Sequentials get dotted names, frozen and
// shared parameters are counted right, training mode is restored, and bad shapes name the layer.
using Striate.Layers;

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
    public void ToMarkdown_RendersRowsAndRightAlignsCounts()
    {
        string markdown = new Sequential(new Linear(2, 3, rng: new Rng(1))).Summarize(2).ToMarkdown();
        string[] lines = markdown.Split('\n');
        Assert.Equal("Input: `(1, 2)`", lines[0]);
        Assert.Equal("| Layer | Type | Description | Output shape | Params |", lines[2]);
        Assert.Equal("|---|---|---|---|---:|", lines[3]);
        Assert.Equal("| 0 | Linear | 2→3 | (1, 3) | 9 |", lines[4]);
    }
}
