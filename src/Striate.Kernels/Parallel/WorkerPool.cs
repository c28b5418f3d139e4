// The kernels' own worker threads: a parallel region costs a store and, at most, one wake-up, where the
// thread pool's Parallel.For costs a task, a replicator, closures and a wake-up on every call. A LeNet-5
// training step runs about forty regions, a ResNet-18 batch-1 forward about a hundred, each only tens of
// microseconds long, so that overhead was a visible share of them.
//
// Protocol. One submitter at a time (a lock; a second submitter, or a call from inside a range, falls back
// to ParallelFor's thread-pool path). The submitter stores the job, then publishes
// claim = (generation << 32 | ranges << 16 | next range) with a full fence and wakes the workers that sleep. Each
// participant (the submitter included) claims ranges by compare-and-swap on claim, so ranges go to
// whoever is free first (a worker that wakes late finds none left), and a claim is valid only for the
// generation it was read under, so a late worker can never run a range of the next job. The submitter
// waits until every claimed range has finished before it returns, so the job's state (the body and its
// pointers) outlives every use. Workers spin for a short while after a job before they sleep, since
// kernels' regions come in quick succession.
//
// Results: which thread runs a range never changes what the range computes (ParallelFor's contract), so
// this is purely a matter of speed.
using System.Diagnostics;

namespace Striate.Kernels.Parallel;

/// <summary>Dedicated worker threads for <see cref="ParallelFor"/>.</summary>
internal static class WorkerPool
{
    // The most workers the pool starts (a request for more threads uses the thread pool).
    private const int MaxWorkers = 63;

    // How long a worker keeps polling for the next job before it sleeps: 100 µs, or STRIATE_WORKER_SPIN_US microseconds
    // (0: sleep at once, for machines shared with other busy processes; like OpenMP's wait policy).
    private static readonly long SpinTicks = Stopwatch.Frequency * SpinMicroseconds() / 1_000_000;

    private static long SpinMicroseconds() =>
        long.TryParse(Environment.GetEnvironmentVariable("STRIATE_WORKER_SPIN_US"), out long us) && us >= 0 ? Math.Min(us, 1_000_000) : 100;

    private static readonly object s_submit = new();
    private static readonly List<Worker> s_workers = [];
    private static Job? s_job;
    private static long s_claim; // generation << 32 | ranges << 16 | next unclaimed range
    private static int s_unfinished;

    [ThreadStatic]
    private static bool t_inside;

    /// <summary>
    /// Runs ranges 0 .. <paramref name="ranges"/> − 1 of <paramref name="body"/> on the calling thread and up to
    /// <paramref name="ranges"/> − 1 workers, and returns once all have finished; false (nothing run) when the pool is
    /// busy with another submitter, when called from inside a range, or when more workers would be needed than it has.
    /// </summary>
    public static bool TryRun<TBody>(TBody body, int count, int ranges) where TBody : struct, IParallelBody
    {
        if (t_inside || ranges - 1 > MaxWorkers || !Monitor.TryEnter(s_submit)) return false;
        try
        {
            EnsureWorkers(ranges - 1);
            var job = Job<TBody>.Cached ??= new Job<TBody>();
            job.Set(body, count, ranges);
            s_job = job;
            Volatile.Write(ref s_unfinished, ranges);
            long generation = (Volatile.Read(ref s_claim) >> 32) + 1;
            Interlocked.Exchange(ref s_claim, generation << 32 | (long)ranges << 16); // full fence: the job is visible before the claim
            for (int i = 0; i < ranges - 1; i++) s_workers[i].Wake();
            t_inside = true;
            try
            {
                Participate(job, generation);
            }
            finally
            {
                t_inside = false;
            }
            var spin = new SpinWait();
            while (Volatile.Read(ref s_unfinished) != 0) spin.SpinOnce(sleep1Threshold: -1);
            var error = job.TakeError();
            job.Clear();
            s_job = null;
            if (error is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            return true;
        }
        finally
        {
            Monitor.Exit(s_submit);
        }
    }

    /// <summary>Claims and runs ranges of the job of <paramref name="generation"/> until none is left.</summary>
    private static void Participate(Job job, long generation)
    {
        while (true)
        {
            long claim = Volatile.Read(ref s_claim);
            // The range count travels in the claim word: a job object is reused, so its own count may already be the
            // next job's when a late worker looks.
            if (claim >> 32 != generation) return;
            int next = (int)(claim & 0xFFFF), ranges = (int)((claim >> 16) & 0xFFFF);
            if (next >= ranges) return;
            if (Interlocked.CompareExchange(ref s_claim, claim + 1, claim) != claim) continue;
            job.RunRange(next);
            Interlocked.Decrement(ref s_unfinished);
        }
    }

    private static void EnsureWorkers(int needed)
    {
        while (s_workers.Count < needed) s_workers.Add(new Worker(s_workers.Count));
    }

    private abstract class Job
    {
        public int Ranges { get; protected set; }

        public abstract void RunRange(int range);

        public abstract Exception? TakeError();

        public abstract void Clear();
    }

    private sealed class Job<TBody> : Job where TBody : struct, IParallelBody
    {
        // One job object per body type, reused: only the submitter (under the lock) sets it.
        public static Job<TBody>? Cached;

        private TBody _body;
        private int _count;
        private Exception? _error;

        public void Set(TBody body, int count, int ranges)
        {
            _body = body;
            _count = count;
            Ranges = ranges;
            _error = null;
        }

        public override void RunRange(int range)
        {
            long start = (long)_count * range / Ranges;
            long end = (long)_count * (range + 1) / Ranges;
            try
            {
                var local = _body;
                local.Invoke((int)start, (int)end);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }
        }

        public override Exception? TakeError() => _error;

        public override void Clear()
        {
            _body = default;
            _error = null;
        }
    }

    private sealed class Worker
    {
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private int _sleeping;

        public Worker(int index)
        {
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Striate kernel worker {index + 1}" };
            thread.Start();
        }

        public void Wake()
        {
            if (Volatile.Read(ref _sleeping) == 1) _wake.Set();
        }

        private void Loop()
        {
            t_inside = true; // a kernel a range calls runs inline on this worker
            long seen = 0;
            while (true)
            {
                long generation = WaitForJob(seen);
                seen = generation;
                if (s_job is { } job) Participate(job, generation);
            }
        }

        /// <summary>Polls for a generation after <paramref name="seen"/>, then sleeps until woken.</summary>
        private long WaitForJob(long seen)
        {
            long deadline = Stopwatch.GetTimestamp() + SpinTicks;
            while (true)
            {
                long generation = Volatile.Read(ref s_claim) >> 32;
                if (generation != seen) return generation;
                if (Stopwatch.GetTimestamp() < deadline)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                _wake.Reset();
                Interlocked.Exchange(ref _sleeping, 1); // full fence, then look again: a job published now is seen
                generation = Volatile.Read(ref s_claim) >> 32;
                if (generation == seen) _wake.Wait();
                Volatile.Write(ref _sleeping, 0);
                deadline = Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
