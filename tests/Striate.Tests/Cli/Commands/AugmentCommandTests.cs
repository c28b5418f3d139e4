// striate augment through a child process: the PNG it writes is decoded and compared with the same
// grid computed in-process; the original column holds the chosen samples; unknown transforms and
// bad counts give exit code 1 with a one-line message.
using Striate.Cli.Commands;
using Striate.Data;
using Striate.Data.Augmentations;
using Striate.Imaging;

namespace Striate.Tests.Cli.Commands;

public sealed class AugmentCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-aug-" + Guid.NewGuid().ToString("N"));

    public AugmentCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Augment_TinyDataset_WritesTheGridComputedInProcess()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 20, testCount: 10);
        string output = Path.Combine(_dir, "grid.png");

        var (code, stdout, stderr) = CliRunner.Run("augment", "--dataset", "fashion-mnist", "--data", data, "--out", output,
            "--count", "3", "--variants", "4", "--seed", "7", "--transforms", "flip,crop,rotate,cutout", "--scale", "1");

        Assert.True(code == 0, stderr);
        Assert.Contains("3 fashion-mnist training samples", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        // 5 columns and 3 rows of 28-pixel cells with 2-pixel padding.
        Assert.Equal((5 * 30 + 2, 3 * 30 + 2, 1), (picture.Width, picture.Height, picture.Channels));
        var train = FashionMnist.LoadFrom(FashionMnist.Locate(new FashionMnistOptions { DataDirectory = data })!).Train;
        var expected = AugmentCommand.Grid(train, AugmentCommand.ParseTransforms("flip,crop,rotate,cutout", [1, 28, 28]), 3, 4, 7, 1);
        Assert.Equal(expected.Pixels, picture.Pixels);

        // Column 0 is the untouched sample: the first index of Rng(7)'s permutation.
        int first = new Rng(7).Permutation(train.Count)[0];
        var image = train.GetImage(first);
        for (int i = 0; i < 28; i++)
            for (int j = 0; j < 28; j++)
                Assert.Equal((byte)MathF.Round(image[i * 28 + j] * 255f), picture[2 + i, 2 + j, 0]);
        // An augmented cell differs from its original (a cutout patch at least).
        bool differs = false;
        for (int i = 0; i < 28 && !differs; i++)
            for (int j = 0; j < 28 && !differs; j++)
                differs = picture[2 + i, 32 + j, 0] != picture[2 + i, 2 + j, 0];
        Assert.True(differs);
    }

    [Fact]
    public void Augment_SyntheticRgbShapes_ColourTransformsWork()
    {
        string output = Path.Combine(_dir, "shapes.png");

        var (code, stdout, stderr) = CliRunner.Run("augment", "--dataset", "shapes", "--out", output, "--count", "2", "--variants", "3",
            "--transforms", "jitter,pca,resized-crop,elastic", "--scale", "1", "--seed", "5");

        Assert.True(code == 0, stderr);
        Assert.Contains("ColorJitter", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        Assert.Equal((4 * 34 + 2, 2 * 34 + 2, 3), (picture.Width, picture.Height, picture.Channels));
        var train = AugmentCommand.LoadTraining("shapes", null, 5);
        var expected = AugmentCommand.Grid(train, AugmentCommand.ParseTransforms("jitter,pca,resized-crop,elastic", [3, 32, 32]), 2, 3, 5, 1);
        Assert.Equal(expected.Pixels, picture.Pixels);
    }

    [Fact]
    public void Augment_Cifar10Folder_ReadsItsTrainingRecords()
    {
        string data = Path.Combine(_dir, "cifar");
        Striate.Tests.Data.CifarTests.WriteAll(data, CifarVariant.Cifar10);
        string output = Path.Combine(_dir, "cifar.png");

        var (code, stdout, stderr) = CliRunner.Run("augment", "--dataset", "cifar10", "--data", data, "--out", output, "--count", "3", "--variants", "1", "--scale", "1");

        Assert.True(code == 0, stderr);
        Assert.Contains("3 cifar10 training samples", stdout, StringComparison.Ordinal);
        Assert.Equal(3, Png.Load(output).Channels);
    }

    [Fact]
    public void Augment_EveryTransformName_Parses()
    {
        foreach (var (name, _, _) in AugmentationSpec.Steps)
        {
            int[] shape = name == "pca" ? [3, 16, 16] : [1, 16, 16];
            var t = AugmentCommand.ParseTransforms(name, shape);
            Assert.Equal(shape, t.OutputShape(shape));
            Assert.Equal(shape, t.Apply(Tensor.Uniform(new Rng(1), 0, 1, shape), new Rng(2)).Shape);
        }
    }

    [Theory]
    [InlineData("flip,twirl", "unknown step 'twirl'")]
    [InlineData("pca", "RGB")]
    public void Augment_BadTransforms_ExitWithOneLine(string transforms, string message)
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        var (code, _, stderr) = CliRunner.Run("augment", "--data", data, "--out", Path.Combine(_dir, "x.png"), "--transforms", transforms);
        Assert.Equal(CliError.BadInput, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void Augment_ImageFolderWithoutData_ExitsWithOneLine()
    {
        var (code, _, stderr) = CliRunner.Run("augment", "--dataset", "image-folder", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(CliError.BadInput, code);
        Assert.Contains("needs --data ROOT", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Augment_BadCount_ExitsWithOneLine()
    {
        var (code, _, stderr) = CliRunner.Run("augment", "--out", Path.Combine(_dir, "x.png"), "--count", "0");
        Assert.Equal(CliError.BadInput, code);
        Assert.Contains("--count must be between 1 and 256", stderr, StringComparison.Ordinal);
    }
}
