// Shape glue of the ONNX importer: operators on integer shape values (computed on the host) and the
// structural operators on float tensors, as PyTorch's exporter writes them:
//   Constant, ConstantOfShape, Shape, Gather, Slice, Unsqueeze, Squeeze, Transpose, Cast.
// Float Transpose, Gather and Slice run through Striate's differentiable indexing ops (Functional.Permute,
// IndexSelect, Slice), so activations and initializers that pass through them get their gradients; integer
// values stay on the host. Everything here is exact (values are moved, never combined).
using Striate.Autograd;

namespace Striate.Onnx;

internal static partial class OnnxOperators
{
    private static OnnxValue[] Constant(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        if (n.TensorAttribute("value") is { } t) return [OnnxTensorCodec.Decode(t, null, $"Constant '{n.Name}'")];
        if (n.Has("value_float")) return [F(Tensor.Scalar(n.Float("value_float", 0f)))];
        if (n.Floats("value_floats") is { } fs) return [F(Tensor.FromArray(fs, fs.Length))];
        if (n.Has("value_int")) return [OnnxValue.Integers([n.Int("value_int", 0)], [])];
        if (n.Ints("value_ints") is { } ints) return [OnnxValue.Integers(ints, [ints.Length])];
        throw new NotSupportedException("a Constant needs value, value_float(s) or value_int(s).");
    }

    private static OnnxValue[] Shape(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var dims = Arg(x, 0, n).Dims;
        int r = dims.Length;
        long start = n.Int("start", 0), end = n.Int("end", r);
        start = Math.Clamp(start < 0 ? start + r : start, 0, r);
        end = Math.Clamp(end < 0 ? end + r : end, 0, r);
        long[] shape = [.. dims[(int)start..(int)Math.Max(start, end)].Select(d => (long)d)];
        return [OnnxValue.Integers(shape, [shape.Length])];
    }

    private static OnnxValue[] Gather(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        var indices = Arg(x, 1, n);
        var idx = indices.Ints ?? throw new ArgumentException("indices must be integers.");
        int r = data.Dims.Length;
        int axis = Axis(n.Int("axis", 0), r, "axis");
        int outer = 1, inner = 1, size = data.Dims[axis];
        for (int i = 0; i < axis; i++) outer *= data.Dims[i];
        for (int i = axis + 1; i < r; i++) inner *= data.Dims[i];
        int[] outDims = [.. data.Dims[..axis], .. indices.Dims, .. data.Dims[(axis + 1)..]];
        var picks = idx.Select(i => i < 0 ? i + size : i).ToArray();
        if (picks.Any(i => i < 0 || i >= size)) throw new ArgumentException($"an index is outside the axis of size {size}.");
        long total = (long)outer * picks.Length * inner;
        if (data.IsFloat)
        {
            // y = index_select(x, axis, indices) reshaped to data.dims[:axis] + indices.dims + data.dims[axis+1:].
            Bound(data.Tensor!, outDims.Select(d => (long)d), "the gathered output");
            return [F(Functional.IndexSelect(data.Tensor!, axis, [.. picks.Select(p => (int)p)]).Reshape(outDims))];
        }
        var ints = new long[total];
        int m = 0;
        for (int o = 0; o < outer; o++)
            foreach (long p in picks)
                for (int i = 0; i < inner; i++) ints[m++] = data.Ints![(int)((o * size + p) * inner + i)];
        return [OnnxValue.Integers(ints, outDims)];
    }

    private static OnnxValue[] Unsqueeze(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        long[] axes = n.Ints("axes") ?? IntsOf(x, 1, n);
        int outRank = data.Dims.Length + axes.Length;
        var norm = axes.Select(a => Axis(a, outRank, "axis")).ToHashSet();
        if (norm.Count != axes.Length) throw new ArgumentException("axes repeat.");
        var dims = new List<int>();
        int src = 0;
        for (int i = 0; i < outRank; i++) dims.Add(norm.Contains(i) ? 1 : data.Dims[src++]);
        return [Reshaped(data, [.. dims])];
    }

