// Model summary: one row per layer with its output shape, parameters (trainable and frozen),
// multiply-accumulates, activation memory and receptive field, found by running a batch of one
// zero image through the model layer by layer (no gradients recorded, evaluation mode so batch
// statistics and dropout are left alone). Convolutions and linear layers, where the time goes, are
// not computed: their output shape follows from the sizes and a zero tensor of that shape goes on
// (shape-preserving layers pass their input on), so summarising VGG-16 at 224×224 takes a fraction
// of a forward pass. Sequentials are walked into, so nested blocks show their
// layers with dotted names ("3.0", "3.1"); Branches and Residual blocks are one row carrying the
// block's totals, with their branches (or body and shortcut) as indented sub-rows ending in the
// concatenation (or the addition).
//
// Per layer, for one example:
//   multiply-accumulates  convolution K·P·Q·(C/G)·R·S (every spatial axis), transposed convolution
//                         C·H·W·(K/G)·R·S, locally connected / tiled K·P·Q·C·R·S, linear in·out per row;
//                         bias additions, normalisation, pooling, activations and the residual
//                         addition are not counted (the convention of the commonly cited figures:
//                         ResNet-18 1.82 G, VGG-16 15.5 G, AlexNet 0.71 G)
//   activation memory     the output's elements × 4 bytes (float32), what backward keeps per layer
//   receptive field       per spatial axis, r_out = r_in + (k − 1)·d·j_in and j_out = j_in·s for a window
//                         of k taps at dilation d and stride s (r = j = 1 at the input); a layer that
//                         removes the spatial axes (flatten, global pooling) covers its whole input.
// Layers the table below does not know report through ICostModel; other layers count 0
// multiply-accumulates and keep the receptive field when they keep the spatial size.
using System.Globalization;
using System.Text;
using Striate.Autograd;

namespace Striate.Layers;

/// <summary>A sliding window along every spatial axis, for the receptive-field arithmetic of <see cref="Summary"/>.</summary>
/// <param name="Kernel">Taps k of the window along each axis.</param>
/// <param name="Stride">Step s between windows.</param>
/// <param name="Dilation">Step d between taps.</param>
public readonly record struct SpatialWindow(int Kernel, int Stride, int Dilation = 1);

/// <summary>
/// Lets a layer that <see cref="Summary"/> does not know report its cost and its effect on the receptive field.
/// </summary>
public interface ICostModel
{
    /// <summary>Multiply-accumulates for one example (bias additions not counted).</summary>
    /// <param name="inputShape">The layer's input shape for a batch of one, e.g. (1, 6, 14, 14).</param>
    /// <param name="outputShape">The layer's output shape for a batch of one.</param>
    long MultiplyAccumulates(IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape);

    /// <summary>The window the layer slides over every spatial axis, or null when each output position reads only its own input position.</summary>
    SpatialWindow? Window { get; }
}

/// <summary>
/// A module whose output in evaluation mode is that of one of its children run alone (its other children act
/// only in training, like GoogLeNet's auxiliary classifiers); <see cref="Summary"/> shows that child's rows.
/// </summary>
public interface IEvaluationPath
{
    /// <summary>The child that computes the output in evaluation mode; it must be one of the module's <see cref="Module.Children"/>.</summary>
    Module EvaluationPath { get; }
}

/// <summary>What a <see cref="SummaryRow"/> stands for.</summary>
public enum SummaryRowKind
{
    /// <summary>One layer (a module the summary does not walk into).</summary>
    Layer,

    /// <summary>A <see cref="Branches"/> or <see cref="Residual"/> block: its figures are the totals of its <see cref="SummaryRow.Children"/>.</summary>
    Block,

    /// <summary>The concatenation closing a <see cref="Branches"/> block or the addition closing a <see cref="Residual"/> block (no parameters, no multiply-accumulates).</summary>
    Merge,
}

