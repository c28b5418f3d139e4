// Tiling many maps — filters, feature maps, samples — into one picture, as torchvision's make_grid:
// map i goes to cell (row ⌊i/columns⌋, column i mod columns), whose top-left pixel is
//   (padding + row·(cellHeight·scale + padding), padding + column·(cellWidth·scale + padding))
// with the cell size the largest map's. Values become bytes after normalisation:
//   per map:  b = round(255·(v − min_map)/max(max_map − min_map, 1e−5))   (min and max over all its channels)
//   shared:   the same with min and max over all maps
//   none:     b = round(255·clamp(v, 0, 1))
using Striate.Imaging;

namespace Striate.Visualization;

/// <summary>How <see cref="ImageGrid.Tile"/> maps values to grey levels.</summary>
public enum GridNormalization
{
    /// <summary>Each map stretched to [0, 255] by its own minimum and maximum.</summary>
    PerMap,
    /// <summary>All maps stretched by the minimum and maximum over all of them (comparable brightness).</summary>
    Shared,
    /// <summary>Values taken as already in [0, 1] (clipped).</summary>
    None,
}

/// <summary>Layout of an image grid.</summary>
public sealed record GridOptions
{
    /// <summary>Maps per row; 0 (the default) picks ⌈√n⌉.</summary>
    public int Columns { get; init; }

    /// <summary>Pixels of background between cells and around the grid.</summary>
    public int Padding { get; init; } = 1;

    /// <summary>Grey level of the background, 0–255.</summary>
    public byte Background { get; init; } = 255;

    /// <summary>Value-to-grey mapping.</summary>
    public GridNormalization Normalization { get; init; } = GridNormalization.PerMap;

    /// <summary>Each map pixel drawn as a Scale×Scale block (small filters are hard to see at 1).</summary>
    public int Scale { get; init; } = 1;
}

/// <summary>Tiles maps into one image.</summary>
public static class ImageGrid
{
    /// <summary>
    /// Tiles <paramref name="maps"/> row by row into one 8-bit image: grey when every map has one
    /// channel, RGB when any has three (grey maps are then repeated over R, G, B).
    /// </summary>
    /// <param name="maps">Each (H, W), (1, H, W) or (3, H, W); sizes may differ (each map sits at its cell's top left).</param>
    /// <param name="options">Layout and normalisation; defaults when null.</param>
    /// <returns>An image of columns·(cellWidth·scale + padding) + padding by rows·(cellHeight·scale + padding) + padding pixels.</returns>
    /// <exception cref="ArgumentException">No maps, or a map is not (H, W), (1, H, W) or (3, H, W) (<c>maps</c>); a map holds NaN.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Columns or padding is negative, or scale is not positive (<c>options</c>).</exception>
    public static ImageData Tile(IReadOnlyList<Tensor> maps, GridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(maps);
        options ??= new GridOptions();
        if (options.Columns < 0 || options.Padding < 0 || options.Scale < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options, "Columns and Padding must not be negative and Scale must be at least 1.");
        if (maps.Count == 0) throw new ArgumentException("An image grid needs at least one map.", nameof(maps));
        int cellH = 0, cellW = 0;
        bool rgb = false;
        for (int i = 0; i < maps.Count; i++)
        {
            var (c, h, w) = MapShape(maps[i], i);
            cellH = Math.Max(cellH, h);
            cellW = Math.Max(cellW, w);
            rgb |= c == 3;
        }
        int columns = Columns(maps.Count, options);
        int rows = (maps.Count + columns - 1) / columns;
        int pad = options.Padding, scale = options.Scale;
        long width = (long)columns * (cellW * scale + pad) + pad, height = (long)rows * (cellH * scale + pad) + pad;
        int channels = rgb ? 3 : 1;
        if (width * height * channels > Array.MaxLength)
            throw new ArgumentException($"The grid would be {width}×{height} pixels, too large for one image.", nameof(maps));
        var pixels = new byte[width * height * channels];
        Array.Fill(pixels, options.Background);

        (float Min, float Max) shared = options.Normalization == GridNormalization.Shared ? Range(maps) : default;
        for (int i = 0; i < maps.Count; i++)
        {
            var (c, h, w) = MapShape(maps[i], i);
            var data = maps[i].AsSpan();
            var (min, max) = options.Normalization switch
            {
                GridNormalization.PerMap => Range([maps[i]]),
                GridNormalization.Shared => shared,
                _ => (0f, 1f),
            };
            float span = Math.Max(max - min, 1e-5f);
            var (top, left) = CellOrigin(i, columns, cellH, cellW, options);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    for (int ch = 0; ch < channels; ch++)
                    {
                        float v = data[(c == 1 ? 0 : ch) * h * w + y * w + x];
                        if (float.IsNaN(v)) throw new ArgumentException($"Map {i} holds NaN at row {y}, column {x}.", nameof(maps));
                        byte b = (byte)MathF.Round(Math.Clamp((v - min) / span, 0f, 1f) * 255f);
                        for (int dy = 0; dy < scale; dy++)
                            for (int dx = 0; dx < scale; dx++)
                                pixels[((top + (long)y * scale + dy) * width + left + (long)x * scale + dx) * channels + ch] = b;
                    }
        }
        return new ImageData((int)width, (int)height, channels, pixels);
    }

