// ModelZoo: CLI names map to the right builders, with a clear error for unknown names.
using Striate.Models;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Models;

public class ModelZooTests
{
    [Fact]
    public void Names_ListLeNet5()
    {
        Assert.Contains("lenet5", ModelZoo.Names);
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
