// Modified backward passes through ReLU that give sharper pictures than the plain gradient:
//   forward (all three):  y = max(x, 0)
//   gradient:             dx = [x > 0] · dy
//   deconvnet (Zeiler & Fergus 2014):        dx = max(dy, 0)              (the "reconstruction" is rectified)
//   guided backprop (Springenberg et al. 2015): dx = [x > 0] · max(dy, 0)   (both masks)
// Every other layer backpropagates as usual; the result is the (C, H, W) "gradient" of the class
// score with respect to the image under the chosen rule.
using Striate.Autograd;
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>How <see cref="GuidedBackprop.Compute"/> passes gradients back through ReLU layers.</summary>
public enum ReluBackwardRule
{
    /// <summary>The true gradient: dx = [x &gt; 0]·dy.</summary>
    Gradient,
    /// <summary>Zeiler and Fergus's deconvnet: dx = max(dy, 0).</summary>
    Deconvnet,
    /// <summary>Guided backpropagation: dx = [x &gt; 0]·max(dy, 0).</summary>
    Guided,
}

/// <summary>Guided backpropagation and deconvnet visualisations of a class score.</summary>
public static class GuidedBackprop
{
    /// <summary>
    /// Backpropagates the class score S_c to the image with <paramref name="rule"/> applied at every
    /// <see cref="ReLU"/> layer of the model (including those in nested <see cref="Sequential"/>s; ReLUs
    /// inside other modules keep their true gradient), in evaluation mode; the model's modes and
    /// parameter gradients are left as they were.
    /// </summary>
    /// <param name="model">A classifier mapping (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="image">(C, H, W) or (1, C, H, W).</param>
    /// <param name="classIndex">The class c.</param>
    /// <param name="rule">The ReLU backward rule.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentException">The image is not (C, H, W) or (1, C, H, W) (<c>image</c>), the output is not (1, classes) (<c>model</c>), or a layer rejects its input.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="classIndex"/> is not a class.</exception>
    public static Tensor Compute(Module model, Tensor image, int classIndex, ReluBackwardRule rule = ReluBackwardRule.Guided)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(rule)) throw new ArgumentException($"{rule} is not a ReLU backward rule.", nameof(rule));
        var x = Saliency.AsBatchOfOne(image);
        var parameters = model.Parameters().ToList();
        var savedGrads = parameters.Select(p => p.Grad).ToList();
        try
        {
            using var mode = EvalScope.Enter(model);
            x.RequiresGrad = true;
            var scores = Run(model, x, rule);
            int classes = Saliency.CheckScores(scores, model);
            ArgumentOutOfRangeException.ThrowIfNegative(classIndex);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(classIndex, classes);
            var upstream = Tensor.Zeros(1, classes);
            upstream.AsSpan()[classIndex] = 1f;
            scores.Backward(upstream);
        }
        finally
        {
            for (int i = 0; i < parameters.Count; i++) parameters[i].Grad = savedGrads[i];
        }
        return (x.Grad ?? x.ZerosLike()).Reshape([.. x.Dims[1..]]);
    }

    private static Tensor Run(Module module, Tensor x, ReluBackwardRule rule) => module switch
    {
        ReLU => GuidedReluNode.Forward(x, rule),
        Sequential s => s.Layers.Aggregate(x, (h, layer) => Run(layer, h, rule)),
        _ => module.Forward(x),
    };
}

/// <summary>ReLU whose backward follows a <see cref="ReluBackwardRule"/>.</summary>
internal sealed class GuidedReluNode(Tensor x, ReluBackwardRule rule) : Node(x)
{
    public override string Name => "Relu" + rule;

    public static Tensor Forward(Tensor x, ReluBackwardRule rule)
    {
        var y = Functional.Relu(x.Detach()); // computed off the graph, then recorded with this node's backward
        if (ShouldRecord(x)) y.SetGradFn(new GuidedReluNode(x, rule));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        ReadOnlySpan<float> x = Inputs[0].Data;
        for (int i = 0; i < dx.Length; i++)
        {
            float g = gradOutput[i];
            dx[i] += rule switch
            {
                ReluBackwardRule.Gradient => x[i] > 0 ? g : 0f,              // y = max(x, 0)
                ReluBackwardRule.Deconvnet => Math.Max(g, 0f),
                _ => x[i] > 0 ? Math.Max(g, 0f) : 0f,
            };
        }
    }
}
