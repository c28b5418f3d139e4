// The C# examples of docs/data.md, verbatim, each followed by assertions on the numbers the page
// shows, so the page never shows code that does not compile or results that are not true.
using Striate.Data;
using Striate.Data.Augmentations;
using Striate.Data.Synthetic;
using Striate.Kernels.Pad;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Docs;

public class DataDocExamplesTests
{
    [Fact]
    public void ShapesExample()
    {
        var shapes = SyntheticShapes.Generate(3, new Rng(1), new ShapesOptions { Size = 16, MinRadius = 3, MaxRadius = 3 });
        int square = shapes.Labels[1];                             // 1
        float width = shapes.Boxes[1, 2] - shapes.Boxes[1, 0];     // 6: a square of radius 3 spans 7 pixels
        float area = shapes.Masks.ToArray().Skip(256).Take(256).Sum(); // 49 = 7 × 7

        Assert.Equal(1, square);
        Assert.Equal(6f, width);
        Assert.Equal(49f, area);
    }

    [Fact]
    public void RotateFlipNormalizeExample()
    {
        var image = Tensor.FromArray([1f, 2f, 3f, 4f], 1, 2, 2);   // [[1, 2], [3, 4]]
        var turned = Warp.Rotate(image, 90);                       // [[2, 4], [1, 3]] (counter-clockwise)
        var mirrored = new RandomHorizontalFlip(p: 1).Apply(image, new Rng(1));          // [[2, 1], [4, 3]]
        var normalized = new Normalize([2.5f], [0.5f]).Apply(mirrored, new Rng(1));      // [[-1, -3], [3, 1]]

        AssertTensor.Close(turned, [1, 2, 2], [2, 4, 1, 3], new Tolerance(1e-12, 1e-12, "cos 90° ≈ 6e-17"), "rotate");
        Assert.Equal([2f, 1f, 4f, 3f], mirrored.ToArray());
        Assert.Equal([-1f, -3f, 3f, 1f], normalized.ToArray());
    }

    [Fact]
    public void ReflectCropExample()
    {
        var grid = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 1, 3, 3);
        var crop = new RandomCrop(3, padding: 1, padMode: BorderMode.Reflect);
        var corner = crop.CropAt(grid, top: 0, left: 0);           // [[5, 4, 5], [2, 1, 2], [5, 4, 5]]
        var anyWindow = crop.Apply(grid, new Rng(3));              // top, left ~ U{0, 1, 2}

        Assert.Equal([5f, 4f, 5f, 2f, 1f, 2f, 5f, 4f, 5f], corner.ToArray());
        Assert.Equal([1, 3, 3], anyWindow.Shape);
        Assert.Contains(5f, anyWindow.ToArray()); // the centre pixel is in every 3×3 window
    }

    [Fact]
    public void ColourExample()
    {
        var pixels = Tensor.FromArray([0.2f, 0.4f, 0.6f, 0.8f], 1, 2, 2);
        var brighter = ColorAdjust.Brightness(pixels, 1.5f);      // [0.3, 0.6, 0.9, 1] (1.2 clamped)
        var flatter = ColorAdjust.Contrast(pixels, 0.5f);         // 0.5·x + 0.5·mean(x) = [0.35, 0.45, 0.55, 0.65]
        var elastic = new ElasticWarp(alpha: 34, sigma: 4);       // the paper's MNIST setting
        int taps = elastic.Radius;                                 // 16 = ⌊4σ + ½⌋ taps on each side
        var patch = new Cutout(2).Apply(Tensor.Ones(1, 4, 4), new Rng(5));   // exactly 4 zeros

        AssertTensor.Close(brighter, [1, 2, 2], [0.3, 0.6, 0.9, 1], Tolerances.Pointwise, "brightness");
        AssertTensor.Close(flatter, [1, 2, 2], [0.35, 0.45, 0.55, 0.65], Tolerances.Pointwise, "contrast");
        Assert.Equal(16, taps);
        Assert.Equal(4, patch.ToArray().Count(v => v == 0));
    }

    [Fact]
    public void DataLoaderExample()
    {
        var train = SyntheticShapes.Generate(64, new Rng(1)).ToClassification();
        var augment = new Compose(
            new RandomHorizontalFlip(),
            new RandomCrop(32, padding: 4, padMode: BorderMode.Reflect),
            new RandomRotation(10),
            new Normalize([0.2f], [0.3f]));
        var loader = new DataLoader(train, batchSize: 16, shuffle: true, rng: new Rng(7), transform: augment);
        int batches = 0;
        foreach (var batch in loader.PrefetchedEpoch())
            batches++;                                             // each batch.Images: (16, 1, 32, 32)
        // batches == 4

        Assert.Equal(4, batches);
        Assert.Equal([16, 1, 32, 32], loader.First().Images.Shape);
    }
}
