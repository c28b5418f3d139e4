// The one process-wide knob: how many threads kernels may use. It changes speed only, never
// numerics — every kernel partitions work so each output element is computed by one thread
// in a fixed order (tests check 1 thread against 2 bit for bit).
//
// Besides the process-wide value there is a scoped one (Compute.UseThreads): it holds for the
// calling flow of execution only (an AsyncLocal), so code that runs next to other work in the
// same process — a test beside other tests, a library call inside a host application — can
// choose its own budget without changing anyone else's.
namespace Striate;

/// <summary>Process-wide compute settings.</summary>
public static class Compute
{
    private static int s_threads = Environment.ProcessorCount;
    private static readonly AsyncLocal<int> s_scopedThreads = new();

    /// <summary>
    /// Upper bound on the threads any kernel uses (the CLI's <c>--threads</c>). Defaults to the
    /// processor count. Results are bit-identical for every value. Reading it inside a
    /// <see cref="UseThreads"/> scope gives the scope's value; setting it changes the
    /// process-wide value, which code outside any scope sees.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public static int Threads
    {
        get
        {
            int scoped = s_scopedThreads.Value;
            return scoped > 0 ? scoped : Volatile.Read(ref s_threads);
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_threads, value);
        }
    }

    /// <summary>
    /// Uses <paramref name="threads"/> threads for kernels started from the current flow of
    /// execution (this thread and the tasks it starts) until the returned scope is disposed;
    /// other threads keep the process-wide <see cref="Threads"/>. Scopes nest.
    /// </summary>
    /// <example><code>using (Compute.UseThreads(1)) model.Forward(x);</code></example>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public static ThreadsScope UseThreads(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        int previous = s_scopedThreads.Value;
        s_scopedThreads.Value = threads;
        return new ThreadsScope(previous);
    }

    /// <summary>The scope <see cref="UseThreads"/> returns; disposing it restores the previous budget.</summary>
    public readonly struct ThreadsScope : IDisposable
    {
        private readonly int _previous;

        internal ThreadsScope(int previous) => _previous = previous;

        /// <summary>Restores the budget that held before the scope began.</summary>
        public void Dispose() => s_scopedThreads.Value = _previous;
    }
}
