// The autograd engine's contract: accumulation, shared tensors, NoGrad, errors, and the release
// of intermediate gradients. Values are hand-computed.
using Striate.Autograd;

namespace Striate.Tests.Autograd;

public class AutogradTests
{
    private static Tensor Leaf(float[] values, params int[] shape)
    {
        var t = Tensor.FromArray(values, shape);
        t.RequiresGrad = true;
        return t;
    }

    [Fact]
    public void Backward_CalledTwice_AccumulatesTwice()
    {
        var x = Leaf([1f, -2f, 3f], 3);
        var loss = (x * x).Sum(); // dL/dx = 2x

        loss.Backward();
        Assert.Equal([2f, -4f, 6f], x.Grad!.ToArray());

        loss.Backward();
        Assert.Equal([4f, -8f, 12f], x.Grad!.ToArray());
    }

    [Fact]
    public void Backward_SecondGraphWithoutZeroGrad_Accumulates()
    {
        var w = Leaf([0.5f, 2f], 2);
        (w * 3f).Sum().Backward();
        (w * w).Sum().Backward(); // 3 + 2w
        Assert.Equal([4f, 7f], w.Grad!.ToArray());

        w.ZeroGrad();
        Assert.Null(w.Grad);
    }

    [Fact]
    public void Backward_TensorUsedInTwoBranches_GetsSummedGradient()
    {
        // L = Σ (2x + x·x): x feeds both branches, and both operands of x·x ⇒ dL/dx = 2 + 2x (exact in float).
        var x = Leaf([1f, 2f, -3f], 3);
        var branchA = x * 2f;
        var branchB = x * x;
        (branchA + branchB).Sum().Backward();
        Assert.Equal([4f, 6f, -4f], x.Grad!.ToArray());
    }

    [Fact]
    public void Backward_DiamondGraph_VisitsSharedNodeOnce()
    {
        // h = 3x is used by two consumers; its gradient must be complete before it propagates to x.
        var x = Leaf([1f, 2f], 2);
        var h = x * 3f;
        var loss = (h * 2f + h * h).Sum(); // dL/dh = 2 + 2h, dL/dx = 3·(2 + 6x)
        loss.Backward();
        Assert.Equal([24f, 42f], x.Grad!.ToArray());
    }

    [Fact]
    public void Backward_WithUpstreamGradient_WeightsTheOutputs()
    {
        var x = Leaf([1f, 2f, 3f], 3);
        var y = x * x;
        y.Backward(Tensor.FromArray([1f, 0.5f, -2f], 3)); // dx = g·2x
        Assert.Equal([2f, 2f, -12f], x.Grad!.ToArray());
    }

    [Fact]
    public void NoGrad_RecordsNothing()
    {
        var x = Leaf([1f, 2f], 2);
        Tensor y;
        using (GradMode.NoGrad())
        {
            Assert.False(GradMode.IsEnabled);
            y = (x * x).Sum();
        }
        Assert.True(GradMode.IsEnabled);
        Assert.Null(y.GradFn);
        Assert.False(y.RequiresGrad);
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("does not require a gradient", e.Message, StringComparison.Ordinal);
        Assert.Null(x.Grad);
    }

    [Fact]
    public void NoGrad_Nested_RestoresRecordingOnlyAfterOutermost()
    {
        var outer = GradMode.NoGrad();
        var inner = GradMode.NoGrad();
        inner.Dispose();
        Assert.False(GradMode.IsEnabled);
        outer.Dispose();
        Assert.True(GradMode.IsEnabled);
    }

    [Fact]
    public void Backward_NonScalarWithoutGradient_Throws()
    {
        var x = Leaf([1f, 2f, 3f, 4f], 2, 2);
        var y = x * 2f;
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("(2, 2)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_GradientOfWrongLength_ThrowsNamingParameter()
    {
        var y = Leaf([1f, 2f, 3f], 3) * 2f;
        var e = Assert.Throws<ArgumentException>(() => y.Backward(Tensor.Ones(4)));
        Assert.Equal("gradient", e.ParamName);
    }

    [Fact]
    public void RequiresGradSetter_OnNonLeaf_Throws()
    {
        var y = Leaf([1f, 2f], 2) * 2f;
        Assert.False(y.IsLeaf);
        var e = Assert.Throws<InvalidOperationException>(() => y.RequiresGrad = false);
        Assert.Contains("leaf", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Backward_IntermediateGradients_AreReleased()
    {
        var x = Leaf([1f, 2f], 2);
        var h = x * 3f;
        var loss = (h * h).Sum();
        loss.Backward();
        Assert.Null(h.Grad);
        Assert.Null(loss.Grad);
        Assert.Equal([18f, 36f], x.Grad!.ToArray()); // d(9x²)/dx = 18x
    }

    [Fact]
    public void Backward_InputWithoutRequiresGrad_GetsNoGradient()
    {
        var x = Leaf([1f, 2f], 2);
        var c = Tensor.FromArray([5f, 7f], 2);
        (x * c).Sum().Backward();
        Assert.Equal([5f, 7f], x.Grad!.ToArray());
        Assert.Null(c.Grad);
    }

    [Fact]
    public void Detach_CutsTheGraph()
    {
        var x = Leaf([2f], 1);
        var d = (x * 3f).Detach();
        Assert.True(d.IsLeaf);
        Assert.False(d.RequiresGrad);
        var loss = (x * d).Sum(); // d is a constant 6
        loss.Backward();
        Assert.Equal([6f], x.Grad!.ToArray());
    }
}
