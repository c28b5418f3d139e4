// Tensor creation, shapes, reshape, indexing and copy semantics.
namespace Striate.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void Zeros_Shape_AllZero()
    {
        var t = Tensor.Zeros(2, 3, 4);
        Assert.Equal([2, 3, 4], t.Shape);
        Assert.Equal(3, t.Rank);
        Assert.Equal(24, t.Length);
        Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
        Assert.False(t.RequiresGrad);
        Assert.True(t.IsLeaf);
        Assert.Null(t.Grad);
    }

    [Fact]
    public void OnesAndFull_FillEveryElement()
    {
        Assert.All(Tensor.Ones(3, 2).ToArray(), v => Assert.Equal(1f, v));
        var f = Tensor.Full(-2.5f, 2, 2);
        Assert.Equal([2, 2], f.Shape);
        Assert.All(f.ToArray(), v => Assert.Equal(-2.5f, v));
    }

    [Fact]
    public void Zeros_EmptyDimension_HasNoElements()
    {
        var t = Tensor.Zeros(0, 3);
        Assert.Equal(0, t.Length);
        Assert.Equal([0, 3], t.Shape);
    }

    [Fact]
    public void Zeros_NegativeDimension_ThrowsNamingShape()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, -1));
        Assert.Equal("shape", e.ParamName);
        Assert.Contains("(2, -1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scalar_IsRankZeroWithOneElement()
    {
        var s = Tensor.Scalar(4.5f);
        Assert.Equal(0, s.Rank);
        Assert.Equal(1, s.Length);
        Assert.Equal(4.5f, s.Item());
        Assert.Equal(4.5f, s[[]]);
    }

    [Fact]
    public void FromArray_RowMajorLayout()
    {
        var t = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        Assert.Equal(1f, t[0, 0]);
        Assert.Equal(3f, t[0, 2]);
        Assert.Equal(4f, t[1, 0]);
        Assert.Equal(6f, t[1, 2]);
    }

    [Fact]
    public void FromArray_LengthMismatch_ThrowsNamingData()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.FromArray([1f, 2f, 3f], 2, 2));
        Assert.Equal("data", e.ParamName);
        Assert.Contains("(2, 2)", e.Message, StringComparison.Ordinal);
        Assert.Contains("3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromArray_Null_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Tensor.FromArray((float[])null!, 1));
    }

    [Fact]
    public void FromArray_CopiesTheArray()
    {
        float[] data = [1f, 2f];
        var t = Tensor.FromArray(data, 2);
        data[0] = 99f;
        Assert.Equal(1f, t[0]);
    }

    [Fact]
    public void FromArray_RectangularArray_KeepsRowsAndColumns()
    {
        var t = Tensor.FromArray(new float[,] { { 1f, 2f, 3f }, { 4f, 5f, 6f } });
        Assert.Equal([2, 3], t.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], t.ToArray());
    }

    [Fact]
    public void ToArray_ReturnsACopy()
    {
        var t = Tensor.FromArray([1f, 2f], 2);
        var a = t.ToArray();
        a[0] = 42f;
        Assert.Equal(1f, t[0]);
        Assert.NotSame(a, t.ToArray());
    }

    [Fact]
    public void Clone_IsDeep_DetachSharesStorage()
    {
        var t = Tensor.FromArray([1f, 2f], 2);
        var clone = t.Clone();
        var detached = t.Detach();
        t[0] = 5f;
        Assert.Equal(1f, clone[0]);
        Assert.Equal(5f, detached[0]);
    }

    [Fact]
    public void Reshape_InferredDimension_IsComputed()
    {
        var t = Tensor.FromArray([1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var r = t.Reshape(-1, 2);
        Assert.Equal([3, 2], r.Shape);
        Assert.Equal(t.ToArray(), r.ToArray());
        Assert.Equal([6], t.Reshape(-1).Shape);
        Assert.Equal([1, 6, 1], t.Reshape(1, -1, 1).Shape);
    }

    [Fact]
    public void Reshape_IsAViewSharingStorage()
    {
        var t = Tensor.Zeros(2, 3);
        var r = t.Reshape(3, 2);
        r[2, 1] = 7f;
        Assert.Equal(7f, t[1, 2]);
    }

    [Theory]
    [InlineData(new[] { 4, 2 })]
    [InlineData(new[] { -1, 4 })]
    [InlineData(new[] { -1, -1 })]
    [InlineData(new[] { 3, -2 })]
    [InlineData(new[] { 0, -1 })]
    public void Reshape_Incompatible_ThrowsNamingShape(int[] shape)
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t.Reshape(shape));
        Assert.Equal("shape", e.ParamName);
    }

    [Fact]
    public void Indexer_SetThenGet_RoundTrips()
    {
        var t = Tensor.Zeros(2, 3, 4);
        t[1, 2, 3] = 8f;
        Assert.Equal(8f, t[1, 2, 3]);
        Assert.Equal(8f, t.ToArray()[23]);
    }

    [Fact]
    public void Indexer_WrongRank_ThrowsNamingIndex()
    {
        var t = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentException>(() => t[1]);
        Assert.Equal("index", e.ParamName);
    }

    [Theory]
    [InlineData(2, 0)]
    [InlineData(0, 3)]
    [InlineData(-1, 0)]
    public void Indexer_OutOfRange_Throws(int i, int j)
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Throws<IndexOutOfRangeException>(() => t[i, j]);
    }

    [Fact]
    public void Item_MoreThanOneElement_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Tensor.Zeros(2).Item());
        Assert.Contains("(2,)", e.Message, StringComparison.Ordinal);
        Assert.Equal(3f, Tensor.Full(3f, 1, 1).Item());
    }

    [Fact]
    public void ShapeText_FormatsLikePython()
    {
        Assert.Equal("()", Tensor.ShapeText([]));
        Assert.Equal("(5,)", Tensor.ShapeText([5]));
        Assert.Equal("(2, 3, 4)", Tensor.ShapeText([2, 3, 4]));
    }

    [Fact]
    public void ToString_ShowsShapeAndFirstValues()
    {
        var t = Tensor.FromArray([1f, 2.5f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], 9);
        Assert.Equal("Tensor(9,) [1, 2.5, 3, 4, 5, 6, 7, 8, ...]", t.ToString());
    }

    [Fact]
    public void Uniform_SameSeedSameValues_WithinBounds()
    {
        var a = Tensor.Uniform(new Rng(3), -0.5f, 0.5f, 4, 5);
        var b = Tensor.Uniform(new Rng(3), -0.5f, 0.5f, 4, 5);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.All(a.ToArray(), v => Assert.InRange(v, -0.5f, 0.5f));
        Assert.Equal([4, 5], a.Shape);
    }

    [Fact]
    public void Normal_SameSeedSameValues()
    {
        var a = Tensor.Normal(new Rng(3), 1f, 2f, 7);
        var b = Tensor.Normal(new Rng(3), 1f, 2f, 7);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), Tensor.Normal(new Rng(4), 1f, 2f, 7).ToArray());
    }

    [Fact]
    public void ArgMax_PicksFirstLargest()
    {
        var t = Tensor.FromArray([1f, 5f, 5f, 0f, -1f, -3f], 2, 3);
        Assert.Equal([1f, 0f], t.ArgMax(1).ToArray());
        Assert.Equal([2, 1], t.ArgMax(1, keepDim: true).Shape);
    }

    [Fact]
    public void Reduction_DimOutOfRange_ThrowsNamingDim()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tensor.Zeros(2, 3).Sum(2));
        Assert.Equal("dim", e.ParamName);
    }

    [Fact]
    public void Binary_ShapesThatDoNotBroadcast_Throw()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(2));
        Assert.Contains("(2, 3)", e.Message, StringComparison.Ordinal);
        Assert.Contains("(2,)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MatMul_InnerSizeMismatch_ThrowsNamingOperand()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(4, 2)));
        Assert.Equal("b", e.ParamName);
        Assert.Throws<ArgumentException>(() => Tensor.Zeros(3).MatMul(Tensor.Zeros(3, 2)));
    }

    [Fact]
    public void MatMul_TwoByTwo_MatchesHandComputed()
    {
        var a = Tensor.FromArray([1f, 2f, 3f, 4f], 2, 2);
        var b = Tensor.FromArray([5f, 6f, 7f, 8f], 2, 2);
        Assert.Equal([19f, 22f, 43f, 50f], a.MatMul(b).ToArray());
    }
}
