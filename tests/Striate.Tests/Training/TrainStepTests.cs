// Trainer.TrainStep, the steady training step: the same numbers as the step written out by hand
// (forward, cross-entropy, ZeroGrad, Backward, optimizer step) while lending activations from a step
// arena and reusing gradient storage, and close to no allocation once warm.
using Striate.Layers;
using Striate.Models;
using Striate.Training;

namespace Striate.Tests.Training;

public class TrainStepTests
{
    private static (Tensor Images, int[] Labels)[] Batches(int count, int size, ulong seed)
    {
        var rng = new Rng(seed);
        var batches = new (Tensor, int[])[count];
        for (int b = 0; b < count; b++)
            batches[b] = (Tensor.Uniform(rng, 0f, 1f, size, 1, 28, 28), [.. Enumerable.Range(0, size).Select(i => (i * 7 + b) % 10)]);
        return batches;
    }

    private static float ManualStep(Module model, Optimizer optimizer, Tensor images, int[] labels)
    {
        var loss = Functional.CrossEntropy(model.Forward(images), labels);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();
        return loss.Item();
    }

    [Theory]
    [InlineData("sgd", 1)]
    [InlineData("sgd", 2)]
    [InlineData("adam", 2)]
    public void TrainStep_SixSteps_LossesAndWeightsBitIdenticalToHandWrittenStep(string optimizerName, int threads)
    {
        using (Compute.UseThreads(threads))
        {
            var batches = Batches(6, 5, seed: 21);
            var manual = LeNet5.Create(rng: new Rng(4));
            var stepped = LeNet5.Create(rng: new Rng(4));
            Optimizer Make(Module m) => optimizerName == "sgd" ? new Sgd(m.Parameters(), 0.05f, 0.9f) : new Adam(m.Parameters(), 1e-3f);
            var manualOptimizer = Make(manual);
            var steppedOptimizer = Make(stepped);
            manual.Train();
            for (int s = 0; s < batches.Length; s++)
            {
                var (images, labels) = batches[s];
                float expected = ManualStep(manual, manualOptimizer, images, labels);
                var (actual, correct) = Trainer.TrainStep(stepped, images, labels, steppedOptimizer);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
                    $"{optimizerName}, {threads} threads, step {s + 1}: hand-written loss {expected:R}, TrainStep {actual:R}");
                Assert.InRange(correct, 0, labels.Length);
            }
            var expectedState = manual.NamedParameters().ToArray();
            var actualState = stepped.NamedParameters().ToArray();
            for (int i = 0; i < expectedState.Length; i++)
            {
                TestSupport.AssertTensor.BitIdentical(expectedState[i].Value.AsSpan(), actualState[i].Value.AsSpan(), $"parameter {expectedState[i].Key} after 6 steps");
                TestSupport.AssertTensor.BitIdentical(expectedState[i].Value.Grad!.AsSpan(), actualState[i].Value.Grad!.AsSpan(), $"gradient of {expectedState[i].Key}");
            }
        }
    }

    [Fact]
    public void TrainStep_CorrectCount_MatchesCountCorrectOfTheLogitsBeforeTheUpdate()
    {
        var (images, labels) = Batches(1, 12, seed: 5)[0];
        var model = LeNet5.Create(rng: new Rng(9));
        var reference = LeNet5.Create(rng: new Rng(9));
        int expected;
        using (Striate.Autograd.GradMode.NoGrad()) expected = Trainer.CountCorrect(reference.Train().Forward(images), labels);
        var (_, correct) = Trainer.TrainStep(model, images, labels, new Sgd(model.Parameters(), 0.05f));
        Assert.Equal(expected, correct);
    }

    [Fact]
    public void TrainStep_ParameterNoBackwardReaches_GradientIsNullAsAfterZeroGrad()
    {
        // The optimizer also holds a layer the model does not use: its old gradient must not survive the step
        // (nor be applied), exactly as optimizer.ZeroGrad() would have left it.
        var rng = new Rng(3);
        var model = new Sequential(new Flatten(), new Linear(784, 10, rng: rng));
        var unused = new Linear(5, 2, rng: rng);
        var before = unused.Weight.ToArray();
        Functional.Linear(Tensor.Uniform(rng, -1f, 1f, 3, 5), unused.Weight, unused.Bias).Sum().Backward();
        Assert.NotNull(unused.Weight.Grad);
        var sgd = new Sgd(model.Parameters().Concat(unused.Parameters()), 0.1f);
        var (images, labels) = Batches(1, 4, seed: 8)[0];

        Trainer.TrainStep(model, images, labels, sgd);

        Assert.Null(unused.Weight.Grad);
        Assert.Null(unused.Bias!.Grad);
        Assert.Equal(before, unused.Weight.ToArray());
        Assert.All(model.Parameters(), p => Assert.NotNull(p.Grad));
    }

    [Fact]
    public void TrainStep_SteadyState_AllocatesAlmostNothing()
    {
        // A LeNet-5 step at batch 16 makes ~1 MB of activations and gradients; once warm, the arena lends them all and
        // what is left is the small objects of the graph (nodes, shapes): a few kilobytes.
        // One thread, scoped to this test (a test beside it may set the process-wide count): every allocation
        // of the step is then on this thread.
        using (Compute.UseThreads(1))
        {
            var (images, labels) = Batches(1, 16, seed: 2)[0];
            var model = LeNet5.Create(rng: new Rng(6));
            var sgd = new Sgd(model.Parameters(), 0.01f, 0.9f);
            for (int i = 0; i < 3; i++) Trainer.TrainStep(model, images, labels, sgd);
            // The least of three windows of five steps: a one-off in one window (a type loaded late, say) is not the
            // steady state this test is about.
            long perStep = long.MaxValue;
            for (int window = 0; window < 3; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 5; i++) Trainer.TrainStep(model, images, labels, sgd);
                perStep = Math.Min(perStep, (GC.GetAllocatedBytesForCurrentThread() - before) / 5);
            }
            Assert.True(perStep < 32 * 1024, $"a steady step allocated {perStep} bytes");
        }
    }
}
