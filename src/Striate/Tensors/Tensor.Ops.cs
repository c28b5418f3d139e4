// The Tensor surface of the ops: methods and operators that call the autograd nodes.
using Striate.Autograd.Ops;

namespace Striate;

public sealed partial class Tensor
{
    /// <summary>Elementwise x + y with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator +(Tensor x, Tensor y) => BinaryNode.Forward(BinaryKind.Add, x, y);
    /// <summary>Elementwise x − y with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator -(Tensor x, Tensor y) => BinaryNode.Forward(BinaryKind.Subtract, x, y);
    /// <summary>Elementwise x · y with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator *(Tensor x, Tensor y) => BinaryNode.Forward(BinaryKind.Multiply, x, y);
    /// <summary>Elementwise x / y with broadcasting.</summary>
    /// <exception cref="ArgumentException">The shapes do not broadcast.</exception>
    public static Tensor operator /(Tensor x, Tensor y) => BinaryNode.Forward(BinaryKind.Divide, x, y);
    /// <summary>x + s for every element.</summary>
    public static Tensor operator +(Tensor x, float s) => BinaryNode.Forward(BinaryKind.Add, x, Scalar(s));
    /// <summary>x − s for every element.</summary>
    public static Tensor operator -(Tensor x, float s) => BinaryNode.Forward(BinaryKind.Subtract, x, Scalar(s));
    /// <summary>x · s for every element.</summary>
    public static Tensor operator *(Tensor x, float s) => BinaryNode.Forward(BinaryKind.Multiply, x, Scalar(s));
    /// <summary>s · x for every element.</summary>
    public static Tensor operator *(float s, Tensor x) => BinaryNode.Forward(BinaryKind.Multiply, x, Scalar(s));
    /// <summary>x / s for every element.</summary>
    public static Tensor operator /(Tensor x, float s) => BinaryNode.Forward(BinaryKind.Divide, x, Scalar(s));
    /// <summary>−x.</summary>
    public static Tensor operator -(Tensor x) => BinaryNode.Forward(BinaryKind.Multiply, x, Scalar(-1f));

    /// <summary>Elementwise sum with broadcasting (same as <c>+</c>).</summary>
    public Tensor Add(Tensor other) => this + other;
    /// <summary>Elementwise difference with broadcasting (same as <c>-</c>).</summary>
    public Tensor Subtract(Tensor other) => this - other;
    /// <summary>Elementwise product with broadcasting (same as <c>*</c>).</summary>
    public Tensor Multiply(Tensor other) => this * other;
    /// <summary>Elementwise quotient with broadcasting (same as <c>/</c>).</summary>
    public Tensor Divide(Tensor other) => this / other;

    /// <summary>The sum of all elements, as a rank-0 tensor.</summary>
    public Tensor Sum() => ReductionNode.Forward(ReductionKind.Sum, this, null, false);
    /// <summary>The sum over dimension <paramref name="dim"/> (negative counts from the end).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension.</exception>
    public Tensor Sum(int dim, bool keepDim = false) => ReductionNode.Forward(ReductionKind.Sum, this, dim, keepDim);
    /// <summary>The mean of all elements, as a rank-0 tensor.</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Mean() => ReductionNode.Forward(ReductionKind.Mean, this, null, false);
    /// <summary>The mean over dimension <paramref name="dim"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension.</exception>
    public Tensor Mean(int dim, bool keepDim = false) => ReductionNode.Forward(ReductionKind.Mean, this, dim, keepDim);
    /// <summary>The largest element, as a rank-0 tensor (gradient flows to the first maximum).</summary>
    /// <exception cref="ArgumentException">The tensor is empty.</exception>
    public Tensor Max() => ReductionNode.Forward(ReductionKind.Max, this, null, false);
    /// <summary>The largest element along dimension <paramref name="dim"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension.</exception>
    public Tensor Max(int dim, bool keepDim = false) => ReductionNode.Forward(ReductionKind.Max, this, dim, keepDim);
    /// <summary>The index of the largest element along <paramref name="dim"/> (first on ties), stored as float; not differentiable.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dim"/> is not a dimension.</exception>
    public Tensor ArgMax(int dim, bool keepDim = false) => ReductionNode.ArgMax(this, dim, keepDim);

    /// <summary>Matrix product of two 2-D tensors: (M, K)·(K, N) → (M, N).</summary>
    /// <exception cref="ArgumentException">Not 2-D, or the inner sizes differ.</exception>
    public Tensor MatMul(Tensor other) => MatMulNode.Forward(this, other);

    /// <summary>A view with a new shape over the same storage; one dimension may be −1 (inferred).</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(params int[] shape) => ReshapeNode.Forward(this, shape);

    /// <summary>Flattens dimensions from <paramref name="startDim"/> on: (N, C, H, W) → (N, C·H·W) by default.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="startDim"/> is not a dimension.</exception>
    public Tensor Flatten(int startDim = 1) => Functional.Flatten(this, startDim);

    /// <summary>max(x, 0) elementwise.</summary>
    public Tensor Relu() => ActivationNode.Forward(ActivationKind.Relu, this);
    /// <summary>tanh(x) elementwise.</summary>
    public Tensor Tanh() => ActivationNode.Forward(ActivationKind.Tanh, this);
    /// <summary>1 / (1 + e^−x) elementwise.</summary>
    public Tensor Sigmoid() => ActivationNode.Forward(ActivationKind.Sigmoid, this);
    /// <summary>Numerically stable log-softmax along <paramref name="dim"/>.</summary>
    public Tensor LogSoftmax(int dim) => LogSoftmaxNode.Forward(this, dim);
}