/// <summary>Builds <see cref="ModelSummary"/> tables.</summary>
public static class Summary
{
    /// <summary>
    /// Summarises <paramref name="model"/> for inputs of shape <paramref name="inputShape"/> (batch
    /// excluded): runs a (1, ...inputShape) zero tensor through it under <see cref="GradMode.NoGrad"/>
    /// in evaluation mode, one layer at a time (convolutions and linear layers only produce a zero tensor of their output shape,
    /// ⌊(n + pad_before + pad_after − d(k − 1) − 1)/s⌋ + 1 per axis, instead of computing it; activations, batch norm, LRN,
    /// dropout and residual additions pass their input on), descending into <see cref="Sequential"/> children (dotted
    /// names), <see cref="Branches"/> and <see cref="Residual"/> blocks (sub-rows) and the
    /// <see cref="IEvaluationPath"/> of modules that have one. The model's training mode is restored afterwards.
    /// Per row: output shape, parameters, multiply-accumulates (convolution K·P·Q·(C/G)·R·S, linear in·out),
    /// activation memory (output elements × 4 bytes) and the receptive field r_out = r_in + (k − 1)·d·j_in with
    /// jump j_out = j_in·s.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputShape">One example's shape, e.g. <c>1, 28, 28</c>.</param>
    /// <returns>Rows per layer and the totals.</returns>
    /// <exception cref="ArgumentException"><paramref name="inputShape"/> is empty or has a non-positive dimension.</exception>
    /// <exception cref="LayerInputException">A layer rejects the shape it receives; the message names the layer's path and type and the shape.</exception>
    public static ModelSummary Summarize(this Module model, params int[] inputShape) => Summarize(model, inputShape, computeEverything: false);

    /// <summary>As <see cref="Summarize(Module, int[])"/>; with <paramref name="computeEverything"/> every layer is computed, none inferred (tests compare the two).</summary>
    internal static ModelSummary Summarize(Module model, int[] inputShape, bool computeEverything)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (inputShape.Length == 0 || inputShape.Any(d => d <= 0))
            throw new ArgumentException($"Input shape {Tensor.ShapeText(inputShape)} must have at least one dimension, all positive.", nameof(inputShape));

        int[] batchShape = [1, .. inputShape];
        var rows = new List<SummaryRow>();
        var modes = new List<(Module Module, bool Training)>();
        CollectModes(model, modes);
        model.Eval();
        Tensor output;
        Field field;
        try
        {
            using (GradMode.NoGrad())
                (output, field) = Walk(model, "", Tensor.Zeros(batchShape), Field.AtInput(batchShape.Length - 2), 0, rows, !computeEverything);
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
        return new ModelSummary(rows, batchShape, [.. output.Dims], total, trainable, field.Size, field.Jump);
    }

