// Convolution as an explicit matrix, for teaching: the chapter's "convolution is a linear
// operation, so it can be written as a (sparse) matrix C; backpropagation multiplies by Cᵀ".
//   vec(y) = C · vec(x)        C: (K·P·Q) × (C·H·W)   (1-D: (K·Lout) × (C·L))
//   C[(k,p,q), (c,h,v)] = Σ w[k,c,r,s] over the taps (r, s) that read x[c,h,v] for output (k,p,q):
//     zero padding:     h = p·stride − padding + r,            v = q·stride − padding + s   (taps in the padding have no column)
//     circular padding: h = (p·stride − padding + r) mod H,    v = (q·stride − padding + s) mod W
//   vec(dx) = Cᵀ · vec(dy)   (the input gradient of the convolution)
// vec is row-major flattening, the tensors' own layout. With zero padding and stride 1, C is
// (block) Toeplitz: entries depend only on the offset (h − p, v − q); with circular padding and an
// output as large as the input it is doubly block circulant (offsets taken mod H and mod W).
// Built densely (this is for small layers) and compressed to CSR; the fast path never uses it.
using System.Globalization;
using System.Text;

namespace Striate.Teaching;

/// <summary>How the border of the input is padded when building a <see cref="ConvolutionMatrix"/>.</summary>
public enum ConvolutionPadding
{
    /// <summary>Zeros outside the input (PyTorch's default <c>padding_mode='zeros'</c>): a (block) Toeplitz matrix.</summary>
    Zeros,

    /// <summary>The input wraps around (PyTorch's <c>padding_mode='circular'</c>): a (doubly block) circulant matrix.</summary>
    Circular,
}

/// <summary>
/// A sparse matrix in compressed sparse row (CSR) form: row i holds the values
/// <c>Values[RowPointers[i] .. RowPointers[i + 1]]</c> in the columns <c>ColumnIndices[...]</c>, ascending.
/// </summary>
public sealed class CsrMatrix
{
    private readonly int[] _rowPointers, _columnIndices;
    private readonly float[] _values;

    internal CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, float[] values)
    {
        Rows = rows;
        Columns = columns;
        _rowPointers = rowPointers;
        _columnIndices = columnIndices;
        _values = values;
    }

    /// <summary>Number of rows.</summary>
    public int Rows { get; }

    /// <summary>Number of columns.</summary>
    public int Columns { get; }

    /// <summary>Rows + 1 offsets into <see cref="ColumnIndices"/> and <see cref="Values"/>; the last is the non-zero count.</summary>
    public IReadOnlyList<int> RowPointers => _rowPointers.AsReadOnly();

    /// <summary>The column of each stored value, ascending within a row.</summary>
    public IReadOnlyList<int> ColumnIndices => _columnIndices.AsReadOnly();

    /// <summary>The stored values, row by row.</summary>
    public IReadOnlyList<float> Values => _values.AsReadOnly();

    /// <summary>Number of stored (structurally non-zero) entries.</summary>
    public int NonZeroCount => _values.Length;

    /// <summary>y = A·x: y[i] = Σ_j A[i,j] · x[j] over the stored entries of row i. <paramref name="y"/> is overwritten.</summary>
    /// <param name="x">Columns values.</param>
    /// <param name="y">Rows values.</param>
    /// <exception cref="ArgumentException">A span has the wrong length (ParamName says which).</exception>
    public void Multiply(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != Columns) throw new ArgumentException($"x holds {x.Length} values; the matrix has {Columns} columns.", nameof(x));
        if (y.Length != Rows) throw new ArgumentException($"y holds {y.Length} values; the matrix has {Rows} rows.", nameof(y));
        for (int i = 0; i < Rows; i++)
        {
            float sum = 0f;
            for (int e = _rowPointers[i]; e < _rowPointers[i + 1]; e++) sum += _values[e] * x[_columnIndices[e]];
            y[i] = sum;
        }
    }

    /// <summary>x = Aᵀ·y: x[j] = Σ_i A[i,j] · y[i]. <paramref name="x"/> is overwritten.</summary>
    /// <param name="y">Rows values.</param>
    /// <param name="x">Columns values.</param>
    /// <exception cref="ArgumentException">A span has the wrong length (ParamName says which).</exception>
    public void MultiplyTransposed(ReadOnlySpan<float> y, Span<float> x)
    {
        if (y.Length != Rows) throw new ArgumentException($"y holds {y.Length} values; the matrix has {Rows} rows.", nameof(y));
        if (x.Length != Columns) throw new ArgumentException($"x holds {x.Length} values; the matrix has {Columns} columns.", nameof(x));
        x.Clear();
        for (int i = 0; i < Rows; i++)
            for (int e = _rowPointers[i]; e < _rowPointers[i + 1]; e++) x[_columnIndices[e]] += _values[e] * y[i];
    }

    /// <summary>The matrix as a dense (Rows, Columns) tensor.</summary>
    public Tensor ToDense()
    {
        var dense = Tensor.Zeros(Rows, Columns);
        var d = dense.AsSpan();
        for (int i = 0; i < Rows; i++)
            for (int e = _rowPointers[i]; e < _rowPointers[i + 1]; e++) d[i * Columns + _columnIndices[e]] = _values[e];
        return dense;
    }
}

