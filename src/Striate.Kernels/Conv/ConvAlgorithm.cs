// The names of the convolution algorithms (the chapter's "efficient convolution algorithms"), the
// three passes each one implements, and the elementwise epilogue a forward can fuse. Every algorithm
// computes the same cross-correlation
//   y[n,k,o] = b[k] + Σ_{c' < C/G, t} w[k,c',t] · x[n, g(k)·C/G + c', o·stride − padBefore + t·dilation]
// and differs only in cost and in float32 rounding (each algorithm's error bound is in its file header
// and in docs/kernels/convolution-algorithms.md). ConvAlgorithms.cs chooses among them.
namespace Striate.Kernels.Conv;

/// <summary>How a convolution is computed. Every algorithm gives the same result up to float32 rounding.</summary>
public enum ConvAlgorithm
{
    /// <summary>Chosen by shape rules (<see cref="ConvAlgorithms.Choose"/>): the same choice for the same shape, every run.</summary>
    Auto,

    /// <summary>Lower each receptive field into a column of a matrix (im2col), then one GEMM: any geometry.</summary>
    Im2colGemm,

    /// <summary>Loop over taps with the output width in vector registers: 1-D and 2-D, best for few channels (LeNet).</summary>
    Direct,

    /// <summary>Winograd minimal filtering F(2×2,3×3) / F(4×4,3×3): 2-D, 3×3 filters, stride 1, dilation 1; best for many channels (ResNet, VGG).</summary>
    Winograd,

    /// <summary>Convolution theorem with Striate's own FFT: 1-D or 2-D, stride 1 (any dilation and padding); best for large kernels.</summary>
    Fft,

    /// <summary>
    /// A rank-1 R×S filter applied as R×1 then 1×S (O(R + S) instead of O(R·S) per output): 1-D or 2-D, and every filter slice
    /// must be separable (Gaussian, box, Sobel filters). Auto picks it for frozen separable filters; the weight gradient runs direct.
    /// </summary>
    Separable,

    /// <summary>
    /// Time every applicable algorithm on the first call for a shape (per pass and thread count), cache the fastest for
    /// the rest of the process (like cudnn.benchmark), and use it from then on.
    /// </summary>
    Benchmark,
}

/// <summary>The three computations of a convolution layer.</summary>
public enum ConvPass
{
    /// <summary>y = conv(x, w) + b.</summary>
    Forward,

    /// <summary>dx += ∂L/∂x (the transposed convolution of dy with w).</summary>
    BackwardData,

    /// <summary>dw += ∂L/∂w and db += ∂L/∂b (the correlation of x with dy).</summary>
    BackwardWeights,
}

/// <summary>Elementwise work a forward convolution applies to each output while it is still in registers or cache.</summary>
public enum ConvEpilogue
{
    /// <summary>y = conv(x, w) + b.</summary>
    None,

    /// <summary>y = max(conv(x, w) + b, 0): the ReLU that follows most convolutions, fused so y is written once.</summary>
    Relu,
}
