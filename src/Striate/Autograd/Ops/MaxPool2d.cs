// 2-D max pooling, kernels in Striate.Kernels/Pool/MaxPool2dKernel.cs.
//   y[n,c,p,q] = max_{r,s} x[n, c, p·sh − ph + r, q·sw − pw + s]   (padded cells are −∞)
//   x: (N, C, H, W)  y: (N, C, P, Q),  P = (H + 2·ph − R)/sh + 1,  Q = (W + 2·pw − S)/sw + 1
//   dx[n, c, argmax] += dy[n,c,p,q]
// The node saves the argmax index of every window, so backward is a scatter and never searches
// again (nor needs x).
using Striate.Kernels.Pool;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for max pooling; saves the argmax position of every output.</summary>
internal sealed class MaxPool2dNode(Tensor input, int[] indices, Pool2dGeometry geometry) : Node(input)
{
    public override string Name => "MaxPool2d";

    public static Tensor Forward(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width)? stride, (int Height, int Width) padding)
    {
        var g = Geometry(input, kernelSize, stride ?? kernelSize, padding);
        var y = Tensor.Uninitialized(g.N, g.C, g.P, g.Q); // MaxPool2dKernel.Forward overwrites every element
        var indices = new int[y.Length];
        MaxPool2dKernel.Forward(g, input.Data, y.Data, indices, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new MaxPool2dNode(input, indices, g));
        return y;
    }

    /// <summary>Checks the shape and options of a pooling and returns its geometry.</summary>
    private static Pool2dGeometry Geometry(Tensor input, (int Height, int Width) kernelSize, (int Height, int Width) stride, (int Height, int Width) padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4)
            throw new ArgumentException($"MaxPool2d expects input of shape (N, C, H, W), got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single image.", nameof(input));
        int n = input.Dims[0], c = input.Dims[1], h = input.Dims[2], w = input.Dims[3];
        if (h < 1 || w < 1)
            throw new ArgumentException($"MaxPool2d expects a non-empty image, got input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (kernelSize.Height < 1 || kernelSize.Width < 1)
            throw new ArgumentException($"MaxPool2d kernelSize must be positive, got ({kernelSize.Height}, {kernelSize.Width}).", nameof(kernelSize));
        if (stride.Height < 1 || stride.Width < 1)
            throw new ArgumentException($"MaxPool2d stride must be positive, got ({stride.Height}, {stride.Width}).", nameof(stride));
        if (padding.Height < 0 || padding.Width < 0)
            throw new ArgumentException($"MaxPool2d padding must be non-negative, got ({padding.Height}, {padding.Width}).", nameof(padding));
        if (padding.Height > kernelSize.Height / 2 || padding.Width > kernelSize.Width / 2)
            throw new ArgumentException($"MaxPool2d padding ({padding.Height}, {padding.Width}) must be at most half the kernel size ({kernelSize.Height}, {kernelSize.Width}), as in PyTorch.", nameof(padding));
        long paddedH = h + 2L * padding.Height, paddedW = w + 2L * padding.Width;
        if (paddedH < kernelSize.Height || paddedW < kernelSize.Width)
            throw new ArgumentException($"MaxPool2d kernel {kernelSize.Height}×{kernelSize.Width} is larger than the padded input {paddedH}×{paddedW} (input {Tensor.ShapeText(input.Dims)}, padding ({padding.Height}, {padding.Width})).", nameof(kernelSize));
        return new Pool2dGeometry(n, c, h, w, kernelSize.Height, kernelSize.Width, stride.Height, stride.Width, padding.Height, padding.Width);
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[n,c,p,q] = x[n, c, argmax[n,c,p,q]]: the gradient flows only to the window's winner.
        MaxPool2dKernel.Backward(geometry, gradOutput, indices, dx, Compute.Threads);
    }
}
