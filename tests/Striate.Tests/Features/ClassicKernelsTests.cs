using Striate.Features;

namespace Striate.Tests.Features;

public sealed class ClassicKernelsTests
{
    private static Tensor Image(float[,] values) => Tensor.FromArray(values).Reshape(1, 1, values.GetLength(0), values.GetLength(1));

    private static Tensor Apply(Tensor kernel, Tensor image, int padding = 0) =>
        Functional.Conv2d(image, kernel.Reshape(1, 1, kernel.Dims[0], kernel.Dims[1]), null, 1, padding);

    [Fact]
    public void VerticalEdge_ChapterStepImage_Gives30InTheMiddleColumns()
    {
        var image = new float[6, 6];
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 3; c++) image[r, c] = 10;
        var y = Apply(ClassicKernels.VerticalEdge(), Image(image));
        Assert.Equal([1, 1, 4, 4], y.Shape);
        for (int r = 0; r < 4; r++)
            Assert.Equal([0f, 30f, 30f, 0f], y.ToArray().Skip(r * 4).Take(4));
    }

    [Fact]
    public void VerticalEdge_ChapterWorkedExample_MatchesEveryOutput()
    {
        var image = new float[,]
        {
            { 3, 0, 1, 2, 7, 4 }, { 1, 5, 8, 9, 3, 1 }, { 2, 7, 2, 5, 1, 3 },
            { 0, 1, 3, 1, 7, 8 }, { 4, 2, 1, 6, 2, 8 }, { 2, 4, 5, 2, 3, 9 },
        };
        var y = Apply(ClassicKernels.VerticalEdge(), Image(image));
        Assert.Equal([-5f, -4, 0, 8, -10, -2, 2, 3, 0, -2, -4, -7, -3, -2, -3, -16], y.ToArray());
    }

    [Fact]
    public void Identity_WithPaddingOne_ReturnsTheImage()
    {
        var x = Tensor.Uniform(new Rng(1), -1, 1, 1, 1, 5, 7);
        Assert.Equal(x.ToArray(), Apply(ClassicKernels.Identity(), x, padding: 1).ToArray());
    }

    [Fact]
    public void Blurs_SumToOne_AndKeepAConstantImage()
    {
        foreach (var k in new[] { ClassicKernels.BoxBlur(), ClassicKernels.BoxBlur(5), ClassicKernels.GaussianBlur(), ClassicKernels.GaussianBlur(7, 2.5f) })
        {
            Assert.Equal(1.0, k.ToArray().Sum(v => (double)v), 5);
            var y = Apply(k, Tensor.Full(3f, 1, 1, 9, 9));
            Assert.All(y.ToArray(), v => Assert.Equal(3f, v, 4));
        }
    }

    [Fact]
    public void GaussianBlur_NeighbourRatio_IsExpOfMinusOneOverTwoSigmaSquared()
    {
        var k = ClassicKernels.GaussianBlur(5, 1.5f);
        Assert.Equal(Math.Exp(-1 / (2 * 1.5 * 1.5)), k[2, 3] / k[2, 2], 5);
        Assert.Equal(Math.Exp(-8 / (2 * 1.5 * 1.5)), k[0, 0] / k[2, 2], 5);
        Assert.Equal(k[0, 1], k[1, 0]);
    }

    [Fact]
    public void GradientKernels_OnARamp_GiveTheSlopeTimesTheirWeight()
    {
        // I(r, c) = 2c + 3r: ∂/∂x = 2, ∂/∂y = 3. Sobel weighs the central difference by 1+2+1 = 4, Scharr by 16, Prewitt by 3.
        var ramp = new float[6, 7];
        for (int r = 0; r < 6; r++)
            for (int c = 0; c < 7; c++) ramp[r, c] = 2 * c + 3 * r;
        var x = Image(ramp);
        Assert.All(Apply(ClassicKernels.SobelX(), x).ToArray(), v => Assert.Equal(2f * 2 * 4, v));
        Assert.All(Apply(ClassicKernels.SobelY(), x).ToArray(), v => Assert.Equal(3f * 2 * 4, v));
        Assert.All(Apply(ClassicKernels.ScharrX(), x).ToArray(), v => Assert.Equal(2f * 2 * 16, v));
        Assert.All(Apply(ClassicKernels.ScharrY(), x).ToArray(), v => Assert.Equal(3f * 2 * 16, v));
        Assert.All(Apply(ClassicKernels.PrewittX(), x).ToArray(), v => Assert.Equal(2f * 2 * 3, v));
        Assert.All(Apply(ClassicKernels.PrewittY(), x).ToArray(), v => Assert.Equal(3f * 2 * 3, v));
        Assert.All(Apply(ClassicKernels.Laplacian(), x).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Laplacians_OfAQuadratic_AreConstant()
    {
        // I = r² + c²: ∇²I = 4 with the 4-neighbour stencil; the 8-neighbour one gives −(sum of the 8 second differences) = −12.
        var q = new float[7, 7];
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 7; c++) q[r, c] = r * r + c * c;
        Assert.All(Apply(ClassicKernels.Laplacian(), Image(q)).ToArray(), v => Assert.Equal(4f, v));
        Assert.All(Apply(ClassicKernels.Laplacian8(), Image(q)).ToArray(), v => Assert.Equal(-12f, v));
    }

    [Fact]
    public void Sharpen_IsImageMinusLaplacian()
    {
        var x = Tensor.Uniform(new Rng(2), 0, 1, 1, 1, 6, 6);
        var sharp = Apply(ClassicKernels.Sharpen(), x).ToArray();
        var expected = (Apply(ClassicKernels.Identity(), x) - Apply(ClassicKernels.Laplacian(), x)).ToArray();
        for (int i = 0; i < sharp.Length; i++) Assert.Equal(expected[i], sharp[i], 5);
    }

    [Fact]
    public void NeighbourDifference_ShrinksWidthByOne_AndTakesLeftDifferences()
    {
        var x = Image(new float[,] { { 1, 4, 9, 16 }, { 0, 0, 5, 5 } });
        var y = Apply(ClassicKernels.NeighbourDifference(), x);
        Assert.Equal([1, 1, 2, 3], y.Shape);
        Assert.Equal([3f, 5, 7, 0, 5, 0], y.ToArray());
    }

    [Fact]
    public void HorizontalAndDiagonalEdges_AreTheChaptersKernels()
    {
        Assert.Equal([1f, 1, 1, 0, 0, 0, -1, -1, -1], ClassicKernels.HorizontalEdge().ToArray());
        Assert.Equal([1f, 0, -1, 0, 0, 0, -1, 0, 1], ClassicKernels.DiagonalEdge().ToArray());
    }

    [Fact]
    public void ByName_EveryName_GivesItsKernel_UnknownThrowsNamingParameter()
    {
        foreach (var name in ClassicKernels.Names) Assert.Equal(2, ClassicKernels.ByName(name).Rank);
        Assert.Equal(ClassicKernels.SobelX().ToArray(), ClassicKernels.ByName("Sobel-X").ToArray());
        var e = Assert.Throws<ArgumentException>(() => ClassicKernels.ByName("emboss"));
        Assert.Equal("name", e.ParamName);
        Assert.Contains("sobel-x", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToFrozenConv2d_RgbInput_FiltersTheChannelMean_AndIsFrozen()
    {
        var conv = ClassicKernels.ToFrozenConv2d([ClassicKernels.SobelX(), ClassicKernels.VerticalEdge()], inChannels: 3, padding: 1);
        Assert.False(conv.Weight.RequiresGrad);
        Assert.Null(conv.Bias);
        var x = Tensor.Uniform(new Rng(3), 0, 1, 2, 3, 5, 6);
        var y = conv.Forward(x);
        var mean = x.Mean(1, keepDim: true);
        var expected = Functional.Conv2d(mean, Tensor.FromArray([.. ClassicKernels.SobelX().ToArray(), .. ClassicKernels.VerticalEdge().ToArray()], 2, 1, 3, 3), null, 1, 1);
        var a = y.ToArray();
        var b = expected.ToArray();
        // Filtering the mean equals averaging the filtered channels up to float32 reassociation
        // (the convolution may pick another algorithm and summation order for each side).
        for (int i = 0; i < a.Length; i++) Assert.True(Math.Abs(b[i] - a[i]) <= 1e-5f * (1 + Math.Abs(b[i])), $"index {i}: expected {b[i]:R}, actual {a[i]:R}");

        // Frozen weights: gradients reach the input but not the weight.
        x.RequiresGrad = true;
        conv.Forward(x).Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.Null(conv.Weight.Grad);
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => ClassicKernels.GaussianBlur(4)).ParamName);
        Assert.Equal("sigma", Assert.Throws<ArgumentOutOfRangeException>(() => ClassicKernels.GaussianBlur(3, 0)).ParamName);
        Assert.Equal("size", Assert.Throws<ArgumentOutOfRangeException>(() => ClassicKernels.BoxBlur(0)).ParamName);
        Assert.Equal("kernels", Assert.Throws<ArgumentException>(() => ClassicKernels.ToFrozenConv2d([])).ParamName);
        Assert.Equal("kernels", Assert.Throws<ArgumentException>(() => ClassicKernels.ToFrozenConv2d([ClassicKernels.SobelX(), ClassicKernels.BoxBlur(5)])).ParamName);
        Assert.Equal("kernels", Assert.Throws<ArgumentException>(() => ClassicKernels.ToFrozenConv2d([ClassicKernels.NeighbourDifference()])).ParamName);
        Assert.Equal("inChannels", Assert.Throws<ArgumentOutOfRangeException>(() => ClassicKernels.ToFrozenConv2d([ClassicKernels.SobelX()], inChannels: 0)).ParamName);
    }
}
