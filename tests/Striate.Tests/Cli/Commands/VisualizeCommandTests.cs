// striate visualize through a child process: the PNG it writes is decoded and checked against the
// same computation done in-process on the same checkpoint and test image.
using Striate.Data;
using Striate.Features;
using Striate.Imaging;
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;
using Striate.Visualization;

namespace Striate.Tests.Cli.Commands;

public sealed class VisualizeCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-vis-" + Guid.NewGuid().ToString("N"));

    public VisualizeCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string SaveLeNet()
    {
        string path = Path.Combine(_dir, "lenet.safetensors");
        Checkpoint.Save(path, LeNet5.Create(rng: new Rng(42)));
        return path;
    }

    private (Tensor Image, Module Model) Load(string data, string model, int index)
    {
        var test = FashionMnist.LoadFrom(FashionMnist.Locate(new FashionMnistOptions { DataDirectory = data, SystemDirectories = [], CacheDirectory = _dir })!).Test;
        return (Tensor.FromArray(test.GetImage(index).ToArray(), 1, 28, 28), Checkpoint.Load(model).Model);
    }

    [Fact]
    public void Filters_LeNet_WritesAGridOfTheFirstLayerFilters()
    {
        string model = SaveLeNet(), output = Path.Combine(_dir, "filters.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "filters", "--model", model, "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("6 filters", stdout, StringComparison.Ordinal);
        var weightTensor = ((Conv2d)Checkpoint.Load(model).Model.Children[0].Value).Weight;
        Assert.Contains($"neighbour correlation {FilterStatistics.NeighbourCorrelation(weightTensor).ToString("F3", System.Globalization.CultureInfo.InvariantCulture)}", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        // 6 filters 5×5 at scale 4: 3 columns and 2 rows of 20-pixel cells with 1-pixel padding.
        Assert.Equal((64, 43, 1), (picture.Width, picture.Height, picture.Channels));
        var weight = ((Conv2d)Checkpoint.Load(model).Model.Children[0].Value).Weight.ToArray();
        for (int k = 0; k < 6; k++)
        {
            var f = weight.Skip(k * 25).Take(25).ToArray();
            int max = Array.IndexOf(f, f.Max()), min = Array.IndexOf(f, f.Min());
            int top = 1 + k / 3 * 21, left = 1 + k % 3 * 21;
            Assert.Equal(255, picture[top + max / 5 * 4, left + max % 5 * 4, 0]);
            Assert.Equal(0, picture[top + min / 5 * 4 + 3, left + min % 5 * 4 + 3, 0]);
        }
    }

    [Fact]
    public void Saliency_TestImage_WritesImageAndMapWhoseBrightestPixelIsTheLargestGradient()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        string model = SaveLeNet(), output = Path.Combine(_dir, "saliency.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "saliency", "--model", model, "--data", data, "--index", "3", "--class", "3", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("saliency of class 3 (Dress) for test image 3", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        // Two 28×28 panels at scale 4 with padding 2: 2·(112 + 2) + 2 = 230 by 116.
        Assert.Equal((230, 116), (picture.Width, picture.Height));
        var (image, net) = Load(data, model, 3);
        var map = Saliency.Map(net, image, 3).ToArray();
        int brightest = Array.IndexOf(map, map.Max());
        Assert.Equal(255, picture[2 + brightest / 28 * 4, 116 + brightest % 28 * 4, 0]);
        // The left panel is the image itself, stretched to [0, 255].
        var pixels = image.ToArray();
        int white = Array.IndexOf(pixels, pixels.Max());
        Assert.Equal(255, picture[2 + white / 28 * 4, 2 + white % 28 * 4, 0]);
    }

    [Fact]
    public void Occlusion_TestImage_DarkestCellIsWhereTheProbabilityDropsMost()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        string model = SaveLeNet(), output = Path.Combine(_dir, "occlusion.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "occlusion", "--model", model, "--data", data, "--index", "1", "--class", "1", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("13×13 positions", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        var (image, net) = Load(data, model, 1);
        var p = Occlusion.Compute(net, image, 1, patchSize: 4, stride: 2).Probabilities.ToArray();
        int darkest = Array.IndexOf(p, p.Min());
        Assert.Equal(0, picture[2 + darkest / 13 * 4, 116 + darkest % 13 * 4, 0]);
    }

    [Fact]
    public void Features_Layer1_WritesOneMapPerChannel()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        string model = SaveLeNet(), output = Path.Combine(_dir, "features.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "features", "--model", model, "--data", data, "--layer", "2", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("6 feature maps of layer 2 (MaxPool2d), 14×14", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        Assert.Equal((3 * 29 + 1, 2 * 29 + 1), (picture.Width, picture.Height));
    }

    [Fact]
    public void GradCam_DefaultLayer_IsTheLastFeatureMapLayer_AndMatchesInProcess()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        string model = SaveLeNet(), output = Path.Combine(_dir, "gradcam.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "gradcam", "--model", model, "--data", data, "--index", "2", "--class", "4", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("Grad-CAM of layer 5 (MaxPool2d, 5×5 map)", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        Assert.Equal((230, 116), (picture.Width, picture.Height));
        var (image, net) = Load(data, model, 2);
        var cam = GradCam.Compute((Sequential)net, image, 4, 5).Upsampled().ToArray();
        if (cam.Max() > 0)
        {
            int hottest = Array.IndexOf(cam, cam.Max());
            Assert.Equal(255, picture[2 + hottest / 28 * 4, 116 + hottest % 28 * 4, 0]);
        }
    }

    [Fact]
    public void ReceptiveField_Conv2Unit_Reports14By14AndDrawsItsSupport()
    {
        string model = SaveLeNet(), output = Path.Combine(_dir, "rf.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "receptive-field", "--model", model, "--layer", "3", "--row", "2", "--column", "2", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("14×14 input pixels, rows 2–15, columns 2–15", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        // Right panel: the support mask, white inside rows/columns 2–15 and black outside.
        Assert.Equal(255, picture[2 + 2 * 4, 116 + 2 * 4, 0]);
        Assert.Equal(255, picture[2 + 15 * 4, 116 + 15 * 4, 0]);
        Assert.Equal(0, picture[2 + 16 * 4, 116 + 15 * 4, 0]);
        Assert.Equal(0, picture[2 + 1 * 4, 116 + 1 * 4, 0]);
    }

    [Fact]
    public void Kernels_TestImage_WritesOneResponsePerNamedKernel()
    {
        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        string output = Path.Combine(_dir, "kernels.png");

        var (code, stdout, stderr) = CliRunner.Run("visualize", "kernels", "--data", data, "--index", "4", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("through 15 kernels", stdout, StringComparison.Ordinal);
        var picture = Png.Load(output);
        // 15 maps of 28×28 at scale 3 in 5 columns, 3 rows: 5·86 + 2 by 3·86 + 2.
        Assert.Equal((432, 260), (picture.Width, picture.Height));
        // The first map is the identity: the image itself, stretched to [0, 255].
        var test = FashionMnist.LoadFrom(FashionMnist.Locate(new FashionMnistOptions { DataDirectory = data, SystemDirectories = [], CacheDirectory = _dir })!).Test;
        var pixels = test.GetImage(4).ToArray();
        int white = Array.IndexOf(pixels, pixels.Max());
        Assert.Equal(255, picture[2 + white / 28 * 3, 2 + white % 28 * 3, 0]);
    }

    [Fact]
    public void Gabor_WritesThreeSweepsOfNine()
    {
        string output = Path.Combine(_dir, "gabor.png");

        var (code, _, stderr) = CliRunner.Run("visualize", "gabor", "--out", output);

        Assert.True(code == 0, stderr);
        var picture = Png.Load(output);
        Assert.Equal((9 * 64 + 2, 3 * 64 + 2), (picture.Width, picture.Height));
        // The first filter of the frequency/phase sweep is even (φ = 0) and centred: white in the middle.
        var kernel = Gabor.Kernel(Gabor.ChapterSweeps()[2][0], 31).ToArray();
        Assert.Equal(kernel.Max(), kernel[15 * 31 + 15]);
        Assert.Equal(255, picture[2 + 2 * 64 + 30, 2 + 30, 0]);
    }

    [Fact]
    public void MissingModel_AndBadIndex_ExitWithOneClearLine()
    {
        var (code, _, stderr) = CliRunner.Run("visualize", "filters", "--model", Path.Combine(_dir, "none.safetensors"), "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(1, code);
        Assert.Contains("none.safetensors", stderr, StringComparison.Ordinal);

        string data = CliRunner.WriteTinyDataset(Path.Combine(_dir, "data"), trainCount: 10, testCount: 10);
        (code, _, stderr) = CliRunner.Run("visualize", "saliency", "--model", SaveLeNet(), "--data", data, "--index", "10", "--out", Path.Combine(_dir, "x.png"));
        Assert.Equal(1, code);
        Assert.Contains("--index must be between 0 and 9", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_dir, "x.png")));
    }
}
