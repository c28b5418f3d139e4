// The real peer for the NPY/NPZ writer tests: /usr/bin/python3 with numpy, when this machine has
// it. Tests that use it always check the bytes against numpy-written fixtures first, so a machine
// without Python still verifies the writer; the peer only adds "numpy.load accepts the file".
using System.Diagnostics;
using System.Text.Json;

namespace Striate.Tests.Serialization;

internal static class NumpyPeer
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> s_available = new(() =>
    {
        if (!File.Exists(Python)) return false;
        try
        {
            return Run("import numpy; print('ok')").Trim() == "ok";
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    });

    /// <summary>Whether /usr/bin/python3 exists and imports numpy.</summary>
    public static bool Available => s_available.Value;

    /// <summary>
    /// Loads <paramref name="path"/> with numpy (<c>np.load</c>) and returns, per array, its dtype,
    /// shape and float64 values in C order. For an .npy file the single key is the empty string.
    /// </summary>
    public static Dictionary<string, (string Dtype, int[] Shape, double[] Values)> Load(string path)
    {
        const string script = """
            import json, sys, numpy as np
            path = sys.argv[1]
            loaded = np.load(path, allow_pickle=False)
            arrays = dict(loaded.items()) if path.endswith('.npz') else {'': loaded}
            out = {k: {'dtype': a.dtype.str, 'shape': list(a.shape),
                       'values': [repr(float(v)) for v in a.astype(np.float64).reshape(-1)]} for k, a in arrays.items()}
            print(json.dumps(out))
            """;
        using var doc = JsonDocument.Parse(Run(script, path));
        var result = new Dictionary<string, (string, int[], double[])>(StringComparer.Ordinal);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            var a = property.Value;
            result[property.Name] = (
                a.GetProperty("dtype").GetString()!,
                [.. a.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())],
                [.. a.GetProperty("values").EnumerateArray().Select(v => ParsePythonFloat(v.GetString()!))]);
        }
        return result;
    }

    /// <summary>Python's repr of a float ("nan", "inf", "-inf", "1.5", "-0.0") as a double.</summary>
    public static double ParsePythonFloat(string text) => text switch
    {
        "nan" => double.NaN,
        "inf" => double.PositiveInfinity,
        "-inf" => double.NegativeInfinity,
        _ => double.Parse(text, System.Globalization.CultureInfo.InvariantCulture),
    };

    private static string Run(string script, params string[] args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000)) throw new InvalidOperationException("python3 timed out");
        if (process.ExitCode != 0) throw new InvalidOperationException($"python3 failed ({process.ExitCode}): {stderr.Result}");
        return stdout;
    }
}
