using Striate.Imaging;
using Striate.Visualization;

namespace Striate.Tests.Visualization;

public sealed class ImageGridTests
{
    private static Tensor Ramp(int h, int w, float offset) =>
        Tensor.FromArray([.. Enumerable.Range(0, h * w).Select(i => i + offset)], h, w);

    [Fact]
    public void Tile_FiveMaps_PlacesEachAtItsCellWithPaddingAndBackground()
    {
        var maps = Enumerable.Range(0, 5).Select(i => Ramp(2, 3, i * 10)).ToList();
        var grid = ImageGrid.Tile(maps);

        // ⌈√5⌉ = 3 columns, 2 rows: width 3·(3 + 1) + 1 = 13, height 2·(2 + 1) + 1 = 7.
        Assert.Equal((13, 7, 1), (grid.Width, grid.Height, grid.Channels));
        for (int i = 0; i < 5; i++)
        {
            var (top, left) = ImageGrid.CellOrigin(i, 3, 2, 3, new GridOptions());
            Assert.Equal((1 + i / 3 * 3, 1 + i % 3 * 4), (top, left));
            Assert.Equal(0, grid[top, left, 0]);            // each map's minimum
            Assert.Equal(255, grid[top + 1, left + 2, 0]);  // each map's maximum
            Assert.Equal(51, grid[top, left + 1, 0]);       // 1/5 of the way: round(255·0.2)
        }
        Assert.Equal(255, grid[0, 0, 0]);    // border
        Assert.Equal(255, grid[3, 4, 0]);    // between rows
        Assert.Equal(255, grid[5, 10, 0]);   // the empty sixth cell
    }

    [Fact]
    public void Tile_ScaleAndColumns_RepeatPixelsInBlocks()
    {
        var grid = ImageGrid.Tile([Ramp(1, 2, 0), Ramp(1, 2, 0)], new GridOptions { Columns = 1, Scale = 3, Padding = 2, Background = 7 });
        // One column: width 1·(2·3 + 2) + 2 = 10; two rows: height 2·(1·3 + 2) + 2 = 12.
        Assert.Equal((10, 12), (grid.Width, grid.Height));
        for (int dy = 0; dy < 3; dy++)
            for (int dx = 0; dx < 3; dx++)
            {
                Assert.Equal(0, grid[2 + dy, 2 + dx, 0]);
                Assert.Equal(255, grid[2 + dy, 5 + dx, 0]);
                Assert.Equal(255, grid[7 + dy, 5 + dx, 0]);
            }
        Assert.Equal(7, grid[5, 2, 0]);
    }

    [Fact]
    public void Tile_SharedAndNoNormalization_MapValuesAsDocumented()
    {
        var a = Tensor.FromArray([0f, 1f], 1, 2);
        var b = Tensor.FromArray([0f, 4f], 1, 2);
        var shared = ImageGrid.Tile([a, b], new GridOptions { Normalization = GridNormalization.Shared, Columns = 2, Padding = 0 });
        Assert.Equal([0, 64, 0, 255], shared.Pixels); // 1/4 of the range: round(63.75)
        var none = ImageGrid.Tile([Tensor.FromArray([-1f, 0.2f, 2f], 1, 3)], new GridOptions { Normalization = GridNormalization.None, Padding = 0 });
        Assert.Equal([0, 51, 255], none.Pixels);
    }

    [Fact]
    public void Tile_ColourAndGreyMaps_GivesRgbWithGreyRepeated()
    {
        var colour = Tensor.FromArray([1f, 0f, 0f, 1f, 0f, 0f], 3, 1, 2); // R = [1, 0], G = [0, 1], B = [0, 0]
        var grey = Tensor.FromArray([0f, 1f], 1, 2);
        var grid = ImageGrid.Tile([colour, grey], new GridOptions { Columns = 2, Padding = 0 });
        Assert.Equal(3, grid.Channels);
        Assert.Equal([255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 255, 255], grid.Pixels);
    }

    [Fact]
    public void Split_Batch_GivesOneMapPerItem()
    {
        var batch = Tensor.FromArray([.. Enumerable.Range(0, 12).Select(i => (float)i)], 3, 1, 2, 2);
        var maps = ImageGrid.Split(batch);
        Assert.Equal(3, maps.Count);
        Assert.Equal([1, 2, 2], maps[2].Shape);
        Assert.Equal([8f, 9, 10, 11], maps[2].ToArray());
    }

    [Fact]
    public void Save_WritesAPngThatDecodesToTheGrid()
    {
        string path = Path.Combine(Path.GetTempPath(), "striate-grid-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            var grid = ImageGrid.Save(path, [Ramp(4, 4, 0), Ramp(4, 4, 3)]);
            Assert.Equal(grid.Pixels, Png.Load(path).Pixels);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Tile_BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("maps", Assert.Throws<ArgumentException>(() => ImageGrid.Tile([])).ParamName);
        Assert.Equal("maps", Assert.Throws<ArgumentException>(() => ImageGrid.Tile([Tensor.Zeros(2, 3, 3)])).ParamName);
        Assert.Equal("maps", Assert.Throws<ArgumentException>(() => ImageGrid.Tile([Tensor.Full(float.NaN, 2, 2)])).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Tile([Tensor.Zeros(2, 2)], new GridOptions { Scale = 0 })).ParamName);
        Assert.Equal("batch", Assert.Throws<ArgumentException>(() => ImageGrid.Split(Tensor.Zeros(2, 2))).ParamName);
    }
}
