// Compute.Threads and its scoped form: a scope changes the budget for its own flow of execution only,
// nests, restores on dispose, and leaves the process-wide value and other threads alone.
namespace Striate.Tests;

public class ComputeTests
{
    [Fact]
    public void UseThreads_HoldsInsideTheScope_AndRestoresTheOuterValue()
    {
        int outside = Compute.Threads;
        using (Compute.UseThreads(3))
        {
            Assert.Equal(3, Compute.Threads);
            using (Compute.UseThreads(7)) Assert.Equal(7, Compute.Threads);
            Assert.Equal(3, Compute.Threads);
        }
        Assert.Equal(outside, Compute.Threads);
    }

    [Fact]
    public async Task UseThreads_FlowsIntoTasksStartedInside_ButNotToOtherThreads()
    {
        int global = Compute.Threads, scoped = global + 1, seenByOtherThread = 0;
        using var started = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            started.Set();
            release.Wait();
            seenByOtherThread = Compute.Threads;
        });
        other.Start(); // started before the scope: it does not inherit it
        started.Wait();
        using (Compute.UseThreads(scoped))
        {
            Assert.Equal(scoped, await Task.Run(() => Compute.Threads));
            release.Set();
            other.Join();
        }
        Assert.Equal(global, seenByOtherThread);
    }

    [Fact]
    public void UseThreads_BelowOne_Throws()
    {
        Assert.Equal("threads", Assert.Throws<ArgumentOutOfRangeException>(() => Compute.UseThreads(0)).ParamName);
    }
}
