// The backward pass: topological order of the recorded graph, then each node's Backward in
// reverse. Leaves keep their accumulated Grad; intermediate gradients are dropped once used.
using Striate.Autograd;

namespace Striate;

public sealed partial class Tensor
{
    /// <summary>
    /// Computes d(this)/d(leaf) for every leaf that requires a gradient and adds it to the leaf's <see cref="Grad"/>.
    /// </summary>
    /// <param name="gradient">dL/d(this); may be omitted for a one-element tensor (taken as 1).</param>
    /// <exception cref="InvalidOperationException">This tensor does not require a gradient, or it has more than one element and no <paramref name="gradient"/> was given.</exception>
    /// <exception cref="ArgumentException"><paramref name="gradient"/> has a different number of elements.</exception>
    public void Backward(Tensor? gradient = null)
    {
        if (!RequiresGrad)
            throw new InvalidOperationException("Backward() was called on a tensor that does not require a gradient: no input had RequiresGrad set, or it was computed under GradMode.NoGrad().");
        if (gradient is null && Length != 1)
            throw new InvalidOperationException($"Backward() without a gradient needs a one-element tensor (a loss); this one has shape {ShapeText(_shape)}.");
        if (gradient is not null && gradient.Length != Length)
            throw new ArgumentException($"The gradient has shape {ShapeText(gradient._shape)} but the tensor has shape {ShapeText(_shape)}.", nameof(gradient));

        // The traversal's collections are reused across calls (a training step should not allocate); taken while in use,
        // so a backward pass started from inside another one gets its own.
        var walk = t_walk ?? new GraphWalk();
        t_walk = null;
        var order = walk.TopologicalOrder(this);
        var seed = GradBuffer();
        if (gradient is null) seed[0] += 1f;
        else for (int i = 0; i < seed.Length; i++) seed[i] += gradient.Data[i];

        try
        {
            using (GradMode.NoGrad())
            {
                for (int i = order.Count - 1; i >= 0; i--)
                {
                    var t = order[i];
                    if (t.GradFn is null || !t.HasPendingGrad) continue;
                    t.GradFn.Backward(t, t.GradBuffer());
                    t.ReleasePendingGrad(); // intermediate: used once, then back to the pool
                }
            }
        }
        finally
        {
            // After an exception, no half-accumulated gradient may leak into the next pass.
            foreach (var t in order) t.ReleasePendingGrad();
            walk.Clear();
            t_walk = walk;
        }
    }

    [ThreadStatic] private static GraphWalk? t_walk;

    /// <summary>The collections of one topological sort of the recorded graph.</summary>
    private sealed class GraphWalk
    {
        private readonly List<Tensor> _order = [];
        private readonly HashSet<Tensor> _visited = new(ReferenceEqualityComparer.Instance);
        private readonly Stack<(Tensor Tensor, int NextInput)> _stack = new();

        /// <summary>Every tensor <paramref name="root"/> depends on through tensors that require gradients, inputs before users.</summary>
        public List<Tensor> TopologicalOrder(Tensor root)
        {
            _stack.Push((root, 0));
            _visited.Add(root);
            while (_stack.Count > 0)
            {
                var (t, next) = _stack.Pop();
                var inputs = t.GradFn?.Inputs;
                if (inputs is not null && next < inputs.Count)
                {
                    _stack.Push((t, next + 1));
                    var child = inputs[next];
                    if (child.RequiresGrad && _visited.Add(child)) _stack.Push((child, 0));
                }
                else
                {
                    _order.Add(t);
                }
            }
            return _order;
        }

        /// <summary>Forgets the last walk (the tensors may be collected).</summary>
        public void Clear()
        {
            _order.Clear();
            _visited.Clear();
            _stack.Clear();
        }
    }
}