/// <summary>
/// The explicit matrix C of a small convolution (cross-correlation, as <c>Functional.Conv2d</c>
/// computes it), such that vec(conv(x)) = C·vec(x) and the input gradient is vec(dx) = Cᵀ·vec(dy), with
/// C[(k,p,q), (c,h,v)] = Σ w[k,c,r,s] over the taps reading x[c,h,v] (formulas in the file header). For teaching
/// and checking: Striate's convolutions never build it.
/// </summary>
public sealed class ConvolutionMatrix
{
    private readonly int[] _inputShape, _outputShape;

    private ConvolutionMatrix(int[] inputShape, int[] outputShape, Tensor dense, CsrMatrix sparse)
    {
        _inputShape = inputShape;
        _outputShape = outputShape;
        Dense = dense;
        Sparse = sparse;
    }

    /// <summary>One example's input shape: (C, L) or (C, H, W).</summary>
    public IReadOnlyList<int> InputShape => _inputShape;

    /// <summary>One example's output shape: (K, Lout) or (K, P, Q).</summary>
    public IReadOnlyList<int> OutputShape => _outputShape;

    /// <summary>
    /// C as a dense (K·P·Q, C·H·W) tensor (rows: outputs in row-major order; columns: inputs). It is this object's own
    /// copy for inspection: <see cref="Sparse"/>, <see cref="Multiply"/> and <see cref="MultiplyTransposed"/> never read it.
    /// </summary>
    public Tensor Dense { get; }

    /// <summary>C in compressed sparse row form.</summary>
    public CsrMatrix Sparse { get; }

