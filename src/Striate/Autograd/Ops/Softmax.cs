// Log-softmax along one dimension, numerically stable (the max is subtracted before exp, so
// logits of 1000 do not overflow), and the negative log-likelihood loss.
//   LogSoftmax: y[j] = x[j] − m − log Σ_k exp(x[k] − m),  m = max_k x[k]
//               dx[j] += dy[j] − exp(y[j]) · Σ_k dy[k]
//   NllLoss:    L = −(1/N) Σ_n y[n, t_n]          dy[n, t_n] += −dL / N
// Cross-entropy is the composite NllLoss(LogSoftmax(x, 1), t) and needs no backward of its own.
namespace Striate.Autograd.Ops;

/// <summary>Autograd node for log-softmax along a dimension.</summary>
internal sealed class LogSoftmaxNode(Tensor x, int dim) : Node(x)
{
    public override string Name => "LogSoftmax";

    public static Tensor Forward(Tensor x, int dim)
    {
        ArgumentNullException.ThrowIfNull(x);
        int d = ReductionNode.NormalizeDim(dim, x.Rank, nameof(dim));
        var (outer, n, inner) = Split(x.Dims, d);
        var y = x.UninitializedLike();
        var xs = x.Data;
        var ys = y.Data;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                float max = float.NegativeInfinity;
                for (int j = 0; j < n; j++) max = MathF.Max(max, xs[b + j * inner]);
                double sum = 0;
                for (int j = 0; j < n; j++) sum += Math.Exp(xs[b + j * inner] - max);
                float logSum = max + (float)Math.Log(sum);
                for (int j = 0; j < n; j++) ys[b + j * inner] = xs[b + j * inner] - logSum;
            }
        }
        if (ShouldRecord(x)) y.SetGradFn(new LogSoftmaxNode(x, d));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        var (outer, n, inner) = Split(output.Dims, dim);
        var ys = output.Data;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                double sum = 0;
                for (int j = 0; j < n; j++) sum += gradOutput[b + j * inner];
                // y = x − logΣexp(x)  ⇒  dx = dy − softmax(x)·Σdy
                for (int j = 0; j < n; j++) dx[b + j * inner] += gradOutput[b + j * inner] - MathF.Exp(ys[b + j * inner]) * (float)sum;
            }
        }
    }

    private static (int Outer, int N, int Inner) Split(ReadOnlySpan<int> shape, int dim)
    {
        int outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.Length; i++) inner *= shape[i];
        return (outer, shape[dim], inner);
    }
}

/// <summary>Autograd node for the mean negative log-likelihood of integer class targets.</summary>
internal sealed class NllLossNode(Tensor logProbs, int[] targets) : Node(logProbs)
{
    public override string Name => "NllLoss";

    public static Tensor Forward(Tensor logProbs, ReadOnlySpan<int> targets)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        if (logProbs.Rank != 2)
            throw new ArgumentException($"NllLoss expects (N, classes) log-probabilities, got {Tensor.ShapeText(logProbs.Dims)}.", nameof(logProbs));
        int n = logProbs.Dims[0], classes = logProbs.Dims[1];
        if (targets.Length != n)
            throw new ArgumentException($"NllLoss got {targets.Length} targets for a batch of {n}.", nameof(targets));
        if (n == 0) throw new ArgumentException("NllLoss of an empty batch is undefined.", nameof(logProbs));
        double sum = 0;
        for (int i = 0; i < n; i++)
        {
            int t = targets[i];
            if ((uint)t >= (uint)classes)
                throw new ArgumentException($"Target {t} at batch index {i} is outside the {classes} classes [0, {classes - 1}].", nameof(targets));
            sum -= logProbs.Data[i * classes + t];
        }
        var loss = Tensor.Scalar((float)(sum / n));
        if (ShouldRecord(logProbs)) loss.SetGradFn(new NllLossNode(logProbs, targets.ToArray()));
        return loss;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        int classes = Inputs[0].Dims[1];
        float g = gradOutput[0] / targets.Length;
        // L = −(1/N) Σ_n logp[n, t_n]
        for (int i = 0; i < targets.Length; i++) dx[i * classes + targets[i]] -= g;
    }
}
