// Reuse of dead activations without gradient recording (InferenceBuffers): Sequential and Residual give
// back the storage of intermediate results, later op outputs take it. The values must never change: every
// forward equals the same forward with recording on (nothing reused), and nothing a caller or a user's
// module can still see is ever overwritten.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Tensors;

public class InferenceBuffersTests
{
    private static float[] Run(Module model, Tensor x, bool noGrad)
    {
        if (!noGrad) return model.Forward(x).ToArray();
        using (GradMode.NoGrad()) return model.Forward(x).ToArray();
    }

    [Fact]
    public void ResNetForward_WithReuse_BitIdenticalToRecordingForwardOverRepeatedPasses()
    {
        var model = ResNet.Cifar(20, rng: new Rng(3));
        model.Eval();
        var x = Tensor.Normal(new Rng(4), 0f, 1f, 2, 3, 32, 32);
        var expected = Run(model, x, noGrad: false);
        var before = x.ToArray();
        for (int pass = 0; pass < 4; pass++)
            AssertTensor.BitIdentical(expected, Run(model, x, noGrad: true), $"no-grad pass {pass} (storage reused)");
        AssertTensor.BitIdentical(before, x.ToArray(), "the input is never given back");
    }

    [Fact]
    public void NoGradForward_ReusesIntermediateStorage_SoAllocationFallsAfterTheFirstPass()
    {
        var model = new Sequential(new Conv2d(3, 8, 3, padding: 1, rng: new Rng(1)), new BatchNorm2d(8), new ReLU(),
            new Conv2d(8, 8, 3, padding: 1, rng: new Rng(2)), new BatchNorm2d(8), new ReLU(), new Conv2d(8, 8, 3, padding: 1, rng: new Rng(5)));
        model.Eval();
        var x = Tensor.Normal(new Rng(6), 0f, 1f, 4, 3, 32, 32);
        long activationBytes = 4L * 8 * 32 * 32 * sizeof(float);
        using (GradMode.NoGrad())
        {
            model.Forward(x);
            model.Forward(x);
            long start = GC.GetAllocatedBytesForCurrentThread();
            model.Forward(x);
            long perPass = GC.GetAllocatedBytesForCurrentThread() - start;
            // Six intermediate activations, then the output: only the output (which the caller keeps) needs new storage.
            Assert.True(perPass < 2 * activationBytes, $"a pass allocated {perPass} bytes; one activation is {activationBytes}");
        }
    }

    [Fact]
    public void ReturnedOutputs_AreNeverReused_ByLaterPasses()
    {
        var model = new Sequential(new Conv2d(1, 4, 3, rng: new Rng(1)), new ReLU(), new Conv2d(4, 4, 3, rng: new Rng(2)), new ReLU());
        model.Eval();
        using (GradMode.NoGrad())
        {
            var first = model.Forward(Tensor.Normal(new Rng(3), 0f, 1f, 1, 1, 12, 12));
            var kept = first.ToArray();
            for (int i = 0; i < 3; i++) model.Forward(Tensor.Normal(new Rng((ulong)(10 + i)), 0f, 1f, 1, 1, 12, 12));
            AssertTensor.BitIdentical(kept, first.ToArray(), "the first pass's output after three more passes");
        }
    }

    /// <summary>A user's module that keeps the tensors it reads and returns (as a learner capturing feature maps might).</summary>
    private sealed class Capture : Module
    {
        public List<Tensor> Inputs { get; } = [];

        public List<Tensor> Outputs { get; } = [];

        public override Tensor Forward(Tensor input)
        {
            Inputs.Add(input);
            var y = Functional.Relu(input);
            Outputs.Add(y);
            return y;
        }
    }