    /// <summary>
    /// Builds C for a 1-D convolution (weight (K, C, S), input (C, L)) or a 2-D one (weight (K, C, R, S), input (C, H, W)),
    /// with the same stride and padding along every axis: C[(k,p,q), (c,h,v)] = Σ w[k,c,r,s] over the taps with
    /// h = p·stride − padding + r and v = q·stride − padding + s (taken mod H and W for circular padding).
    /// </summary>
    /// <param name="weight">(K, C, S) for 1-D or (K, C, R, S) for 2-D filters.</param>
    /// <param name="inputShape">One example's shape: (C, L) for 1-D, (C, H, W) for 2-D; no batch dimension.</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">Cells added on every side: zeros, or wrapped-around input for <see cref="ConvolutionPadding.Circular"/>.</param>
    /// <param name="paddingMode">Zero or circular padding.</param>
    /// <returns>The matrix with its dense and CSR forms; rows K·P·Q with P = ⌊(H + 2·padding − R)/stride⌋ + 1 (Q likewise).</returns>
    /// <exception cref="ArgumentException">
    /// weight is not 3- or 4-D (weight); inputShape does not have one more dimension than the weight has spatial ones,
    /// has a non-positive size, or a channel count different from the weight's (inputShape); stride is not positive (stride);
    /// padding is negative, or larger than the input for circular padding (padding); the kernel is larger than the padded
    /// input (weight); the dense matrix would not fit in an array (inputShape); the padding mode is undefined (paddingMode).
    /// </exception>
    public static ConvolutionMatrix Build(Tensor weight, IReadOnlyList<int> inputShape, int stride = 1, int padding = 0,
        ConvolutionPadding paddingMode = ConvolutionPadding.Zeros)
    {
        ArgumentNullException.ThrowIfNull(weight);
        ArgumentNullException.ThrowIfNull(inputShape);
        if (weight.Rank is not (3 or 4))
            throw new ArgumentException($"ConvolutionMatrix expects a weight of shape (K, C, S) or (K, C, R, S), got {Tensor.ShapeText(weight.Dims)}.", nameof(weight));
        bool twoD = weight.Rank == 4;
        if (inputShape.Count != weight.Rank - 1)
            throw new ArgumentException($"ConvolutionMatrix with weight {Tensor.ShapeText(weight.Dims)} needs an input shape of {(twoD ? "(C, H, W)" : "(C, L)")}, got {Tensor.ShapeText([.. inputShape])}.", nameof(inputShape));
        if (inputShape.Any(d => d < 1))
            throw new ArgumentException($"ConvolutionMatrix input shape must be positive, got {Tensor.ShapeText([.. inputShape])}.", nameof(inputShape));
        if (!Enum.IsDefined(paddingMode)) throw new ArgumentException($"Padding mode {paddingMode} is not defined.", nameof(paddingMode));
        if (stride < 1) throw new ArgumentException($"ConvolutionMatrix stride must be positive, got {stride}.", nameof(stride));
        if (padding < 0) throw new ArgumentException($"ConvolutionMatrix padding must be non-negative, got {padding}.", nameof(padding));

        int k = weight.Dims[0], c = weight.Dims[1];
        int r = twoD ? weight.Dims[2] : 1, s = weight.Dims[^1];
        int h = twoD ? inputShape[1] : 1, w = inputShape[^1];
        int padH = twoD ? padding : 0;
        if (inputShape[0] != c)
            throw new ArgumentException($"ConvolutionMatrix weight {Tensor.ShapeText(weight.Dims)} expects {c} input channels, the input shape {Tensor.ShapeText([.. inputShape])} has {inputShape[0]}.", nameof(inputShape));
        if (paddingMode == ConvolutionPadding.Circular && (padding > w || padH > h))
            throw new ArgumentException($"Circular padding {padding} is larger than the input {Tensor.ShapeText([.. inputShape])}: it can only wrap the input around once, as in PyTorch.", nameof(padding));
        if (h + 2L * padH < r || w + 2L * padding < s)
            throw new ArgumentException($"ConvolutionMatrix kernel {Tensor.ShapeText(weight.Dims)} is larger than the padded input {Tensor.ShapeText([.. inputShape])} with padding {padding}.", nameof(weight));
        int p = (h + 2 * padH - r) / stride + 1, q = (w + 2 * padding - s) / stride + 1;
        long rows = (long)k * p * q, columns = (long)c * h * w;
        if (rows * columns > Array.MaxLength)
            throw new ArgumentException($"ConvolutionMatrix of {rows}×{columns} is too large to build densely; it is meant for small teaching examples.", nameof(inputShape));

        var dense = Tensor.Zeros((int)rows, (int)columns);
        var connected = new bool[rows * columns];
        var d = dense.AsSpan();
        var wd = weight.AsSpan();
        for (int ko = 0; ko < k; ko++)
        for (int po = 0; po < p; po++)
        for (int qo = 0; qo < q; qo++)
        {
            int row = (ko * p + po) * q + qo;
            for (int ci = 0; ci < c; ci++)
            for (int ri = 0; ri < r; ri++)
            for (int si = 0; si < s; si++)
            {
                int hi = po * stride - padH + ri, vi = qo * stride - padding + si;
                if (paddingMode == ConvolutionPadding.Circular)
                {
                    hi = ((hi % h) + h) % h;
                    vi = ((vi % w) + w) % w;
                }
                else if (hi < 0 || hi >= h || vi < 0 || vi >= w) continue;
                // += : with circular padding two taps of one output can wrap onto the same input.
                int at = (int)(row * columns) + (ci * h + hi) * w + vi;
                d[at] += wd[((ko * c + ci) * r + ri) * s + si];
                connected[at] = true;
            }
        }
        int[] outputShape = twoD ? [k, p, q] : [k, q];
        return new ConvolutionMatrix([.. inputShape], outputShape, dense, Compress(dense, connected, (int)rows, (int)columns));
    }

