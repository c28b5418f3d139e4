using Striate.Layers;
using Striate.Training;

namespace Striate.Tests;

/// <summary>The README's C# example, verbatim, so the front door never shows code that does not compile or run.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_OneStep_RunsAndChangesTheWeights()
    {
        var rng = new Rng(seed: 42);
        var model = new Sequential(
            new Conv2d(1, 6, kernelSize: 5, padding: 2, rng: rng), new ReLU(), new MaxPool2d(2),
            new Conv2d(6, 16, kernelSize: 5, rng: rng), new ReLU(), new MaxPool2d(2),
            new Flatten(),
            new Linear(400, 120, rng: rng), new ReLU(),
            new Linear(120, 84, rng: rng), new ReLU(),
            new Linear(84, 10, rng: rng));

        var optimizer = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
        Tensor images = Tensor.Uniform(rng, 0f, 1f, 64, 1, 28, 28);  // a batch (N, C, H, W)
        int[] labels = new int[64];                                    // class per image

        var before = model.Parameters().First().ToArray();
        Tensor loss = Functional.CrossEntropy(model.Forward(images), labels);
        optimizer.ZeroGrad();
        loss.Backward();
        optimizer.Step();

        // At initialisation the ten classes are near-uniform: loss ≈ ln 10 ≈ 2.30.
        Assert.InRange(loss.Item(), 2.0f, 2.6f);
        Assert.NotEqual(before, model.Parameters().First().ToArray());
    }
}