    private static void CollectModes(Module module, List<(Module, bool)> modes)
    {
        modes.Add((module, module.IsTraining));
        foreach (var (_, child) in module.Children) CollectModes(child, modes);
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    // Runs module on x, appending its rows; returns the output and the receptive field of its positions.
    private static (Tensor Output, Field Field) Walk(Module module, string path, Tensor x, Field field, int depth, List<SummaryRow> rows, bool infer)
    {
        switch (module)
        {
            case Sequential:
                foreach (var (name, child) in module.Children)
                    (x, field) = Walk(child, Join(path, name), x, field, depth, rows, infer);
                return (x, field);
            case IEvaluationPath { EvaluationPath: var main }:
                string mainName = module.Children.FirstOrDefault(c => ReferenceEquals(c.Value, main)).Key
                    ?? throw new InvalidOperationException($"{module.TypeName}'s evaluation path is not one of its children.");
                return Walk(main, Join(path, mainName), x, field, depth, rows, infer);
            case Branches branches:
                return WalkBranches(branches, path, x, field, depth, rows, infer);
            case Residual residual:
                return WalkResidual(residual, path, x, field, depth, rows, infer);
        }

        Tensor y = Run(module, path, x, infer ? InferredForward(module, x) : null);
        var (parameters, trainable) = CountParameters(module);
        var outField = field.Through(module, x.Dims, y.Dims);
        rows.Add(new SummaryRow(path.Length == 0 ? "model" : path, module.TypeName, module.Description, [.. y.Dims], parameters)
        {
            TrainableParameters = trainable,
            MultiplyAccumulates = MultiplyAccumulates(module, x.Dims, y.Dims),
            ActivationBytes = (long)y.Length * sizeof(float),
            ReceptiveField = outField.Size,
            Jump = outField.Jump,
            Depth = depth,
        });
        return (y, outField);
    }

    private static (Tensor, Field) WalkBranches(Branches branches, string path, Tensor x, Field field, int depth, List<SummaryRow> rows, bool infer)
    {
        var children = new List<SummaryRow>();
        var outputs = new List<Tensor>();
        var fields = new List<Field>();
        foreach (var (name, branch) in branches.Children)
        {
            var (o, f) = Walk(branch, Join(path, name), x, field, depth + 1, children, infer);
            outputs.Add(o);
            fields.Add(f);
        }
        var y = Run(branches, path, x, () => Functional.Concat(outputs, branches.Dim));
        var merged = Field.Widest(fields);
        children.Add(MergeRow(Join(path, "concat"), "Concat", $"{outputs.Count} outputs along dim {branches.Dim}", y, merged, depth + 1));
        rows.Add(BlockRow(branches, path, y, merged, depth, children));
        return (y, merged);
    }

    private static (Tensor, Field) WalkResidual(Residual residual, string path, Tensor x, Field field, int depth, List<SummaryRow> rows, bool infer)
    {
        var children = new List<SummaryRow>();
        var (fx, bodyField) = Walk(residual.Body, Join(path, "body"), x, field, depth + 1, children, infer);
        var (skip, skipField) = residual.Shortcut is null ? (x, field) : Walk(residual.Shortcut, Join(path, "shortcut"), x, field, depth + 1, children, infer);
        var y = Run(residual, path, x, () => fx.Dims.SequenceEqual(skip.Dims)
            ? (infer ? fx : fx + skip)
            : throw new ArgumentException($"Residual: body output {Tensor.ShapeText(fx.Dims)} and shortcut {Tensor.ShapeText(skip.Dims)} differ.", "input"));
        var merged = Field.Widest([bodyField, skipField]);
        children.Add(MergeRow(Join(path, "add"), "Add", residual.Shortcut is null ? "body(x) + x" : "body(x) + shortcut(x)", y, merged, depth + 1));
        rows.Add(BlockRow(residual, path, y, merged, depth, children));
        return (y, merged);
    }

    private static SummaryRow MergeRow(string name, string type, string description, Tensor y, Field field, int depth) =>
        new(name, type, description, [.. y.Dims], 0)
        {
            Kind = SummaryRowKind.Merge,
            ActivationBytes = (long)y.Length * sizeof(float),
            ReceptiveField = field.Size,
            Jump = field.Jump,
            Depth = depth,
        };

    // The block's parameters are counted on the module (a layer shared between branches counts once);
    // multiply-accumulates and activation memory are the sums of its sub-rows.
    private static SummaryRow BlockRow(Module block, string path, Tensor y, Field field, int depth, List<SummaryRow> children)
    {
        var (parameters, trainable) = CountParameters(block);
        return new SummaryRow(path.Length == 0 ? "model" : path, block.TypeName, block.Description, [.. y.Dims], parameters)
        {
            Kind = SummaryRowKind.Block,
            TrainableParameters = trainable,
            MultiplyAccumulates = children.Sum(c => c.MultiplyAccumulates),
            ActivationBytes = children.Sum(c => c.ActivationBytes),
            ReceptiveField = field.Size,
            Jump = field.Jump,
            Depth = depth,
            Children = children,
        };
    }

    private static Tensor Run(Module module, string path, Tensor x, Func<Tensor>? forward = null)
    {
        try
        {
            return forward is null ? module.Forward(x) : forward();
        }
        catch (ArgumentException e) when (e is not LayerInputException)
        {
            string name = path.Length == 0 ? "The model" : $"Layer {path}";
            throw new LayerInputException($"{name} ({module.TypeName}{(module.Description.Length > 0 ? ", " + module.Description : "")}) rejected its input of shape {Tensor.ShapeText(x.Dims)}: {e.Message}", e);
        }
    }

    // The costly layers (convolutions, linear) are not computed: their output shape follows from the sizes,
    // P = ⌊(H + pad_before + pad_after − d(R − 1) − 1)/s⌋ + 1 for a convolution, and a zero tensor of that shape goes on
    // (no layer's output shape depends on values); activations, batch norm, LRN and dropout pass their input on, as does a
    // residual addition. An input a layer would reject runs the layer itself, so the error is its own.
    private static Func<Tensor>? InferredForward(Module module, Tensor x)
    {
        switch (module)
        {
            case ConvNd c when c.PaddingMode == PaddingMode.Zeros && x.Rank == c.SpatialRank + 2 && x.Dims[1] == c.InChannels:
                var shape = new int[x.Rank];
                (shape[0], shape[1]) = (x.Dims[0], c.OutChannels);
                for (int i = 0; i < c.SpatialRank; i++)
                {
                    var (before, after) = c.Padding.Resolve(i, c.KernelSize, c.Dilation);
                    int span = x.Dims[2 + i] + before + after - c.Dilation * (c.KernelSize - 1) - 1;
                    if (before < 0 || after < 0 || span < 0) return null;
                    shape[2 + i] = span / c.Stride + 1;
                }
                return () => Tensor.Zeros(shape);
            case Linear l when x.Rank == 2 && x.Dims[1] == l.InFeatures:
                return () => Tensor.Zeros(x.Dims[0], l.OutFeatures);
            // Shape-preserving layers pass their (zero) input on: in evaluation mode they change values only.
            case ReLU or Tanh or Sigmoid or Dropout:
            case BatchNorm2d b when x.Rank == 4 && x.Dims[1] == b.NumFeatures:
            case LocalResponseNorm when x.Rank >= 3:
                return () => x;
            default:
                return null;
        }
    }

    private static (long Total, long Trainable) CountParameters(Module module)
    {
        long total = 0, trainable = 0;
        foreach (var p in module.Parameters().Distinct<Tensor>(ReferenceEqualityComparer.Instance))
        {
            total += p.Length;
            if (p.RequiresGrad) trainable += p.Length;
        }
        return (total, trainable);
    }

    private static long Product(ReadOnlySpan<int> dims)
    {
        long p = 1;
        foreach (int d in dims) p *= d;
        return p;
    }

    private static long Power(int b, int e)
    {
        long p = 1;
        for (int i = 0; i < e; i++) p *= b;
        return p;
    }

    // Shapes are for a batch of one: (1, C, spatial...) or (1, features).
    private static long MultiplyAccumulates(Module module, ReadOnlySpan<int> x, ReadOnlySpan<int> y) => module switch
    {
        ICostModel cost => cost.MultiplyAccumulates([.. x], [.. y]),
        ConvNd c => c.OutChannels * Product(y[2..]) * (c.InChannels / c.Groups) * Power(c.KernelSize, c.SpatialRank),
        ConvTransposeNd t => t.InChannels * Product(x[2..]) * (t.OutChannels / t.Groups) * Power(t.KernelSize, t.SpatialRank),
        LocallyConnected2d l => l.OutChannels * Product(y[2..]) * l.InChannels * Power(l.KernelSize, 2),
        LocallyConnected1d l => l.OutChannels * Product(y[2..]) * l.InChannels * l.KernelSize,
        TiledConv2d t => t.OutChannels * Product(y[2..]) * t.InChannels * Power(t.KernelSize, 2),
        TiledConv1d t => t.OutChannels * Product(y[2..]) * t.InChannels * t.KernelSize,
        Linear l => Product(y) / l.OutFeatures * l.InFeatures * l.OutFeatures,
        _ => 0,
    };

    /// <summary>The receptive field (size and jump per spatial axis) of the positions of a layer's output; null when unknown.</summary>
    private readonly record struct Field(double[]? Size, double[]? Jump)
    {
        public static Field AtInput(int spatialRank) =>
            new([.. Enumerable.Repeat(1.0, Math.Max(spatialRank, 0))], [.. Enumerable.Repeat(1.0, Math.Max(spatialRank, 0))]);

        private static Field Unknown => new(null, null);

        public static Field Widest(IReadOnlyList<Field> fields)
        {
            if (fields.Any(f => f.Size is null || f.Size.Length != fields[0].Size!.Length)) return Unknown;
            int n = fields[0].Size!.Length;
            return new([.. Enumerable.Range(0, n).Select(i => fields.Max(f => f.Size![i]))],
                [.. Enumerable.Range(0, n).Select(i => fields.Max(f => f.Jump![i]))]);
        }

        // x, y: the layer's input and output shapes (N, C, spatial...) or (N, features).
        public Field Through(Module module, ReadOnlySpan<int> x, ReadOnlySpan<int> y)
        {
            if (Size is null || Jump is null) return this;
            int rank = Size.Length;
            bool spatialIn = x.Length == rank + 2;
            if (!spatialIn) return this; // already collapsed (after flatten): positions no longer move
            var window = module switch
            {
                ICostModel cost => cost.Window,
                ConvNd c => new SpatialWindow(c.KernelSize, c.Stride, c.Dilation),
                LocallyConnected2d l => new SpatialWindow(l.KernelSize, l.Stride),
                LocallyConnected1d l => new SpatialWindow(l.KernelSize, l.Stride),
                TiledConv2d t => new SpatialWindow(t.KernelSize, t.Stride),
                TiledConv1d t => new SpatialWindow(t.KernelSize, t.Stride),
                MaxPoolLayer p => new SpatialWindow(p.KernelSize, p.Stride, p.Dilation),
                PoolLayer p => new SpatialWindow(p.KernelSize, p.Stride),
                LpPoolLayer p => new SpatialWindow(p.KernelSize, p.Stride),
                _ => (SpatialWindow?)null,
            };
            var size = (double[])Size.Clone();
            var jump = (double[])Jump.Clone();
            if (window is SpatialWindow w)
            {
                for (int i = 0; i < rank; i++)
                {
                    size[i] += (w.Kernel - 1) * w.Dilation * jump[i];
                    jump[i] *= w.Stride;
                }
                return new(size, jump);
            }
            if (y.Length != rank + 2)
            {
                // Flatten, global pooling: each output sees every input position.
                for (int i = 0; i < rank; i++)
                {
                    size[i] += (x[2 + i] - 1) * jump[i];
                    jump[i] *= x[2 + i];
                }
                return new(size, jump);
            }
            switch (module)
            {
                case AdaptivePoolLayer or GlobalAvgPool or GlobalMaxPool:
                    // Window o of an axis of n cells covers [⌊o·n/O⌋, ⌈(o+1)·n/O⌉): the widest sets the field.
                    for (int i = 0; i < rank; i++)
                    {
                        int n = x[2 + i], o = y[2 + i];
                        int widest = Enumerable.Range(0, o).Max(k => (int)Math.Ceiling((k + 1) * (double)n / o) - k * n / o);
                        size[i] += (widest - 1) * jump[i];
                        jump[i] *= (double)n / o;
                    }
                    return new(size, jump);
                case ConvTransposeNd t:
                    // Each output reads ⌈(d(k−1)+1)/s⌉ inputs; positions move by j/s.
                    for (int i = 0; i < rank; i++)
                    {
                        size[i] += (Math.Ceiling((t.Dilation * (t.KernelSize - 1) + 1) / (double)t.Stride) - 1) * jump[i];
                        jump[i] /= t.Stride;
                    }
                    return new(size, jump);
                case Upsample or MaxUnpoolLayer:
                    for (int i = 0; i < rank; i++) jump[i] *= (double)x[2 + i] / y[2 + i];
                    return new(size, jump);
                case PadNd:
                    return this; // padding shifts positions, it does not widen what they see
            }
            // Elementwise layers (activations, normalisation, dropout) keep the field; an unknown layer that
            // changes the spatial size leaves it unknown.
            return x[2..].SequenceEqual(y[2..]) ? this : Unknown;
        }
    }
}

/// <summary>One layer (or block, or the merge closing a block) of a <see cref="ModelSummary"/>.</summary>
/// <param name="Name">The layer's dotted path in the model, e.g. <c>3</c> or <c>2.1</c>; <c>model</c> when the model is a single layer; <c>….concat</c> or <c>….add</c> for a merge row.</param>
/// <param name="Type">The layer's <see cref="Module.TypeName"/>, e.g. <c>Conv2d</c>; <c>Concat</c> or <c>Add</c> for a merge row.</param>
/// <param name="Description">The layer's <see cref="Module.Description"/>, e.g. <c>1→6, 5×5, pad 2</c>.</param>
/// <param name="OutputShape">The layer's output shape for a batch of one.</param>
/// <param name="Parameters">Number of parameter elements in the layer, its descendants included (trainable and frozen; a shared one counts once).</param>
public sealed record SummaryRow(string Name, string Type, string Description, IReadOnlyList<int> OutputShape, long Parameters)
{
    /// <summary>Layer, block (totals of its <see cref="Children"/>) or merge.</summary>
    public SummaryRowKind Kind { get; init; } = SummaryRowKind.Layer;