    private static OnnxValue[] Squeeze(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        long[]? axes = n.Ints("axes") ?? (x.Length > 1 && x[1] is not null ? IntsOf(x, 1, n) : null);
        int r = data.Dims.Length;
        var drop = axes is null ? Enumerable.Range(0, r).Where(i => data.Dims[i] == 1).ToHashSet() : axes.Select(a => Axis(a, r, "axis")).ToHashSet();
        foreach (int a in drop)
            if (data.Dims[a] != 1) throw new ArgumentException($"axis {a} has size {data.Dims[a]}, not 1.");
        return [Reshaped(data, [.. Enumerable.Range(0, r).Where(i => !drop.Contains(i)).Select(i => data.Dims[i])])];
    }

    private static OnnxValue Reshaped(OnnxValue v, int[] dims) => v.IsFloat ? F(v.Tensor!.Reshape(dims)) : OnnxValue.Integers(v.Ints!, dims);

    private static OnnxValue[] Transpose(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        int r = data.Dims.Length;
        int[] perm = n.Ints("perm") is { } p ? ToInts(p, "perm") : [.. Enumerable.Range(0, r).Reverse()];
        if (perm.Length != r || perm.Order().Where((v, i) => v != i).Any()) throw new ArgumentException($"perm ({string.Join(", ", perm)}) is not a permutation of {r} axes.");
        if (data.IsFloat) return [F(Functional.Permute(data.Tensor!, perm))];
        var t = Permute(data.Ints!, data.Dims, perm, out int[] dims);
        return [OnnxValue.Integers(t, dims)];
    }

    private static TValue[] Permute<TValue>(TValue[] src, int[] srcDims, int[] perm, out int[] dims)
    {
        int r = srcDims.Length;
        dims = [.. perm.Select(p => srcDims[p])];
        var srcStrides = new int[r];
        for (int i = r - 1, s = 1; i >= 0; i--) { srcStrides[i] = s; s *= srcDims[i]; }
        var dst = new TValue[src.Length];
        var index = new int[r];
        for (int k = 0; k < dst.Length; k++)
        {
            int offset = 0;
            for (int i = 0; i < r; i++) offset += index[i] * srcStrides[perm[i]];
            dst[k] = src[offset];
            for (int i = r - 1; i >= 0; i--)
            {
                if (++index[i] < dims[i]) break;
                index[i] = 0;
            }
        }
        return dst;
    }

    private static OnnxValue[] Cast(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        long to = n.Int("to", 0);
        switch (to)
        {
            case 1 or 10 or 11: // FLOAT, FLOAT16, DOUBLE: Striate computes in float32.
                return [data.IsFloat ? data : F(Tensor.FromArray([.. data.Ints!.Select(v => (float)v)], data.Dims))];
            case 6 or 7: // INT32, INT64
                if (data.IsFloat)
                {
                    if (data.Tensor!.RequiresGrad && GradMode.IsEnabled) throw new NotSupportedException("casting a tensor that needs a gradient to integers is not supported.");
                    return [OnnxValue.Integers([.. data.Tensor.ToArray().Select(v => (long)v)], data.Dims)];
                }
                return [data];
            default:
                throw new NotSupportedException($"Cast to {OnnxTensorCodec.DataTypeName((int)to)} is not supported (float and integer targets are).");
        }
    }

    private static OnnxValue[] ConstantOfShape(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var shapeValues = IntsOf(x, 0, n);
        var dims = ToInts(shapeValues, "shape entry");
        long count = 1;
        foreach (int d in dims)
        {
            if (d < 0) throw new ArgumentException($"shape entry {d} is negative.");
            count *= d;
            // A shape value comes from the graph (possibly a corrupt file): bound what it can make us allocate.
            if (count > MaxComputedElements) throw new ArgumentException($"shape ({string.Join(", ", dims)}) asks for more than {MaxComputedElements} elements.");
        }
        var fill = n.TensorAttribute("value") is { } t ? OnnxTensorCodec.Decode(t, null, $"ConstantOfShape '{n.Name}' value") : OnnxValue.Float(Tensor.Scalar(0f));
        if (fill.IsFloat) return [F(Tensor.Full(fill.Tensor!.Length == 1 ? fill.Tensor.AsSpan()[0] : throw new ArgumentException("value must hold one element."), dims))];
        if (fill.Ints!.Length != 1) throw new ArgumentException("value must hold one element.");
        return [OnnxValue.Integers(Enumerable.Repeat(fill.Ints[0], (int)count).ToArray(), dims)];
    }

