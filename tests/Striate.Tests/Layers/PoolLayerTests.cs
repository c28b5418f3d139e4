// The pooling layers in a model summary: each appears with its type, options, output shape and
// zero parameters.
using Striate.Layers;

namespace Striate.Tests.Layers;

public class PoolLayerTests
{
    [Fact]
    public void Summary_ListsEveryPoolingLayerWithOutputShape()
    {
        var model = new Sequential(
            new MaxPool2d(3, stride: 2, padding: 1, ceilMode: true),
            new AvgPool2d(2, countIncludePad: false),
            new SumPool2d(2, stride: 1),
            new LpPool2d(2f, 2, stride: 1),
            new AdaptiveMaxPool2d(3),
            new AdaptiveAvgPool2d(2),
            new Maxout(2),
            new GlobalAvgPool());
        var summary = model.Summarize(4, 19, 23);
        Assert.Equal(
            [
                ("MaxPool2d", "3×3, stride 2, pad 1, ceil", "(1, 4, 10, 12)"),
                ("AvgPool2d", "2×2, stride 2, pad 0, exclude pad", "(1, 4, 5, 6)"),
                ("SumPool2d", "2×2, stride 1, pad 0", "(1, 4, 4, 5)"),
                ("LpPool2d", "p=2, 2×2, stride 1", "(1, 4, 3, 4)"),
                ("AdaptiveMaxPool2d", "output 3×3", "(1, 4, 3, 3)"),
                ("AdaptiveAvgPool2d", "output 2×2", "(1, 4, 2, 2)"),
                ("Maxout", "2 channels per group", "(1, 2, 2, 2)"),
                ("GlobalAvgPool", "", "(1, 2)"),
            ],
            summary.Rows.Select(r => (r.Type, r.Description, Tensor.ShapeText([.. r.OutputShape]))));
        Assert.All(summary.Rows, r => Assert.Equal(0, r.Parameters));
    }

    [Fact]
    public void Summary_OneAndThreeDimensionalPools()
    {
        var signal = new Sequential(new MaxPool1d(3, 2, 1), new AvgPool1d(2), new LpPool1d(1f, 2), new AdaptiveAvgPool1d(2), new AdaptiveMaxPool1d(1), new GlobalMaxPool());
        Assert.Equal("(1, 3)", Tensor.ShapeText([.. signal.Summarize(3, 21).Rows[^1].OutputShape]));
        var volume = new Sequential(new MaxPool3d(2), new AvgPool3d(2, 1, 1), new SumPool3d(1), new LpPool3d(2f, 1), new AdaptiveMaxPool3d(2), new AdaptiveAvgPool3d(1));
        Assert.Equal("(1, 2, 1, 1, 1)", Tensor.ShapeText([.. volume.Summarize(2, 8, 6, 10).Rows[^1].OutputShape]));
    }
}