    /// <summary>The pixel (row, column) where map <paramref name="index"/>'s top-left pixel goes.</summary>
    /// <param name="index">Position of the map in the list.</param>
    /// <param name="columns">Maps per row.</param>
    /// <param name="cellHeight">Height of the largest map.</param>
    /// <param name="cellWidth">Width of the largest map.</param>
    /// <param name="options">The grid's options (padding and scale are used).</param>
    public static (int Top, int Left) CellOrigin(int index, int columns, int cellHeight, int cellWidth, GridOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int row = index / columns, column = index % columns;
        return (options.Padding + row * (cellHeight * options.Scale + options.Padding), options.Padding + column * (cellWidth * options.Scale + options.Padding));
    }

    /// <summary>Splits a batch into maps: (N, C, H, W) into N maps (C, H, W), (N, H, W) into N maps (H, W).</summary>
    /// <param name="batch">(N, C, H, W) or (N, H, W).</param>
    /// <exception cref="ArgumentException">The tensor is not 3-D or 4-D.</exception>
    public static IReadOnlyList<Tensor> Split(Tensor batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Rank is not (3 or 4))
            throw new ArgumentException($"A batch of maps is (N, H, W) or (N, C, H, W); got {Tensor.ShapeText(batch.Dims)}.", nameof(batch));
        int n = batch.Dims[0], each = n == 0 ? 0 : batch.Length / n;
        int[] shape = [.. batch.Dims[1..]];
        var maps = new Tensor[n];
        for (int i = 0; i < n; i++) maps[i] = Tensor.FromArray(batch.AsSpan().Slice(i * each, each).ToArray(), shape);
        return maps;
    }

    /// <summary>Tiles <paramref name="maps"/> (see <see cref="Tile"/>) and writes the grid as a PNG file.</summary>
    /// <param name="path">Target file; its directory must exist.</param>
    /// <param name="maps">The maps.</param>
    /// <param name="options">Layout and normalisation.</param>
    /// <exception cref="ArgumentException">As <see cref="Tile"/>.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static ImageData Save(string path, IReadOnlyList<Tensor> maps, GridOptions? options = null)
    {
        var image = Tile(maps, options);
        Png.Save(path, image);
        return image;
    }

    internal static int Columns(int count, GridOptions options) =>
        options.Columns > 0 ? Math.Min(options.Columns, count) : (int)Math.Ceiling(Math.Sqrt(count));

    private static (int C, int H, int W) MapShape(Tensor map, int index)
    {
        if (map is null) throw new ArgumentException($"Map {index} is null.", "maps");
        if (map.Rank == 2 && map.Dims[0] > 0 && map.Dims[1] > 0) return (1, map.Dims[0], map.Dims[1]);
        if (map.Rank == 3 && map.Dims[0] is 1 or 3 && map.Dims[1] > 0 && map.Dims[2] > 0) return (map.Dims[0], map.Dims[1], map.Dims[2]);
        throw new ArgumentException($"Map {index} has shape {Tensor.ShapeText(map.Dims)}; maps are (H, W), (1, H, W) or (3, H, W).", "maps");
    }

    private static (float Min, float Max) Range(IEnumerable<Tensor> maps)
    {
        float min = float.PositiveInfinity, max = float.NegativeInfinity;
        foreach (var m in maps)
            foreach (float v in m.AsSpan())
            {
                if (v < min) min = v;
                if (v > max) max = v;
            }
        return float.IsFinite(min) ? (min, max) : (0f, 1f);
    }
}