    /// <summary>
    /// vec(y) = C·vec(x) for one example or a batch, computed with the CSR form: the convolution of
    /// <paramref name="input"/> without bias. Not recorded for autograd.
    /// </summary>
    /// <param name="input">One example of shape <see cref="InputShape"/>, or a batch (N, …InputShape).</param>
    /// <returns>(…OutputShape) or (N, …OutputShape).</returns>
    /// <exception cref="ArgumentException">The input's shape is neither <see cref="InputShape"/> nor a batch of it.</exception>
    public Tensor Multiply(Tensor input) => Apply(input, _inputShape, _outputShape, transposed: false, nameof(input));

    /// <summary>
    /// vec(dx) = Cᵀ·vec(dy) for one example or a batch: the input gradient of the convolution for the output gradient
    /// <paramref name="gradOutput"/>, the chapter's "transpose of the matrix back-propagates the errors". Not recorded for autograd.
    /// </summary>
    /// <param name="gradOutput">One example of shape <see cref="OutputShape"/>, or a batch (N, …OutputShape).</param>
    /// <returns>(…InputShape) or (N, …InputShape).</returns>
    /// <exception cref="ArgumentException">The gradient's shape is neither <see cref="OutputShape"/> nor a batch of it.</exception>
    public Tensor MultiplyTransposed(Tensor gradOutput) => Apply(gradOutput, _outputShape, _inputShape, transposed: true, nameof(gradOutput));

    private Tensor Apply(Tensor source, int[] from, int[] to, bool transposed, string name)
    {
        ArgumentNullException.ThrowIfNull(source, name);
        bool single = source.Dims.SequenceEqual(from);
        if (!single && !(source.Rank == from.Length + 1 && source.Dims[1..].SequenceEqual(from)))
            throw new ArgumentException($"Expected shape {Tensor.ShapeText(from)} or a batch (N, …) of it, got {Tensor.ShapeText(source.Dims)}.", name);
        int n = single ? 1 : source.Dims[0];
        int fromLength = from.Aggregate(1, (a, b) => a * b), toLength = to.Aggregate(1, (a, b) => a * b);
        var result = Tensor.Zeros(single ? to : [n, .. to]);
        for (int i = 0; i < n; i++)
        {
            var x = source.AsSpan().Slice(i * fromLength, fromLength);
            var y = result.AsSpan().Slice(i * toLength, toLength);
            if (transposed) Sparse.MultiplyTransposed(x, y);
            else Sparse.Multiply(x, y);
        }
        return result;
    }

    /// <summary>
    /// The dense matrix as aligned text, one line per row, each value formatted with <paramref name="format"/>
    /// (invariant culture) and right-aligned: a small layer's Toeplitz structure is visible at a glance.
    /// </summary>
    /// <param name="format">A .NET numeric format for the values, e.g. <c>G4</c> or <c>0.##</c>.</param>
    public string ToText(string format = "G4")
    {
        int rows = Dense.Shape[0], columns = Dense.Shape[1];
        var cells = Dense.ToArray().Select(v => v.ToString(format, CultureInfo.InvariantCulture)).ToArray();
        int width = cells.Length == 0 ? 1 : cells.Max(t => t.Length);
        var sb = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (j > 0) sb.Append(' ');
                sb.Append(cells[i * columns + j].PadLeft(width));
            }
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>
    /// CSR of the entries some tap produced (<paramref name="connected"/>), kept even where the weights are or sum to
    /// zero, so the sparsity pattern shows the layer's connections rather than the current weight values.
    /// </summary>
    private static CsrMatrix Compress(Tensor dense, bool[] connected, int rows, int columns)
    {
        var d = dense.AsSpan();
        var pointers = new int[rows + 1];
        var cols = new List<int>();
        var vals = new List<float>();
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (!connected[i * columns + j]) continue;
                cols.Add(j);
                vals.Add(d[i * columns + j]);
            }
            pointers[i + 1] = cols.Count;
        }
        return new CsrMatrix(rows, columns, pointers, [.. cols], [.. vals]);
    }
}
