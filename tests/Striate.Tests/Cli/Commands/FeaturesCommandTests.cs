// striate features through a child process on a tiny Fashion-MNIST-shaped dataset whose ten classes
// are gratings at ten orientations (k·18°, random phase, noise): k-means features, the best random
// network, the layer-wise pretrained network (before and after fine-tuning) and the trained network all
// score far above chance (10%); bad options give exit code 1.
using System.Globalization;
using System.Text.Json;

namespace Striate.Tests.Cli.Commands;

public sealed class FeaturesCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-features-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteGratings(int trainCount, int testCount)
    {
        WriteSplit("train", trainCount, new Random(1));
        WriteSplit("t10k", testCount, new Random(2));
        return _dir;
    }

    private void WriteSplit(string prefix, int count, Random random)
    {
        var images = new byte[count * 784];
        var labels = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int label = i % 10;
            labels[i] = (byte)label;
            double theta = label * Math.PI / 10, phase = random.NextDouble() * 2 * Math.PI;
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++)
                {
                    double v = 128 + 90 * Math.Cos(1.1 * (x * Math.Cos(theta) + y * Math.Sin(theta)) + phase) + random.Next(-25, 26);
                    images[i * 784 + y * 28 + x] = (byte)Math.Clamp(v, 0, 255);
                }
        }
        CliRunner.WriteIdx(Path.Combine(_dir, $"{prefix}-images-idx3-ubyte.gz"), [count, 28, 28], images);
        CliRunner.WriteIdx(Path.Combine(_dir, $"{prefix}-labels-idx1-ubyte.gz"), [count], labels);
    }

    [Fact]
    public void Compare_TinyGratings_EveryMethodIsFarAboveChance()
    {
        string data = WriteGratings(600, 200);

        var (code, stdout, stderr) = CliRunner.Run("features", "compare", "--data", data, "--limit", "600", "--json", "--threads", "2",
            "--centroids", "32", "--patches", "3000", "--seeds", "1", "--probe-epochs", "15", "--epochs", "2");

        Assert.True(code == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["kmeans", "random", "pretrained", "pretrained+finetune", "trained"], lines.Select(l => l.GetProperty("method").GetString()));
        foreach (var line in lines)
        {
            double accuracy = line.GetProperty("test_accuracy").GetDouble();
            Assert.True(accuracy > 0.5, string.Create(CultureInfo.InvariantCulture, $"{line.GetProperty("method").GetString()}: test accuracy {accuracy} (chance 0.1)"));
        }
    }

    [Theory]
    [InlineData("pca", "Unknown method 'pca'")]
    [InlineData("kmeans --limit 5", "--limit must be at least 12")]
    [InlineData("random --seeds 0", "--seeds")]
    public void BadOptions_ExitWithCode1AndAMessage(string arguments, string message)
    {
        var (code, _, stderr) = CliRunner.Run(["features", .. arguments.Split(' '), "--data", _dir]);

        Assert.Equal(1, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
