// ConnectionTableConv2d (LeNet-5's C3): equals a dense convolution whose unconnected kernels are zero,
// has exactly Σ|S_k|·R² + K parameters, passes finite-difference gradient checks over every batch item,
// accumulates gradients, rejects bad tables and inputs naming the parameter, and round-trips through checkpoints.
using Striate.Autograd;
using Striate.Layers;
using Striate.Models;
using Striate.Serialization;
using Striate.Tests.TestSupport;

namespace Striate.Tests.Models;

public sealed class ConnectionTableConv2dTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-c3-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The dense (K, C, R, R) filter bank the table describes: packed kernel m goes to (k, c) in table order.
    private static Tensor DenseWeight(ConnectionTableConv2d layer)
    {
        int k = layer.OutChannels, c = layer.InChannels, taps = layer.KernelSize * layer.KernelSize;
        var dense = new float[k * c * taps];
        int m = 0;
        for (int o = 0; o < k; o++)
            foreach (int i in layer.Table[o])
                layer.Weight.AsSpan().Slice(m++ * taps, taps).CopyTo(dense.AsSpan((o * c + i) * taps, taps));
        return Tensor.FromArray(dense, k, c, layer.KernelSize, layer.KernelSize);
    }

    [Theory]
    [InlineData(1, 14, 14, 1, 0)]
    [InlineData(3, 11, 13, 2, 1)]
    [InlineData(2, 9, 7, 3, 2)]
    public void Forward_EqualsDenseConvolutionWithZerosOutsideTheTable(int batch, int height, int width, int stride, int padding)
    {
        var layer = new ConnectionTableConv2d(6, 5, LeNet5.C3Table, stride, padding, rng: new Rng(3));
        var x = Tensor.Normal(new Rng(4), 0, 1, batch, 6, height, width);

        Tensor actual, expected;
        using (GradMode.NoGrad())
        {
            actual = layer.Forward(x);
            expected = Functional.Conv2d(x, DenseWeight(layer), layer.Bias, stride, padding);
        }

        AssertTensor.Close(actual, [.. expected.Shape], [.. expected.ToArray().Select(v => (double)v)], Tolerances.Accumulation,
            $"C3 table conv vs dense masked conv, stride {stride}, pad {padding}");
    }

    [Fact]
    public void C3_HasThePapersConnectionsAndParameters()
    {
        var layer = new ConnectionTableConv2d(6, 5, LeNet5.C3Table, rng: new Rng(1));

        Assert.Equal(60, layer.Connections);
        Assert.Equal([60, 5, 5], layer.Weight.Shape);
        Assert.Equal(1_516, layer.ParameterCount()); // 60·25 + 16, paper §II.B
        Assert.Equal([3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 6], layer.Table.Select(s => s.Count));
        Assert.Equal([0, 4, 5], layer.Table[4]);
        Assert.Equal("6→16, 5×5, 60 of 96 connections, stride 1, pad 0", layer.Description);
    }

    [Fact]
    public void Weights_UnconnectedKernelsStayZeroInTheDenseBankAfterAStep()
    {
        var layer = new ConnectionTableConv2d(6, 5, LeNet5.C3Table, rng: new Rng(1));
        var x = Tensor.Normal(new Rng(2), 0, 1, 2, 6, 10, 10);
        layer.Forward(x).Sum().Backward();
        new Striate.Training.Sgd(layer.Parameters(), 0.1f).Step();

        var dense = DenseWeight(layer).ToArray();
        for (int k = 0; k < 16; k++)
            for (int c = 0; c < 6; c++)
                if (!LeNet5.C3Table[k].Contains(c))
                    Assert.All(dense.AsSpan((k * 6 + c) * 25, 25).ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    public void GradCheck_InputWeightAndBias_OverEveryBatchItem(int stride, int padding)
    {
        int[][] table = [[0, 2], [1], [0, 1, 2]];
        var layer = new ConnectionTableConv2d(3, 3, table, stride, padding, rng: new Rng(5));
        var x = Tensor.Normal(new Rng(6), 0, 1, 3, 3, 6, 5);
        x.RequiresGrad = true;

        var result = GradCheck.Check(t => layer.Forward(t[0]), [x, layer.Weight, layer.Bias!], new Rng(7),
            Tolerances.GradCheckEpsilon, Tolerances.GradCheckAbsolute, Tolerances.GradCheckRelative);

        Assert.True(result.Passed, result.Message);
    }

    [Fact]
    public void Backward_Twice_AccumulatesTwice()
    {
        var layer = new ConnectionTableConv2d(6, 5, LeNet5.C3Table, rng: new Rng(1));
        var x = Tensor.Normal(new Rng(2), 0, 1, 2, 6, 9, 9);
        layer.Forward(x).Sum().Backward();
        var once = layer.Weight.Grad!.ToArray();
        layer.Forward(x).Sum().Backward();
        var twice = layer.Weight.Grad!.ToArray();

        AssertTensor.Close(twice, [.. once.Select(v => 2.0 * v)], [.. layer.Weight.Shape], Tolerances.Accumulation, "C3 weight gradient after two backward passes");
    }

    [Fact]
    public void BadArguments_ThrowNamingTheParameter()
    {
        Assert.Equal("connections", Assert.Throws<ArgumentException>(() => new ConnectionTableConv2d(6, 5, [])).ParamName);
        Assert.Equal("connections", Assert.Throws<ArgumentException>(() => new ConnectionTableConv2d(6, 5, [[0, 6]])).ParamName);
        Assert.Equal("connections", Assert.Throws<ArgumentException>(() => new ConnectionTableConv2d(6, 5, [[1, 1]])).ParamName);
        Assert.Equal("connections", Assert.Throws<ArgumentException>(() => new ConnectionTableConv2d(6, 5, [[]])).ParamName);
        Assert.Equal("kernelSize", Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionTableConv2d(6, 0, LeNet5.C3Table)).ParamName);
        Assert.Equal("padding", Assert.Throws<ArgumentOutOfRangeException>(() => new ConnectionTableConv2d(6, 5, LeNet5.C3Table, padding: -1)).ParamName);
        var layer = new ConnectionTableConv2d(6, 5, LeNet5.C3Table, rng: new Rng(1));
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(1, 5, 10, 10))).ParamName);
    }

    [Fact]
    public void Summary_CountsConnectedMultiplyAccumulatesAndTheWindow()
    {
        var summary = new Sequential(new ConnectionTableConv2d(6, 5, LeNet5.C3Table, rng: new Rng(1))).Summarize(6, 14, 14);
        var row = Assert.Single(summary.Rows);
        Assert.Equal([1, 16, 10, 10], row.OutputShape);
        Assert.Equal(60L * 25 * 10 * 10, row.MultiplyAccumulates); // 150,000: connections·R²·P·Q
        Assert.Equal([5.0, 5.0], row.ReceptiveField);
    }

    [Fact]
    public void Checkpoint_RoundTrip_SameTableWeightsAndOutput()
    {
        var model = new Sequential(new ConnectionTableConv2d(6, 5, LeNet5.C3Table, stride: 2, padding: 1, rng: new Rng(8)), new Tanh());
        string path = Path.Combine(_dir, "c3.safetensors");
        Checkpoint.Save(path, model);

        var loaded = Assert.IsType<Sequential>(Checkpoint.Load(path).Model);
        var layer = Assert.IsType<ConnectionTableConv2d>(loaded[0]);
        Assert.Equal(LeNet5.C3Table, layer.Table);
        Assert.Equal((2, 1), (layer.Stride, layer.Padding));
        var x = Tensor.Normal(new Rng(9), 0, 1, 2, 6, 12, 12);
        using (GradMode.NoGrad())
            AssertTensor.BitIdentical(model.Forward(x).AsSpan(), loaded.Forward(x).AsSpan(), "C3 output after reload");
    }
}