    [Fact]
    public void UserModule_KeepingItsInputAndOutput_SeesThemUnchangedAfterLaterPasses()
    {
        var capture = new Capture();
        var model = new Sequential(new Conv2d(1, 4, 3, padding: 1, rng: new Rng(1)), capture, new Conv2d(4, 4, 3, padding: 1, rng: new Rng(2)),
            new ReLU(), new Conv2d(4, 4, 3, padding: 1, rng: new Rng(7)));
        model.Eval();
        using (GradMode.NoGrad())
        {
            model.Forward(Tensor.Normal(new Rng(3), 0f, 1f, 1, 1, 10, 10));
            float[] seenIn = capture.Inputs[0].ToArray(), seenOut = capture.Outputs[0].ToArray();
            for (int i = 0; i < 3; i++) model.Forward(Tensor.Normal(new Rng((ulong)(20 + i)), 0f, 1f, 1, 1, 10, 10));
            AssertTensor.BitIdentical(seenIn, capture.Inputs[0].ToArray(), "what the user's module read in pass 1");
            AssertTensor.BitIdentical(seenOut, capture.Outputs[0].ToArray(), "what the user's module returned in pass 1");
        }
    }

    [Fact]
    public void UserModuleNestedInAContainer_IsNotTrusted()
    {
        var inner = new Sequential(new Capture());
        Assert.False(inner.HoldsNoActivations());
        Assert.False(new Residual(inner).HoldsNoActivations());
        Assert.True(new Sequential(new ReLU(), new Residual(new Sequential(new Conv2d(2, 2, 3, padding: 1, rng: new Rng(1))))).HoldsNoActivations());
    }

    [Fact]
    public void Views_SharingStorageWithTheNextResult_AreNotGivenBack()
    {
        // Flatten returns a view of the ReLU's output: that storage is still read by Linear and must not be reused.
        var model = new Sequential(new Conv2d(1, 2, 3, rng: new Rng(1)), new ReLU(), new Flatten(), new Linear(2 * 6 * 6, 5, rng: new Rng(2)),
            new ReLU(), new Linear(5, 3, rng: new Rng(3)));
        model.Eval();
        var x = Tensor.Normal(new Rng(4), 0f, 1f, 3, 1, 8, 8);
        var expected = Run(model, x, noGrad: false);
        for (int pass = 0; pass < 3; pass++)
            AssertTensor.BitIdentical(expected, Run(model, x, noGrad: true), $"pass {pass}");
    }

    [Fact]
    public void FrozenFeaturesWithTrainableHead_RecordingOn_GradientsMatchAFreshModel()
    {
        // With recording on nothing is reused, not even results outside the graph: the frozen layers' output (2, 3, 8, 8) has
        // no GradFn, yet the trainable convolution's node saves it for the weight gradient, and the last layer's output has
        // its length.
        Sequential Build()
        {
            var m = new Sequential(new Conv2d(1, 3, 3, padding: 1, rng: new Rng(1)), new ReLU(), new Conv2d(3, 3, 3, padding: 1, rng: new Rng(2)),
                new Conv2d(3, 3, 3, rng: new Rng(3)), new ReLU(), new Conv2d(3, 3, 3, padding: 2, rng: new Rng(4)));
            foreach (var p in m[0].Parameters().Concat(m[2].Parameters())) p.RequiresGrad = false;
            return m;
        }
        var x = Tensor.Normal(new Rng(5), 0f, 1f, 2, 1, 8, 8);
        // The reference runs the layers one by one, outside any container, so nothing can be reused there.
        var reference = Build();
        var h = x;
        foreach (var layer in reference.Layers) h = layer.Forward(h);
        h.Sum().Backward();
        var model = Build();
        using (GradMode.NoGrad()) model.Forward(x);   // fills the free lists
        model.Forward(x).Sum().Backward();
        foreach (int layer in new[] { 3, 5 })
            AssertTensor.BitIdentical(reference[layer].Parameters().First().Grad!.ToArray(), model[layer].Parameters().First().Grad!.ToArray(),
                $"weight gradient of trainable layer {layer}");
    }
}
