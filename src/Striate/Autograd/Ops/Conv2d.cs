// 2-D convolution (cross-correlation), kernels in Striate.Kernels/Conv/Conv2dKernel.cs.
//   y[n,k,p,q] = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   x: (N, C, H, W)  w: (K, C, R, S)  b: (K)  y: (N, K, P, Q),  P = (H + 2·ph − R)/sh + 1,  Q = (W + 2·pw − S)/sw + 1
//   dx += "full" correlation of dy with w (BackwardData)    dw += dy ⋆ x,  db += Σ_{n,p,q} dy (BackwardWeights)
// The node saves only its inputs and the geometry: backward recomputes im2col rather than keep
// a C·R·S × P·Q column matrix per image alive between forward and backward.
using Striate.Kernels.Conv;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for y = conv2d(x, w) + b.</summary>
internal sealed class Conv2dNode(Tensor input, Tensor weight, Tensor? bias, Conv2dGeometry geometry)
    : Node(bias is null ? [input, weight] : [input, weight, bias])
{
    public override string Name => "Conv2d";

    public static Tensor Forward(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding)
    {
        var g = Geometry(input, weight, bias, stride, padding);
        var y = Tensor.Uninitialized(g.N, g.K, g.P, g.Q); // Conv2dKernel.Forward overwrites every element
        ReadOnlySpan<float> b = bias is null ? default : bias.Data;
        Conv2dKernel.Forward(g, input.Data, weight.Data, b, y.Data, Compute.Threads);
        if (ShouldRecord(input, weight, bias)) y.SetGradFn(new Conv2dNode(input, weight, bias, g));
        return y;
    }

    /// <summary>Checks the shapes and options of a convolution and returns its geometry.</summary>
    private static Conv2dGeometry Geometry(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 4)
            throw new ArgumentException($"Conv2d expects input of shape (N, C, H, W), got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single image.", nameof(input));
        if (weight.Rank != 4)
            throw new ArgumentException($"Conv2d expects weight of shape (outChannels, inChannels, kernelHeight, kernelWidth), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        int n = input.Dims[0], c = input.Dims[1], h = input.Dims[2], w = input.Dims[3];
        int k = weight.Dims[0], r = weight.Dims[2], s = weight.Dims[3];
        if (weight.Dims[1] != c)
            throw new ArgumentException($"Conv2d expected {weight.Dims[1]} input channel{(weight.Dims[1] == 1 ? "" : "s")}, got {c}: weight {Tensor.ShapeText(weight.Dims)}, input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (r < 1 || s < 1)
            throw new ArgumentException($"Conv2d weight must have a kernel of at least 1×1, got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (bias is not null && (bias.Rank != 1 || bias.Dims[0] != k))
            throw new ArgumentException($"Conv2d bias must have shape ({k},) to match weight {Tensor.ShapeText(weight.Dims)}, got {Tensor.ShapeText(bias.Dims)}.", nameof(bias));
        if (stride.Height < 1 || stride.Width < 1)
            throw new ArgumentException($"Conv2d stride must be positive, got ({stride.Height}, {stride.Width}).", nameof(stride));
        if (padding.Height < 0 || padding.Width < 0)
            throw new ArgumentException($"Conv2d padding must be non-negative, got ({padding.Height}, {padding.Width}).", nameof(padding));
        long paddedH = h + 2L * padding.Height, paddedW = w + 2L * padding.Width;
        if (paddedH < r || paddedW < s)
            throw new ArgumentException($"Conv2d kernel {r}×{s} (weight {Tensor.ShapeText(weight.Dims)}) is larger than the padded input {paddedH}×{paddedW} (input {Tensor.ShapeText(input.Dims)}, padding ({padding.Height}, {padding.Width})).", nameof(weight));
        var g = new Conv2dGeometry(n, c, h, w, k, r, s, stride.Height, stride.Width, padding.Height, padding.Width);
        if ((long)c * r * s * g.P * g.Q > Array.MaxLength)
            throw new ArgumentException($"Conv2d of input {Tensor.ShapeText(input.Dims)} with weight {Tensor.ShapeText(weight.Dims)} needs an im2col workspace larger than an array can hold.", nameof(input));
        return g;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        // y[n,k,p,q] = b[k] + Σ_{c,r,s} w[k,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
        if (NeedsGrad(0)) Conv2dKernel.BackwardData(geometry, gradOutput, w.Data, GradOf(0), Compute.Threads);
        Span<float> dw = GradOf(1);
        Span<float> db = Inputs.Count == 3 ? GradOf(2) : default;
        if (!dw.IsEmpty || !db.IsEmpty) Conv2dKernel.BackwardWeights(geometry, x.Data, gradOutput, dw, db, Compute.Threads);
    }
}
