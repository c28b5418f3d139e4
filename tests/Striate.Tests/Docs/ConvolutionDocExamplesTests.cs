// The C# examples of docs/ops/convolution.md, verbatim, each followed by assertions on the numbers the
// page shows, so the page never shows code that does not compile or results that are not true.
using Striate.Layers;

namespace Striate.Tests.Docs;

public class ConvolutionDocExamplesTests
{
    [Fact]
    public void EdgeDetectionExample()
    {
        var image = Tensor.FromArray(new float[]
        {
            3, 0, 1, 2, 7, 4,
            1, 5, 8, 9, 3, 1,
            2, 7, 2, 5, 1, 3,
            0, 1, 3, 1, 7, 8,
            4, 2, 1, 6, 2, 8,
            2, 4, 5, 2, 3, 9,
        }, 1, 1, 6, 6);
        var verticalEdge = Tensor.FromArray(new float[] { 1, 0, -1, 1, 0, -1, 1, 0, -1 }, 1, 1, 3, 3);
        var edges = Functional.Conv2d(image, verticalEdge);
        // [[ -5,  -4,  0,   8],
        //  [-10,  -2,  2,   3],
        //  [  0,  -2, -4,  -7],
        //  [ -3,  -2, -3, -16]]

        Assert.Equal([1, 1, 4, 4], edges.Shape);
        Assert.Equal([-5f, -4, 0, 8, -10, -2, 2, 3, 0, -2, -4, -7, -3, -2, -3, -16], edges.ToArray());
    }

    [Fact]
    public void StrideArithmeticExample()
    {
        var input = Tensor.Zeros(1, 1, 7, 7);
        var filter = Tensor.Zeros(1, 1, 3, 3);
        var s1 = Functional.Conv2d(input, filter, stride: 1).Shape;              // (1, 1, 5, 5)
        var s2 = Functional.Conv2d(input, filter, stride: 2).Shape;              // (1, 1, 3, 3)
        var s3 = Functional.Conv2d(input, filter, stride: 3).Shape;              // (1, 1, 2, 2)
        var padded = Functional.Conv2d(input, filter, stride: 1, padding: 1).Shape; // (1, 1, 7, 7)

        Assert.Equal([1, 1, 5, 5], s1);
        Assert.Equal([1, 1, 3, 3], s2);
        Assert.Equal([1, 1, 2, 2], s3);
        Assert.Equal([1, 1, 7, 7], padded);
    }

    [Fact]
    public void ParameterCountExample()
    {
        var conv = new Conv2d(inChannels: 3, outChannels: 10, kernelSize: 5, stride: 1, padding: 2);
        var outputShape = conv.Summarize(3, 32, 32).OutputShape;   // (1, 10, 32, 32)
        var parameters = conv.ParameterCount();                      // 760
        var colour = new Conv2d(3, 32, 5).ParameterCount();          // 2432
        var depthwise = new Conv2d(32, 32, 3, groups: 32).ParameterCount(); // 320

        Assert.Equal([1, 10, 32, 32], outputShape);
        Assert.Equal(760, parameters);
        Assert.Equal(2432, colour);
        Assert.Equal(320, depthwise);
    }

    [Fact]
    public void ValidSameFullExample()
    {
        var ones = Tensor.Ones(1, 1, 6);
        var kernel = Tensor.Ones(1, 1, 3);
        var valid = Functional.Conv1d(ones, kernel, padding: "valid"); // 3 3 3 3
        var same = Functional.Conv1d(ones, kernel, padding: "same");   // 2 3 3 3 3 2
        var full = Functional.Conv1d(ones, kernel, padding: "full");   // 1 2 3 3 3 3 2 1

        var square = Tensor.Ones(1, 1, 4, 4);
        var box = Tensor.Ones(1, 1, 3, 3);
        var validShape = Functional.Conv2d(square, box, padding: "valid").Shape; // (1, 1, 2, 2)
        var sameShape = Functional.Conv2d(square, box, padding: "same").Shape;   // (1, 1, 4, 4)
        var fullShape = Functional.Conv2d(square, box, padding: "full").Shape;   // (1, 1, 6, 6)

        Assert.Equal([3f, 3, 3, 3], valid.ToArray());
        Assert.Equal([2f, 3, 3, 3, 3, 2], same.ToArray());
        Assert.Equal([1f, 2, 3, 3, 3, 3, 2, 1], full.ToArray());
        Assert.Equal([1, 1, 2, 2], validShape);
        Assert.Equal([1, 1, 4, 4], sameShape);
        Assert.Equal([1, 1, 6, 6], fullShape);
    }

    [Fact]
    public void SameWithEvenKernelExample()
    {
        var even = Functional.Conv1d(Tensor.FromArray(new float[] { 1, 2, 3, 4, 5 }, 1, 1, 5),
            Tensor.Ones(1, 1, 4), padding: "same");                  // 6 10 14 12 9

        Assert.Equal([6f, 10, 14, 12, 9], even.ToArray());
    }

