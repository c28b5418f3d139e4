// Whether ops are recorded for autograd. Per thread: inference on one thread does not switch
// recording off for a training loop on another.
namespace Striate.Autograd;

/// <summary>Switches gradient recording off for a scope: <c>using (GradMode.NoGrad()) { ... }</c>.</summary>
public static class GradMode
{
    [ThreadStatic] private static int t_noGradDepth;

    /// <summary>Whether ops on this thread are being recorded.</summary>
    public static bool IsEnabled => t_noGradDepth == 0;

    /// <summary>Stops recording on this thread until the returned scope is disposed. Scopes nest.</summary>
    public static NoGradScope NoGrad()
    {
        t_noGradDepth++;
        return new NoGradScope(Environment.CurrentManagedThreadId);
    }

    /// <summary>The scope returned by <see cref="NoGrad"/>; disposing it restores recording.</summary>
    public readonly struct NoGradScope : IDisposable
    {
        private readonly int _threadId;

        internal NoGradScope(int threadId) => _threadId = threadId;

        /// <summary>Ends the scope.</summary>
        /// <exception cref="InvalidOperationException">Disposed on another thread than the one that opened it.</exception>
        public void Dispose()
        {
            if (_threadId == 0) return;
            if (_threadId != Environment.CurrentManagedThreadId)
                throw new InvalidOperationException("A NoGrad scope must be disposed on the thread that opened it.");
            t_noGradDepth--;
        }
    }
}
