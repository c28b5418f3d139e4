// ModelZoo: CLI names map to the right builders with their default input shapes and class counts,
// the input shape reaches the builder, and unknown names or shapes get a clear error.
using Striate.Layers;
using Striate.Models;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Models;

public class ModelZooTests
{
    [Fact]
    public void Names_ListEveryModelTheIssueNames()
    {
        string[] required =
        [
            "lenet5", "lenet5-classic", "alexnet", "zfnet", "vgg11", "vgg13", "vgg16", "vgg19", "vgg11-bn", "vgg13-bn", "vgg16-bn", "vgg19-bn",
            "nin", "googlenet", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet20", "resnet56",
        ];
        Assert.Empty(required.Except(ModelZoo.Names));
        Assert.Equal(ModelZoo.Names.Count, ModelZoo.Names.Distinct().Count());
    }

    [Theory]
    [InlineData("lenet5", "1,28,28", 10)]
    [InlineData("lenet5-classic", "1,32,32", 10)]
    [InlineData("alexnet", "3,224,224", 1000)]
    [InlineData("vgg16-bn", "3,224,224", 1000)]
    [InlineData("googlenet", "3,224,224", 1000)]
    [InlineData("resnet50", "3,224,224", 1000)]
    [InlineData("resnet20", "3,32,32", 10)]
    [InlineData("nin-cifar", "3,32,32", 10)]
    public void InputShapeAndClasses_AreTheReferenceConfiguration(string name, string shape, int classes)
    {
        Assert.Equal(shape, string.Join(',', ModelZoo.InputShape(name)));
        Assert.Equal(classes, ModelZoo.DefaultClasses(name));
        Assert.False(string.IsNullOrWhiteSpace(ModelZoo.Describe(name)));
    }

    [Fact]
    public void Describe_SmallInputVariants_SayWhatTheyAreFor()
    {
        Assert.Contains("CIFAR", ModelZoo.Describe("resnet20"), StringComparison.Ordinal);
        Assert.Contains("32×32 colour", ModelZoo.Describe("resnet56"), StringComparison.Ordinal);
        Assert.Contains("28×28 grey", ModelZoo.Describe("nin-cifar"), StringComparison.Ordinal);
        Assert.Contains("batch norm", ModelZoo.Describe("vgg13-bn"), StringComparison.Ordinal);
        Assert.DoesNotContain("batch norm", ModelZoo.Describe("vgg13"), StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InputShape_SetsTheFirstLayersChannels()
    {
        var grey = Assert.IsType<Sequential>(ModelZoo.Create("resnet20", new Rng(1), 10, [1, 28, 28]));
        Assert.Equal(1, Assert.IsType<Conv2d>(grey[0]).InChannels);
        var colour = Assert.IsType<Sequential>(ModelZoo.Create("resnet20", new Rng(1), 10));
        Assert.Equal(3, Assert.IsType<Conv2d>(colour[0]).InChannels);
        Assert.Equal([1, 10], grey.Summarize(1, 28, 28).OutputShape);
    }

    [Fact]
    public void Create_ClassicLeNetOn28x28_PadsC1To32()
    {
        var model = Assert.IsType<Sequential>(ModelZoo.Create("lenet5-classic", new Rng(1), 10, [1, 28, 28]));
        Assert.Equal(2, Assert.IsType<Conv2d>(model[0]).Padding.AsUniform);
        Assert.Equal(0, Assert.IsType<Conv2d>(((Sequential)ModelZoo.Create("lenet5-classic", new Rng(1)))[0]).Padding.AsUniform);
    }

    [Fact]
    public void Create_BadInputShape_ThrowsNamingIt()
    {
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet20", new Rng(1), 10, [3, 32])).ParamName);
        Assert.Equal("inputShape", Assert.Throws<ArgumentException>(() => ModelZoo.Create("resnet20", new Rng(1), 10, [0, 32, 32])).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ModelZoo.Create("resnet20", new Rng(1), 0));
    }

    [Theory]
    [InlineData("lenet5")]
    [InlineData("LeNet5")]
    public void Create_LeNet5_SameAsTheBuilderWithTheSameSeed(string name)
    {
        var fromZoo = ModelZoo.Create(name, new Rng(9));
        var direct = LeNet5.Create(rng: new Rng(9));

        Assert.Equal(61_706, fromZoo.ParameterCount());
        foreach (var ((n, a), (_, b)) in direct.NamedParameters().Zip(fromZoo.NamedParameters()))
            AssertTensor.BitIdentical(a.AsSpan(), b.AsSpan(), n);
        Assert.Equal([1, 28, 28], ModelZoo.InputShape(name));
    }

    [Fact]
    public void Create_ClassCount_IsPassedOn()
    {
        Assert.Equal(61_706 - 850 + 84 * 5 + 5, ModelZoo.Create("lenet5", new Rng(1), classes: 5).ParameterCount());
    }

    [Fact]
    public void Create_UnknownName_ThrowsListingKnownNames()
    {
        var e = Assert.Throws<ArgumentException>(() => ModelZoo.Create("lenet6", new Rng(1)));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("Unknown model 'lenet6'", e.Message, StringComparison.Ordinal);
        Assert.Contains("Known models: lenet5", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ModelZoo.InputShape("vgg99"));
    }
}