    [Fact]
    public void TrueConvolutionCommutesExample()
    {
        var a = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5 }, 1, 1, 5);
        var b = Tensor.FromArray(new float[] { 2, -1, 3 }, 1, 1, 3);
        var ab = Functional.Conv1d(a, b, padding: "full", convolutionMode: ConvolutionMode.TrueConvolution); // 2 3 7 11 15 7 15
        var ba = Functional.Conv1d(b, a, padding: "full", convolutionMode: ConvolutionMode.TrueConvolution); // 2 3 7 11 15 7 15
        var cross = Functional.Conv1d(a, b, padding: "full");                                                // 3 5 9 13 17 3 10

        Assert.Equal([2f, 3, 7, 11, 15, 7, 15], ab.ToArray());
        Assert.Equal([2f, 3, 7, 11, 15, 7, 15], ba.ToArray());
        Assert.Equal([3f, 5, 9, 13, 17, 3, 10], cross.ToArray());
    }

    [Fact]
    public void ModesDilationGroupsLayerExample()
    {
        var layer = new Conv2d(inChannels: 4, outChannels: 8, kernelSize: 3, padding: "same",
            dilation: 2, groups: 2, paddingMode: PaddingMode.Reflect);
        var y = layer.Forward(Tensor.Ones(1, 4, 9, 9));  // (1, 8, 9, 9): reflect-padded by d(k − 1)/2 = 2 per side
        var description = layer.Description;              // 4→8, 3×3, stride 1, pad same, dilation 2, groups 2, reflect padding

        Assert.Equal([1, 8, 9, 9], y.Shape);
        Assert.Equal("4→8, 3×3, stride 1, pad same, dilation 2, groups 2, reflect padding", description);
        // On a constant input, reflect padding is constant too: every output is the filter sum plus the bias.
        float expected = layer.Weight.ToArray().Take(2 * 9).Sum() + layer.Bias![0];
        Assert.All(y.ToArray().Take(81), v => Assert.Equal(expected, v, 4));
    }

    [Fact]
    public void TransposedConvolutionExample()
    {
        var up = Functional.ConvTranspose1d(Tensor.FromArray(new float[] { 1, 2 }, 1, 1, 2),
            Tensor.FromArray(new float[] { 1, 1, 1 }, 1, 1, 3), stride: 2);       // 1 1 3 2 2
        var upsample = new ConvTranspose2d(inChannels: 3, outChannels: 2, kernelSize: 4, stride: 2, padding: 1);
        var doubled = upsample.Forward(Tensor.Ones(1, 3, 7, 5)).Shape;            // (1, 2, 14, 10)

        Assert.Equal([1f, 1, 3, 2, 2], up.ToArray());
        Assert.Equal([1, 2, 14, 10], doubled);
    }

    [Fact]
    public void PaddingExample()
    {
        var row = Tensor.FromArray(new float[] { 1, 2, 3 }, 1, 1, 3);
        var reflected = Functional.Pad(row, [2, 2], PadMode.Reflect);           // 3 2 1 2 3 2 1
        var replicated = Functional.Pad(row, [2, 2], PadMode.Replicate);        // 1 1 1 2 3 3 3
        var wrapped = Functional.Pad(row, [2, 2], PadMode.Circular);            // 2 3 1 2 3 1 2
        var constant = Functional.Pad(row, [1, -1], PadMode.Constant, value: 9); // 9 1 2
        var framed = new ZeroPad2d(1).Forward(Tensor.Ones(1, 1, 4, 4)).Shape;   // (1, 1, 6, 6)

        Assert.Equal([3f, 2, 1, 2, 3, 2, 1], reflected.ToArray());
        Assert.Equal([1f, 1, 1, 2, 3, 3, 3], replicated.ToArray());
        Assert.Equal([2f, 3, 1, 2, 3, 1, 2], wrapped.ToArray());
        Assert.Equal([9f, 1, 2], constant.ToArray());
        Assert.Equal([1, 1, 6, 6], framed);
    }

    [Fact]
    public void PaddingModeTable_MatchesTheLayerModes()
    {
        // The page's table of the row 1 2 3 padded by 2 in each padding mode of a convolution layer.
        var row = Tensor.FromArray(new float[] { 1, 2, 3 }, 1, 1, 3);
        var identity = Tensor.Ones(1, 1, 1);
        string Padded(PaddingMode mode) => string.Join(" ", Functional.Conv1d(row, identity, padding: 2, paddingMode: mode).ToArray());
        Assert.Equal("0 0 1 2 3 0 0", Padded(PaddingMode.Zeros));
        Assert.Equal("3 2 1 2 3 2 1", Padded(PaddingMode.Reflect));
        Assert.Equal("1 1 1 2 3 3 3", Padded(PaddingMode.Replicate));
        Assert.Equal("2 3 1 2 3 1 2", Padded(PaddingMode.Circular));
    }
}
