// Dropout (kernel in Striate.Kernels/Normalization/DropoutKernel.cs): in training, each unit (or each
// whole channel, for the 1d/2d/3d variants) is kept with probability 1 − p and scaled by 1/(1 − p),
// so E[y] = x and evaluation is the identity.
//   y = x · mask,  mask ∈ {0, 1/(1 − p)} drawn from the caller's Rng        dx += dy · mask
// The node saves the mask (one float per unit or channel): backward reuses exactly the forward's draw.
using Striate.Kernels.Normalization;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for dropout; saves the mask, one factor per group of <c>groupSize</c> elements.</summary>
internal sealed class DropoutNode(Tensor x, float[] mask, int groupSize) : Node(x)
{
    public override string Name => "Dropout";

    /// <summary>
    /// Applies dropout with one mask value per group of <paramref name="groupSize"/> contiguous elements
    /// (1: element-wise). <paramref name="p"/> must already be validated, and <paramref name="rng"/> given when 0 &lt; p &lt; 1.
    /// </summary>
    public static Tensor Forward(Tensor input, float p, int groupSize, Rng? rng)
    {
        int groups = groupSize == 0 ? 0 : input.Length / groupSize;
        var mask = new float[groups];
        if (p <= 0f) Array.Fill(mask, 1f);
        else if (p < 1f)
        {
            float scale = 1f / (1f - p);
            // Kept when u ≥ p for u uniform in [0, 1): probability exactly 1 − p (for p a multiple of 2^−24).
            for (int g = 0; g < groups; g++) mask[g] = rng!.NextSingle() >= p ? scale : 0f;
        }
        // p = 1: every unit dropped, the mask stays 0 (no 1/(1 − p) = ∞ is ever formed).
        var y = input.UninitializedLike(); // the kernel writes every element
        DropoutKernel.Forward(input.Data, mask, groupSize, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new DropoutNode(input, mask, groupSize));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y = x · mask  ⇒  dx = dy · mask (the same draw as the forward)
        DropoutKernel.Backward(gradOutput, mask, groupSize, dx, Compute.Threads);
    }
}
