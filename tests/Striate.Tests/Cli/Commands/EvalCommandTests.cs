using System.Text.Json;

namespace Striate.Tests.Cli.Commands;

public sealed class EvalCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-eval-" + Guid.NewGuid().ToString("N"));

    public EvalCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Eval_TrainedModel_ReportsTheAccuracyTrainingMeasuredAndAConsistentConfusionMatrix()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"));
        string model = Path.Combine(_dir, "model.safetensors");
        var (code, stdout, stderr) = CliRunner.Run("train", "--data", data, "--epochs", "1", "--batch-size", "16", "--json", "--save", model);
        Assert.True(code == 0, stderr);
        double trainAccuracy = JsonDocument.Parse(stdout.Trim()).RootElement.GetProperty("test_accuracy").GetDouble();

        (code, stdout, stderr) = CliRunner.Run("eval", "--model", model, "--data", data, "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(100, root.GetProperty("images").GetInt32());
        Assert.Equal(trainAccuracy, root.GetProperty("accuracy").GetDouble(), 4);
        var confusion = root.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64()).ToArray()).ToArray();
        Assert.Equal(100, confusion.Sum(r => r.Sum()));
        Assert.Equal(root.GetProperty("accuracy").GetDouble(), Enumerable.Range(0, 10).Sum(i => confusion[i][i]) / 100.0, 4);
        Assert.Equal(10, root.GetProperty("per_class").GetArrayLength());
    }

    [Fact]
    public void Eval_MissingModelFile_ExitsNonZeroNamingIt()
    {
        var (code, _, stderr) = CliRunner.Run("eval", "--model", Path.Combine(_dir, "nope.safetensors"));

        Assert.Equal(1, code);
        Assert.Contains("nope.safetensors", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Eval_CorruptModelFile_ExitsNonZeroWithoutStackTrace()
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, [1, 2, 3]);

        var (code, _, stderr) = CliRunner.Run("eval", "--model", path);

        Assert.Equal(1, code);
        Assert.Contains("bad.safetensors", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }
}