    /// <summary>The parameter elements that require gradients; <see cref="Parameters"/> − this are frozen.</summary>
    public long TrainableParameters { get; init; }

    /// <summary>Frozen parameter elements: <see cref="Parameters"/> − <see cref="TrainableParameters"/>.</summary>
    public long FrozenParameters => Parameters - TrainableParameters;

    /// <summary>Multiply-accumulates for one example: K·P·Q·(C/G)·R·S for a convolution, in·out for a linear layer, 0 for layers without weighted sums; bias additions not counted.</summary>
    public long MultiplyAccumulates { get; init; }

    /// <summary>Bytes of the output for one example (elements × 4); for a block, the sum over its sub-rows.</summary>
    public long ActivationBytes { get; init; }

    /// <summary>Receptive field per spatial axis of one output position, in input pixels (r_out = r_in + (k − 1)·d·j_in); empty without spatial axes, null when a layer of unknown geometry changed the spatial size.</summary>
    public IReadOnlyList<double>? ReceptiveField { get; init; }

    /// <summary>Jump per spatial axis: input pixels between neighbouring output positions (j_out = j_in·s); same conventions as <see cref="ReceptiveField"/>.</summary>
    public IReadOnlyList<double>? Jump { get; init; }

    /// <summary>Nesting level: 0 for top-level rows, one more inside each <see cref="Branches"/> or <see cref="Residual"/> block.</summary>
    public int Depth { get; init; }

