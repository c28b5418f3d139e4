// Upsampling by nearest or (bi/tri)linear interpolation, kernels in Striate.Kernels/Resample/UpsampleKernel.cs.
//   y[n, c, o…] = Σ_{taps} Π_axis w_axis · x[n, c, i…]   (nearest: one tap of weight 1 per axis)
//   x: (N, C, L) | (N, C, H, W) | (N, C, D, H, W)   y: same rank, spatial sizes from size or ⌊in · scaleFactor⌋
//   dx[n, c, i…] += Π_axis w_axis · dy[n, c, o…]   for every output and tap
// The node saves only the geometry: backward needs no values of x.
using Striate.Kernels.Resample;

namespace Striate.Autograd.Ops;

/// <summary>Autograd node for upsampling.</summary>
internal sealed class UpsampleNode(Tensor input, UpsampleGeometry geometry) : Node(input)
{
    public override string Name => "Upsample";

    public static Tensor Forward(Tensor input, int[]? size, double[]? scaleFactor, UpsampleMode mode, bool alignCorners)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank is < 3 or > 5)
            throw new ArgumentException($"Upsample expects input of shape (N, C, L), (N, C, H, W) or (N, C, D, H, W), got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        int spatial = input.Rank - 2;
        int needed = mode switch
        {
            UpsampleMode.Linear => 1,
            UpsampleMode.Bilinear => 2,
            UpsampleMode.Trilinear => 3,
            UpsampleMode.Nearest => spatial,
            _ => throw new ArgumentException($"Upsample mode {mode} is not defined.", nameof(mode)),
        };
        if (needed != spatial)
            throw new ArgumentException($"Upsample mode {mode} needs a {needed + 2}-D input, got {Tensor.ShapeText(input.Dims)} ({spatial + 2}-D); use {(spatial == 1 ? "Linear" : spatial == 2 ? "Bilinear" : "Trilinear")} or Nearest.", nameof(mode));
        if (alignCorners && mode == UpsampleMode.Nearest)
            throw new ArgumentException("Upsample alignCorners can only be set with the interpolating modes (Linear, Bilinear, Trilinear), as in PyTorch.", nameof(alignCorners));
        if ((size is null) == (scaleFactor is null))
            throw new ArgumentException("Upsample needs exactly one of size and scaleFactor.", nameof(size));

        var inSizes = input.Dims[2..].ToArray();
        var outSizes = new int[spatial];
        var scales = new double?[spatial];
        if (size is not null)
        {
            if (size.Length != 1 && size.Length != spatial)
                throw new ArgumentException($"Upsample size must hold 1 or {spatial} values for input {Tensor.ShapeText(input.Dims)}, got {size.Length}.", nameof(size));
            for (int i = 0; i < spatial; i++)
            {
                outSizes[i] = size[size.Length == 1 ? 0 : i];
                if (outSizes[i] < 1) throw new ArgumentException($"Upsample size must be positive, got ({string.Join(", ", size)}).", nameof(size));
            }
        }
        else
        {
            var factors = scaleFactor!;
            if (factors.Length != 1 && factors.Length != spatial)
                throw new ArgumentException($"Upsample scaleFactor must hold 1 or {spatial} values for input {Tensor.ShapeText(input.Dims)}, got {factors.Length}.", nameof(scaleFactor));
            for (int i = 0; i < spatial; i++)
            {
                double f = factors[factors.Length == 1 ? 0 : i];
                if (!(f > 0 && double.IsFinite(f)))
                    throw new ArgumentException($"Upsample scaleFactor must be positive and finite, got {f}.", nameof(scaleFactor));
                // PyTorch: floor(float(in) · scale) in double precision.
                double outSize = Math.Floor(inSizes[i] * f);
                if (outSize < 1 || outSize > Array.MaxLength)
                    throw new ArgumentException($"Upsample scaleFactor {f} turns size {inSizes[i]} into {outSize}; the result must be between 1 and {Array.MaxLength}.", nameof(scaleFactor));
                outSizes[i] = (int)outSize;
                scales[i] = f;
            }
        }
        for (int i = 0; i < spatial; i++)
            if (inSizes[i] < 1)
                throw new ArgumentException($"Upsample expects non-empty spatial dimensions, got input {Tensor.ShapeText(input.Dims)}.", nameof(input));

        int pad = 3 - spatial; // 1-D and 2-D data are volumes with leading axes of size 1
        int At(int[] sizes, int axis) => axis < pad ? 1 : sizes[axis - pad];
        double? ScaleAt(int axis) => axis < pad ? null : scales[axis - pad];
        var g = new UpsampleGeometry(input.Dims[0] * input.Dims[1], At(inSizes, 0), At(inSizes, 1), At(inSizes, 2),
            At(outSizes, 0), At(outSizes, 1), At(outSizes, 2),
            mode == UpsampleMode.Nearest ? UpsampleInterpolation.Nearest : UpsampleInterpolation.Linear, alignCorners,
            ScaleAt(0), ScaleAt(1), ScaleAt(2));
        if (g.OutputLength > Array.MaxLength)
            throw new ArgumentException($"Upsample output of {g.OutputLength} elements does not fit in an array.", size is null ? nameof(scaleFactor) : nameof(size));

        var y = Tensor.Uninitialized([input.Dims[0], input.Dims[1], .. outSizes]); // UpsampleKernel.Forward overwrites every element
        UpsampleKernel.Forward(g, input.Data, y.Data, Compute.Threads);
        if (ShouldRecord(input)) y.SetGradFn(new UpsampleNode(input, g));
        return y;
    }

    protected internal override void Backward(Tensor output, ReadOnlySpan<float> gradOutput)
    {
        var dx = GradOf(0);
        if (dx.IsEmpty) return;
        // y[n, c, o…] = Σ_{taps} Π_axis w_axis · x[n, c, i…]
        UpsampleKernel.Backward(geometry, gradOutput, dx, Compute.Threads);
    }
}
