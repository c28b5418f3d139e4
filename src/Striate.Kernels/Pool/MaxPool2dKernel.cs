// 2-D max pooling with argmax indices, forward and backward side by side.
//   x: (N, C, H, W)  y: (N, C, P, Q)  indices: (N, C, P, Q)  window R×S, stride (sh, sw), padding (ph, pw)
//   P = (H + 2·ph − R) / sh + 1      Q = (W + 2·pw − S) / sw + 1
//   Forward:  y[n,c,p,q] = max_{r,s} x[n, c, p·sh − ph + r, q·sw − pw + s]   (padded cells are −∞)
//             indices[n,c,p,q] = h·W + v of that maximum within its (H, W) plane
//   Backward: dx[n, c, indices[n,c,p,q]] += dy[n,c,p,q]
// Saving the argmax turns backward into a scatter, with no second search and no tie ambiguity.
// Ties and NaN follow PyTorch: the first maximum in row-major window order wins, and a NaN wins
// over everything (the last NaN in the window). Padding is at most half the window, so every
// window holds at least one real cell and an index is always a real pixel.
// Accumulation: when windows overlap (stride < window) a cell can win several windows, so each
// plane's gradient is formed in a zeroed scratch plane and added to dx once; two identical
// backward calls then add exactly twice the gradient of one. Without overlap every cell receives
// at most one value and the scatter adds straight into dx, with the same result.
// Threading: the N·C planes are independent; each y, indices and dx element belongs to one plane.
using System.Buffers;
using System.Numerics.Tensors;
using Striate.Kernels.Parallel;

namespace Striate.Kernels.Pool;

/// <summary>
/// Sizes of a 2-D pooling: input x (N, C, H, W), window R×S, output y (N, C, P, Q), with stride
/// (StrideH, StrideW) and padding (PadH, PadW) on each side.
/// </summary>
/// <param name="N">Batch size.</param>
/// <param name="C">Channels.</param>
/// <param name="H">Input height.</param>
/// <param name="W">Input width.</param>
/// <param name="R">Window height.</param>
/// <param name="S">Window width.</param>
/// <param name="StrideH">Vertical stride.</param>
/// <param name="StrideW">Horizontal stride.</param>
/// <param name="PadH">Padding rows above and below.</param>
/// <param name="PadW">Padding columns left and right.</param>
public readonly record struct Pool2dGeometry(int N, int C, int H, int W, int R, int S,
    int StrideH, int StrideW, int PadH = 0, int PadW = 0)
{
    /// <summary>Output height, (H + 2·PadH − R) / StrideH + 1.</summary>
    public int P => (H + 2 * PadH - R) / StrideH + 1;

    /// <summary>Output width, (W + 2·PadW − S) / StrideW + 1.</summary>
    public int Q => (W + 2 * PadW - S) / StrideW + 1;

    /// <summary>Elements of x: N·C·H·W.</summary>
    public long InputLength => (long)N * C * H * W;

    /// <summary>Elements of y (and of the indices): N·C·P·Q.</summary>
    public long OutputLength => (long)N * C * P * Q;

    /// <summary>Throws unless the sizes describe a pooling with at least one output position.</summary>
    /// <exception cref="ArgumentException">N or C is negative, H or W is not positive, a window side or stride is not positive, a padding is negative or more than half the window, or the window is larger than the padded input.</exception>
    public void Validate()
    {
        if (N < 0 || C < 0) throw new ArgumentException($"Pool2d sizes must be non-negative: N={N}, C={C}.");
        if (H < 1 || W < 1) throw new ArgumentException($"Pool2d input must be at least 1×1, got {H}×{W}.");
        if (R < 1 || S < 1) throw new ArgumentException($"Pool2d window must be at least 1×1, got {R}×{S}.");
        if (StrideH < 1 || StrideW < 1) throw new ArgumentException($"Pool2d stride must be positive, got ({StrideH}, {StrideW}).");
        if (PadH < 0 || PadW < 0 || PadH > R / 2 || PadW > S / 2)
            throw new ArgumentException($"Pool2d padding must be between 0 and half the window {R}×{S}, got ({PadH}, {PadW}).");
        if (H + 2L * PadH < R || W + 2L * PadW < S)
            throw new ArgumentException($"Pool2d window {R}×{S} is larger than the padded input {H + 2L * PadH}×{W + 2L * PadW}.");
    }
}

/// <summary>2-D max pooling that records the argmax of each window for its backward scatter.</summary>
public static unsafe class MaxPool2dKernel
{
    /// <summary>
    /// y[n,c,p,q] = max over the window at (p·sh − ph, q·sw − pw), padded cells −∞; indices gets the
    /// winner's position h·W + v within its plane. <paramref name="y"/> and <paramref name="indices"/> are overwritten.
    /// </summary>
    /// <param name="g">Sizes, window, stride and padding.</param>
    /// <param name="x">Input (N, C, H, W).</param>
    /// <param name="y">Output (N, C, P, Q).</param>
    /// <param name="indices">Argmax positions (N, C, P, Q), each in [0, H·W).</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, or a span is shorter than its tensor.</exception>
    public static void Forward(Pool2dGeometry g, ReadOnlySpan<float> x, Span<float> y, Span<int> indices, int threads)
    {
        g.Validate();
        CheckLength(x.Length, g.InputLength, nameof(x));
        CheckLength(y.Length, g.OutputLength, nameof(y));
        CheckLength(indices.Length, g.OutputLength, nameof(indices));
        int planes = g.N * g.C;
        fixed (float* px = x, py = y)
        fixed (int* pi = indices)
        {
            ParallelFor.Run(planes, threads, new ForwardBody(g, px, py, pi), MinPlanesPerThread(g, g.R * g.S));
        }
    }

