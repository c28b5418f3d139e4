// NPY/NPZ datasets: images and labels written by Striate's own Npy/Npz writers (format checked
// against numpy elsewhere), scaling, and the checks on ranks, counts, labels and keys.
using Striate.Data;
using Striate.Serialization;

namespace Striate.Tests.Data;

public class NpyDatasetTests
{
    [Fact]
    public void Load_TwoNpyFiles_ScalesImagesAndReadsLabels()
    {
        using var dir = new DataTempDirectory();
        string images = dir.Sub("x.npy"), labels = dir.Sub("y.npy");
        Npy.Write(images, Tensor.FromArray([0f, 51f, 102f, 255f, 0f, 0f, 0f, 0f], 2, 1, 2, 2));
        Npy.Write(labels, Tensor.FromArray([1f, 0f], 2));

        var data = NpyDataset.Load(images, labels, scale: 255f, classNames: ["a", "b"]);

        Assert.Equal([2, 1, 2, 2], data.Images.Shape);
        Assert.Equal([0f, 0.2f, 0.4f, 1f], data.GetImage(0).ToArray());
        Assert.Equal([1, 0], data.Labels.ToArray());
        Assert.Equal("b", data.ClassNames[1]);
    }

    [Fact]
    public void LoadNpz_Keys_ReadTheNamedArrays()
    {
        using var dir = new DataTempDirectory();
        string path = dir.Sub("d.npz");
        Npz.Write(path, [new("images", Tensor.Ones(3, 4)), new("labels", Tensor.FromArray([2f, 2f, 0f], 3))], compress: true);

        var data = NpyDataset.LoadNpz(path, "images", "labels");

        Assert.Equal([2, 2, 0], data.Labels.ToArray());
        Assert.Equal([4], data.SampleShape);
        var e = Assert.Throws<DatasetException>(() => NpyDataset.LoadNpz(path));
        Assert.Contains("no array 'x'; it holds 'images', 'labels'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_InconsistentArrays_GiveClearErrors()
    {
        using var dir = new DataTempDirectory();
        string images = dir.Sub("x.npy"), scalar = dir.Sub("s.npy"), two = dir.Sub("two.npy"), frac = dir.Sub("f.npy"), neg = dir.Sub("n.npy"), wide = dir.Sub("w.npy");
        Npy.Write(images, Tensor.Zeros(3, 2));
        Npy.Write(scalar, Tensor.Zeros(3));
        Npy.Write(two, Tensor.Zeros(2));
        Npy.Write(frac, Tensor.FromArray([0f, 1.5f, 2f], 3));
        Npy.Write(neg, Tensor.FromArray([0f, -1f, 2f], 3));
        Npy.Write(wide, Tensor.Zeros(3, 1));

        Assert.Contains("needs a sample axis", Assert.Throws<DatasetException>(() => NpyDataset.Load(scalar, scalar)).Message, StringComparison.Ordinal);
        Assert.Contains("holds 3 samples but the labels array", Assert.Throws<DatasetException>(() => NpyDataset.Load(images, two)).Message, StringComparison.Ordinal);
        Assert.Contains("holds 1.5 at index 1", Assert.Throws<DatasetException>(() => NpyDataset.Load(images, frac)).Message, StringComparison.Ordinal);
        Assert.Contains("holds -1 at index 1", Assert.Throws<DatasetException>(() => NpyDataset.Load(images, neg)).Message, StringComparison.Ordinal);
        Assert.Contains("must be one-dimensional", Assert.Throws<DatasetException>(() => NpyDataset.Load(images, wide)).Message, StringComparison.Ordinal);
        string three = dir.Sub("three.npy");
        Npy.Write(three, Tensor.FromArray([0f, 1f, 2f], 3));
        Assert.Contains("holds 2 at index 2; with 2 class names labels are 0..1", Assert.Throws<DatasetException>(() => NpyDataset.Load(images, three, classNames: ["a", "b"])).Message, StringComparison.Ordinal);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => NpyDataset.Load(images, scalar, scale: 0)).ParamName);
        Assert.Throws<FileNotFoundException>(() => NpyDataset.Load(dir.Sub("none.npy"), scalar));
    }
}
