using Striate.Features;
using Striate.Layers;
using Striate.Models;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class NetworkPicturesTests
{
    [Fact]
    public void FirstLayerWeight_LeNet_IsTheFirstConvolution()
    {
        var net = LeNet5.Create(rng: new Rng(1));
        Assert.Same(((Conv2d)net[0]).Weight, NetworkPictures.FirstLayerWeight(net));
        var gabor = new Sequential(new GaborConv2d(Gabor.Bank(5, 2, [1], [0], 0.1, 0.1)), new ReLU());
        Assert.Equal([2, 1, 5, 5], NetworkPictures.FirstLayerWeight(gabor).Shape);
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => NetworkPictures.FirstLayerWeight(new Sequential(new Linear(2, 2)))).ParamName);
    }

    [Fact]
    public void Filters_PerChannel_OneRowPerFilterOneColumnPerChannel()
    {
        var w = Tensor.Uniform(new Rng(2), -1, 1, 4, 2, 3, 3);
        var picture = NetworkPictures.Filters(w);
        // 2 columns of 3·4 = 12-pixel cells: width 2·(12 + 1) + 1 = 27; 4 rows: 4·13 + 1 = 53.
        Assert.Equal((27, 53, 1), (picture.Width, picture.Height, picture.Channels));
        // Filter 2, channel 1 sits in row 2, column 1; its largest weight is white.
        var data = w.ToArray().Skip((2 * 2 + 1) * 9).Take(9).ToArray();
        int argmax = Array.IndexOf(data, data.Max());
        Assert.Equal(255, picture[1 + 2 * 13 + argmax / 3 * 4, 1 + 13 + argmax % 3 * 4, 0]);
    }

    [Fact]
    public void Filters_ThreeChannels_AreColourPictures()
    {
        var w = Tensor.Uniform(new Rng(3), -1, 1, 5, 3, 2, 2);
        var picture = NetworkPictures.Filters(w, options: new GridOptions { Padding = 0, Columns = 5 });
        Assert.Equal((10, 2, 3), (picture.Width, picture.Height, picture.Channels));
        // Filter 0 normalised over its 12 weights together: its extreme weights map to 0 and 255.
        var f0 = w.ToArray().Take(12).ToArray();
        int max = Array.IndexOf(f0, f0.Max());
        Assert.Equal(255, picture[max % 4 / 2, max % 2, max / 4]);
        Assert.Equal("layout", Assert.Throws<ArgumentException>(() => NetworkPictures.Filters(Tensor.Zeros(2, 2, 3, 3), FilterLayout.Rgb)).ParamName);
    }

    [Fact]
    public void FeatureMaps_UpToLayer_EqualsRunningThoseLayers_AndRestoresTrainingMode()
    {
        var net = LeNet5.Create(rng: new Rng(4));
        var x = Tensor.Uniform(new Rng(5), 0, 1, 1, 28, 28);
        var maps = NetworkPictures.FeatureMaps(net, x, 1);
        Assert.Equal([1, 6, 28, 28], maps.Shape);
        var expected = net[1].Forward(net[0].Forward(x.Reshape(1, 1, 28, 28)));
        Assert.Equal(expected.ToArray(), maps.ToArray());
        Assert.True(net.IsTraining && net[0].IsTraining);
        Assert.Null(maps.GradFn);

        var grid = NetworkPictures.FeatureMapGrid(maps);
        // 6 maps: 3 columns, 2 rows of 56-pixel cells (scale 2): 3·57 + 1 = 172 by 2·57 + 1 = 115.
        Assert.Equal((172, 115), (grid.Width, grid.Height));
        Assert.Throws<ArgumentOutOfRangeException>(() => NetworkPictures.FeatureMaps(net, x, 12));
        Assert.Equal("item", Assert.Throws<ArgumentOutOfRangeException>(() => NetworkPictures.FeatureMapGrid(maps, item: 1)).ParamName);
    }

    [Fact]
    public void FeatureMaps_EvalScopeRestoresMixedModes()
    {
        var inner = new Sequential(new Dropout(0.5f));
        var net = new Sequential(new Linear(3, 3), inner);
        inner.Eval();
        NetworkPictures.FeatureMaps(net, Tensor.Zeros(2, 3), 1);
        Assert.True(net.IsTraining);
        Assert.False(inner.IsTraining);
    }
}
