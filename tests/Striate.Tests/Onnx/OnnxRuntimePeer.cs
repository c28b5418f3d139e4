// The real peer for ONNX export: ONNX Runtime through the npm package onnxruntime-node, installed in
// tools/onnxruntime-check (npm ci on first use when node_modules is missing). Tests marked
// [OnnxRuntimeFact] are skipped, with the reason, only when Node.js or npm cannot be found.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Striate.Tests.Onnx;

/// <summary>A fact that needs Node.js and npm; skipped with the reason when they are missing.</summary>
public sealed class OnnxRuntimeFactAttribute : FactAttribute
{
    public OnnxRuntimeFactAttribute()
    {
        if (OnnxRuntimePeer.MissingReason is { } reason) Skip = reason;
    }
}

/// <summary>A theory that needs Node.js and npm; skipped with the reason when they are missing.</summary>
public sealed class OnnxRuntimeTheoryAttribute : TheoryAttribute
{
    public OnnxRuntimeTheoryAttribute()
    {
        if (OnnxRuntimePeer.MissingReason is { } reason) Skip = reason;
    }
}

internal static class OnnxRuntimePeer
{
    private static readonly object s_installLock = new();
    private static bool s_installed;

    /// <summary>The repository root, found from this source file's path (the build output may live elsewhere).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    public static string ToolDirectory => Path.Combine(RepositoryRoot, "tools", "onnxruntime-check");

    /// <summary>Why the peer cannot run (no node or npm on PATH), or null when it can.</summary>
    public static string? MissingReason { get; } = FindMissing();

    private static string FindRoot([CallerFilePath] string source = "")
    {
        var dir = Path.GetDirectoryName(source);
        while (dir is not null && !File.Exists(Path.Combine(dir, "Striate.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException($"Cannot find Striate.sln above {source}.");
    }

    private static string? FindMissing()
    {
        foreach (var tool in new[] { "node", "npm" })
            if (Which(tool) is null) return $"ONNX Runtime peer skipped: '{tool}' is not on PATH (install Node.js and npm to run it).";
        return null;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);

    /// <summary>Installs onnxruntime-node (npm ci) when it is not installed yet.</summary>
    private static void EnsureInstalled()
    {
        lock (s_installLock)
        {
            if (s_installed) return;
            if (!File.Exists(Path.Combine(ToolDirectory, "node_modules", "onnxruntime-node", "package.json")))
                Exec("npm", ["ci", "--no-audit", "--no-fund"], 600_000);
            s_installed = true;
        }
    }

    /// <summary>Runs <paramref name="modelPath"/> in ONNX Runtime on the named inputs; returns each output's shape and values.</summary>
    public static Dictionary<string, (int[] Shape, float[] Values)> Run(string modelPath, IReadOnlyDictionary<string, Tensor> inputs)
    {
        EnsureInstalled();
        string dir = Path.Combine(Path.GetTempPath(), "striate-ort-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string inputPath = Path.Combine(dir, "inputs.json"), outputPath = Path.Combine(dir, "outputs.json");
            var spec = inputs.ToDictionary(kv => kv.Key, kv => new Dictionary<string, object> { ["shape"] = kv.Value.Shape, ["data"] = kv.Value.ToArray() });
            File.WriteAllText(inputPath, JsonSerializer.Serialize(spec));
            Exec("node", [Path.Combine(ToolDirectory, "run.js"), modelPath, inputPath, outputPath], 300_000);
            using var doc = JsonDocument.Parse(File.ReadAllBytes(outputPath));
            var result = new Dictionary<string, (int[], float[])>(StringComparer.Ordinal);
            foreach (var p in doc.RootElement.EnumerateObject())
                result[p.Name] = ([.. p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt32())],
                    [.. p.Value.GetProperty("data").EnumerateArray().Select(v => (float)v.GetDouble())]);
            return result;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Runs the model <paramref name="bytes"/> (written to a temporary file named after <paramref name="name"/>) on its input "x".</summary>
    public static Dictionary<string, (int[] Shape, float[] Values)> RunBytes(byte[] bytes, string name, Tensor x)
    {
        string path = Path.Combine(Path.GetTempPath(), $"striate-op-{name}-{Guid.NewGuid():N}.onnx");
        try
        {
            File.WriteAllBytes(path, bytes);
            return Run(path, new Dictionary<string, Tensor> { ["x"] = x });
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Exec(string tool, string[] args, int timeoutMs)
    {
        var start = new ProcessStartInfo(tool) { WorkingDirectory = ToolDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeoutMs))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} timed out after {timeoutMs / 1000} s.");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
    }
}