    /// <summary>
    /// dx[n, c, indices[n,c,p,q]] += dy[n,c,p,q]: each output gradient goes to the cell that won its window. Each plane's
    /// gradient is formed first and added to <paramref name="dx"/> once.
    /// </summary>
    /// <param name="g">Sizes, window, stride and padding of the forward pooling.</param>
    /// <param name="dy">Output gradient (N, C, P, Q).</param>
    /// <param name="indices">Argmax positions written by <see cref="Forward"/>.</param>
    /// <param name="dx">Input gradient (N, C, H, W), added to.</param>
    /// <param name="threads">Upper bound on threads; the result is the same for every value.</param>
    /// <exception cref="ArgumentException">Invalid geometry, a span is shorter than its tensor, or an index is outside its plane.</exception>
    public static void Backward(Pool2dGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<int> indices, Span<float> dx, int threads)
    {
        g.Validate();
        CheckLength(dy.Length, g.OutputLength, nameof(dy));
        CheckLength(indices.Length, g.OutputLength, nameof(indices));
        CheckLength(dx.Length, g.InputLength, nameof(dx));
        int plane = g.H * g.W;
        foreach (int i in indices[..(int)g.OutputLength])
            if ((uint)i >= (uint)plane) throw new ArgumentException($"Argmax index {i} is outside the {g.H}×{g.W} plane.", nameof(indices));
        fixed (float* pdy = dy, pdx = dx)
        fixed (int* pi = indices)
        {
            ParallelFor.Run(g.N * g.C, threads, new BackwardBody(g, pdy, pi, pdx), MinPlanesPerThread(g, 1));
        }
    }

    private static void CheckLength(int actual, long needed, string name)
    {
        if (actual < needed) throw new ArgumentException($"{name} holds {actual} values, needs {needed}.", name);
    }

    // A thread is worth starting for roughly 16k element visits; below that the planes run inline.
    private static int MinPlanesPerThread(in Pool2dGeometry g, int visitsPerOutput) =>
        (int)Math.Clamp(16_384 / Math.Max(1L, (long)g.P * g.Q * visitsPerOutput), 1, int.MaxValue);

    private readonly struct ForwardBody(Pool2dGeometry g, float* x, float* y, int* indices) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int bigP = g.P, bigQ = g.Q, plane = g.H * g.W;
            for (int nc = start; nc < end; nc++)
            {
                float* xp = x + (long)nc * plane;
                float* yp = y + (long)nc * bigP * bigQ;
                int* ip = indices + (long)nc * bigP * bigQ;
                for (int p = 0; p < bigP; p++)
                {
                    int h0 = p * g.StrideH - g.PadH;
                    int hStart = Math.Max(h0, 0), hEnd = Math.Min(h0 + g.R, g.H);
                    for (int q = 0; q < bigQ; q++)
                    {
                        int v0 = q * g.StrideW - g.PadW;
                        int vStart = Math.Max(v0, 0), vEnd = Math.Min(v0 + g.S, g.W);
                        float best = float.NegativeInfinity;
                        int bestIndex = hStart * g.W + vStart;
                        for (int h = hStart; h < hEnd; h++)
                        {
                            for (int v = vStart; v < vEnd; v++)
                            {
                                float value = xp[h * g.W + v];
                                if (value > best || float.IsNaN(value))
                                {
                                    best = value;
                                    bestIndex = h * g.W + v;
                                }
                            }
                        }
                        yp[p * bigQ + q] = best;
                        ip[p * bigQ + q] = bestIndex;
                    }
                }
            }
        }
    }

    private readonly struct BackwardBody(Pool2dGeometry g, float* dy, int* indices, float* dx) : IParallelBody
    {
        public void Invoke(int start, int end)
        {
            int outputs = g.P * g.Q, plane = g.H * g.W;
            bool overlapping = g.StrideH < g.R || g.StrideW < g.S;
            float[]? scratch = overlapping ? ArrayPool<float>.Shared.Rent(plane) : null;
            try
            {
                for (int nc = start; nc < end; nc++)
                {
                    var dxp = new Span<float>(dx + (long)nc * plane, plane);
                    float* dyp = dy + (long)nc * outputs;
                    int* ip = indices + (long)nc * outputs;
                    if (scratch is null)
                    {
                        for (int i = 0; i < outputs; i++) dxp[ip[i]] += dyp[i];
                        continue;
                    }
                    var gradient = scratch.AsSpan(0, plane);
                    gradient.Clear();
                    for (int i = 0; i < outputs; i++) gradient[ip[i]] += dyp[i];
                    TensorPrimitives.Add(dxp, gradient, dxp);
                }
            }
            finally
            {
                if (scratch is not null) ArrayPool<float>.Shared.Return(scratch);
            }
        }
    }
}
