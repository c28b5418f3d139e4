// Keras-style model summary: one row per layer with its output shape and parameter count,
// found by running a batch of one zero image through the model layer by layer (no gradients
// recorded, evaluation mode so batch statistics and dropout are left alone). Sequentials are
// walked into, so nested blocks show their layers with dotted names ("3.0", "3.1").
using System.Globalization;
using System.Text;
using Striate.Autograd;

namespace Striate.Layers;

/// <summary>Builds <see cref="ModelSummary"/> tables.</summary>
public static class Summary
{
    /// <summary>
    /// Summarises <paramref name="model"/> for inputs of shape <paramref name="inputShape"/> (batch
    /// excluded): runs a (1, ...inputShape) zero tensor through it under <see cref="GradMode.NoGrad"/>
    /// in evaluation mode, one layer at a time, descending into <see cref="Sequential"/> children.
    /// The model's training mode is restored afterwards.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">One example's shape, e.g. <c>1, 28, 28</c>.</param>
    /// <returns>Rows per leaf layer and parameter totals.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputShape"/> has a non-positive dimension.</exception>
    /// <exception cref="LayerInputException">A layer rejects the shape it receives; the message names the layer's path and type and the shape.</exception>
    public static ModelSummary Summarize(this Module model, params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        foreach (int d in inputShape)
            if (d <= 0) throw new ArgumentException($"Input shape {Tensor.ShapeText(inputShape)} has a non-positive dimension.", nameof(inputShape));

        int[] batchShape = [1, .. inputShape];
        var rows = new List<SummaryRow>();
        var modes = new List<(Module Module, bool Training)>();
        CollectModes(model, modes);
        model.Eval();
        Tensor output;
        try
        {
            using (GradMode.NoGrad())
                output = Walk(model, "", Tensor.Zeros(batchShape), rows);
        }
        finally
        {
            // Parents first: Train() recurses, so each child's own setting is applied after its parent's.
            foreach (var (module, training) in modes) module.Train(training);
        }

        var unique = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
        long total = 0, trainable = 0;
        foreach (var p in model.Parameters())
        {
            if (!unique.Add(p)) continue; // a shared parameter counts once
            total += p.Length;
            if (p.RequiresGrad) trainable += p.Length;
        }
        return new ModelSummary(rows, batchShape, [.. output.Dims], total, trainable);
    }

    private static void CollectModes(Module module, List<(Module, bool)> modes)
    {
        modes.Add((module, module.IsTraining));
        foreach (var (_, child) in module.Children) CollectModes(child, modes);
    }

    private static Tensor Walk(Module module, string path, Tensor x, List<SummaryRow> rows)
    {
        if (module is Sequential)
        {
            foreach (var (name, child) in module.Children)
                x = Walk(child, path.Length == 0 ? name : path + "." + name, x, rows);
            return x;
        }

        Tensor y;
        try
        {
            y = module.Forward(x);
        }
        catch (ArgumentException e) when (e is not LayerInputException)
        {
            string name = path.Length == 0 ? "The model" : $"Layer {path}";
            throw new LayerInputException($"{name} ({module.TypeName}{(module.Description.Length > 0 ? ", " + module.Description : "")}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
        }
        long parameters = module.Parameters().Distinct<Tensor>(ReferenceEqualityComparer.Instance).Sum(p => (long)p.Length);
        rows.Add(new SummaryRow(path.Length == 0 ? "model" : path, module.TypeName, module.Description, [.. y.Dims], parameters));
        return y;
    }
}

/// <summary>One layer of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The layer's dotted path in the model, e.g. <c>3</c> or <c>2.1</c>; <c>model</c> when the model is not a <see cref="Sequential"/>.</param>
/// <param name="Type">The layer's <see cref="Module.TypeName"/>, e.g. <c>Conv2d</c>.</param>
/// <param name="Description">The layer's <see cref="Module.Description"/>, e.g. <c>1→6, 5×5, pad 2</c>.</param>
/// <param name="OutputShape">The layer's output shape for a batch of one.</param>
/// <param name="Parameters">Number of parameter elements in the layer (its descendants included).</param>
public sealed record SummaryRow(string Name, string Type, string Description, IReadOnlyList<int> OutputShape, long Parameters);

/// <summary>A model's layers with output shapes and parameter counts, as a table. Made by <see cref="Summary.Summarize"/>.</summary>
public sealed class ModelSummary
{
    internal ModelSummary(IReadOnlyList<SummaryRow> rows, IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape, long totalParameters, long trainableParameters)
    {
        Rows = rows;
        InputShape = inputShape;
        OutputShape = outputShape;
        TotalParameters = totalParameters;
        TrainableParameters = trainableParameters;
    }

