// Shared by the zoo tests: one forward and backward pass in training mode, and a few SGD steps on a tiny batch.
using System.Numerics.Tensors;
using Striate.Layers;
using Striate.Models;
using Striate.Training;

namespace Striate.Tests.Models;

internal static class ZooTraining
{
    /// <summary>
    /// A batch of noisy images whose label is visible: image i has label i mod classes and, on top of N(0, 0.5²) noise, a bright
    /// (+1.5) quadrant of index label mod 4 — a task every model can start learning in a few steps.
    /// </summary>
    public static (Tensor Images, int[] Labels) Batch(int batch, int channels, int size, int classes, ulong seed)
    {
        int[] labels = [.. Enumerable.Range(0, batch).Select(i => i % classes)];
        var images = Tensor.Normal(new Rng(seed), 0, 0.5f, batch, channels, size, size);
        var data = images.AsSpan();
        int half = size / 2;
        for (int n = 0; n < batch; n++)
        {
            int quadrant = labels[n] % 4, top = quadrant / 2 * half, left = quadrant % 2 * half;
            for (int c = 0; c < channels; c++)
                for (int y = top; y < top + half; y++)
                    for (int x = left; x < left + half; x++)
                        data[((n * channels + c) * size + y) * size + x] += 1.5f;
        }
        return (images, labels);
    }

    /// <summary>The training loss: cross-entropy, plus the weighted auxiliary losses of a model that has them.</summary>
    public static Tensor Loss(Module model, Tensor logits, int[] labels) =>
        model is AuxiliaryClassifierNet aux ? aux.Loss(logits, labels) : Functional.CrossEntropy(logits, labels);

    /// <summary>
    /// Forward and backward once in training mode on two images of size×size: the logits are (2, classes), the loss finite, and every
    /// parameter gets a finite gradient with a non-zero element.
    /// </summary>
    public static void ForwardBackwardOnce(Module model, int channels, int size, int classes, string what)
    {
        model.Train();
        model.ZeroGrad();
        var (images, labels) = Batch(2, channels, size, classes, 5);
        var logits = model.Forward(images);
        Assert.Equal([2, classes], logits.Shape);
        var loss = Loss(model, logits, labels);
        Assert.True(float.IsFinite(loss.Item()), $"{what}: loss {loss.Item()}");
        loss.Backward();
        foreach (var (name, p) in model.NamedParameters())
        {
            Assert.True(p.Grad is not null, $"{what}: {name} got no gradient");
            // Σ|g| is finite only when every element is (one vectorised pass: VGG's classifier has 103 M weights), and > 0 unless all are 0.
            float magnitude = TensorPrimitives.SumOfMagnitudes<float>(p.Grad!.AsSpan());
            Assert.True(float.IsFinite(magnitude), $"{what}: the gradient of {name} holds NaN or ∞");
            Assert.True(magnitude > 0, $"{what}: the gradient of {name} is all zero");
        }
        model.ZeroGrad();
    }

    /// <summary>
    /// <paramref name="steps"/> SGD steps (momentum 0.9) on one tiny batch; returns the losses. A model that learns drives the loss down.
    /// With <paramref name="withoutDropout"/> the dropout layers stay in evaluation mode (the usual way to check that a heavily
    /// regularised network can fit a batch at all: on four images, fresh dropout masks every step swamp the signal).
    /// With <paramref name="adam"/> the optimizer is Adam (β = 0.9, 0.999) instead: deep plain networks at PyTorch's default init
    /// (AlexNet, ZFNet) start with gradients too small for a few SGD steps to show.
    /// </summary>
    public static float[] Overfit(Module model, int channels, int size, int classes, int batch, int steps, float lr, bool withoutDropout = false, bool adam = false)
    {
        model.Train();
        if (withoutDropout)
            foreach (var dropout in ModelInit.Descendants(model).OfType<DropoutLayer>()) dropout.Eval();
        var (images, labels) = Batch(batch, channels, size, classes, 11);
        Optimizer sgd = adam ? new Adam(model.Parameters(), lr) : new Sgd(model.Parameters(), lr, momentum: 0.9f);
        var losses = new float[steps];
        for (int step = 0; step < steps; step++)
        {
            var logits = model.Forward(images);
            var loss = Loss(model, logits, labels);
            losses[step] = loss.Item();
            sgd.ZeroGrad();
            loss.Backward();
            sgd.Step();
        }
        return losses;
    }
}
