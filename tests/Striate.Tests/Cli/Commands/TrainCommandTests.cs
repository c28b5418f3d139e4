using System.Text.Json;
using Striate.Serialization;

namespace Striate.Tests.Cli.Commands;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-cli-" + Guid.NewGuid().ToString("N"));

    public TrainCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Train_WithoutSave_NamesTheCheckpointAfterModelAndDataset()
    {
        // Without --save the checkpoint is MODEL-DATASET.safetensors in the working directory (it was always
        // lenet5-fashion-mnist.safetensors, whatever the model).
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "default-save"), trainCount: 64, testCount: 20);
        var (code, stdout, stderr) = CliRunner.Run("train", "--model", "lenet5-classic", "--data", data, "--epochs", "1", "--threads", "1",
            "--checkpoint-dir", Path.Combine(_dir, "default-save-run"));
        Assert.True(code == 0, stderr);
        // The console wraps long lines (closing and reopening its colour codes): compare with both taken out.
        string joined = System.Text.RegularExpressions.Regex.Replace(stdout, "\u001b\\[[0-9;]*m|\r|\n", "");
        Assert.True(joined.Contains("lenet5-classic-fashion-mnist.safetensors", StringComparison.Ordinal), stdout);
    }

    [Fact]
    public void Train_TinyDatasetWithJson_PrintsOneLinePerEpochAndSavesLoadableCheckpoint()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));
        string save = Path.Combine(_dir, "model.safetensors");

        var (code, stdout, stderr) = CliRunner.Run("train", "--data", data, "--epochs", "2", "--batch-size", "16", "--threads", "1", "--json", "--save", save);

        Assert.True(code == 0, $"exit {code}, stderr: {stderr}");
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        for (int i = 0; i < 2; i++)
        {
            using var doc = JsonDocument.Parse(lines[i]);
            var root = doc.RootElement;
            Assert.Equal(i + 1, root.GetProperty("epoch").GetInt32());
            foreach (var key in new[] { "train_loss", "train_images_per_sec", "infer_images_per_sec", "test_accuracy", "seconds" })
                Assert.True(root.TryGetProperty(key, out _), $"missing {key} in {lines[i]}");
            double accuracy = root.GetProperty("test_accuracy").GetDouble();
            Assert.InRange(accuracy, 0.0, 1.0);
        }
        // The bars are trivially separable: two epochs of LeNet must beat chance (10%) by far.
        using (var last = JsonDocument.Parse(lines[1]))
            Assert.True(last.RootElement.GetProperty("test_accuracy").GetDouble() > 0.5, lines[1]);

        var loaded = Checkpoint.Load(save);
        Assert.Equal("lenet5", loaded.Metadata["model"]);
        Assert.Equal("2", loaded.Metadata["epoch"]);
        Assert.Equal(61_706, loaded.Model.ParameterCount());
    }

    [Fact]
    public void Train_WithRunFolder_WritesReportMetricsAndConfig()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));
        string runDir = Path.Combine(_dir, "run");

        var (code, _, stderr) = CliRunner.Run("train", "--data", data, "--epochs", "2", "--batch-size", "16", "--json", "--checkpoint-dir", runDir, "--save", Path.Combine(_dir, "m.safetensors"));

        Assert.True(code == 0, stderr);
        var epochs = File.ReadAllLines(Path.Combine(runDir, "epochs.jsonl"));
        Assert.Equal([1, 2], epochs.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("epoch").GetInt32()));
        var steps = File.ReadAllLines(Path.Combine(runDir, "steps.csv"));
        Assert.Equal("epoch,step,loss,learning_rate", steps[0]);
        Assert.Equal(1 + 2 * 40, steps.Length); // 640 images / batch 16 = 40 steps per epoch
        Assert.Equal("lenet5", JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))).RootElement.GetProperty("model").GetString());
        string html = File.ReadAllText(Path.Combine(runDir, "report.html"));
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains("Confusion matrix", html, StringComparison.Ordinal);
        Assert.Contains("data-name=\"test\"", html, StringComparison.Ordinal);   // test-accuracy curve drawn
        Assert.Equal(100, System.Text.RegularExpressions.Regex.Matches(html, "class=\"cell\"").Count); // 10×10 heat map
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);         // self-contained, static
        Assert.True(File.Exists(Path.Combine(runDir, "last.safetensors")));
    }

    [Fact]
    public void Train_CorruptDataset_ExitsNonZeroNamingTheFile()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));
        string broken = Path.Combine(data, "train-labels-idx1-ubyte.gz");
        File.WriteAllBytes(broken, [0x1f, 0x8b, 8, 0, 0, 0, 0, 0]); // a gzip header and nothing else

        var (code, stdout, stderr) = CliRunner.Run("train", "--data", data, "--epochs", "1", "--json", "--save", Path.Combine(_dir, "m.safetensors"));

        Assert.Equal(1, code);
        Assert.Contains("train-labels-idx1-ubyte.gz", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // no stack trace
        Assert.Equal("", stdout);
        Assert.False(File.Exists(Path.Combine(_dir, "m.safetensors")));
    }

    [Fact]
    public void Train_MissingDataDirectory_ExitsNonZeroWithHowToGetTheData()
    {
        var (code, _, stderr) = CliRunner.Run("train", "--data", Path.Combine(_dir, "nowhere"), "--epochs", "1");

        Assert.Equal(1, code);
        Assert.Contains("nowhere", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_LossTurnsNaN_ExitsWithDivergedCodeNamingTheStep()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));

        var (code, _, stderr) = CliRunner.Run("train", "--data", data, "--epochs", "1", "--lr", "1e20", "--json", "--save", Path.Combine(_dir, "m.safetensors"));

        Assert.Equal(3, code);
        Assert.Contains("training diverged", stderr, StringComparison.Ordinal);
        Assert.Contains("at step", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--model", "resnet9000", "Unknown model")]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--batch-size", "-1", "--batch-size")]
    [InlineData("--lr", "NaN", "--lr")]
    [InlineData("--threads", "0", "--threads")]
    [InlineData("--dataset", "imagenet", "Unknown dataset")]
    public void Train_BadOption_ExitsNonZeroNamingIt(string option, string value, string expected)
    {
        var (code, _, stderr) = CliRunner.Run("train", option, value, "--save", Path.Combine(_dir, "m.safetensors"));

        Assert.Equal(1, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_LeNet5_PrintsEveryLayerAndTotal()
    {
        var (code, stdout, stderr) = CliRunner.Run("summary", "--model", "lenet5");

        Assert.True(code == 0, stderr);
        Assert.Contains("61,706", stdout, StringComparison.Ordinal);
        Assert.Contains("(1, 16, 5, 5)", stdout, StringComparison.Ordinal);
        Assert.Contains("48,120", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_WrongInputShape_ExitsNonZeroNamingTheLayer()
    {
        var (code, _, stderr) = CliRunner.Run("summary", "--model", "lenet5", "--input", "3,28,28");

        Assert.Equal(1, code);
        Assert.Contains("Conv2d", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
