// Branches, Residual and Reshape: values against the same computation written out by hand,
// gradients through the shared input of several paths, shape errors that name the culprit, and
// how the containers appear in a summary.
using Striate.Autograd;
using Striate.Layers;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Layers;

public class ContainersTests
{
    [Fact]
    public void Branches_InceptionStyle_ConcatenatesBranchChannelsInOrder()
    {
        var rng = new Rng(61);
        var b1 = new Conv2d(3, 2, 1, rng: rng);
        var b3 = new Sequential(new Conv2d(3, 4, 1, rng: rng), new ReLU(), new Conv2d(4, 5, 3, padding: 1, rng: rng));
        var pool = new Sequential(new MaxPool2d(3, 1, 1), new Conv2d(3, 1, 1, rng: rng));
        var block = new Branches(b1, b3, pool);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 3, 6, 5);

        var y = block.Forward(x);
        var expected = Functional.Concat([b1.Forward(x), b3.Forward(x), pool.Forward(x)], 1);
        Assert.Equal([2, 8, 6, 5], y.Shape);
        AssertTensor.BitIdentical(expected.AsSpan(), y.AsSpan(), "Branches vs concat of the branches");
        Assert.Equal(["0.weight", "0.bias", "1.0.weight", "1.0.bias", "1.2.weight", "1.2.bias", "2.1.weight", "2.1.bias"],
            block.NamedParameters().Select(p => p.Key));
        Assert.Equal("3 branches, concat dim 1", block.Description);
    }

    [Fact]
    public void Branches_Backward_InputGradientIsTheSumOverBranches()
    {
        var rng = new Rng(62);
        var f = new Linear(3, 2, rng: rng);
        var g = new Sequential(new Linear(3, 4, rng: rng), new Tanh());
        var x = Tensor.Normal(rng, 0f, 1f, 5, 3);
        var upstream = Tensor.Normal(rng, 0f, 1f, 5, 6);

        var x1 = x.Clone();
        x1.RequiresGrad = true;
        new Branches(f, g).Forward(x1).Backward(upstream);

        // By hand: dL/dx = J_fᵀ·dy[:, 0:2] + J_gᵀ·dy[:, 2:6], through two separate graphs.
        var x2 = x.Clone();
        x2.RequiresGrad = true;
        var upF = Tensor.Zeros(5, 2);
        var upG = Tensor.Zeros(5, 4);
        for (int n = 0; n < 5; n++)
        {
            for (int j = 0; j < 2; j++) upF[n, j] = upstream[n, j];
            for (int j = 0; j < 4; j++) upG[n, j] = upstream[n, 2 + j];
        }
        f.Forward(x2).Backward(upF);
        g.Forward(x2).Backward(upG);
        AssertTensor.Close(x1.Grad, [5, 3], [.. x2.Grad!.ToArray().Select(v => (double)v)], Tolerances.Pointwise, "input gradient");
    }

    [Fact]
    public void Branches_GradCheck_ThroughBothBranches()
    {
        var rng = new Rng(63);
        var block = new Branches(-1, new Linear(4, 3, rng: rng), new Sequential(new Linear(4, 2, rng: rng), new Sigmoid()));
        var x = Tensor.Normal(rng, 0f, 1f, 3, 4);
        x.RequiresGrad = true;
        var result = GradCheck.Check(t => block.Forward(t[0]), [x], rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Branches_OutputsThatDoNotFit_ThrowListingEveryShape()
    {
        var block = new Branches(new Conv2d(1, 2, 3, rng: new Rng(1)), new Conv2d(1, 2, 3, padding: 1, rng: new Rng(2)));
        var ex = Assert.Throws<ArgumentException>(() => block.Forward(Tensor.Zeros(1, 1, 5, 5)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("branch 0 (1, 2, 3, 3), branch 1 (1, 2, 5, 5)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Branches_BranchRejectingInput_IsNamed()
    {
        var block = new Branches(new Flatten(), new Conv2d(3, 1, 3, rng: new Rng(1)));
        var ex = Assert.Throws<LayerInputException>(() => block.Forward(Tensor.Zeros(1, 1, 5, 5)));
        Assert.Contains("Branch 1 (Conv2d)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Branches_NoBranch_Throws() =>
        Assert.Equal("branches", Assert.Throws<ArgumentException>(() => new Branches()).ParamName);

    [Fact]
    public void Residual_IdentityShortcut_AddsTheInput()
    {
        var rng = new Rng(64);
        var body = new Sequential(new Conv2d(2, 2, 3, padding: 1, rng: rng), new ReLU());
        var block = new Residual(body);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 4, 4);
        var y = block.Forward(x);
        var expected = body.Forward(x) + x;
        AssertTensor.BitIdentical(expected.AsSpan(), y.AsSpan(), "x + body(x)");
        Assert.Null(block.Shortcut);
        Assert.Equal("x + body(x)", block.Description);
        Assert.Equal(["body.0.weight", "body.0.bias"], block.NamedParameters().Select(p => p.Key));
    }

    [Fact]
    public void Residual_IdentityShortcut_GradientIsOnePlusBodyJacobian()
    {
        // y = x + W·x for a bias-free linear body: dL/dx = dy + Wᵀ·dy.
        var body = new Linear(3, 3, bias: false, rng: new Rng(65));
        var x = Tensor.Normal(new Rng(66), 0f, 1f, 2, 3);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(67), 0f, 1f, 2, 3);
        new Residual(body).Forward(x).Backward(upstream);
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < 3; i++)
            {
                double expected = upstream[n, i];
                for (int j = 0; j < 3; j++) expected += (double)body.Weight[j, i] * upstream[n, j];
                Assert.Equal(expected, x.Grad![n, i], 5);
            }
    }

    [Fact]
    public void Residual_ProjectionShortcut_MatchesHandWiring()
    {
        var rng = new Rng(68);
        var body = new Sequential(new Conv2d(2, 4, 3, stride: 2, padding: 1, rng: rng), new ReLU(), new Conv2d(4, 4, 3, padding: 1, rng: rng));
        var shortcut = new Conv2d(2, 4, 1, stride: 2, rng: rng);
        var block = new Residual(body, shortcut);
        var x = Tensor.Normal(rng, 0f, 1f, 2, 2, 6, 6);
        AssertTensor.BitIdentical((body.Forward(x) + shortcut.Forward(x)).AsSpan(), block.Forward(x).AsSpan(), "shortcut(x) + body(x)");
        Assert.Equal("shortcut(x) + body(x)", block.Description);
        var result = GradCheck.Check(t => block.Forward(t[0]), [MakeLeaf(x)], rng, Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);
        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Residual_ShapeMismatch_ThrowsWithBothShapesInsteadOfBroadcasting()
    {
        var block = new Residual(new Conv2d(2, 4, 1, rng: new Rng(1)));
        var ex = Assert.Throws<ArgumentException>(() => block.Forward(Tensor.Zeros(1, 2, 3, 3)));
        Assert.Equal("input", ex.ParamName);
        Assert.Contains("(1, 4, 3, 3)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(1, 2, 3, 3)", ex.Message, StringComparison.Ordinal);
        // A body whose output would broadcast against x, (1, 1, 3, 3) + (1, 2, 3, 3), is still rejected.
        Assert.Throws<ArgumentException>(() => new Residual(new Conv2d(2, 1, 1, rng: new Rng(1))).Forward(Tensor.Zeros(1, 2, 3, 3)));
    }

    [Fact]
    public void Reshape_KeepsTheBatchAndInfersMinusOne()
    {
        var x = Tensor.FromArray([.. Enumerable.Range(0, 24).Select(i => (float)i)], 2, 12);
        var y = new Reshape(3, -1).Forward(x);
        Assert.Equal([2, 3, 4], y.Shape);
        Assert.Equal(x.ToArray(), y.ToArray());
        Assert.Equal([1, 2, 3, 4], new Reshape(2, 3, 4).Forward(Tensor.Zeros(1, 24)).Shape);
        Assert.Equal("→ (N, 3, -1)", new Reshape(3, -1).Description);
    }

    [Fact]
    public void Reshape_GradientFlowsBack()
    {
        var x = Tensor.Normal(new Rng(69), 0f, 1f, 2, 6);
        x.RequiresGrad = true;
        var upstream = Tensor.Normal(new Rng(70), 0f, 1f, 2, 2, 3);
        new Reshape(2, 3).Forward(x).Backward(upstream);
        Assert.Equal(upstream.ToArray(), x.Grad!.ToArray());
    }

    [Fact]
    public void Reshape_BadShapes_Throw()
    {
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new Reshape()).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new Reshape(0, 3)).ParamName);
        Assert.Equal("shape", Assert.Throws<ArgumentException>(() => new Reshape(-1, -1)).ParamName);
        Assert.Throws<ArgumentException>(() => new Reshape(5).Forward(Tensor.Zeros(2, 6)));
    }

    [Fact]
    public void Summary_ShowsEachContainerAsOneRowWithItsTotalParameters()
    {
        // Summary descends only into Sequential: a Branches or Residual block is one row whose parameter
        // count includes all its children.
        var rng = new Rng(71);
        var model = new Sequential(
            new Branches(new Conv2d(1, 2, 1, rng: rng), new Conv2d(1, 3, 3, padding: 1, rng: rng)),
            new Residual(new Conv2d(5, 5, 3, padding: 1, rng: rng)),
            new Upsample(scaleFactor: [2]),
            new Reshape(5, -1));
        var summary = model.Summarize(1, 4, 4);
        Assert.Equal(["Branches", "Residual", "Upsample", "Reshape"], summary.Rows.Select(r => r.Type));
        Assert.Equal([2L * 1 + 2 + 3 * 9 + 3, 5 * 5 * 9 + 5, 0, 0], summary.Rows.Select(r => r.Parameters));
        Assert.Equal(["(1, 5, 4, 4)", "(1, 5, 4, 4)", "(1, 5, 8, 8)", "(1, 5, 64)"], summary.Rows.Select(r => Tensor.ShapeText([.. r.OutputShape])));
        Assert.Equal(summary.TotalParameters, summary.Rows.Sum(r => r.Parameters));
    }

    private static Tensor MakeLeaf(Tensor x)
    {
        var leaf = x.Clone();
        leaf.RequiresGrad = true;
        return leaf;
    }
}
