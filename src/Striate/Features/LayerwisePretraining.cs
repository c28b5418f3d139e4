// Greedy layer-wise pretraining (the chapter, §9.9; Lee et al. 2009 used convolutional deep belief
// networks, here each layer is a convolutional autoencoder): the convolutions of a stack are trained
// one at a time, without labels, each to encode the output of the layers below it so that a decoder
// can reconstruct that output; then the whole network is fine-tuned with labels.
//   block i: the layers from the i-th Conv2d up to (not including) the next one
//   h_i = blocks 0..i−1 (x), fixed        code = ReLU(conv_i(h_i))        ĥ = ConvTranspose2d_i(code)
//   loss_i = mean (ĥ − h_i)²,  Adam on conv_i and the decoder only; the decoder is then dropped
// Shapes: x (N, C, H, W); conv_i stride 1, odd kernel k, padding (k − 1)/2, so ĥ has h_i's shape.
using Striate.Autograd;
using Striate.Data;
using Striate.Layers;
using Striate.Training;

namespace Striate.Features;

/// <summary>Settings of <see cref="LayerwisePretraining.Pretrain"/>.</summary>
public sealed record LayerwisePretrainingOptions
{
    /// <summary>Passes over the images for each layer.</summary>
    public int Epochs { get; init; } = 2;

    /// <summary>Images per Adam step.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Adam's learning rate.</summary>
    public float LearningRate { get; init; } = 1e-3f;
}

/// <summary>Greedy layer-wise pretraining of a convolutional stack by per-layer autoencoders.</summary>
public static class LayerwisePretraining
{
    /// <summary>
    /// Trains the Conv2d layers of <paramref name="stack"/> in order, each as the encoder of a convolutional autoencoder that
    /// reconstructs the (fixed) output of the blocks below it; only that convolution and its decoder change. The stack's
    /// other layers (ReLU, pooling) are used as they are; its training mode is left as it was.
    /// </summary>
    /// <param name="stack">Convolution blocks, e.g. <see cref="RandomFeatures.ConvStack"/>; every Conv2d stride 1, dilation 1, one group, odd kernel, padding (k − 1)/2.</param>
    /// <param name="images">(N, C, H, W) unlabelled training images.</param>
    /// <param name="rng">The decoders' initialisation and the shuffling.</param>
    /// <param name="options">The settings; <see cref="LayerwisePretrainingOptions"/>'s defaults when null.</param>
    /// <returns>Per Conv2d, the mean reconstruction loss of each epoch.</returns>
    /// <exception cref="ArgumentException">The stack has no Conv2d or one that is not stride-1 "same" (<c>stack</c>), the images are not (N, C, H, W) with N ≥ 1 (<c>images</c>), or a setting is out of range (<c>options</c>).</exception>
    public static IReadOnlyList<float[]> Pretrain(Sequential stack, Tensor images, Rng rng, LayerwisePretrainingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(rng);
        var o = options ?? new LayerwisePretrainingOptions();
        if (o.Epochs < 1 || o.BatchSize < 1 || !(o.LearningRate > 0) || !float.IsFinite(o.LearningRate))
            throw new ArgumentException($"Invalid pretraining settings: {o}.", nameof(options));
        if (images.Rank != 4 || images.Dims[0] < 1)
            throw new ArgumentException($"The images must be (N, C, H, W) with N ≥ 1; got {Tensor.ShapeText(images.Dims)}.", nameof(images));
        var layers = stack.Children.Select(c => c.Value).ToList();
        var convIndices = layers.Select((l, i) => (l, i)).Where(t => t.l is Conv2d).Select(t => t.i).ToList();
        if (convIndices.Count == 0) throw new ArgumentException("The stack has no Conv2d layer to pretrain.", nameof(stack));
        foreach (int i in convIndices)
        {
            var conv = (Conv2d)layers[i];
            if (conv.Stride != 1 || conv.Dilation != 1 || conv.Groups != 1 || conv.KernelSize % 2 == 0 || conv.Padding != ConvPadding.Uniform(conv.KernelSize / 2))
                throw new ArgumentException($"Layer {i} ({conv.Description}) must be a stride-1, undilated, ungrouped convolution with an odd kernel and padding (k − 1)/2 for its decoder to rebuild its input.", nameof(stack));
        }

        bool wasTraining = stack.IsTraining;
        var frozen = stack.Parameters().Select(p => (p, p.RequiresGrad)).ToList();
        var dataset = new ClassificationDataset(images, new int[images.Dims[0]]);
        var losses = new List<float[]>();
        try
        {
            stack.Eval(); // the fixed layers below (and any dropout or batch norm) in evaluation mode
            for (int b = 0; b < convIndices.Count; b++)
            {
                var conv = (Conv2d)layers[convIndices[b]];
                foreach (var (p, _) in frozen) p.RequiresGrad = false;
                foreach (var p in conv.Parameters()) p.RequiresGrad = true;
                var decoder = new ConvTranspose2d(conv.OutChannels, conv.InChannels, conv.KernelSize, padding: conv.KernelSize / 2, rng: rng.Fork());
                var optimizer = new Adam([.. conv.Parameters(), .. decoder.Parameters()], o.LearningRate);
                var loader = new DataLoader(dataset, o.BatchSize, shuffle: true, rng: rng.Fork());
                var epochLosses = new float[o.Epochs];
                for (int epoch = 0; epoch < o.Epochs; epoch++)
                {
                    double sum = 0;
                    int count = 0;
                    foreach (var batch in loader.Epoch())
                    {
                        Tensor below;
                        using (GradMode.NoGrad())
                        {
                            below = batch.Images;
                            for (int l = 0; l < convIndices[b]; l++) below = layers[l].Forward(below);
                        }
                        var reconstruction = decoder.Forward(Functional.Relu(conv.Forward(below)));
                        var loss = Functional.MseLoss(reconstruction, below);
                        optimizer.ZeroGrad();
                        loss.Backward();
                        optimizer.Step();
                        sum += loss.Item() * batch.Count;
                        count += batch.Count;
                    }
                    epochLosses[epoch] = (float)(sum / count);
                }
                losses.Add(epochLosses);
                foreach (var p in conv.Parameters()) p.Grad = null;
            }
        }
        finally
        {
            foreach (var (p, requiresGrad) in frozen) p.RequiresGrad = requiresGrad;
            stack.Train(wasTraining);
        }
        return losses;
    }
}
