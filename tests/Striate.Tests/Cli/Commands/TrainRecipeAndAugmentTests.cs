// striate train --augment and --recipe, through the real CLI: augmentation changes the training batches
// and is reproducible under the seed; recipes fill in the options left at their defaults, explicit
// options win, --recipe list describes them, and bad names give one clear line and exit code 1.
using System.Text.Json;

namespace Striate.Tests.Cli.Commands;

public sealed class TrainRecipeAndAugmentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-cli-recipe-" + Guid.NewGuid().ToString("N"));

    public TrainRecipeAndAugmentTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Code, string Stdout, string Stderr, string RunDir) Train(string name, params string[] args)
    {
        string data = Path.Combine(_dir, "data");
        if (!Directory.Exists(data)) CliRunner.WriteTinyDataset(data, trainCount: 320, testCount: 50);
        string runDir = Path.Combine(_dir, name);
        var (code, stdout, stderr) = CliRunner.Run(["train", "--data", data, "--json", "--threads", "1", "--checkpoint-dir", runDir,
            "--save", Path.Combine(_dir, name + ".safetensors"), .. args]);
        return (code, stdout, stderr, runDir);
    }

    private static string[] StepLosses(string runDir) =>
        [.. File.ReadAllLines(Path.Combine(runDir, "steps.csv")).Skip(1).Select(l => l.Split(',')[2])];

    private static JsonElement Config(string runDir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(runDir, "config.json"))).RootElement;

    [Fact]
    public void Augment_SameSeed_SameLossesAndDifferentFromUnaugmented()
    {
        var a = Train("a", "--epochs", "1", "--batch-size", "32", "--seed", "4", "--augment", "crop:4,flip");
        var b = Train("b", "--epochs", "1", "--batch-size", "32", "--seed", "4", "--augment", "crop:4,flip");
        var plain = Train("plain", "--epochs", "1", "--batch-size", "32", "--seed", "4");

        Assert.True(a.Code == 0, a.Stderr);
        Assert.True(b.Code == 0, b.Stderr);
        Assert.True(plain.Code == 0, plain.Stderr);
        Assert.Equal(10, StepLosses(a.RunDir).Length);
        Assert.Equal(StepLosses(a.RunDir), StepLosses(b.RunDir));
        // The first batch holds the same images in the same order (augmentation leaves the shuffling alone), so the
        // first losses differ only through the augmentation.
        Assert.NotEqual(StepLosses(a.RunDir)[0], StepLosses(plain.RunDir)[0]);
        string augment = Config(a.RunDir).GetProperty("augment").GetString()!;
        Assert.Contains("RandomCrop", augment, StringComparison.Ordinal);
        Assert.Contains("RandomHorizontalFlip", augment, StringComparison.Ordinal);
        Assert.Equal("none", Config(plain.RunDir).GetProperty("augment").GetString());
    }

    [Fact]
    public void Augment_ResumedAfterAnEpoch_SameWeightsAsAnUninterruptedRun()
    {
        // Epoch 2's augmentation derives from the shuffling state saved in the checkpoint, so a run stopped after
        // epoch 1 and resumed reaches the uninterrupted run's weights bit for bit.
        string[] options = ["--batch-size", "32", "--seed", "9", "--augment", "crop:3,flip,cutout:6"];
        var straight = Train("straight", ["--epochs", "2", .. options]);
        var first = Train("halves", ["--epochs", "1", .. options]);
        Assert.True(straight.Code == 0, straight.Stderr);
        Assert.True(first.Code == 0, first.Stderr);
        var resumed = Train("halves", ["--epochs", "2", "--resume", .. options]);
        Assert.True(resumed.Code == 0, resumed.Stderr);

        Assert.Equal(StepLosses(straight.RunDir), StepLosses(resumed.RunDir));
        var expected = Striate.Serialization.SafeTensors.Load(Path.Combine(_dir, "straight.safetensors")).Tensors;
        var actual = Striate.Serialization.SafeTensors.Load(Path.Combine(_dir, "halves.safetensors")).Tensors;
        foreach (var (name, tensor) in expected) Assert.Equal(tensor.ToArray(), actual[name].ToArray());

        // Resuming with a different augmentation is refused.
        var other = Train("halves", ["--epochs", "3", "--resume", "--batch-size", "32", "--seed", "9", "--augment", "flip"]);
        Assert.Equal(1, other.Code);
        Assert.Contains("augment", other.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Augment_UnknownStep_ExitsOneNamingIt()
    {
        var r = Train("bad", "--epochs", "1", "--augment", "crop:4,blur");

        Assert.Equal(1, r.Code);
        Assert.Contains("--augment", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("unknown step 'blur'", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Recipe_FashionMnistBest_BuildsAndTrainsAFewStepsWithItsOptions()
    {
        // 192 images at the recipe's batch of 128: two steps; one epoch instead of the recipe's many (explicit wins).
        var r = Train("best", "--recipe", "fashion-mnist-best", "--epochs", "1", "--limit", "192");

        Assert.True(r.Code == 0, r.Stderr);
        var line = JsonDocument.Parse(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;
        Assert.True(double.IsFinite(line.GetProperty("train_loss").GetDouble()));
        Assert.Equal(2, StepLosses(r.RunDir).Length);
        var config = Config(r.RunDir);
        var recipe = Striate.Training.Recipes.Find("fashion-mnist-best");
        Assert.Equal(recipe.Model, config.GetProperty("model").GetString());
        Assert.Equal("fashion-mnist-best", config.GetProperty("recipe").GetString());
        Assert.Equal(recipe.Optimizer, config.GetProperty("optimizer").GetString());
        Assert.Equal(recipe.Schedule, config.GetProperty("schedule").GetString());
        Assert.Equal("128", config.GetProperty("batch_size").GetString());
        Assert.Equal("1", config.GetProperty("epochs").GetString());
        Assert.Contains("RandomCrop", config.GetProperty("augment").GetString(), StringComparison.Ordinal);
        Assert.Equal(recipe.Model, Striate.Serialization.Checkpoint.Load(Path.Combine(_dir, "best.safetensors")).Metadata["model"]);
    }

    [Fact]
    public void Recipe_ExplicitOptions_OverrideTheRecipe()
    {
        var r = Train("override", "--recipe", "fashion-mnist-fast", "--epochs", "1", "--limit", "64", "--model", "lenet5",
            "--optimizer", "sgd", "--schedule", "none", "--augment", "none", "--batch-size", "32");

        Assert.True(r.Code == 0, r.Stderr);
        var config = Config(r.RunDir);
        Assert.Equal("lenet5", config.GetProperty("model").GetString());
        Assert.Equal("sgd", config.GetProperty("optimizer").GetString());
        Assert.Equal("none", config.GetProperty("schedule").GetString());
        Assert.Equal("none", config.GetProperty("augment").GetString());
        Assert.Equal("32", config.GetProperty("batch_size").GetString());
        Assert.Equal(2, StepLosses(r.RunDir).Length);
    }

    [Fact]
    public void ProfilePipeline_Json_ReportsPipelineAndStepsAndSavesNothing()
    {
        var r = Train("profile", "--profile-pipeline", "--limit", "64", "--batch-size", "16", "--augment", "crop:2,flip");

        Assert.True(r.Code == 0, r.Stderr);
        var line = JsonDocument.Parse(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Single()).RootElement;
        Assert.Equal(4, line.GetProperty("batches").GetDouble());
        foreach (var key in new[] { "pipeline", "steps", "prefetched" })
        {
            Assert.True(line.GetProperty(key + "_cpu_seconds").GetDouble() >= 0, key);
            Assert.True(line.GetProperty(key + "_wall_seconds").GetDouble() > 0, key);
        }
        Assert.True(line.GetProperty("pipeline_share_wall").GetDouble() > 0);
        Assert.False(Directory.Exists(r.RunDir));
        Assert.False(File.Exists(Path.Combine(_dir, "profile.safetensors")));
    }

    [Fact]
    public void Recipe_List_DescribesEveryRecipe()
    {
        var (code, stdout, stderr) = CliRunner.Run("train", "--recipe", "list");

        Assert.True(code == 0, stderr);
        foreach (var recipe in Striate.Training.Recipes.All)
        {
            Assert.Contains(recipe.Name + ": ", stdout, StringComparison.Ordinal);
            Assert.Contains(recipe.Options, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Recipe_Unknown_ExitsOneListingTheRecipes()
    {
        var (code, _, stderr) = CliRunner.Run("train", "--recipe", "imagenet-sota");

        Assert.Equal(1, code);
        Assert.Contains("Unknown recipe 'imagenet-sota'", stderr, StringComparison.Ordinal);
        Assert.Contains("fashion-mnist-best", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", stderr, StringComparison.Ordinal);
    }
}