    /// <summary>A block's sub-rows: its branches' layers (or body then shortcut), then the merge; empty for other rows.</summary>
    public IReadOnlyList<SummaryRow> Children { get; init; } = [];
}

/// <summary>A model's layers with output shapes, parameters, costs and receptive fields, as a table. Made by <see cref="Summary.Summarize(Module, int[])"/>.</summary>
public sealed class ModelSummary
{
    internal ModelSummary(IReadOnlyList<SummaryRow> rows, IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape, long totalParameters, long trainableParameters,
        IReadOnlyList<double>? receptiveField, IReadOnlyList<double>? jump)
    {
        Rows = rows;
        InputShape = inputShape;
        OutputShape = outputShape;
        TotalParameters = totalParameters;
        TrainableParameters = trainableParameters;
        ReceptiveField = receptiveField;
        Jump = jump;
    }

    /// <summary>One row per top-level layer or block, in execution order; blocks hold their sub-rows in <see cref="SummaryRow.Children"/>.</summary>
    public IReadOnlyList<SummaryRow> Rows { get; }

    /// <summary>Every row, blocks followed by their sub-rows (depth first), as the text table lists them.</summary>
    public IEnumerable<SummaryRow> AllRows => Flatten(Rows);

    private static IEnumerable<SummaryRow> Flatten(IEnumerable<SummaryRow> rows)
    {
        foreach (var row in rows)
        {
            yield return row;
            foreach (var child in Flatten(row.Children)) yield return child;
        }
    }

