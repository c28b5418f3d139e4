// Reuse of dead activations when no autograd graph is recorded (evaluation and inference), the
// counterpart of the training step's TensorArena. PyTorch frees an activation the moment its last
// reference goes and its caching allocator hands the same, still cached, block to the next op; a
// garbage-collected tensor instead dies at some later collection, so every forward pass wrote its
// activations into fresh memory (35 MB per ResNet-18 image) and the first calls paid page faults.
//
// Who gives arrays back: the library's containers, which know when an intermediate result is dead.
// Sequential gives back the output of layer i once layer i + 1 has returned, Residual its branch
// outputs once they are summed. An array is given back only when all of this holds:
//   * gradient recording is off (GradMode.NoGrad): no autograd node anywhere can have saved it;
//   * the tensor is an op output (made by Tensor.Uninitialized), so never a parameter, a buffer or
//     a user's tensor, and it is not part of an autograd graph (no GradFn, RequiresGrad false);
//   * it is not the container's input and shares no storage with it or with the next result (views);
//   * the module that produced it and the one that read it are Striate's own layers all the way down
//     (ModuleTrust.HoldsNoActivations): a user's module might keep a reference, so around one nothing
//     is reused. Libraries' modules that keep activations (auxiliary classifier outputs) opt out.
// Who takes them: Tensor.Uninitialized, when no training arena is active, takes a free array of the
// exact length. Free lists are per thread (no locks) and aged by forward passes: each outermost
// Sequential call starts a pass; an array not reused during the pass after the one that freed it is
// dropped to the garbage collector, so at most two passes' worth of dead activations (capped at
// MaxRetainedElements floats) outlive their use.
namespace Striate;

/// <summary>Per-thread free lists of dead op outputs, reused by later op outputs of the same length (see the file header).</summary>
internal static class InferenceBuffers
{
    // 512 MiB per thread at most: ResNet-18 at batch 16 frees about 150 MB of activations per pass.
    private const long MaxRetainedElements = 1L << 27;

    [ThreadStatic] private static Pool? t_pool;
    [ThreadStatic] private static int t_passDepth;

    /// <summary>A free array of exactly <paramref name="count"/> floats from this thread's lists, or null.</summary>
    public static float[]? TryTake(int count) => t_pool?.TryTake(count);

    /// <summary>
    /// Gives <paramref name="dead"/>'s storage back if gradient recording is off and it is an op output that shares storage
    /// with neither <paramref name="input"/> nor <paramref name="next"/>; the caller vouches that nothing reads it any more.
    /// </summary>
    public static void GiveIfDead(Tensor dead, Tensor input, Tensor next)
    {
        if (Autograd.GradMode.IsEnabled || !dead.IsOpOutput || dead.GradFn is not null || dead.RequiresGrad || TensorArena.Active is not null) return;
        if (ReferenceEquals(dead.Data, input.Data) || ReferenceEquals(dead.Data, next.Data)) return;
        (t_pool ??= new Pool()).Give(dead.Data);
    }

    /// <summary>Enters a container's forward; the outermost one on the thread ages the free lists. Dispose to leave.</summary>
    public static PassScope EnterPass()
    {
        if (t_passDepth++ == 0) t_pool?.Age();
        return default;
    }

    /// <summary>Leaves the pass entered by <see cref="EnterPass"/>.</summary>
    public readonly struct PassScope : IDisposable
    {
        /// <inheritdoc/>
        public void Dispose() => t_passDepth--;
    }

    private sealed class Pool
    {
        private FreeLists<float> _current = new(), _previous = new();

        public float[]? TryTake(int count) => _current.TryTake(count) ?? _previous.TryTake(count);

        public void Give(float[] array)
        {
            if (_current.Elements + _previous.Elements + array.Length <= MaxRetainedElements) _current.Add(array);
        }

        /// <summary>A new pass: arrays left from the pass before the last one go to the garbage collector.</summary>
        public void Age()
        {
            (_previous, _current) = (_current, _previous);
            _current.Clear();
        }
    }
}
