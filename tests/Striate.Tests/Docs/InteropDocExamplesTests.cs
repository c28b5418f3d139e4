// The C# examples of docs/interop.md, verbatim, each followed by assertions on the numbers the page
// shows. The paths the page leaves to the reader (path, fortranPath, npzPath, evilPath, viewsPath,
// ptPath) are set first: temporary files, or the committed NumPy/PyTorch fixtures.
using Striate.Models;
using Striate.Serialization;

namespace Striate.Tests.Docs;

public sealed class InteropDocExamplesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("striate-interop-doc-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Fixture(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    [Fact]
    public void NpyWriteReadExample()
    {
        string path = Path.Combine(_dir, "x.npy");

        var x = Tensor.FromArray(new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        Npy.Write(path, x);
        long bytes = new FileInfo(path).Length;   // 152 = 128-byte header + 6 × 4 bytes
        var back = Npy.Read(path);                // shape (2, 3), values 1 … 6

        Assert.Equal(152, bytes);
        Assert.Equal([2, 3], back.Shape);
        Assert.Equal([1f, 2, 3, 4, 5, 6], back.ToArray());
        Assert.StartsWith("\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(path)));
        Assert.Equal(File.ReadAllBytes(Fixture("npy", "f4_c.npy")).Length, bytes); // numpy.save's file for a (2, 3) float32 array
    }

    [Fact]
    public void NpyFortranOrderExample()
    {
        string fortranPath = Fixture("npy", "doc_fortran.npy");

        var a = Npy.Read(fortranPath);   // '<f8', fortran_order True, shape (2, 3)
        float[] values = a.ToArray();    // [0, 1, 2, 3, 4, 5]: C order again

        Assert.Equal([2, 3], a.Shape);
        Assert.Equal([0f, 1, 2, 3, 4, 5], values);
        var raw = File.ReadAllBytes(fortranPath);
        Assert.Contains("'descr': '<f8', 'fortran_order': True, 'shape': (2, 3)", System.Text.Encoding.Latin1.GetString(raw));
        var stored = Enumerable.Range(0, 6).Select(i => BitConverter.ToDouble(raw, 128 + 8 * i));
        Assert.Equal([0.0, 3, 1, 4, 2, 5], stored); // as the page says numpy stores it
    }

    [Fact]
    public void NpzExample()
    {
        string npzPath = Path.Combine(_dir, "lenet5.npz");

        var model = LeNet5.Create(rng: new Rng(0));
        Npz.Write(npzPath, model.NamedState(), compress: true);   // numpy: np.load(npzPath)["0.weight"].shape == (6, 1, 5, 5)
        var arrays = Npz.Read(npzPath);                           // 10 arrays, "0.weight" … "11.bias", in order

        Assert.Equal(10, arrays.Count);
        Assert.Equal("0.weight", arrays.Keys.First());
        Assert.Equal("11.bias", arrays.Keys.Last());
        Assert.Equal([6, 1, 5, 5], arrays["0.weight"].Shape);
        Assert.Equal(model.NamedParameters().First().Value.ToArray(), arrays["0.weight"].ToArray());
    }

    [Fact]
    public void RefusalExample()
    {
        string evilPath = Fixture("torch", "malicious_os_system.pt");

        string? refusal = null;
        try { TorchCheckpoint.LoadStateDict(evilPath); }
        catch (InvalidDataException e) { refusal = e.Message; }
        // refusal: "Invalid pickle '…/malicious_os_system.pt:archive/data.pkl' at byte 2: refusing to load:
        //           the pickle references os.system; only tensor data is allowed (nothing was executed)."

        Assert.Equal($"Invalid pickle '{evilPath}:archive/data.pkl' at byte 2: refusing to load: the pickle references os.system; only tensor data is allowed (nothing was executed).", refusal);
    }

    [Fact]
    public void ViewsExample()
    {
        string viewsPath = Fixture("torch", "views.pt");

        var state = TorchCheckpoint.LoadStateDict(viewsPath);
        var t = state["transposed"];   // shape (4, 3)
        float v = t[1, 2];             // storage[0 + 1·1 + 2·4] = storage[9] = 9 · 0.5 − 2 = 2.5

        Assert.Equal([4, 3], t.Shape);
        Assert.Equal(2.5f, v);
        Assert.Equal(9 * 0.5f - 2, v);
    }

    [Fact]
    public void LoadIntoExample()
    {
        string ptPath = Fixture("torch", "lenet5.pt");

        var net = LeNet5.Create();
        TorchCheckpoint.LoadInto(net, ptPath, TorchNameMaps.LeNet5);
        // or with a function: a new name, or null to skip a tensor on purpose
        TorchCheckpoint.LoadInto(net, ptPath, name => TorchNameMaps.LeNet5.GetValueOrDefault(name));

        var torch = TorchCheckpoint.LoadStateDict(ptPath);
        var striate = net.NamedParameters().ToDictionary(p => p.Key, p => p.Value);
        foreach (var (torchName, striateName) in TorchNameMaps.LeNet5)
            Assert.Equal(torch[torchName].ToArray(), striate[striateName].ToArray());
        Assert.Equal([6, 1, 5, 5], striate["0.weight"].Shape);
        Assert.Equal([10], striate["11.bias"].Shape);
    }
}
