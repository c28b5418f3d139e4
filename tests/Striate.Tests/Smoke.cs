namespace Striate.Tests;

public class SmokeTests
{
    [Fact]
    public void MatMul_TwoByTwo_MatchesHandComputed()
    {
        var a = Tensor.FromArray([1, 2, 3, 4], 2, 2);
        var b = Tensor.FromArray([5, 6, 7, 8], 2, 2);
        Assert.Equal([19f, 22f, 43f, 50f], a.MatMul(b).ToArray());
    }
}
