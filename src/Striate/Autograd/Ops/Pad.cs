// Padding of the last one to three dimensions (torch.nn.functional.pad), kernels in Striate.Kernels/Pad/PadKernel.cs.
//   pads = (left, right[, top, bottom[, front, back]]): the last dimension first, as in PyTorch.
//   Per padded axis: negative pads crop, then y[j] = x[source(j)] by the border rule (constant value,
//   reflect, replicate, circular); leading dimensions are independent planes.
//   Forward:  y[p, j] = x[p, source(j)]  (constant padding: value where source(j) is outside)
//   Backward: dx[p, source(j)] += dy[p, j]: border gradients fold back onto the elements they copied
using Striate.Kernels.Pad;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for padding; saves only the geometry (backward needs neither x nor y).</summary>
internal sealed class PadNode(Tensor input, PadGeometry geometry) : Node(input)
{
    public override string Name => "Pad";

    /// <summary>Pads <paramref name="input"/> in PyTorch's pad order (checked here; see the file header).</summary>
    /// <exception cref="ArgumentException">The pads do not fit the input or the mode; names <c>pads</c> (or <c>input</c>, <c>mode</c>).</exception>
    public static Tensor Forward(Tensor input, ReadOnlySpan<int> pads, PadMode mode, float value)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"Pad mode {mode} is not a padding mode.", nameof(mode));
        if (pads.Length is 0 or > 6 || pads.Length % 2 != 0)
            throw new ArgumentException($"Pad needs 2, 4 or 6 pads (left, right[, top, bottom[, front, back]]), got {pads.Length}.", nameof(pads));
        int axes = pads.Length / 2;
        if (input.Rank < axes)
            throw new ArgumentException($"Pad of {axes} dimension{(axes == 1 ? "" : "s")} needs an input with at least {axes}, got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        var padAxes = new PadAxis[3];
        for (int slot = 0; slot < 3; slot++)
        {
            int fromEnd = 2 - slot; // slot 2 = last dimension = pads[0], pads[1]
            padAxes[slot] = fromEnd < axes
                ? new PadAxis(input.Dims[input.Rank - 1 - fromEnd], pads[2 * fromEnd], pads[2 * fromEnd + 1])
                : new PadAxis(1);
        }
        int planes = 1;
        for (int d = 0; d < input.Rank - axes; d++) planes *= input.Dims[d];
        var border = mode switch
        {
            PadMode.Reflect => BorderMode.Reflect,
            PadMode.Replicate => BorderMode.Replicate,
            PadMode.Circular => BorderMode.Circular,
            _ => BorderMode.Constant,
        };
        var g = new PadGeometry(planes, padAxes[0], padAxes[1], padAxes[2], border);
        try
        {
            g.Validate();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Pad ({string.Join(", ", pads.ToArray())}) in mode {mode} does not fit input {Tensor.ShapeText(input.Dims)}: {e.Message}", nameof(pads), e);
        }
        var shape = input.Dims.ToArray();
        for (int i = 0; i < axes; i++) shape[input.Rank - 1 - i] += pads[2 * i] + pads[2 * i + 1];
        return Forward(input, g, value, shape);
    }

    /// <summary>Pads with a checked geometry; <paramref name="outputShape"/> is the padded shape (same element count as the geometry's output).</summary>
    public static Tensor Forward(Tensor input, PadGeometry g, float value, int[] outputShape)
    {
        var y = Tensor.Uninitialized(outputShape); // PadKernel.Forward overwrites every element
        PadKernel.Forward(g, input.Data, value, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new PadNode(input, g));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[p, j] = x[p, source(j)]: each output's gradient goes back to the element it copied.
        PadKernel.Backward(geometry, gradOutput, dx, Compute.Threads);
    }
}