    /// <summary>The layers only (no block or merge rows), in execution order.</summary>
    public IEnumerable<SummaryRow> Layers => AllRows.Where(r => r.Kind == SummaryRowKind.Layer);

    /// <summary>The input shape used, batch of one included, e.g. (1, 1, 28, 28).</summary>
    public IReadOnlyList<int> InputShape { get; }

    /// <summary>The model's output shape for that input, e.g. (1, 10).</summary>
    public IReadOnlyList<int> OutputShape { get; }

    /// <summary>Number of parameter elements; a parameter shared by several layers counts once. Includes layers that do not run in evaluation mode (auxiliary classifiers), which have no row.</summary>
    public long TotalParameters { get; }

    /// <summary>Number of parameter elements that require gradients (not frozen).</summary>
    public long TrainableParameters { get; }

    /// <summary>Number of frozen parameter elements: <see cref="TotalParameters"/> − <see cref="TrainableParameters"/>.</summary>
    public long NonTrainableParameters => TotalParameters - TrainableParameters;

    /// <summary>Multiply-accumulates of one forward pass of one example: the sum over the rows.</summary>
    public long TotalMultiplyAccumulates => Rows.Sum(r => r.MultiplyAccumulates);

    /// <summary>Bytes of all layer outputs for one example (float32): the sum over the rows.</summary>
    public long TotalActivationBytes => Rows.Sum(r => r.ActivationBytes);

