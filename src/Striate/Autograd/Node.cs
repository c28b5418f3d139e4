// The autograd graph: each recorded op is a Node holding its inputs and whatever its backward
// needs. Backward receives dL/d(output) and accumulates (+=) dL/d(input) into each input's
// gradient buffer, so tensors used twice (residual branches) just work.
namespace Striate.Autograd;

/// <summary>
/// One recorded op: forward lives in the op's static <c>Forward</c> method beside this node, and
/// <see cref="Backward"/> differentiates it. Subclasses save exactly what backward needs.
/// </summary>
public abstract class Node
{
    private readonly Tensor[] _inputs;

    /// <summary>Records the tensors this op read.</summary>
    protected Node(params Tensor[] inputs) => _inputs = inputs;

    /// <summary>The op's inputs, in the order the op took them.</summary>
    public IReadOnlyList<Tensor> Inputs => _inputs;

    /// <summary>The op's name, as shown in error messages and graph dumps.</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Accumulates dL/d(input) into each input's gradient for the given dL/d(output).
    /// </summary>
    /// <param name="output">The tensor this node produced (shape of <paramref name="gradOutput"/>).</param>
    /// <param name="gradOutput">dL/d(output), same length as <paramref name="output"/>.</param>
    protected internal abstract void Backward(Tensor output, ReadOnlySpan<float> gradOutput);

    /// <summary>The gradient buffer of input <paramref name="i"/> to accumulate into, or an empty span when it needs none.</summary>
    protected Span<float> GradOf(int i) => _inputs[i].RequiresGrad ? _inputs[i].GradBuffer() : default;

    /// <summary>Whether input <paramref name="i"/> needs a gradient.</summary>
    protected bool NeedsGrad(int i) => _inputs[i].RequiresGrad;

    /// <summary>True when autograd is recording and any input requires a gradient.</summary>
    internal static bool ShouldRecord(Tensor a) => GradMode.IsEnabled && a.RequiresGrad;

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    internal static bool ShouldRecord(Tensor a, Tensor b) => GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad);

    /// <inheritdoc cref="ShouldRecord(Tensor)"/>
    internal static bool ShouldRecord(Tensor a, Tensor b, Tensor? c) =>
        GradMode.IsEnabled && (a.RequiresGrad || b.RequiresGrad || (c?.RequiresGrad ?? false));
}
