// Tiled convolution, 1-D and 2-D, kernels in Striate.Kernels/Conv/TiledConv2dKernel.cs.
//   y[n,k,p,q] = b[k,a,b] + Σ_{c,r,s} w[k,a,b,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s],  a = p mod tH,  b = q mod tW
//   x: (N, C, H, W)  w: (K, tH, tW, C, R, S)  b: (K, tH, tW)  y: (N, K, P, Q)
//   1-D: x (N, C, L)  w (K, t, C, S)  b (K, t)  y (N, K, Lout), run as H = R = tH = 1.
//   dx += Σ w·dy over the taps that read x (BackwardData)   dw += Σ dy·x over the positions sharing a kernel,  db += Σ dy (BackwardWeights)
// The node saves its inputs and the geometry.
using Striate.Kernels.Conv;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for y = tiledconv(x, w) + b (1-D or 2-D).</summary>
internal sealed class TiledConvNode(Tensor input, Tensor weight, Tensor? bias, TiledConv2dGeometry geometry, string name)
    : Node(bias is null ? [input, weight] : [input, weight, bias])
{
    public override string Name => name;

    /// <summary>2-D: input (N, C, H, W), weight (K, tH, tW, C, R, S), bias (K, tH, tW).</summary>
    public static Tensor Forward2d(Tensor input, Tensor weight, Tensor? bias, (int Height, int Width) stride, (int Height, int Width) padding)
    {
        const string Op = "TiledConv2d";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 4)
            throw new ArgumentException($"{Op} expects input of shape (N, C, H, W), got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single image.", nameof(input));
        if (weight.Rank != 6)
            throw new ArgumentException($"{Op} expects weight of shape (outChannels, tileHeight, tileWidth, inChannels, kernelHeight, kernelWidth), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        var d = weight.Dims;
        var g = new TiledConv2dGeometry(input.Dims[0], input.Dims[1], input.Dims[2], input.Dims[3], d[0], d[4], d[5], d[1], d[2],
            stride.Height, stride.Width, padding.Height, padding.Width);
        Check(Op, input, weight, bias, g, channelDim: 3, [d[0], d[1], d[2]]);
        var y = Tensor.Uninitialized(g.N, g.K, g.P, g.Q); // TiledConv2dKernel.Forward overwrites every element
        return Run(Op, input, weight, bias, g, y);
    }

    /// <summary>1-D: input (N, C, L), weight (K, t, C, S), bias (K, t).</summary>
    public static Tensor Forward1d(Tensor input, Tensor weight, Tensor? bias, int stride, int padding)
    {
        const string Op = "TiledConv1d";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (input.Rank != 3)
            throw new ArgumentException($"{Op} expects input of shape (N, C, L), got {Tensor.ShapeText(input.Dims)}. Add a batch dimension of 1 for a single sequence.", nameof(input));
        if (weight.Rank != 4)
            throw new ArgumentException($"{Op} expects weight of shape (outChannels, tile, inChannels, kernelSize), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        var d = weight.Dims;
        var g = new TiledConv2dGeometry(input.Dims[0], input.Dims[1], 1, input.Dims[2], d[0], 1, d[3], 1, d[1],
            1, stride, 0, padding);
        Check(Op, input, weight, bias, g, channelDim: 2, [d[0], d[1]]);
        var y = Tensor.Uninitialized(g.N, g.K, g.Q); // TiledConv2dKernel.Forward overwrites every element
        return Run(Op, input, weight, bias, g, y);
    }

    private static Tensor Run(string op, Tensor input, Tensor weight, Tensor? bias, TiledConv2dGeometry g, Tensor y)
    {
        ReadOnlySpan<float> b = bias is null ? default : bias.Data;
        TiledConv2dKernel.Forward(g, input.Data, weight.Data, b, y.Data, Compute.Threads);
        if (ShouldRecord(input, weight, bias)) y.SetGradFn(new TiledConvNode(input, weight, bias, g, op));
        return y;
    }

    /// <summary>Checks channels, bias, stride, padding and sizes; the messages name the offending argument.</summary>
    private static void Check(string op, Tensor input, Tensor weight, Tensor? bias, in TiledConv2dGeometry g, int channelDim, int[] biasShape)
    {
        int c = weight.Dims[channelDim];
        if (c != g.C)
            throw new ArgumentException($"{op} expected {c} input channel{(c == 1 ? "" : "s")}, got {g.C}: weight {Tensor.ShapeText(weight.Dims)}, input {Tensor.ShapeText(input.Dims)}.", nameof(input));
        if (g.R < 1 || g.S < 1 || g.TileH < 1 || g.TileW < 1 || g.K < 1)
            throw new ArgumentException($"{op} weight must have at least one output channel, one tile and a kernel of at least 1, got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        if (bias is not null && !bias.Dims.SequenceEqual(biasShape))
            throw new ArgumentException($"{op} bias must have shape {Tensor.ShapeText(biasShape)} (one per output channel and tile position) to match weight {Tensor.ShapeText(weight.Dims)}, got {Tensor.ShapeText(bias.Dims)}.", nameof(bias));
        if (g.StrideH < 1 || g.StrideW < 1)
            throw new ArgumentException($"{op} stride must be positive, got ({g.StrideH}, {g.StrideW}).", "stride");
        if (g.PadH < 0 || g.PadW < 0)
            throw new ArgumentException($"{op} padding must be non-negative, got ({g.PadH}, {g.PadW}).", "padding");
        long paddedH = g.H + 2L * g.PadH, paddedW = g.W + 2L * g.PadW;
        if (paddedH < g.R || paddedW < g.S)
            throw new ArgumentException($"{op} kernel {g.R}×{g.S} (weight {Tensor.ShapeText(weight.Dims)}) is larger than the padded input {paddedH}×{paddedW} (input {Tensor.ShapeText(input.Dims)}).", nameof(weight));
        if (g.OutputLength > Array.MaxLength)
            throw new ArgumentException($"{op} output of {g.OutputLength} elements does not fit in an array (input {Tensor.ShapeText(input.Dims)}).", nameof(input));
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        Tensor x = Inputs[0], w = Inputs[1];
        // y[n,k,p,q] = b[k,a,b] + Σ_{c,r,s} w[k,a,b,c,r,s] · x[n, c, p·sh − ph + r, q·sw − pw + s],  a = p mod tH,  b = q mod tW
        if (NeedsGrad(0)) TiledConv2dKernel.BackwardData(geometry, gradOutput, w.Data, GradOf(0), Compute.Threads);
        Span<float> dw = GradOf(1);
        Span<float> db = Inputs.Count == 3 ? GradOf(2) : default;
        if (!dw.IsEmpty || !db.IsEmpty) TiledConv2dKernel.BackwardWeights(geometry, x.Data, gradOutput, dw, db, Compute.Threads);
    }
}
