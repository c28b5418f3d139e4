// striate train --profile-pipeline: what the data pipeline costs next to the training steps, for the
// model, batch size, data and augmentation the same options would train. Nothing is saved.
//
//   pipeline alone     every batch of an epoch built (shuffle, copy, augmentation) and dropped
//   steps alone        as many training steps, cycling through 16 batches built beforehand (so the live
//                      heap stays as small as in training)
//   prefetched epoch   both, with the background prefetch (depth 2) that striate train uses
//
// Each is timed in wall-clock and in CPU seconds of the whole process (Process.TotalProcessorTime): on a
// shared machine the CPU time is what the work costs, the wall time mostly what the neighbours do. After a
// warm-up of up to 300 steps (JIT tiers, workspaces), the three are measured `rounds` times and the
// medians reported.
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Striate.Data;
using Striate.Layers;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>The <c>train --profile-pipeline</c> measurement.</summary>
public static class TrainPipelineProfile
{
    /// <summary>Wall-clock and CPU seconds of one measured part.</summary>
    /// <param name="Wall">Elapsed seconds.</param>
    /// <param name="Cpu">CPU seconds of the process, all threads.</param>
    public readonly record struct Cost(double Wall, double Cpu);

    /// <summary>The medians over the rounds.</summary>
    /// <param name="Batches">Batches per epoch.</param>
    /// <param name="Pipeline">Building the epoch's batches alone.</param>
    /// <param name="Steps">The epoch's training steps alone.</param>
    /// <param name="Prefetched">The epoch with prefetch, as <c>striate train</c> runs it.</param>
    public sealed record Result(int Batches, Cost Pipeline, Cost Steps, Cost Prefetched)
    {
        /// <summary>Pipeline CPU time / step CPU time.</summary>
        public double CpuShare => Pipeline.Cpu / Math.Max(Steps.Cpu, 1e-9);

        /// <summary>Pipeline wall time / step wall time.</summary>
        public double WallShare => Pipeline.Wall / Math.Max(Steps.Wall, 1e-9);
    }

    /// <summary>Measures <paramref name="loader"/>'s pipeline and <paramref name="model"/>'s steps (see the file header).</summary>
    /// <param name="model">The network; it is trained by the measurement (its weights change).</param>
    /// <param name="loader">The training loader, with its transform if any.</param>
    /// <param name="optimizer">Makes a fresh optimizer for the model; called once per measured training pass.</param>
    /// <param name="rounds">Measurements whose medians are reported, at least 1.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rounds"/> is below 1.</exception>
    public static Result Measure(Module model, DataLoader loader, Func<Module, Optimizer> optimizer, int rounds = 3)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loader);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        int batches = loader.BatchCount;
        int warmup = Math.Min(300, batches);
        Trainer.TrainEpoch(model, loader.Epoch().Take(warmup), warmup, optimizer(model));

        var pipeline = new List<Cost>();
        var steps = new List<Cost>();
        var prefetched = new List<Cost>();
        for (int r = 0; r < rounds; r++)
        {
            var kept = new List<Batch>(16);
            pipeline.Add(Time(() =>
            {
                foreach (var b in loader.Epoch())
                    if (kept.Count < 16) kept.Add(b);
            }));
            steps.Add(Time(() => Trainer.TrainEpoch(model, Enumerable.Range(0, batches).Select(i => kept[i % kept.Count]), batches, optimizer(model))));
            kept.Clear();
            prefetched.Add(Time(() => Trainer.TrainEpoch(model, loader.PrefetchedEpoch(depth: 2), batches, optimizer(model))));
        }
        return new Result(batches, Median(pipeline), Median(steps), Median(prefetched));
    }

    /// <summary>Prints <paramref name="r"/>: one JSON object, or a few lines of text.</summary>
    /// <param name="r">The measurement.</param>
    /// <param name="json">JSON instead of text.</param>
    /// <exception cref="ArgumentNullException"><paramref name="r"/> is null.</exception>
    public static void Print(Result r, bool json)
    {
        ArgumentNullException.ThrowIfNull(r);
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
            {
                ["batches"] = r.Batches,
                ["pipeline_cpu_seconds"] = Math.Round(r.Pipeline.Cpu, 4),
                ["pipeline_wall_seconds"] = Math.Round(r.Pipeline.Wall, 4),
                ["steps_cpu_seconds"] = Math.Round(r.Steps.Cpu, 4),
                ["steps_wall_seconds"] = Math.Round(r.Steps.Wall, 4),
                ["prefetched_cpu_seconds"] = Math.Round(r.Prefetched.Cpu, 4),
                ["prefetched_wall_seconds"] = Math.Round(r.Prefetched.Wall, 4),
                ["pipeline_share_cpu"] = Math.Round(r.CpuShare, 5),
                ["pipeline_share_wall"] = Math.Round(r.WallShare, 5),
            }));
            return;
        }
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(c, $"pipeline alone:   {r.Pipeline.Cpu,8:F2} s CPU {r.Pipeline.Wall,8:F2} s wall ({r.Batches} batches)"));
        Console.WriteLine(string.Create(c, $"steps alone:      {r.Steps.Cpu,8:F2} s CPU {r.Steps.Wall,8:F2} s wall"));
        Console.WriteLine(string.Create(c, $"prefetched epoch: {r.Prefetched.Cpu,8:F2} s CPU {r.Prefetched.Wall,8:F2} s wall"));
        Console.WriteLine(string.Create(c, $"pipeline / steps: {r.CpuShare,8:P1} of CPU time, {r.WallShare:P1} of wall time"));
    }

    private static Cost Time(Action work)
    {
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        work();
        clock.Stop();
        process.Refresh();
        return new Cost(clock.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpu).TotalSeconds);
    }

    private static Cost Median(List<Cost> costs) =>
        new(costs.Select(c => c.Wall).Order().ElementAt(costs.Count / 2), costs.Select(c => c.Cpu).Order().ElementAt(costs.Count / 2));
}
