// ParallelFor and its worker pool: every item runs exactly once whatever the thread count, concurrent callers
// and calls nested in a range are correct, and an exception in any range reaches the caller.
using Striate.Kernels.Parallel;

namespace Striate.Tests.Kernels.Parallel;

public unsafe class ParallelForTests
{
    private readonly struct CountBody(int* hits) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++) Interlocked.Increment(ref hits[i]);
        }
    }

    private readonly struct ThrowBody(int bad) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            if (bad >= start && bad < end) throw new InvalidOperationException($"item {bad}");
        }
    }

    private readonly struct NestedBody(int* hits, int inner) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++) ParallelFor.Run(inner, 3, new CountBody(hits + (long)i * inner));
        }
    }

    /// <summary>Each range runs a nested ParallelFor whose item `bad` throws (nested calls take the thread-pool path) and records what reached it.</summary>
    private readonly struct NestedThrowBody(int bad, Exception?[] caught) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            for (int i = start; i < end; i++)
            {
                try
                {
                    ParallelFor.Run(8, 4, new ThrowBody(bad));
                }
                catch (Exception e)
                {
                    caught[i] = e;
                }
            }
        }
    }

    private static int[] Count(int count, int threads, int minItems = 1)
    {
        var hits = new int[count];
        fixed (int* p = hits) ParallelFor.Run(count, threads, new CountBody(p), minItems);
        return hits;
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(2, 5)]
    [InlineData(1000, 2)]
    [InlineData(1001, 3)]
    [InlineData(64, 64)]
    [InlineData(5000, 8)]
    public void Run_EveryItemExactlyOnce(int count, int threads)
    {
        for (int repeat = 0; repeat < 20; repeat++) Assert.All(Count(count, threads), h => Assert.Equal(1, h));
    }

    [Fact]
    public void Run_MinItemsPerThread_StillCoversEveryItem()
    {
        Assert.All(Count(100, 4, minItems: 30), h => Assert.Equal(1, h));
        Assert.All(Count(10, 4, minItems: 1000), h => Assert.Equal(1, h));
    }

    [Fact]
    public void Run_ExceptionInAnyRange_ReachesTheCallerAfterTheOthersFinish()
    {
        for (int bad = 0; bad < 8; bad++)
        {
            var e = Assert.Throws<InvalidOperationException>(() => ParallelFor.Run(8, 4, new ThrowBody(bad)));
            Assert.Equal($"item {bad}", e.Message);
        }
        // The pool is usable after a failure.
        Assert.All(Count(999, 4), h => Assert.Equal(1, h));
    }

    [Fact]
    public void Run_ExceptionOnTheThreadPoolPath_ReachesTheCallerAsItself()
    {
        // A call nested in a worker range cannot use the workers and runs on the thread pool, whose Parallel.For wraps
        // failures in an AggregateException; the caller must see the range's own exception either way (a test run beside
        // other tests once got the wrapper from the outer call, when another thread held the workers).
        var caught = new Exception?[2];
        ParallelFor.Run(2, 2, new NestedThrowBody(5, caught));
        Assert.All(caught, e =>
        {
            var ex = Assert.IsType<InvalidOperationException>(e);
            Assert.Equal("item 5", ex.Message);
        });
    }

    [Fact]
    public void Run_NestedInARange_RunsEveryInnerItemOnce()
    {
        const int outer = 12, inner = 37;
        var hits = new int[outer * inner];
        fixed (int* p = hits) ParallelFor.Run(outer, 4, new NestedBody(p, inner));
        Assert.All(hits, h => Assert.Equal(1, h));
    }

    [Fact]
    public void Run_FromManyThreadsAtOnce_EachCallCorrect()
    {
        var tasks = Enumerable.Range(0, 8).Select(t => new Func<bool>(() =>
        {
            for (int repeat = 0; repeat < 200; repeat++)
            {
                int count = 1 + (t * 131 + repeat * 17) % 500;
                var hits = Count(count, 1 + (t + repeat) % 4);
                if (hits.Any(h => h != 1)) return false;
            }
            return true;
        })).ToArray();
        bool[] results = new bool[tasks.Length];
        var threads = tasks.Select((work, i) => new Thread(() => results[i] = work())).ToArray();
        foreach (var thread in threads) thread.Start();
        foreach (var thread in threads) thread.Join();
        Assert.All(results, Assert.True);
    }
}
