// The folder a training run leaves behind: config.json, epochs.jsonl (one line per epoch),
// steps.csv (one line per step), last.safetensors (resumable) and report.html (rewritten after
// every epoch, so even an interrupted run has an up-to-date report).
using System.Globalization;
using System.Text;
using System.Text.Json;
using Striate.Data;
using Striate.Reporting;
using Striate.Training;

namespace Striate.Cli.Commands;

/// <summary>Writes a run's records.</summary>
public sealed class RunFolder
{
    private readonly List<EpochSummary> _epochs = [];
    private readonly List<(int Step, float Loss)> _steps = [];
    private readonly StringBuilder _pendingSteps = new();

    /// <summary>Opens (creating) <paramref name="directory"/>; when resuming, reads back the epochs already recorded.</summary>
    public RunFolder(string directory, IReadOnlyDictionary<string, string> configuration, bool resuming)
    {
        Directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(Directory);
        Configuration = configuration;
        if (resuming && File.Exists(EpochsPath))
            foreach (var line in File.ReadLines(EpochsPath).Where(l => l.Length > 0))
                _epochs.Add(ParseEpoch(line));
        else
        {
            File.WriteAllText(EpochsPath, "");
            File.WriteAllText(StepsPath, "epoch,step,loss,learning_rate\n");
        }
        File.WriteAllText(Path.Combine(Directory, "config.json"), JsonSerializer.Serialize(configuration, new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The run's directory.</summary>
    public string Directory { get; }

    /// <summary>The options shown in the report.</summary>
    public IReadOnlyDictionary<string, string> Configuration { get; }

    /// <summary>The resumable checkpoint's path.</summary>
    public string CheckpointPath => Path.Combine(Directory, "last.safetensors");

    /// <summary>The report's path.</summary>
    public string ReportPath => Path.Combine(Directory, "report.html");

    private string EpochsPath => Path.Combine(Directory, "epochs.jsonl");

    private string StepsPath => Path.Combine(Directory, "steps.csv");

    /// <summary>
    /// After a resume: forgets records made after the checkpoint the run continues from (a run can be
    /// killed between writing its records and its checkpoint), and reloads the step losses kept.
    /// </summary>
    public void TrimTo(int completedEpochs, int stepsIntoEpoch)
    {
        _epochs.RemoveAll(e => e.Epoch > completedEpochs);
        var keptEpochs = File.ReadAllLines(EpochsPath).Where(l => l.Length > 0 && ParseEpoch(l).Epoch <= completedEpochs).ToList();
        File.WriteAllLines(EpochsPath, keptEpochs);
        var kept = new List<string> { "epoch,step,loss,learning_rate" };
        _steps.Clear();
        foreach (var line in File.ReadLines(StepsPath).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != 4 || !int.TryParse(f[0], CultureInfo.InvariantCulture, out int epoch) || !int.TryParse(f[1], CultureInfo.InvariantCulture, out int step)) continue;
            if (epoch > completedEpochs + 1 || (epoch == completedEpochs + 1 && step > stepsIntoEpoch)) continue;
            kept.Add(line);
            _steps.Add((_steps.Count + 1, float.Parse(f[2], CultureInfo.InvariantCulture)));
        }
        File.WriteAllLines(StepsPath, kept);
    }

    /// <summary>Appends the buffered steps to steps.csv (at every checkpoint, so records and checkpoint agree).</summary>
    public void FlushSteps()
    {
        File.AppendAllText(StepsPath, _pendingSteps.ToString());
        _pendingSteps.Clear();
    }

    /// <summary>Records one step (buffered; flushed at checkpoints and epoch ends).</summary>
    public void AddStep(int epoch, int step, float loss, float learningRate)
    {
        _steps.Add((_steps.Count + 1, loss));
        _pendingSteps.Append(CultureInfo.InvariantCulture, $"{epoch},{step},{loss:R},{learningRate:R}\n");
    }

    /// <summary>Records an epoch and rewrites the report.</summary>
    public void AddEpoch(EpochSummary summary, ConfusionMatrix confusion, IReadOnlyList<MisclassifiedSample> misclassified, IReadOnlyList<string> classNames)
    {
        _epochs.Add(summary);
        FlushSteps();
        File.AppendAllText(EpochsPath, JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["epoch"] = summary.Epoch,
            ["train_loss"] = summary.Train.MeanLoss,
            ["train_accuracy"] = summary.Train.Accuracy,
            ["test_loss"] = summary.Validation?.MeanLoss,
            ["test_accuracy"] = summary.Validation?.Accuracy,
            ["learning_rate"] = summary.LearningRate,
            ["train_images"] = summary.Train.Images,
            ["train_seconds"] = summary.Train.Elapsed.TotalSeconds,
            ["test_images"] = summary.Validation?.Images,
            ["test_seconds"] = summary.Validation?.Elapsed.TotalSeconds,
        }) + "\n");
        HtmlReport.Write(ReportPath, new RunReport
        {
            Title = $"{Configuration.GetValueOrDefault("model", "model")} on {Configuration.GetValueOrDefault("dataset", "data")}",
            Configuration = Configuration,
            Epochs = _epochs,
            StepLosses = _steps,
            Confusion = confusion,
            ClassNames = classNames,
            Misclassified = misclassified,
        });
    }

    private static EpochSummary ParseEpoch(string line)
    {
        var e = JsonDocument.Parse(line).RootElement;
        double Get(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        var train = new EpochResult(Get("train_loss"), Get("train_accuracy"), (int)Get("train_images"), TimeSpan.FromSeconds(Get("train_seconds")), []);
        EvaluationResult? test = double.IsNaN(Get("test_accuracy")) ? null
            : new EvaluationResult(Get("test_accuracy"), Get("test_loss"), (int)Get("test_images"), TimeSpan.FromSeconds(Get("test_seconds")));
        return new EpochSummary(e.GetProperty("epoch").GetInt32(), train, test, (float)Get("learning_rate"));
    }

    /// <summary>Collects up to <paramref name="limit"/> misclassified images of a batch (single-channel images only).</summary>
    public static void CollectMisclassified(Batch batch, Tensor logits, List<MisclassifiedSample> into, int limit)
    {
        var dims = batch.Images.Dims;
        if (dims.Length != 4 || dims[1] != 1) return;
        int h = dims[2], w = dims[3], classes = logits.Dims[1];
        var scores = logits.AsSpan();
        var pixels = batch.Images.AsSpan();
        for (int i = 0; i < batch.Labels.Length && into.Count < limit; i++)
        {
            int best = 0;
            for (int c = 1; c < classes; c++) if (scores[i * classes + c] > scores[i * classes + best]) best = c;
            if (best != batch.Labels[i]) into.Add(new MisclassifiedSample(pixels.Slice(i * h * w, h * w).ToArray(), h, w, batch.Labels[i], best));
        }
    }
}
