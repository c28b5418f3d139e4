using System.Diagnostics;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Tests.Cli.Commands;

/// <summary>A run killed with SIGKILL mid-epoch and resumed ends with exactly the weights of a run never interrupted.</summary>
public sealed class ResumeTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-resume-" + Guid.NewGuid().ToString("N"));

    public ResumeTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string[] _extra = [];

    private string[] Options(string checkpointDir, string save) =>
        ["train", "--data", Path.Combine(_dir, "data"), "--epochs", "12", "--batch-size", "16", "--threads", "1", "--seed", "5",
         "--json", "--checkpoint-dir", checkpointDir, "--checkpoint-every", "7", "--save", save, .. _extra];

    [Theory]
    [InlineData("")]
    [InlineData("--optimizer adamw --lr 0.003 --weight-decay 0.01 --schedule onecycle --label-smoothing 0.1 --clip-grad-norm 2")]
    public void Train_KilledMidEpochThenResumed_FinalWeightsBitIdenticalToUninterruptedRun(string options)
    {
        _extra = options.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));

        // The reference: one uninterrupted run.
        string referenceSave = Path.Combine(_dir, "reference.safetensors");
        var (code, _, stderr) = CliRunner.Run(Options(Path.Combine(_dir, "ref-ckpt"), referenceSave));
        Assert.True(code == 0, stderr);

        // The same run, killed (SIGKILL) once its checkpoint is past the first epoch and mid-epoch.
        string checkpointDir = Path.Combine(_dir, "ckpt");
        string save = Path.Combine(_dir, "resumed.safetensors");
        string last = Path.Combine(checkpointDir, "last.safetensors");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(Striate.Cli.Program).Assembly.Location);
        foreach (var a in Options(checkpointDir, save)) psi.ArgumentList.Add(a);
        using (var child = Process.Start(psi)!)
        {
            _ = child.StandardOutput.ReadToEndAsync();
            _ = child.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(120);
            bool killedMidRun = false;
            while (!child.HasExited && DateTime.UtcNow < deadline)
            {
                if (File.Exists(last) && TryProgress(last) is { CompletedEpochs: >= 1, StepsIntoEpoch: > 0 })
                {
                    child.Kill(entireProcessTree: true); // SIGKILL: no chance to clean up
                    killedMidRun = true;
                    break;
                }
                Thread.Sleep(2);
            }
            child.WaitForExit();
            Assert.True(killedMidRun, "the run finished before it could be killed mid-epoch; make it longer");
        }
        var progress = TrainingCheckpoint.Load(last).Progress;
        Assert.True(progress.CompletedEpochs < 12, $"killed after {progress.CompletedEpochs} epochs");

        (code, _, stderr) = CliRunner.Run([.. Options(checkpointDir, save), "--resume"]);
        Assert.True(code == 0, stderr);

        // The run's records continue seamlessly: every epoch once, every step once.
        var epochs = File.ReadAllLines(Path.Combine(checkpointDir, "epochs.jsonl"));
        Assert.Equal(Enumerable.Range(1, 12), epochs.Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
        Assert.Equal(1 + 12 * 40, File.ReadAllLines(Path.Combine(checkpointDir, "steps.csv")).Length);
        Assert.Equal(File.ReadAllLines(Path.Combine(_dir, "ref-ckpt", "steps.csv")), File.ReadAllLines(Path.Combine(checkpointDir, "steps.csv")));

        var expected = SafeTensors.Load(referenceSave).Tensors;
        var actual = SafeTensors.Load(save).Tensors;
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, tensor) in expected)
        {
            var e = tensor.ToArray();
            var a = actual[name].ToArray();
            for (int i = 0; i < e.Length; i++)
                Assert.True(BitConverter.SingleToInt32Bits(e[i]) == BitConverter.SingleToInt32Bits(a[i]),
                    $"{name}[{i}]: uninterrupted {e[i]:R}, resumed {a[i]:R} (resumed from epoch {progress.CompletedEpochs}, step {progress.StepsIntoEpoch})");
        }
    }

    private static TrainingProgress? TryProgress(string path)
    {
        try
        {
            return TrainingCheckpoint.Load(path).Progress;
        }
        catch (IOException)
        {
            return null; // being replaced right now
        }
    }

    [Fact]
    public void Train_ResumeWithoutCheckpoint_ExitsNonZeroNamingTheDirectory()
    {
        var (code, _, stderr) = CliRunner.Run("train", "--checkpoint-dir", Path.Combine(_dir, "empty"), "--resume", "--epochs", "1");

        Assert.Equal(1, code);
        Assert.Contains("no checkpoint to continue", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_ResumeWithOtherBatchSize_ExitsNonZeroNamingTheOption()
    {
        CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));
        string checkpointDir = Path.Combine(_dir, "ckpt");
        var (code, _, stderr) = CliRunner.Run("train", "--data", Path.Combine(_dir, "data"), "--epochs", "1", "--batch-size", "32", "--json",
            "--checkpoint-dir", checkpointDir, "--save", Path.Combine(_dir, "m.safetensors"));
        Assert.True(code == 0, stderr);

        (code, _, stderr) = CliRunner.Run("train", "--data", Path.Combine(_dir, "data"), "--epochs", "2", "--batch-size", "16", "--json",
            "--checkpoint-dir", checkpointDir, "--resume", "--save", Path.Combine(_dir, "m.safetensors"));

        Assert.Equal(1, code);
        Assert.Contains("batch_size", stderr, StringComparison.Ordinal);
    }
}
