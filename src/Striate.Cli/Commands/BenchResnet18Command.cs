// striate bench resnet18 --threads T [--batch B ...] [--image-size S] [--repeat R] [--json]
// ResNet-18 inference the way anchors/torch_resnet18_infer.py measures it, so the two can be run side
// by side: torchvision's layout (Striate.Models.ResNet.Create(18), random Kaiming weights, evaluation
// mode: batch norm on its running statistics), no autograd recording, x ~ N(0, 1) of (B, 3, S, S).
// Timing: two untimed calls, then R timed calls; the time per call is their elapsed time over R
// (the anchor: R = 10 at batch 1, R = 3 at batch 16). Reported per batch size: ms per call and
// images/s = B / time per call. The default batches are the anchor's, 1 and 16, and --json prints
// one line with its fields (model, threads, batch1_ms, batch16_images_per_sec) plus every batch's
// figures under "batches".
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Striate.Autograd;
using Striate.Models;

namespace Striate.Cli.Commands;

/// <summary>The <c>bench resnet18</c> subcommand: ResNet-18 inference, the PyTorch anchor's measurement.</summary>
public static class BenchResnet18Command
{
    /// <summary>Builds the <c>resnet18</c> subcommand.</summary>
    public static Command Create()
    {
        var threads = new Option<int>("--threads") { Description = "Upper bound on compute threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var batch = new Option<int[]>("--batch")
        {
            Description = "Batch sizes to measure (repeatable; the anchor measures 1 and 16)",
            AllowMultipleArgumentsPerToken = true,
        };
        var imageSize = new Option<int>("--image-size") { Description = "Input height and width (the anchor uses 224)", DefaultValueFactory = _ => 224 };
        var repeat = new Option<int?>("--repeat") { Description = "Timed calls per batch size (default: 10 at batch 1, 3 otherwise, as the anchor)" };
        var json = new Option<bool>("--json") { Description = "One JSON line instead of text" };
        var command = new Command("resnet18", "ResNet-18 inference (random weights, evaluation mode): ms per call and images/s.")
        {
            threads, batch, imageSize, repeat, json,
        };
        command.SetAction(parse => CliError.Run(() => Run(parse.GetValue(threads), parse.GetValue(batch) is { Length: > 0 } b ? b : [1, 16],
            parse.GetValue(imageSize), parse.GetValue(repeat), parse.GetValue(json), Console.Out)));
        return command;
    }

    /// <summary>Builds ResNet-18, measures inference at each batch size and writes the result; returns the exit code.</summary>
    /// <param name="threads">Upper bound on threads (at least 1).</param>
    /// <param name="batches">Batch sizes to measure, each 1 to 1024, at least one.</param>
    /// <param name="imageSize">Input side S of the (B, 3, S, S) images, 32 to 1024.</param>
    /// <param name="repeat">Timed calls per batch size (at least 1); null for the anchor's 10 at batch 1 and 3 otherwise.</param>
    /// <param name="json">One JSON line instead of text.</param>
    /// <param name="output">Where the lines go.</param>
    /// <exception cref="ArgumentException">A value is out of range or <paramref name="batches"/> is empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="batches"/> or <paramref name="output"/> is null.</exception>
    public static int Run(int threads, IReadOnlyList<int> batches, int imageSize, int? repeat, bool json, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(output);
        if (threads < 1) throw new ArgumentException($"--threads must be at least 1, got {threads}.", nameof(threads));
        if (batches.Count == 0) throw new ArgumentException("--batch needs at least one batch size.", nameof(batches));
        foreach (int b in batches)
            if (b is < 1 or > 1024) throw new ArgumentException($"--batch must be between 1 and 1024, got {b}.", nameof(batches));
        // Below 32 the five stride-2 stages leave no pixel; above 1024 one batch-1 activation passes 1 GiB.
        if (imageSize is < 32 or > 1024) throw new ArgumentException($"--image-size must be between 32 and 1024, got {imageSize}.", nameof(imageSize));
        if (repeat is < 1) throw new ArgumentException($"--repeat must be at least 1, got {repeat}.", nameof(repeat));

        using (Compute.UseThreads(threads))
        {
            var model = ResNet.Create(18, rng: new Rng(0));
            model.Eval();
            var rng = new Rng(1);
            var results = new List<Resnet18BatchResult>();
            foreach (int b in batches.Distinct())
            {
                var x = Tensor.Normal(rng, 0f, 1f, b, 3, imageSize, imageSize);
                double seconds;
                using (GradMode.NoGrad())
                    seconds = TimePerCall(() => model.Forward(x), repeat ?? (b == 1 ? 10 : 3));
                results.Add(new Resnet18BatchResult(b, Math.Round(seconds * 1e3, 3), Math.Round(b / seconds, 2)));
            }
            double? batch1Ms = results.FirstOrDefault(r => r.Batch == 1)?.Ms;
            double? batch16Rate = results.FirstOrDefault(r => r.Batch == 16)?.ImagesPerSec;
            var line = new Resnet18BenchLine("resnet18", threads, imageSize, batch1Ms, batch16Rate, results);
            if (json)
            {
                output.WriteLine(JsonSerializer.Serialize(line, Resnet18BenchLineContext.Default.Resnet18BenchLine));
            }
            else
            {
                foreach (var r in results)
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"resnet18 {imageSize}×{imageSize}, batch {r.Batch}, {threads} thread{(threads == 1 ? "" : "s")}: {r.Ms:F2} ms per call, {r.ImagesPerSec:F2} images/s"));
            }
        }
        return CliError.Ok;
    }

    /// <summary>The anchor's measurement: two untimed calls, then <paramref name="calls"/> timed calls; seconds per call.</summary>
    private static double TimePerCall(Action call, int calls)
    {
        call();
        call();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < calls; i++) call();
        return Stopwatch.GetElapsedTime(start).TotalSeconds / calls;
    }
}

/// <summary>One batch size's result of <c>bench resnet18</c>.</summary>
/// <param name="Batch">Images per call.</param>
/// <param name="Ms">Milliseconds per call.</param>
/// <param name="ImagesPerSec">Batch / seconds per call.</param>
public sealed record Resnet18BatchResult(
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("ms")] double Ms,
    [property: JsonPropertyName("images_per_sec")] double ImagesPerSec);

/// <summary>The line of <c>bench resnet18 --json</c>: the anchor's fields plus every measured batch size.</summary>
/// <param name="Model">Always "resnet18".</param>
/// <param name="Threads">Thread bound.</param>
/// <param name="ImageSize">Input height and width.</param>
/// <param name="Batch1Ms">Milliseconds per image at batch 1 (null when batch 1 was not measured).</param>
/// <param name="Batch16ImagesPerSec">Images/s at batch 16 (null when batch 16 was not measured).</param>
/// <param name="Batches">Each measured batch size's figures, in the order asked.</param>
public sealed record Resnet18BenchLine(
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("image_size")] int ImageSize,
    [property: JsonPropertyName("batch1_ms")] double? Batch1Ms,
    [property: JsonPropertyName("batch16_images_per_sec")] double? Batch16ImagesPerSec,
    [property: JsonPropertyName("batches")] IReadOnlyList<Resnet18BatchResult> Batches);

[JsonSerializable(typeof(Resnet18BenchLine))]
internal sealed partial class Resnet18BenchLineContext : JsonSerializerContext;