    /// <summary>Receptive field per spatial axis of the model's output, in input pixels (see <see cref="SummaryRow.ReceptiveField"/>).</summary>
    public IReadOnlyList<double>? ReceptiveField { get; }

    /// <summary>Jump per spatial axis of the model's output (see <see cref="SummaryRow.Jump"/>).</summary>
    public IReadOnlyList<double>? Jump { get; }

    private static readonly string[] Headers = ["Layer", "Type", "Description", "Output shape", "Params", "Frozen", "MACs", "Memory", "RF", "Jump"];

    // Columns aligned to the right in text and Markdown.
    private static readonly bool[] Numeric = [false, false, false, false, true, true, true, true, true, true];

    private string[][] Cells() =>
        [.. AllRows.Select(r => new[]
        {
            new string(' ', 2 * r.Depth) + r.Name, r.Type, r.Description, Tensor.ShapeText([.. r.OutputShape]),
            Count(r.Parameters), Count(r.FrozenParameters), Metric(r.MultiplyAccumulates), Bytes(r.ActivationBytes),
            Field(r.ReceptiveField), Field(r.Jump),
        })];

    private static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>1,234 → "1.23 K", 1.82e9 → "1.82 G" (three significant digits); below 1000 the number itself.</summary>
    public static string Metric(long n)
    {
        if (n < 1000) return n.ToString(CultureInfo.InvariantCulture);
        string[] units = ["K", "M", "G", "T", "P"];
        double v = n;
        int u = -1;
        while (v >= 999.5 && u < units.Length - 1) { v /= 1000; u++; }
        return v.ToString(v >= 99.95 ? "F0" : v >= 9.995 ? "F1" : "F2", CultureInfo.InvariantCulture) + " " + units[u];
    }

