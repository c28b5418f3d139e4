// Work splitting for kernels: a struct body (no delegate per element, no virtual call in the
// inner loop) is invoked once per contiguous range of work items. The partition of the work
// items never changes what a single item computes, so results are bit-identical whatever the
// thread count: kernels must make every output element the work of exactly one item.
namespace Striate.Kernels.Parallel;

/// <summary>A range of work items handed to one thread. Implemented by kernel bodies as structs.</summary>
public interface IParallelBody
{
    /// <summary>Runs work items <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    void Invoke(int start, int end);
}

/// <summary>Runs a struct body over <c>[0, count)</c> on at most <c>threads</c> threads.</summary>
public static class ParallelFor
{
    /// <summary>
    /// Splits <c>[0, count)</c> into at most <paramref name="threads"/> contiguous ranges of at least
    /// <paramref name="minItemsPerThread"/> items and runs <paramref name="body"/> on each: on the calling thread and
    /// the kernel workers (WorkerPool), whoever is free first, or on the thread pool when the workers are busy with
    /// another thread's call. An exception in a range is rethrown here after every range has finished.
    /// </summary>
    /// <param name="count">Number of work items.</param>
    /// <param name="threads">Upper bound on threads (1 runs everything inline).</param>
    /// <param name="body">The work; copied per range, so it must hold only read-only state or pointers.</param>
    /// <param name="minItemsPerThread">Smallest range worth a thread.</param>
    public static void Run<TBody>(int count, int threads, TBody body, int minItemsPerThread = 1)
        where TBody : struct, IParallelBody
    {
        if (count <= 0) return;
        int ranges = Math.Min(Math.Max(threads, 1), Math.Max(1, count / Math.Max(minItemsPerThread, 1)));
        if (ranges <= 1)
        {
            body.Invoke(0, count);
            return;
        }
        if (WorkerPool.TryRun(body, count, ranges)) return;
        // The kernel workers are busy with another thread's region (or this call comes from inside one): the thread pool.
        // Its AggregateException is unwrapped, so a failing range surfaces as the same exception on either path.
        var state = new RangeRunner<TBody>(body, count, ranges);
        try
        {
            System.Threading.Tasks.Parallel.For(0, ranges, new ParallelOptions { MaxDegreeOfParallelism = ranges }, state.Run);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
    }

    private sealed class RangeRunner<TBody>(TBody body, int count, int ranges) where TBody : struct, IParallelBody
    {
        public void Run(int r)
        {
            long start = (long)count * r / ranges;
            long end = (long)count * (r + 1) / ranges;
            var local = body;
            local.Invoke((int)start, (int)end);
        }
    }
}
