// The one process-wide knob: how many threads kernels may use. It changes speed only, never
// numerics — every kernel partitions work so each output element is computed by one thread
// in a fixed order (tests check 1 thread against 2 bit for bit).
namespace Striate;

/// <summary>Process-wide compute settings.</summary>
public static class Compute
{
    private static int s_threads = Environment.ProcessorCount;

    /// <summary>
    /// Upper bound on the threads any kernel uses (the CLI's <c>--threads</c>). Defaults to the
    /// processor count. Results are bit-identical for every value.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Less than 1.</exception>
    public static int Threads
    {
        get => Volatile.Read(ref s_threads);
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            Volatile.Write(ref s_threads, value);
        }
    }
}