    private static OnnxValue[] Slice(OnnxNode n, OnnxValue?[] x, OnnxModel _)
    {
        var data = Arg(x, 0, n);
        int r = data.Dims.Length;
        long[] starts = n.Ints("starts") ?? IntsOf(x, 1, n);
        long[] ends = n.Ints("ends") ?? IntsOf(x, 2, n);
        long[] axes = n.Ints("axes") ?? (x.Length > 3 && x[3] is not null ? IntsOf(x, 3, n) : [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)]);
        long[] steps = x.Length > 4 && x[4] is not null ? IntsOf(x, 4, n) : [.. Enumerable.Repeat(1L, starts.Length)];
        if (ends.Length != starts.Length || axes.Length != starts.Length || steps.Length != starts.Length)
            throw new ArgumentException("starts, ends, axes and steps differ in length.");
        if (data.IsFloat)
        {
            // One differentiable slice per listed axis. ONNX clamps as Python does (Functional.Slice) except for a
            // start before the first element with a negative step, which ONNX clamps to 0 (OnnxStart); 64-bit
            // bounds beyond the int range clamp alike.
            var y = data.Tensor!;
            var sliced = new HashSet<int>();
            for (int i = 0; i < starts.Length; i++)
            {
                int a = Axis(axes[i], r, "axis");
                if (!sliced.Add(a)) throw new ArgumentException($"axis {axes[i]} is sliced twice.");
                if (steps[i] == 0) throw new ArgumentException("a step is 0.");
                y = Functional.Slice(y, a, Narrow(OnnxStart(starts[i], steps[i], data.Dims[a])), Narrow(ends[i]), Narrow(steps[i]));
            }
            return [F(y)];
        }
        var begin = new long[r];
        var step = Enumerable.Repeat(1L, r).ToArray();
        var size = data.Dims.Select(d => (long)d).ToArray();
        for (int i = 0; i < starts.Length; i++)
        {
            int a = Axis(axes[i], r, "axis");
            long dim = data.Dims[a], s = steps[i];
            if (s == 0) throw new ArgumentException("a step is 0.");
            long st = OnnxStart(starts[i], s, dim), en = ends[i] < 0 ? ends[i] + dim : ends[i];
            if (st < 0) st += dim;
            if (s > 0) { st = Math.Clamp(st, 0, dim); en = Math.Clamp(en, 0, dim); }
            else { st = Math.Clamp(st, -1, dim - 1); en = Math.Clamp(en, -1, dim - 1); }
            long count = s > 0 ? Math.Max(0, (en - st + s - 1) / s) : Math.Max(0, (st - en - s - 1) / -s);
            begin[a] = st;
            step[a] = s;
            size[a] = count;
        }
        int[] outDims = [.. size.Select(v => (int)v)];
        long total = size.Aggregate(1L, (p, v) => p * v);
        var srcStrides = new long[r];
        for (int i = r - 1, m = 1; i >= 0; i--) { srcStrides[i] = m; m *= data.Dims[i]; }
        var index = new long[r];
        var offsets = new long[total];
        for (long k = 0; k < total; k++)
        {
            long o = 0;
            for (int i = 0; i < r; i++) o += (begin[i] + index[i] * step[i]) * srcStrides[i];
            offsets[k] = o;
            for (int i = r - 1; i >= 0; i--)
            {
                if (++index[i] < size[i]) break;
                index[i] = 0;
            }
        }
        return [OnnxValue.Integers([.. offsets.Select(o => data.Ints![o])], outDims)];
    }

    /// <summary>
    /// ONNX clamps a negative-step start into [0, n − 1], where Python gives −1 (nothing) for a start before the
    /// first element: such a start becomes 0. Other starts are returned unchanged.
    /// </summary>
    private static long OnnxStart(long start, long step, long n) => step < 0 && start < 0 && start + n < 0 ? 0 : start;

    /// <summary>A 64-bit slice bound or step clamped to int: beyond ±2³¹ every axis Striate can hold clamps alike.</summary>
    private static int Narrow(long v) => (int)Math.Clamp(v, int.MinValue, int.MaxValue);
}
