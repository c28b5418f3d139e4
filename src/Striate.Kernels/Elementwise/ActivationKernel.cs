// Detector-stage activations, forward and backward side by side.
//   ReLU:    y = max(x, 0)          dx += dy · [y > 0]
//   tanh:    y = tanh(x)            dx += dy · (1 − y²)
//   sigmoid: y = 1 / (1 + e^−x)     dx += dy · y · (1 − y)
// Backwards take the forward output y (not x): it is all they need.
using System.Numerics.Tensors;

namespace Striate.Kernels.Elementwise;

/// <summary>Elementwise activation kernels.</summary>
public static class ActivationKernel
{
    /// <summary>y = max(x, 0).</summary>
    public static void ReluForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx += dy · [y &gt; 0].</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++)
            if (y[i] > 0f) dx[i] += dy[i];
    }

    /// <summary>y = tanh(x).</summary>
    public static void TanhForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Tanh(x, y);

    /// <summary>dx += dy · (1 − y²).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * (1f - y[i] * y[i]);
    }

    /// <summary>y = 1 / (1 + e^−x).</summary>
    public static void SigmoidForward(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Sigmoid(x, y);

    /// <summary>dx += dy · y · (1 − y).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < dx.Length; i++) dx[i] += dy[i] * y[i] * (1f - y[i]);
    }
}