    /// <summary>Bytes in binary units: 3136 → "3.06 KiB" (three significant digits).</summary>
    public static string Bytes(long n)
    {
        if (n < 1024) return n.ToString(CultureInfo.InvariantCulture) + " B";
        string[] units = ["KiB", "MiB", "GiB", "TiB"];
        double v = n;
        int u = -1;
        while (v >= 1023.5 && u < units.Length - 1) { v /= 1024; u++; }
        return v.ToString(v >= 99.95 ? "F0" : v >= 9.995 ? "F1" : "F2", CultureInfo.InvariantCulture) + " " + units[u];
    }

    /// <summary>"11" when every axis agrees, "11×7" otherwise, "-" without spatial axes, "?" when unknown; fractions to 3 significant digits.</summary>
    public static string Field(IReadOnlyList<double>? values)
    {
        if (values is null) return "?";
        if (values.Count == 0) return "-";
        static string One(double v) => v.ToString(v == Math.Round(v) ? "F0" : "G3", CultureInfo.InvariantCulture);
        return values.Distinct().Count() == 1 ? One(values[0]) : string.Join("×", values.Select(One));
    }

    private IEnumerable<string> Totals(string lineEnd)
    {
        yield return "Total parameters: " + Count(TotalParameters) + lineEnd;
        yield return "Trainable parameters: " + Count(TrainableParameters) + lineEnd;
        yield return "Non-trainable parameters: " + Count(NonTrainableParameters) + lineEnd;
        yield return $"Multiply-accumulates: {Count(TotalMultiplyAccumulates)} ({Metric(TotalMultiplyAccumulates)})" + lineEnd;
        yield return $"Activation memory: {Bytes(TotalActivationBytes)} per example" + lineEnd;
        yield return $"Receptive field: {Field(ReceptiveField)}, jump {Field(Jump)}";
    }

    /// <summary>The summary as an aligned plain-text table (sub-rows indented, numbers right-aligned) followed by the totals.</summary>
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
                sb.Append(Numeric[c] ? row[c].PadLeft(widths[c]) : row[c].PadRight(widths[c]));
            }
            sb.Append('\n');
        }
        Line(Headers);
        Line([.. widths.Select(w => new string('-', w))]);
        foreach (var row in cells) Line(row);
        foreach (var line in Totals("")) sb.Append(line).Append('\n');
        return sb.ToString();
    }

    /// <summary>The summary as a GitHub-flavoured Markdown table (sub-rows indented with non-breaking spaces) followed by the totals.</summary>
    public string ToMarkdown()
    {
        static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);
        var sb = new StringBuilder();
        sb.Append("Input: `").Append(Tensor.ShapeText([.. InputShape])).Append("`\n\n");
        sb.Append("| ").Append(string.Join(" | ", Headers)).Append(" |\n");
        sb.Append('|').Append(string.Join("|", Numeric.Select(n => n ? "---:" : "---"))).Append("|\n");
        foreach (var row in Cells())
        {
            int indent = row[0].Length - row[0].TrimStart(' ').Length;
            row[0] = string.Concat(Enumerable.Repeat("\u00A0", indent)) + row[0].TrimStart(' ');
            sb.Append("| ").Append(string.Join(" | ", row.Select(Escape))).Append(" |\n");
        }
        sb.Append('\n');
        sb.Append(string.Join("\n", Totals("  "))).Append('\n');
        return sb.ToString();
    }

    /// <summary>Same as <see cref="ToText"/>.</summary>
    public override string ToString() => ToText();
}
