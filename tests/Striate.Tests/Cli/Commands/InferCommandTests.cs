// striate infer, through the real CLI in a child process: outputs written to .npy equal the model's
// own forward pass, top-k lines use the checkpoint's class names, bad inputs exit 1 with one line.
using System.Text.Json;
using Striate.Autograd;
using Striate.Models;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Cli.Commands;

public sealed class InferCommandTests : IDisposable
{
    private static readonly string[] ClassNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    private readonly string _dir = Directory.CreateTempSubdirectory("striate-infer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>A LeNet-5 checkpoint with the metadata striate train writes, and the model itself.</summary>
    private (string Path, Striate.Layers.Module Model) SaveModel()
    {
        var model = LeNet5.Create(rng: new Rng(17));
        string path = PathOf("lenet5.safetensors");
        Checkpoint.Save(path, model, new Dictionary<string, string>
        {
            ["model"] = "lenet5",
            ["input_shape"] = "1,28,28",
            ["class_names"] = JsonSerializer.Serialize(ClassNames),
        });
        return (path, model);
    }

    [Fact]
    public void Infer_SampleAndBatch_WritesTheModelsOutputsAndPrintsTopK()
    {
        var (modelPath, model) = SaveModel();
        var rng = new Rng(5);
        var single = Tensor.Uniform(rng, 0, 1, 1, 28, 28);
        var batch = Tensor.Uniform(rng, 0, 1, 3, 1, 28, 28);
        Npy.Write(PathOf("one.npy"), single);
        Npy.Write(PathOf("three.npy"), batch);

        var (code, stdout, stderr) = CliRunner.Run("infer", "--model", modelPath, "--input", PathOf("one.npy"), "--input", PathOf("three.npy"),
            "--output", PathOf("out.npy"), "--top", "2", "--threads", "1");

        Assert.True(code == 0, stderr);
        var expected = Expected(model, single.Reshape(1, 1, 28, 28), batch);
        var written = Npy.Read(PathOf("out.npy"));
        Assert.Equal([4, 10], written.Shape);
        AssertTensor.BitIdentical(expected.AsSpan(), written.AsSpan(), "infer output vs in-process forward");
        var lines = stdout.Trim().Split('\n');
        Assert.Equal(4, lines.Length);
        Assert.StartsWith($"{PathOf("one.npy")}: {ClassNames[ArgMax(expected, 0)]} ", lines[0]);
        Assert.StartsWith($"{PathOf("three.npy")}[2]: {ClassNames[ArgMax(expected, 3)]} ", lines[3]);
        Assert.All(lines, l => Assert.Equal(2, l.Count(c => c == '%')));
    }

    [Fact]
    public void Infer_Json_ProbabilitiesAreTheSoftmaxOfTheOutputs()
    {
        var (modelPath, model) = SaveModel();
        var x = Tensor.Uniform(new Rng(8), 0, 1, 2, 1, 28, 28);
        Npy.Write(PathOf("x.npy"), x);

        var (code, stdout, stderr) = CliRunner.Run("infer", "--model", modelPath, "--input", PathOf("x.npy"), "--top", "20", "--json");

        Assert.True(code == 0, stderr);
        var root = JsonDocument.Parse(stdout).RootElement;
        var logits = Expected(model, x);
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(2, results.Count);
        for (int n = 0; n < 2; n++)
        {
            var z = logits.ToArray().Skip(n * 10).Take(10).Select(v => (double)v).ToArray();
            double max = z.Max(), sum = z.Sum(v => Math.Exp(v - max));
            var top = results[n].GetProperty("top").EnumerateArray().ToList();
            Assert.Equal(10, top.Count); // --top 20 is capped at the number of classes
            Assert.Equal(1.0, top.Sum(t => t.GetProperty("probability").GetDouble()), 4);
            foreach (var t in top)
            {
                int c = t.GetProperty("class").GetInt32();
                Assert.Equal(ClassNames[c], t.GetProperty("name").GetString());
                Assert.InRange(Math.Abs(Math.Exp(z[c] - max) / sum - t.GetProperty("probability").GetDouble()), 0, 5e-7 + 1e-9); // printed to 6 decimals
            }
            Assert.Equal(Enumerable.Range(0, 10).OrderByDescending(c => z[c]).First(), top[0].GetProperty("class").GetInt32());
        }
    }

    [Fact]
    public void Infer_BadInputs_ExitOneWithOneLineNamingTheProblem()
    {
        var (modelPath, _) = SaveModel();
        Npy.Write(PathOf("wrong.npy"), Tensor.Zeros(3, 28, 28));
        File.WriteAllBytes(PathOf("corrupt.npy"), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

        var wrongShape = CliRunner.Run("infer", "--model", modelPath, "--input", PathOf("wrong.npy"));
        var corrupt = CliRunner.Run("infer", "--model", modelPath, "--input", PathOf("corrupt.npy"));
        var missing = CliRunner.Run("infer", "--model", PathOf("nope.safetensors"), "--input", PathOf("wrong.npy"));
        var badTop = CliRunner.Run("infer", "--model", modelPath, "--input", PathOf("wrong.npy"), "--top", "0");

        Assert.Equal(1, wrongShape.ExitCode);
        Assert.Contains("has shape (3, 28, 28), but the model takes samples of shape (1, 28, 28)", wrongShape.Stderr);
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Contains("Invalid NPY file", corrupt.Stderr);
        Assert.Contains("bad magic", corrupt.Stderr);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("nope.safetensors", missing.Stderr);
        Assert.Equal(1, badTop.ExitCode);
        Assert.Contains("--top must be at least 1", badTop.Stderr);
        foreach (var r in new[] { wrongShape, corrupt, missing, badTop })
        {
            Assert.Single(r.Stderr.Trim().Split('\n'));
            Assert.DoesNotContain(" at Striate.", r.Stderr);
        }
    }

    private static Tensor Expected(Striate.Layers.Module model, params Tensor[] inputs)
    {
        model.Eval();
        using (GradMode.NoGrad()) return model.Forward(inputs.Length == 1 ? inputs[0] : Functional.Concat(inputs, dim: 0));
    }

    private static int ArgMax(Tensor logits, int row)
    {
        var z = logits.AsSpan().Slice(row * 10, 10);
        int best = 0;
        for (int c = 1; c < 10; c++) if (z[c] > z[best]) best = c;
        return best;
    }
}
