// The zoo through the real CLI (a child process): striate summary prints per-layer costs and totals for a
// model's reference configuration or a given --input/--classes, as text or Markdown, with clear errors;
// striate train builds a small-input zoo model for Fashion-MNIST's 1×28×28 images and records that shape.
using Striate.Serialization;
using Striate.Tests.Cli.Commands;

namespace Striate.Tests.Models;

public sealed class ModelZooCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-zoo-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Summary_ResNet18_PrintsTheReferenceCountsAndCosts()
    {
        var (code, stdout, stderr) = CliRunner.Run("summary", "--model", "resnet18");

        Assert.True(code == 0, stderr);
        Assert.Contains("Input: (1, 3, 224, 224)", stdout, StringComparison.Ordinal);
        Assert.Contains("Total parameters: 11,689,512", stdout, StringComparison.Ordinal);
        Assert.Contains("Multiply-accumulates: 1,814,073,344 (1.81 G)", stdout, StringComparison.Ordinal);
        Assert.Contains("  4.0.0.add ", stdout, StringComparison.Ordinal); // the first residual block's addition, indented
        Assert.Contains("1000 classes", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_InputAndClassesAndMarkdown()
    {
        var (code, stdout, stderr) = CliRunner.Run("summary", "--model", "resnet20", "--input", "1,28,28", "--classes", "10", "--markdown");

        Assert.True(code == 0, stderr);
        Assert.Contains("Input: `(1, 1, 28, 28)`", stdout, StringComparison.Ordinal);
        Assert.Contains("| Layer | Type | Description | Output shape | Params | Frozen | MACs | Memory | RF | Jump |", stdout, StringComparison.Ordinal);
        Assert.Contains("Total parameters: 269,434", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--input", "3,28")]
    [InlineData("--classes", "0")]
    [InlineData("--model", "resnet19")]
    public void Summary_BadArguments_ExitWithOneClearLine(string option, string value)
    {
        string[] args = option == "--model" ? ["summary", option, value] : ["summary", "--model", "resnet20", option, value];
        var (code, _, stderr) = CliRunner.Run(args);

        Assert.Equal(1, code);
        Assert.StartsWith("error: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Summary_ImageNetModelTooSmallAnInput_NamesTheLayer()
    {
        var (code, _, stderr) = CliRunner.Run("summary", "--model", "alexnet", "--input", "3,28,28");

        Assert.Equal(1, code);
        Assert.Contains("MaxPool2d", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Train_CifarResNetOnFashionMnist_BuildsItForGreyImages()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 32, testCount: 20);
        string save = Path.Combine(_dir, "resnet20.safetensors");

        var (code, _, stderr) = CliRunner.Run("train", "--model", "resnet20", "--data", data, "--epochs", "1", "--batch-size", "16", "--json", "--save", save);

        Assert.True(code == 0, $"exit {code}, stderr: {stderr}");
        var loaded = Checkpoint.Load(save);
        Assert.Equal("1,28,28", loaded.Metadata["input_shape"]);
        Assert.Equal("resnet20", loaded.Metadata["model"]);
        Assert.Equal(269_434, loaded.Model.ParameterCount());
    }
}
