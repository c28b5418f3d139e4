// Checkpoint entries of the pooling family: every pooling layer survives save/load with the same
// architecture and the same output, and MaxPool2d entries written before dilation and ceil mode
// existed still load.
using Striate.Layers;
using Striate.Serialization;

namespace Striate.Tests.Serialization;

public class CheckpointPoolingTests
{
    /// <summary>Each pooling layer with non-default options, and an input it accepts.</summary>
    public static TheoryData<string> LayerNames => [.. Layers().Select(l => l.Name)];

    private static IEnumerable<(string Name, Module Layer, int[] InputShape)> Layers()
    {
        yield return ("MaxPool1d", new MaxPool1d(3, 2, 1, 2, true), [2, 3, 11]);
        yield return ("MaxPool2d", new MaxPool2d(3, 2, 1, 2, true), [2, 3, 9, 8]);
        yield return ("MaxPool2d default", new MaxPool2d(2), [1, 2, 6, 6]);
        yield return ("MaxPool3d", new MaxPool3d(2, 1, 1, 1, true), [1, 2, 4, 5, 3]);
        yield return ("AvgPool1d", new AvgPool1d(3, 2, 1, true, false), [2, 3, 11]);
        yield return ("AvgPool2d", new AvgPool2d(3, 2, 1, divisorOverride: 4), [2, 3, 7, 6]);
        yield return ("AvgPool3d", new AvgPool3d(2), [1, 2, 4, 4, 4]);
        yield return ("SumPool1d", new SumPool1d(2, 1), [1, 2, 5]);
        yield return ("SumPool2d", new SumPool2d(3, 2, 1, true), [1, 2, 6, 6]);
        yield return ("SumPool3d", new SumPool3d(2), [1, 1, 4, 4, 4]);
        yield return ("LpPool1d", new LpPool1d(1.5f, 3, 2, true), [2, 3, 11]);
        yield return ("LpPool2d", new LpPool2d(2f, 2), [1, 2, 6, 6]);
        yield return ("LpPool3d", new LpPool3d(3f, 2, 1), [1, 1, 3, 4, 3]);
        yield return ("AdaptiveAvgPool1d", new AdaptiveAvgPool1d(4), [2, 3, 9]);
        yield return ("AdaptiveAvgPool2d", new AdaptiveAvgPool2d(3), [1, 2, 7, 5]);
        yield return ("AdaptiveAvgPool3d", new AdaptiveAvgPool3d(2), [1, 2, 3, 5, 4]);
        yield return ("AdaptiveMaxPool1d", new AdaptiveMaxPool1d(4), [2, 3, 9]);
        yield return ("AdaptiveMaxPool2d", new AdaptiveMaxPool2d(3), [1, 2, 7, 5]);
        yield return ("AdaptiveMaxPool3d", new AdaptiveMaxPool3d(2), [1, 2, 3, 5, 4]);
        yield return ("GlobalAvgPool", new GlobalAvgPool(), [2, 3, 4, 5]);
        yield return ("GlobalMaxPool", new GlobalMaxPool(), [2, 3, 7]);
        yield return ("Maxout", new Maxout(3), [2, 6, 4, 3]);
    }

    [Theory]
    [MemberData(nameof(LayerNames))]
    public void PoolingLayer_SaveAndLoad_SameArchitectureAndOutput(string name)
    {
        var (_, layer, shape) = Layers().Single(l => l.Name == name);
        var model = new Sequential(layer);
        string path = Path.Combine(Path.GetTempPath(), $"striate-pool-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, model);
            var loaded = Checkpoint.Load(path).Model;
            Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
            var x = Tensor.Normal(new Rng(5), 0f, 1f, shape);
            Assert.Equal(model.Forward(x).ToArray(), loaded.Forward(x).ToArray());
            Assert.Equal(layer.Description, loaded.Children[0].Value.Description);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MaxUnpoolLayers_SaveAndLoad_SameArchitectureAndOutput()
    {
        var model = new Sequential(new MaxUnpool1d(3, 2, 1), new MaxUnpool2d(2), new MaxUnpool3d(2, 1, 1));
        string path = Path.Combine(Path.GetTempPath(), $"striate-unpool-{Guid.NewGuid():N}.safetensors");
        try
        {
            Checkpoint.Save(path, model);
            var loaded = Checkpoint.Load(path).Model;
            Assert.Equal(Checkpoint.DescribeArchitecture(model), Checkpoint.DescribeArchitecture(loaded));
            var (pooled, indices) = Functional.MaxPool2dWithIndices(Tensor.Normal(new Rng(6), 0f, 1f, 1, 2, 6, 6), 2);
            var original = (MaxUnpool2d)model.Children[1].Value;
            var rebuilt = Assert.IsType<MaxUnpool2d>(loaded.Children[1].Value);
            Assert.Equal(original.Forward(pooled, indices).ToArray(), rebuilt.Forward(pooled, indices).ToArray());
            Assert.Equal((3, 2, 1), (((MaxUnpool1d)loaded.Children[0].Value).KernelSize, ((MaxUnpool1d)loaded.Children[0].Value).Stride, ((MaxUnpool1d)loaded.Children[0].Value).Padding));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MaxPool2d_EntryWithoutDilationOrCeilMode_LoadsWithDefaults()
    {
        var model = Checkpoint.BuildArchitecture("{\"type\":\"MaxPool2d\",\"kernelSize\":3,\"stride\":2,\"padding\":1}");
        var pool = Assert.IsType<MaxPool2d>(model);
        Assert.Equal((3, 2, 1, 1, false), (pool.KernelSize, pool.Stride, pool.Padding, pool.Dilation, pool.CeilMode));
        Assert.Equal("{\"type\":\"MaxPool2d\",\"kernelSize\":3,\"stride\":2,\"padding\":1}", Checkpoint.DescribeArchitecture(pool));
    }

    [Fact]
    public void MaxPool2d_NonDefaultOptions_AreWritten()
    {
        Assert.Equal("{\"type\":\"MaxPool2d\",\"kernelSize\":3,\"stride\":1,\"padding\":0,\"dilation\":2,\"ceilMode\":true}",
            Checkpoint.DescribeArchitecture(new MaxPool2d(3, 1, 0, 2, true)));
    }

    [Fact]
    public void PoolingEntry_InvalidValue_ThrowsInvalidData()
    {
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.BuildArchitecture("{\"type\":\"MaxPool1d\",\"kernelSize\":2,\"stride\":2,\"padding\":0,\"dilation\":0,\"ceilMode\":false}"));
        Assert.Contains("MaxPool1d", ex.Message, StringComparison.Ordinal);
    }
}
