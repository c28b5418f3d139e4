// Loads the PyTorch golden fixtures written by Fixtures/generate_fixtures.py (format and
// precision contract in Fixtures/README.md). Inputs are read as double and then narrowed to
// float, the same decimal → double → float32 path the generator took, so both sides start from
// bit-identical inputs. Expected values stay in double: they are PyTorch's float64 results.
using System.Collections.Concurrent;
using System.Text.Json;

namespace Striate.Tests.TestSupport;

/// <summary>One tensor argument of a fixture case, with its expected gradient (null when it takes none).</summary>
public sealed record FixtureInput(string Name, int[] Shape, float[] Values, double[]? Grad)
{
    /// <summary>A fresh leaf tensor holding the input; requires a gradient when the fixture has one.</summary>
    public Tensor ToTensor()
    {
        var t = Tensor.FromArray(Values, Shape);
        t.RequiresGrad = Grad is not null;
        return t;
    }
}

/// <summary>One fixture case: an op, its parameters, inputs, upstream gradient and expected results.</summary>
public sealed class FixtureCase
{
    internal FixtureCase(string file, JsonElement root)
    {
        File = file;
        Raw = root;
        Name = root.GetProperty("name").GetString()!;
        Op = root.GetProperty("op").GetString()!;
        Params = root.GetProperty("params");
        if (root.TryGetProperty("inputs", out var inputs))
        {
            Inputs = [.. inputs.EnumerateArray().Select(i => new FixtureInput(
                i.GetProperty("name").GetString()!,
                Fixture.ReadInts(i.GetProperty("shape")),
                Fixture.ReadFloats(i.GetProperty("values")),
                i.GetProperty("grad").ValueKind == JsonValueKind.Null ? null : Fixture.ReadDoubles(i.GetProperty("grad"))))];
            UpstreamShape = Fixture.ReadInts(root.GetProperty("upstream").GetProperty("shape"));
            Upstream = Fixture.ReadFloats(root.GetProperty("upstream").GetProperty("values"));
            OutputShape = Fixture.ReadInts(root.GetProperty("output").GetProperty("shape"));
            Output = Fixture.ReadDoubles(root.GetProperty("output").GetProperty("values"));
        }
        else
        {
            Inputs = [];
            UpstreamShape = OutputShape = [];
            Upstream = [];
            Output = [];
        }
    }

    /// <summary>The JSON file the case came from.</summary>
    public string File { get; }

    /// <summary>The case name, unique within its file.</summary>
    public string Name { get; }

    /// <summary>The PyTorch op name (<c>add</c>, <c>conv2d</c>, ...).</summary>
    public string Op { get; }

    /// <summary>The op's non-tensor arguments.</summary>
    public JsonElement Params { get; }

    /// <summary>The whole case, for fixtures with their own layout (sgd).</summary>
    public JsonElement Raw { get; }

    /// <summary>The tensor arguments, in the op's argument order.</summary>
    public IReadOnlyList<FixtureInput> Inputs { get; }

    /// <summary>dL/d(output) passed to backward.</summary>
    public float[] Upstream { get; }

    /// <summary>Shape of <see cref="Upstream"/>.</summary>
    public int[] UpstreamShape { get; }

    /// <summary>Expected forward result (PyTorch, float64).</summary>
    public double[] Output { get; }

    /// <summary>Expected output shape.</summary>
    public int[] OutputShape { get; }

    /// <summary>Integer parameter <paramref name="name"/>.</summary>
    public int Int(string name) => Params.GetProperty(name).GetInt32();

    /// <summary>Integer parameter that may be null (e.g. <c>dim</c> for an all-element reduction).</summary>
    public int? IntOrNull(string name) =>
        Params.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Params.GetProperty(name).GetInt32();

    /// <summary>Boolean parameter <paramref name="name"/>.</summary>
    public bool Bool(string name) => Params.GetProperty(name).GetBoolean();

    /// <summary>Floating-point parameter <paramref name="name"/>, narrowed to float.</summary>
    public float Float(string name) => (float)Params.GetProperty(name).GetDouble();

    /// <summary>Integer-array parameter <paramref name="name"/> (class targets).</summary>
    public int[] Ints(string name) => Fixture.ReadInts(Params.GetProperty(name));

    /// <inheritdoc/>
    public override string ToString() => $"{File}:{Name}";
}

/// <summary>Reads fixture files from the test output directory (the project copies <c>Fixtures/**</c> there).</summary>
public static class Fixture
{
    private static readonly ConcurrentDictionary<string, IReadOnlyList<FixtureCase>> s_cache = new();

    /// <summary>Every case in <paramref name="file"/>, in file order.</summary>
    /// <exception cref="FileNotFoundException">The fixture was not copied to the output directory.</exception>
    public static IReadOnlyList<FixtureCase> Load(string file) => s_cache.GetOrAdd(file, static f =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", f);
        if (!System.IO.File.Exists(path))
            throw new FileNotFoundException($"Fixture {path} is missing; regenerate with /usr/bin/python3 tests/Striate.Tests/Fixtures/generate_fixtures.py.", path);
        using var doc = JsonDocument.Parse(System.IO.File.ReadAllBytes(path));
        // Clone so the elements outlive the document.
        var cases = doc.RootElement.GetProperty("cases").Clone();
        return [.. cases.EnumerateArray().Select(c => new FixtureCase(f, c))];
    });

    /// <summary>The case named <paramref name="name"/> in <paramref name="file"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such case.</exception>
    public static FixtureCase Case(string file, string name) =>
        Load(file).FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"No case '{name}' in fixture {file}.");

    /// <summary>Case names of <paramref name="file"/> whose op is one of <paramref name="ops"/> (all when none given), for <c>[MemberData]</c>.</summary>
    public static TheoryData<string> Names(string file, params string[] ops)
    {
        var data = new TheoryData<string>();
        foreach (var c in Load(file))
            if (ops.Length == 0 || ops.Contains(c.Op)) data.Add(c.Name);
        return data;
    }

    internal static int[] ReadInts(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetInt32())];

    internal static float[] ReadFloats(JsonElement e) => [.. e.EnumerateArray().Select(v => (float)v.GetDouble())];

    internal static double[] ReadDoubles(JsonElement e) => [.. e.EnumerateArray().Select(v => v.GetDouble())];
}
