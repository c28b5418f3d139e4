// A 2-D convolution whose output maps each see only some input maps, listed in a connection
// table: LeNet-5's layer C3 (LeCun et al. 1998, Table I), where "the connection scheme keeps the
// number of connections within reasonable bounds" and "forces a break of symmetry".
//   y[n,k,p,q] = b[k] + Σ_{c ∈ S_k} Σ_{r,s} W_k[c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s]
// Only the connected kernels are parameters: "weight" is (M, R, R) with M = Σ_k |S_k| kernels,
// in table order (output map 0's inputs in ascending order, then map 1's, ...). The forward pass
// scatters them into a dense (K, C, R, R) filter bank, W_dense = P · weight (P a fixed 0/1
// placement matrix of shape (K·C, M), no parameters), and runs an ordinary convolution; the
// gradient of the packed kernels is Pᵀ · dW_dense (autograd through the matrix product).
using System.Globalization;
using Striate.Layers;

namespace Striate.Models;

/// <summary>
/// A convolution with a partial connection table (LeNet-5's C3):
/// y[n,k,p,q] = b[k] + Σ_{c ∈ S_k} Σ_{r,s} W_k[c,r,s] · x[n, c, p·stride − padding + r, q·stride − padding + s],
/// where S_k is the set of input maps connected to output map k. Parameters: Σ_k |S_k|·R² weights and K biases.
/// </summary>
public sealed class ConnectionTableConv2d : Module, ICostModel
{
    private readonly int[][] _table;
    private readonly Tensor _placement;

    /// <summary>Creates the layer; weights and biases are drawn from U(−1/√fanIn, 1/√fanIn) with fanIn = |S_k|·R² per output map.</summary>
    /// <param name="inChannels">C, maps of the input.</param>
    /// <param name="kernelSize">Side R of the square kernels.</param>
    /// <param name="connections">One entry per output map k: the input maps S_k it reads (each in [0, C), no repeats, at least one).</param>
    /// <param name="stride">Step between output positions.</param>
    /// <param name="padding">Zero rows and columns on every side.</param>
    /// <param name="bias">Whether each output map has a learned bias.</param>
    /// <param name="rng">Initialisation randomness; a random seed when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inChannels"/>, <paramref name="kernelSize"/> or <paramref name="stride"/> is not positive, or <paramref name="padding"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="connections"/> is empty, or an entry is empty, repeats a map or names one outside [0, C).</exception>
    public ConnectionTableConv2d(int inChannels, int kernelSize, IReadOnlyList<IReadOnlyList<int>> connections, int stride = 1, int padding = 0,
        bool bias = true, Rng? rng = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inChannels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(kernelSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentNullException.ThrowIfNull(connections);
        if (connections.Count == 0) throw new ArgumentException("The connection table needs at least one output map.", nameof(connections));
        _table = new int[connections.Count][];
        for (int k = 0; k < connections.Count; k++)
        {
            var inputs = connections[k] ?? throw new ArgumentException($"Output map {k} has no connection list.", nameof(connections));
            if (inputs.Count == 0 || inputs.Any(c => c < 0 || c >= inChannels) || inputs.Distinct().Count() != inputs.Count)
                throw new ArgumentException($"Output map {k} must read one or more distinct input maps in [0, {inChannels}), got [{string.Join(", ", inputs)}].", nameof(connections));
            _table[k] = [.. inputs.Order()];
        }
        InChannels = inChannels;
        KernelSize = kernelSize;
        Stride = stride;
        Padding = padding;
        Connections = _table.Sum(s => s.Length);

        // P[(k·C + c), m] = 1 where packed kernel m is output k's kernel for input c.
        int taps = kernelSize * kernelSize;
        var placement = new float[OutChannels * inChannels * Connections];
        var r = RngOrRandom(rng);
        var weight = new float[Connections * taps];
        int m = 0;
        foreach (var (inputs, k) in _table.Select((s, k) => (s, k)))
        {
            float bound = DefaultInitBound(inputs.Length * taps);
            foreach (int c in inputs)
            {
                placement[(k * inChannels + c) * Connections + m] = 1f;
                r.FillUniform(weight.AsSpan(m * taps, taps), -bound, bound);
                m++;
            }
        }
        _placement = Tensor.FromArray(placement, OutChannels * inChannels, Connections);
        Weight = RegisterParameter("weight", Tensor.FromArray(weight, Connections, kernelSize, kernelSize));
        if (bias)
        {
            var b = new float[OutChannels];
            for (int k = 0; k < b.Length; k++)
            {
                float bound = DefaultInitBound(_table[k].Length * taps);
                r.FillUniform(b.AsSpan(k, 1), -bound, bound);
            }
            Bias = RegisterParameter("bias", Tensor.FromArray(b, OutChannels));
        }
    }

    /// <summary>C, maps of the input.</summary>
    public int InChannels { get; }

    /// <summary>K, maps of the output (entries of the table).</summary>
    public int OutChannels => _table.Length;

    /// <summary>Side of the square kernels.</summary>
    public int KernelSize { get; }

    /// <summary>Step between output positions.</summary>
    public int Stride { get; }

    /// <summary>Zero padding on every side.</summary>
    public int Padding { get; }

    /// <summary>M = Σ_k |S_k|, the number of (output map, input map) connections, each with an R×R kernel.</summary>
    public int Connections { get; }

    /// <summary>The input maps S_k of each output map k, ascending.</summary>
    public IReadOnlyList<IReadOnlyList<int>> Table => _table;

    /// <summary>(M, R, R) kernels of the connections, in table order.</summary>
    public Tensor Weight { get; }

    /// <summary>(K) biases, or null.</summary>
    public Tensor? Bias { get; }

    /// <inheritdoc/>
    public override string Description => string.Create(CultureInfo.InvariantCulture,
        $"{InChannels}→{OutChannels}, {KernelSize}×{KernelSize}, {Connections} of {InChannels * OutChannels} connections, stride {Stride}, pad {Padding}")
        + (Bias is null ? ", no bias" : "");

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">The input is not (N, C, H, W) with this layer's C, or smaller than the kernel after padding.</exception>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank != 4 || input.Dims[1] != InChannels)
            throw new ArgumentException($"ConnectionTableConv2d expects (N, {InChannels}, H, W) input, got {Tensor.ShapeText(input.Dims)}.", nameof(input));
        var dense = _placement.MatMul(Weight.Reshape(Connections, KernelSize * KernelSize))
            .Reshape(OutChannels, InChannels, KernelSize, KernelSize);
        return Functional.Conv2d(input, dense, Bias, Stride, Padding);
    }

    /// <summary>M·R²·P·Q per example: each connection's kernel at every output position (bias additions not counted).</summary>
    public long MultiplyAccumulates(IReadOnlyList<int> inputShape, IReadOnlyList<int> outputShape)
    {
        ArgumentNullException.ThrowIfNull(outputShape);
        return (long)Connections * KernelSize * KernelSize * outputShape[^2] * outputShape[^1];
    }

    /// <summary>An R×R window moving by <see cref="Stride"/>.</summary>
    public SpatialWindow? Window => new(KernelSize, Stride);
}
