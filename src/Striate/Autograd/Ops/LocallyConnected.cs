// Locally connected layer (unshared convolution), 1-D and 2-D, kernels in
// Striate.Kernels/Conv/LocallyConnected2dKernel.cs.
//   y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
//   x: (N, C, H, W)  w: (K, P, Q, C, R, S)  b: (K, P, Q)  y: (N, K, P, Q)
//   1-D: x (N, C, L)  w (K, Lout, C, S)  b (K, Lout)  y (N, K, Lout), run as H = R = 1.
//   dx += Σ w·dy over the taps that read x (BackwardData)   dw += Σ_n dy·x,  db += Σ_n dy (BackwardWeights)
// The weight's (P, Q) fixes the output size, so the layer accepts only inputs whose size gives it.
using Striate.Kernels.Conv;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for the locally connected y = Σ w·x + b (1-D or 2-D).</summary>
internal sealed class LocallyConnectedNode(Tensor input, Tensor weight, Tensor? bias, LocallyConnected2dGeometry geometry, string name)
    : Node(bias is null ? [input, weight] : [input, weight, bias])
{
    public override string Name => name;

    /// <summary>2-D: input (N, C, H, W), weight (K, P, Q, C, R, S), bias (K, P, Q).</summary>
    public static Tensor Forward2d(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding)
    {
        const string Op = "LocallyConnected2d";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 4)
            throw new ArgumentException($"{Op} expects input of shape (N, C, H, W), got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single image.", nameof(input));
        if (weight.Rank != 6)
            throw new ArgumentException($"{Op} expects weight of shape (outChannels, outHeight, outWidth, inChannels, kernelHeight, kernelWidth), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        var d = weight.Dims;
        var g = new LocallyConnected2dGeometry(input.Dims[0], input.Dims[1], input.Dims[2], input.Dims[3], d[0], d[4], d[5],
            stride.Height, stride.Width, padding.Height, padding.Width);
        Check(Op, input, weight, bias, g, channelDim: 3, [d[1], d[2]]);
        var y = Tensor.Uninitialized(g.N, g.K, g.P, g.Q); // LocallyConnected2dKernel.Forward overwrites every element
        return Run(Op, input, weight, bias, g, y);
    }

    /// <summary>1-D: input (N, C, L), weight (K, Lout, C, S), bias (K, Lout).</summary>
    public static Tensor Forward1d(Tensor input, Tensor weight, Tensor? bias, int stride, int padding)
    {
        const string Op = "LocallyConnected1d";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 3)
            throw new ArgumentException($"{Op} expects input of shape (N, C, L), got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single sequence.", nameof(input));
        if (weight.Rank != 4)
            throw new ArgumentException($"{Op} expects weight of shape (outChannels, outLength, inChannels, kernelSize), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        var d = weight.Dims;
        var g = new LocallyConnected2dGeometry(input.Dims[0], input.Dims[1], 1, input.Dims[2], d[0], 1, d[3], 1, stride, 0, padding);
        Check(Op, input, weight, bias, g, channelDim: 2, [d[1]]);
        var y = Tensor.Uninitialized(g.N, g.K, g.Q); // LocallyConnected2dKernel.Forward overwrites every element
        return Run(Op, input, weight, bias, g, y);
    }

    private static Tensor Run(string op, Tensor input, Tensor weight, Tensor? bias, LocallyConnected2dGeometry g, Tensor y)
    {
        ReadOnlySpan<float> b = bias is null ? default : bias.Data;
        LocallyConnected2dKernel.Forward(g, input.Data, weight.Data, b, y.Data, Compute.Threads);
        if (ShouldRecord(input, weight, bias)) y.SetGradFn(new LocallyConnectedNode(input, weight, bias, g, op));
        return y;
    }

    /// <summary>
    /// Checks channels, stride, padding, sizes, that the input gives the output grid the weight was
    /// made for, and the bias; the messages name the offending argument.
    /// </summary>
    private static void Check(string op, Tensor input, Tensor weight, Tensor? bias, in LocallyConnected2dGeometry g, int channelDim, int[] grid)
    {
        int c = weight.Dims[channelDim];
        if (c != g.C)
            throw new ArgumentException($"{op} expected {c} input channel{(c == 1 ? "" : "s")}, got {g.C}: weight {Tensor.ShapeText(weight.Dims)}, input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (g.R < 1 || g.S < 1 || g.K < 1)
            throw new ArgumentException($"{op} weight must have at least one output channel and a kernel of at least 1, got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (g.StrideH < 1 || g.StrideW < 1)
            throw new ArgumentException($"{op} stride must be positive, got ({g.StrideH}, {g.StrideW}).", "stride");
        if (g.PadH < 0 || g.PadW < 0)
            throw new ArgumentException($"{op} padding must be non-negative, got ({g.PadH}, {g.PadW}).", "padding");
        long paddedH = g.H + 2L * g.PadH, paddedW = g.W + 2L * g.PadW;
        if (paddedH < g.R || paddedW < g.S)
            throw new ArgumentException($"{op} kernel {g.R}×{g.S} (weight {Tensor.ShapeText(weight.Dims)}) is larger than the padded input {paddedH}×{paddedW} (input {Tensor.ShapeText(input.Dims)}).", nameof(weight));
        int[] actual = grid.Length == 2 ? [g.P, g.Q] : [g.Q];
        if (!actual.AsSpan().SequenceEqual(grid))
            throw new ArgumentException($"{op} weight {Tensor.ShapeText(weight.Dims)} holds one kernel per output position of a {string.Join("×", grid)} output, but input {Tensor.ShapeText(input.Dims)} with this stride and padding gives {string.Join("×", actual)}: a locally connected layer only accepts the input size it was built for.", nameof(input));
        int[] biasShape = [g.K, .. grid];
        if (bias is not null && !bias.Dims.SequenceEqual(biasShape))
            throw new ArgumentException($"{op} bias must have shape {Tensor.ShapeText(biasShape)} (one per output unit) to match weight {Tensor.ShapeText(weight.Dims)}, got {Tensor.ShapeText(bias.Dims)}.", nameof(bias));
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        // y[n,k,p,q] = b[k,p,q] + Σ_{c,r,s} w[k,p,q,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s]
        if (NeedsGrad(0)) LocallyConnected2dKernel.BackwardData(geometry, gradOutput, w.Data, GradOf(0), Compute.Threads);
        Span<float> dw = GradOf(1);
        Span<float> db = Inputs.Count == 3 ? GradOf(2) : default;
        if (!dw.IsEmpty || !db.IsEmpty) LocallyConnected2dKernel.BackwardWeights(geometry, x.Data, gradOutput, dw, db, Compute.Threads);
    }
}
