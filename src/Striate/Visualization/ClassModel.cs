// Class-model visualisation (Simonyan, Vedaldi & Zisserman 2014): the image a network finds most
// typical of a class, by gradient ascent on the input of the regularised score
//   J(x) = S_c(x) − λ‖x‖²,    x ← x + η·(∂S_c/∂x − 2λx)
// starting from x = 0 (or small noise). Optionally every few steps the image is blurred with a
// Gaussian (Yosinski et al. 2015), which suppresses the high-frequency patterns the raw ascent finds,
// and clipped to a value range.
using Striate.Features;
using Striate.Layers;

namespace Striate.Visualization;

/// <summary>Settings of <see cref="ClassModel.Visualize"/>.</summary>
public sealed record ClassModelOptions
{
    /// <summary>Number of ascent steps.</summary>
    public int Steps { get; init; } = 200;

    /// <summary>η, the step size.</summary>
    public float LearningRate { get; init; } = 0.1f;

    /// <summary>λ, the L2 penalty on the image.</summary>
    public float L2 { get; init; } = 1e-3f;

    /// <summary>Blur the image with a Gaussian of <see cref="BlurSigma"/> every this many steps; 0 never blurs.</summary>
    public int BlurEvery { get; init; }

    /// <summary>σ of the Gaussian blur, in pixels.</summary>
    public float BlurSigma { get; init; } = 0.5f;

    /// <summary>Clip every value to [Min, Max] after each step; null never clips.</summary>
    public (float Min, float Max)? Clip { get; init; }

    /// <summary>Standard deviation of the starting noise; 0 starts from the zero image.</summary>
    public float InitialNoise { get; init; }
}

/// <summary>Gradient ascent on the input: what a class (or unit) "wants to see".</summary>
public static class ClassModel
{
    /// <summary>
    /// Finds an image x maximising S_c(x) − λ‖x‖² by <see cref="ClassModelOptions.Steps"/> steps of
    /// x ← x + η·(∂S_c/∂x − 2λx), with optional blurring and clipping (see <see cref="ClassModelOptions"/>).
    /// Evaluation mode is used; the model's modes and parameter gradients are left as they were.
    /// </summary>
    /// <param name="model">A classifier mapping (1, C, H, W) to (1, classes) scores.</param>
    /// <param name="classIndex">The class c.</param>
    /// <param name="inputShape">(C, H, W) of the model's input.</param>
    /// <param name="options">Ascent settings; defaults when null.</param>
    /// <param name="rng">Source of the starting noise; needed only when <see cref="ClassModelOptions.InitialNoise"/> is positive.</param>
    /// <returns>(C, H, W).</returns>
    /// <exception cref="ArgumentException">inputShape is not three positive sizes (<c>inputShape</c>); the output is not (1, classes) (<c>model</c>); noise is asked for without rng (<c>rng</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (<c>options</c>), or classIndex is not a class.</exception>
    public static Tensor Visualize(Module model, int classIndex, IReadOnlyList<int> inputShape, ClassModelOptions? options = null, Rng? rng = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        options ??= new ClassModelOptions();
        if (inputShape.Count != 3 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"inputShape must be (C, H, W) with positive sizes; got ({string.Join(", ", inputShape)}).", nameof(inputShape));
        if (options.Steps < 0 || !(options.LearningRate > 0) || !(options.L2 >= 0) || options.BlurEvery < 0 || !(options.BlurSigma > 0) || !(options.InitialNoise >= 0)
            || (options.Clip is { } clip && !(clip.Min <= clip.Max)))
            throw new ArgumentOutOfRangeException(nameof(options), options, "Steps and BlurEvery must not be negative, LearningRate and BlurSigma must be positive, L2 and InitialNoise not negative, and Clip.Min ≤ Clip.Max.");
        int[] shape = [.. inputShape];
        var x = options.InitialNoise > 0
            ? Tensor.Normal(rng ?? throw new ArgumentException("A random generator is needed for InitialNoise > 0.", nameof(rng)), 0f, options.InitialNoise, shape)
            : Tensor.Zeros(shape);
        var blur = options.BlurEvery > 0 ? Blur(shape[0], options.BlurSigma) : null;
        var values = x.AsSpan();
        for (int step = 1; step <= options.Steps; step++)
        {
            var g = Saliency.InputGradient(model, x, classIndex).AsSpan();
            for (int i = 0; i < values.Length; i++) values[i] += options.LearningRate * (g[i] - 2f * options.L2 * values[i]);
            if (blur is not null && step % options.BlurEvery == 0)
            {
                var blurred = blur.Forward(x.Reshape([1, .. shape])).AsSpan();
                blurred.CopyTo(values);
            }
            if (options.Clip is { } range)
                for (int i = 0; i < values.Length; i++) values[i] = Math.Clamp(values[i], range.Min, range.Max);
        }
        return x;
    }

    /// <summary>A depthwise Gaussian blur keeping the size: each channel filtered on its own.</summary>
    private static Conv2d Blur(int channels, float sigma)
    {
        int radius = Math.Max(1, (int)MathF.Ceiling(2 * sigma));
        var kernel = ClassicKernels.GaussianBlur(2 * radius + 1, sigma).AsSpan();
        var conv = new Conv2d(channels, channels, 2 * radius + 1, padding: radius, bias: false, rng: new Rng(0), groups: channels);
        for (int c = 0; c < channels; c++) kernel.CopyTo(conv.Weight.AsSpan().Slice(c * kernel.Length, kernel.Length));
        return ClassicKernels.Freeze(conv);
    }
}