    /// <summary>One row per leaf layer, in execution order.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>The input shape used, batch of one included, e.g. (1, 1, 28, 28).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>The model's output shape for that input, e.g. (1, 10).</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Number of parameter elements; a parameter shared by several layers counts once.</summary>
    public long TotalParameters { get; }

    /// <summary>Number of parameter elements that require gradients (not frozen).</summary>
    public long TrainableParameters { get; }

    /// <summary>Number of frozen parameter elements: <see cref="TotalParameters"/> − <see cref="TrainableParameters"/>.</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    private static readonly string[] Headers = ["Layer", "Type", "Description", "Output shape", "Params"];

    private string[][] Cells() =>
        [.. Rows.Select(r => new[] { r.Name, r.Type, r.Description, Tensor.ShapeText([.. r.OutputShape]), Count(r.Parameters) })];

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>The summary as an aligned plain-text table (parameter counts right-aligned) followed by the totals.</summary>
    public string ToText()
    {
        var cells = Cells();
        var widths = new int[Headers.Length];
        for (int c = 0; c < widths.Length; c++)
            widths[c] = Math.Max(Headers[c].Length, cells.Length == 0 ? 0 : cells.Max(row => row[c].Length));

        var sb = new StringBuilder();
        sb.Append("Input: ").Append(Tensor.ShapeText([.. InputShape])).Append('\n');
        void Line(string[] row)
        {
            for (int c = 0; c < row.Length; c++)
            {
                if (c > 0) sb.Append("  ");
                bool last = c == row.Length - 1;
                sb.Append(last ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
            }
            sb.Append('\n');
        }
        Line(Headers);
        Line([.. widths.Select(w => new string('-', w))]);
        foreach (var row in cells) Line(row);
        sb.Append("Total parameters: ").Append(Count(TotalParameters)).Append('\n');
        sb.Append("Trainable parameters: ").Append(Count(TrainableParameters)).Append('\n');
        sb.Append("Non-trainable parameters: ").Append(Count(NonTrainableParameters)).Append('\n');
        return sb.ToString();
    }

    /// <summary>The summary as a GitHub-flavoured Markdown table followed by the totals.</summary>
    public string ToMarkdown()
    {
        static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
        var sb = new StringBuilder();
        sb.Append("Input: `").Append(Tensor.ShapeText([.. InputShape])).Append("`\n\n");
        sb.Append("| ").Append(string.Join(" | ", Headers)).Append(" |\n");
        sb.Append("|---|---|---|---|---:|\n");
        foreach (var row in Cells()) sb.Append("| ").Append(string.Join(" | ", row.Select(Escape))).Append(" |\n");
        sb.Append('\n');
        sb.Append("Total parameters: ").Append(Count(TotalParameters)).Append("  \n");
        sb.Append("Trainable parameters: ").Append(Count(TrainableParameters)).Append("  \n");
        sb.Append("Non-trainable parameters: ").Append(Count(NonTrainableParameters)).Append('\n');
        return sb.ToString();
    }

    /// <summary>Same as <see cref="ToText"/>.</summary>
    public override string ToString() => ToText();
}
