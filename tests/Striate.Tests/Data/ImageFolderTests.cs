// Image folders: classes from sorted sub-folders, files in sorted order, PNG/PPM/PGM/BMP decoded by
// content, grey/RGB conversion, resizing, and clear errors for missing roots, empty classes and
// corrupt files.
using Striate.Data;
using Striate.Imaging;

namespace Striate.Tests.Data;

public class ImageFolderTests
{
    private static ImageData Solid(int w, int h, int channels, params byte[] value) =>
        new(w, h, channels, [.. Enumerable.Range(0, w * h).SelectMany(_ => value)]);

    private static string Build(DataTempDirectory dir)
    {
        string root = dir.Sub("images");
        dir.Write("images/cat/b.png", Png.Encode(Solid(4, 4, 3, 255, 0, 0)));
        dir.Write("images/cat/a.ppm", Pnm.Encode(Solid(4, 4, 3, 0, 255, 0)));
        dir.Write("images/cat/notes.txt", "ignored"u8.ToArray());
        dir.Write("images/dog/x.bmp", Bmp.Encode(Solid(2, 2, 3, 0, 0, 255)));
        dir.Write("images/dog/sub/y.PGM", Pnm.Encode(Solid(8, 8, 1, 51)));
        dir.Write("images/.hidden/z.png", Png.Encode(Solid(4, 4, 1, 0)));
        return root;
    }

    [Fact]
    public void Load_SortedClassesAndFiles_DecodedByContent()
    {
        using var dir = new DataTempDirectory();
        string root = Build(dir);

        var data = ImageFolder.Load(root, new ImageFolderOptions { Height = 4, Width = 4 });

        Assert.Equal(["cat", "dog"], data.Dataset.ClassNames);
        Assert.Equal([0, 0, 1, 1], data.Dataset.Labels.ToArray());
        Assert.Equal(["a.ppm", "b.png", "x.bmp", "y.PGM"], data.Files.Select(Path.GetFileName));
        Assert.Equal([4, 3, 4, 4], data.Dataset.Images.Shape);
        var x = data.Dataset.Images;
        Assert.Equal((0f, 1f, 0f), (x[0, 0, 1, 1], x[0, 1, 1, 1], x[0, 2, 1, 1]));    // green PPM
        Assert.Equal((1f, 0f, 0f), (x[1, 0, 3, 3], x[1, 1, 3, 3], x[1, 2, 3, 3]));    // red PNG
        Assert.Equal((0f, 0f, 1f), (x[2, 0, 0, 0], x[2, 1, 2, 3], x[2, 2, 3, 3]));    // blue BMP, resized 2×2 → 4×4
        Assert.Equal((0.2f, 0.2f, 0.2f), (x[3, 0, 0, 0], x[3, 1, 0, 0], x[3, 2, 0, 0])); // grey PGM in every channel, 8×8 → 4×4
    }

    [Fact]
    public void Load_Grey_ConvertsRgbWithLumaWeights()
    {
        using var dir = new DataTempDirectory();
        string root = Build(dir);

        var data = ImageFolder.Load(root, new ImageFolderOptions { Height = 3, Width = 5, Channels = 1 });

        Assert.Equal([4, 1, 3, 5], data.Dataset.Images.Shape);
        Assert.Equal(0.587f, data.Dataset.Images[0, 0, 1, 1], 6);  // green
        Assert.Equal(0.2989f, data.Dataset.Images[1, 0, 2, 4], 6); // red
        Assert.Equal(0.114f, data.Dataset.Images[2, 0, 0, 0], 6);  // blue
    }

    [Fact]
    public void Load_ResultDrivesADataLoader()
    {
        using var dir = new DataTempDirectory();
        var data = ImageFolder.Load(Build(dir), new ImageFolderOptions { Height = 4, Width = 4 });
        var batch = new DataLoader(data.Dataset, batchSize: 4).Single();
        Assert.Equal([4, 3, 4, 4], batch.Images.Shape);
    }

    [Fact]
    public void Load_Problems_GiveClearErrors()
    {
        using var dir = new DataTempDirectory();
        Assert.Contains("does not exist", Assert.Throws<DatasetException>(() => ImageFolder.Load(dir.Sub("none"))).Message, StringComparison.Ordinal);

        Directory.CreateDirectory(dir.Sub("flat"));
        dir.Write("flat/a.png", Png.Encode(Solid(1, 1, 1, 0)));
        Assert.Contains("holds no class sub-folders", Assert.Throws<DatasetException>(() => ImageFolder.Load(dir.Sub("flat"))).Message, StringComparison.Ordinal);

        dir.Write("some/full/a.png", Png.Encode(Solid(1, 1, 1, 0)));
        dir.Write("some/empty/readme.txt", [1]);
        Assert.Contains("'empty'", Assert.Throws<DatasetException>(() => ImageFolder.Load(dir.Sub("some"))).Message, StringComparison.Ordinal);

        dir.Write("bad/one/a.png", Png.Encode(Solid(1, 1, 1, 0)));
        string corrupt = dir.Write("bad/one/b.bmp", [(byte)'B', (byte)'M', 0, 0]);
        var e = Assert.Throws<DatasetException>(() => ImageFolder.Load(dir.Sub("bad")));
        Assert.Contains(corrupt, e.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidDataException>(e.InnerException);

        dir.Write("odd/one/c.png", "GIF89a"u8.ToArray());
        Assert.Contains("not a PNG, PGM/PPM (P2, P3, P5, P6) or BMP file", Assert.Throws<DatasetException>(() => ImageFolder.Load(dir.Sub("odd"))).Message, StringComparison.Ordinal);

        dir.Write("big/one/d.pgm", Pnm.Encode(Solid(10, 10, 1, 0)));
        Assert.Contains("more than the limit", Assert.Throws<DatasetException>(() => ImageFolder.Load(dir.Sub("big"), new ImageFolderOptions { MaxPixels = 50 })).Message, StringComparison.Ordinal);

        Assert.Throws<ArgumentException>(() => ImageFolder.Load(dir.Sub("some"), new ImageFolderOptions { Channels = 2 }));
        Assert.Throws<ArgumentException>(() => ImageFolder.Load(dir.Sub("some"), new ImageFolderOptions { Width = 0 }));
    }
}
