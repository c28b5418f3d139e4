// Recipes: the presets are found by name, their models build for Fashion-MNIST shapes with the parameter
// counts the file header's layer tables give, survive a checkpoint round trip, and train: a few SGD
// steps on a tiny batch lower the loss.
using Striate.Data.Augmentations;
using Striate.Layers;
using Striate.Serialization;
using Striate.Training;

namespace Striate.Tests.Training;

public sealed class RecipesTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "striate-recipes-" + Guid.NewGuid().ToString("N"));

    public RecipesTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Find_KnownNameAnyCase_ReturnsTheRecipe()
    {
        var best = Recipes.Find("Fashion-MNIST-Best");
        Assert.Equal("fashion-mnist-best", best.Name);
        Assert.True(Recipes.IsModel(best.Model));
        Assert.Contains("--augment " + best.Augment, best.Options, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_UnknownName_ThrowsListingTheRecipes()
    {
        var e = Assert.Throws<ArgumentException>(() => Recipes.Find("mnist-worst"));
        Assert.Equal("name", e.ParamName);
        foreach (var r in Recipes.All) Assert.Contains(r.Name, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_EveryRecipe_HasValidOptionsAndAParsableAugmentation()
    {
        foreach (var r in Recipes.All)
        {
            Assert.Contains(r.Optimizer, new[] { "sgd", "adam", "adamw", "rmsprop", "adagrad" });
            Assert.Contains(r.Schedule, new[] { "none", "cosine", "step", "onecycle" });
            Assert.True(r.Epochs >= 1 && r.BatchSize >= 1 && r.LearningRate > 0, r.Name);
            if (r.Augment.Length > 0) Assert.NotEmpty(AugmentationSpec.Parse(r.Augment, [1, 28, 28]).Transforms);
        }
    }

    [Theory]
    [InlineData("fashion-cnn", 871_082)]       // see the header: 288+64 + 9,216+64 + 18,432+128 + 36,864+128 + 802,816+512 + 2,570
    [InlineData("fashion-cnn-small", 94_186)]  // 288+64 + 18,432+128 + 73,728+256 + 1,290
    public void CreateModel_FashionMnistShape_HasTheCountedParametersAndGivesLogits(string name, long parameters)
    {
        var model = Recipes.CreateModel(name, 10, [1, 28, 28], new Rng(1));
        Assert.Equal(parameters, model.ParameterCount());
        model.Eval();
        var logits = model.Forward(Tensor.Uniform(new Rng(2), 0f, 1f, 3, 1, 28, 28));
        Assert.Equal([3, 10], logits.Shape);
        Assert.All(logits.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void CreateModel_BadArguments_Throw()
    {
        var rng = new Rng(1);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Recipes.CreateModel("lenet5", 10, [1, 28, 28], rng)).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => Recipes.CreateModel("fashion-cnn", 10, [1, 30, 30], rng)).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => Recipes.CreateModel("fashion-cnn", 10, [28, 28], rng)).ParamName);
        Assert.Equal("classes", Assert.Throws<ArgumentOutOfRangeException>(() => Recipes.CreateModel("fashion-cnn", 1, [1, 28, 28], rng)).ParamName);
    }

    [Theory]
    [InlineData("fashion-cnn")]
    [InlineData("fashion-cnn-small")]
    public void CreateModel_CheckpointRoundTrip_SameOutput(string name)
    {
        var model = Recipes.CreateModel(name, 10, [1, 28, 28], new Rng(5));
        // One training step so the batch-norm running statistics are no longer their initial values.
        var x = Tensor.Uniform(new Rng(6), 0f, 1f, 4, 1, 28, 28);
        Functional.CrossEntropy(model.Forward(x), [0, 1, 2, 3]).Backward();
        string path = Path.Combine(_dir, name + ".safetensors");
        Checkpoint.Save(path, model);

        var loaded = Checkpoint.Load(path).Model;
        model.Eval();
        loaded.Eval();
        Assert.Equal(model.Forward(x).ToArray(), loaded.Forward(x).ToArray());
    }

    [Fact]
    public void CreateModel_FewSgdSteps_LowerTheLossOnATinyBatch()
    {
        var model = Recipes.CreateModel("fashion-cnn-small", 10, [1, 28, 28], new Rng(7));
        var x = Tensor.Uniform(new Rng(8), 0f, 1f, 10, 1, 28, 28);
        int[] labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
        var sgd = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
        float first = 0, last = 0;
        for (int step = 0; step < 15; step++)
        {
            sgd.ZeroGrad();
            var loss = Functional.CrossEntropy(model.Forward(x), labels);
            loss.Backward();
            sgd.Step();
            if (step == 0) first = loss.Item();
            last = loss.Item();
        }
        Assert.True(last < first * 0.7f, $"loss {first} → {last}");
    }
}
