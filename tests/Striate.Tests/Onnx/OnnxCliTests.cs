// striate export and striate infer with .onnx models and image inputs, through the real CLI in a
// child process: the exported file reproduces the checkpoint's outputs and carries its metadata;
// images are scaled to [0, 1], converted to the model's channels, resized and normalized per the
// model's metadata; missing metadata and bad files exit 1 with one line.
using System.Text.Json;
using Striate.Autograd;
using Striate.Cli.Commands;
using Striate.Imaging;
using Striate.Models;
using Striate.Onnx;
using Striate.Serialization;
using Striate.Tests.Cli.Commands;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Onnx;

public sealed class OnnxCliTests : IDisposable
{
    private static readonly string[] ClassNames = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private readonly string _dir = Directory.CreateTempSubdirectory("striate-onnx-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private (string Path, Striate.Layers.Module Model) SaveLeNet(bool withShape = true, string? mean = null, string? std = null)
    {
        var model = LeNet5.Create(rng: new Rng(23));
        var metadata = new Dictionary<string, string> { ["model"] = "lenet5", ["class_names"] = JsonSerializer.Serialize(ClassNames) };
        if (withShape) metadata["input_shape"] = "1,28,28";
        if (mean is not null) metadata["mean"] = mean;
        if (std is not null) metadata["std"] = std;
        string path = PathOf(withShape ? "lenet.safetensors" : "lenet-noshape.safetensors");
        Checkpoint.Save(path, model, metadata);
        return (path, model);
    }

    private static Tensor Forward(Striate.Layers.Module model, Tensor x)
    {
        model.Eval();
        using (GradMode.NoGrad()) return model.Forward(x);
    }

    [Fact]
    public void Export_Checkpoint_WritesOnnxWithSameOutputsAndMetadata()
    {
        var (modelPath, model) = SaveLeNet(mean: "0.5", std: "0.25");
        var (code, stdout, stderr) = CliRunner.Run("export", "--model", modelPath, "--onnx", PathOf("lenet.onnx"));
        Assert.True(code == 0, stderr);
        Assert.Contains("opset 13", stdout, StringComparison.Ordinal);

        var onnx = OnnxModel.Load(PathOf("lenet.onnx"));
        Assert.Equal("1,28,28", onnx.Metadata["input_shape"]);
        Assert.Equal("0.25", onnx.Metadata["std"]);
        Assert.Equal(ClassNames, JsonSerializer.Deserialize<string[]>(onnx.Metadata["class_names"]));
        var x = Tensor.Uniform(new Rng(3), 0, 1, 2, 1, 28, 28);
        var expected = Forward(model, x);
        AssertTensor.Close(Forward(onnx, x), [2, 10], [.. expected.ToArray().Select(v => (double)v)], Tolerances.OnnxModel, "exported LeNet-5");
    }

    [Fact]
    public void Infer_OnnxModelOnNpyAndImages_MatchesInProcessPipeline()
    {
        var (modelPath, model) = SaveLeNet(mean: "0.5", std: "0.25");
        Assert.Equal(0, CliRunner.Run("export", "--model", modelPath, "--onnx", PathOf("lenet.onnx")).ExitCode);
        var sample = Tensor.Uniform(new Rng(4), 0, 1, 1, 28, 28);
        Npy.Write(PathOf("x.npy"), sample);
        // A 28×28 grey PNG (no resize) and a 40×35 colour PPM (converted to grey, resized).
        Png.Save(PathOf("digit.png"), Tensor.Uniform(new Rng(5), 0, 1, 1, 28, 28));
        File.WriteAllBytes(PathOf("photo.ppm"), Pnm.Encode(ImageData.FromTensor(Tensor.Uniform(new Rng(6), 0, 1, 3, 40, 35))));

        var (code, stdout, stderr) = CliRunner.Run("infer", "--model", PathOf("lenet.onnx"), "--input", PathOf("x.npy"),
            "--input", PathOf("digit.png"), "--input", PathOf("photo.ppm"), "--output", PathOf("out.npy"), "--top", "1");

        Assert.True(code == 0, stderr);
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(PathOf("digit.png") + ": ", lines[1], StringComparison.Ordinal);
        var inputs = Functional.Concat([
            sample.Reshape(1, 1, 28, 28),
            InferInputs.LoadImage(PathOf("digit.png"), [1, 28, 28], [0.5f], [0.25f]),
            InferInputs.LoadImage(PathOf("photo.ppm"), [1, 28, 28], [0.5f], [0.25f])], 0);
        var expected = Forward(model, inputs);
        var written = Npy.Read(PathOf("out.npy"));
        AssertTensor.Close(written, [3, 10], [.. expected.ToArray().Select(v => (double)v)], Tolerances.OnnxModel, "infer on .onnx");
        // The PNG holds 8-bit samples: the pipeline's input is exactly (round(255 v)/255 − 0.5)/0.25.
        var png = Png.Load(PathOf("digit.png")).ToTensor().ToArray();
        Assert.Equal(png.Select(v => (v - 0.5f) / 0.25f), InferInputs.LoadImage(PathOf("digit.png"), [1, 28, 28], [0.5f], [0.25f]).ToArray());
    }

    [Fact]
    public void LoadImage_UniformColour_ResizesAndNormalizesPerChannel()
    {
        // A uniform image stays uniform under bilinear resizing, so every output pixel is (v − mean)/std exactly.
        var rgb = new byte[5 * 3 * 3];
        for (int i = 0; i < rgb.Length; i += 3) { rgb[i] = 51; rgb[i + 1] = 102; rgb[i + 2] = 204; }
        File.WriteAllBytes(PathOf("flat.ppm"), Pnm.Encode(new ImageData(5, 3, 3, rgb)));
        var x = InferInputs.LoadImage(PathOf("flat.ppm"), [3, 8, 6], [0.1f, 0.2f, 0.3f], [0.5f, 0.25f, 2f]);
        Assert.Equal([1, 3, 8, 6], x.Shape);
        float[] expected = [(51 / 255f - 0.1f) / 0.5f, (102 / 255f - 0.2f) / 0.25f, (204 / 255f - 0.3f) / 2f];
        for (int c = 0; c < 3; c++)
            Assert.All(x.ToArray().Skip(c * 48).Take(48), v => Assert.Equal(expected[c], v, 6));
        var grey = InferInputs.LoadImage(PathOf("flat.ppm"), [1, 4, 4], null, null);
        Assert.All(grey.ToArray(), v => Assert.Equal(0.299f * 51 / 255f + 0.587f * 102 / 255f + 0.114f * 204 / 255f, v, 6));
    }

    [Fact]
    public void LoadImage_BadShapeOrMetadata_ThrowsNamingTheParameter()
    {
        File.WriteAllBytes(PathOf("one.ppm"), Pnm.Encode(new ImageData(2, 2, 1, [0, 1, 2, 3])));
        Assert.Equal("sampleShape", Assert.Throws<ArgumentException>(() => InferInputs.LoadImage(PathOf("one.ppm"), [2, 4, 4], null, null)).ParamName);
        Assert.Equal("mean", Assert.Throws<ArgumentException>(() => InferInputs.LoadImage(PathOf("one.ppm"), [3, 4, 4], [0.1f, 0.2f], null)).ParamName);
        Assert.Equal("std", Assert.Throws<ArgumentException>(() => InferInputs.LoadImage(PathOf("one.ppm"), [1, 4, 4], null, [0f])).ParamName);
    }

    [Fact]
    public void Cli_MissingShapeOrCorruptOnnx_ExitOneWithOneLine()
    {
        var (noShape, _) = SaveLeNet(withShape: false);
        Png.Save(PathOf("img.png"), Tensor.Uniform(new Rng(7), 0, 1, 1, 28, 28));
        File.WriteAllBytes(PathOf("corrupt.onnx"), [0x0F, 0x01, 0x02]);

        var export = CliRunner.Run("export", "--model", noShape, "--onnx", PathOf("x.onnx"));
        var image = CliRunner.Run("infer", "--model", noShape, "--input", PathOf("img.png"));
        var corrupt = CliRunner.Run("infer", "--model", PathOf("corrupt.onnx"), "--input", PathOf("img.png"));

        Assert.Equal(1, export.ExitCode);
        Assert.Contains("give --input-shape", export.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, image.ExitCode);
        Assert.Contains("no input_shape metadata", image.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Contains("not a valid ONNX protobuf", corrupt.Stderr, StringComparison.Ordinal);
        foreach (var r in new[] { export, image, corrupt }) Assert.Single(r.Stderr.Trim().Split('\n'));
    }
}
